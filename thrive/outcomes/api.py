"""Outcomes over JSON: the instrument, the survivor's assessments and progress, the outcome
events an evaluator counts, and graduation through a supervisor's approval. The same access
rules and the same audited actions as the pages.

The instrument is reference data, readable with any token. Everything else is a person's
record: for the case roles of the organization, and reading it is recorded in the audit trail
as reading the case. An assessment's levels are keyed by domain code (`{"housing": 3, ...}`),
null (or "na" when sent) where a domain does not apply to the survivor; an error about one
domain is a 400 under that domain's code.
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import StrictInt

from thrive.cases.access import get_case_for_user, require_case_access
from thrive.cases.actions import case_view
from thrive.cases.api import Paging, PersonOut, choice_of
from thrive.cases.models import Case
from thrive.lib.api import (
    READ_ERRORS,
    ApiTokenAuth,
    InputSchema,
    api_field_names,
    atomic_write,
    page_of,
)
from thrive.outcomes import actions
from thrive.outcomes.access import (
    get_assessment_for_user,
    get_outcome_event_for_user,
    get_review_for_user,
)
from thrive.outcomes.models import Assessment, GraduationReview, Instrument, OutcomeEvent
from thrive.outcomes.progress import change_from_baseline

MAX_VERSION = 2**31 - 1  # the largest instrument version the column holds


def _assessment_for_user(user, pk, *, write=False):
    """Assessments are recorded on their case and never changed through their own id."""
    return get_assessment_for_user(user, pk)


def _outcome_event_for_user(user, pk, *, write=False):
    return get_outcome_event_for_user(user, pk)


def _review_for_user(user, pk, *, write=False):
    """Deciding on a review (the only write through its id) is for supervisors."""
    return get_review_for_user(user, pk, decide=write)


router = Router(
    tags=["outcomes"],
    auth=ApiTokenAuth(
        people=True,
        require=require_case_access,
        records={
            "case_id": get_case_for_user,
            "assessment_id": _assessment_for_user,
            "event_id": _outcome_event_for_user,
            "review_id": _review_for_user,
        },
    ),
)

AssessmentKind = choice_of(Assessment.Kind)
EventKind = choice_of(OutcomeEvent.Kind)
EventSource = choice_of(OutcomeEvent.Source)
Offense = choice_of(OutcomeEvent.Offense)
Compelled = choice_of(OutcomeEvent.Compelled)
ReviewStatus = choice_of(GraduationReview.Status)
CaseStatus = choice_of(Case.Status)
Improvement = Literal["", "measurable", "substantial"]
IMPROVEMENT = (
    "'measurable' for a rise of at least half a level, 'substantial' for at least one, '' "
    "otherwise."
)


def _number(value):
    """A mean level for JSON: two decimal places are all a five-level scale needs."""
    return None if value is None else round(float(value), 2)


# The instrument: reference data, no person.


class LevelOut(Schema):
    number: int
    name: str
    name_es: str


class DomainOut(Schema):
    code: str
    order: int
    name: str
    name_es: str
    may_be_not_applicable: bool = Field(
        description="Whether 'na' (not applicable to this survivor) may be recorded."
    )
    anchors: dict[str, dict[str, str]] = Field(
        description="What each level looks like in this domain: "
        '{"1": {"en": "...", "es": "..."}, ...}.'
    )


class InstrumentOut(Schema):
    code: str
    version: int
    name: str
    is_default: bool = Field(description="Used by programs that chose no instrument of their own.")
    levels: list[LevelOut]
    domains: list[DomainOut] = Field(description="In the instrument's order.")

    @staticmethod
    def resolve_levels(obj):
        return list(obj.levels.all())

    @staticmethod
    def resolve_domains(obj):
        return list(obj.domains.all())


class InstrumentRef(Schema):
    code: str
    version: int


# Assessments


class AssessmentOut(Schema):
    id: int
    case_id: int
    kind: AssessmentKind
    assessed_on: date
    assessor: PersonOut
    instrument: InstrumentRef
    levels: dict[str, int | None] = Field(
        description="Every domain of the instrument by code, in its order; null where the "
        "domain does not apply to the survivor."
    )
    mean_level: float | None = Field(description="The mean over the applicable domains.")
    notes: dict[str, str] = Field(description="The notes recorded, by domain code (only those).")
    created_at: datetime

    @staticmethod
    def resolve_levels(obj):
        return {s.domain.code: s.level for s in obj.scores.all()}

    @staticmethod
    def resolve_mean_level(obj):
        return _number(obj.mean_level)

    @staticmethod
    def resolve_notes(obj):
        return {s.domain.code: s.note for s in obj.scores.all() if s.note}


class AssessmentPage(Schema):
    count: int
    page: int
    pages: int
    results: list[AssessmentOut]


class InstrumentChoice(InputSchema):
    code: str = Field(max_length=40)
    version: StrictInt = Field(ge=1, le=MAX_VERSION)


class AssessmentCreate(InputSchema):
    kind: AssessmentKind | None = Field(None, description="Required.")
    assessed_on: date | None = Field(
        None, description="Required: not before the case opened, not in the future."
    )
    levels: dict[str, Any] = Field(
        {},
        description='Every domain of the instrument by code: a level number, or "na" where '
        "the domain may be not applicable. An error about a domain is filed under its code.",
    )
    notes: dict[str, Annotated[str, Field(max_length=20_000)]] = Field(
        {}, description="Optional notes by domain code."
    )
    instrument: InstrumentChoice | None = Field(
        None, description="The instrument version used; the case's program's when not given."
    )


# Progress and graduation readiness


class DomainBelowOut(Schema):
    code: str
    name: str
    name_es: str
    level: int


class ReadinessOut(Schema):
    ready: bool = Field(
        description="Whether every applicable domain of the latest assessment is at the "
        "program's level."
    )
    threshold: int = Field(description="The level every domain must reach: the program's.")
    assessment_id: int | None = Field(description="The latest assessment; null when none.")
    assessed_on: date | None
    below: list[DomainBelowOut] = Field(description="The domains still below the threshold.")


class DomainChangeOut(Schema):
    code: str
    baseline: int
    current: int
    change: int
    improvement: Improvement = Field(description=IMPROVEMENT)


class OverallChangeOut(Schema):
    baseline: float | None = Field(
        description="The baseline's mean over the domains applicable at both times."
    )
    current: float | None = Field(description="The latest mean over those same domains.")
    change: float | None
    improvement: Improvement = Field(description=IMPROVEMENT)


class SeriesPointOut(Schema):
    assessment_id: int
    assessed_on: date
    kind: AssessmentKind
    mean_level: float | None


class ProgressOut(Schema):
    readiness: ReadinessOut
    baseline_assessment_id: int | None = Field(description="The first assessment.")
    latest_assessment_id: int | None
    domains: list[DomainChangeOut] = Field(
        description="Change from the baseline for each domain applicable at both times."
    )
    overall: OverallChangeOut
    series: list[SeriesPointOut] = Field(description="Each assessment's mean level, oldest first.")


# Outcome events


class OutcomeEventOut(Schema):
    id: int
    case_id: int
    kind: EventKind
    occurred_on: date
    source: EventSource
    offense_category: Offense | Literal[""]
    compelled: Compelled | Literal[""] = Field(
        description="Whether a trafficker compelled the act (arrests and convictions)."
    )
    note: str
    recorded_by: PersonOut
    created_at: datetime


class OutcomeEventPage(Schema):
    count: int
    page: int
    pages: int
    results: list[OutcomeEventOut]


class OutcomeEventCreate(InputSchema):
    kind: EventKind
    occurred_on: date = Field(description="Not in the future.")
    source: EventSource = Field(description="Who told the program.")
    offense_category: Offense | Literal[""] = Field(
        "", description="Required for a re-arrest or reconviction; none for other events."
    )
    compelled: Compelled | Literal[""] = Field(
        "",
        description="For a re-arrest or reconviction: was the act one a trafficker compelled?",
    )
    note: str = Field("", max_length=20_000)


# Graduation


class ReviewOut(Schema):
    id: int
    case_id: int
    case_status: CaseStatus = Field(description="The case's status now: 'graduated' once approved.")
    status: ReviewStatus
    assessment_id: int = Field(description="The latest assessment when it was requested.")
    threshold: int = Field(description="The program's level when it was requested.")
    requested_by: PersonOut
    requested_at: datetime
    request_note: str
    decided_by: PersonOut | None
    decided_at: datetime | None
    decision_note: str
    graduated_on: date | None

    @staticmethod
    def resolve_case_status(obj):
        return obj.case.status


class GraduationOut(Schema):
    case_status: CaseStatus
    may_graduate: bool = Field(description="Whether the case's status lets it graduate now.")
    readiness: ReadinessOut
    reviews: list[ReviewOut] = Field(description="Newest first.")


class GraduationRequest(InputSchema):
    note: str = Field("", max_length=20_000, description="For the supervisor.")


class GraduationApproval(InputSchema):
    graduated_on: date | None = Field(None, description="Today when not given.")
    note: str = Field("", max_length=20_000)


class GraduationDecline(InputSchema):
    note: str = Field(
        "", max_length=20_000, description="Required: why, so the case manager knows."
    )


# Helpers


def _view(case, request, part):
    case_view(case, actor=request.user, detail={"via": "api", "part": part})


def _assessments(queryset):
    return queryset.select_related("instrument", "assessor").prefetch_related("scores__domain")


def _assessment_out(assessment):
    """The assessment as stored, fetched afresh with all it names."""
    return _assessments(Assessment.objects.filter(pk=assessment.pk)).get()


def _reviews(queryset):
    return queryset.select_related("case", "requested_by", "decided_by")


def _review_out(review):
    return _reviews(GraduationReview.objects.filter(pk=review.pk)).get()


def _readiness(case):
    assessment, ready, below = actions.case_readiness(case)
    levels = {s.domain.code: s.level for s in assessment.scores.all()} if assessment else {}
    return {
        "ready": ready,
        "threshold": case.program.graduation_level,
        "assessment_id": assessment.pk if assessment else None,
        "assessed_on": assessment.assessed_on if assessment else None,
        "below": [
            {"code": d.code, "name": d.name, "name_es": d.name_es, "level": levels[d.code]}
            for d in below
        ],
    }


def _instrument(payload, case):
    if payload.instrument is None:
        return actions.instrument_for(case.program)
    chosen = Instrument.objects.filter(
        code=payload.instrument.code, version=payload.instrument.version
    ).first()
    if chosen is None:
        raise ValidationError({"instrument": _("No instrument has this code and version.")})
    return chosen


# Instruments


@router.get(
    "/outcomes/instruments",
    response={200: list[InstrumentOut], **READ_ERRORS},
    auth=ApiTokenAuth(),
    url_name="outcome_instruments",
)
def list_instruments(request):
    """Every instrument version, each with its levels and its domains (with what each level
    looks like in each domain, in English and Spanish). No person: any role may read it."""
    return Instrument.objects.prefetch_related("levels", "domains").order_by("code", "-version")


@router.get(
    "/outcomes/instruments/{code}/{version}",
    response={200: InstrumentOut, **READ_ERRORS},
    auth=ApiTokenAuth(),
    url_name="outcome_instrument",
)
def read_instrument(request, code: str, version: Annotated[int, Path(ge=1, le=MAX_VERSION)]):
    """One instrument version, e.g. `soa/1`."""
    instrument = (
        Instrument.objects.prefetch_related("levels", "domains")
        .filter(code=code, version=version)
        .first()
    )
    if instrument is None:
        raise Http404
    return instrument


# Assessments


@router.get("/cases/{case_id}/assessments", response={200: AssessmentPage, **READ_ERRORS})
def list_assessments(request, case_id: int, paging: Query[Paging]):
    """The case's outcome assessments, oldest first, a page at a time."""
    case = get_case_for_user(request.user, case_id)
    _view(case, request, "assessments")
    assessments = _assessments(case.assessments.all()).order_by("assessed_on", "pk")
    return page_of(assessments, paging.page)


