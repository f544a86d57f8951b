"""Consents and referrals over JSON: the same access rules and the same audited actions as the
pages.

A referral is two records in one, and so two sets of routes:
- the sender's (`/cases/{case_id}/referrals`, `/referrals/sent`, `/referrals/{referral_id}`):
  the case, the consent, the packet as sent; for the case roles of the sending organization;
- the recipient's (`/referrals/inbox`, `/referrals/received/{referral_id}`): the request and the
  packet, nothing else of the case or the survivor; for the case roles of the receiving
  organization. Each side's routes answer 404 to the other side.

Sharing is checked against the survivor's consent when a referral is drafted and again when it
is sent: a refusal is a 400 with its reason under `consent`, and it stays in the audit trail.
Reading a referral or a consent is recorded in the audit trail.
"""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import StrictInt

from thrive.audit.actions import audit_record
from thrive.audit.models import AuditEvent
from thrive.cases.access import get_case_for_user, require_case_access
from thrive.cases.actions import case_view
from thrive.cases.api import CaseRef, PersonOut, SurvivorRef, choice_of
from thrive.lib.api import (
    READ_ERRORS,
    ApiTokenAuth,
    InputSchema,
    References,
    api_field_names,
    atomic_write,
    page_of,
)
from thrive.referrals import actions
from thrive.referrals.access import (
    consents_of,
    get_consent_for_user,
    get_received_referral,
    get_sent_referral,
    referrals_received,
    referrals_sent,
)
from thrive.referrals.models import Category, Consent, Partner, Referral
from thrive.services.access import service_types
from thrive.services.api import ServiceTypeRef
from thrive.services.models import ServiceType
from thrive.survivors.access import get_survivor_for_user
from thrive.survivors.actions import survivor_view

# The fields of a referral the receiving organization's lists read: no packet, no case.
INBOX_FIELDS = (
    "id",
    "organization__name",
    "partner__name",
    "recipient_id",
    "urgency",
    "status",
    "decline_reason",
    "acknowledge_by",
    "sent_at",
    "acknowledged_at",
    "accepted_at",
    "declined_at",
    "started_at",
    "completed_at",
    "withdrawn_at",
    "recipient_survivor_id",
)


def _survivor_for_user(user, pk, *, write=False):
    return get_survivor_for_user(user, pk, write=write)


def _sent_for_user(user, pk, *, write=False):
    """The sender's referral. Sending or withdrawing it changes its case: for those who may
    change the case."""
    referral = get_sent_referral(user, pk)
    if write and not referral.case.may_be_written_by(user):
        raise PermissionDenied(
            _("Only the case manager, the case team and supervisors may change this case.")
        )
    return referral


def _received_for_user(user, pk, *, write=False):
    return get_received_referral(user, pk)


router = Router(
    tags=["referrals"],
    auth=ApiTokenAuth(
        people=True,
        require=require_case_access,
        records={
            "survivor_id": _survivor_for_user,
            "consent_id": get_consent_for_user,
            "case_id": get_case_for_user,
            "referral_id": _sent_for_user,
        },
    ),
)
# The receiving organization's routes: `referral_id` names a referral received, not sent.
RECEIVED = ApiTokenAuth(
    people=True, require=require_case_access, records={"referral_id": _received_for_user}
)

CategoryChoice = choice_of(Category)
Purpose = choice_of(Consent.Purpose)
Method = choice_of(Consent.Method)
ReferralStatus = choice_of(Referral.Status)
Urgency = choice_of(Referral.Urgency)
# Where the receiving organization may move a referral, in the order of the status machine.
RecipientMove = Literal[
    tuple(
        s
        for s in Referral.Status.values
        if any(s in moves for moves in Referral.RECIPIENT_MOVES.values())
    )
]


def _is_overdue(referral):
    return (
        referral.status == Referral.Status.SENT
        and referral.acknowledge_by is not None
        and referral.acknowledge_by < timezone.now()
    )


# Output


class PartnerRef(Schema):
    id: int
    name: str


class ConsentOut(Schema):
    id: int
    survivor_id: int
    recipients: list[PartnerRef] = Field(description="The partners it may be shared with.")
    purposes: list[Purpose]
    categories: list[CategoryChoice] = Field(description="The information that may be shared.")
    signed_on: date
    method: Method
    witness: str
    expires_on: date
    note: str
    in_force: bool = Field(description="Signed, not expired and not revoked today.")
    revoked_at: datetime | None
    revocation_note: str
    recorded_by: PersonOut
    created_at: datetime

    @staticmethod
    def resolve_recipients(obj):
        return list(obj.recipients.all())

    @staticmethod
    def resolve_in_force(obj):
        today = timezone.localdate()
        return obj.revoked_at is None and obj.signed_on <= today <= obj.expires_on


