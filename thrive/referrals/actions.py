"""Audited writes of the partner directory, consents and referrals.

Every sharing action checks consent at the moment it happens. A refused share is itself an
audit event, written outside the refused transaction so that it stays.
"""

import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thrive.audit.actions import audit_record
from thrive.audit.models import AuditEvent
from thrive.referrals.models import (
    Category,
    Consent,
    Referral,
    ReferralEvent,
    add_business_days,
)
from thrive.referrals.packets import build_packet

PARTNER_FIELDS = (
    "name",
    "counties",
    "languages",
    "populations",
    "age_min",
    "age_max",
    "genders",
    "serves_foreign_nationals",
    "eligibility",
    "beds_available",
    "waitlist",
    "phone",
    "email",
    "website",
    "public_address",
    "location",
    "acknowledge_days",
    "is_active",
)


@transaction.atomic
def partner_save(partner, *, actor, organization, data, service_types=None):
    """Create or change a directory entry kept by `organization`."""
    creating = partner.pk is None
    if not creating and partner.maintained_by_id != organization.pk:
        raise PermissionDenied(_("Only the organization that keeps this entry may change it."))
    for name in PARTNER_FIELDS:
        if name in data:
            setattr(partner, name, data[name])
    if creating:
        partner.maintained_by = organization
    if {"beds_available", "waitlist"} & set(data):
        partner.availability_updated_at = timezone.now()
    partner.updated_at = timezone.now()
    partner.full_clean(exclude=["maintained_by"])
    partner.save()
    if service_types is not None:
        partner.service_types.set(service_types)
    audit_record(
        partner,
        actor=actor,
        organization=organization,
        action=AuditEvent.Action.CREATE if creating else AuditEvent.Action.CHANGE,
        changed_fields=sorted(data),
    )
    return partner


def _refuse(obj, *, actor, organization, reason, detail=None):
    """Record the refused share, then raise: the event is saved even though nothing else is."""
    audit_record(
        obj,
        actor=actor,
        organization=organization,
        action=AuditEvent.Action.REFUSE,
        detail={"reason": str(reason), **(detail or {})},
    )
    raise ValidationError({"consent": reason})


@transaction.atomic
def consent_record(survivor, *, actor, data, recipients):
    """Record a consent. It names its recipients, purposes and categories; it has an end
    (today + THRIVE_CONSENT_DAYS by default, never more than THRIVE_CONSENT_MAX_DAYS)."""
    data = dict(data)
    errors = {}
    signed = data.get("signed_on")
    if signed and not data.get("expires_on"):
        data["expires_on"] = signed + timezone.timedelta(days=settings.THRIVE_CONSENT_DAYS)
    expires = data.get("expires_on")
    if signed and signed > timezone.localdate():
        errors["signed_on"] = _("A consent cannot be given in the future.")
    if signed and expires:
        if expires < signed:
            errors["expires_on"] = _("A consent cannot end before it is given.")
        elif (expires - signed).days > settings.THRIVE_CONSENT_MAX_DAYS:
            errors["expires_on"] = _("A consent may last %(days)s days at most.") % {
                "days": settings.THRIVE_CONSENT_MAX_DAYS
            }
    if not recipients:
        errors["recipients"] = _("Name at least one organization it may be shared with.")
    if not data.get("purposes") or set(data["purposes"]) - set(Consent.Purpose.values):
        errors["purposes"] = _("Choose what the information may be used for.")
    if not data.get("categories") or set(data["categories"]) - set(Category.values):
        errors["categories"] = _("Choose what information may be shared.")
    if data.get("method") == Consent.Method.VERBAL and not data.get("witness", "").strip():
        errors["witness"] = _("A verbal consent needs the name of its witness.")
    consent = Consent(
        organization=survivor.organization, survivor=survivor, recorded_by=actor, **data
    )
    try:
        consent.full_clean(exclude=list(errors))
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    consent.save()
    consent.recipients.set(recipients)
    audit_record(
        consent,
        actor=actor,
        organization=survivor.organization,
        action=AuditEvent.Action.CREATE,
        detail={
            "recipients": sorted(p.pk for p in recipients),
            "categories": sorted(consent.categories),
            "expires_on": consent.expires_on.isoformat(),
        },
    )
    return consent