@router.post("/cases/{case_id}/assessments", response={201: AssessmentOut, **READ_ERRORS})
@decorate_view(atomic_write)
def record_assessment(request, case_id: int, payload: AssessmentCreate):
    """Record an assessment of the case's survivor: a level for every domain of the
    instrument ("na" where the domain allows it). Nothing is saved on any error; each is a 400
    under the domain's code or the field it is about. An intake or periodic assessment
    schedules the next one, the program's interval later."""
    case = get_case_for_user(request.user, case_id, write=True)
    instrument = _instrument(payload, case)
    codes = set(instrument.domains.values_list("code", flat=True))
    unknown = sorted(set(payload.notes) - codes)
    if unknown:
        raise ValidationError(
            {
                "notes": [
                    _("This instrument has no domain '%(code)s'.") % {"code": c} for c in unknown
                ]
            }
        )
    assessment = actions.assessment_record(
        case,
        actor=request.user,
        instrument=instrument,
        kind=payload.kind,
        assessed_on=payload.assessed_on,
        levels=payload.levels,
        notes=payload.notes,
    )
    return Status(201, _assessment_out(assessment))


@router.get("/assessments/{assessment_id}", response={200: AssessmentOut, **READ_ERRORS})
def read_assessment(request, assessment_id: int):
    """One assessment with its levels and notes. Reading it is recorded as reading its case."""
    assessment = get_assessment_for_user(request.user, assessment_id)
    _view(assessment.case, request, "assessments")
    return _assessment_out(assessment)


