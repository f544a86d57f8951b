"""Cases, service plans, notes and tasks over JSON: the same access rules and the same audited
actions as the pages.

Conventions: dates are ISO 8601 (`2026-03-01`), times ISO 8601 with an offset. An edit sends
the `version` it started from; if someone saved since, the answer is 409 with who changed
which fields, and nothing is saved. Ids named in a body (`program_id`, `case_manager_id`...)
must be records the caller may choose from, or the answer is 400 with a message under that
field. A PATCH changes only the fields sent; null blanks an optional field.
"""

from datetime import date, datetime
from typing import Literal

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import StrictInt

from thrive.cases import actions
from thrive.cases.access import (
    case_workers_for_user,
    cases_for_user,
    get_case_for_user,
    get_goal_for_user,
    get_step_for_user,
    get_task_for_user,
    programs_for_user,
    require_case_access,
    require_case_supervisor,
)
from thrive.cases.models import ActionStep, Case, CaseEvent, CaseNote, Goal, Program, Task
from thrive.lib.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiTokenAuth,
    InputSchema,
    References,
    api_field_names,
    atomic_write,
    page_of,
)
from thrive.outcomes.models import Domain, Instrument
from thrive.survivors.access import survivors_for_user

router = Router(
    tags=["cases"],
    auth=ApiTokenAuth(
        people=True,
        require=require_case_access,
        records={
            "case_id": get_case_for_user,
            "goal_id": get_goal_for_user,
            "step_id": get_step_for_user,
            "task_id": get_task_for_user,
        },
    ),
)


def choice_of(choices):
    """A TextChoices as an enumeration in the schema, inline (so that the several models'
    `Status` never collide in the OpenAPI components)."""
    return Literal[tuple(choices.values)]


CaseStatus = choice_of(Case.Status)
RiskLevel = choice_of(Case.Risk)
TraffickingType = choice_of(Case.TraffickingType)
ClosureReason = choice_of(Case.ClosureReason)
GoalStatus = choice_of(Goal.Status)
StepOwner = choice_of(ActionStep.Owner)
NoteContact = choice_of(CaseNote.Contact)
TaskStatus = choice_of(Task.Status)

VERSION = Field(
    description="The version you started from (from the record you read). If someone saved "
    "since, the answer is 409 and nothing is saved."
)
OPTIONAL_VERSION = Field(
    None, description="The version you started from; when given, a stale one is a 409."
)
NO_COLLEAGUE = _(
    "No case manager, supervisor or program director of your organization has this id."
)


MAX_ID = 2**63 - 1  # the largest id a database column holds


class Paging(Schema):
    page: int = Field(1, ge=1, description="From 1.")


# Output: what any case role of the organization may read.


class PersonOut(Schema):
    id: int
    username: str
    name: str = Field(description="Full name, or the username when none is recorded.")

    @staticmethod
    def resolve_name(obj):
        return obj.get_full_name() or obj.username


class SurvivorRef(Schema):
    id: int
    record_label: str = Field(description="'S-00042'")
    display_name: str = Field(description="The preferred name, or else the legal name.")


class ProgramRef(Schema):
    id: int
    name: str
    kind: choice_of(Program.Kind)


class CaseRef(Schema):
    id: int
    label: str = Field(description="'C-00042'")


class CaseSummary(Schema):
    id: int
    label: str = Field(description="'C-00042'")
    survivor: SurvivorRef
    program: ProgramRef
    case_manager: PersonOut | None
    status: CaseStatus
    risk_level: RiskLevel
    trafficking_type: TraffickingType
    opened_on: date
    ended_on: date | None = Field(description="The date of graduation or closure.")
    last_contact_on: date | None = Field(description="The latest contact with the survivor.")
    overdue_tasks: int
    next_due_on: date | None = Field(description="When the next open task falls due.")
    goals_achieved: int
    goals_total: int = Field(description="Goals not discontinued.")
    version: int


class CasePage(Schema):
    count: int
    page: int
    pages: int
    results: list[CaseSummary]


