"""Two people editing one record: the second save is stopped, says who changed what and
shows the values now saved next to theirs; nothing is saved until they submit again."""

from django.test import Client
from django.utils.formats import date_format

from thrive.cases import actions
from thrive.cases.models import Case, Goal, Task
from thrive.test import DAY, CaseTestCase


class ConflictPageTestCase(CaseTestCase):
    def client_for(self, user):
        """A second browser, logged in as `user`."""
        mine = self.client
        self.client = Client()
        try:
            self.login(user)
            return self.client
        finally:
            self.client = mine

    def form_data(self, client, path):
        form = client.get(path).context["form"]
        data = {}
        for name in form.fields:
            value = form[name].value()
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            elif isinstance(value, list):
                value = [getattr(v, "pk", v) for v in value]
            data[name] = "" if value is None else getattr(value, "pk", value)
        return data

    def assertConflict(self, response, *, who, rows):  # noqa: N802 (unittest style)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Someone else saved this record after you opened it.")
        self.assertContains(response, f"{who} changed")
        conflict = response.context["conflict"]
        shown = {(row["label"], row["current"], row["yours"]) for row in conflict["rows"]}
        self.assertEqual(shown, set(rows))


class CaseEditConflictTests(ConflictPageTestCase):
    def url(self):
        return f"/cases/{self.case.pk}/edit/"

    def test_the_second_editor_sees_who_changed_what_and_nothing_is_saved(self):
        self.login(self.case_manager)
        supervisor = self.client_for(self.supervisor)
        mine = self.form_data(self.client, self.url())
        theirs = self.form_data(supervisor, self.url())

        response = supervisor.post(self.url(), {**theirs, "risk_level": "low"})
        self.assertRedirects(response, f"/cases/{self.case.pk}/")

        response = self.client.post(self.url(), {**mine, "trafficking_type": "sex"})
        self.assertConflict(response, who="supervisor", rows=[("Risk level", "Low", "High")])
        self.assertContains(response, "Risk level")
        self.case.refresh_from_db()
        self.assertEqual(
            (self.case.risk_level, self.case.trafficking_type, self.case.version),
            ("low", "labor", 2),
        )
        # The form keeps what I typed, now on top of the version saved.
        form = response.context["form"]
        self.assertEqual(form["trafficking_type"].value(), "sex")
        self.assertEqual(str(form["version"].value()), "2")

        # Submitting again overwrites, deliberately.
        response = self.client.post(self.url(), {**mine, "trafficking_type": "sex", "version": 2})
        self.assertRedirects(response, f"/cases/{self.case.pk}/")
        self.case.refresh_from_db()
        self.assertEqual(
            (self.case.risk_level, self.case.trafficking_type, self.case.version),
            ("high", "sex", 3),
        )

    def test_a_changed_team_shows_the_names_on_both_sides(self):
        self.login(self.case_manager)
        supervisor = self.client_for(self.supervisor)
        mine = self.form_data(self.client, self.url())
        theirs = self.form_data(supervisor, self.url())
        supervisor.post(self.url(), {**theirs, "team": [self.supervisor.pk]})
        response = self.client.post(self.url(), {**mine, "team": [self.case_manager.pk]})
        self.assertConflict(
            response, who="supervisor", rows=[("Team members", "supervisor", "casemanager")]
        )
        self.assertEqual(list(Case.objects.get(pk=self.case.pk).team.all()), [self.supervisor])

    def test_an_edit_with_no_version_is_refused_at_the_form(self):
        self.login(self.case_manager)
        data = self.form_data(self.client, self.url())
        del data["version"]
        response = self.client.post(self.url(), {**data, "risk_level": "low"})
        self.assertIn("version", response.context["form"].errors)
        self.assertEqual(Case.objects.get(pk=self.case.pk).risk_level, "high")

    def test_an_opening_date_after_a_service_is_refused_at_the_field(self):
        self.login(self.case_manager)
        data = self.form_data(self.client, self.url())
        response = self.client.post(self.url(), {**data, "opened_on": self.today.isoformat()})
        self.assertEqual(response.status_code, 200)
        self.assertIn("opened_on", response.context["form"].errors)
        self.case.refresh_from_db()
        self.assertEqual((self.case.opened_on, self.case.version), (self.opened_on, 1))


