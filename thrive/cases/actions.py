"""Audited writes on programs, cases, service plans, notes and tasks.

Each runs in one transaction with its audit event. Updates of a versioned record take the
`expected_version` the editor started from and raise EditConflict if someone saved since.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from thrive.audit.actions import audit_record, audit_record_many
from thrive.audit.models import AuditEvent
from thrive.cases.models import ActionStep, Case, CaseEvent, CaseNote, Goal, Program, Task
from thrive.lib.dates import add_months
from thrive.lib.locking import lock_current, versioned_update

CASE_FIELDS = ["risk_level", "trafficking_type", "opened_on"]
GOAL_FIELDS = ["domain", "description", "target_date", "status", "notes"]
TASK_FIELDS = ["title", "due_on", "remind_on", "assignee"]


def _filled(data):
    return [name for name, value in data.items() if value not in ("", None, [], ())]


def _created(obj, organization, actor, data):
    audit_record(
        obj,
        actor=actor,
        organization=organization,
        action=AuditEvent.Action.CREATE,
        changed_fields=_filled(data),
    )


@transaction.atomic
def program_create(organization, *, actor, data):
    program = Program(organization=organization, **data)
    program.full_clean()
    program.save()
    _created(program, organization, actor, data)
    return program


@transaction.atomic
def case_open(survivor, *, actor, program, data):
    """Enrol a survivor in a program. `data` may name case_manager, team, risk_level,
    trafficking_type, opened_on and external_id."""
    data = dict(data)
    team = data.pop("team", [])
    case = Case(organization=survivor.organization, survivor=survivor, program=program, **data)
    case.full_clean(exclude=["number"])
    case.number = survivor.organization.reserve_numbers("case_sequence", 1)[0]
    case.save()
    if team:
        case.team.set(team)
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.STATUS, to_status=case.status, actor=actor
    )
    _created(case, case.organization, actor, {**data, "program": program, "team": team})
    return case


@transaction.atomic
def cases_bulk_open(organization, cases, *, actor, batch_size=2000):
    """Open many validated cases at once (imports): numbers, history and audit in bulk."""
    cases = list(cases)
    numbers = organization.reserve_numbers("case_sequence", len(cases))
    for number, case in zip(numbers, cases, strict=True):
        case.organization = organization
        case.number = number
    created = Case.objects.bulk_create(cases, batch_size=batch_size)
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(case=c, kind=CaseEvent.Kind.STATUS, to_status=c.status, actor=actor)
            for c in created
        ],
        batch_size=batch_size,
    )
    audit_record_many(
        created,
        actor=actor,
        organization=organization,
        action=AuditEvent.Action.CREATE,
        detail={"bulk": True},
    )
    return created


@transaction.atomic
def case_update(case, *, actor, data, expected_version):
    """Risk level, trafficking type, opening date and team. Returns the changed field names."""
    data = dict(data)
    team = data.pop("team", None)
    case, changed = versioned_update(
        case,
        actor=actor,
        organization=case.organization,
        data=data,
        fields=CASE_FIELDS,
        expected_version=expected_version,
    )
    if case.opened_on and "opened_on" in changed:
        _check_opening_before_activity(case)
    if team is not None and set(team) != set(case.team.all()):
        case.team.set(team)
        if not changed:  # the team alone changed: the version still moves on
            case.version += 1
            case.save(update_fields=["version"])
        audit_record(
            case,
            actor=actor,
            organization=case.organization,
            action=AuditEvent.Action.CHANGE,
            changed_fields=["team"],
            detail={"version": case.version},
        )
        changed.append("team")
    return changed


def _check_opening_before_activity(case):
    """Moving the opening date later must not leave services before it (rolled back)."""
    day = case.services.aggregate(first=Min("delivered_on"))["first"]
    if day and day < case.opened_on:
        raise ValidationError(
            {
                "opened_on": _(
                    "A service was recorded on %(day)s: the case must open on or before it."
                )
                % {"day": day.isoformat()}
            }
        )


def _bump(case, actor, changed, **event):
    """Save a state change of the case with its history row and audit event."""
    case.version += 1
    case.updated_at = timezone.now()
    case.save()
    CaseEvent.objects.create(case=case, actor=actor, **event)
    audit_record(
        case,
        actor=actor,
        organization=case.organization,
        action=AuditEvent.Action.CHANGE,
        changed_fields=changed,
        detail={"version": case.version},
    )
    return case


@transaction.atomic
def case_change_status(
    case, *, actor, to, on=None, reason="", note="", expected_version=None, graduation=None
):
    """Move a case along its lifecycle: activate, hold, graduate, close (with a reason) or
    reopen. `on` dates a graduation or closure (today by default); `note`, if given, is kept
    as a case note. Graduating needs a supervisor's approval: only
    `outcomes.actions.graduation_approve` passes `graduation`, the approved review.

    Ending a case schedules its follow-ups after exit; reopening cancels those still open."""
    stored = lock_current(case, expected_version)
    if to not in Case.TRANSITIONS.get(stored.status, ()):
        raise ValidationError(
            {
                "status": _("A case that is %(now)s cannot become %(to)s.")
                % {
                    "now": Case.Status(stored.status).label.lower(),
                    "to": Case.Status(to).label.lower() if to in Case.Status.values else to,
                }
            }
        )
    if to == Case.Status.GRADUATED and graduation is None:
        raise ValidationError(
            {
                "status": _(
                    "Graduation needs a supervisor's approval: request it from the case's "
                    "progress page."
                )
            }
        )
    case.version = stored.version
    from_status = stored.status
    changed = ["status"]
    case.status = to
    case.closure_reason = reason if to == Case.Status.CLOSED else ""
    if to in Case.ENDED_STATUSES:
        case.ended_on = on or timezone.localdate()
        changed.append("ended_on")
        case.full_clean()
        last_service = case.services.filter(status="delivered").aggregate(d=Max("delivered_on"))
        if last_service["d"] and last_service["d"] > case.ended_on:
            raise ValidationError(
                {
                    "ended_on": _("A service was delivered on %(day)s, after this date.")
                    % {"day": last_service["d"].isoformat()}
                }
            )
    elif to == Case.Status.REOPENED:
        case.ended_on = None
        changed.append("ended_on")
    if stored.closure_reason != case.closure_reason:
        changed.append("closure_reason")
    case.full_clean()
    case.status_changed_at = timezone.now()
    _bump(
        case,
        actor,
        changed,
        kind=CaseEvent.Kind.STATUS,
        from_status=from_status,
        to_status=to,
        reason=case.closure_reason,
    )
    if note:
        note_add(case, actor=actor, data={"body": note, "contact": CaseNote.Contact.NONE})
    if to in Case.ENDED_STATUSES:
        _close_scheduled(case, actor, Task.Purpose.ASSESSMENT)
        _schedule_follow_ups(case, actor)
    elif to == Case.Status.REOPENED:
        _close_scheduled(case, actor, Task.Purpose.FOLLOW_UP)
    return case


def _schedule_follow_ups(case, actor):
    """One task per follow-up month of the program after the case ends, for its case
    manager (or whoever ended it), reminding a week ahead."""
    assignee = case.case_manager or actor
    tasks = []
    for months in case.program.follow_up_months:
        due = add_months(case.ended_on, months)
        tasks.append(
            task_add(
                case,
                actor=actor,
                data={
                    "title": _("Follow-up outcome check, %(months)s months after exit")
                    % {"months": months},
                    "due_on": due,
                    "remind_on": due - datetime.timedelta(days=7),
                    "assignee": assignee,
                    "purpose": Task.Purpose.FOLLOW_UP,
                },
            )
        )
    return tasks


def _close_scheduled(case, actor, purpose):
    """Cancel the open tasks Thrive scheduled for `purpose` on this case."""
    for task in case.tasks.open().filter(purpose=purpose):
        task_complete(task, actor=actor, status=Task.Status.CANCELLED)


def schedule_next_assessment(case, *, actor, after):
    """After an assessment dated `after`, the open case's next periodic assessment is due
    the program's interval later: the earlier reminder closes (done), a new task opens."""
    for task in case.tasks.open().filter(purpose=Task.Purpose.ASSESSMENT):
        task_complete(task, actor=actor)
    if not case.is_open:
        return None
    due = after + datetime.timedelta(days=case.program.assessment_interval_days)
    return task_add(
        case,
        actor=actor,
        data={
            "title": _("Periodic outcome assessment"),
            "due_on": due,
            "remind_on": max(after, due - datetime.timedelta(days=7)),
            "assignee": case.case_manager or actor,
            "purpose": Task.Purpose.ASSESSMENT,
        },
    )


