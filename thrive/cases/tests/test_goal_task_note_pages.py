"""The service plan, notes and tasks on the case page: each add form and done button works as
a plain POST and redirect, and with htmx answers with the section it changed."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from thrive.accounts.models import Role
from thrive.cases.models import ActionStep, Case, CaseNote, Goal, Task
from thrive.outcomes.models import Domain
from thrive.test import DAY, CaseTestCase, make_member

HTMX = {"HX-Request": "true"}


class GoalPageTests(CaseTestCase):
    def url(self):
        return f"/cases/{self.case.pk}/goals/new/"

    def test_the_domains_are_the_default_instruments_in_its_order_and_language(self):
        self.login(self.case_manager)
        domains = list(Domain.objects.filter(instrument__is_default=True).order_by("order"))
        form = self.client.get(self.url()).context["form"]
        choices = [label for value, label in form.fields["domain"].choices if value]
        self.assertEqual(choices, [d.name for d in domains])
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
        response = self.client.get(self.url())
        self.assertContains(response, self.housing.name_es)

    def test_a_goal_is_added_to_the_plan(self):
        self.login(self.case_manager)
        response = self.client.post(
            self.url(),
            {
                "domain": self.housing.pk,
                "description": "Keep the lease for a year",
                "target_date": (self.today + 365 * DAY).isoformat(),
                "status": "in_progress",
                "notes": "",
            },
        )
        self.assertRedirects(
            response, f"/cases/{self.case.pk}/#plan", fetch_redirect_response=False
        )
        [goal] = [g for g in self.case.goals.all() if g.description == "Keep the lease for a year"]
        self.assertEqual((goal.domain, goal.status), (self.housing, "in_progress"))
        self.assertContains(self.client.get(f"/cases/{self.case.pk}/"), "Goal added.")

    def test_a_target_date_before_the_case_opened_is_refused_at_the_field(self):
        self.login(self.case_manager)
        response = self.client.post(
            self.url(),
            {
                "domain": self.housing.pk,
                "description": "Too early",
                "target_date": (self.opened_on - DAY).isoformat(),
                "status": "not_started",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("target_date", response.context["form"].errors)
        self.assertEqual(self.case.goals.count(), 1)

    def test_a_goal_marked_achieved_gets_its_date(self):
        self.login(self.case_manager)
        url = f"/cases/goals/{self.goal.pk}/edit/"
        self.assertEqual(self.client.get(url).context["form"]["version"].value(), 1)
        response = self.client.post(
            url,
            {
                "domain": self.housing.pk,
                "description": self.goal.description,
                "target_date": self.goal.target_date.isoformat(),
                "status": "achieved",
                "notes": "Signed the lease.",
                "version": 1,
            },
        )
        self.assertRedirects(
            response, f"/cases/{self.case.pk}/#plan", fetch_redirect_response=False
        )
        goal = Goal.objects.get(pk=self.goal.pk)
        self.assertEqual((goal.status, goal.achieved_on, goal.version), ("achieved", self.today, 2))


class StepPageTests(CaseTestCase):
    def test_a_staff_step_is_added_to_a_goal(self):
        self.login(self.case_manager)
        response = self.client.post(
            f"/cases/goals/{self.goal.pk}/steps/new/",
            {
                "description": "Ask the landlord for references",
                "owner": "staff",
                "assignee": self.case_manager.pk,
                "due_on": (self.today + 7 * DAY).isoformat(),
            },
        )
        self.assertRedirects(
            response, f"/cases/{self.case.pk}/#plan", fetch_redirect_response=False
        )
        step = self.goal.steps.get(owner="staff")
        self.assertEqual(step.assignee, self.case_manager)

    def test_a_survivors_own_step_has_no_staff_member(self):
        self.login(self.case_manager)
        response = self.client.post(
            f"/cases/goals/{self.goal.pk}/steps/new/",
            {"description": "Go alone", "owner": "survivor", "assignee": self.case_manager.pk},
        )
        self.assertIn("assignee", response.context["form"].errors)
        self.assertEqual(self.goal.steps.count(), 1)

    def test_a_step_is_done_once_and_a_second_press_says_so(self):
        self.login(self.case_manager)
        url = f"/cases/steps/{self.step.pk}/done/"
        response = self.client.post(url)
        self.assertRedirects(
            response, f"/cases/{self.case.pk}/#plan", fetch_redirect_response=False
        )
        self.assertEqual(ActionStep.objects.get(pk=self.step.pk).done_on, self.today)
        response = self.client.post(url, follow=True)
        self.assertContains(response, "This step was already done on")

    def test_done_with_htmx_swaps_the_plan(self):
        self.login(self.case_manager)
        response = self.client.post(f"/cases/steps/{self.step.pk}/done/", headers=HTMX)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "<html")
        self.assertContains(response, 'id="plan"')
        self.assertContains(response, "Step done.")
        self.assertNotContains(response, f"/cases/steps/{self.step.pk}/done/")

    def test_a_colleague_off_the_case_cannot_complete_a_step(self):
        colleague = make_member("colleague", self.agency_a, Role.CASE_MANAGER)
        self.login(colleague)
        self.assertEqual(self.client.post(f"/cases/steps/{self.step.pk}/done/").status_code, 403)
        self.assertIsNone(ActionStep.objects.get(pk=self.step.pk).done_on)


class NotePageTests(CaseTestCase):
    def url(self):
        return f"/cases/{self.case.pk}/notes/new/"

    def note_data(self, **changes):
        return {
            "contact": "phone",
            "noted_on": self.today.isoformat(),
            "body": "Called her.",
            **changes,
        }

    def test_a_note_is_added_and_a_contact_counts_as_the_last_contact(self):
        self.login(self.case_manager)
        response = self.client.post(self.url(), self.note_data())
        self.assertRedirects(
            response, f"/cases/{self.case.pk}/#notes", fetch_redirect_response=False
        )
        note = self.case.notes.first()
        self.assertEqual(
            (note.body, note.author, note.contact), ("Called her.", self.case_manager, "phone")
        )
        self.assertEqual(Case.objects.get(pk=self.case.pk).last_contact_on, self.today)

    def test_with_htmx_the_notes_come_back_newest_first_with_a_fresh_form(self):
        self.login(self.case_manager)
        response = self.client.post(self.url(), self.note_data(body="Newest."), headers=HTMX)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "<html")
        body = response.content.decode()
        self.assertIn('id="notes"', body)
        self.assertLess(body.index("Newest."), body.index("Met at the shelter"))
        self.assertIn("Note added.", body)
        self.assertNotIn("Newest.</textarea>", body)

    def test_a_bad_note_is_shown_at_the_field_with_or_without_htmx(self):
        self.login(self.case_manager)
        future = self.note_data(noted_on=(self.today + DAY).isoformat(), body="Tomorrow.")
        response = self.client.post(self.url(), future, headers=HTMX)
        self.assertNotContains(response, "<html")
        self.assertContains(response, "A note cannot be dated in the future.")
        self.assertContains(response, "Tomorrow.</textarea>")
        response = self.client.post(self.url(), future)
        self.assertContains(response, "<html")
        self.assertIn("noted_on", response.context["form"].errors)
        response = self.client.post(self.url(), self.note_data(body=""))
        self.assertIn("body", response.context["form"].errors)
        self.assertEqual(CaseNote.objects.count(), 1)

    def test_notes_are_never_edited(self):
        with self.assertRaises(NoReverseMatch):
            reverse("cases:note_edit", args=[self.note.pk])


class TaskPageTests(CaseTestCase):
    def url(self):
        return f"/cases/{self.case.pk}/tasks/new/"

    def task_data(self, **changes):
        return {
            "title": "Book the interpreter",
            "due_on": (self.today + 2 * DAY).isoformat(),
            "remind_on": "",
            "assignee": self.case_manager.pk,
            **changes,
        }

    def test_a_task_is_added(self):
        self.login(self.case_manager)
        response = self.client.post(self.url(), self.task_data())
        self.assertRedirects(
            response, f"/cases/{self.case.pk}/#tasks", fetch_redirect_response=False
        )
        [task] = [t for t in self.case.tasks.all() if t.title == "Book the interpreter"]
        self.assertEqual((task.assignee, task.created_by), (self.case_manager, self.case_manager))

    def test_with_htmx_the_task_list_comes_back(self):
        self.login(self.case_manager)
        response = self.client.post(self.url(), self.task_data(), headers=HTMX)
        self.assertNotContains(response, "<html")
        self.assertContains(response, 'id="tasks"')
        self.assertContains(response, "Book the interpreter")

    def test_a_reminder_after_the_due_date_is_refused_at_the_field(self):
        self.login(self.case_manager)
        data = self.task_data(remind_on=(self.today + 5 * DAY).isoformat())
        response = self.client.post(self.url(), data)
        self.assertIn("remind_on", response.context["form"].errors)
        self.assertEqual(self.case.tasks.count(), 1)

    def test_a_task_cannot_go_to_someone_outside_the_organization(self):
        self.login(self.case_manager)
        response = self.client.post(self.url(), self.task_data(assignee=self.outsider.pk))
        self.assertIn("assignee", response.context["form"].errors)

    def test_a_task_is_edited(self):
        self.login(self.case_manager)
        url = f"/cases/tasks/{self.task.pk}/edit/"
        response = self.client.post(
            url, {**self.task_data(title="Call the housing authority at 9"), "version": 1}
        )
        self.assertRedirects(
            response, f"/cases/{self.case.pk}/#tasks", fetch_redirect_response=False
        )
        task = Task.objects.get(pk=self.task.pk)
        self.assertEqual((task.title, task.version), ("Call the housing authority at 9", 2))

    def test_open_tasks_come_before_closed_ones(self):
        self.login(self.case_manager)
        self.client.post(f"/cases/tasks/{self.task.pk}/done/")
        self.client.post(self.url(), self.task_data(due_on=(self.today + 30 * DAY).isoformat()))
        tasks = list(self.client.get(f"/cases/{self.case.pk}/").context["tasks"])
        self.assertEqual([t.status for t in tasks], ["open", "done"])

    def test_a_task_done_twice_says_who_did_it_first(self):
        self.login(self.supervisor)
        self.client.post(f"/cases/tasks/{self.task.pk}/done/")
        self.login(self.case_manager)
        response = self.client.post(f"/cases/tasks/{self.task.pk}/done/", follow=True)
        self.assertContains(response, "This task was already marked done by supervisor")
        task = Task.objects.get(pk=self.task.pk)
        self.assertEqual((task.status, task.completed_by), ("done", self.supervisor))

    def test_done_with_htmx_swaps_the_task_list(self):
        self.login(self.case_manager)
        response = self.client.post(f"/cases/tasks/{self.task.pk}/done/", headers=HTMX)
        self.assertNotContains(response, "<html")
        self.assertContains(response, 'id="tasks"')
        self.assertContains(response, "Task done.")

    def test_the_assignee_may_always_complete_their_own_task(self):
        colleague = make_member("colleague", self.agency_a, Role.CASE_MANAGER)
        from thrive.cases.actions import task_add

        theirs = task_add(
            self.case,
            actor=self.case_manager,
            data={"title": "Cover the visit", "due_on": self.today, "assignee": colleague},
        )
        self.login(colleague)
        self.assertEqual(self.client.post(f"/cases/tasks/{self.task.pk}/done/").status_code, 403)
        response = self.client.post(f"/cases/tasks/{theirs.pk}/done/")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Task.objects.get(pk=theirs.pk).status, "done")
