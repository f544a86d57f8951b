"""Report pages: the table and its chart, and the same cells as CSV or XLSX."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from thrive.lib.svg import bar_chart
from thrive.reporting import access
from thrive.reporting.actions import report_run_record
from thrive.reporting.forms import ReportForm, default_period
from thrive.reporting.members import member_report
from thrive.reporting.tables import as_csv, as_xlsx, publish

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
@require_GET
def index(request):
    """The reports the user's organization runs."""
    task_forces = access.task_forces_for_user(request.user).order_by("name")
    if request.user.membership.role not in access.AGGREGATE_ROLES:
        task_forces = task_forces.none()
    return render(request, "reporting/index.html", {"task_forces": task_forces})


@login_required
@require_GET
def members(request, task_force_id):
    task_force, membership = access.get_task_force_for_user(request.user, task_force_id)
    data = {"period": default_period(timezone.localdate()), "k": 10, **request.GET.dict()}
    form = ReportForm(data, exact_allowed=access.exact_allowed(membership))
    context = {"task_force": task_force, "form": form, "published": None}
    if form.is_valid():
        period = form.cleaned_data["period"]
        published = publish(
            member_report(task_force, period), rule=form.rule, suppress=form.suppress
        )
        export = request.GET.get("format")
        export = export if export in CONTENT_TYPES else "page"
        report_run_record(
            "members",
            actor=request.user,
            organization=membership.organization,
            task_force=task_force,
            period=period,
            published=published,
            export_format=export,
            rule=form.rule,
        )
        heading = f"{task_force} · {period}"
        if export != "page":
            content = (
                as_csv(published, heading=heading).encode("utf-8-sig")
                if export == "csv"
                else as_xlsx(published, heading=heading)
            )
            response = HttpResponse(content, content_type=CONTENT_TYPES[export])
            response["Content-Disposition"] = (
                f'attachment; filename="{task_force.slug}-members-{period.start:%Y%m%d}-'
                f'{period.end:%Y%m%d}.{export}"'
            )
            return response
        query = request.GET.copy()
        query.pop("format", None)
        context.update(
            published=published,
            period=period,
            table=published.tables[0],
            chart=_served_chart(published.tables[0]),
            query=query.urlencode(),
            suppressed_label=form.rule.label,
        )
    return render(request, "reporting/members.html", context)


def _served_chart(table):
    bars = [
        (row[0], row[1] if isinstance(row[1], int) else None, str(row[1])) for row in table["rows"]
    ]
    return bar_chart(bars, title=_("Survivors served, by member organization"), label_width=260)