@transaction.atomic
def case_reassign(case, *, actor, case_manager, expected_version=None):
    stored = lock_current(case, expected_version)
    case.version = stored.version
    if stored.case_manager_id == getattr(case_manager, "pk", None):
        return case
    from_user = stored.case_manager
    case.case_manager = case_manager
    case.full_clean()
    return _bump(
        case,
        actor,
        ["case_manager"],
        kind=CaseEvent.Kind.REASSIGNED,
        from_user=from_user,
        to_user=case_manager,
    )


@transaction.atomic
def case_transfer(case, *, actor, program, case_manager=None, expected_version=None):
    """Move a case to another program of the same organization (a referral to another
    organization is a referral, not a transfer), optionally to a new case manager."""
    stored = lock_current(case, expected_version)
    case.version = stored.version
    if not case.is_open:
        raise ValidationError({"program": _("Reopen the case before transferring it.")})
    if program.pk == stored.program_id:
        raise ValidationError({"program": _("The case is already in this program.")})
    changed = ["program"]
    from_program = stored.program
    case.program = program
    if case_manager is not None and case_manager.pk != stored.case_manager_id:
        case.case_manager = case_manager
        changed.append("case_manager")
    case.full_clean()
    return _bump(
        case,
        actor,
        changed,
        kind=CaseEvent.Kind.TRANSFERRED,
        from_program=from_program,
        to_program=program,
        from_user=stored.case_manager,
        to_user=case.case_manager,
    )


