"""Report pages: each table with its chart, and the same cells as CSV or XLSX."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from thrive.grants.models import Grant
from thrive.lib.svg import bar_chart
from thrive.reporting import access
from thrive.reporting.actions import member_figures_record, report_publish
from thrive.reporting.activity import demographics, program_activity
from thrive.reporting.forms import MemberFiguresForm, ReportForm, default_period
from thrive.reporting.grant import as_pmt_csv, grant_report
from thrive.reporting.members import member_report
from thrive.reporting.models import MemberFigures
from thrive.reporting.tables import as_csv, as_xlsx

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
@require_GET
def index(request):
    """The reports the user's organization runs."""
    reads = request.user.membership.role in access.AGGREGATE_ROLES
    task_forces = access.task_forces_for_user(request.user).order_by("name")
    return render(
        request,
        "reporting/index.html",
        {
            "reads": reads,
            "task_forces": task_forces if reads else task_forces.none(),
            "grants": Grant.objects.filter(organization=request.user.membership.organization)
            if reads
            else [],
        },
    )


@login_required
@require_GET
def members(request, task_force_id):
    task_force, membership = access.get_task_force_for_user(request.user, task_force_id)
    return _report(
        request,
        membership,
        name="members",
        heading=_("Member report: %(task_force)s") % {"task_force": task_force},
        scope=task_force,
        build=lambda period: member_report(task_force, period),
        task_force=task_force,
    )


@login_required
@require_GET
def activity(request):
    membership = access.require_activity_reader(request.user)
    organization = membership.organization
    return _report(
        request,
        membership,
        name="activity",
        heading=_("Program activity: %(organization)s") % {"organization": organization},
        scope=organization,
        build=lambda period: program_activity(organization, period),
    )


@login_required
@require_GET
def demographics_dashboard(request):
    membership = access.require_activity_reader(request.user)
    organization = membership.organization
    return _report(
        request,
        membership,
        name="demographics",
        heading=_("Demographics: %(organization)s") % {"organization": organization},
        scope=organization,
        build=lambda period: demographics(organization, period),
    )


@login_required
@require_GET
def grant(request, grant_id):
    found, membership = access.get_grant_for_report(request.user, grant_id)
    return _report(
        request,
        membership,
        name="grant",
        heading=_("Grant report: %(grant)s") % {"grant": found},
        scope=found,
        build=lambda period: grant_report(found, period),
        period=f"{found.starts_on.isoformat()}..{found.ends_on.isoformat()}",
        csv=lambda published, period: as_pmt_csv(published, grant=found, period=period),
    )


def _report(
    request, membership, *, name, heading, scope, build, task_force=None, period=None, csv=None
):
    data = {
        "period": period or default_period(timezone.localdate()),
        "k": 10,
        **request.GET.dict(),
    }
    form = ReportForm(data, exact_allowed=access.exact_allowed(membership))
    context = {"heading": heading, "form": form, "published": None, "name": name}
    if form.is_valid():
        period = form.cleaned_data["period"]
        export = request.GET.get("format")
        export = export if export in CONTENT_TYPES else "page"
        published = report_publish(
            name,
            build(period),
            actor=request.user,
            organization=membership.organization,
            task_force=task_force,
            period=period,
            rule=form.rule,
            suppress=form.suppress,
            export_format=export,
        )
        title = f"{scope} · {period}"
        if export != "page":
            if export == "csv":
                text = csv(published, period) if csv else as_csv(published, heading=title)
                content = text.encode("utf-8-sig")
            else:
                content = as_xlsx(published, heading=title)
            response = HttpResponse(content, content_type=CONTENT_TYPES[export])
            slug = getattr(scope, "slug", None) or f"{name}-{scope.pk}"
            response["Content-Disposition"] = (
                f'attachment; filename="{slug}-{name}-{period.start:%Y%m%d}-'
                f'{period.end:%Y%m%d}.{export}"'
            )
            return response
        query = request.GET.copy()
        query.pop("format", None)
        context.update(
            published=published,
            period=period,
            tables=[(table, _chart(table)) for table in published.tables],
            query=query.urlencode(),
            suppressed_label=form.rule.label,
        )
    return render(request, "reporting/report.html", context)


def _chart(table):
    column = table.get("chart_column")
    if column is None:
        return None
    bars = [
        (row[0], cell if isinstance(cell, int) else None, str(cell))
        for row in table["rows"]
        for cell in [row[1 + column]]
    ]
    return bar_chart(bars, title=f"{table['title']}: {table['columns'][column]}", label_width=260)


@login_required
@require_http_methods(["GET", "POST"])
def member_figures(request, task_force_id):
    """Aggregates of members not yet on Thrive, entered by the coordinating organization."""
    task_force, membership = access.get_task_force_for_user(request.user, task_force_id)
    form = MemberFiguresForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = member_figures_record(
                task_force,
                actor=request.user,
                organization=membership.organization,
                data=form.figures_data(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Figures of %(member)s for %(period)s saved.")
                % {"member": entry.organization_name, "period": entry.period_name},
            )
            return redirect("reporting:member_figures", task_force_id=task_force.pk)
    return render(
        request,
        "reporting/member_figures.html",
        {
            "task_force": task_force,
            "form": form,
            "entries": MemberFigures.objects.filter(task_force=task_force).order_by(
                "-period_end", "organization_name"
            ),
        },
    )
