"""Who reaches assessments, outcome events and graduation reviews: the case roles of the
organization, as for the case they belong to. Summaries are aggregate and have their own
rule (`require_summary_reader`)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from thrive.accounts.access import require_membership
from thrive.accounts.models import Role
from thrive.cases.access import _check_write, _get, require_case_access, require_case_supervisor
from thrive.outcomes.models import Assessment, GraduationReview, OutcomeEvent

# Aggregate outcome figures: people who run or evaluate programs. Never a person.
SUMMARY_ROLES = (Role.SUPERVISOR, Role.PROGRAM_DIRECTOR, Role.DATA_ANALYST)


def get_assessment_for_user(user, pk):
    membership = require_case_access(user)
    return _get(
        Assessment.objects.select_related("case__program", "survivor", "instrument", "assessor"),
        user,
        pk,
        membership,
    )


def get_outcome_event_for_user(user, pk):
    membership = require_case_access(user)
    return _get(OutcomeEvent.objects.select_related("case", "survivor"), user, pk, membership)


def get_review_for_user(user, pk, *, decide=False):
    membership = require_case_supervisor(user) if decide else require_case_access(user)
    review = _get(
        GraduationReview.objects.select_related("case__program", "case__survivor"),
        user,
        pk,
        membership,
    )
    if not decide and membership.role == Role.CASE_MANAGER:
        _check_write(review.case, user)
    return review


def require_summary_reader(user):
    membership = require_membership(user)
    if membership.role not in SUMMARY_ROLES:
        raise PermissionDenied(
            _("Outcome summaries are for supervisors, program directors and data analysts.")
        )
    return membership