class CaseOut(Schema):
    id: int
    label: str = Field(description="'C-00042'")
    survivor: SurvivorRef
    program: ProgramRef
    case_manager: PersonOut | None
    team: list[PersonOut]
    status: CaseStatus
    next_statuses: list[CaseStatus] = Field(
        description="Where the status may go from here. Graduation goes through a "
        "supervisor's approval: POST /cases/{id}/graduation."
    )
    risk_level: RiskLevel
    trafficking_type: TraffickingType
    opened_on: date
    ended_on: date | None = Field(description="The date of graduation or closure.")
    closure_reason: ClosureReason | Literal[""]
    last_contact_on: date | None
    days_since_contact: int | None
    may_change: bool = Field(description="Whether you may change this case.")
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_team(obj):
        return list(obj.team.all())

    @staticmethod
    def resolve_may_change(obj, context):
        return obj.may_be_written_by(context["request"].user)


class CaseEventOut(Schema):
    kind: choice_of(CaseEvent.Kind)
    at: datetime
    actor: PersonOut | None = Field(description="Null for records the system loaded.")
    from_status: CaseStatus | Literal[""]
    to_status: CaseStatus | Literal[""]
    from_user: PersonOut | None
    to_user: PersonOut | None
    from_program: ProgramRef | None
    to_program: ProgramRef | None
    reason: ClosureReason | Literal[""]


class StepOut(Schema):
    id: int
    goal_id: int
    description: str
    owner: StepOwner
    assignee: PersonOut | None = Field(description="The staff member, for a staff step.")
    due_on: date | None
    done_on: date | None


class GoalOut(Schema):
    id: int
    case_id: int
    domain: str = Field(description="The outcome domain's code, e.g. 'housing'.")
    domain_label: str
    description: str
    target_date: date | None
    status: GoalStatus
    notes: str
    achieved_on: date | None
    steps: list[StepOut]
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_domain(obj):
        return obj.domain.code

    @staticmethod
    def resolve_domain_label(obj):
        return obj.domain.label

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


class NoteOut(Schema):
    id: int
    case_id: int
    contact: NoteContact
    noted_on: date
    body: str
    author: PersonOut
    created_at: datetime


class NotePage(Schema):
    count: int
    page: int
    pages: int
    results: list[NoteOut]


class TaskOut(Schema):
    id: int
    case: CaseRef
    title: str
    due_on: date
    remind_on: date | None
    assignee: PersonOut
    status: TaskStatus
    is_overdue: bool
    completed_at: datetime | None
    completed_by: PersonOut | None
    version: int
    created_at: datetime
    updated_at: datetime


class TaskPage(Schema):
    count: int
    page: int
    pages: int
    results: list[TaskOut]


# Input. Required fields the models require are checked by the models, with the pages' messages.


class CaseCreate(InputSchema):
    survivor_id: StrictInt
    program_id: StrictInt
    case_manager_id: StrictInt | None = None
    team_ids: list[StrictInt] = Field([], description="The case team, beside the case manager.")
    risk_level: RiskLevel = Case.Risk.MEDIUM.value
    trafficking_type: TraffickingType = Case.TraffickingType.UNKNOWN.value
    opened_on: date | None = Field(None, description="Today when not given.")


class CaseUpdate(InputSchema):
    version: StrictInt = VERSION
    risk_level: RiskLevel | None = None
    trafficking_type: TraffickingType | None = None
    opened_on: date | None = None
    team_ids: list[StrictInt] | None = Field(None, description="The whole team, replaced.")


class StatusChange(InputSchema):
    to: CaseStatus = Field(description="The new status; see the case's `next_statuses`.")
    on: date | None = Field(None, description="The date of a graduation or closure; today.")
    reason: ClosureReason | None = Field(None, description="Required to close a case.")
    note: str = Field("", description="Kept as a case note.")
    version: StrictInt | None = OPTIONAL_VERSION


class Reassignment(InputSchema):
    case_manager_id: StrictInt | None = Field(description="The new case manager; null for none.")
    version: StrictInt | None = OPTIONAL_VERSION


class Transfer(InputSchema):
    program_id: StrictInt = Field(description="A program of the same organization.")
    case_manager_id: StrictInt | None = Field(None, description="A new case manager, if any.")
    version: StrictInt | None = OPTIONAL_VERSION


