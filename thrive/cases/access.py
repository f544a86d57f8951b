"""Who may see and change which case. Every case, goal, note and task read comes through here.

Cases are for case managers, supervisors and program directors of the owning organization.
Hotline advocates work from contacts and see no case; data analysts and trainers see no
person (403). Anyone may read every case of their organization (colleagues cover each other's
caseloads), but only the assigned case manager, a team member, a supervisor or a program
director may change one. Anyone outside the organization gets 404, so an id tells nothing.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from thrive.accounts.access import require_person_access
from thrive.accounts.models import Role, User
from thrive.cases.models import CASE_ROLES, ActionStep, Case, Goal, Program, Task


def require_case_access(user):
    membership = require_person_access(user)
    if membership.role not in CASE_ROLES:
        raise PermissionDenied(_("Cases are for case managers, supervisors and program directors."))
    return membership


def require_case_supervisor(user):
    membership = require_case_access(user)
    if membership.role not in (Role.SUPERVISOR, Role.PROGRAM_DIRECTOR):
        raise PermissionDenied(_("Only supervisors and program directors may do this."))
    return membership


def require_program_director(user):
    membership = require_case_access(user)
    if membership.role != Role.PROGRAM_DIRECTOR:
        raise PermissionDenied(_("Only program directors may do this."))
    return membership


def _get(queryset, user, pk, membership):
    try:
        return queryset.get(pk=pk, organization_id=membership.organization_id)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _check_write(case, user):
    if not case.may_be_written_by(user):
        raise PermissionDenied(
            _("Only the case manager, the case team and supervisors may change this case.")
        )


def get_case_for_user(user, pk, *, write=False):
    membership = require_case_access(user)
    case = _get(
        Case.objects.select_related("organization", "survivor", "program", "case_manager"),
        user,
        pk,
        membership,
    )
    if write:
        _check_write(case, user)
    return case


def cases_for_user(user):
    require_case_access(user)
    return Case.objects.visible_to(user)


def get_goal_for_user(user, pk, *, write=False):
    membership = require_case_access(user)
    goal = _get(Goal.objects.select_related("case", "domain"), user, pk, membership)
    if write:
        _check_write(goal.case, user)
    return goal


def get_task_for_user(user, pk, *, write=False):
    membership = require_case_access(user)
    task = _get(Task.objects.select_related("case", "assignee"), user, pk, membership)
    if write and task.assignee_id != user.pk:
        _check_write(task.case, user)
    return task


def programs_for_user(user):
    membership = require_case_access(user)
    return Program.objects.filter(organization_id=membership.organization_id)


def get_program_for_user(user, pk):
    membership = require_case_access(user)
    return _get(Program.objects.all(), user, pk, membership)


def get_step_for_user(user, pk, *, write=False):
    """An action step, through its goal's organization and case (steps carry no organization
    of their own)."""
    membership = require_case_access(user)
    try:
        step = ActionStep.objects.select_related("goal", "goal__case", "goal__domain").get(
            pk=pk, goal__organization_id=membership.organization_id
        )
    except (ActionStep.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if write:
        _check_write(step.goal.case, user)
    return step


def case_workers_for_user(user):
    """The people of the user's organization a case, task or step may be assigned to."""
    membership = require_case_access(user)
    return (
        User.objects.filter(
            memberships__organization_id=membership.organization_id,
            memberships__role__in=CASE_ROLES,
        )
        .only("pk", "username", "first_name", "last_name")
        .order_by("first_name", "last_name", "username")
    )
