"""Audited writes of the crisis line: contacts (drafts saved while typing, then logged),
linking a contact to a survivor, and emergency responses.

A contact has a `key` chosen by the client (the entry form, a phone system). Saving a draft or
creating through the API with a key already used returns the first contact: a double submit,
a retried request or two tabs never make two contacts.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thrive.accounts.models import Membership
from thrive.audit.actions import audit_record
from thrive.audit.models import AuditEvent
from thrive.cases.actions import case_open, program_create
from thrive.cases.models import CASE_ROLES, Program
from thrive.hotline.models import YOUTH_AGE_LIMIT, Contact, EmergencyResponse, OnCallShift
from thrive.survivors.actions import survivor_create

CONTACT_FIELDS = [
    "received_at",
    "channel",
    "caller_role",
    "caller_sector",
    "caller_phone",
    "language",
    "interpreter_used",
    "county",
    "reason",
    "urgency",
    "indicators",
    "suspected_type",
    "summary",
    "disposition",
    "heard_about",
    "follow_up_needed",
    "follow_up_due",
]


def _apply(contact, data):
    unknown = set(data) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"not contact fields: {sorted(unknown)}")
    for name, value in data.items():
        setattr(contact, name, value)


def _find(organization, key):
    return Contact.objects.filter(organization=organization, key=key).first()


@transaction.atomic
def contact_draft_save(organization, *, actor, key, data):
    """Save what has been typed so far (autosave). Creates the draft on first save; never
    touches a contact already logged, nor someone else's draft. Drafts are not audited as
    changes: they are the advocate's own notes until logged."""
    contact = _find(organization, key)
    if contact is None:
        contact = Contact(organization=organization, key=key, handled_by=actor)
    elif contact.status == Contact.Status.LOGGED or contact.handled_by_id != actor.pk:
        return contact
    _apply(contact, data)
    contact.updated_at = timezone.now()
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError:  # two autosaves raced to create it: the other one won
        contact = _find(organization, key)
    return contact


def contact_log(organization, *, actor, key, data):
    """Log the contact: validate it whole and record it. Logging a key already logged returns
    that contact unchanged (a double submit, a retried request): (contact, created).

    Validation runs before the transaction, so the write lock (SQLite takes it at BEGIN) is
    held only for the insert and its audit event: concurrent callers queue for less."""
    contact = _find(organization, key)
    if contact is not None and contact.status == Contact.Status.LOGGED:
        return contact, False
    if contact is not None and contact.handled_by_id != actor.pk:
        raise ValidationError({"key": _("This key belongs to another person's contact.")})
    if contact is None:
        contact = Contact(organization=organization, key=key, handled_by=actor)
    _apply(contact, data)
    contact.status = Contact.Status.LOGGED
    contact.logged_at = contact.updated_at = timezone.now()
    contact.full_clean(exclude=["key"])
    try:
        with transaction.atomic():
            if contact.pk is not None:  # a draft: log it unless someone logged it meanwhile
                stored = Contact.objects.select_for_update().get(pk=contact.pk)
                if stored.status == Contact.Status.LOGGED:
                    return stored, False
            contact.save()
            audit_record(
                contact,
                actor=actor,
                organization=organization,
                action=AuditEvent.Action.CREATE,
                changed_fields=[
                    n for n in CONTACT_FIELDS if getattr(contact, n) not in ("", None, [])
                ],
            )
    except IntegrityError:  # a concurrent request with the same key created it first
        return _find(organization, key), False
    return contact, True


def contact_view(contact, *, actor, detail=None):
    return audit_record(
        contact,
        actor=actor,
        organization=contact.organization,
        action=AuditEvent.Action.VIEW,
        detail=detail,
    )


@transaction.atomic
def contact_link_survivor(contact, *, actor, survivor):
    if survivor.organization_id != contact.organization_id:
        raise ValidationError({"survivor": _("This survivor belongs to another organization.")})
    contact.survivor = survivor
    contact.save(update_fields=["survivor"])
    audit_record(
        contact,
        actor=actor,
        organization=contact.organization,
        action=AuditEvent.Action.CHANGE,
        changed_fields=["survivor"],
    )
    return contact