class GoalCreate(InputSchema):
    domain: str = Field(description="The outcome domain's code, e.g. 'housing'.")
    description: str
    target_date: date | None = None
    status: GoalStatus = Goal.Status.NOT_STARTED.value
    notes: str = ""


class GoalUpdate(InputSchema):
    version: StrictInt = VERSION
    domain: str | None = Field(None, description="The outcome domain's code.")
    description: str | None = None
    target_date: date | None = None
    status: GoalStatus | None = None
    notes: str | None = None


class StepCreate(InputSchema):
    description: str
    owner: StepOwner = Field(description="Whose step: the survivor's own, or staff's.")
    assignee_id: StrictInt | None = Field(None, description="The staff member, for a staff step.")
    due_on: date | None = None


class StepDone(InputSchema):
    on: date | None = Field(None, description="Today when not given.")


class NoteCreate(InputSchema):
    body: str
    contact: NoteContact = CaseNote.Contact.NONE.value
    noted_on: date | None = Field(None, description="Today when not given.")


class TaskCreate(InputSchema):
    title: str
    due_on: date
    remind_on: date | None = None
    assignee_id: StrictInt | None = Field(None, description="You, when not given.")


class TaskUpdate(InputSchema):
    version: StrictInt = VERSION
    title: str | None = None
    due_on: date | None = None
    remind_on: date | None = None
    assignee_id: StrictInt | None = None


class TaskDone(InputSchema):
    status: Literal["done", "cancelled"] = Field(
        "done", description="'cancelled' closes the task without doing it."
    )
    version: StrictInt | None = OPTIONAL_VERSION


# Helpers


def _sent(payload, *, text=(), drop=(), null_is_default=()):
    """The fields sent: null means blank for `text` fields and the model's default (today,
    say) for `null_is_default` ones."""
    data = payload.dict(exclude_unset=True, exclude=set(drop))
    for name in text:
        if name in data and data[name] is None:
            data[name] = ""
    for name in null_is_default:
        if name in data and data[name] is None:
            del data[name]
    return data


def _domain(refs, code):
    return refs.one(
        Domain.objects.filter(instrument=Instrument.objects.default()),
        code,
        "domain",
        _("The outcome assessment has no domain with this code."),
        by="code",
    )


def _view(case, request, part=None):
    detail = {"via": "api"} if part is None else {"via": "api", "part": part}
    actions.case_view(case, actor=request.user, detail=detail)


def _case_out(request, case):
    """The case as answered after a write: fetched afresh, so the answer is what is stored."""
    cases = cases_for_user(request.user).select_related("survivor", "program", "case_manager")
    return cases.get(pk=case.pk)


CASE_FIELD_NAMES = {
    "survivor": "survivor_id",
    "program": "program_id",
    "case_manager": "case_manager_id",
    "team": "team_ids",
}


# Cases


class CaseFilters(Schema):
    status: CaseStatus | None = Field(None, description="Only cases in this status.")
    program_id: int | None = Field(None, ge=1, le=MAX_ID, description="Only this program's cases.")
    case_manager_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Only this case manager's cases."
    )
    mine: bool | None = Field(
        None, description="true: only cases you manage or are on the team of."
    )
    open: bool | None = Field(
        None, description="true: only open cases; false: only graduated or closed ones."
    )
    page: int = Field(1, ge=1)


@router.get("/cases", response={200: CasePage, **READ_ERRORS})
def list_cases(request, filters: Query[CaseFilters]):
    """Your organization's cases, newest first, a page at a time, with what a caseload shows."""
    cases = cases_for_user(request.user)
    if filters.status is not None:
        cases = cases.filter(status=filters.status)
    if filters.program_id is not None:
        cases = cases.filter(program_id=filters.program_id)
    if filters.case_manager_id is not None:
        cases = cases.filter(case_manager_id=filters.case_manager_id)
    if filters.mine:
        on_team = Case.team.through.objects.filter(user_id=request.user.pk).values("case_id")
        cases = cases.filter(Q(case_manager_id=request.user.pk) | Q(pk__in=on_team))
    if filters.open is True:
        cases = cases.open()
    elif filters.open is False:
        cases = cases.filter(status__in=Case.ENDED_STATUSES)
    return page_of(cases.for_caseload(), filters.page)