@transaction.atomic
def consent_revoke(consent, *, actor, note=""):
    """The survivor withdraws consent: nothing more is shared under it from now on. What a
    recipient already received stays with them, as the law allows."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.revoked_at is not None:
        raise ValidationError({"consent": _("This consent was already revoked.")})
    consent.revoked_at = timezone.now()
    consent.revoked_by = actor
    consent.revocation_note = note
    consent.save(update_fields=["revoked_at", "revoked_by", "revocation_note"])
    audit_record(
        consent,
        actor=actor,
        organization=consent.organization,
        action=AuditEvent.Action.CHANGE,
        changed_fields=["revoked_at"],
    )
    return consent


def _sharing_refusal(referral):
    """Why the referral may not carry its packet now, or ''."""
    if referral.consent_id is None:
        if referral.mandated_exception.strip():
            return ""
        return _(
            "A referral needs the survivor's consent, or a documented legal requirement to share."
        )
    consent = Consent.objects.get(pk=referral.consent_id)
    if consent.survivor_id != referral.survivor_id:
        return _("This consent is another survivor's.")
    return consent.refusal(referral.partner, referral.categories, Consent.Purpose.REFERRAL)


def referral_create(case, *, actor, data, service_types):
    """A draft referral from a case to a partner: checked against its consent now, and again
    when it is sent."""
    data = dict(data)
    errors = {}
    categories = data.get("categories") or []
    if set(categories) - set(Category.values):
        errors["categories"] = _("Choose what information to share.")
    if not service_types:
        errors["service_types"] = _("Choose at least one service to ask for.")
    partner = data.get("partner")
    if partner is not None and partner.organization_id == case.organization_id:
        errors["partner"] = _("This is your own organization: open a case or a service instead.")
    referral = Referral(
        organization=case.organization,
        case=case,
        survivor=case.survivor,
        created_by=actor,
        recipient=partner.organization if partner else None,
        **data,
    )
    try:
        referral.full_clean(exclude=["packet", *errors])
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    refusal = _sharing_refusal(referral)
    if refusal:
        _refuse(case, actor=actor, organization=case.organization, reason=refusal)
    with transaction.atomic():
        referral.save()
        referral.service_types.set(service_types)
        _event(referral, actor, case.organization, "", Referral.Status.DRAFT)
        audit_record(
            referral,
            actor=actor,
            organization=case.organization,
            action=AuditEvent.Action.CREATE,
            detail={"partner": partner.pk, "categories": sorted(categories)},
        )
    return referral


def _event(referral, actor, organization, from_status, to_status, note=""):
    ReferralEvent.objects.create(
        referral=referral,
        organization=organization,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )


def referral_send(referral, *, actor):
    """Send: consent checked at this moment, the packet built from the chosen categories
    only, the acknowledgement clock started (the partner's business days)."""
    referral = Referral.objects.select_related("partner", "case__survivor", "case__program").get(
        pk=referral.pk
    )
    if referral.status != Referral.Status.DRAFT:
        raise ValidationError({"status": _("Only a draft is sent.")})
    refusal = _sharing_refusal(referral)
    if refusal:
        _refuse(referral, actor=actor, organization=referral.organization, reason=refusal)
    with transaction.atomic():
        now = timezone.now()
        referral.packet = json.dumps(build_packet(referral.case, referral.categories))
        referral.acknowledge_by = add_business_days(now, referral.partner.acknowledge_days)
        _move(referral, actor, referral.organization, Referral.Status.SENT, now=now)
        audit_record(
            referral,
            actor=actor,
            organization=referral.organization,
            action=AuditEvent.Action.EXPORT,
            detail={"partner": referral.partner_id, "categories": sorted(referral.categories)},
        )
    return referral


def _move(referral, actor, organization, to, *, now=None, note=""):
    now = now or timezone.now()
    before = referral.status
    referral.status = to
    setattr(referral, Referral.TIMES[to], now)
    referral.version += 1
    referral.save()
    _event(referral, actor, organization, before, to, note)


@transaction.atomic
def referral_move(referral, *, actor, organization, to, note=""):
    """Move a referral on. The sender may withdraw; the receiving organization acknowledges,
    accepts or declines (with a reason), then marks services started and completed."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if organization.pk == referral.organization_id:
        allowed = Referral.SENDER_MOVES.get(referral.status, ())
        if referral.recipient_id is None:
            # A partner not on Thrive answers by phone or letter: the sender records it.
            allowed = (*allowed, *Referral.RECIPIENT_MOVES.get(referral.status, ()))
    elif organization.pk == referral.recipient_id:
        allowed = Referral.RECIPIENT_MOVES.get(referral.status, ())
    else:
        raise PermissionDenied
    if to == Referral.Status.SENT or to not in allowed:
        raise ValidationError(
            {
                "status": _("A referral that is %(now)s cannot become %(to)s here.")
                % {
                    "now": Referral.Status(referral.status).label.lower(),
                    "to": Referral.Status(to).label.lower() if to in Referral.Status.values else to,
                }
            }
        )
    if to == Referral.Status.DECLINED:
        if not note.strip():
            raise ValidationError({"decline_reason": _("Say why the referral is declined.")})
        referral.decline_reason = note
    if to == Referral.Status.ACCEPTED and referral.acknowledged_at is None:
        # Accepting answers the referral too: the acknowledgement time is the same moment.
        referral.acknowledged_at = timezone.now()
    _move(referral, actor, organization, to, note=note)
    audit_record(
        referral,
        actor=actor,
        organization=organization,
        action=AuditEvent.Action.CHANGE,
        changed_fields=["status"],
        detail={"status": to},
    )
    return referral


def packet_of(referral):
    return json.loads(referral.packet) if referral.packet else {}


@transaction.atomic
def recipient_survivor_create(referral, *, actor, organization):
    """The receiving organization makes its own survivor record from the packet: its own
    tenancy from then on, linked to the referral. Only what the packet holds is copied."""
    from thrive.survivors.actions import survivor_create

    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if organization.pk != referral.recipient_id:
        raise PermissionDenied
    if referral.recipient_survivor_id:
        raise ValidationError({"referral": _("A record was already made from this referral.")})
    if referral.status not in (Referral.Status.ACCEPTED, Referral.Status.STARTED):
        raise ValidationError({"referral": _("Accept the referral before making a record.")})
    packet = packet_of(referral)
    identity = packet.get(Category.IDENTITY, {})
    contact = packet.get(Category.CONTACT, {})
    data = {k: v for k, v in {**identity, **contact}.items() if v not in ("", None)}
    if "date_of_birth" in data:
        data["date_of_birth"] = timezone.datetime.fromisoformat(data["date_of_birth"]).date()
    data.setdefault("preferred_name", _("Referral %(number)s") % {"number": referral.pk})
    survivor = survivor_create(organization, actor=actor, data=data)
    referral.recipient_survivor = survivor
    referral.save(update_fields=["recipient_survivor"])
    return survivor


def referrals_escalate(now=None):
    """Mark sent referrals past their acknowledgement time as escalated (once): they show on
    both organizations' overdue lists and on supervisors' pages. Returns how many."""
    now = now or timezone.now()
    return Referral.objects.overdue(now).filter(escalated_at__isnull=True).update(escalated_at=now)
