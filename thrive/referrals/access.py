"""Who reaches referrals, consents and directory entries.

- A referral is two records in one: the sender's (its case, its consent, everything) and the
  recipient's (the packet and the request, nothing else). `get_sent_referral` and
  `get_received_referral` are the only ways in, and each answers 404 to everyone else.
- The directory is open to every member (no person in it), except a shelter's confidential
  location: only the people of the organization that keeps the entry see it.
"""

from django.http import Http404

from thrive.cases.access import require_case_access
from thrive.referrals.models import Consent, Referral


def referrals_sent(user):
    membership = require_case_access(user)
    return Referral.objects.filter(organization_id=membership.organization_id)


def referrals_received(user):
    membership = require_case_access(user)
    return Referral.objects.filter(recipient_id=membership.organization_id).exclude(
        status=Referral.Status.DRAFT
    )


def _one(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_sent_referral(user, pk):
    return _one(referrals_sent(user).select_related("partner", "case", "survivor", "consent"), pk)


def get_received_referral(user, pk):
    """The recipient's view: select only what it may read (never the case or survivor)."""
    return _one(
        referrals_received(user)
        .select_related("partner", "organization")
        .only(
            "id",
            "organization__name",
            "partner__name",
            "recipient_id",
            "urgency",
            "categories",
            "packet",
            "status",
            "decline_reason",
            "acknowledge_by",
            "sent_at",
            "acknowledged_at",
            "accepted_at",
            "declined_at",
            "started_at",
            "completed_at",
            "withdrawn_at",
            "recipient_survivor_id",
            "version",
            "escalated_at",
        ),
        pk,
    )


def get_consent_for_user(user, pk, *, write=False):
    """A consent of the user's organization, for its case roles; 404 to anyone else.
    (`write` is accepted for the API's record getters; writing a consent is a case role's
    act, which require_case_access already is.)"""
    membership = require_case_access(user)
    try:
        return (
            Consent.objects.select_related("survivor__organization", "organization", "recorded_by")
            .prefetch_related("recipients")
            .get(pk=pk, organization_id=membership.organization_id)
        )
    except (Consent.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def consents_of(user, survivor):
    membership = require_case_access(user)
    if survivor.organization_id != membership.organization_id:
        raise Http404
    return Consent.objects.filter(survivor=survivor).prefetch_related("recipients")


def may_see_location(user, partner):
    membership = getattr(user, "membership", None)
    if membership is None or not membership.sees_people:
        return False
    return membership.organization_id in (partner.maintained_by_id, partner.organization_id)