@router.post("/cases", response={201: CaseOut, **READ_ERRORS})
@decorate_view(atomic_write)
def create_case(request, payload: CaseCreate):
    """Enrol a survivor of your organization in one of its programs."""
    user = request.user
    refs = References()
    survivor = refs.one(
        survivors_for_user(user),
        payload.survivor_id,
        "survivor_id",
        _("No survivor of your organization has this id."),
    )
    program = refs.one(
        programs_for_user(user),
        payload.program_id,
        "program_id",
        _("No program of your organization has this id."),
    )
    data = _sent(
        payload,
        drop={"survivor_id", "program_id", "case_manager_id", "team_ids"},
        null_is_default={"opened_on"},
    )
    data["case_manager"] = refs.one(
        case_workers_for_user(user), payload.case_manager_id, "case_manager_id", NO_COLLEAGUE
    )
    data["team"] = refs.many(
        case_workers_for_user(user), payload.team_ids, "team_ids", NO_COLLEAGUE
    )
    refs.check()
    with api_field_names(CASE_FIELD_NAMES):
        case = actions.case_open(survivor, actor=user, program=program, data=data)
    return Status(201, _case_out(request, case))


@router.get("/cases/{case_id}", response={200: CaseOut, **READ_ERRORS})
def read_case(request, case_id: int):
    """The case. Reading it is recorded in the audit trail, as on the page."""
    case = get_case_for_user(request.user, case_id)
    _view(case, request)
    return case


@router.patch("/cases/{case_id}", response={200: CaseOut, **WRITE_ERRORS})
@decorate_view(atomic_write)
def update_case(request, case_id: int, payload: CaseUpdate):
    """Risk level, trafficking type, opening date and team."""
    case = get_case_for_user(request.user, case_id, write=True)
    data = _sent(payload, drop={"version", "team_ids"})
    if payload.team_ids is not None:
        refs = References()
        data["team"] = refs.many(
            case_workers_for_user(request.user), payload.team_ids, "team_ids", NO_COLLEAGUE
        )
        refs.check()
    with api_field_names(CASE_FIELD_NAMES):
        actions.case_update(case, actor=request.user, data=data, expected_version=payload.version)
    return _case_out(request, case)


@router.post("/cases/{case_id}/status", response={200: CaseOut, **WRITE_ERRORS})
@decorate_view(atomic_write)
def change_case_status(request, case_id: int, payload: StatusChange):
    """Activate, hold, graduate, close (with a reason) or reopen the case."""
    case = get_case_for_user(request.user, case_id, write=True)
    names = {"status": "to", "ended_on": "on", "closure_reason": "reason", "body": "note"}
    with api_field_names(names):
        actions.case_change_status(
            case,
            actor=request.user,
            to=payload.to,
            on=payload.on,
            reason=payload.reason or "",
            note=payload.note,
            expected_version=payload.version,
        )
    return _case_out(request, case)


@router.post("/cases/{case_id}/reassign", response={200: CaseOut, **WRITE_ERRORS})
@decorate_view(atomic_write)
def reassign_case(request, case_id: int, payload: Reassignment):
    """Give the case to another case manager (supervisors and program directors)."""
    require_case_supervisor(request.user)
    case = get_case_for_user(request.user, case_id, write=True)
    refs = References()
    case_manager = refs.one(
        case_workers_for_user(request.user),
        payload.case_manager_id,
        "case_manager_id",
        NO_COLLEAGUE,
    )
    refs.check()
    with api_field_names(CASE_FIELD_NAMES):
        actions.case_reassign(
            case, actor=request.user, case_manager=case_manager, expected_version=payload.version
        )
    return _case_out(request, case)


