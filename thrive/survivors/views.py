import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.accounts.access import (
    membership_of,
    require_audit_reader,
    require_exporter,
    require_person_access,
)
from thrive.audit.models import AuditEvent
from thrive.cases.models import CASE_ROLES, Case
from thrive.lib.htmx import render_page
from thrive.lib.spreadsheets import safe_text
from thrive.outcomes.series import progress_of_cases
from thrive.survivors import actions
from thrive.survivors.access import get_survivor_for_user, survivors_for_user
from thrive.survivors.forms import SurvivorForm

EXPORT_COLUMNS = [
    "record_label",
    "preferred_name",
    "legal_name",
    "date_of_birth",
    "phone",
    "email",
    "primary_language",
    "gender_identity",
    "intake_date",
]


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def survivor_list(request):
    """GET pages through everyone; POST searches. A name typed into a search travels in the
    request body, never the URL, so it stays out of access logs and browser history."""
    membership = require_person_access(request.user)
    term = request.POST.get("q", "") if request.method == "POST" else ""
    survivors, by = survivors_for_user(request.user).search(term)
    page = Paginator(survivors.for_list(), settings.THRIVE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    if by:
        actions.survivor_search(
            membership.organization, actor=request.user, by=by, results=page.paginator.count
        )
    context = {"page": page, "q": term, "searched_by": by}
    return render_page(
        request, "survivors/list.html", context, partial="survivors/partials/results.html"
    )


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def survivor_create(request):
    membership = require_person_access(request.user)
    form = SurvivorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        survivor = actions.survivor_create(
            membership.organization, actor=request.user, data=form.cleaned_data
        )
        messages.success(request, _("Record %(label)s created.") % {"label": survivor.record_label})
        return redirect("survivors:detail", survivor.pk)
    return render(request, "survivors/form.html", {"form": form, "survivor": None})


@login_required
@require_GET
def survivor_detail(request, pk):
    survivor = get_survivor_for_user(request.user, pk)
    actions.survivor_view(survivor, actor=request.user)
    # Hotline advocates see the person but not their cases.
    works_cases = membership_of(request.user).role in CASE_ROLES
    cases = (
        Case.objects.visible_to(request.user)
        .filter(survivor=survivor)
        .select_related("program", "case_manager")
        if works_cases
        else None
    )
    progress = []
    if works_cases:
        cases = list(cases)
        progress = progress_of_cases(cases)
        for entry in progress:
            entry["can_write"] = entry["case"].may_be_written_by(request.user)
    context = {
        "survivor": survivor,
        "works_cases": works_cases,
        "cases": cases,
        "progress": progress,
    }
    return render(request, "survivors/detail.html", context)


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def survivor_edit(request, pk):
    survivor = get_survivor_for_user(request.user, pk, write=True)
    form = SurvivorForm(request.POST or None, instance=survivor)
    if request.method == "POST":
        if form.is_valid():
            actions.survivor_update(survivor, actor=request.user, data=form.cleaned_data)
            messages.success(request, _("Changes saved."))
            return redirect("survivors:detail", survivor.pk)
        # ModelForm validation wrote the rejected values onto the instance: read it afresh.
        survivor = get_survivor_for_user(request.user, pk, write=True)
    else:
        actions.survivor_view(survivor, actor=request.user, detail={"page": "edit"})
    return render(request, "survivors/form.html", {"form": form, "survivor": survivor})


@login_required
@require_GET
def survivor_audit(request, pk):
    require_audit_reader(request.user)
    survivor = get_survivor_for_user(request.user, pk)
    events = AuditEvent.objects.for_object(survivor).select_related("actor")[:500]
    return render(request, "survivors/audit.html", {"survivor": survivor, "events": events})


@sensitive_post_parameters()
@login_required
@require_POST
def survivor_export(request):
    """CSV of the list or of a search, for supervisors and program directors; every row
    audited. POST, like the search, so the searched name stays out of the URL."""
    membership = require_exporter(request.user)
    survivors, _by = survivors_for_user(request.user).search(request.POST.get("q", ""))
    exported = actions.survivors_export(
        membership.organization,
        survivors.order_by("record_number"),
        actor=request.user,
        export_format="csv",
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="survivors-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(EXPORT_COLUMNS)
    for survivor in exported:
        writer.writerow([safe_text(getattr(survivor, column)) for column in EXPORT_COLUMNS])
    return response
