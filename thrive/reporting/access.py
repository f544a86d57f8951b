"""Who may run which report. Aggregates only: no report ever names a person, and for a role
that sees no person (a data analyst) suppression is always on."""

from django.utils.translation import gettext as _

from thrive.accounts.models import Membership, Role

TASK_FORCE_ROLES = (Role.SUPERVISOR, Role.PROGRAM_DIRECTOR, Role.DATA_ANALYST)


class ReportRefused(PermissionError):
    """The message says why, for the person asking."""


def task_force_reader(user, task_force):
    """The membership through which `user` may run `task_force`'s member report: staff of
    the coordinating organization who read aggregates (supervisors, program directors, data
    analysts)."""
    membership = (
        Membership.objects.filter(
            user=user, organization_id=task_force.coordinator_id, role__in=TASK_FORCE_ROLES
        )
        .select_related("organization")
        .first()
    )
    if membership is None:
        raise ReportRefused(
            _(
                "Only supervisors, program directors and data analysts of %(coordinator)s, which "
                "coordinates %(task_force)s, run its member report."
            )
            % {"coordinator": task_force.coordinator, "task_force": task_force}
        )
    return membership