def case_view(case, *, actor, detail=None):
    """Reading a case (its plan, services and notes) is recorded like reading the survivor."""
    return audit_record(
        case,
        actor=actor,
        organization=case.organization,
        action=AuditEvent.Action.VIEW,
        detail=detail,
    )


def touch_contact(case, day):
    """Remember the latest contact with the survivor, for 'days since last contact'."""
    if day and (case.last_contact_on is None or day > case.last_contact_on):
        Case.objects.filter(pk=case.pk).update(last_contact_on=day)
        case.last_contact_on = day


@transaction.atomic
def goal_add(case, *, actor, data):
    goal = Goal(organization=case.organization, case=case, **data)
    goal.full_clean()
    goal.save()
    _created(goal, case.organization, actor, data)
    return goal


@transaction.atomic
def goal_update(goal, *, actor, data, expected_version):
    goal, changed = versioned_update(
        goal,
        actor=actor,
        organization=goal.organization,
        data=data,
        fields=GOAL_FIELDS,
        expected_version=expected_version,
    )
    return changed


@transaction.atomic
def action_step_add(goal, *, actor, data):
    step = ActionStep(goal=goal, **data)
    step.full_clean()
    step.save()
    _created(step, goal.organization, actor, data)
    return step


@transaction.atomic
def action_step_complete(step, *, actor, on=None):
    step.done_on = on or timezone.localdate()
    step.full_clean()
    step.save(update_fields=["done_on"])
    audit_record(
        step,
        actor=actor,
        organization=step.goal.organization,
        action=AuditEvent.Action.CHANGE,
        changed_fields=["done_on"],
    )
    return step


@transaction.atomic
def note_add(case, *, actor, data):
    note = CaseNote(organization=case.organization, case=case, author=actor, **data)
    note.full_clean()
    note.save()
    if note.contact in CaseNote.SURVIVOR_CONTACTS:
        touch_contact(case, note.noted_on)
    _created(note, case.organization, actor, data)
    return note


@transaction.atomic
def task_add(case, *, actor, data):
    task = Task(organization=case.organization, case=case, created_by=actor, **data)
    task.full_clean()
    task.save()
    _created(task, case.organization, actor, data)
    return task


@transaction.atomic
def task_update(task, *, actor, data, expected_version):
    task, changed = versioned_update(
        task,
        actor=actor,
        organization=task.organization,
        data=data,
        fields=TASK_FIELDS,
        expected_version=expected_version,
    )
    return changed


@transaction.atomic
def task_complete(task, *, actor, expected_version=None, status=Task.Status.DONE):
    """Mark done (or cancelled). Completing a task someone already completed is a conflict."""
    stored = lock_current(task, expected_version)
    if stored.status != Task.Status.OPEN:
        raise ValidationError({"status": _("This task is already closed.")})
    task.version = stored.version + 1
    task.status = status
    task.completed_at = timezone.now()
    task.completed_by = actor
    task.updated_at = task.completed_at
    task.save()
    audit_record(
        task,
        actor=actor,
        organization=task.organization,
        action=AuditEvent.Action.CHANGE,
        changed_fields=["status"],
        detail={"version": task.version},
    )
    return task
