"""My caseload: the case manager's open cases, riskiest and most behind first, and the tasks
falling due."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from thrive.cases import actions
from thrive.cases.models import Task
from thrive.survivors.actions import survivor_create
from thrive.test import DAY, CaseTestCase

URL = "/cases/"


class CaseloadTests(CaseTestCase):
    def open_case(self, name="Ana", case_manager=None, risk="medium", opened_days_ago=60):
        survivor = survivor_create(
            self.agency_a, actor=self.case_manager, data={"preferred_name": name}
        )
        return actions.case_open(
            survivor,
            actor=self.supervisor,
            program=self.program,
            data={
                "case_manager": case_manager or self.case_manager,
                "risk_level": risk,
                "opened_on": self.today - opened_days_ago * DAY,
            },
        )

    def add_task(self, case, title="Follow up", due_in_days=3, assignee=None):
        return actions.task_add(
            case,
            actor=self.case_manager,
            data={
                "title": title,
                "due_on": self.today + due_in_days * DAY,
                "assignee": assignee or self.case_manager,
            },
        )

    def test_a_row_shows_the_case_survivor_program_risk_status_next_action_and_goals(self):
        self.login(self.case_manager)
        response = self.client.get(URL)
        self.assertContains(response, self.case.label)
        self.assertContains(response, f'href="/cases/{self.case.pk}/">Majo</a>', html=False)
        self.assertContains(response, "Comprehensive case management")
        self.assertContains(response, '<span class="badge risk-high">High</span>', html=True)
        self.assertContains(response, "Intake")
        self.assertContains(response, "Call the housing authority")
        self.assertContains(response, "0 of 1")
        row = response.context["cases"][0]
        # The latest contact: the shelter service yesterday.
        self.assertEqual((row.overdue_tasks, row.days_since_contact), (0, 1))

    def test_closed_cases_and_colleagues_cases_are_left_out(self):
        colleagues = self.open_case("Bea", case_manager=self.supervisor)
        closed = self.open_case("Cleo")
        actions.case_change_status(closed, actor=self.case_manager, to="closed", reason="other")
        self.login(self.case_manager)
        response = self.client.get(URL)
        self.assertEqual([c.pk for c in response.context["cases"]], [self.case.pk])
        self.assertNotContains(response, colleagues.label)
        self.assertNotContains(response, "Cleo")

    def test_the_riskiest_case_comes_first_then_the_most_overdue(self):
        low = self.open_case("Low", risk="low")
        behind = self.open_case("Behind")
        calm = self.open_case("Calm")
        for _ in range(2):
            self.add_task(behind, due_in_days=-5)
        self.add_task(calm, due_in_days=5)
        self.login(self.case_manager)
        response = self.client.get(URL)
        order = [c.pk for c in response.context["cases"]]
        self.assertEqual(order, [self.case.pk, behind.pk, calm.pk, low.pk])
        self.assertContains(response, '<span class="overdue">2</span>', html=True)

    def test_no_contact_for_more_than_two_weeks_is_highlighted(self):
        quiet = self.open_case("Quiet")
        actions.note_add(
            quiet,
            actor=self.case_manager,
            data={"body": "Phoned.", "contact": "phone", "noted_on": self.today - 20 * DAY},
        )
        self.login(self.case_manager)
        response = self.client.get(URL)
        self.assertContains(response, '<span class="stale"', count=1)
        self.assertContains(response, ">20</span>")

    def test_goals_achieved_of_total_leave_out_discontinued_goals(self):
        for status in ["achieved", "discontinued", "in_progress"]:
            actions.goal_add(
                self.case,
                actor=self.case_manager,
                data={"domain": self.housing, "description": "A goal", "status": status},
            )
        self.login(self.case_manager)
        self.assertContains(self.client.get(URL), "1 of 3")

    def test_my_tasks_overdue_or_due_this_week_with_a_done_button(self):
        overdue = self.add_task(self.case, title="Send the T-visa packet", due_in_days=-1)
        self.add_task(self.case, title="Next month's check-in", due_in_days=30)
        self.add_task(self.case, title="Supervisor's own task", assignee=self.supervisor)
        self.login(self.case_manager)
        response = self.client.get(URL)
        tasks = response.context["my_tasks"]
        self.assertEqual([t.pk for t in tasks], [overdue.pk, self.task.pk])
        self.assertContains(response, f'action="/cases/tasks/{overdue.pk}/done/"')
        self.assertNotContains(response, "Next month")
        self.assertNotContains(response, "Supervisor&#x27;s own task")

        response = self.client.post(f"/cases/tasks/{overdue.pk}/done/", {"return_to": "caseload"})
        self.assertRedirects(response, URL)
        overdue.refresh_from_db()
        self.assertEqual(
            (overdue.status, overdue.completed_by), (Task.Status.DONE, self.case_manager)
        )

    def test_done_from_the_caseload_with_htmx_swaps_the_task_list(self):
        self.login(self.case_manager)
        response = self.client.post(
            f"/cases/tasks/{self.task.pk}/done/",
            {"return_to": "caseload"},
            headers={"HX-Request": "true"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "<html")
        self.assertContains(response, 'id="my-tasks"')
        self.assertContains(response, "Task done.")
        self.assertContains(response, "Nothing due this week.")

    def test_the_query_count_does_not_grow_with_the_caseload(self):
        def fill(n):
            for i in range(n):
                case = self.open_case(f"Person {i}", risk=["low", "medium", "high"][i % 3])
                self.add_task(case, due_in_days=-2)
                self.add_task(case, due_in_days=2)
                actions.goal_add(
                    case,
                    actor=self.case_manager,
                    data={"domain": self.housing, "description": "Housing", "status": "achieved"},
                )
                actions.note_add(
                    case,
                    actor=self.case_manager,
                    data={"body": "Met.", "contact": "in_person", "noted_on": self.today},
                )

        fill(2)  # with the shared case: 3 cases
        self.login(self.case_manager)
        with CaptureQueriesContext(connection) as few:
            response = self.client.get(URL)
        self.assertEqual(len(response.context["cases"]), 3)
        fill(9)  # 12 cases
        with self.assertNumQueries(len(few)):
            response = self.client.get(URL)
        self.assertEqual(len(response.context["cases"]), 12)
        self.assertLessEqual(len(few), 12)


class CaseloadAccessTests(CaseTestCase):
    def test_roles_without_cases_are_refused(self):
        for persona in [self.advocate, self.analyst, self.trainer]:
            with self.subTest(persona=persona.username):
                self.login(persona)
                response = self.client.get(URL)
                self.assertEqual(response.status_code, 403)
                self.assertNoSurvivorData(response)

    def test_the_outsider_sees_their_own_empty_caseload_and_nothing_of_agency_a(self):
        self.login(self.outsider)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, self.case.label)
        self.assertNoSurvivorData(response)

    def test_only_get(self):
        self.login(self.case_manager)
        self.assertEqual(self.client.post(URL).status_code, 405)


class MyTasksLimitTests(CaseTestCase):
    def test_the_caseload_shows_the_first_fifty_tasks_due_and_counts_the_rest(self):
        from thrive.cases import actions as case_actions

        for n in range(52):  # with the setup's own task due in three days: 53
            case_actions.task_add(
                self.case,
                actor=self.case_manager,
                data={"title": f"Task {n}", "due_on": self.today, "assignee": self.case_manager},
            )
        self.login(self.case_manager)
        response = self.client.get("/cases/")
        self.assertEqual(len(response.context["my_tasks"]), 50)
        self.assertContains(response, "And 3 more tasks, shown on each case's page.")

    def test_the_query_count_does_not_grow_past_the_fifty_tasks_shown(self):
        from thrive.cases import actions as case_actions

        self.login(self.case_manager)
        with CaptureQueriesContext(connection) as few:
            self.client.get("/cases/")
        for n in range(60):
            case_actions.task_add(
                self.case,
                actor=self.case_manager,
                data={"title": f"Task {n}", "due_on": self.today, "assignee": self.case_manager},
            )
        with self.assertNumQueries(len(few)):
            self.client.get("/cases/")
