"""The supervisor's view of the team: each case worker's open cases, high-risk cases, overdue
tasks and cases without contact for 30 days."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from thrive.accounts.models import Role
from thrive.cases import actions
from thrive.survivors.actions import survivor_create
from thrive.test import DAY, CaseTestCase, make_member

URL = "/cases/team/"


class TeamViewTests(CaseTestCase):
    def open_case(self, case_manager, risk="medium", opened_days_ago=60, name="Ana"):
        survivor = survivor_create(
            self.agency_a, actor=self.supervisor, data={"preferred_name": name}
        )
        return actions.case_open(
            survivor,
            actor=self.supervisor,
            program=self.program,
            data={
                "case_manager": case_manager,
                "risk_level": risk,
                "opened_on": self.today - opened_days_ago * DAY,
            },
        )

    def row_of(self, response, user):
        return next(row for row in response.context["rows"] if row["worker"] == user)

    def test_each_worker_with_open_high_risk_overdue_and_no_recent_contact(self):
        second = self.open_case(self.case_manager, risk="low")
        actions.task_add(
            second,
            actor=self.case_manager,
            data={"title": "Late", "due_on": self.today - DAY, "assignee": self.case_manager},
        )
        self.open_case(self.supervisor, risk="high", opened_days_ago=5)  # new: not yet stale
        closed = self.open_case(self.case_manager, risk="high")
        actions.case_change_status(closed, actor=self.supervisor, to="closed", reason="other")
        self.login(self.supervisor)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        mine = self.row_of(response, self.case_manager)
        self.assertEqual((mine["open_cases"], mine["high_risk"], mine["overdue_tasks"]), (2, 1, 1))
        # The shared case had contact yesterday; the second, opened 60 days ago, never.
        self.assertEqual(mine["no_recent_contact"], 1)
        theirs = self.row_of(response, self.supervisor)
        self.assertEqual(
            (theirs["open_cases"], theirs["high_risk"], theirs["no_recent_contact"]), (1, 1, 0)
        )
        self.assertEqual(response.context["totals"]["open_cases"], 3)

    def test_each_worker_links_to_the_case_list_filtered_by_them(self):
        self.login(self.supervisor)
        response = self.client.get(URL)
        link = f"/cases/all/?status=open&amp;case_manager={self.case_manager.pk}"
        self.assertContains(response, f'href="{link}"')
        listed = self.client.get(link.replace("&amp;", "&"))
        self.assertEqual([c.pk for c in listed.context["page"]], [self.case.pk])

    def test_open_cases_without_a_case_manager_have_a_row(self):
        self.open_case(None)
        self.login(self.supervisor)
        response = self.client.get(URL)
        row = self.row_of(response, None)
        self.assertEqual(row["open_cases"], 1)
        self.assertContains(response, "case_manager=none")

    def test_program_directors_see_it_too(self):
        director = make_member("director", self.agency_a, Role.PROGRAM_DIRECTOR)
        self.login(director)
        self.assertEqual(self.client.get(URL).status_code, 200)

    def test_case_managers_and_roles_without_cases_are_refused(self):
        for persona in [self.case_manager, self.advocate, self.analyst, self.trainer]:
            with self.subTest(persona=persona.username):
                self.login(persona)
                response = self.client.get(URL)
                self.assertEqual(response.status_code, 403)
                self.assertNoSurvivorData(response)

    def test_the_outsider_sees_only_agency_b(self):
        self.login(self.outsider)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "casemanager")
        self.assertEqual(len(response.context["rows"]), 1)  # the outsider alone

    def test_the_query_count_does_not_grow_with_cases_or_workers(self):
        self.login(self.supervisor)
        with CaptureQueriesContext(connection) as few:
            self.client.get(URL)
        for i in range(4):
            worker = make_member(f"worker{i}", self.agency_a, Role.CASE_MANAGER)
            for _ in range(3):
                case = self.open_case(worker, risk="high")
                actions.task_add(
                    case,
                    actor=worker,
                    data={"title": "Late", "due_on": self.today - DAY, "assignee": worker},
                )
        with self.assertNumQueries(len(few)):
            response = self.client.get(URL)
        self.assertEqual(response.context["totals"]["open_cases"], 13)
