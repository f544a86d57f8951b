"""Contacts over JSON, for a phone system or a web form: the same access rules and the same
audited action (`contact_log`) as the entry screen.

`POST /contacts` needs an `Idempotency-Key` header, a UUID the client chooses once per contact
and sends again on every retry: it becomes the contact's key, so a retried request (a timeout,
a dropped connection, two at once) answers 200 with the contact the first one made, unchanged,
whatever body it carries. The first answer is 201.
"""

import uuid
from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from thrive.accounts.access import membership_of
from thrive.hotline import actions
from thrive.hotline.access import contacts_for_user, get_contact_for_user
from thrive.hotline.models import (
    CallerRole,
    Channel,
    Contact,
    Disposition,
    HeardAbout,
    Indicator,
    Reason,
    Sector,
    SuspectedType,
    Urgency,
)
from thrive.lib.api import READ_ERRORS, ApiTokenAuth, InputSchema, page_of
from thrive.survivors.models import Language

IDEMPOTENCY_HEADER = "Idempotency-Key"


def _contact_for_user(user, pk, *, write=False):
    """A contact of the organization; someone else's draft is theirs alone (404)."""
    contact = get_contact_for_user(user, pk)
    if contact.status == Contact.Status.DRAFT and contact.handled_by_id != user.pk:
        raise Http404
    return contact


router = Router(
    tags=["hotline"],
    auth=ApiTokenAuth(people=True, records={"contact_id": _contact_for_user}),
)


def choice_of(choices):
    return Literal[tuple(choices.values)]


def blank_or(choices):
    return Literal[("", *choices.values)]


class PersonOut(Schema):
    id: int
    username: str


class ContactSummary(Schema):
    """What a list shows: no free text and no phone number."""

    id: int
    label: str = Field(description="'H-000042'")
    status: choice_of(Contact.Status)
    received_at: datetime | None
    channel: str
    caller_role: str
    reason: str
    urgency: str
    suspected_type: str
    disposition: str
    follow_up_needed: bool
    follow_up_due: date | None
    survivor_id: int | None
    handled_by: PersonOut
    logged_at: datetime | None


class ContactOut(ContactSummary):
    caller_sector: str
    caller_phone: str
    language: str
    interpreter_used: bool
    county: str
    indicators: list[str]
    summary: str
    heard_about: str


class ContactPage(Schema):
    count: int
    page: int
    pages: int
    results: list[ContactSummary]


class ContactCreate(InputSchema):
    received_at: datetime | None = Field(
        None,
        description="When the contact came in, with its UTC offset; the time of the request "
        "when left out.",
    )
    channel: blank_or(Channel) = ""
    caller_role: blank_or(CallerRole) = ""
    caller_sector: blank_or(Sector) = Field("", description="Required for a professional.")
    caller_phone: str = Field("", max_length=40)
    language: blank_or(Language) = "en"
    interpreter_used: bool = False
    county: str = Field("", max_length=100)
    reason: blank_or(Reason) = ""
    urgency: choice_of(Urgency) = Urgency.ROUTINE.value
    indicators: list[str] = Field(
        [],
        max_length=len(Indicator.values),
        description="Codes: " + ", ".join(Indicator.values),
    )
    suspected_type: choice_of(SuspectedType) = SuspectedType.UNKNOWN.value
    summary: str = Field("", max_length=20_000)
    disposition: blank_or(Disposition) = Field(
        "", description="'mandated_report' needs 'minor_involved' among the indicators."
    )
    heard_about: blank_or(HeardAbout) = ""
    follow_up_needed: bool = False
    follow_up_due: date | None = None

    @field_validator("received_at")
    @classmethod
    def _with_offset(cls, value):
        if value is not None and timezone.is_naive(value):
            raise ValueError("Give the time with its UTC offset (e.g. 2026-03-01T03:12:00-08:00).")
        return value


class Paging(Schema):
    page: int = Field(1, ge=1, description="From 1.")


def _idempotency_key(request):
    raw = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    message = None
    if not raw:
        message = _("Send an Idempotency-Key header: a UUID chosen once for this contact.")
    else:
        try:
            return uuid.UUID(raw)
        except ValueError:
            message = _("The Idempotency-Key header must be a UUID.")
    raise ValidationError({IDEMPOTENCY_HEADER: message})


def _contact_out(request, contact):
    """The contact as stored, fetched afresh (a retry answers what the first request made)."""
    return get_contact_for_user(request.user, contact.pk)


@router.get("/contacts", response={200: ContactPage, **READ_ERRORS})
def list_contacts(request, paging: Query[Paging]):
    """Your organization's logged contacts, newest first, a page at a time (no free text:
    read one contact for its summary)."""
    contacts = contacts_for_user(request.user).logged().select_related("handled_by")
    contacts = contacts.defer("summary", "caller_phone")  # not shown: not decrypted
    return page_of(contacts.order_by("-received_at", "-pk"), paging.page)


@router.post(
    "/contacts",
    response={200: ContactOut, 201: ContactOut, **READ_ERRORS},
    openapi_extra={
        "parameters": [
            {
                "in": "header",
                "name": IDEMPOTENCY_HEADER,
                "required": True,
                "schema": {"type": "string", "format": "uuid"},
                "description": "A UUID chosen once per contact and sent again on every retry.",
            }
        ]
    },
)
def create_contact(request, payload: ContactCreate):
    """Log a contact. 201 with it the first time; 200 with that same contact, unchanged, for
    a retry with the same `Idempotency-Key`."""
    # Not wrapped in atomic_write: contact_log is one short transaction of its own, and if
    # answering fails after it, the client's retry with the same key gets the contact.
    key = _idempotency_key(request)
    data = payload.model_dump()
    if "received_at" not in payload.model_fields_set:
        data["received_at"] = timezone.now()
    organization = membership_of(request.user).organization
    contact, created = actions.contact_log(organization, actor=request.user, key=key, data=data)
    if not created:
        actions.contact_view(contact, actor=request.user, detail={"via": "api", "retry": True})
    return Status(201 if created else 200, _contact_out(request, contact))


@router.get("/contacts/{contact_id}", response={200: ContactOut, **READ_ERRORS})
def read_contact(request, contact_id: int):
    """The contact. Reading it is recorded in the audit trail."""
    contact = _contact_for_user(request.user, contact_id)
    actions.contact_view(contact, actor=request.user, detail={"via": "api"})
    return contact
