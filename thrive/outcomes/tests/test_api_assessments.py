"""The instrument, outcome assessments and progress over /api/v1."""

from thrive.audit.models import AuditEvent
from thrive.cases.models import Task
from thrive.cases.tests.test_api_cases import CaseApiTestCase
from thrive.outcomes.models import Assessment, Instrument
from thrive.test import DAY


class OutcomesApiTestCase(CaseApiTestCase):
    def setUp(self):
        self.instrument = Instrument.objects.default()
        self.codes = list(self.instrument.domains.values_list("code", flat=True))

    def levels(self, level=3, **changes):
        return {**dict.fromkeys(self.codes, level), **changes}

    def views(self, part):
        return AuditEvent.objects.for_object(self.case).filter(
            action="view", detail={"via": "api", "part": part}
        )


class InstrumentApiTests(OutcomesApiTestCase):
    def test_the_data_analyst_reads_the_instruments_with_levels_domains_and_anchors(self):
        body = self.assertJson(self.api("get", "/outcomes/instruments", self.analyst), 200)
        [soa] = [i for i in body if (i["code"], i["version"]) == ("soa", 1)]
        self.assertTrue(soa["is_default"])
        self.assertEqual(
            soa["levels"][0], {"number": 1, "name": "In crisis", "name_es": "En crisis"}
        )
        self.assertEqual([level["number"] for level in soa["levels"]], [1, 2, 3, 4, 5])
        self.assertEqual([d["code"] for d in soa["domains"]], self.codes)
        housing = soa["domains"][1]
        self.assertEqual((housing["code"], housing["name_es"]), ("housing", "Vivienda"))
        self.assertFalse(housing["may_be_not_applicable"])
        self.assertEqual(set(housing["anchors"]), {"1", "2", "3", "4", "5"})
        self.assertEqual(set(housing["anchors"]["3"]), {"en", "es"})
        family = next(d for d in soa["domains"] if d["code"] == "family")
        self.assertTrue(family["may_be_not_applicable"])

    def test_one_instrument_version_and_a_version_that_does_not_exist(self):
        body = self.assertJson(self.api("get", "/outcomes/instruments/soa/1", self.trainer), 200)
        self.assertEqual((body["code"], body["version"], len(body["domains"])), ("soa", 1, 13))
        self.assertJson(self.api("get", "/outcomes/instruments/soa/99", self.analyst), 404)
        self.assertJson(self.api("get", "/outcomes/instruments/nothing/1", self.analyst), 404)
        self.assertJson(self.api("get", f"/outcomes/instruments/soa/{10**30}"), 400)

    def test_a_token_is_still_required(self):
        response = self.client.get("/api/v1/outcomes/instruments")
        self.assertJson(response, 401)