class ReferralSummary(Schema):
    """A referral in the sender's list."""

    id: int
    case: CaseRef
    survivor: SurvivorRef
    partner: PartnerRef
    service_types: list[ServiceTypeRef] = Field(description="The services requested.")
    urgency: Urgency
    status: ReferralStatus
    overdue: bool = Field(description="Sent and not acknowledged by `acknowledge_by`.")
    sent_at: datetime | None
    acknowledge_by: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_service_types(obj):
        return list(obj.service_types.all())

    @staticmethod
    def resolve_overdue(obj):
        return _is_overdue(obj)


class ReferralPage(Schema):
    count: int
    page: int
    pages: int
    results: list[ReferralSummary]


class ReferralOut(ReferralSummary):
    """The sender's whole referral."""

    on_thrive: bool = Field(
        description="Whether the partner receives it in Thrive; an external partner gets a "
        "printed referral."
    )
    categories: list[CategoryChoice] = Field(description="The information shared.")
    consent_id: int | None
    mandated_exception: str = Field(description="The legal requirement to share, without consent.")
    reason: str
    next_statuses: list[ReferralStatus] = Field(
        description="Where you may move it: 'sent' through /send, 'withdrawn' through /withdraw."
    )
    decline_reason: str
    escalated_at: datetime | None
    acknowledged_at: datetime | None
    accepted_at: datetime | None
    declined_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    withdrawn_at: datetime | None
    recipient_record_made: bool = Field(
        description="Whether the partner made its own record from the packet."
    )
    packet: dict | None = Field(description="What the partner received; null until sent.")
    created_by: PersonOut
    version: int

    @staticmethod
    def resolve_on_thrive(obj):
        return obj.recipient_id is not None

    @staticmethod
    def resolve_next_statuses(obj):
        return list(Referral.SENDER_MOVES.get(obj.status, ()))

    @staticmethod
    def resolve_recipient_record_made(obj):
        return obj.recipient_survivor_id is not None

    @staticmethod
    def resolve_packet(obj):
        return actions.packet_of(obj) if obj.packet else None


class ReceivedSummary(Schema):
    """A referral as the receiving organization sees it in its inbox: the request only."""

    id: int
    sender: str = Field(description="The name of the organization that sent it.")
    partner: str = Field(description="The name of your directory entry it was sent to.")
    service_types: list[ServiceTypeRef] = Field(description="The services requested.")
    urgency: Urgency
    status: ReferralStatus
    next_statuses: list[ReferralStatus] = Field(description="Where you may move it, through /move.")
    overdue: bool = Field(description="Not acknowledged by `acknowledge_by`.")
    decline_reason: str
    acknowledge_by: datetime | None
    sent_at: datetime | None
    acknowledged_at: datetime | None
    accepted_at: datetime | None
    declined_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    withdrawn_at: datetime | None
    record_id: int | None = Field(
        description="Your own survivor record made from the packet, if any."
    )

    @staticmethod
    def resolve_sender(obj):
        return obj.organization.name

    @staticmethod
    def resolve_partner(obj):
        return obj.partner.name

    @staticmethod
    def resolve_service_types(obj):
        return list(obj.service_types.all())

    @staticmethod
    def resolve_next_statuses(obj):
        return list(Referral.RECIPIENT_MOVES.get(obj.status, ()))

    @staticmethod
    def resolve_overdue(obj):
        return _is_overdue(obj)

    @staticmethod
    def resolve_record_id(obj):
        return obj.recipient_survivor_id


class ReceivedPage(Schema):
    count: int
    page: int
    pages: int
    results: list[ReceivedSummary]


class ReceivedOut(ReceivedSummary):
    packet: dict = Field(
        description="What the sender shared, by category ('identity', 'contact', ...): all "
        "you receive of the survivor."
    )

    @staticmethod
    def resolve_packet(obj):
        return actions.packet_of(obj)


# Input


class ConsentCreate(InputSchema):
    recipient_ids: list[StrictInt] = Field(
        [], description="Partners of the directory (GET /partners) it may be shared with."
    )
    purposes: list[Purpose] = []
    categories: list[CategoryChoice] = []
    signed_on: date = Field(description="When the survivor gave it; not in the future.")
    method: Method
    witness: str = Field("", max_length=200, description="Required for a verbal consent.")
    expires_on: date | None = Field(
        None, description="The organization's default length when not given; never open-ended."
    )
    note: str = Field("", max_length=20_000)


class ConsentRevoke(InputSchema):
    note: str = Field("", max_length=20_000, description="How the survivor revoked it.")


