"""The partner directory as the pages and the API read it: who may read and keep entries,
one entry, and the lists a searcher sees.

Every member of every organization may read the directory: it holds providers, no person.
A shelter's confidential `location` is the exception, shown only where
`access.may_see_location` says so; the list never carries it. An entry is changed only by
the supervisors and program directors of the organization that keeps it (`maintained_by`),
and its beds and waitlist also by that organization's case managers.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _

from thrive.accounts.access import require_membership
from thrive.cases.access import require_case_access, require_case_supervisor
from thrive.referrals.models import Partner, Population
from thrive.services.models import ServiceType
from thrive.survivors.models import Gender, Language

# Genders a provider may say it serves (unknown and declined describe a person, not a service).
SERVED_GENDERS = [
    (value, label) for value, label in Gender.choices if value not in ("unknown", "declined")
]


def partners_for_list():
    """Active entries, with their service types in one further query whatever the page."""
    return (
        Partner.objects.active()
        .select_related("organization")
        .prefetch_related(
            Prefetch("service_types", queryset=ServiceType.objects.only("code", "name", "name_es"))
        )
        .defer("location", "eligibility")
        .order_by("name", "pk")
    )


def get_partner(user, pk):
    """One entry, for any member of any organization; 404 when there is no such entry."""
    require_membership(user)
    try:
        return (
            Partner.objects.select_related("organization", "maintained_by")
            .prefetch_related("service_types")
            .get(pk=pk)
        )
    except (Partner.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def require_partner_keeper(user, partner=None):
    """A supervisor or program director of the organization that keeps `partner` (or, with
    no partner, of any organization: they may list a new one)."""
    membership = require_case_supervisor(user)
    if partner is not None and partner.maintained_by_id != membership.organization_id:
        raise PermissionDenied(_("Only the organization that keeps this entry may change it."))
    return membership


def require_availability_keeper(user, partner):
    """Beds and waitlist: the case roles of the organization that keeps the entry."""
    membership = require_case_access(user)
    if partner.maintained_by_id != membership.organization_id:
        raise PermissionDenied(_("Only the organization that keeps this entry may change it."))
    return membership


def may_keep(user, partner):
    membership = getattr(user, "membership", None)
    return (
        membership is not None
        and membership.supervises
        and partner.maintained_by_id == membership.organization_id
    )


def may_update_availability(user, partner):
    membership = getattr(user, "membership", None)
    return (
        membership is not None
        and membership.works_cases
        and partner.maintained_by_id == membership.organization_id
    )


def language_labels(codes):
    names = dict(Language.choices)
    return [str(names.get(code, code)) for code in codes]


def population_labels(codes):
    names = dict(Population.choices)
    return [str(names.get(code, code)) for code in codes]


def gender_labels(codes):
    names = dict(SERVED_GENDERS)
    return [str(names.get(code, code)) for code in codes]
