"""Reports over JSON, through the same disclosure control as the pages and the command line.
Each table is `{"title", "columns", "rows": [[label, cell, ...]], "total_row"}`, a hidden cell
the string "<10" (or "<k"), with the disclosure audit alongside. Every run is stored and
audited as a view."""

from datetime import date
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from thrive.accounts.access import require_membership
from thrive.lib.api import READ_ERRORS, ApiTokenAuth
from thrive.reporting import access
from thrive.reporting.actions import report_publish
from thrive.reporting.activity import program_activity
from thrive.reporting.disclosure import Rule
from thrive.reporting.grant import grant_report
from thrive.reporting.members import member_report
from thrive.reporting.periods import PeriodError, parse_period


def _task_force_for_user(user, pk, *, write=False):
    return access.get_task_force_for_user(user, pk)


def _grant_for_user(user, pk, *, write=False):
    return access.get_grant_for_report(user, pk)


router = Router(
    tags=["reports"],
    auth=ApiTokenAuth(
        require=require_membership,
        records={"task_force_id": _task_force_for_user, "grant_id": _grant_for_user},
    ),
)


class TableOut(Schema):
    title: str
    columns: list[str]
    rows: list[list[str | int]]
    total_row: list[str | int] | None


class ReportOut(Schema):
    report: str
    scope_id: int = Field(description="The task force (member report) or organization.")
    period: str
    start: date
    end: date
    empty: bool
    tables: list[TableOut]
    audit: dict[str, Any] | None


def _checked(period, k, exact, membership):
    """(period, rule) or a 400 naming each field that is wrong."""
    errors = {}
    chosen = rule = None
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
    return chosen, rule


def _run(request, name, membership, figures_of, period, rule, exact, task_force=None):
    published = report_publish(
        name,
        figures_of(period),
        actor=request.user,
        organization=membership.organization,
        task_force=task_force,
        period=period,
        rule=rule,
        suppress=not exact,
        export_format="json",
    )
    return {
        "report": name,
        "period": str(period),
        "start": period.start,
        "end": period.end,
        **published.as_json(),
    }


Period = Annotated[
    str, Query(max_length=40, description="2025, FFY2025, SFY2025, 2025-Q3, 2025-07 or A..B")
]
K = Annotated[int, Query(description="Counts below k are hidden; 2 or more.")]


@router.get(
    "/reports/task-forces/{task_force_id}/members",
    response={200: ReportOut, **READ_ERRORS},
    url_name="report_members",
)
def members(request, task_force_id: int, period: Period, k: K = 10, exact: bool = False):
    """The task-force member report, for the coordinating organization's supervisors,
    program directors and data analysts. `exact` (no suppression) only for a role that sees
    people."""
    task_force, membership = access.get_task_force_for_user(request.user, task_force_id)
    chosen, rule = _checked(period, k, exact, membership)
    body = _run(
        request,
        "members",
        membership,
        lambda p: member_report(task_force, p),
        chosen,
        rule,
        exact,
        task_force=task_force,
    )
    return {**body, "scope_id": task_force.pk}


@router.get(
    "/reports/activity",
    response={200: ReportOut, **READ_ERRORS},
    url_name="report_activity",
)
def activity(request, period: Period, k: K = 10, exact: bool = False):
    """The program activity report of the token's organization, for its supervisors,
    program directors and data analysts."""
    membership = access.require_activity_reader(request.user)
    chosen, rule = _checked(period, k, exact, membership)
    organization = membership.organization
    body = _run(
        request,
        "activity",
        membership,
        lambda p: program_activity(organization, p),
        chosen,
        rule,
        exact,
    )
    return {**body, "scope_id": organization.pk}


@router.get(
    "/reports/grants/{grant_id}",
    response={200: ReportOut, **READ_ERRORS},
    url_name="report_grant",
)
def grant(request, grant_id: int, period: Period, k: K = 10, exact: bool = False):
    """The grant report (VOCA performance measures) of one of the organization's grants."""
    found, membership = access.get_grant_for_report(request.user, grant_id)
    chosen, rule = _checked(period, k, exact, membership)
    body = _run(request, "grant", membership, lambda p: grant_report(found, p), chosen, rule, exact)
    return {**body, "scope_id": found.pk}
