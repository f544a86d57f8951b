"""Survivors over JSON: the same access rules and the same audited actions as the pages."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import StrictInt

from thrive.accounts.access import require_person_access
from thrive.lib.api import ApiTokenAuth, InputSchema, atomic_write, page_of
from thrive.survivors import actions
from thrive.survivors.access import get_survivor_for_user, survivors_for_user

router = Router(tags=["survivors"], auth=ApiTokenAuth(people=True))


class SurvivorFields(Schema):
    """The record's fields. Choices, lengths and dates are checked by the model, so the API
    and the pages refuse the same things with the same messages."""

    preferred_name: str | None = None
    legal_name: str | None = None
    aliases: str | None = Field(None, description="One per line.")
    date_of_birth: date | None = None
    age_at_intake: StrictInt | None = None
    age_at_intake_missing: str | None = Field(None, description="'unknown' or 'declined'")
    intake_date: date | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    may_call: str | None = None
    may_text: str | None = None
    may_leave_voicemail: str | None = None
    may_email: str | None = None
    safe_times: str | None = None
    code_word: str | None = None
    safety_notes: str | None = None
    gender_identity: str | None = None
    sexual_orientation: str | None = None
    race_ethnicity: list[str] | None = None
    primary_language: str | None = None
    interpreter_needed: str | None = None
    country_of_birth: str | None = None
    citizenship: str | None = None
    age_first_trafficked: StrictInt | None = None
    age_first_trafficked_missing: str | None = None
    referral_source: str | None = None
    prior_services: str | None = None
    education_level: str | None = None
    income_at_intake: str | None = None
    housing_at_intake: str | None = None
    prior_arrests: StrictInt | None = None
    prior_arrests_missing: str | None = None
    foster_care_history: str | None = None
    homelessness_history: str | None = None


class SurvivorUpdate(InputSchema, SurvivorFields):
    """Only the fields sent are changed (`{}` changes nothing); null blanks a field."""


class SurvivorCreate(InputSchema, SurvivorFields):
    preferred_name: str


class SurvivorOut(SurvivorFields):
    id: int
    record_number: int
    record_label: str
    current_age: int | None
    created_at: datetime
    updated_at: datetime


class SurvivorSummary(Schema):
    id: int
    record_label: str
    display_name: str
    current_age: int | None
    primary_language: str


class SurvivorPage(Schema):
    count: int
    page: int
    pages: int
    results: list[SurvivorSummary]


class SurvivorSearch(InputSchema):
    q: str = Field(
        min_length=1, max_length=200, description="Record number ('S-00042'), phone or exact name"
    )
    page: StrictInt = Field(1, ge=1)


TEXT_FIELDS = {
    name for name, info in SurvivorFields.model_fields.items() if info.annotation == str | None
}


def _data(payload):
    """Fields sent, with null meaning 'blank' for text, choices and the race list."""
    data = payload.dict(exclude_unset=True)
    for name, value in data.items():
        if value is None and name in TEXT_FIELDS:
            data[name] = ""
        elif value is None and name == "race_ethnicity":
            data[name] = []
    return data


def _page(request, term, page):
    membership = require_person_access(request.user)
    survivors, by = survivors_for_user(request.user).search(term)
    found = page_of(survivors.for_list(), page)
    if by:
        actions.survivor_search(
            membership.organization, actor=request.user, by=by, results=found["count"]
        )
    return found


@router.get("/survivors", response=SurvivorPage)
def list_survivors(request, page: int = Query(1, ge=1)):
    """Everyone, a page at a time. To search, POST to /survivors/search."""
    if "q" in request.GET:
        # Refused rather than ignored: ignoring it would answer a search with everyone.
        raise ValidationError(
            {"q": "Search with POST /api/v1/survivors/search: a term in a URL is logged."}
        )
    return _page(request, "", page)


# Declared before /survivors/{survivor_id}, which would otherwise take "search" for an id.
@router.post("/survivors/search", response=SurvivorPage)
def search_survivors(request, payload: SurvivorSearch):
    """By record number, phone or exact name. The term travels in the body, never the URL,
    so it stays out of access logs; the audit trail records the kind of search, not the term."""
    if not payload.q.strip():
        raise ValidationError({"q": "Give a record number, a phone number or a name."})
    return _page(request, payload.q, payload.page)


@router.post("/survivors", response={201: SurvivorOut})
@decorate_view(atomic_write)
def create_survivor(request, payload: SurvivorCreate):
    membership = require_person_access(request.user)
    survivor = actions.survivor_create(
        membership.organization, actor=request.user, data=_data(payload)
    )
    return Status(201, survivor)


@router.get("/survivors/{survivor_id}", response=SurvivorOut)
def read_survivor(request, survivor_id: int):
    survivor = get_survivor_for_user(request.user, survivor_id)
    actions.survivor_view(survivor, actor=request.user, detail={"via": "api"})
    return survivor


@router.patch("/survivors/{survivor_id}", response=SurvivorOut)
@decorate_view(atomic_write)
def update_survivor(request, survivor_id: int, payload: SurvivorUpdate):
    survivor = get_survivor_for_user(request.user, survivor_id, write=True)
    return actions.survivor_update(survivor, actor=request.user, data=_data(payload))
