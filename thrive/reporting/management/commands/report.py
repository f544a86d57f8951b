"""manage.py report NAME: a report to standard output or a file, through disclosure control.

    manage.py report activity --organization harbor-light --period FFY2025 --user analyst
    manage.py report members --task-force cedar-task-force --period 2025 \
        --user coordinator --format xlsx --output members.xlsx

The user named runs it as if logged in to the organization (for the member report, the task
force's coordinating organization) and must be allowed to, as on the page. Every run is stored
with its disclosure audit and is an audit event of that user.
"""

import json

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from thrive.accounts.access import attach_membership
from thrive.accounts.models import Organization, TaskForce, User
from thrive.reporting import access
from thrive.reporting.actions import report_publish
from thrive.reporting.activity import demographics, program_activity
from thrive.reporting.disclosure import Rule
from thrive.reporting.grant import grant_report
from thrive.reporting.members import member_report
from thrive.reporting.periods import PeriodError, parse_period
from thrive.reporting.tables import AuditFailed, as_csv, as_xlsx

REPORTS = ("activity", "demographics", "grant", "members")
FORMATS = ("json", "csv", "xlsx")


class Command(BaseCommand):
    help = "Run a report (aggregates only, small counts suppressed) as JSON, CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument(
            "name",
            choices=REPORTS,
            help="activity: an organization's program activity; demographics: who it served; "
            "grant: a grant's VOCA performance measures; members: a task force's member report",
        )
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument(
            "--organization", metavar="SLUG", help="for the activity and demographics reports"
        )
        scope.add_argument("--grant", metavar="ID", type=int, help="for the grant report")
        scope.add_argument("--task-force", metavar="SLUG", help="for the member report")
        parser.add_argument(
            "--period", required=True, help="2025, FFY2025, SFY2025, 2025-Q3, 2025-07 or A..B"
        )
        parser.add_argument("--user", metavar="USERNAME", required=True, help="who runs it")
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("--output", metavar="FILE", help="default: standard output")
        parser.add_argument("--k", type=int, default=10, help="smallest count shown (2 or more)")

    def handle(
        self,
        *args,
        name,
        organization,
        task_force,
        grant,
        period,
        user,
        format,
        output,
        k,
        **options,
    ):
        try:
            period = parse_period(period)
            rule = Rule(k=k)
        except (PeriodError, ValueError) as error:
            raise CommandError(str(error)) from None
        if format == "xlsx" and not output:
            raise CommandError("XLSX is a file: name it with --output FILE.")
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"There is no active user {user!r}.")
        if name == "members":
            if not task_force:
                raise CommandError("The member report is of a task force: --task-force SLUG.")
            scope, membership, figures = self.members(actor, task_force, period)
            extra = {"task_force": scope.slug}
        elif name == "grant":
            if not grant:
                raise CommandError("The grant report is of a grant: --grant ID.")
            scope, membership, figures = self.grant(actor, grant, period)
            extra = {"grant": scope.pk}
        else:
            if not organization:
                raise CommandError(f"The {name} report is of an organization: --organization SLUG.")
            scope, membership, figures = self.activity(actor, organization, period, name)
            extra = {"organization": scope.slug}
        try:
            published = report_publish(
                name,
                figures,
                actor=actor,
                organization=membership.organization,
                task_force=scope if name == "members" else None,
                period=period,
                rule=rule,
                export_format=format,
            )
        except AuditFailed as error:
            raise CommandError(str(error)) from None
        heading = f"{scope} · {period}"
        if format == "json":
            content = (
                json.dumps(
                    {
                        "report": name,
                        **extra,
                        "period": str(period),
                        "start": period.start.isoformat(),
                        "end": period.end.isoformat(),
                        **published.as_json(),
                    },
                    ensure_ascii=False,
                    indent=2,
                ).encode()
                + b"\n"
            )
        elif format == "csv":
            content = as_csv(published, heading=heading).encode("utf-8-sig")
        else:
            content = as_xlsx(published, heading=heading)
        if output:
            with open(output, "wb") as handle:
                handle.write(content)
            self.stderr.write(f"Wrote {output} ({len(content):,} bytes).")
        else:
            self.stdout.write(content.decode("utf-8-sig"), ending="")
        if published.empty:
            self.stderr.write("Nothing was counted in this period: the report is empty.")

    def members(self, actor, slug, period):
        found = TaskForce.objects.filter(slug=slug).select_related("coordinator").first()
        if found is None:
            raise CommandError(f"There is no task force {slug!r}.")
        # The user acts for the coordinating organization, as if logged in to it.
        if attach_membership(actor, organization_id=found.coordinator_id) is None:
            raise CommandError(
                f"{actor.username!r} is not a member of {found.coordinator}, which coordinates "
                f"{found}."
            )
        try:
            found, membership = access.get_task_force_for_user(actor, found.pk)
        except (Http404, PermissionDenied) as error:
            raise CommandError(str(error)) from None
        return found, membership, member_report(found, period)

    def grant(self, actor, pk, period):
        from thrive.grants.models import Grant

        found = Grant.objects.filter(pk=pk).first()
        if found is None or attach_membership(actor, organization_id=found.organization_id) is None:
            raise CommandError(f"There is no grant {pk} in an organization of {actor.username!r}.")
        try:
            found, membership = access.get_grant_for_report(actor, pk)
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        return found, membership, grant_report(found, period)

    def activity(self, actor, slug, period, name="activity"):
        found = Organization.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"There is no organization {slug!r}.")
        if attach_membership(actor, organization_id=found.pk) is None:
            raise CommandError(
                f"{actor.username!r} is not a member of {found}: an organization's activity "
                "report is run by its own staff."
            )
        try:
            membership = access.require_activity_reader(actor)
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        build = demographics if name == "demographics" else program_activity
        return found, membership, build(found, period)
