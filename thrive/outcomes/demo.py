"""Demo outcome data: assessments about every 90 days along each case, with trajectories
that mostly climb, graduation approvals for graduated cases, a few requests waiting for a
supervisor, and outcome events after some exits."""

import datetime
import random

from django.utils import timezone

from thrive.accounts.models import Membership, Role
from thrive.cases.models import Case
from thrive.outcomes.models import (
    Assessment,
    AssessmentScore,
    GraduationReview,
    Instrument,
    OutcomeEvent,
)

DAY = datetime.timedelta(days=1)
SOMETIMES_NOT_APPLICABLE = {"family": 0.45, "immigration": 0.5, "substance_use": 0.3}


def load_outcomes(organization, rng=None):
    rng = rng or random.Random(2026)
    today = timezone.localdate()
    instrument = Instrument.objects.default()
    domains = list(instrument.domains.all())
    supervisor = (
        Membership.objects.filter(organization=organization, role=Role.SUPERVISOR)
        .select_related("user")
        .first()
    )
    cases = list(
        Case.objects.filter(organization=organization)
        .exclude(case_manager=None)
        .select_related("program")
        .order_by("pk")
    )
    assessments, levels_of, reviews, events = [], [], [], []
    for case in cases:
        end = case.ended_on or today
        not_applicable = {
            code for code, share in SOMETIMES_NOT_APPLICABLE.items() if rng.random() < share
        }
        levels = {d.code: rng.choice([1, 2, 2, 2, 3]) for d in domains}
        day, first = case.opened_on + rng.randint(0, 10) * DAY, True
        graduated = case.status == Case.Status.GRADUATED
        while day <= end:
            last = day + 90 * DAY > end
            if graduated and last:
                levels = {c: max(v, 3) for c, v in levels.items()}
            kind = "intake" if first else ("exit" if last and case.ended_on else "periodic")
            assessments.append(_assessment(organization, case, instrument, kind, day))
            levels_of.append(
                [None if d.code in not_applicable else levels[d.code] for d in domains]
            )
            for code in levels:
                if rng.random() < 0.45:
                    levels[code] = min(5, levels[code] + 1)
                elif rng.random() < 0.08:
                    levels[code] = max(1, levels[code] - 1)
            day, first = day + rng.randint(75, 110) * DAY, False
        if graduated and supervisor and assessments and assessments[-1].case is case:
            reviews.append(
                GraduationReview(
                    organization=organization,
                    case=case,
                    threshold=case.program.graduation_level,
                    status=GraduationReview.Status.APPROVED,
                    requested_by=case.case_manager,
                    decided_by=supervisor.user,
                    decided_at=timezone.now(),
                    graduated_on=case.ended_on,
                )
            )
            reviews[-1].assessment = assessments[-1]
        if case.ended_on and rng.random() < 0.2:
            kind = rng.choice(OutcomeEvent.Kind.values)
            occurred = min(today, case.ended_on + rng.randint(10, 300) * DAY)
            arrest = kind in OutcomeEvent.WITH_OFFENSE
            events.append(
                OutcomeEvent(
                    organization=organization,
                    survivor_id=case.survivor_id,
                    case=case,
                    kind=kind,
                    occurred_on=occurred,
                    source=rng.choice(["survivor", "staff", "partner", "court_record"]),
                    offense_category=rng.choice(["commercial_sex", "drug", "property"])
                    if arrest
                    else "",
                    compelled=rng.choice(["yes", "no", "unknown"]) if arrest else "",
                    recorded_by=case.case_manager,
                )
            )
    for assessment, levels in zip(assessments, levels_of, strict=True):
        assessment.vector = "".join("-" if v is None else str(v) for v in levels)
    Assessment.objects.bulk_create(assessments, batch_size=2000)
    AssessmentScore.objects.bulk_create(
        [
            AssessmentScore(assessment=a, domain=d, level=v)
            for a, levels in zip(assessments, levels_of, strict=True)
            for d, v in zip(domains, levels, strict=True)
        ],
        batch_size=5000,
    )
    for review in reviews:
        review.assessment_id = review.assessment.pk
    GraduationReview.objects.bulk_create(reviews, batch_size=2000)
    OutcomeEvent.objects.bulk_create(events, batch_size=2000)
    return [("assessments", len(assessments)), ("outcome events", len(events))]


def _assessment(organization, case, instrument, kind, day):
    return Assessment(
        organization=organization,
        survivor_id=case.survivor_id,
        case=case,
        instrument=instrument,
        kind=kind,
        assessed_on=day,
        assessor=case.case_manager,
    )
