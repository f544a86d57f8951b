"""Crisis-line pages: the contact entry screen (autosaved drafts), the contact page with
"who is this?", dispatch, the emergency response with its immediate needs, the hotline board
and the on-call roster.

Reads go through access.py, writes through actions.py. Everything works as a plain POST and
redirect; htmx only adds the draft autosave.
"""

import datetime
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.accounts.access import require_person_access
from thrive.accounts.models import Role
from thrive.audit.actions import audit_record
from thrive.audit.models import AuditEvent
from thrive.cases.forms import add_action_errors
from thrive.hotline import actions, reports
from thrive.hotline.access import (
    contacts_for_user,
    get_contact_for_user,
    get_draft_for_user,
    get_response_for_user,
    responders_for_user,
    services_of_response,
    shifts_for_user,
)
from thrive.hotline.forms import (
    NEED_CODES,
    ContactForm,
    DispatchForm,
    NeedsForm,
    ShiftForm,
    SurvivorFromContactForm,
    SurvivorSearchForm,
)
from thrive.hotline.models import Channel, Contact, EmergencyResponse, OnCallShift, Reason
from thrive.services.actions import service_record
from thrive.services.models import ServiceType
from thrive.survivors.access import get_survivor_for_user
from thrive.survivors.actions import survivor_search
from thrive.survivors.models import Survivor

BOARD_CONTACTS = 100
BOARD_RESPONSES = 100
BOARD_WINDOW = datetime.timedelta(hours=24)
ROSTER_DAYS = 7
SHIFT_MANAGERS = (Role.SUPERVISOR, Role.PROGRAM_DIRECTOR)


def _posted(request):
    return request.POST if request.method == "POST" else None