@transaction.atomic
def contact_create_survivor(contact, *, actor, data):
    """Create the survivor from the contact (phone and language carried over) and link it."""
    data = dict(data)
    data.setdefault("phone", contact.caller_phone)
    data.setdefault("primary_language", contact.language)
    survivor = survivor_create(contact.organization, actor=actor, data=data)
    contact_link_survivor(contact, actor=actor, survivor=survivor)
    return survivor


def queue_for(survivor):
    """Survivors under 24 go to the youth queue; an unknown age goes to the adult queue."""
    age = survivor.current_age
    if age is not None and age < YOUTH_AGE_LIMIT:
        return OnCallShift.Queue.YOUTH
    return OnCallShift.Queue.ADULT


def on_call(organization, queue, at=None):
    at = at or timezone.now()
    return (
        OnCallShift.objects.filter(
            organization=organization, queue=queue, starts_at__lte=at, ends_at__gt=at
        )
        .select_related("responder")
        .order_by("starts_at")
    )


def _emergency_program(organization):
    program = Program.objects.filter(
        organization=organization, kind=Program.Kind.EMERGENCY_RESPONSE, is_active=True
    ).first()
    if program is None:
        program = program_create(
            organization,
            actor=None,
            data={"name": "Emergency response", "kind": Program.Kind.EMERGENCY_RESPONSE},
        )
    return program


@transaction.atomic
def response_dispatch(contact, *, actor, responder):
    """Dispatch an emergency response for the contact's survivor: the queue follows the
    survivor's age, an emergency-response case is opened for the responder, and the
    contact's disposition becomes 'dispatched'."""
    if contact.status != Contact.Status.LOGGED:
        raise ValidationError({"contact": _("Log the contact before dispatching.")})
    if contact.survivor_id is None:
        raise ValidationError(
            {"survivor": _("Link the contact to a survivor, or create one, before dispatching.")}
        )
    if EmergencyResponse.objects.filter(contact=contact).exists():
        raise ValidationError({"contact": _("A response was already dispatched for this contact.")})
    if responder is None:
        raise ValidationError({"responder": _("Choose the responder to send.")})
    if not Membership.objects.filter(
        user=responder, organization=contact.organization, role__in=CASE_ROLES
    ).exists():
        raise ValidationError(
            {"responder": _("The responder must be a case manager or supervisor here.")}
        )
    survivor = contact.survivor
    case = case_open(
        survivor,
        actor=actor,
        program=_emergency_program(contact.organization),
        data={
            "case_manager": responder,
            "risk_level": "high" if contact.urgency == "immediate" else "medium",
            "trafficking_type": contact.suspected_type,
        },
    )
    response = EmergencyResponse.objects.create(
        organization=contact.organization,
        contact=contact,
        survivor=survivor,
        case=case,
        queue=queue_for(survivor),
        responder=responder,
        dispatched_by=actor,
    )
    contact.disposition = "dispatched"
    contact.save(update_fields=["disposition"])
    audit_record(
        response,
        actor=actor,
        organization=contact.organization,
        action=AuditEvent.Action.CREATE,
        changed_fields=["responder", "queue", "case"],
    )
    return response


RESPONSE_STEPS = {
    "first_contact": ("first_contact_at", EmergencyResponse.Status.WITH_SURVIVOR),
    "safe": ("safe_at", EmergencyResponse.Status.SAFE),
    "close": ("closed_at", EmergencyResponse.Status.CLOSED),
}


@transaction.atomic
def response_mark(response, *, actor, step, at=None):
    """Record a moment of the response: first contact with the survivor, safe placement,
    or closing it. Each is recorded once, never before the dispatch nor in the future."""
    field, status = RESPONSE_STEPS[step]
    response = EmergencyResponse.objects.select_for_update().get(pk=response.pk)
    at = at or timezone.now()
    if getattr(response, field) is not None:
        raise ValidationError({field: _("This was already recorded.")})
    if at < response.dispatched_at:
        raise ValidationError({field: _("This cannot come before the dispatch.")})
    if at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({field: _("This cannot be in the future.")})
    setattr(response, field, at)
    response.status = status
    response.save()
    audit_record(
        response,
        actor=actor,
        organization=response.organization,
        action=AuditEvent.Action.CHANGE,
        changed_fields=[field, "status"],
    )
    return response
