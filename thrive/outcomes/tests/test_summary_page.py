"""The program outcome summary page: figures for supervisors, small cells hidden from data
analysts, never a person; refused to case managers; a bad period is a field error."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from thrive.audit.models import AuditEvent
from thrive.cases import actions as cases
from thrive.survivors.actions import survivor_create
from thrive.test import DAY, SURVIVOR_DATA, CaseTestCase

URL = "/outcomes/summary/"


class SummaryPageTests(CaseTestCase):
    def setUp(self):
        self.start = self.today - 60 * DAY
        # The shared case: all 2 at opening, all 3 ten days ago: substantial everywhere.
        self.record_assessment(level=2, on=self.opened_on, kind="intake")
        self.record_assessment(level=3, on=self.today - 10 * DAY)

    def get(self, user, **params):
        self.login(user)
        query = {"program": self.program.pk, "start": self.start, "end": self.today, **params}
        return self.client.get(URL, {k: str(v) for k, v in query.items()})

    def add_cases(self, count):
        """`count` more survivors, each with a case improving from 2 to 3 in the period."""
        for n in range(count):
            survivor = survivor_create(
                self.agency_a,
                actor=self.case_manager,
                data={**SURVIVOR_DATA, "legal_name": f"Person {n}", "preferred_name": f"P{n}"},
            )
            case = cases.case_open(
                survivor,
                actor=self.case_manager,
                program=self.program,
                data={"trafficking_type": "sex", "opened_on": self.today - 40 * DAY},
            )
            self.record_assessment(case, level=2, on=self.today - 40 * DAY, kind="intake")
            self.record_assessment(case, level=3, on=self.today - 5 * DAY)

    def test_a_supervisor_sees_exact_figures_charts_and_no_person(self):
        response = self.get(self.supervisor)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["figures"]["cases_assessed"], 1)
        body = response.content.decode()
        self.assertIn("Overall (mean level)", body)
        self.assertIn('role="img"', body)
        self.assertIn('<td class="num">100%</td>', body)
        self.assertNotIn("&lt;10", body)
        self.assertNoSurvivorData(response)
        self.assertNotIn(self.survivor.record_label, body)
        self.assertNotIn(self.case.label, body)

    def test_a_data_analyst_sees_small_counts_as_under_ten_and_no_person(self):
        response = self.get(self.analyst)
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertEqual(response.context["shown"]["cases_assessed"], "<10")
        self.assertIn("&lt;10", body)
        self.assertIn('id="small-cells"', body)
        self.assertNotIn("100%", body)
        self.assertNoSurvivorData(response)
        self.assertNotIn(self.survivor.record_label, body)
        self.assertNotIn(self.case.label, body)

    def test_a_data_analyst_sees_figures_on_ten_cases_or_more(self):
        self.add_cases(9)
        response = self.get(self.analyst)
        shown = response.context["shown"]
        self.assertEqual(shown["cases_assessed"], "10")
        self.assertEqual(shown["rows"][-1]["measurable_share"], "100%")
        self.assertEqual([label for label, _ in shown["curves"]], ["All cases"])  # Sex: 9

    def test_case_managers_and_advocates_are_refused(self):
        for user in (self.case_manager, self.advocate, self.trainer):
            with self.subTest(user=user.username):
                self.assertEqual(self.get(user).status_code, 403)

    def test_another_organizations_program_is_not_found(self):
        response = self.get(self.outsider)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("Overall", response.content.decode())

    def test_an_outsider_without_programs_is_told_so(self):
        self.login(self.outsider)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Your organization has no programs yet.")

    def test_the_default_period_is_the_last_twelve_full_months(self):
        self.login(self.supervisor)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        first_of_month = self.today.replace(day=1)
        self.assertEqual(response.context["end"], first_of_month - DAY)
        self.assertEqual(response.context["start"].day, 1)
        self.assertEqual(
            (first_of_month.year - response.context["start"].year) * 12
            + first_of_month.month
            - response.context["start"].month,
            12,
        )

    def test_a_period_ending_before_it_starts_is_a_field_error(self):
        response = self.get(self.supervisor, start=self.today, end=self.today - DAY)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["end"], ["The period ends before it starts."]
        )
        self.assertContains(response, "The period ends before it starts.")
        self.assertIsNone(response.context["figures"])

    def test_a_period_starting_in_the_future_is_a_field_error(self):
        response = self.get(self.supervisor, start=self.today + DAY, end=self.today + 9 * DAY)
        self.assertEqual(
            response.context["form"].errors["start"], ["The period cannot start in the future."]
        )

    def test_a_date_that_is_not_a_date_is_a_field_error(self):
        response = self.get(self.supervisor, start="yesterday", program="x")
        self.assertEqual(response.status_code, 200)
        self.assertIn("start", response.context["form"].errors)
        self.assertIn("program", response.context["form"].errors)

    def test_a_period_without_assessments_says_so(self):
        response = self.get(
            self.supervisor, start=self.today - 300 * DAY, end=self.today - 200 * DAY
        )
        self.assertContains(response, "nothing to summarize")
        self.assertNotContains(response, "Improvement by domain")

    def test_each_run_is_audited_with_its_period_and_no_person(self):
        self.get(self.analyst)
        event = AuditEvent.objects.filter(object_type="cases.program").latest("pk")
        self.assertEqual(event.actor, self.analyst)
        self.assertEqual(event.action, AuditEvent.Action.VIEW)
        self.assertEqual(event.object_id, str(self.program.pk))
        self.assertEqual(
            event.detail,
            {"report": "outcome_summary", "start": str(self.start), "end": str(self.today)},
        )

    def test_the_page_makes_the_same_queries_with_one_case_or_eleven(self):
        def count():
            self.get(self.supervisor)  # warm the session and membership
            with CaptureQueriesContext(connection) as captured:
                response = self.get(self.supervisor)
            self.assertEqual(response.status_code, 200)
            return len(captured), response.context["figures"]["cases_assessed"]

        small, one = count()
        self.add_cases(10)
        large, eleven = count()
        self.assertEqual((one, eleven), (1, 11))
        self.assertEqual(small, large)