@router.post("/cases/{case_id}/transfer", response={200: CaseOut, **WRITE_ERRORS})
@decorate_view(atomic_write)
def transfer_case(request, case_id: int, payload: Transfer):
    """Move the case to another program of your organization, optionally to a new case
    manager (supervisors and program directors). A case for another organization is a
    referral, not a transfer."""
    require_case_supervisor(request.user)
    case = get_case_for_user(request.user, case_id, write=True)
    refs = References()
    program = refs.one(
        programs_for_user(request.user),
        payload.program_id,
        "program_id",
        _("No program of your organization has this id."),
    )
    case_manager = refs.one(
        case_workers_for_user(request.user),
        payload.case_manager_id,
        "case_manager_id",
        NO_COLLEAGUE,
    )
    refs.check()
    with api_field_names(CASE_FIELD_NAMES):
        actions.case_transfer(
            case,
            actor=request.user,
            program=program,
            case_manager=case_manager,
            expected_version=payload.version,
        )
    return _case_out(request, case)


@router.get("/cases/{case_id}/history", response={200: list[CaseEventOut], **READ_ERRORS})
def case_history(request, case_id: int):
    """Each status change, reassignment and transfer, oldest first."""
    case = get_case_for_user(request.user, case_id)
    _view(case, request, "history")
    return case.events.select_related(
        "actor", "from_user", "to_user", "from_program", "to_program"
    ).order_by("at", "pk")


# Service plan: goals and their action steps


@router.get("/cases/{case_id}/goals", response={200: list[GoalOut], **READ_ERRORS})
def list_goals(request, case_id: int):
    """The case's service plan: its goals, each with its action steps."""
    case = get_case_for_user(request.user, case_id)
    _view(case, request, "goals")
    return case.goals.select_related("domain").prefetch_related(
        Prefetch("steps", queryset=ActionStep.objects.select_related("assignee"))
    )


@router.post("/cases/{case_id}/goals", response={201: GoalOut, **READ_ERRORS})
@decorate_view(atomic_write)
def add_goal(request, case_id: int, payload: GoalCreate):
    case = get_case_for_user(request.user, case_id, write=True)
    refs = References()
    data = _sent(payload, drop={"domain"})
    data["domain"] = _domain(refs, payload.domain)
    refs.check()
    goal = actions.goal_add(case, actor=request.user, data=data)
    return Status(201, goal)


@router.patch("/goals/{goal_id}", response={200: GoalOut, **WRITE_ERRORS})
@decorate_view(atomic_write)
def update_goal(request, goal_id: int, payload: GoalUpdate):
    goal = get_goal_for_user(request.user, goal_id, write=True)
    data = _sent(payload, text={"description", "notes"}, drop={"version", "domain"})
    if "domain" in payload.model_fields_set:
        refs = References()
        data["domain"] = _domain(refs, payload.domain)
        refs.check()
    actions.goal_update(goal, actor=request.user, data=data, expected_version=payload.version)
    return goal


@router.post("/goals/{goal_id}/steps", response={201: StepOut, **READ_ERRORS})
@decorate_view(atomic_write)
def add_step(request, goal_id: int, payload: StepCreate):
    goal = get_goal_for_user(request.user, goal_id, write=True)
    refs = References()
    data = _sent(payload, drop={"assignee_id"})
    data["assignee"] = refs.one(
        case_workers_for_user(request.user), payload.assignee_id, "assignee_id", NO_COLLEAGUE
    )
    refs.check()
    with api_field_names({"assignee": "assignee_id"}):
        step = actions.action_step_add(goal, actor=request.user, data=data)
    return Status(201, step)


@router.post("/steps/{step_id}/done", response={200: StepOut, **READ_ERRORS})
@decorate_view(atomic_write)
def complete_step(request, step_id: int, payload: StepDone):
    """Mark an action step done (send `{}` for today)."""
    step = get_step_for_user(request.user, step_id, write=True)
    with api_field_names({"done_on": "on"}):
        return actions.action_step_complete(step, actor=request.user, on=payload.on)


# Notes


@router.get("/cases/{case_id}/notes", response={200: NotePage, **READ_ERRORS})
def list_notes(request, case_id: int, paging: Query[Paging]):
    """The case's notes, newest first, a page at a time. Notes are kept as written: a
    correction is a new note."""
    case = get_case_for_user(request.user, case_id)
    _view(case, request, "notes")
    return page_of(case.notes.select_related("author"), paging.page)