class StatusConflictTests(ConflictPageTestCase):
    def test_a_status_change_on_a_stale_page_is_stopped(self):
        url = f"/cases/{self.case.pk}/status/"
        self.login(self.case_manager)
        supervisor = self.client_for(self.supervisor)
        response = supervisor.post(url, {"status": "active", "version": 1})
        self.assertRedirects(response, f"/cases/{self.case.pk}/")

        response = self.client.post(url, {"status": "on_hold", "version": 1})
        self.assertConflict(response, who="supervisor", rows=[("Status", "Active", "On hold")])
        self.case.refresh_from_db()
        self.assertEqual((self.case.status, self.case.version), ("active", 2))

        response = self.client.post(url, {"status": "on_hold", "version": 2})
        self.assertRedirects(response, f"/cases/{self.case.pk}/")
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, "on_hold")

    def test_the_one_click_buttons_of_a_stale_case_page_are_stopped_too(self):
        self.login(self.case_manager)
        page = self.client.get(f"/cases/{self.case.pk}/")
        self.assertContains(page, '<input type="hidden" name="version" value="1">')
        actions.case_change_status(self.case, actor=self.supervisor, to="closed", reason="other")
        response = self.client.post(
            f"/cases/{self.case.pk}/status/", {"status": "active", "version": 1}
        )
        closed_on = date_format(self.today, "DATE_FORMAT")
        self.assertConflict(
            response,
            who="supervisor",
            rows=[
                ("Status", "Closed", "Active"),
                ("Graduated or closed on", closed_on, "—"),
                ("Closure reason", "Other", "—"),
            ],
        )
        # What I asked for is no longer possible from where the case is now.
        self.assertContains(response, "The case can no longer take this status.")
        self.assertEqual(Case.objects.get(pk=self.case.pk).status, "closed")


class ReassignConflictTests(ConflictPageTestCase):
    def test_two_supervisors_reassigning_at_once(self):
        url = f"/cases/{self.case.pk}/reassign/"
        self.login(self.supervisor)
        actions.case_reassign(
            self.case, actor=self.supervisor, case_manager=self.supervisor, expected_version=1
        )
        response = self.client.post(url, {"case_manager": self.case_manager.pk, "version": 1})
        self.assertConflict(
            response, who="supervisor", rows=[("Case manager", "supervisor", "casemanager")]
        )
        self.assertEqual(Case.objects.get(pk=self.case.pk).case_manager, self.supervisor)


class GoalAndTaskConflictTests(ConflictPageTestCase):
    def test_a_goal_edited_by_two_people(self):
        url = f"/cases/goals/{self.goal.pk}/edit/"
        self.login(self.case_manager)
        supervisor = self.client_for(self.supervisor)
        mine = self.form_data(self.client, url)
        theirs = self.form_data(supervisor, url)
        supervisor.post(url, {**theirs, "status": "achieved"})
        response = self.client.post(url, {**mine, "notes": "Waiting list at two places."})
        self.assertConflict(
            response, who="supervisor", rows=[("Status", "Achieved", "Not started")]
        )
        goal = Goal.objects.get(pk=self.goal.pk)
        self.assertEqual((goal.status, goal.notes), ("achieved", ""))

    def test_a_task_edited_by_two_people(self):
        url = f"/cases/tasks/{self.task.pk}/edit/"
        self.login(self.case_manager)
        supervisor = self.client_for(self.supervisor)
        mine = self.form_data(self.client, url)
        theirs = self.form_data(supervisor, url)
        later = self.today + 10 * DAY
        supervisor.post(url, {**theirs, "due_on": later.isoformat()})
        response = self.client.post(url, {**mine, "title": "Call the housing authority again"})
        due = self.today + 3 * DAY
        self.assertConflict(
            response,
            who="supervisor",
            rows=[("Due", date_format(later, "DATE_FORMAT"), date_format(due, "DATE_FORMAT"))],
        )
        task = Task.objects.get(pk=self.task.pk)
        self.assertEqual((task.title, task.due_on), ("Call the housing authority", later))
