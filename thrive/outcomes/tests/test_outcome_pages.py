"""The outcome pages: the assessment form with its anchors, the survivor page's progress,
graduation asked by a case manager and decided by a supervisor, and outcome events."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from thrive.audit.models import AuditEvent
from thrive.cases.actions import case_change_status
from thrive.cases.models import Case, Task
from thrive.lib.dates import add_months
from thrive.outcomes.actions import graduation_request
from thrive.outcomes.models import Assessment, GraduationReview, Instrument, OutcomeEvent
from thrive.test import DAY, CaseTestCase


class OutcomePageTestCase(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        case_change_status(cls.case, actor=cls.case_manager, to="active")
        cls.instrument = Instrument.objects.default()
        cls.codes = list(cls.instrument.domains.values_list("code", flat=True))

    def form_data(self, level="3", **changes):
        data = {"kind": "periodic", "assessed_on": self.today.isoformat()}
        data.update(dict.fromkeys(self.codes, level))
        data.update(changes)
        return data

    def new_assessment_url(self):
        return f"/outcomes/cases/{self.case.pk}/assessments/new/"


class AssessmentFormTests(OutcomePageTestCase):
    def test_the_form_shows_every_anchor_and_the_rule_to_choose_the_lower_level(self):
        self.login(self.case_manager)
        response = self.client.get(self.new_assessment_url())
        self.assertContains(response, "Between two levels, choose the lower.")
        housing = self.instrument.domains.get(code="housing")
        for level in range(1, 6):
            with self.subTest(level=level):
                self.assertContains(response, housing.anchors[str(level)]["en"], html=False)
        # Only the domains that may be not applicable offer it.
        self.assertContains(response, 'name="family" value="na"')
        self.assertNotContains(response, 'name="safety" value="na"')
        # The first assessment of a case is its intake.
        self.assertEqual(response.context["form"]["kind"].value(), "intake")

    def test_the_form_speaks_spanish_with_the_spanish_anchors(self):
        self.login(self.case_manager)
        self.client.cookies["django_language"] = "es"
        response = self.client.get(self.new_assessment_url())
        housing = self.instrument.domains.get(code="housing")
        self.assertContains(response, "Entre dos niveles, elija el más bajo.")
        self.assertContains(response, housing.anchors["1"]["es"], html=False)

    def test_a_complete_assessment_is_saved_and_the_survivor_page_shows_it(self):
        self.login(self.case_manager)
        data = self.form_data(housing="2", family="na", note_housing="Still at the shelter.")
        response = self.client.post(self.new_assessment_url(), data)
        self.assertRedirects(
            response,
            f"/survivors/{self.survivor.pk}/#progress-{self.case.pk}",
            fetch_redirect_response=False,
        )
        assessment = Assessment.objects.get()
        self.assertEqual(assessment.levels()["housing"], 2)
        self.assertEqual(assessment.vector[self.codes.index("family")], "-")
        self.assertEqual(
            assessment.scores.get(domain__code="housing").note, "Still at the shelter."
        )

    def test_a_missing_level_a_level_outside_the_instrument_and_a_bad_date_save_nothing(self):
        self.login(self.case_manager)
        cases = {
            "missing": (self.form_data(housing=""), "housing", "Choose a level for Housing."),
            "outside": (self.form_data(housing="7"), "housing", "not one of the available"),
            "na not allowed": (self.form_data(safety="na"), "safety", "not one of the available"),
            "before opening": (
                self.form_data(assessed_on=(self.opened_on - DAY).isoformat()),
                "assessed_on",
                "cannot be earlier",
            ),
            "future": (
                self.form_data(assessed_on=(self.today + DAY).isoformat()),
                "assessed_on",
                "in the future",
            ),
        }
        for name, (data, field, message) in cases.items():
            with self.subTest(name):
                response = self.client.post(self.new_assessment_url(), data)
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, " ".join(response.context["form"].errors[field]))
                self.assertContains(response, "Nothing has been saved yet.")
        self.assertFalse(Assessment.objects.exists())

    def test_a_hotline_advocate_and_an_outsider_cannot_record(self):
        for user, status in ((self.advocate, 403), (self.outsider, 404)):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.post(self.new_assessment_url(), self.form_data())
                self.assertEqual(response.status_code, status)
        self.assertFalse(Assessment.objects.exists())

    def test_reading_an_assessment_is_audited(self):
        assessment = self.record_assessment()
        self.login(self.supervisor)
        response = self.client.get(f"/outcomes/assessments/{assessment.pk}/")
        self.assertContains(response, "Housing")
        self.assertTrue(AuditEvent.objects.for_object(assessment).filter(action="view").exists())


class ProgressOnTheSurvivorPageTests(OutcomePageTestCase):
    def test_the_heat_map_has_a_column_per_assessment_and_readiness_names_domains_below(self):
        self.record_assessment(level=2, on=self.today - 20 * DAY, kind="intake")
        self.record_assessment(level=3, on=self.today - 5 * DAY, housing=2, family="na")
        self.login(self.case_manager)
        response = self.client.get(f"/survivors/{self.survivor.pk}/")
        (entry,) = response.context["progress"]
        self.assertEqual(len(entry["assessments"]), 2)
        housing = next(r for r in entry["rows"] if r["domain"].code == "housing")
        self.assertEqual([c["level"] for c in housing["cells"]], [2, 2])
        family = next(r for r in entry["rows"] if r["domain"].code == "family")
        self.assertEqual([c["level"] for c in family["cells"]], [2, None])
        self.assertFalse(entry["ready"])
        self.assertEqual([d.code for d in entry["below"]], ["housing"])
        self.assertContains(response, "Not ready to graduate. Below level 3:")
        # Change from baseline: safety 2 -> 3 is +1, substantial; family is left out.
        change = {c["domain"].code: c for c in entry["change"]}
        self.assertEqual(
            (change["safety"]["delta"], change["safety"]["improvement"]), (1, "substantial")
        )
        self.assertNotIn("family", change)
        self.assertContains(response, "<svg", count=1)

    def test_a_program_may_ask_more_than_stable_to_graduate(self):
        self.program.graduation_level = 4
        self.program.save()
        self.record_assessment(level=3)
        self.login(self.case_manager)
        response = self.client.get(f"/survivors/{self.survivor.pk}/")
        (entry,) = response.context["progress"]
        self.assertFalse(entry["ready"])
        self.assertEqual(len(entry["below"]), 13)

    def test_the_page_costs_the_same_queries_with_two_or_twelve_assessments(self):
        self.login(self.case_manager)

        def count():
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(
                    self.client.get(f"/survivors/{self.survivor.pk}/").status_code, 200
                )
            return len(queries)

        for day in range(2):
            self.record_assessment(on=self.today - (20 - day) * DAY)
        few = count()
        for day in range(2, 12):
            self.record_assessment(on=self.today - (20 - day) * DAY)
        self.assertEqual(count(), few)

    def test_an_analyst_never_sees_the_progress_of_a_person(self):
        self.record_assessment()
        self.login(self.analyst)
        self.assertEqual(self.client.get(f"/survivors/{self.survivor.pk}/").status_code, 403)


class ReminderAndFollowUpTests(OutcomePageTestCase):
    def test_each_assessment_moves_the_periodic_reminder_to_the_program_interval(self):
        self.program.assessment_interval_days = 60
        self.program.save()
        self.record_assessment(on=self.today - 10 * DAY, kind="intake")
        due = Task.objects.get(purpose="assessment", status="open")
        self.assertEqual(due.due_on, self.today + 50 * DAY)
        self.assertEqual(due.assignee, self.case_manager)
        self.record_assessment(on=self.today)
        self.assertEqual(Task.objects.filter(purpose="assessment", status="done").count(), 1)
        self.assertEqual(
            Task.objects.get(purpose="assessment", status="open").due_on, self.today + 60 * DAY
        )

    def test_an_older_assessment_entered_late_leaves_the_reminder_alone(self):
        self.record_assessment(on=self.today)
        self.record_assessment(on=self.today - 10 * DAY)
        self.assertEqual(
            Task.objects.get(purpose="assessment", status="open").due_on, self.today + 90 * DAY
        )

    def test_graduation_schedules_follow_ups_at_3_6_12_months_and_reopening_cancels_them(self):
        ended = self.today
        self.graduate(self.case, on=ended)
        follow_ups = Task.objects.filter(purpose="follow_up").order_by("due_on")
        self.assertEqual([t.due_on for t in follow_ups], [add_months(ended, m) for m in (3, 6, 12)])
        self.assertTrue(all(t.remind_on == t.due_on - 7 * DAY for t in follow_ups))
        self.assertFalse(Task.objects.filter(purpose="assessment", status="open").exists())
        case_change_status(self.case, actor=self.supervisor, to="reopened")
        self.assertEqual(
            set(Task.objects.filter(purpose="follow_up").values_list("status", flat=True)),
            {"cancelled"},
        )


class GraduationPageTests(OutcomePageTestCase):
    def url(self):
        return f"/outcomes/cases/{self.case.pk}/graduation/"

    def test_asking_too_early_names_the_domains_below_and_saves_nothing(self):
        self.record_assessment(level=3, housing=2, income=1)
        self.login(self.case_manager)
        response = self.client.post(self.url(), {"request_note": ""})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Housing, Income and financial stability")
        self.assertFalse(GraduationReview.objects.exists())

    def test_a_case_manager_asks_and_a_supervisor_approves_and_it_is_recorded(self):
        self.record_assessment(level=3, family="na")
        self.login(self.case_manager)
        response = self.client.post(self.url(), {"request_note": "All domains stable."})
        self.assertRedirects(response, self.url())
        review = GraduationReview.objects.get()
        self.assertEqual((review.status, review.requested_by), ("pending", self.case_manager))
        # The case manager cannot decide; the status form does not offer graduation either.
        decide = f"/outcomes/graduation/{review.pk}/decide/"
        self.assertEqual(self.client.post(decide, {"decision": "approved"}).status_code, 403)
        status_page = self.client.get(f"/cases/{self.case.pk}/status/")
        self.assertNotIn("graduated", dict(status_page.context["form"].fields["status"].choices))

        self.login(self.supervisor)
        response = self.client.get("/outcomes/graduation/pending/")
        self.assertContains(response, self.case.label)
        graduated_on = self.today - DAY
        response = self.client.post(
            decide, {"decision": "approved", "graduated_on": graduated_on.isoformat()}
        )
        self.assertRedirects(response, self.url())
        review.refresh_from_db()
        self.case.refresh_from_db()
        self.assertEqual((review.status, review.decided_by), ("approved", self.supervisor))
        self.assertEqual((self.case.status, self.case.ended_on), ("graduated", graduated_on))
        self.assertTrue(AuditEvent.objects.for_object(review).filter(action="change").exists())
        page = self.client.get(self.url())
        self.assertContains(page, "Approved")

    def test_declining_needs_a_reason_and_leaves_the_case_open(self):
        self.record_assessment(level=4)
        self.login(self.case_manager)
        self.client.post(self.url(), {})
        review = GraduationReview.objects.get()
        self.login(self.supervisor)
        decide = f"/outcomes/graduation/{review.pk}/decide/"
        response = self.client.post(decide, {"decision": "declined", "decision_note": ""})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Say why, so the case manager knows.")
        review.refresh_from_db()
        self.assertEqual(review.status, "pending")
        response = self.client.post(
            decide, {"decision": "declined", "decision_note": "Wait for the lease to start."}
        )
        self.assertRedirects(response, self.url())
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.ACTIVE)

    def test_an_assessment_below_the_level_after_the_request_stops_the_approval(self):
        self.record_assessment(level=3, on=self.today - 2 * DAY)
        review = graduation_request(self.case, actor=self.case_manager)
        self.record_assessment(level=3, safety=2)
        self.login(self.supervisor)
        response = self.client.post(
            f"/outcomes/graduation/{review.pk}/decide/", {"decision": "approved"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Safety")
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, "active")


class OutcomeEventPageTests(OutcomePageTestCase):
    def url(self):
        return f"/outcomes/cases/{self.case.pk}/events/new/"

    def test_an_arrest_needs_its_offense_and_a_hospitalization_takes_none(self):
        self.login(self.case_manager)
        day = (self.today - DAY).isoformat()
        response = self.client.post(
            self.url(), {"kind": "re_arrest", "occurred_on": day, "source": "law_enforcement"}
        )
        self.assertIn("offense_category", response.context["form"].errors)
        response = self.client.post(
            self.url(),
            {
                "kind": "hospitalization",
                "occurred_on": day,
                "source": "hospital",
                "offense_category": "drug",
            },
        )
        self.assertIn("offense_category", response.context["form"].errors)
        self.assertFalse(OutcomeEvent.objects.exists())
        response = self.client.post(
            self.url(),
            {
                "kind": "re_arrest",
                "occurred_on": day,
                "source": "court_record",
                "offense_category": "commercial_sex",
                "compelled": "yes",
            },
        )
        self.assertEqual(response.status_code, 302)
        event = OutcomeEvent.objects.get()
        self.assertEqual((event.kind, event.compelled), ("re_arrest", "yes"))
        page = self.client.get(f"/survivors/{self.survivor.pk}/")
        self.assertContains(page, "Prostitution or commercial sex")
        self.assertContains(page, "compelled by a trafficker")


class InstrumentPageTests(OutcomePageTestCase):
    def test_the_instrument_reference_lists_each_anchor(self):
        self.login(self.analyst)
        response = self.client.get("/outcomes/instruments/soa/1/")
        safety = self.instrument.domains.get(code="safety")
        self.assertContains(response, safety.anchors["5"]["en"])
        self.assertEqual(self.client.get("/outcomes/instruments/soa/9/").status_code, 404)