class ReferralCreate(InputSchema):
    partner_id: StrictInt = Field(description="A partner of the directory (GET /partners).")
    service_type_ids: list[StrictInt] = Field([], description="From GET /services/types.")
    urgency: Urgency = Referral.Urgency.ROUTINE.value
    categories: list[CategoryChoice] = Field(
        [], description="The information to share: only what the consent releases."
    )
    consent_id: StrictInt | None = Field(None, description="A consent of the case's survivor.")
    mandated_exception: str = Field(
        "",
        max_length=20_000,
        description="Without consent: the legal requirement to share, documented.",
    )
    reason: str = Field("", max_length=20_000)


class Withdrawal(InputSchema):
    note: str = Field("", max_length=20_000)


class ReceivedMove(InputSchema):
    to: RecipientMove = Field(description="See the referral's `next_statuses`.")
    note: str = Field("", max_length=20_000, description="Required to decline: why.")


class ReferralFilters(Schema):
    status: ReferralStatus | None = Field(None, description="Only referrals in this status.")
    page: int = Field(1, ge=1)


# Helpers


def _sent_referrals(queryset):
    return queryset.select_related("case", "survivor", "partner", "created_by").prefetch_related(
        "service_types"
    )


def _sent_out(request, referral):
    """The referral as stored, fetched afresh through the sender's access."""
    return _sent_referrals(referrals_sent(request.user)).get(pk=referral.pk)


def _received(queryset):
    return (
        queryset.select_related("partner", "organization")
        .only(*INBOX_FIELDS)
        .prefetch_related(
            Prefetch("service_types", queryset=ServiceType.objects.only("id", "code", "name"))
        )
    )


# Consents


@router.get("/survivors/{survivor_id}/consents", response={200: list[ConsentOut], **READ_ERRORS})
def list_consents(request, survivor_id: int):
    """The survivor's consents, newest first, in force or not."""
    survivor = get_survivor_for_user(request.user, survivor_id)
    consents = list(consents_of(request.user, survivor).select_related("recorded_by"))
    survivor_view(survivor, actor=request.user, detail={"via": "api", "part": "consents"})
    return consents


@router.post("/survivors/{survivor_id}/consents", response={201: ConsentOut, **READ_ERRORS})
@decorate_view(atomic_write)
def record_consent(request, survivor_id: int, payload: ConsentCreate):
    """Record the survivor's consent: to whom, for what, which information, how it was given
    and until when."""
    survivor = get_survivor_for_user(request.user, survivor_id, write=True)
    refs = References()
    recipients = refs.many(
        Partner.objects.active(),
        payload.recipient_ids,
        "recipient_ids",
        _("No partner of the directory has this id."),
    )
    refs.check()
    data = payload.dict(exclude={"recipient_ids"})
    if data["expires_on"] is None:
        del data["expires_on"]
    with api_field_names({"recipients": "recipient_ids"}):
        consent = actions.consent_record(
            survivor, actor=request.user, data=data, recipients=recipients
        )
    return Status(201, get_consent_for_user(request.user, consent.pk))


@router.get("/consents/{consent_id}", response={200: ConsentOut, **READ_ERRORS})
def read_consent(request, consent_id: int):
    consent = get_consent_for_user(request.user, consent_id)
    survivor_view(
        consent.survivor,
        actor=request.user,
        detail={"via": "api", "part": "consents", "consent": consent.pk},
    )
    return consent


@router.post("/consents/{consent_id}/revoke", response={200: ConsentOut, **READ_ERRORS})
@decorate_view(atomic_write)
def revoke_consent(request, consent_id: int, payload: ConsentRevoke):
    """The survivor withdraws consent: nothing more is shared under it from now on. What a
    partner already received stays with them."""
    consent = get_consent_for_user(request.user, consent_id, write=True)
    actions.consent_revoke(consent, actor=request.user, note=payload.note)
    return get_consent_for_user(request.user, consent.pk)


# Referrals. The fixed paths (/referrals/sent, /referrals/inbox) are declared before
# /referrals/{referral_id}, which would otherwise take them for an id.


@router.get("/referrals/sent", response={200: ReferralPage, **READ_ERRORS})
def list_sent(request, filters: Query[ReferralFilters]):
    """Your organization's referrals, drafts included, newest first, a page at a time."""
    referrals = referrals_sent(request.user)
    if filters.status is not None:
        referrals = referrals.filter(status=filters.status)
    return page_of(_sent_referrals(referrals), filters.page)


@router.get("/referrals/inbox", response={200: ReceivedPage, **READ_ERRORS}, auth=RECEIVED)
def inbox(request, filters: Query[ReferralFilters]):
    """Referrals sent to your organization, newest first, a page at a time: the request only;
    the packet is read one referral at a time."""
    referrals = referrals_received(request.user)
    if filters.status is not None:
        referrals = referrals.filter(status=filters.status)
    return page_of(_received(referrals).order_by("-sent_at", "-pk"), filters.page)


