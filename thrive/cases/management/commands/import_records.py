"""Import survivors, cases and services from CSV or XLSX files in the template of
docs/import.md. All or nothing; a file imported twice creates nothing twice.

    manage.py import_records --organization harbor-light records.xlsx
    manage.py import_records --organization harbor-light survivors.csv cases.csv services.csv
    manage.py import_records --organization harbor-light --check services.csv
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from thrive.accounts.models import Membership, Organization, Role
from thrive.cases.imports import KINDS, import_files
from thrive.cases.models import CASE_ROLES

# Errors listed in full up to this many; a file with more is wrong throughout.
LISTED_ERRORS = 1000


class Command(BaseCommand):
    help = (
        "Import survivors, cases and services from CSV or XLSX files (docs/import.md). "
        "Every row is checked first: one bad row and nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="CSV or XLSX files")
        parser.add_argument("--organization", required=True, metavar="SLUG")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="the staff member the records are recorded by: a case manager, supervisor "
            "or program director of the organization (default: its longest-standing "
            "program director, else supervisor)",
        )
        parser.add_argument(
            "--kind",
            choices=KINDS,
            help="what the CSV files hold (default: recognised from each header)",
        )
        parser.add_argument(
            "--check", action="store_true", help="check every row and import nothing"
        )

    def handle(self, *args, files, organization, user, kind, check, **options):
        slug, organization = organization, Organization.objects.filter(slug=organization).first()
        if organization is None:
            raise CommandError(f"No organization has the short name {slug!r}.")
        actor = self.actor(organization, user)
        contents = []
        for name in files:
            try:
                contents.append((Path(name).name, Path(name).read_bytes()))
            except OSError as error:
                raise CommandError(f"{name}: {error.strerror}") from None
        result = import_files(organization, contents, actor=actor, commit=not check, kind=kind)
        if result.errors:
            lines = [str(error) for error in result.errors[:LISTED_ERRORS]]
            if len(result.errors) > LISTED_ERRORS:
                lines.append(
                    _("… and %(count)s more.") % {"count": len(result.errors) - LISTED_ERRORS}
                )
            heading = ngettext(
                "Nothing was imported: %(count)s problem.",
                "Nothing was imported: %(count)s problems.",
                len(result.errors),
            ) % {"count": len(result.errors)}
            raise CommandError("\n".join([heading, *lines]))
        for line in result.summary_lines():
            self.stdout.write(line)
        for sheet in result.ignored_sheets:
            self.stdout.write(
                _("Not read (not a sheet of the template): %(sheet)s") % {"sheet": sheet}
            )
        if check:
            self.stdout.write(_("Checked: no problems. Nothing was imported (--check)."))
        else:
            self.stdout.write(self.style.SUCCESS(_("Imported as %(user)s.") % {"user": actor}))

    def actor(self, organization, username):
        members = Membership.objects.filter(organization=organization, role__in=CASE_ROLES)
        if username:
            membership = members.filter(user__username=username).select_related("user").first()
            if membership is None:
                raise CommandError(
                    f"{username!r} is not a case manager, supervisor or program director of "
                    f"{organization.slug}."
                )
            return membership.user
        for role in (Role.PROGRAM_DIRECTOR, Role.SUPERVISOR):
            membership = (
                members.filter(role=role)
                .select_related("user")
                .order_by("created_at", "pk")
                .first()
            )
            if membership is not None:
                return membership.user
        raise CommandError(
            f"{organization.slug} has no program director or supervisor: name the staff member "
            "to record the import under with --user USERNAME."
        )
