"""Who may see and change which service: the rules of the service's case (cases/access.py)."""

from django.http import Http404

from thrive.cases.access import require_case_access
from thrive.grants.access import grants_for_user
from thrive.services.models import Service, ServiceType


def get_service_for_user(user, pk, *, write=False):
    membership = require_case_access(user)
    try:
        service = Service.objects.select_related("case", "service_type", "grant").get(
            pk=pk, organization_id=membership.organization_id
        )
    except (Service.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if write:
        from thrive.cases.access import get_case_for_user

        get_case_for_user(user, service.case_id, write=True)
    return service


def services_for_user(user):
    require_case_access(user)
    return Service.objects.visible_to(user)


def service_types():
    return ServiceType.objects.filter(is_active=True).select_related("category")


def grants_for_service(user, day, service_type_id=None):
    """The grants that may pay for a service of this type on this day: the choices offered
    when recording one (Service.clean checks the choice again, whatever was offered)."""
    grants = grants_for_user(user).current_on(day)
    if service_type_id:
        grants = grants.filter(allowable_types=service_type_id)
    return grants.select_related("funder").order_by("name")
