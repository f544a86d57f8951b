"""Case pages: my caseload, the supervisor's team view, the case list, a case with its service
plan, services, notes, tasks and history, and the forms that change them.

Reads go through access.py, writes through actions.py. Every action works as a plain POST and
redirect; on the case page, htmx swaps the section a write changed (plan, notes, tasks) instead.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, Prefetch, Q, Window
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.accounts.access import membership_of
from thrive.accounts.models import Role, User
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
    require_program_director,
)
from thrive.cases.forms import (
    CaseEditForm,
    CaseFilterForm,
    CaseOpenForm,
    CaseStatusForm,
    GoalEditForm,
    GoalForm,
    NoteForm,
    ProgramForm,
    ReassignForm,
    StepForm,
    TaskEditForm,
    TaskForm,
    TransferForm,
    add_action_errors,
    person_label,
)
from thrive.cases.models import ActionStep, Case, Task
from thrive.lib.htmx import is_htmx, render_page
from thrive.lib.locking import EditConflict, describe_conflict
from thrive.survivors.access import get_survivor_for_user
from thrive.survivors.actions import survivor_view
from thrive.survivors.models import Survivor

STALE_CONTACT_DAYS = 14  # the caseload highlights a case not contacted for longer
TEAM_NO_CONTACT_DAYS = 30
MY_TASKS_SHOWN = 50
TASKS_DUE_WITHIN_DAYS = 7
SUPERVISING_ROLES = (Role.SUPERVISOR, Role.PROGRAM_DIRECTOR)
# Statuses one button press reaches; graduating and closing ask for a date (and a reason).
ONE_CLICK_STATUSES = (Case.Status.ACTIVE, Case.Status.ON_HOLD, Case.Status.REOPENED)

RISK_ORDER = models.Case(
    models.When(risk_level=Case.Risk.HIGH, then=0),
    models.When(risk_level=Case.Risk.MEDIUM, then=1),
    default=2,
    output_field=models.IntegerField(),
)


# Lists ------------------------------------------------------------------------------------


@login_required
@require_GET
def caseload(request):
    """The case manager's open cases, riskiest and most behind first, and their tasks due."""
    membership = require_case_access(request.user)
    cases = (
        Case.objects.visible_to(request.user)
        .open()
        .filter(case_manager=request.user)
        .for_caseload()
        .alias(risk_rank=RISK_ORDER)
        .order_by("risk_rank", "-overdue_tasks", "number")
    )
    context = {
        "cases": cases,
        "stale_after": STALE_CONTACT_DAYS,
        "supervises": membership.role in SUPERVISING_ROLES,
        **_my_tasks(request.user),
    }
    return render(request, "cases/caseload.html", context)


def _my_tasks(user, flash=None):
    tasks = (
        Task.objects.visible_to(user)
        .filter(assignee=user)
        .falling_due(within_days=TASKS_DUE_WITHIN_DAYS)
        .select_related("case")
        .order_by("due_on", "pk")
    )
    # A long list helps no one and would slow the page: the first ones, and how many more,
    # counted in the same query (a window over the whole list, before the LIMIT).
    shown = list(tasks.annotate(total=Window(Count("pk")))[:MY_TASKS_SHOWN])
    more = shown[0].total - len(shown) if shown else 0
    return {
        "my_tasks": shown,
        "more_tasks": more,
        "today": timezone.localdate(),
        "flash": flash,
    }


@login_required
@require_GET
def team(request):
    """Each case worker's load, for supervisors and program directors."""
    require_case_supervisor(request.user)
    today = timezone.localdate()
    cutoff = today - datetime.timedelta(days=TEAM_NO_CONTACT_DAYS)
    open_cases = Case.objects.visible_to(request.user).open()
    loads = {
        row["case_manager"]: row
        for row in open_cases.order_by()
        .values("case_manager")
        .annotate(
            open_cases=Count("pk"),
            high_risk=Count("pk", filter=Q(risk_level=Case.Risk.HIGH)),
            # Never contacted counts once the case has been open that long.
            no_recent_contact=Count(
                "pk",
                filter=Q(last_contact_on__lt=cutoff)
                | Q(last_contact_on__isnull=True, opened_on__lt=cutoff),
            ),
        )
    }
    overdue = dict(
        Task.objects.filter(case__in=open_cases, status=Task.Status.OPEN, due_on__lt=today)
        .order_by()
        .values("case__case_manager")
        .annotate(n=Count("pk"))
        .values_list("case__case_manager", "n")
    )
    workers = list(case_workers_for_user(request.user))
    # Someone whose role changed may still hold cases: they are listed too.
    known = {worker.pk for worker in workers}
    former = [pk for pk in loads if pk is not None and pk not in known]
    if former:
        workers += list(User.objects.filter(pk__in=former).order_by("username"))
    empty = {"open_cases": 0, "high_risk": 0, "no_recent_contact": 0}
    rows = [
        {
            "worker": worker,
            "name": person_label(worker),
            "filter": str(worker.pk),
            **{k: loads.get(worker.pk, empty)[k] for k in empty},
            "overdue_tasks": overdue.get(worker.pk, 0),
        }
        for worker in workers
    ]
    if None in loads:
        rows.append(
            {
                "worker": None,
                "name": _("No case manager"),
                "filter": CaseFilterForm.UNASSIGNED,
                **{k: loads[None][k] for k in empty},
                "overdue_tasks": overdue.get(None, 0),
            }
        )
    totals = {k: sum(row[k] for row in rows) for k in [*empty, "overdue_tasks"]}
    context = {"rows": rows, "totals": totals, "no_contact_days": TEAM_NO_CONTACT_DAYS}
    return render(request, "cases/team.html", context)


