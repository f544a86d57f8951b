"""Survivors over JSON: the same access rules and the same audited actions as the pages."""

from datetime import date, datetime

from django.conf import settings
from django.core.paginator import Paginator
from ninja import Field, Router, Schema

from thrive.accounts.access import require_person_access
from thrive.survivors import actions
from thrive.survivors.access import get_survivor_for_user, survivors_for_user

router = Router(tags=["survivors"])


class SurvivorFields(Schema):
    """Every field is optional on update; choices are validated against the model's lists."""

    preferred_name: str | None = None
    legal_name: str | None = None
    aliases: str | None = Field(None, description="One per line.")
    date_of_birth: date | None = None
    age_at_intake: int | None = None
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
    age_first_trafficked: int | None = None
    age_first_trafficked_missing: str | None = None
    referral_source: str | None = None
    prior_services: str | None = None
    education_level: str | None = None
    income_at_intake: str | None = None
    housing_at_intake: str | None = None
    prior_arrests: int | None = None
    prior_arrests_missing: str | None = None
    foster_care_history: str | None = None
    homelessness_history: str | None = None


class SurvivorCreate(SurvivorFields):
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


def _data(payload):
    """Fields sent, with null meaning 'blank' for text and choices."""
    data = payload.dict(exclude_unset=True)
    text_fields = {
        name for name, info in SurvivorFields.model_fields.items() if info.annotation == str | None
    }
    return {k: ("" if v is None and k in text_fields else v) for k, v in data.items()}


@router.get("/survivors", response=SurvivorPage)
def list_survivors(request, q: str = "", page: int = 1):
    membership = require_person_access(request.user)
    survivors, by = survivors_for_user(request.user).search(q)
    paginator = Paginator(survivors, settings.THRIVE_PAGE_SIZE)
    current = paginator.get_page(page)
    if by:
        actions.survivor_search(
            membership.organization, actor=request.user, by=by, results=paginator.count
        )
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "results": list(current),
    }


@router.post("/survivors", response={201: SurvivorOut})
def create_survivor(request, payload: SurvivorCreate):
    membership = require_person_access(request.user)
    survivor = actions.survivor_create(
        membership.organization, actor=request.user, data=_data(payload)
    )
    return 201, survivor


@router.get("/survivors/{survivor_id}", response=SurvivorOut)
def read_survivor(request, survivor_id: int):
    survivor = get_survivor_for_user(request.user, survivor_id)
    actions.survivor_view(survivor, actor=request.user, detail={"via": "api"})
    return survivor


@router.patch("/survivors/{survivor_id}", response=SurvivorOut)
def update_survivor(request, survivor_id: int, payload: SurvivorFields):
    survivor = get_survivor_for_user(request.user, survivor_id, write=True)
    return actions.survivor_update(survivor, actor=request.user, data=_data(payload))
