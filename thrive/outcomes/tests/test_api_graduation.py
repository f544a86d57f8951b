"""Graduation through a supervisor's approval, outcome events, and who reaches the outcomes
records over /api/v1."""

import json

from thrive.cases.actions import case_change_status
from thrive.cases.models import Case, Task
from thrive.outcomes.actions import graduation_request, outcome_event_record
from thrive.outcomes.models import Assessment, GraduationReview, OutcomeEvent
from thrive.outcomes.tests.test_api_assessments import OutcomesApiTestCase
from thrive.test import DAY


class GraduationApiTests(OutcomesApiTestCase):
    def setUp(self):
        super().setUp()
        case_change_status(self.case, actor=self.case_manager, to="active")

    def request(self, user=None, **body):
        return self.api("post", f"/cases/{self.case.pk}/graduation", user, body=body)

    def pending(self):
        self.record_assessment(level=3)
        return graduation_request(self.case, actor=self.case_manager)

    def test_a_request_is_refused_naming_the_domains_still_below(self):
        self.record_assessment(level=4, housing=2, income=1)
        body = self.assertFieldError(self.request(), "assessment", "Housing, Income")
        self.assertIn("level 3", body["errors"]["assessment"][0])
        self.assertFalse(GraduationReview.objects.exists())

    def test_a_request_needs_an_assessment_and_an_active_case(self):
        self.assertFieldError(self.request(), "assessment", "Record an outcome assessment")
        self.record_assessment(level=3)
        case_change_status(self.case, actor=self.case_manager, to="on_hold")
        self.assertFieldError(self.request(), "status", "cannot graduate")
        self.assertFalse(GraduationReview.objects.exists())

    def test_the_case_manager_requests_and_the_graduation_page_shows_it(self):
        assessment = self.record_assessment(level=3, family="na")
        body = self.assertJson(self.request(note="All domains stable."), 201)
        review = GraduationReview.objects.get(pk=body["id"])
        self.assertEqual((review.status, review.assessment), ("pending", assessment))
        self.assertEqual(
            (body["status"], body["threshold"], body["request_note"], body["case_status"]),
            ("pending", 3, "All domains stable.", "active"),
        )
        self.assertEqual(body["requested_by"]["username"], "casemanager")
        self.assertFieldError(self.request(), "status", "already waiting")
        page = self.assertJson(self.api("get", f"/cases/{self.case.pk}/graduation"), 200)
        self.assertEqual((page["case_status"], page["may_graduate"]), ("active", True))
        self.assertEqual(page["readiness"]["ready"], True)
        self.assertEqual(page["readiness"]["assessment_id"], assessment.pk)
        self.assertEqual([r["id"] for r in page["reviews"]], [review.pk])
        self.assertEqual(self.views("graduation").count(), 1)

    def test_the_supervisor_approves_and_the_case_graduates_with_its_follow_ups(self):
        review = self.pending()
        path = f"/graduation-reviews/{review.pk}/approve"
        body = self.assertJson(
            self.api("post", path, self.supervisor, body={"note": "Well done"}), 200
        )
        self.assertEqual(
            (body["status"], body["case_status"], body["graduated_on"]),
            ("approved", "graduated", self.today.isoformat()),
        )
        self.assertEqual(body["decided_by"]["username"], "supervisor")
        case = Case.objects.get(pk=self.case.pk)
        self.assertEqual((case.status, case.ended_on), ("graduated", self.today))
        follow_ups = case.tasks.filter(purpose=Task.Purpose.FOLLOW_UP, status="open")
        self.assertEqual(follow_ups.count(), len(self.program.follow_up_months))
        self.assertFalse(case.tasks.filter(purpose=Task.Purpose.ASSESSMENT, status="open").exists())
        again = self.api("post", path, self.supervisor, body={})
        self.assertFieldError(again, "status", "already approved")

    def test_a_program_director_approves_on_a_given_date(self):
        review = self.pending()
        path = f"/graduation-reviews/{review.pk}/approve"
        body = self.assertJson(
            self.api("post", path, self.director, body={"graduated_on": self.today.isoformat()}),
            200,
        )
        self.assertEqual(body["graduated_on"], self.today.isoformat())

    def test_a_graduation_date_before_the_last_service_is_an_error_under_it(self):
        review = self.pending()
        path = f"/graduation-reviews/{review.pk}/approve"
        early = (self.today - 5 * DAY).isoformat()
        self.assertFieldError(
            self.api("post", path, self.supervisor, body={"graduated_on": early}), "graduated_on"
        )
        self.assertEqual(GraduationReview.objects.get().status, "pending")
        self.assertEqual(Case.objects.get(pk=self.case.pk).status, "active")

    def test_case_managers_neither_approve_nor_decline(self):
        review = self.pending()
        for decision in ("approve", "decline"):
            path = f"/graduation-reviews/{review.pk}/{decision}"
            body = self.assertJson(self.api("post", path, body={"note": "Yes"}), 403)
            self.assertIn("supervisors", body["detail"])
        self.assertEqual(GraduationReview.objects.get().status, "pending")
        self.assertEqual(Case.objects.get(pk=self.case.pk).status, "active")

    def test_declining_needs_a_note_saying_why(self):
        review = self.pending()
        path = f"/graduation-reviews/{review.pk}/decline"
        self.assertFieldError(self.api("post", path, self.supervisor, body={}), "note", "Say why")
        self.assertFieldError(self.api("post", path, self.supervisor, body={"note": "  "}), "note")
        self.assertEqual(GraduationReview.objects.get().status, "pending")
        body = self.assertJson(
            self.api("post", path, self.supervisor, body={"note": "Wait for the lease."}), 200
        )
        self.assertEqual(
            (body["status"], body["decision_note"]), ("declined", "Wait for the lease.")
        )
        self.assertEqual(Case.objects.get(pk=self.case.pk).status, "active")
        self.assertFieldError(
            self.api("post", f"/graduation-reviews/{review.pk}/approve", self.supervisor, body={}),
            "status",
            "already declined",
        )

    def test_only_the_case_team_requests_graduation(self):
        self.record_assessment(level=3)
        self.assertJson(self.request(self.colleague), 403)
        self.assertFalse(GraduationReview.objects.exists())


