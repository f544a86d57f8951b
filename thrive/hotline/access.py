"""Who may see which contact and response. Contacts are for every person-level role of the
organization (advocates log them; case managers follow up); analysts and trainers get 403,
other organizations 404."""

from django.http import Http404

from thrive.accounts.access import require_person_access
from thrive.accounts.models import User
from thrive.cases.models import CASE_ROLES
from thrive.hotline.models import Contact, EmergencyResponse, OnCallShift
from thrive.services.models import Service


def get_contact_for_user(user, pk):
    membership = require_person_access(user)
    try:
        return Contact.objects.select_related("survivor", "handled_by").get(
            pk=pk, organization_id=membership.organization_id
        )
    except (Contact.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def contacts_for_user(user):
    require_person_access(user)
    return Contact.objects.visible_to(user)


def get_response_for_user(user, pk):
    membership = require_person_access(user)
    try:
        return EmergencyResponse.objects.select_related(
            "contact", "survivor", "case", "responder"
        ).get(pk=pk, organization_id=membership.organization_id)
    except (EmergencyResponse.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_draft_for_user(user, pk):
    """A draft contact, for the advocate who is writing it only: anyone else gets 404."""
    membership = require_person_access(user)
    try:
        return Contact.objects.drafts_of(user).get(
            pk=pk, organization_id=membership.organization_id
        )
    except (Contact.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def responders_for_user(user):
    """The people of the user's organization a response may be dispatched to (case roles).
    Advocates dispatch, so this is open to every person-level role, unlike the case pages'
    list of case workers."""
    membership = require_person_access(user)
    return (
        User.objects.filter(
            memberships__organization_id=membership.organization_id,
            memberships__role__in=CASE_ROLES,
        )
        .distinct()
        .only("pk", "username", "first_name", "last_name")
        .order_by("first_name", "last_name", "username")
    )


def shifts_for_user(user):
    membership = require_person_access(user)
    return OnCallShift.objects.filter(organization_id=membership.organization_id)


def services_of_response(user, response):
    """The services delivered on the response's case (the response itself was fetched through
    get_response_for_user, so the organization is already checked)."""
    require_person_access(user)
    return (
        Service.objects.filter(case_id=response.case_id, organization_id=response.organization_id)
        .select_related("service_type")
        .order_by("-delivered_on", "-pk")
    )
