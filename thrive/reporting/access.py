"""Who may run which report. Aggregates only: no report ever names a person, and for a role
that sees no person (a data analyst) suppression is always on.

A task force's member report is run by its coordinating organization: its supervisors,
program directors and data analysts. To anyone else the task force is not there (404); to the
coordinator's other roles the report is forbidden (403)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from thrive.accounts.access import require_membership
from thrive.accounts.models import Role, TaskForce

AGGREGATE_ROLES = (Role.SUPERVISOR, Role.PROGRAM_DIRECTOR, Role.DATA_ANALYST)


def task_forces_for_user(user):
    """The task forces whose member report the user's organization runs."""
    membership = require_membership(user)
    return TaskForce.objects.filter(coordinator_id=membership.organization_id)


def get_task_force_for_user(user, pk):
    """(task force, membership) for the member report, or 404 / 403."""
    membership = require_membership(user)
    task_force = (
        TaskForce.objects.filter(pk=_id(pk), coordinator_id=membership.organization_id)
        .select_related("coordinator")
        .first()
    )
    if task_force is None:
        raise Http404(_("No such task force coordinated by your organization."))
    if membership.role not in AGGREGATE_ROLES:
        raise PermissionDenied(
            _(
                "The member report is for supervisors, program directors and data analysts of "
                "the coordinating organization."
            )
        )
    return task_force, membership


def exact_allowed(membership):
    """Exact figures are never for a role that sees no person."""
    return membership.sees_people


def _id(pk):
    try:
        value = int(pk)
    except (TypeError, ValueError):
        return 0
    return value if 0 < value < 2**63 else 0


def require_activity_reader(user):
    """The membership through which `user` runs its own organization's activity report."""
    membership = require_membership(user)
    if membership.role not in AGGREGATE_ROLES:
        raise PermissionDenied(
            _(
                "The program activity report is for supervisors, program directors and data "
                "analysts."
            )
        )
    return membership


def get_grant_for_report(user, pk):
    """(grant, membership) for the grant report: a grant of the user's organization, for its
    aggregate readers; another organization's grant is not there (404)."""
    from thrive.grants.models import Grant

    membership = require_membership(user)
    grant = (
        Grant.objects.filter(pk=_id(pk), organization_id=membership.organization_id)
        .select_related("organization", "funder")
        .first()
    )
    if grant is None:
        raise Http404(_("No such grant in your organization."))
    require_activity_reader(user)
    return grant, membership