@router.post("/cases/{case_id}/notes", response={201: NoteOut, **READ_ERRORS})
@decorate_view(atomic_write)
def add_note(request, case_id: int, payload: NoteCreate):
    case = get_case_for_user(request.user, case_id, write=True)
    data = _sent(payload, null_is_default={"noted_on"})
    note = actions.note_add(case, actor=request.user, data=data)
    return Status(201, note)


# Tasks

TASK_FIELD_NAMES = {"assignee": "assignee_id"}


def _tasks(queryset):
    return queryset.select_related("case", "assignee", "completed_by")


class MyTaskFilters(Schema):
    due_within_days: int | None = Field(
        None,
        ge=0,
        le=3660,
        description="Only tasks overdue, due within this many days, or past their reminder.",
    )
    overdue: bool | None = Field(None, description="true: only overdue tasks; false: no overdue.")
    page: int = Field(1, ge=1)


class CaseTaskFilters(Schema):
    status: TaskStatus | None = Field(None, description="Only tasks in this status.")
    page: int = Field(1, ge=1)


@router.get("/tasks", response={200: TaskPage, **READ_ERRORS})
def my_tasks(request, filters: Query[MyTaskFilters]):
    """Your open tasks on your organization's cases, soonest due first."""
    today = timezone.localdate()
    tasks = Task.objects.visible_to(request.user).open().filter(assignee_id=request.user.pk)
    if filters.due_within_days is not None:
        tasks = tasks.falling_due(on=today, within_days=filters.due_within_days)
    if filters.overdue is True:
        tasks = tasks.filter(due_on__lt=today)
    elif filters.overdue is False:
        tasks = tasks.filter(due_on__gte=today)
    return page_of(_tasks(tasks).order_by("due_on", "pk"), filters.page)


@router.get("/cases/{case_id}/tasks", response={200: TaskPage, **READ_ERRORS})
def list_case_tasks(request, case_id: int, filters: Query[CaseTaskFilters]):
    """The case's tasks, soonest due first."""
    case = get_case_for_user(request.user, case_id)
    _view(case, request, "tasks")
    tasks = case.tasks.all()
    if filters.status is not None:
        tasks = tasks.filter(status=filters.status)
    return page_of(_tasks(tasks).order_by("due_on", "pk"), filters.page)


@router.post("/cases/{case_id}/tasks", response={201: TaskOut, **READ_ERRORS})
@decorate_view(atomic_write)
def add_task(request, case_id: int, payload: TaskCreate):
    case = get_case_for_user(request.user, case_id, write=True)
    refs = References()
    data = _sent(payload, drop={"assignee_id"})
    data["assignee"] = (
        refs.one(
            case_workers_for_user(request.user), payload.assignee_id, "assignee_id", NO_COLLEAGUE
        )
        if payload.assignee_id is not None
        else request.user
    )
    refs.check()
    with api_field_names(TASK_FIELD_NAMES):
        task = actions.task_add(case, actor=request.user, data=data)
    return Status(201, task)


@router.patch("/tasks/{task_id}", response={200: TaskOut, **WRITE_ERRORS})
@decorate_view(atomic_write)
def update_task(request, task_id: int, payload: TaskUpdate):
    """Title, dates and assignee. The assignee may change their own task."""
    task = get_task_for_user(request.user, task_id, write=True)
    data = _sent(payload, text={"title"}, drop={"version", "assignee_id"})
    if "assignee_id" in payload.model_fields_set:
        refs = References()
        data["assignee"] = refs.one(
            case_workers_for_user(request.user), payload.assignee_id, "assignee_id", NO_COLLEAGUE
        )
        refs.check()
    with api_field_names(TASK_FIELD_NAMES):
        actions.task_update(task, actor=request.user, data=data, expected_version=payload.version)
    return task


@router.post("/tasks/{task_id}/done", response={200: TaskOut, **WRITE_ERRORS})
@decorate_view(atomic_write)
def complete_task(request, task_id: int, payload: TaskDone):
    """Mark the task done (or cancelled). Send `{}`, or the version you saw to be sure no one
    changed it since."""
    task = get_task_for_user(request.user, task_id, write=True)
    actions.task_complete(
        task, actor=request.user, expected_version=payload.version, status=payload.status
    )
    return task
