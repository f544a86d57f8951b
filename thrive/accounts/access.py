"""Who is acting, for which organization, and whether their role may see people.

The active membership is attached to the user by ActiveMembershipMiddleware (pages, from the
session) or by the API's token authentication (the token's organization). Every other app's
access.py starts here.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from thrive.accounts.models import Membership


def membership_of(user):
    """The membership the user acts under right now, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "membership", None)


def in_organization(queryset, user, *, roles=None):
    """The rows of `queryset` (a table carrying `organization`) the user may list: those of
    their active organization, if their role is among `roles` (default: every role that
    sees people). Every app's `visible_to` is this."""
    membership = membership_of(user)
    if membership is None:
        return queryset.none()
    allowed = membership.sees_people if roles is None else membership.role in roles
    if not allowed:
        return queryset.none()
    return queryset.filter(organization_id=membership.organization_id)


def require_membership(user):
    membership = membership_of(user)
    if membership is None:
        raise PermissionDenied(_("You are not a member of any organization."))
    return membership


def require_person_access(user):
    """Person-level pages are closed to data analysts and trainers (403), whatever the record."""
    membership = require_membership(user)
    if not membership.sees_people:
        raise PermissionDenied(_("Your role sees aggregate figures only, never a person."))
    return membership


def require_audit_reader(user):
    membership = require_person_access(user)
    if not membership.reads_audit:
        raise PermissionDenied(_("Only supervisors and program directors read the audit trail."))
    return membership


def require_exporter(user):
    membership = require_person_access(user)
    if not membership.exports_people:
        raise PermissionDenied(_("Only supervisors and program directors export records."))
    return membership


def attach_membership(user, membership_id=None, *, organization_id=None):
    """Load the user's memberships once and pick the active one.

    Chosen by id (the session's choice) or by organization (an API token's). With no valid
    choice the first membership, by organization name, is active.
    """
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name")
    )
    if organization_id is not None:
        chosen = next((m for m in memberships if m.organization_id == organization_id), None)
    else:
        chosen = next((m for m in memberships if m.pk == membership_id), None)
        chosen = chosen or (memberships[0] if memberships else None)
    user.all_memberships = memberships
    user.membership = chosen
    return chosen
