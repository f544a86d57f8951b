"""`manage.py tasks_due`: what falls due, by assignee, without a title or a name."""

from io import StringIO

from django.core.management import CommandError, call_command

from thrive.cases import actions
from thrive.test import DAY, CaseTestCase


class TasksDueTests(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.overdue = cls.make_task("Bring the lease papers", due=-2)
        cls.reminded = cls.make_task("Court date: T visa interview", due=10, remind=-1)
        cls.far = cls.make_task("Six-month check-in", due=60)
        cls.done = cls.make_task("Already done", due=-5)
        actions.task_complete(cls.done, actor=cls.case_manager)

    @classmethod
    def make_task(cls, title, *, due, remind=None):
        data = {"title": title, "due_on": cls.today + due * DAY, "assignee": cls.case_manager}
        if remind is not None:
            data["remind_on"] = cls.today + remind * DAY
        return actions.task_add(cls.case, actor=cls.supervisor, data=data)

    def run_command(self, *args):
        out = StringIO()
        call_command("tasks_due", *args, stdout=out)
        return out.getvalue()

    def test_lists_overdue_and_reminded_tasks_but_not_done_or_distant_ones(self):
        output = self.run_command()
        self.assertIn(f"C-00001 task {self.overdue.pk}: OVERDUE by 2 days", output)
        self.assertIn(f"task {self.reminded.pk}: due in 10 days", output)
        self.assertIn("(reminder)", output)
        self.assertNotIn(f"task {self.far.pk}:", output)
        self.assertNotIn(f"task {self.done.pk}:", output)
        self.assertIn("Agency A · casemanager", output)
        self.assertIn("2 tasks falling due.", output)

    def test_days_widens_the_window(self):
        output = self.run_command("--days", "3")
        self.assertIn(f"task {self.task.pk}: due in 3 days", output)
        self.assertIn("3 tasks falling due.", output)

    def test_never_prints_a_title_or_a_name(self):
        output = self.run_command("--days", "365")
        for secret in ["lease", "T visa", "Six-month", self.survivor.preferred_name]:
            self.assertNotIn(secret, output)

    def test_an_organization_filter_and_a_bad_one(self):
        self.assertIn("0 tasks falling due.", self.run_command("--organization", "agency-b"))
        with self.assertRaisesMessage(CommandError, "No organization"):
            self.run_command("--organization", "nowhere")
