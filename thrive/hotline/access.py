"""Who may see which contact and response. Contacts are for every person-level role of the
organization (advocates log them; case managers follow up); analysts and trainers get 403,
other organizations 404."""

from django.http import Http404

from thrive.accounts.access import require_person_access
from thrive.hotline.models import Contact, EmergencyResponse


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
