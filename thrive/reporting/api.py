"""Reports over JSON, through the same disclosure control as the pages and the command line.
Each table is `{"title", "columns", "rows": [[label, cell, ...]], "total_row"}`, a hidden cell
the string "<10" (or "<k"), with the disclosure audit alongside. Every run is stored and
audited as a view."""

from datetime import date
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from thrive.accounts.access import require_membership
from thrive.lib.api import READ_ERRORS, ApiTokenAuth
from thrive.reporting import access
from thrive.reporting.actions import report_run_record
from thrive.reporting.disclosure import Rule
from thrive.reporting.members import member_report
from thrive.reporting.periods import PeriodError, parse_period
from thrive.reporting.tables import publish


def _task_force_for_user(user, pk, *, write=False):
    return access.get_task_force_for_user(user, pk)


router = Router(
    tags=["reports"],
    auth=ApiTokenAuth(require=require_membership, records={"task_force_id": _task_force_for_user}),
)


class TableOut(Schema):
    title: str
    columns: list[str]
    rows: list[list[str | int]]
    total_row: list[str | int] | None


class ReportOut(Schema):
    report: str
    task_force_id: int
    period: str
    start: date
    end: date
    empty: bool
    tables: list[TableOut]
    audit: dict[str, Any] | None


@router.get(
    "/reports/task-forces/{task_force_id}/members",
    response={200: ReportOut, **READ_ERRORS},
    url_name="report_members",
)
def members(
    request,
    task_force_id: int,
    period: Annotated[
        str, Query(max_length=40, description="2025, FFY2025, SFY2025, 2025-Q3, 2025-07 or A..B")
    ],
    k: Annotated[int, Query(description="Counts below k are hidden; 2 or more.")] = 10,
    exact: bool = False,
):
    """The task-force member report, for the coordinating organization's supervisors,
    program directors and data analysts. `exact` (no suppression) only for a role that sees
    people."""
    task_force, membership = access.get_task_force_for_user(request.user, task_force_id)
    errors = {}
    try:
        chosen = parse_period(period)
    except PeriodError as error:
        errors["period"] = [str(error)]
    try:
        rule = Rule(k=k)
    except ValueError as error:
        errors["k"] = [str(error)]
    if exact and not access.exact_allowed(membership):
        errors["exact"] = [_("Exact figures are only for roles that see people.")]
    if errors:
        raise ValidationError(errors)
    published = publish(member_report(task_force, chosen), rule=rule, suppress=not exact)
    report_run_record(
        "members",
        actor=request.user,
        organization=membership.organization,
        task_force=task_force,
        period=chosen,
        published=published,
        export_format="json",
        rule=rule,
    )
    return {
        "report": "members",
        "task_force_id": task_force.pk,
        "period": str(chosen),
        "start": chosen.start,
        "end": chosen.end,
        **published.as_json(),
    }