@router.post("/cases/{case_id}/referrals", response={201: ReferralOut, **READ_ERRORS})
@decorate_view(atomic_write)
def create_referral(request, case_id: int, payload: ReferralCreate):
    """A draft referral from the case to a partner, checked against the consent now and
    again when it is sent. Without consent, a documented legal requirement to share."""
    case = get_case_for_user(request.user, case_id, write=True)
    refs = References()
    partner = refs.one(
        Partner.objects.active(),
        payload.partner_id,
        "partner_id",
        _("No partner of the directory has this id."),
    )
    chosen = refs.many(
        service_types(),
        payload.service_type_ids,
        "service_type_ids",
        _("No service type in use has this id."),
    )
    consent = refs.one(
        consents_of(request.user, case.survivor),
        payload.consent_id,
        "consent_id",
        _("No consent of this survivor has this id."),
    )
    refs.check()
    data = payload.dict(exclude={"partner_id", "service_type_ids", "consent_id"})
    with api_field_names({"partner": "partner_id", "service_types": "service_type_ids"}):
        referral = actions.referral_create(
            case,
            actor=request.user,
            data={**data, "partner": partner, "consent": consent},
            service_types=chosen,
        )
    return Status(201, _sent_out(request, referral))


@router.get("/referrals/{referral_id}", response={200: ReferralOut, **READ_ERRORS})
def read_sent(request, referral_id: int):
    """A referral your organization made, with what was shared. Reading it is recorded as
    reading its case."""
    referral = get_sent_referral(request.user, referral_id)
    case_view(referral.case, actor=request.user, detail={"via": "api", "part": "referrals"})
    return _sent_out(request, referral)


@router.post("/referrals/{referral_id}/send", response={200: ReferralOut, **READ_ERRORS})
@decorate_view(atomic_write)
def send_referral(request, referral_id: int):
    """Send a draft: the consent is checked at this moment, the packet holds the chosen
    categories only, and the partner's time to acknowledge starts."""
    referral = _sent_for_user(request.user, referral_id, write=True)
    actions.referral_send(referral, actor=request.user)
    return _sent_out(request, referral)


@router.post("/referrals/{referral_id}/withdraw", response={200: ReferralOut, **READ_ERRORS})
@decorate_view(atomic_write)
def withdraw_referral(request, referral_id: int, payload: Withdrawal):
    """Withdraw a draft, or a referral not yet declined or started."""
    referral = _sent_for_user(request.user, referral_id, write=True)
    membership = require_case_access(request.user)
    actions.referral_move(
        referral,
        actor=request.user,
        organization=membership.organization,
        to=Referral.Status.WITHDRAWN,
        note=payload.note,
    )
    return _sent_out(request, referral)


# Referrals: the receiving organization.


@router.get(
    "/referrals/received/{referral_id}",
    response={200: ReceivedOut, **READ_ERRORS},
    auth=RECEIVED,
)
def read_received(request, referral_id: int):
    """A referral sent to your organization, with its packet: all you receive of the
    survivor. Reading it is recorded in the audit trail."""
    referral = get_received_referral(request.user, referral_id)
    membership = require_case_access(request.user)
    audit_record(
        referral,
        actor=request.user,
        organization=membership.organization,
        action=AuditEvent.Action.VIEW,
        detail={"via": "api", "side": "recipient"},
    )
    return referral


@router.post(
    "/referrals/received/{referral_id}/move",
    response={200: ReceivedSummary, **READ_ERRORS},
    auth=RECEIVED,
)
@decorate_view(atomic_write)
def move_received(request, referral_id: int, payload: ReceivedMove):
    """Acknowledge, accept or decline (saying why in `note`), then mark services started and
    completed."""
    referral = get_received_referral(request.user, referral_id)
    membership = require_case_access(request.user)
    with api_field_names({"status": "to", "decline_reason": "note"}):
        actions.referral_move(
            referral,
            actor=request.user,
            organization=membership.organization,
            to=payload.to,
            note=payload.note,
        )
    return _received(referrals_received(request.user)).get(pk=referral.pk)


@router.post(
    "/referrals/received/{referral_id}/record",
    response={201: SurvivorRef, **READ_ERRORS},
    auth=RECEIVED,
)
@decorate_view(atomic_write)
def record_from_packet(request, referral_id: int):
    """Make your own survivor record from an accepted referral's packet: your organization's
    record from then on, linked to the referral. Only what the packet holds is copied."""
    referral = get_received_referral(request.user, referral_id)
    membership = require_case_access(request.user)
    survivor = actions.recipient_survivor_create(
        referral, actor=request.user, organization=membership.organization
    )
    return Status(201, survivor)