def elapsed_label(delta):
    minutes = max(int(delta.total_seconds() // 60), 0)
    return _("%(hours)d h %(minutes)02d min") % {"hours": minutes // 60, "minutes": minutes % 60}


# Entry ------------------------------------------------------------------------------------


def _entry_page(request, form, *, draft=None):
    drafts = contacts_for_user(request.user).drafts_of(request.user).order_by("-updated_at")[:20]
    return render(request, "hotline/entry.html", {"form": form, "drafts": drafts, "draft": draft})


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def contact_new(request):
    membership = require_person_access(request.user)
    if request.method == "GET":
        return _entry_page(request, ContactForm(initial=ContactForm.initial_for(key=uuid.uuid4())))
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            contact, created = actions.contact_log(
                membership.organization,
                actor=request.user,
                key=form.cleaned_data["key"],
                data=form.contact_data(),
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            if created:
                messages.success(request, _("Contact %(label)s logged.") % {"label": contact.label})
            return redirect("hotline:detail", contact.pk)
    return _entry_page(request, form)


@sensitive_post_parameters()
@login_required
@require_POST
def contact_autosave(request):
    """Save whatever parses of the form as the advocate's draft; a bad value waits."""
    membership = require_person_access(request.user)
    form = ContactForm(request.POST)
    form.is_valid()
    key = form.cleaned_data.get("key")
    if key is None:
        return HttpResponseBadRequest(_("This form has no key: reload the page."))
    contact = actions.contact_draft_save(
        membership.organization, actor=request.user, key=key, data=form.contact_data()
    )
    return render(
        request,
        "hotline/partials/autosave_status.html",
        {"contact": contact, "saved_at": timezone.localtime()},
    )


@login_required
@require_GET
def contact_resume(request, pk):
    draft = get_draft_for_user(request.user, pk)
    form = ContactForm(initial=ContactForm.initial_for(draft))
    return _entry_page(request, form, draft=draft)


# The contact ------------------------------------------------------------------------------


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def contact_detail(request, pk):
    """The contact; a POST searches for the survivor (a name never travels in a URL)."""
    contact = get_contact_for_user(request.user, pk)
    if contact.status != Contact.Status.LOGGED:
        if contact.handled_by_id == request.user.pk:
            return redirect("hotline:resume", contact.pk)
        raise PermissionDenied(_("This contact is still being written."))
    actions.contact_view(contact, actor=request.user)
    search_form, matches = SurvivorSearchForm(), None
    if request.method == "POST":
        search_form = SurvivorSearchForm(request.POST)
        if search_form.is_valid():
            found, by = Survivor.objects.visible_to(request.user).search(
                search_form.cleaned_data["q"]
            )
            matches = list(found.for_list().distinct()[:20])
            survivor_search(contact.organization, actor=request.user, by=by, results=len(matches))
    return render(
        request, "hotline/detail.html", _detail_context(request, contact, search_form, matches)
    )


def _detail_context(request, contact, search_form, matches):
    earlier = 0
    if contact.caller_phone:
        earlier = (
            Contact.objects.visible_to(request.user)
            .logged()
            .from_phone(contact.caller_phone)
            .exclude(pk=contact.pk)
            .count()
        )
    response = EmergencyResponse.objects.filter(contact=contact).only("pk").first()
    return {
        "contact": contact,
        "earlier_contacts": earlier,
        "search_form": search_form,
        "matches": matches,
        "response": response,
    }


@login_required
@require_POST
def contact_link(request, pk):
    contact = get_contact_for_user(request.user, pk)
    survivor = get_survivor_for_user(request.user, request.POST.get("survivor"))
    try:
        actions.contact_link_survivor(contact, actor=request.user, survivor=survivor)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Contact linked to %(record)s.") % {"record": survivor.record_label}
        )
    return redirect("hotline:detail", contact.pk)


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def contact_create_survivor(request, pk):
    contact = get_contact_for_user(request.user, pk)
    form = SurvivorFromContactForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            survivor = actions.contact_create_survivor(
                contact, actor=request.user, data=form.survivor_data()
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, _("Survivor %(record)s created.") % {"record": survivor.record_label}
            )
            return redirect("hotline:detail", contact.pk)
    return render(request, "hotline/create_survivor.html", {"contact": contact, "form": form})


# Emergency response -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def dispatch(request, pk):
    contact = get_contact_for_user(request.user, pk)
    existing = EmergencyResponse.objects.filter(contact=contact).only("pk").first()
    if existing is not None:
        return redirect("hotline:response", existing.pk)
    queue = actions.queue_for(contact.survivor) if contact.survivor_id else None
    shifts = list(actions.on_call(contact.organization, queue)) if queue else []
    form = DispatchForm(_posted(request), on_call=shifts, others=responders_for_user(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            response = actions.response_dispatch(
                contact, actor=request.user, responder=form.chosen()
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Response dispatched."))
            return redirect("hotline:response", response.pk)
    context = {
        "contact": contact,
        "form": form,
        "queue": queue,
        "queue_label": OnCallShift.Queue(queue).label if queue else "",
        "shifts": shifts,
    }
    return render(request, "hotline/dispatch.html", context)


def _may_record_needs(user, response):
    return response.is_open and response.case.may_be_written_by(user)


@login_required
@require_http_methods(["GET", "POST"])
def response_detail(request, response_id):
    response = get_response_for_user(request.user, response_id)
    types = list(ServiceType.objects.filter(code__in=NEED_CODES, is_active=True))
    types.sort(key=lambda t: NEED_CODES.index(t.code))
    may_record = _may_record_needs(request.user, response)
    form = NeedsForm(_posted(request), types=types)
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied(
                _("Only the responder, the case team and supervisors record what was given.")
            )
        if form.is_valid() and _record_needs(request, response, form):
            messages.success(request, _("Immediate needs recorded."))
            return redirect("hotline:response", response.pk)
    else:
        audit_record(
            response,
            actor=request.user,
            organization=response.organization,
            action=AuditEvent.Action.VIEW,
        )
    context = {
        "response": response,
        "contact": response.contact,
        "elapsed": elapsed_label(response.elapsed()),
        "form": form,
        "may_record": may_record,
        "services": services_of_response(request.user, response),
    }
    return render(request, "hotline/response.html", context)


def _record_needs(request, response, form):
    """All the needs in one transaction: one refused row saves none of them."""
    try:
        with transaction.atomic():
            for field, service_type, quantity in form.rows():
                try:
                    service_record(
                        response.case,
                        actor=request.user,
                        data={
                            "service_type": service_type,
                            "quantity": quantity,
                            "unit": service_type.units[0],
                            "delivered_on": timezone.localdate(),
                            "status": "delivered",
                            "provided_by": "staff",
                            "staff_member": request.user,
                        },
                    )
                except ValidationError as error:
                    form.add_error(field, error.messages)
                    raise
    except ValidationError:
        return False
    return True


@login_required
@require_POST
def response_mark(request, response_id):
    response = get_response_for_user(request.user, response_id)
    step = request.POST.get("step")
    if step not in actions.RESPONSE_STEPS:
        return HttpResponseBadRequest(_("Unknown step."))
    try:
        actions.response_mark(response, actor=request.user, step=step)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("hotline:response", response.pk)


# Board and roster -------------------------------------------------------------------------


@login_required
@require_GET
def board(request):
    require_person_access(request.user)
    now = timezone.now()
    contacts = (
        contacts_for_user(request.user)
        .logged()
        .filter(
            Q(received_at__gte=now - BOARD_WINDOW)
            | Q(follow_up_needed=True, follow_up_due__lte=timezone.localdate())
        )
        .select_related("handled_by")
        .defer("summary", "caller_phone")
        .order_by("-received_at", "-pk")[:BOARD_CONTACTS]
    )
    responses = (
        EmergencyResponse.objects.filter(organization_id=request.user.membership.organization_id)
        .exclude(status=EmergencyResponse.Status.CLOSED)
        .select_related("responder", "contact")
        .only(
            "pk",
            "queue",
            "status",
            "dispatched_at",
            "contact__id",
            "responder__username",
            "responder__first_name",
            "responder__last_name",
        )
        .order_by("dispatched_at")[:BOARD_RESPONSES]
    )
    on_call_now = (
        shifts_for_user(request.user)
        .filter(starts_at__lte=now, ends_at__gt=now)
        .select_related("responder")
        .order_by("queue", "starts_at")
    )
    context = {
        "contacts": contacts,
        "responses": [(r, elapsed_label(now - r.dispatched_at)) for r in responses],
        "on_call_now": on_call_now,
        "today": timezone.localdate(),
    }
    return render(request, "hotline/board.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def roster(request):
    membership = require_person_access(request.user)
    manages = membership.role in SHIFT_MANAGERS
    form = ShiftForm(_posted(request), responders=responders_for_user(request.user))
    if request.method == "POST":
        if not manages:
            raise PermissionDenied(_("Only supervisors and program directors change the roster."))
        if form.is_valid():
            _shift_add(membership.organization, request.user, form.cleaned_data)
            messages.success(request, _("Shift added."))
            return redirect("hotline:roster")
    now = timezone.now()
    shifts = (
        shifts_for_user(request.user)
        .filter(ends_at__gt=now, starts_at__lt=now + datetime.timedelta(days=ROSTER_DAYS))
        .select_related("responder")
        .order_by("starts_at", "queue")
    )
    return render(
        request,
        "hotline/roster.html",
        {"shifts": shifts, "form": form, "manages": manages, "now": now},
    )


@transaction.atomic
def _shift_add(organization, actor, data):
    # No survivor data: a roster entry. (An audited actions.shift_add would be the home.)
    shift = OnCallShift(organization=organization, **data)
    shift.full_clean()
    shift.save()
    audit_record(
        shift,
        actor=actor,
        organization=organization,
        action=AuditEvent.Action.CREATE,
        changed_fields=["responder", "queue", "starts_at", "ends_at"],
    )
    return shift


@login_required
@require_GET
def response_times(request):
    """Month by month: contacts by channel and reason, and how fast responses went out and
    reached the survivor, youth and adult. Counts only, never a person; supervisors and
    program directors (small counts are not yet suppressed for a wider audience)."""
    membership = require_person_access(request.user)
    if not membership.supervises:
        raise PermissionDenied(_("Only supervisors and program directors see response times."))
    rows = reports.response_times(membership.organization)
    for row in rows:
        row["channel_counts"] = [row["by_channel"].get(code, 0) for code in Channel.values]
        row["reason_counts"] = [row["by_reason"].get(code, 0) for code in Reason.values]
    context = {
        "rows": rows,
        "channels": Channel.choices,
        "reasons": Reason.choices,
    }
    return render(request, "hotline/response_times.html", context)