@login_required
@require_GET
def case_list(request):
    """Every case of the organization, filtered by ids and choices only."""
    form = CaseFilterForm(request.GET, user=request.user)
    cases = (
        form.filter(cases_for_user(request.user))
        .select_related("program", "case_manager")
        .defer("program__created_at")
        .prefetch_related(Prefetch("survivor", queryset=Survivor.objects.for_list()))
    )
    page = Paginator(cases, settings.THRIVE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/list.html", {"form": form, "page": page})


# A case -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_open(request, survivor_id):
    membership = require_case_access(request.user)
    survivor = get_survivor_for_user(request.user, survivor_id)
    initial = {
        "opened_on": timezone.localdate(),
        "case_manager": request.user if membership.role == Role.CASE_MANAGER else None,
    }
    form = CaseOpenForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        program = data.pop("program")
        data["team"] = list(data["team"])
        try:
            case = actions.case_open(survivor, actor=request.user, program=program, data=data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Case %(label)s opened.") % {"label": case.label})
            return redirect("cases:detail", case.pk)
    elif request.method == "GET":
        survivor_view(survivor, actor=request.user, detail={"page": "case_open"})
    no_program = not form.fields["program"].queryset.exists()
    context = {
        "form": form,
        "title": _("Open a case for %(name)s") % {"name": survivor.display_name},
        "subtitle": survivor.record_label,
        "submit_label": _("Open the case"),
        "cancel_url": reverse("survivors:detail", args=[survivor.pk]),
        "notice": _("There is no active program yet: a program director adds programs first.")
        if no_program
        else "",
    }
    return render(request, "cases/form.html", context)


@login_required
@require_GET
def case_detail(request, pk):
    case = get_case_for_user(request.user, pk)
    actions.case_view(case, actor=request.user)
    membership = membership_of(request.user)
    can_write = case.may_be_written_by(request.user)
    context = {
        "case": case,
        "can_write": can_write,
        "supervises": membership.role in SUPERVISING_ROLES,
        "team_members": case.team.all(),
        "status_actions": _status_actions(case) if can_write else [],
        "services": case.services.select_related(
            "service_type", "grant", "staff_member", "partner"
        ),
        "record_service_url": _record_service_url(case) if can_write else None,
        "events": _events(case),
        "stale_after": STALE_CONTACT_DAYS,
        **_plan(case),
        **_notes(case, request.user),
        **_tasks(case, request.user),
    }
    return render(request, "cases/detail.html", context)


def _status_actions(case):
    return [
        {"status": s, "label": Case.Status(s).label, "one_click": s in ONE_CLICK_STATUSES}
        for s in case.status_choices()
    ]


def _record_service_url(case):
    try:
        return reverse("services:record", args=[case.pk])
    except NoReverseMatch:  # the services pages are not there yet
        return None


def _events(case):
    events = list(
        case.events.select_related(
            "actor", "from_user", "to_user", "from_program", "to_program"
        ).order_by("-at", "-pk")
    )
    reasons = dict(Case.ClosureReason.choices)
    for event in events:
        event.reason_label = reasons.get(event.reason, event.reason)
    return events


# The sections of the case page an htmx write swaps, each with what it shows.


def _plan(case, user=None):
    goals = case.goals.select_related("domain").prefetch_related(
        Prefetch("steps", queryset=ActionStep.objects.select_related("assignee"))
    )
    return {"goals": goals}


def _notes(case, user, form=None):
    form = form or NoteForm(initial={"noted_on": timezone.localdate()})
    return {"notes": case.notes.select_related("author"), "note_form": form}


def _tasks(case, user, form=None):
    form = form or TaskForm(user=user, initial={"assignee": user, "due_on": timezone.localdate()})
    open_first = models.Case(
        models.When(status=Task.Status.OPEN, then=0),
        default=1,
        output_field=models.IntegerField(),
    )
    tasks = (
        case.tasks.select_related("assignee", "completed_by")
        .alias(open_first=open_first)
        .order_by("open_first", "due_on", "pk")
    )
    return {"tasks": tasks, "task_form": form, "today": timezone.localdate()}


SECTIONS = {
    "plan": ("cases/partials/plan.html", _plan),
    "notes": ("cases/partials/notes.html", _notes),
    "tasks": ("cases/partials/tasks.html", _tasks),
}


def _section(request, case, section, flash=None, **forms):
    _template, build = SECTIONS[section]
    return {
        "case": case,
        "can_write": case.may_be_written_by(request.user),
        "flash": flash,
        **build(case, request.user, **forms),
    }


def _after_write(request, case, section, text, level="success"):
    """The changed section for htmx; otherwise back to the case page, at that section."""
    if is_htmx(request):
        template, _build = SECTIONS[section]
        context = _section(request, case, section, flash={"text": text, "level": level})
        return render_page(request, template, context, partial=template)
    messages.add_message(request, getattr(messages, level.upper()), text)
    return redirect(reverse("cases:detail", args=[case.pk]) + f"#{section}")


def _form_or_section(request, case, section, form, page):
    """A form with its errors: the section again for htmx, the form on its own page
    otherwise (no JavaScript)."""
    template, _build = SECTIONS[section]
    context = {**_section(request, case, section, form=form), **page, "form": form}
    return render_page(request, "cases/form.html", context, partial=template)


# Changing a case ---------------------------------------------------------------------------


def _page(case, title, submit_label, cancel_url=None, **extra):
    return {
        "case": case,
        "title": title,
        "subtitle": f"{case.label} · {case.survivor.display_name}",
        "submit_label": submit_label,
        "cancel_url": cancel_url or reverse("cases:detail", args=[case.pk]),
        **extra,
    }


def _saved(changed):
    return _("Changes saved.") if changed else _("Nothing changed.")


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request, pk):
    case = get_case_for_user(request.user, pk, write=True)
    initial = {
        "risk_level": case.risk_level,
        "trafficking_type": case.trafficking_type,
        "opened_on": case.opened_on,
        "team": list(case.team.all()),
        "version": case.version,
    }
    form = CaseEditForm(request.POST or None, user=request.user, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in actions.CASE_FIELDS}
        data["team"] = list(form.cleaned_data["team"])
        try:
            changed = actions.case_update(
                case, actor=request.user, data=data, expected_version=form.cleaned_data["version"]
            )
        except EditConflict as error:
            form, conflict = _conflict(
                request, error, form, lambda d: CaseEditForm(d, user=request.user)
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _saved(changed))
            return redirect("cases:detail", case.pk)
        case = get_case_for_user(request.user, pk)  # as stored, not the refused values
    elif request.method == "GET":
        actions.case_view(case, actor=request.user, detail={"page": "edit"})
    page = _page(case, _("Edit the case"), _("Save changes"), conflict=conflict, form=form)
    return render(request, "cases/form.html", page)


@login_required
@require_http_methods(["GET", "POST"])
def case_status(request, pk):
    """Activate, hold, graduate, close or reopen. GET shows the form (?status= preselects)."""
    case = get_case_for_user(request.user, pk, write=True)
    asked = request.GET.get("status")
    initial = {
        "version": case.version,
        "status": asked if asked in case.status_choices() else None,
    }
    form = CaseStatusForm(request.POST or None, case=case, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.case_change_status(
                case,
                actor=request.user,
                to=data["status"],
                on=data["ended_on"],
                reason=data["closure_reason"],
                note=data["note"],
                expected_version=data["version"],
            )
        except EditConflict as error:
            case = get_case_for_user(request.user, pk, write=True)
            form, conflict = _conflict(request, error, form, lambda d: CaseStatusForm(d, case=case))
            if data["status"] not in case.next_statuses():
                form.add_error("status", _("The case can no longer take this status."))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            text = _("Case %(label)s is now %(status)s.") % {
                "label": case.label,
                "status": case.get_status_display().lower(),
            }
            messages.success(request, text)
            return redirect("cases:detail", case.pk)
        case = get_case_for_user(request.user, pk)
    elif request.method == "GET":
        actions.case_view(case, actor=request.user, detail={"page": "status"})
    intro = _("The case is %(status)s now.") % {"status": case.get_status_display().lower()}
    page = _page(
        case, _("Change the status"), _("Change status"), intro=intro, conflict=conflict, form=form
    )
    return render(request, "cases/form.html", page)


@login_required
@require_http_methods(["GET", "POST"])
def case_reassign(request, pk):
    case = get_case_for_user(request.user, pk, write=True)
    require_case_supervisor(request.user)
    initial = {"case_manager": case.case_manager, "version": case.version}
    form = ReassignForm(request.POST or None, user=request.user, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.case_reassign(
                case,
                actor=request.user,
                case_manager=form.cleaned_data["case_manager"],
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict as error:
            form, conflict = _conflict(
                request, error, form, lambda d: ReassignForm(d, user=request.user)
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                _("%(label)s is now with %(name)s.")
                % {"label": case.label, "name": person_label(case.case_manager)},
            )
            return redirect("cases:detail", case.pk)
        case = get_case_for_user(request.user, pk)
    elif request.method == "GET":
        actions.case_view(case, actor=request.user, detail={"page": "reassign"})
    page = _page(case, _("Reassign the case"), _("Reassign"), conflict=conflict, form=form)
    return render(request, "cases/form.html", page)


@login_required
@require_http_methods(["GET", "POST"])
def case_transfer(request, pk):
    case = get_case_for_user(request.user, pk, write=True)
    require_case_supervisor(request.user)
    form = TransferForm(
        request.POST or None, user=request.user, case=case, initial={"version": case.version}
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.case_transfer(
                case,
                actor=request.user,
                program=data["program"],
                case_manager=data["case_manager"],
                expected_version=data["version"],
            )
        except EditConflict as error:
            form, conflict = _conflict(
                request, error, form, lambda d: TransferForm(d, user=request.user, case=case)
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                _("%(label)s is now in %(program)s.")
                % {"label": case.label, "program": data["program"].name},
            )
            return redirect("cases:detail", case.pk)
        case = get_case_for_user(request.user, pk)
    elif request.method == "GET":
        actions.case_view(case, actor=request.user, detail={"page": "transfer"})
    intro = _("From %(program)s to another program of the organization.") % {
        "program": case.program.name
    }
    page = _page(
        case, _("Transfer the case"), _("Transfer"), intro=intro, conflict=conflict, form=form
    )
    return render(request, "cases/form.html", page)


# Conflicts --------------------------------------------------------------------------------


def _conflict(request, conflict, form, make_form):
    """The form again with the user's values and the version now stored (submitting once more
    overwrites deliberately), and what someone else saved meanwhile."""
    data = request.POST.copy()
    data["version"] = str(conflict.current.version)
    fresh = make_form(data)
    fresh.is_valid()
    yours = {name: value for name, value in form.cleaned_data.items() if name in form.fields}
    return fresh, describe_conflict(conflict, yours)


# The service plan -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def goal_add(request, pk):
    case = get_case_for_user(request.user, pk, write=True)
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.goal_add(case, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return _after_write(request, case, "plan", _("Goal added."))
    page = _page(case, _("Add a goal"), _("Add goal"), form=form)
    return render(request, "cases/form.html", page)


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request, goal_id):
    goal = get_goal_for_user(request.user, goal_id, write=True)
    initial = {name: getattr(goal, name) for name in actions.GOAL_FIELDS}
    form = GoalEditForm(request.POST or None, initial={**initial, "version": goal.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in actions.GOAL_FIELDS}
        try:
            changed = actions.goal_update(
                goal, actor=request.user, data=data, expected_version=form.cleaned_data["version"]
            )
        except EditConflict as error:
            form, conflict = _conflict(request, error, form, GoalEditForm)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return _after_write(request, goal.case, "plan", _saved(changed))
    elif request.method == "GET":
        actions.case_view(goal.case, actor=request.user, detail={"page": "goal_edit"})
    page = _page(goal.case, _("Edit the goal"), _("Save changes"), conflict=conflict, form=form)
    return render(request, "cases/form.html", page)


@login_required
@require_http_methods(["GET", "POST"])
def step_add(request, goal_id):
    goal = get_goal_for_user(request.user, goal_id, write=True)
    form = StepForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.action_step_add(goal, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return _after_write(request, goal.case, "plan", _("Step added."))
    intro = _("A step toward the goal in %(domain)s.") % {"domain": goal.domain.label}
    page = _page(goal.case, _("Add an action step"), _("Add step"), intro=intro, form=form)
    return render(request, "cases/form.html", page)


@login_required
@require_POST
def step_done(request, step_id):
    step = get_step_for_user(request.user, step_id, write=True)
    case = step.goal.case
    if step.done_on:
        text = _("This step was already done on %(day)s. Nothing was changed.") % {
            "day": formats.date_format(step.done_on, "DATE_FORMAT")
        }
        return _after_write(request, case, "plan", text, level="error")
    actions.action_step_complete(step, actor=request.user)
    return _after_write(request, case, "plan", _("Step done."))


# Notes and tasks --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def note_add(request, pk):
    """Notes are kept as written; a correction is a new note."""
    case = get_case_for_user(request.user, pk, write=True)
    form = NoteForm(request.POST or None, initial={"noted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.note_add(case, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return _after_write(request, case, "notes", _("Note added."))
    page = _page(case, _("Add a note"), _("Add note"))
    return _form_or_section(request, case, "notes", form, page)


@login_required
@require_http_methods(["GET", "POST"])
def task_add(request, pk):
    case = get_case_for_user(request.user, pk, write=True)
    initial = {"assignee": request.user, "due_on": timezone.localdate()}
    form = TaskForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.task_add(case, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return _after_write(request, case, "tasks", _("Task added."))
    page = _page(case, _("Add a task"), _("Add task"))
    return _form_or_section(request, case, "tasks", form, page)


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request, task_id):
    task = get_task_for_user(request.user, task_id, write=True)
    initial = {name: getattr(task, name) for name in actions.TASK_FIELDS}
    form = TaskEditForm(
        request.POST or None, user=request.user, initial={**initial, "version": task.version}
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in actions.TASK_FIELDS}
        try:
            changed = actions.task_update(
                task, actor=request.user, data=data, expected_version=form.cleaned_data["version"]
            )
        except EditConflict as error:
            form, conflict = _conflict(
                request, error, form, lambda d: TaskEditForm(d, user=request.user)
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return _after_write(request, task.case, "tasks", _saved(changed))
    elif request.method == "GET":
        actions.case_view(task.case, actor=request.user, detail={"page": "task_edit"})
    page = _page(task.case, _("Edit the task"), _("Save changes"), conflict=conflict, form=form)
    return render(request, "cases/form.html", page)


@login_required
@require_POST
def task_done(request, task_id):
    """The assignee may always complete their own task. From the caseload (return_to=caseload)
    the answer is the caseload's task list; otherwise the case's."""
    task = get_task_for_user(request.user, task_id, write=True)
    try:
        actions.task_complete(task, actor=request.user)
    except ValidationError:
        task.refresh_from_db()
        who = person_label(task.completed_by) if task.completed_by_id else "—"
        when = timezone.localtime(task.completed_at) if task.completed_at else None
        text = _(
            "This task was already marked %(status)s by %(name)s on %(when)s. Nothing was changed."
        ) % {
            "status": task.get_status_display().lower(),
            "name": who,
            "when": formats.date_format(when, "DATETIME_FORMAT") if when else "—",
        }
        level = "error"
    else:
        text, level = _("Task done."), "success"
    if request.POST.get("return_to") == "caseload":
        if is_htmx(request):
            context = _my_tasks(request.user, flash={"text": text, "level": level})
            partial = "cases/partials/my_tasks.html"
            return render_page(request, partial, context, partial=partial)
        messages.add_message(request, getattr(messages, level.upper()), text)
        return redirect("cases:caseload")
    return _after_write(request, task.case, "tasks", text, level)


# Programs ---------------------------------------------------------------------------------


@login_required
@require_GET
def programs(request):
    membership = require_case_access(request.user)
    listed = programs_for_user(request.user).annotate(
        open_cases=Count("cases", filter=Q(cases__status__in=Case.OPEN_STATUSES))
    )
    context = {"programs": listed, "may_create": membership.role == Role.PROGRAM_DIRECTOR}
    return render(request, "cases/programs.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def program_new(request):
    membership = require_program_director(request.user)
    form = ProgramForm(request.POST or None, organization=membership.organization)
    if request.method == "POST" and form.is_valid():
        try:
            program = actions.program_create(
                membership.organization, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Program %(name)s created.") % {"name": program.name})
            return redirect("cases:programs")
    context = {
        "form": form,
        "title": _("New program"),
        "submit_label": _("Create program"),
        "cancel_url": reverse("cases:programs"),
    }
    return render(request, "cases/form.html", context)
