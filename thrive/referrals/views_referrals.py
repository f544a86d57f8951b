"""Consent and referral pages: a survivor's consents (record, revoke, print), referrals from a
case (draft, send, withdraw, print for an external partner), the sending organization's
outbox and the receiving organization's inbox, and the recipient's view of one referral.

A referral has two pages. The sender's (`referral`) shows everything and its history; the
recipient's (`received`) shows the packet and the request only, read through
access.get_received_referral, which never loads the case or the survivor. Each answers 404 to
the other side. Every page that shows a referral or a consent is an audit event.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.audit.actions import audit_record
from thrive.audit.models import AuditEvent
from thrive.cases.access import get_case_for_user, require_case_access
from thrive.cases.forms import add_action_errors
from thrive.cases.models import Case, Program
from thrive.outcomes.models import Domain
from thrive.referrals import actions
from thrive.referrals.access import (
    consents_of,
    get_consent_for_user,
    get_received_referral,
    get_sent_referral,
    referrals_received,
    referrals_sent,
)
from thrive.referrals.forms_referrals import (
    ConsentForm,
    PartnerPickForm,
    RecipientMoveForm,
    ReferralForm,
    RevokeForm,
    StatusFilterForm,
    WithdrawForm,
)
from thrive.referrals.models import Category, Consent, Referral
from thrive.referrals.packets import CONTACT_FIELDS, IDENTITY_FIELDS
from thrive.services.models import ServiceType
from thrive.survivors.access import get_survivor_for_user
from thrive.survivors.actions import survivor_view
from thrive.survivors.models import Survivor

PRINT_LANGUAGES = ("en", "es")
# A printed referral hands the packet to an external partner: sharing, so only while the
# referral is live (and, below, while its consent still allows it).
PRINTABLE = (
    Referral.Status.SENT,
    Referral.Status.ACKNOWLEDGED,
    Referral.Status.ACCEPTED,
    Referral.Status.STARTED,
)
SERVICES_ONLY = Prefetch(
    "service_types", queryset=ServiceType.objects.only("pk", "name", "name_es")
)


def _viewed(obj, request, membership, page):
    """A page showing a consent or a referral: an audit event naming the page, no person."""
    audit_record(
        obj,
        actor=request.user,
        organization=membership.organization,
        action=AuditEvent.Action.VIEW,
        detail={"page": page},
    )


def consent_state(consent, today):
    if consent.revoked_at is not None:
        return "revoked", _("Revoked")
    if consent.expires_on < today:
        return "expired", _("Expired")
    if consent.signed_on > today:
        return "pending", _("Not yet in force")
    return "in_force", _("In force")


# Consents ---------------------------------------------------------------------------------


@login_required
@require_GET
def consents(request, survivor_id):
    """A survivor's consents, in force first in the eye: status, recipients, what and why."""
    membership = require_case_access(request.user)
    survivor = get_survivor_for_user(request.user, survivor_id)
    listed = list(consents_of(request.user, survivor).select_related("revoked_by"))
    today = timezone.localdate()
    for consent in listed:
        consent.state, consent.state_label = consent_state(consent, today)
        consent.category_labels = [Category(c).label for c in consent.categories]
        consent.purpose_labels = [Consent.Purpose(p).label for p in consent.purposes]
    survivor_view(survivor, actor=request.user, detail={"page": "consents"})
    context = {"survivor": survivor, "consents": listed, "membership": membership}
    return render(request, "referrals/consents.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def consent_new(request, survivor_id):
    require_case_access(request.user)
    survivor = get_survivor_for_user(request.user, survivor_id)
    form = ConsentForm(request.POST or None, initial={"signed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data, recipients = form.action_data()
        try:
            actions.consent_record(survivor, actor=request.user, data=data, recipients=recipients)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("referrals:consents", survivor.pk)
    elif request.method == "GET":
        survivor_view(survivor, actor=request.user, detail={"page": "consent_new"})
    context = {
        "form": form,
        "title": _("Record a consent for %(name)s") % {"name": survivor.display_name},
        "subtitle": survivor.record_label,
        "intro": _(
            "Record what the survivor agreed to: with whom, for what, which information and "
            "until when. She may revoke it at any time."
        ),
        "submit_label": _("Record the consent"),
        "cancel_url": reverse("referrals:consents", args=[survivor.pk]),
    }
    return render(request, "referrals/consent_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def consent_revoke(request, consent_id):
    consent = get_consent_for_user(request.user, consent_id)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.consent_revoke(consent, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Consent revoked: nothing more is shared under it."))
            return redirect("referrals:consents", consent.survivor_id)
    membership = require_case_access(request.user)
    _viewed(consent, request, membership, "consent_revoke")
    context = {
        "form": form,
        "title": _("Revoke a consent of %(name)s") % {"name": consent.survivor.display_name},
        "subtitle": consent.survivor.record_label,
        "intro": _(
            "Nothing more will be shared under this consent. What a partner already received "
            "stays with them, as the law allows."
        ),
        "submit_label": _("Revoke the consent"),
        "cancel_url": reverse("referrals:consents", args=[consent.survivor_id]),
    }
    return render(request, "referrals/consent_form.html", context)


@login_required
@require_GET
def consent_print(request, consent_id):
    """The consent as a form to print and sign, in English or Spanish (?lang=es)."""
    consent = get_consent_for_user(request.user, consent_id)
    membership = require_case_access(request.user)
    language = request.GET.get("lang")
    if language not in PRINT_LANGUAGES:
        language = (translation.get_language() or "en")[:2]
        language = language if language in PRINT_LANGUAGES else "en"
    _viewed(consent, request, membership, "consent_print")
    with translation.override(language):
        context = {
            "consent": consent,
            "language": language,
            "recipients": list(consent.recipients.all()),
            "purposes": [Consent.Purpose(p).label for p in consent.purposes],
            "categories": [Category(c).label for c in consent.categories],
            "all_categories": Category.choices,
            "method": Consent.Method(consent.method).label,
        }
        response = render(request, "referrals/consent_print.html", context)
        response["Content-Language"] = language
    return response


# Sending a referral -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request, case_id):
    """Two steps on one address: choose the partner, then what to ask of it and share."""
    membership = require_case_access(request.user)
    case = get_case_for_user(request.user, case_id, write=True)
    chosen = request.POST.get("partner") or request.GET.get("partner")
    pick = PartnerPickForm({"partner": chosen} if chosen else None, organization=case.organization)
    context = {
        "case": case,
        "title": _("Refer %(name)s") % {"name": case.survivor.display_name},
        "cancel_url": reverse("cases:detail", args=[case.pk]),
    }
    if not pick.is_valid():
        if request.method == "GET":
            _case_viewed(case, request, membership)
        return render(request, "referrals/referral_form.html", {**context, "pick": pick})
    partner = pick.cleaned_data["partner"]
    form = ReferralForm(
        request.POST if request.method == "POST" else None,
        case=case,
        partner=partner,
        initial={"urgency": Referral.Urgency.ROUTINE},
    )
    if request.method == "POST" and form.is_valid():
        data, service_types = form.action_data()
        try:
            referral = actions.referral_create(
                case, actor=request.user, data=data, service_types=service_types
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Referral saved as a draft: check it, then send it."))
            return redirect("referrals:referral", referral.pk)
    elif request.method == "GET":
        _case_viewed(case, request, membership)
    context.update(
        {
            "form": form,
            "partner": partner,
            "change_url": reverse("referrals:referral_new", args=[case.pk]),
            "consent_url": reverse("referrals:consent_new", args=[case.survivor_id]),
        }
    )
    return render(request, "referrals/referral_form.html", context)


def _case_viewed(case, request, membership):
    audit_record(
        case,
        actor=request.user,
        organization=membership.organization,
        action=AuditEvent.Action.VIEW,
        detail={"page": "referral_new"},
    )


def _sender_context(referral, membership, **extra):
    events = list(referral.events.select_related("actor", "organization"))
    for event in events:
        event.status_label = Referral.Status(event.to_status).label
    consent = referral.consent
    if consent is not None:
        consent.state, consent.state_label = consent_state(consent, timezone.localdate())
    packet = actions.packet_of(referral)
    return {
        "referral": referral,
        "services": list(referral.service_types.all()),
        "categories": [Category(c).label for c in referral.categories],
        "events": events,
        "consent": consent,
        "packet": packet_sections(packet),
        "sent": bool(referral.packet),
        "now": timezone.now(),
        "may_send": referral.status == Referral.Status.DRAFT,
        "may_withdraw": Referral.Status.WITHDRAWN in Referral.SENDER_MOVES.get(referral.status, ()),
        "printable": referral.partner.organization_id is None and referral.status in PRINTABLE,
        # A partner not on Thrive answers by phone or letter: the sender records the answer.
        "answers": _moves(referral) if referral.recipient_id is None else [],
        "may_record_decline": referral.recipient_id is None
        and Referral.Status.DECLINED in Referral.RECIPIENT_MOVES.get(referral.status, ()),
        "decline_form": extra.pop("decline_form", None)
        or RecipientMoveForm(initial={"status": "declined"}),
        "withdraw_form": WithdrawForm(),
        "supervises": membership.supervises,
        **extra,
    }


@login_required
@require_GET
def referral_detail(request, referral_id):
    """The sender's view: everything, the packet as sent, and the history."""
    membership = require_case_access(request.user)
    referral = get_sent_referral(request.user, referral_id)
    _viewed(referral, request, membership, "sent")
    context = _sender_context(referral, membership)
    return render(request, "referrals/referral_sender.html", context)


@login_required
@require_POST
def referral_send(request, referral_id):
    """Send the draft: the consent is checked now; a refusal is shown with its reason."""
    membership = require_case_access(request.user)
    referral = get_sent_referral(request.user, referral_id)
    try:
        actions.referral_send(referral, actor=request.user)
    except ValidationError as error:
        referral.refresh_from_db()
        refusal = [str(m) for messages_ in error.message_dict.values() for m in messages_]
        context = _sender_context(referral, membership, refusal=refusal)
        return render(request, "referrals/referral_sender.html", context)
    if referral.partner.organization_id is None:
        messages.success(
            request,
            _("Referral sent. %(partner)s is not on Thrive: print the referral for them.")
            % {"partner": referral.partner.name},
        )
    else:
        messages.success(
            request, _("Referral sent to %(partner)s.") % {"partner": referral.partner.name}
        )
    return redirect("referrals:referral", referral.pk)


@login_required
@require_POST
def referral_answer(request, referral_id):
    """The answer of a partner not on Thrive, recorded by the sender."""
    membership = require_case_access(request.user)
    referral = get_sent_referral(request.user, referral_id)
    if referral.recipient_id is not None:
        raise Http404
    form = _answer(request, referral, membership)
    if form is None:
        return redirect("referrals:referral", referral.pk)
    context = _sender_context(referral, membership, decline_form=form)
    return render(request, "referrals/referral_sender.html", context)


@login_required
@require_POST
def referral_withdraw(request, referral_id):
    membership = require_case_access(request.user)
    referral = get_sent_referral(request.user, referral_id)
    form = WithdrawForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        actions.referral_move(
            referral,
            actor=request.user,
            organization=membership.organization,
            to=Referral.Status.WITHDRAWN,
            note=note,
        )
    except ValidationError as error:
        for messages_ in error.message_dict.values():
            for message in messages_:
                messages.error(request, message)
    else:
        messages.success(request, _("Referral withdrawn."))
    return redirect("referrals:referral", referral.pk)


@login_required
@require_GET
def referral_print(request, referral_id):
    """A referral printed for a partner that is not on Thrive: the packet and the request,
    only while the referral is live and its consent still allows sharing."""
    membership = require_case_access(request.user)
    referral = get_sent_referral(request.user, referral_id)
    if referral.status not in PRINTABLE:
        messages.error(request, _("Only a sent referral that is still open can be printed."))
        return redirect("referrals:referral", referral.pk)
    if referral.consent is not None:
        refusal = referral.consent.refusal(
            referral.partner, referral.categories, Consent.Purpose.REFERRAL
        )
        if refusal:
            audit_record(
                referral,
                actor=request.user,
                organization=membership.organization,
                action=AuditEvent.Action.REFUSE,
                detail={"reason": str(refusal), "page": "referral_print"},
            )
            messages.error(request, refusal)
            return redirect("referrals:referral", referral.pk)
    _viewed(referral, request, membership, "referral_print")
    context = {
        "referral": referral,
        "sender": membership.organization,
        "services": list(referral.service_types.all()),
        "packet": packet_sections(actions.packet_of(referral)),
        "language": (translation.get_language() or "en")[:2],
    }
    return render(request, "referrals/referral_print.html", context)


@login_required
@require_GET
def outbox(request):
    """Referrals this organization sent, newest first; the overdue ones listed on top."""
    membership = require_case_access(request.user)
    form = StatusFilterForm(request.GET or None)
    sent = (
        referrals_sent(request.user)
        .select_related("partner", "case")
        .only(
            "id",
            "partner__name",
            "case__number",
            "urgency",
            "status",
            "created_at",
            "sent_at",
            "acknowledge_by",
            "escalated_at",
        )
        .prefetch_related(SERVICES_ONLY)
    )
    overdue = list(sent.overdue().order_by("acknowledge_by", "pk")[: settings.THRIVE_PAGE_SIZE])
    if form.is_valid() and form.cleaned_data["status"]:
        sent = sent.filter(status=form.cleaned_data["status"])
    sent = sent.order_by("-created_at", "-pk")
    page = Paginator(sent, settings.THRIVE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "overdue": overdue,
        "now": timezone.now(),
        "supervises": membership.supervises,
    }
    return render(request, "referrals/outbox.html", context)


# Receiving a referral ---------------------------------------------------------------------


@login_required
@require_GET
def inbox(request):
    """Referrals sent to this organization: never a draft, never the sender's case. Paged,
    newest first along the (recipient, status, sent_at) index; the same few queries whatever
    the number of rows."""
    membership = require_case_access(request.user)
    form = StatusFilterForm(request.GET or None)
    received = (
        referrals_received(request.user)
        .select_related("organization")
        .only(
            "id",
            "organization__name",
            "urgency",
            "status",
            "sent_at",
            "acknowledge_by",
            "escalated_at",
        )
        .prefetch_related(SERVICES_ONLY)
    )
    overdue = list(received.overdue().order_by("acknowledge_by", "pk")[: settings.THRIVE_PAGE_SIZE])
    if form.is_valid() and form.cleaned_data["status"]:
        received = received.filter(status=form.cleaned_data["status"])
    received = received.order_by("-sent_at", "-pk")
    page = Paginator(received, settings.THRIVE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "overdue": overdue,
        "now": timezone.now(),
        "supervises": membership.supervises,
    }
    return render(request, "referrals/inbox.html", context)


RECIPIENT_BUTTONS = {
    Referral.Status.ACKNOWLEDGED: gettext_lazy("Acknowledge"),
    Referral.Status.ACCEPTED: gettext_lazy("Accept"),
    Referral.Status.STARTED: gettext_lazy("Mark services started"),
    Referral.Status.COMPLETED: gettext_lazy("Mark completed"),
}


def _moves(referral):
    moves = Referral.RECIPIENT_MOVES.get(referral.status, ())
    return [(to, RECIPIENT_BUTTONS[to]) for to in moves if to in RECIPIENT_BUTTONS]


def _recipient_context(referral, membership, move_form=None):
    moves = Referral.RECIPIENT_MOVES.get(referral.status, ())
    return {
        "referral": referral,
        "services": list(referral.service_types.all()),
        "categories": [Category(c).label for c in referral.categories],
        "packet": packet_sections(actions.packet_of(referral)),
        "now": timezone.now(),
        "buttons": _moves(referral),
        "may_decline": Referral.Status.DECLINED in moves,
        "decline_form": move_form or RecipientMoveForm(initial={"status": "declined"}),
        "may_make_record": referral.status in (Referral.Status.ACCEPTED, Referral.Status.STARTED)
        and not referral.recipient_survivor_id,
        "supervises": membership.supervises,
    }


@login_required
@require_GET
def received(request, referral_id):
    """The recipient's view: the packet and the request, nothing of the case."""
    membership = require_case_access(request.user)
    referral = get_received_referral(request.user, referral_id)
    _viewed(referral, request, membership, "received")
    context = _recipient_context(referral, membership)
    return render(request, "referrals/referral_recipient.html", context)


@login_required
@require_POST
def received_move(request, referral_id):
    membership = require_case_access(request.user)
    referral = get_received_referral(request.user, referral_id)
    form = _answer(request, referral, membership)
    if form is None:
        return redirect("referrals:received", referral.pk)
    context = _recipient_context(referral, membership, move_form=form)
    return render(request, "referrals/referral_recipient.html", context)


def _answer(request, referral, membership):
    """Record a partner's answer (acknowledged, accepted, declined with its reason, services
    started, completed). None when recorded; otherwise the form with its errors."""
    form = RecipientMoveForm(request.POST)
    if form.is_valid():
        to = form.cleaned_data["status"]
        try:
            actions.referral_move(
                referral,
                actor=request.user,
                organization=membership.organization,
                to=to,
                note=form.cleaned_data["decline_reason"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request,
                _("Referral marked: %(status)s.") % {"status": Referral.Status(to).label.lower()},
            )
            return None
    return form


@login_required
@require_POST
def received_record(request, referral_id):
    """Our own survivor record from the packet: ours from then on, linked to the referral."""
    membership = require_case_access(request.user)
    referral = get_received_referral(request.user, referral_id)
    try:
        survivor = actions.recipient_survivor_create(
            referral, actor=request.user, organization=membership.organization
        )
    except ValidationError as error:
        for messages_ in error.message_dict.values():
            for message in messages_:
                messages.error(request, message)
        return redirect("referrals:received", referral.pk)
    messages.success(request, _("Our record was made from the referral's packet."))
    return redirect("survivors:detail", survivor.pk)


# The packet, readable ---------------------------------------------------------------------


def _choice_label(model, name, value):
    field = model._meta.get_field(name)
    if field.choices and value not in ("", None):
        return dict(field.flatchoices).get(value, value)
    return value


def _display(value):
    if value in ("", None):
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return value


def packet_sections(packet):
    """The packet as [{"category", "rows": [(label, value)]}], in the packet's categories
    order, labels and choices from the models. Shows what the packet holds and nothing more."""
    sections = []
    for category in Category:
        if category not in packet:
            continue
        content = packet[category] or {}
        rows = []
        if category in (Category.IDENTITY, Category.CONTACT):
            names = IDENTITY_FIELDS if category == Category.IDENTITY else CONTACT_FIELDS
            for name in names:
                if name not in content:
                    continue
                value = content[name]
                value = _date(value) if name == "date_of_birth" else value
                value = _choice_label(Survivor, name, value)
                rows.append((Survivor.field_label(name), _display(value)))
        elif category == Category.CASE_SUMMARY:
            rows = [
                (_("Program"), _choice_label(Program, "kind", content.get("program_kind"))),
                (
                    Case.field_label("trafficking_type"),
                    _choice_label(Case, "trafficking_type", content.get("trafficking_type")),
                ),
                (
                    Case.field_label("risk_level"),
                    _choice_label(Case, "risk_level", content.get("risk_level")),
                ),
                (Case.field_label("opened_on"), _date(content.get("opened_on"))),
            ]
            rows = [(label, _display(value)) for label, value in rows]
        elif category == Category.SERVICES:
            delivered = content.get("services") or []
            names = {
                t.code: t.label
                for t in ServiceType.objects.filter(code__in={s["type"] for s in delivered})
            }
            rows = [
                (names.get(s["type"], s["type"]), _date(s.get("delivered_on"))) for s in delivered
            ]
        elif category == Category.ASSESSMENTS:
            latest = content.get("assessment")
            if latest:
                levels = latest.get("levels") or {}
                labels = {
                    d.code: d.label
                    for d in Domain.objects.filter(
                        instrument__is_default=True, code__in=list(levels)
                    )
                }
                rows = [(_("Assessed on"), _date(latest.get("assessed_on")))]
                rows += [(labels.get(code, code), level) for code, level in levels.items()]
        sections.append({"category": category.label, "key": category.value, "rows": rows})
    return sections
