"""Who may see which screening and identification: every person-level role of the owning
organization, hotline advocates included (they screen on calls). Analysts and trainers get
403; anyone of another organization 404."""

from django.http import Http404

from thrive.accounts.access import require_person_access
from thrive.screening.models import Identification, Screening, ScreeningInstrument


def get_screening_for_user(user, pk):
    membership = require_person_access(user)
    try:
        return Screening.objects.select_related(
            "instrument", "survivor", "administered_by", "organization"
        ).get(pk=pk, organization_id=membership.organization_id)
    except (Screening.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def screenings_for_user(user):
    require_person_access(user)
    return Screening.objects.visible_to(user)


def identifications_for_user(user):
    require_person_access(user)
    return Identification.objects.visible_to(user)


def instruments_offered():
    """The instruments a screener may choose: the newest version of each."""
    return ScreeningInstrument.objects.latest_versions()