@router.get("/cases/{case_id}/progress", response={200: ProgressOut, **READ_ERRORS})
def case_progress(request, case_id: int):
    """Where the survivor stands: readiness to graduate against the program's level, change
    from the first assessment (the baseline) to the latest, per domain and overall, and the
    mean level of each assessment."""
    case = get_case_for_user(request.user, case_id)
    _view(case, request, "progress")
    series = list(_assessments(case.assessments.all()).order_by("assessed_on", "pk"))
    per_domain, overall = {}, {"baseline": None, "current": None, "change": None}
    overall["improvement"] = ""
    if series:
        per_domain, overall = change_from_baseline(series[0].levels(), series[-1].levels())
    return {
        "readiness": _readiness(case),
        "baseline_assessment_id": series[0].pk if series else None,
        "latest_assessment_id": series[-1].pk if series else None,
        "domains": [
            {
                "code": code,
                "baseline": before,
                "current": after,
                "change": change,
                "improvement": grade,
            }
            for code, (before, after, change, grade) in per_domain.items()
        ],
        "overall": {
            "baseline": _number(overall["baseline"]),
            "current": _number(overall["current"]),
            "change": _number(overall["change"]),
            "improvement": overall["improvement"],
        },
        "series": [
            {
                "assessment_id": a.pk,
                "assessed_on": a.assessed_on,
                "kind": a.kind,
                "mean_level": _number(a.mean_level),
            }
            for a in series
        ],
    }