class AssessmentRecordApiTests(OutcomesApiTestCase):
    def path(self, case=None):
        return f"/cases/{(case or self.case).pk}/assessments"

    def post(self, body, user=None):
        return self.api("post", self.path(), user, body=body)

    def good(self, **changes):
        return {
            "kind": "intake",
            "assessed_on": self.today.isoformat(),
            "levels": self.levels(housing=1, income=2, family="na"),
            "notes": {"housing": "Staying at the shelter."},
            **changes,
        }

    def test_records_an_assessment_and_schedules_the_next_one(self):
        body = self.assertJson(self.post(self.good()), 201)
        assessment = Assessment.objects.get(pk=body["id"])
        self.assertEqual(
            (assessment.case, assessment.kind, assessment.assessed_on, assessment.assessor),
            (self.case, "intake", self.today, self.case_manager),
        )
        # safety, housing, income, employment ... family: instrument order, "-" for "na".
        self.assertEqual(assessment.vector, "312333333333-")
        self.assertEqual(assessment.levels()["housing"], 1)
        self.assertEqual(
            assessment.scores.get(domain__code="housing").note, "Staying at the shelter."
        )
        self.assertEqual(body["levels"]["housing"], 1)
        self.assertIsNone(body["levels"]["family"])
        self.assertEqual(list(body["levels"]), self.codes)
        self.assertEqual(body["notes"], {"housing": "Staying at the shelter."})
        self.assertEqual(body["instrument"], {"code": "soa", "version": 1})
        self.assertEqual(body["assessor"]["username"], "casemanager")
        self.assertEqual(body["mean_level"], round((3 * 10 + 1 + 2) / 12, 2))
        [task] = self.case.tasks.filter(purpose=Task.Purpose.ASSESSMENT, status="open")
        self.assertEqual(task.due_on, self.today + self.program.assessment_interval_days * DAY)
        created = AuditEvent.objects.for_object(assessment).get(action="create")
        self.assertEqual(created.actor, self.case_manager)

    def test_an_instrument_may_be_named_and_an_unknown_one_is_refused(self):
        named = self.good(instrument={"code": "soa", "version": 1})
        self.assertJson(self.post(named), 201)
        unknown = self.good(instrument={"code": "soa", "version": 7})
        self.assertFieldError(self.post(unknown), "instrument")
        self.assertEqual(Assessment.objects.count(), 1)

    def refused(self, body, field, fragment=""):
        response = self.post(body)
        errors = self.assertFieldError(response, field, fragment)["errors"]
        self.assertFalse(Assessment.objects.exists())
        self.assertFalse(self.case.tasks.filter(purpose=Task.Purpose.ASSESSMENT).exists())
        return errors

    def test_a_level_outside_the_instrument_is_an_error_under_its_domain(self):
        for value in (6, 0, "high", True, 2.5, None, [3]):
            with self.subTest(value=value):
                self.refused(self.good(levels=self.levels(safety=value)), "safety")
        errors = self.refused(self.good(levels=self.levels(safety=6)), "safety")
        self.assertEqual(errors["safety"], ["6 is not a level of this instrument."])

    def test_a_missing_level_is_an_error_under_its_domain(self):
        levels = self.levels()
        del levels["income"]
        self.refused(self.good(levels=levels), "income", "Choose a level")

    def test_not_applicable_only_where_the_domain_allows_it(self):
        self.refused(self.good(levels=self.levels(safety="na")), "safety", "applies to everyone")

    def test_dated_before_the_case_opened_or_in_the_future(self):
        before = (self.opened_on - DAY).isoformat()
        self.refused(self.good(assessed_on=before), "assessed_on", "The case opened on")
        tomorrow = (self.today + DAY).isoformat()
        self.refused(self.good(assessed_on=tomorrow), "assessed_on", "future")
        self.refused(self.good(assessed_on="last spring"), "assessed_on")

    def test_an_unknown_domain_is_an_error_under_its_code(self):
        self.refused(self.good(levels=self.levels(spirituality=3)), "spirituality", "no domain")
        self.refused(self.good(notes={"spirituality": "Prays."}), "notes", "spirituality")

    def test_the_kind_must_be_one_of_the_types(self):
        self.refused(self.good(kind="weekly"), "kind")
        self.refused(self.good(kind=None), "kind", "Choose the type")

    def test_an_empty_object_names_every_missing_field_and_domain(self):
        errors = self.refused({}, "assessed_on", "Give the date")
        self.assertIn("kind", errors)
        self.assertTrue(set(self.codes) <= set(errors), errors)

    def test_no_body_or_a_body_that_is_not_an_object(self):
        response = self.api("post", self.path(), raw="")
        self.assertIn("__all__", self.assertJson(response, 400)["errors"])
        response = self.api("post", self.path(), raw="[1, 2]")
        self.assertIn("__all__", self.assertJson(response, 400)["errors"])
        self.assertFieldError(self.post({**self.good(), "score": 3}), "score")
        self.assertFalse(Assessment.objects.exists())

    def test_only_the_case_team_records_an_assessment(self):
        self.assertJson(self.post(self.good(), self.colleague), 403)
        self.assertJson(self.post(self.good(), self.supervisor), 201)
        self.assertEqual(Assessment.objects.count(), 1)


