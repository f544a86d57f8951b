from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from thrive.hotline.access import get_contact_for_user
from thrive.screening import actions
from thrive.screening.access import (
    get_screening_for_user,
    identifications_for_user,
    instruments_offered,
    screenings_for_user,
)
from thrive.screening.forms import IdentificationForm, ScreeningForm, add_errors
from thrive.screening.models import Identification, ScreeningInstrument
from thrive.survivors.access import get_survivor_for_user
from thrive.survivors.actions import survivor_view


def _chosen_instrument(request, offered):
    """The posted or asked-for instrument version (any version may be chosen), else the
    newest version of the first instrument offered."""
    wanted = request.POST.get("instrument") or request.GET.get("instrument")
    if wanted and str(wanted).isdigit():
        chosen = ScreeningInstrument.objects.filter(pk=wanted).first()
        if chosen is not None:
            return chosen
    return offered[0] if offered else None


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def screening_new(request, survivor_id):
    survivor = get_survivor_for_user(request.user, survivor_id, write=True)
    contact = _contact_of(request, survivor)
    offered = list(instruments_offered())
    instrument = _chosen_instrument(request, offered)
    if instrument is None:
        return render(request, "screening/new.html", {"survivor": survivor, "form": None})
    data = request.POST if request.method == "POST" else None
    form = ScreeningForm(data, instrument=instrument)
    if form.is_bound and form.is_valid():
        try:
            screening = actions.screening_record(
                survivor,
                actor=request.user,
                instrument=form.cleaned_data["instrument"],
                answers=form.answers(),
                notes=form.cleaned_data["notes"],
                contact=contact,
            )
        except ValidationError as error:
            form.add_answer_errors(error)
        else:
            messages.success(
                request,
                _("Screening recorded: %(result)s.") % {"result": screening.get_result_display()},
            )
            if contact is not None:
                return redirect("hotline:detail", contact.pk)
            return redirect("screening:detail", screening.pk)
    elif not form.is_bound:
        survivor_view(survivor, actor=request.user, detail={"page": "screening_new"})
    context = {
        "survivor": survivor,
        "form": form,
        "instrument": instrument,
        "offered": offered,
        "contact": contact,
    }
    return render(request, "screening/new.html", context)


def _contact_of(request, survivor):
    """The hotline contact the screening is given during (`?contact=<id>`): one of the
    organization's contacts linked to this survivor, or 404."""
    raw = request.GET.get("contact")
    if not raw:
        return None
    contact = get_contact_for_user(request.user, raw)
    if contact.survivor_id != survivor.pk:
        raise Http404
    return contact


@login_required
@require_GET
def screening_detail(request, pk):
    screening = get_screening_for_user(request.user, pk)
    actions.screening_view(screening, actor=request.user)
    context = {"screening": screening, "survivor": screening.survivor}
    return render(request, "screening/detail.html", context)


@login_required
@require_GET
def screening_list(request, survivor_id):
    """A survivor's screenings and identification history, newest first."""
    survivor = get_survivor_for_user(request.user, survivor_id)
    survivor_view(survivor, actor=request.user, detail={"page": "screenings"})
    screenings = (
        screenings_for_user(request.user)
        .filter(survivor=survivor)
        .select_related("instrument", "administered_by")
    )
    identifications = list(
        identifications_for_user(request.user)
        .filter(survivor=survivor)
        .select_related("recorded_by")
    )
    context = {
        "survivor": survivor,
        "screenings": screenings,
        "identifications": identifications,
        "current": identifications[0] if identifications else None,
    }
    return render(request, "screening/list.html", context)


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def identification_new(request, survivor_id):
    survivor = get_survivor_for_user(request.user, survivor_id, write=True)
    instance = Identification(
        organization=survivor.organization, survivor=survivor, recorded_by=request.user
    )
    data = request.POST if request.method == "POST" else None
    form = IdentificationForm(data, instance=instance)
    if form.is_bound and form.is_valid():
        try:
            actions.identification_record(survivor, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Identification recorded."))
            return redirect("screening:list", survivor.pk)
    elif not form.is_bound:
        survivor_view(survivor, actor=request.user, detail={"page": "identify"})
    return render(request, "screening/identify.html", {"survivor": survivor, "form": form})
