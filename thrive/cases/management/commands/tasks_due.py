"""What falls due: open tasks overdue, due soon, or whose reminder date has come, by assignee.

Run daily from cron or a systemd timer; pipe to mail if you like. It prints case numbers,
task numbers and dates, never a task's title or a name: the output leaves Thrive (mail, logs),
and the title is survivor data. Staff open the task in Thrive to read it.
"""

import itertools

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from thrive.accounts.models import Organization
from thrive.cases.models import Task


class Command(BaseCommand):
    help = "List open tasks that are overdue, due within --days, or past their reminder date."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=0, help="Also list tasks due this soon.")
        parser.add_argument("--organization", help="Only this organization (its short name).")

    def handle(self, *args, days, organization, **options):
        if days < 0:
            raise CommandError("--days cannot be negative.")
        today = timezone.localdate()
        tasks = Task.objects.falling_due(on=today, within_days=days)
        if organization:
            try:
                tasks = tasks.filter(organization=Organization.objects.get(slug=organization))
            except Organization.DoesNotExist:
                raise CommandError(
                    f"No organization with the short name {organization!r}."
                ) from None
        tasks = tasks.select_related("assignee", "case", "organization").order_by(
            "organization__name", "assignee__username", "due_on", "pk"
        )
        count = 0
        for (org, assignee), group in itertools.groupby(
            tasks, key=lambda t: (t.organization.name, t.assignee.username)
        ):
            self.stdout.write(f"{org} · {assignee}")
            for task in group:
                count += 1
                self.stdout.write(f"  {self._line(task, today)}")
        self.stdout.write(f"{count} task{'s' if count != 1 else ''} falling due.")

    @staticmethod
    def _line(task, today):
        delta = (task.due_on - today).days
        if delta < 0:
            when = f"OVERDUE by {-delta} day{'s' if delta != -1 else ''}"
        elif delta == 0:
            when = "due today"
        else:
            when = f"due in {delta} day{'s' if delta != 1 else ''}"
        reminder = " (reminder)" if task.remind_on and task.remind_on <= today else ""
        return f"{task.case.label} task {task.pk}: {when}, {task.due_on.isoformat()}{reminder}"
