"""Grants are the organization's finances, not survivor data: supervisors and program
directors manage them; case managers choose among them when recording a service."""

from django.http import Http404

from thrive.cases.access import require_case_access, require_case_supervisor
from thrive.grants.models import Grant


def grants_for_user(user):
    membership = require_case_access(user)
    return Grant.objects.filter(organization_id=membership.organization_id)


def get_grant_for_user(user, pk):
    membership = require_case_supervisor(user)
    try:
        return Grant.objects.select_related("funder").get(
            pk=pk, organization_id=membership.organization_id
        )
    except (Grant.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