class OutcomeEventApiTests(OutcomesApiTestCase):
    def post(self, body, user=None):
        return self.api("post", f"/cases/{self.case.pk}/outcome-events", user, body=body)

    def arrest(self, **changes):
        return {
            "kind": "re_arrest",
            "occurred_on": (self.today - DAY).isoformat(),
            "source": "court_record",
            "offense_category": "commercial_sex",
            "compelled": "yes",
            "note": "Arrested in a sting; the trafficker sent her.",
            **changes,
        }

    def test_records_a_re_arrest_with_its_offense(self):
        body = self.assertJson(self.post(self.arrest()), 201)
        event = OutcomeEvent.objects.get(pk=body["id"])
        self.assertEqual(
            (event.case, event.kind, event.offense_category, event.compelled, event.recorded_by),
            (self.case, "re_arrest", "commercial_sex", "yes", self.case_manager),
        )
        self.assertEqual(body["note"], "Arrested in a sting; the trafficker sent her.")
        self.assertEqual(body["recorded_by"]["username"], "casemanager")

    def test_an_arrest_without_its_offense_category_is_a_field_error(self):
        response = self.post(self.arrest(offense_category=""))
        self.assertFieldError(response, "offense_category", "offense category")
        self.assertFalse(OutcomeEvent.objects.exists())

    def test_an_offense_on_a_hospitalization_is_a_field_error(self):
        hospital = {"kind": "hospitalization", "source": "hospital"}
        response = self.post(self.arrest(**hospital, compelled=""))
        self.assertFieldError(response, "offense_category", "Only an arrest")
        response = self.post(self.arrest(**hospital, offense_category=""))
        self.assertFieldError(response, "compelled", "Only an arrest")
        self.assertFalse(OutcomeEvent.objects.exists())

    def test_other_refusals_by_field(self):
        tomorrow = (self.today + DAY).isoformat()
        self.assertFieldError(self.post(self.arrest(occurred_on=tomorrow)), "occurred_on", "future")
        self.assertFieldError(self.post(self.arrest(kind="relapse")), "kind")
        self.assertFieldError(
            self.post(self.arrest(offense_category="jaywalking")), "offense_category"
        )
        body = self.assertJson(self.post({}), 400)
        self.assertTrue({"kind", "occurred_on", "source"} <= set(body["errors"]), body)
        self.assertFalse(OutcomeEvent.objects.exists())

    def test_lists_and_reads_events_recording_the_view(self):
        later = outcome_event_record(
            self.case,
            actor=self.case_manager,
            data={"kind": "return_to_services", "occurred_on": self.today, "source": "staff"},
        )
        first = outcome_event_record(
            self.case,
            actor=self.case_manager,
            data={"kind": "homelessness", "occurred_on": self.today - DAY, "source": "survivor"},
        )
        body = self.assertJson(self.api("get", f"/cases/{self.case.pk}/outcome-events"), 200)
        self.assertEqual([e["id"] for e in body["results"]], [first.pk, later.pk])
        body = self.assertJson(self.api("get", f"/outcome-events/{first.pk}"), 200)
        self.assertEqual((body["kind"], body["offense_category"]), ("homelessness", ""))
        self.assertEqual(self.views("outcome_events").count(), 2)

    def test_the_query_count_does_not_grow_with_the_number_of_events(self):
        path = f"/cases/{self.case.pk}/outcome-events"
        self.assertJson(self.post(self.arrest()), 201)
        few, _ = self.queries(path)
        for days in range(3):
            outcome_event_record(
                self.case,
                actor=self.colleague,
                data={
                    "kind": "hospitalization",
                    "occurred_on": self.today - days * DAY,
                    "source": "hospital",
                },
            )
        many, body = self.queries(path)
        self.assertEqual(body["count"], 4)
        self.assertEqual(few, many)

    def test_only_the_case_team_records_an_event(self):
        self.assertJson(self.post(self.arrest(), self.colleague), 403)
        self.assertFalse(OutcomeEvent.objects.exists())