# Outcome events


def _events(queryset):
    return queryset.select_related("recorded_by")


@router.get("/cases/{case_id}/outcome-events", response={200: OutcomeEventPage, **READ_ERRORS})
def list_outcome_events(request, case_id: int, paging: Query[Paging]):
    """The case's outcome events, oldest first, a page at a time."""
    case = get_case_for_user(request.user, case_id)
    _view(case, request, "outcome_events")
    return page_of(_events(case.outcome_events.all()).order_by("occurred_on", "pk"), paging.page)


@router.post("/cases/{case_id}/outcome-events", response={201: OutcomeEventOut, **READ_ERRORS})
@decorate_view(atomic_write)
def record_outcome_event(request, case_id: int, payload: OutcomeEventCreate):
    """Record a re-exploitation, re-arrest, reconviction, return to services, homelessness
    episode or hospitalization. A re-arrest or reconviction needs its offense category; the
    other events take none."""
    case = get_case_for_user(request.user, case_id, write=True)
    event = actions.outcome_event_record(case, actor=request.user, data=payload.dict())
    return Status(201, _events(OutcomeEvent.objects.filter(pk=event.pk)).get())


@router.get("/outcome-events/{event_id}", response={200: OutcomeEventOut, **READ_ERRORS})
def read_outcome_event(request, event_id: int):
    """One outcome event. Reading it is recorded as reading its case."""
    event = get_outcome_event_for_user(request.user, event_id)
    _view(event.case, request, "outcome_events")
    return _events(OutcomeEvent.objects.filter(pk=event.pk)).get()


# Graduation


@router.get("/cases/{case_id}/graduation", response={200: GraduationOut, **READ_ERRORS})
def case_graduation(request, case_id: int):
    """Readiness to graduate, and the case's graduation requests with their decisions."""
    case = get_case_for_user(request.user, case_id)
    _view(case, request, "graduation")
    return {
        "case_status": case.status,
        "may_graduate": case.may_graduate(),
        "readiness": _readiness(case),
        "reviews": list(_reviews(case.graduation_reviews.all())),
    }


@router.post("/cases/{case_id}/graduation", response={201: ReviewOut, **READ_ERRORS})
@decorate_view(atomic_write)
def request_graduation(request, case_id: int, payload: GraduationRequest):
    """Ask a supervisor to approve graduation. Refused (400) unless the case may graduate now
    and every applicable domain of its latest assessment is at the program's level; the
    message names the domains still below."""
    case = get_case_for_user(request.user, case_id, write=True)
    review = actions.graduation_request(case, actor=request.user, note=payload.note)
    return Status(201, _review_out(review))


@router.post("/graduation-reviews/{review_id}/approve", response={200: ReviewOut, **READ_ERRORS})
@decorate_view(atomic_write)
def approve_graduation(request, review_id: int, payload: GraduationApproval):
    """Approve a pending request (supervisors and program directors): the case graduates on
    `graduated_on` and its follow-ups after exit are scheduled. Readiness is checked again; a
    request already decided is a 400."""
    review = get_review_for_user(request.user, review_id, decide=True)
    with api_field_names({"ended_on": "graduated_on", "decision_note": "note"}):
        review = actions.graduation_approve(
            review, actor=request.user, graduated_on=payload.graduated_on, note=payload.note
        )
    return _review_out(review)


@router.post("/graduation-reviews/{review_id}/decline", response={200: ReviewOut, **READ_ERRORS})
@decorate_view(atomic_write)
def decline_graduation(request, review_id: int, payload: GraduationDecline):
    """Decline a pending request (supervisors and program directors), saying why in `note`;
    the case manager may ask again later."""
    review = get_review_for_user(request.user, review_id, decide=True)
    with api_field_names({"decision_note": "note"}):
        review = actions.graduation_decline(review, actor=request.user, note=payload.note)
    return _review_out(review)