class AssessmentReadApiTests(OutcomesApiTestCase):
    def test_lists_the_cases_assessments_oldest_first_and_records_the_view(self):
        later = self.record_assessment(level=4, on=self.today, family="na")
        first = self.record_assessment(level=2, on=self.today - 10 * DAY, kind="intake")
        body = self.assertJson(self.api("get", f"/cases/{self.case.pk}/assessments"), 200)
        self.assertEqual((body["count"], body["page"], body["pages"]), (2, 1, 1))
        self.assertEqual([a["id"] for a in body["results"]], [first.pk, later.pk])
        self.assertEqual(
            (body["results"][0]["kind"], body["results"][0]["mean_level"]), ("intake", 2.0)
        )
        self.assertIsNone(body["results"][1]["levels"]["family"])
        self.assertEqual(body["results"][1]["notes"], {})
        self.assertEqual(self.views("assessments").count(), 1)

    def test_the_query_count_does_not_grow_with_the_number_of_assessments(self):
        self.record_assessment()
        path = f"/cases/{self.case.pk}/assessments"
        few, _ = self.queries(path)
        for days in range(1, 4):
            self.record_assessment(on=self.today - days * DAY)
        many, body = self.queries(path)
        self.assertEqual(body["count"], 4)
        self.assertEqual(few, many)

    def test_reads_one_assessment_with_its_notes_and_records_the_view(self):
        from thrive.outcomes.actions import assessment_record

        assessment = assessment_record(
            self.case,
            actor=self.case_manager,
            instrument=self.instrument,
            kind="periodic",
            assessed_on=self.today,
            levels=self.levels(),
            notes={"legal": "Vacatur motion filed."},
        )
        body = self.assertJson(self.api("get", f"/assessments/{assessment.pk}"), 200)
        self.assertEqual((body["id"], body["case_id"]), (assessment.pk, self.case.pk))
        self.assertEqual(body["notes"], {"legal": "Vacatur motion filed."})
        self.assertEqual(body["levels"], self.levels())
        self.assertEqual(self.views("assessments").count(), 1)


class ProgressApiTests(OutcomesApiTestCase):
    def test_no_assessment_yet(self):
        body = self.assertJson(self.api("get", f"/cases/{self.case.pk}/progress"), 200)
        self.assertEqual(
            body["readiness"],
            {
                "ready": False,
                "threshold": 3,
                "assessment_id": None,
                "assessed_on": None,
                "below": [],
            },
        )
        self.assertEqual((body["domains"], body["series"]), ([], []))
        self.assertIsNone(body["overall"]["change"])

    def test_readiness_change_from_the_baseline_and_the_series(self):
        first = self.record_assessment(
            level=2, on=self.today - 20 * DAY, kind="intake", family="na"
        )
        self.record_assessment(level=2, on=self.today - 10 * DAY, housing=3)
        latest = self.record_assessment(level=3, on=self.today, housing=4, legal=2, family=5)
        body = self.assertJson(self.api("get", f"/cases/{self.case.pk}/progress"), 200)
        readiness = body["readiness"]
        self.assertFalse(readiness["ready"])
        self.assertEqual((readiness["assessment_id"], readiness["threshold"]), (latest.pk, 3))
        [legal] = readiness["below"]
        self.assertEqual((legal["code"], legal["level"]), ("legal", 2))
        self.assertEqual(legal["name_es"], "Asuntos legales (penales y civiles)")
        self.assertEqual(
            (body["baseline_assessment_id"], body["latest_assessment_id"]), (first.pk, latest.pk)
        )
        domains = {d["code"]: d for d in body["domains"]}
        self.assertNotIn("family", domains, "not applicable at the baseline: left out")
        self.assertEqual(len(domains), 12)
        self.assertEqual(
            domains["housing"],
            {
                "code": "housing",
                "baseline": 2,
                "current": 4,
                "change": 2,
                "improvement": "substantial",
            },
        )
        self.assertEqual((domains["legal"]["change"], domains["legal"]["improvement"]), (0, ""))
        # Over the 12 shared domains: 2.00 -> (10 * 3 + 4 + 2) / 12 = 3.00.
        self.assertEqual(
            body["overall"],
            {"baseline": 2.0, "current": 3.0, "change": 1.0, "improvement": "substantial"},
        )
        self.assertEqual(
            [(p["assessed_on"], p["mean_level"]) for p in body["series"]],
            [
                ((self.today - 20 * DAY).isoformat(), 2.0),
                ((self.today - 10 * DAY).isoformat(), round(27 / 13, 2)),
                (self.today.isoformat(), round(41 / 13, 2)),
            ],
        )
        self.assertEqual(self.views("progress").count(), 1)

    def test_ready_when_every_applicable_domain_is_at_the_programs_level(self):
        self.record_assessment(level=3, immigration="na")
        readiness = self.assertJson(self.api("get", f"/cases/{self.case.pk}/progress"), 200)[
            "readiness"
        ]
        self.assertEqual((readiness["ready"], readiness["below"]), (True, []))
