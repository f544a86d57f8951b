"""The partner directory's pages (search, an entry, list or change an entry, its beds and
waitlist) and the gaps report. Reads go through thrive.referrals.directory, writes through
`actions.partner_save`; the gaps are computed in thrive.referrals.gaps."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.accounts.access import require_membership
from thrive.audit.actions import audit_record
from thrive.audit.models import AuditEvent
from thrive.cases.forms import add_action_errors
from thrive.referrals import actions, gaps
from thrive.referrals.access import may_see_location
from thrive.referrals.directory import (
    gender_labels,
    get_partner,
    language_labels,
    may_keep,
    may_update_availability,
    partners_for_list,
    population_labels,
    require_availability_keeper,
    require_partner_keeper,
)
from thrive.referrals.forms_directory import AvailabilityForm, DirectorySearchForm, PartnerForm
from thrive.referrals.models import Partner


def _described(partner):
    """Labels the templates show beside the stored codes."""
    partner.language_names = language_labels(partner.languages)
    partner.population_names = population_labels(partner.populations)
    return partner


@login_required
@require_GET
def directory(request):
    """Search the directory by service, county, language, age and trafficking type."""
    membership = require_membership(request.user)
    form = DirectorySearchForm(request.GET)
    found = form.search(partners_for_list())
    page = Paginator(
        found if found is not None else Partner.objects.none(), settings.THRIVE_PAGE_SIZE
    )
    page = page.get_page(request.GET.get("page"))
    for partner in page:
        _described(partner)
    context = {
        "form": form,
        "page": page,
        "may_add": membership.supervises,
        "own_organization_id": membership.organization_id,
    }
    return render(request, "referrals/directory.html", context)


def _partner_page(request, partner, *, availability_form=None):
    context = {
        "partner": _described(partner),
        "gender_names": gender_labels(partner.genders),
        "show_location": may_see_location(request.user, partner),
        "may_keep": may_keep(request.user, partner),
        "may_update_availability": may_update_availability(request.user, partner),
        "availability_form": availability_form
        or AvailabilityForm(
            initial={"beds_available": partner.beds_available, "waitlist": partner.waitlist}
        ),
    }
    return render(request, "referrals/partner.html", context)


@login_required
@require_GET
def partner(request, partner_id):
    return _partner_page(request, get_partner(request.user, partner_id))


@login_required
@require_POST
def partner_availability(request, partner_id):
    """The keeping organization updates beds and waitlist, and when they were updated."""
    entry = get_partner(request.user, partner_id)
    membership = require_availability_keeper(request.user, entry)
    form = AvailabilityForm(request.POST)
    if form.is_valid():
        try:
            actions.partner_save(
                entry,
                actor=request.user,
                organization=membership.organization,
                data=form.cleaned_data,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Availability updated."))
            return redirect("referrals:partner", entry.pk)
    entry = get_partner(request.user, partner_id)  # as stored: nothing was saved
    return _partner_page(request, entry, availability_form=form)


def _partner_form(request, entry, form, *, title):
    context = {
        "form": form,
        "partner": entry,
        "title": title,
        "cancel_url": reverse("referrals:partner", args=[entry.pk])
        if entry.pk
        else reverse("referrals:directory"),
    }
    return render(request, "referrals/partner_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def partner_new(request):
    """List a provider: the organization itself (on Thrive) or an external one it keeps."""
    membership = require_partner_keeper(request.user)
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        own = form.cleaned_data.get("on_thrive")
        if own and Partner.objects.filter(organization=membership.organization).exists():
            form.add_error("on_thrive", _("Your organization already has its entry."))
        else:
            data, chosen = form.data_for_action()
            try:
                entry = actions.partner_save(
                    Partner(organization=membership.organization if own else None),
                    actor=request.user,
                    organization=membership.organization,
                    data=data,
                    service_types=chosen,
                )
            except ValidationError as error:
                add_action_errors(form, _on_form(error))
            else:
                messages.success(request, _("Entry added to the directory."))
                return redirect("referrals:partner", entry.pk)
    return _partner_form(request, Partner(), form, title=_("Add to the directory"))


@login_required
@require_http_methods(["GET", "POST"])
def partner_edit(request, partner_id):
    entry = get_partner(request.user, partner_id)
    membership = require_partner_keeper(request.user, entry)
    form = PartnerForm(request.POST or None, partner=entry)
    if request.method == "POST" and form.is_valid():
        data, chosen = form.data_for_action()
        try:
            actions.partner_save(
                entry,
                actor=request.user,
                organization=membership.organization,
                data=data,
                service_types=chosen,
            )
        except ValidationError as error:
            add_action_errors(form, _on_form(error))
        else:
            messages.success(request, _("Entry saved."))
            return redirect("referrals:partner", entry.pk)
    return _partner_form(request, entry, form, title=_("Change %(name)s") % {"name": entry.name})


def _on_form(error):
    """The entry's own organization is the form's `on_thrive` box."""
    if hasattr(error, "error_dict") and "organization" in error.error_dict:
        moved = dict(error.error_dict)
        moved["on_thrive"] = moved.pop("organization")
        return ValidationError(moved)
    return error


@login_required
@require_GET
def gaps_report(request):
    """Unmet need against the directory's supply, and how partners answer referrals."""
    membership = gaps.require_gaps_reader(request.user)
    form = gaps.PeriodForm.with_defaults(request.GET)
    context = {"form": form, "figures": None}
    if form.is_valid():
        start, end = form.period()
        figures = gaps.gaps_of(membership.organization, start=start, end=end)
        audit_record(
            membership.organization,
            actor=request.user,
            organization=membership.organization,
            action=AuditEvent.Action.VIEW,
            detail={"report": "referral_gaps", "start": start.isoformat(), "end": end.isoformat()},
        )
        shown = gaps.displayed(figures)
        context.update(
            figures=figures,
            shown=shown,
            charts=gaps.charts(shown),
            start=start,
            end=end,
            organization=membership.organization,
            small_cell=gaps.SMALL_CELL,
            small_cell_max=gaps.SMALL_CELL - 1,
        )
    return render(request, "referrals/gaps.html", context)
