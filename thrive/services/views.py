from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from thrive.cases.access import get_case_for_user, require_case_access
from thrive.cases.actions import case_view
from thrive.lib.locking import EditConflict, describe_conflict
from thrive.services import actions
from thrive.services.access import get_service_for_user, grants_for_service
from thrive.services.forms import (
    ServiceEditForm,
    ServiceForm,
    add_errors,
    as_date,
    as_int,
    default_unit,
    grant_label,
    type_mapping,
    unit_choices,
)
from thrive.services.models import Service, ServiceCategory, ServiceType, Unit


def case_url(case):
    """The case page; the survivor's page until the case pages exist."""
    try:
        return reverse("cases:detail", args=[case.pk])
    except NoReverseMatch:
        return reverse("survivors:detail", args=[case.survivor_id])


@login_required
@require_http_methods(["GET", "POST"])
def service_record(request, case_id):
    case = get_case_for_user(request.user, case_id, write=True)
    service = Service(
        organization=case.organization,
        case=case,
        survivor_id=case.survivor_id,
        recorded_by=request.user,
        staff_member=request.user,
    )
    data = request.POST if request.method == "POST" else None
    form = ServiceForm(data, instance=service, case=case, user=request.user)
    if form.is_bound and form.is_valid():
        try:
            service = actions.service_record(case, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(service)s recorded for %(case)s.")
                % {"service": service.service_type.label, "case": case.label},
            )
            return redirect(case_url(case))
    elif not form.is_bound:
        case_view(case, actor=request.user, detail={"page": "service_new"})
    context = {"form": form, "case": case, "service": None, "cancel_url": case_url(case)}
    return render(request, "services/form.html", context)


@login_required
@require_GET
def service_detail(request, pk):
    service = get_service_for_user(request.user, pk)
    case_view(service.case, actor=request.user, detail={"service": service.pk})
    context = {
        "service": service,
        "case": service.case,
        "case_url": case_url(service.case),
        "mapping": type_mapping(service.service_type),
        "may_edit": service.case.may_be_written_by(request.user),
    }
    return render(request, "services/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request, pk):
    service = get_service_for_user(request.user, pk, write=True)
    case = service.case
    data = request.POST if request.method == "POST" else None
    form = ServiceEditForm(data, instance=service, case=case, user=request.user)
    conflict = None
    if form.is_bound and form.is_valid():
        try:
            changed = actions.service_update(
                service,
                actor=request.user,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict as edit_conflict:
            form, conflict = _conflict(edit_conflict, form)
        except ValidationError as error:
            add_errors(form, error)
        else:
            if changed:
                messages.success(request, _("Changes saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("services:detail", service.pk)
    elif not form.is_bound:
        case_view(case, actor=request.user, detail={"service": service.pk, "page": "edit"})
    # Form validation wrote the submitted values onto the instance: show the stored one.
    service = get_service_for_user(request.user, pk)
    context = {
        "form": form,
        "case": case,
        "service": service,
        "conflict": conflict,
        "cancel_url": reverse("services:detail", args=[service.pk]),
    }
    return render(request, "services/form.html", context)


def _conflict(edit_conflict, form):
    """What someone else saved since the editor opened the form, and the form again with the
    editor's values and the current version: saving again, after reading, is deliberate."""
    data = form.data.copy()
    data[form.add_prefix("version")] = edit_conflict.current.version
    fresh = type(form)(data, instance=edit_conflict.current, case=form.case, user=form.user)
    return fresh, describe_conflict(edit_conflict, form.service_data())


@login_required
@require_GET
def service_units(request):
    """The unit options of a service type (htmx), and what the type counts as."""
    require_case_access(request.user)
    type_id = as_int(request.GET.get("service_type"))
    service_type = ServiceType.objects.filter(pk=type_id).first() if type_id else None
    # A unit the newly chosen type is not counted in is dropped, not carried over.
    unit = request.GET.get("unit", "")
    allowed = service_type.units if service_type else Unit.values
    selected = default_unit(service_type, unit if unit in allowed else "")
    context = {
        "units": unit_choices(service_type, selected),
        "selected": selected,
        "mapping": type_mapping(service_type),
    }
    return render(request, "services/partials/unit_options.html", context)


@login_required
@require_GET
def service_grant_options(request):
    """The grants that can pay for a service of the chosen type on the chosen day (htmx)."""
    require_case_access(request.user)
    day = as_date(request.GET.get("delivered_on")) or timezone.localdate()
    grants = grants_for_service(request.user, day, as_int(request.GET.get("service_type")))
    choices = [(grant.pk, grant_label(grant)) for grant in grants]
    context = {"choices": choices, "selected": as_int(request.GET.get("grant"))}
    return render(request, "services/partials/grant_options.html", context)


@login_required
@require_GET
def service_taxonomy(request):
    require_case_access(request.user)
    categories = ServiceCategory.objects.prefetch_related(
        Prefetch("types", queryset=ServiceType.objects.order_by("order"))
    )
    taxonomy = [(c, [type_mapping(t) for t in c.types.all()]) for c in categories]
    return render(request, "services/taxonomy.html", {"taxonomy": taxonomy})
