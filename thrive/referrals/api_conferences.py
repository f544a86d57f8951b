"""MDT case conferences over JSON, under the same rules as the pages: a conference is seen
by the case workers of its attending organizations (404 to everyone else); each case summary
is answered only to an attendee, within the conference window, while the survivor's consent
allows it, and each read and each refusal is in the audit trail. Where a summary is
withheld, `summary` is null and `summary_withheld` says why."""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import StrictInt

from thrive.accounts.models import Organization, User
from thrive.cases.access import get_case_for_user, require_case_access, require_case_supervisor
from thrive.cases.models import CASE_ROLES, Case
from thrive.lib.api import (
    READ_ERRORS,
    ApiTokenAuth,
    InputSchema,
    References,
    api_field_names,
    atomic_write,
    page_of,
)
from thrive.referrals import conferences
from thrive.referrals.models import ActionItem, Consent

router = Router(
    tags=["conferences"],
    auth=ApiTokenAuth(
        people=True,
        require=require_case_access,
        records={
            "conference_id": conferences.get_conference_for_user,
            "roster_id": conferences.get_roster_entry_for_user,
            "item_id": conferences.get_action_item_for_user,
        },
    ),
)


class OrganizationRef(Schema):
    id: int
    name: str


class PersonRef(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(obj):
        return obj.get_full_name() or obj.username


class CaseRef(Schema):
    id: int
    label: str = Field(description="The presenting organization's case number, 'C-00042'.")


class ActionItemOut(Schema):
    id: int
    conference_id: int
    roster_id: int
    text: str
    owner: OrganizationRef
    due_on: date
    status: Literal[tuple(ActionItem.Status.values)]
    closed_at: datetime | None

    @staticmethod
    def resolve_conference_id(obj):
        return obj.conference_case.conference_id

    @staticmethod
    def resolve_roster_id(obj):
        return obj.conference_case_id


class RosterOut(Schema):
    id: int
    case: CaseRef
    organization: OrganizationRef = Field(description="The organization presenting the case.")
    added_at: datetime
    summary: str | None = Field(
        description="The case summary; null where it is withheld (see summary_withheld)."
    )
    summary_withheld: str = Field(description="Why the summary is withheld; '' when shown.")
    action_items: list[ActionItemOut]
    carried_items: list[ActionItemOut] = Field(
        description="Open action items of this case's earlier conferences, until closed."
    )


class ConferenceSummaryOut(Schema):
    id: int
    title: str
    facilitator: OrganizationRef
    held_at: datetime
    opens_at: datetime = Field(description="Summaries are readable from this time...")
    closes_at: datetime = Field(description="...until this time.")
    cases: int = Field(description="How many cases are on the roster.")


class ConferencePage(Schema):
    count: int
    page: int
    pages: int
    results: list[ConferenceSummaryOut]


class ConferenceOut(Schema):
    id: int
    title: str
    facilitator: OrganizationRef
    held_at: datetime
    opens_at: datetime
    closes_at: datetime
    organizations: list[OrganizationRef]
    attendees: list[PersonRef]
    you_attend: bool
    roster: list[RosterOut]


class ConferenceCreate(InputSchema):
    title: str
    held_at: datetime
    opens_at: datetime = Field(description="Summaries readable from; by the time it is held.")
    closes_at: datetime = Field(description="Summaries readable until; after it is held.")
    organization_ids: list[StrictInt] = Field(
        [], description="Attending organizations besides yours (the facilitator)."
    )
    attendee_ids: list[StrictInt] = Field(
        description="Case workers of the attending organizations."
    )


class RosterCreate(InputSchema):
    case_id: StrictInt = Field(description="An open case of your organization.")
    consent_id: StrictInt = Field(
        description="The survivor's consent covering MDT case conferences, releasing the case "
        "summary and naming every other attending organization."
    )
    summary: str


class ActionItemCreate(InputSchema):
    text: str
    owner_id: StrictInt = Field(description="An attending organization.")
    due_on: date


class ActionItemClose(InputSchema):
    status: Literal["done", "dropped"] = Field("done", description="'dropped': no longer needed.")


class Paging(Schema):
    page: int = Field(1, ge=1)


def _roster(request, conference, entries):
    """Each entry with its summary read (checked and audited) or the reason it is withheld."""
    items = {}
    for item in ActionItem.objects.filter(conference_case__in=entries).select_related(
        "owner", "conference_case"
    ):
        items.setdefault(item.conference_case_id, []).append(item)
    carried = conferences.carried_items(conference, [e.case_id for e in entries])
    now = timezone.now()
    rows = []
    for entry in entries:
        entry.conference = conference
        try:
            summary, withheld = conferences.summary_read(entry, user=request.user, now=now), ""
        except PermissionDenied as refusal:
            summary, withheld = None, str(refusal)
        rows.append(
            {
                "id": entry.pk,
                "case": entry.case,
                "organization": entry.organization,
                "added_at": entry.added_at,
                "summary": summary,
                "summary_withheld": withheld,
                "action_items": items.get(entry.pk, []),
                "carried_items": carried.get(entry.case_id, []),
            }
        )
    return rows


def _entries(conference):
    return list(
        conference.roster.select_related("organization", "case", "consent").order_by("added_at")
    )


def _conference_out(request, conference, entries=None):
    entries = _entries(conference) if entries is None else entries
    return {
        "id": conference.pk,
        "title": conference.title,
        "facilitator": conference.facilitator,
        "held_at": conference.held_at,
        "opens_at": conference.opens_at,
        "closes_at": conference.closes_at,
        "organizations": list(conference.organizations.order_by("name")),
        "attendees": list(conference.attendees.order_by("username")),
        "you_attend": conferences.is_attendee(conference, request.user),
        "roster": _roster(request, conference, entries),
    }


def _entry_of(request, conference_id, roster_id, *, write=False):
    conference = conferences.get_conference_for_user(request.user, conference_id)
    entry = conferences.get_roster_entry_for_user(request.user, roster_id, write=write)
    if entry.conference_id != conference.pk:
        raise Http404
    return conference, entry


@router.get("/conferences", response={200: ConferencePage, **READ_ERRORS})
def list_conferences(request, paging: Query[Paging]):
    """The case conferences your organization attends, latest first."""
    found = (
        conferences.conferences_for_user(request.user)
        .select_related("facilitator")
        .annotate(cases=Count("roster", distinct=True))
        .order_by("-held_at", "-pk")
    )
    return page_of(found, paging.page)


@router.post("/conferences", response={201: ConferenceOut, **READ_ERRORS})
@decorate_view(atomic_write)
def create_conference(request, payload: ConferenceCreate):
    """Schedule a conference facilitated by your organization (supervisors and program
    directors)."""
    membership = require_case_supervisor(request.user)
    refs = References()
    organizations = refs.many(
        Organization.objects.all(),
        payload.organization_ids,
        "organization_ids",
        _("No organization has this id."),
    )
    attendees = refs.many(
        User.objects.filter(memberships__role__in=CASE_ROLES).distinct(),
        payload.attendee_ids,
        "attendee_ids",
        _("No case worker has this id."),
    )
    refs.check()
    data = payload.dict(exclude={"organization_ids", "attendee_ids"})
    with api_field_names({"attendees": "attendee_ids", "organizations": "organization_ids"}):
        conference = conferences.conference_create(
            membership.organization,
            actor=request.user,
            data={**data, "organizations": organizations, "attendees": attendees},
        )
    conference = conferences.get_conference_for_user(request.user, conference.pk)
    return Status(201, _conference_out(request, conference, entries=[]))


@router.get("/conferences/{conference_id}", response={200: ConferenceOut, **READ_ERRORS})
def read_conference(request, conference_id: int):
    """The conference, its roster and action items; each summary under the rule above."""
    conference = conferences.get_conference_for_user(request.user, conference_id)
    return _conference_out(request, conference)


@router.post("/conferences/{conference_id}/roster", response={201: RosterOut, **READ_ERRORS})
@decorate_view(atomic_write)
def add_conference_case(request, conference_id: int, payload: RosterCreate):
    """Present a case of your organization under the survivor's consent. A consent that
    does not cover the conference is refused (400, under `consent_id`) and the refusal is
    in the audit trail."""
    conference = conferences.get_conference_for_user(request.user, conference_id)
    membership = request.user.membership
    refs = References()
    case = refs.one(
        Case.objects.visible_to(request.user).open(),
        payload.case_id,
        "case_id",
        _("No open case of your organization has this id."),
    )
    consent = refs.one(
        Consent.objects.filter(organization_id=membership.organization_id),
        payload.consent_id,
        "consent_id",
        _("No consent recorded by your organization has this id."),
    )
    refs.check()
    case = get_case_for_user(request.user, case.pk, write=True)
    with api_field_names({"case": "case_id", "consent": "consent_id"}):
        entry = conferences.roster_add(
            conference,
            case=case,
            actor=request.user,
            consent=consent,
            summary=payload.summary,
        )
    entry = conferences.get_roster_entry_for_user(request.user, entry.pk)
    return Status(201, _roster(request, entry.conference, [entry])[0])


@router.get(
    "/conferences/{conference_id}/roster/{roster_id}", response={200: RosterOut, **READ_ERRORS}
)
def read_conference_case(request, conference_id: int, roster_id: int):
    """One case on the roster, its summary under the rule above."""
    conference, entry = _entry_of(request, conference_id, roster_id)
    return _roster(request, conference, [entry])[0]


@router.post(
    "/conferences/{conference_id}/roster/{roster_id}/items",
    response={201: ActionItemOut, **READ_ERRORS},
)
@decorate_view(atomic_write)
def add_conference_item(request, conference_id: int, roster_id: int, payload: ActionItemCreate):
    """An action item for one attending organization (attendees only)."""
    conference, entry = _entry_of(request, conference_id, roster_id, write=True)
    refs = References()
    owner = refs.one(
        conference.organizations.all(),
        payload.owner_id,
        "owner_id",
        _("The owner must be an organization attending this conference."),
    )
    refs.check()
    with api_field_names({"owner": "owner_id"}):
        item = conferences.action_item_add(
            entry,
            actor=request.user,
            data={"text": payload.text, "owner": owner, "due_on": payload.due_on},
        )
    return Status(201, conferences.get_action_item_for_user(request.user, item.pk))


@router.post("/action-items/{item_id}/close", response={200: ActionItemOut, **READ_ERRORS})
@decorate_view(atomic_write)
def close_conference_item(request, item_id: int, payload: ActionItemClose):
    """Close an action item: done, or no longer needed. It is carried forward no more."""
    item = conferences.get_action_item_for_user(request.user, item_id, write=True)
    conferences.action_item_close(item, actor=request.user, status=payload.status)
    return conferences.get_action_item_for_user(request.user, item.pk)