class OutcomesAccessApiTests(OutcomesApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        case_change_status(cls.case, actor=cls.case_manager, to="active")
        cls.assessment = cls.record_assessment(cls, level=3)
        cls.review = graduation_request(cls.case, actor=cls.case_manager)
        cls.event = outcome_event_record(
            cls.case,
            actor=cls.case_manager,
            data={"kind": "hospitalization", "occurred_on": cls.today, "source": "hospital"},
        )

    def record_routes(self):
        case = f"/cases/{self.case.pk}"
        review = f"/graduation-reviews/{self.review.pk}"
        good_assessment = {
            "kind": "periodic",
            "assessed_on": self.today.isoformat(),
            "levels": self.levels(),
        }
        return [
            ("get", f"{case}/assessments", None),
            ("post", f"{case}/assessments", good_assessment),
            ("get", f"/assessments/{self.assessment.pk}", None),
            ("get", f"{case}/progress", None),
            ("get", f"{case}/outcome-events", None),
            (
                "post",
                f"{case}/outcome-events",
                {"kind": "homelessness", "occurred_on": self.today.isoformat(), "source": "staff"},
            ),
            ("get", f"/outcome-events/{self.event.pk}", None),
            ("get", f"{case}/graduation", None),
            ("post", f"{case}/graduation", {}),
            ("post", f"{review}/approve", {}),
            ("post", f"{review}/decline", {"note": "Not yet."}),
        ]

    def assertNothingChanged(self):  # noqa: N802 (unittest style)
        self.assertEqual(Assessment.objects.count(), 1)
        self.assertEqual(OutcomeEvent.objects.count(), 1)
        self.assertEqual(GraduationReview.objects.get().status, "pending")
        self.assertEqual(Case.objects.get(pk=self.case.pk).status, "active")

    def test_the_outsider_gets_404_on_every_record_route(self):
        for method, path, body in self.record_routes():
            with self.subTest(method=method, path=path):
                response = self.api(method, path, self.outsider, body=body)
                self.assertJson(response, 404)
                self.assertNoSurvivorData(response)
        self.assertNothingChanged()

    def test_the_data_analyst_trainer_and_advocate_get_403(self):
        for user in (self.analyst, self.trainer, self.advocate):
            for method, path, body in self.record_routes():
                with self.subTest(user=user.username, method=method, path=path):
                    response = self.api(method, path, user, body=body)
                    self.assertJson(response, 403)
                    self.assertNoSurvivorData(response)
        self.assertNothingChanged()

    def test_ids_that_name_nothing_are_404(self):
        for path in ("/assessments/999999", "/outcome-events/999999", f"/assessments/{10**30}"):
            with self.subTest(path=path):
                self.assertJson(self.api("get", path), 404)
        self.assertJson(
            self.api("post", "/graduation-reviews/999999/approve", self.supervisor), 404
        )

    def test_the_openapi_schema_documents_the_outcome_routes(self):
        schema = json.loads(self.client.get("/api/v1/openapi.json").content)
        for path in (
            "/api/v1/outcomes/instruments",
            "/api/v1/outcomes/instruments/{code}/{version}",
            "/api/v1/cases/{case_id}/assessments",
            "/api/v1/assessments/{assessment_id}",
            "/api/v1/cases/{case_id}/progress",
            "/api/v1/cases/{case_id}/outcome-events",
            "/api/v1/outcome-events/{event_id}",
            "/api/v1/cases/{case_id}/graduation",
            "/api/v1/graduation-reviews/{review_id}/approve",
            "/api/v1/graduation-reviews/{review_id}/decline",
        ):
            with self.subTest(path=path):
                operations = schema["paths"][path]
                for operation in operations.values():
                    self.assertTrue(operation.get("description"), (path, operation))
