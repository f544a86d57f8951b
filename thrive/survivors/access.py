"""Who may see which survivor. Every survivor read in views and the API comes through here."""

from django.http import Http404

from thrive.accounts.access import require_person_access
from thrive.survivors.models import Survivor


def get_survivor_for_user(user, pk, *, write=False):
    """The survivor, if the user's active organization owns it and their role sees people.

    Analysts and trainers get 403 whatever the record; anyone else outside the owning
    organization gets 404, so a guessed id tells nothing. Every person-level role of the
    owning organization may also write in v1; `write` is where case-level rules will go.
    """
    membership = require_person_access(user)
    try:
        return Survivor.objects.select_related("organization").get(
            pk=pk, organization_id=membership.organization_id
        )
    except (Survivor.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def survivors_for_user(user):
    require_person_access(user)
    return Survivor.objects.visible_to(user)
