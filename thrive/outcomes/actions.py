"""Audited writes of outcome assessments, outcome events and graduation reviews."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thrive.accounts.models import Membership, Role
from thrive.audit.actions import audit_record
from thrive.audit.models import AuditEvent
from thrive.cases.actions import case_change_status, schedule_next_assessment
from thrive.cases.models import Case
from thrive.outcomes.models import Assessment, AssessmentScore, GraduationReview, OutcomeEvent
from thrive.outcomes.progress import graduation_readiness

NOT_APPLICABLE = "na"


@transaction.atomic
def assessment_record(case, *, actor, instrument, kind, assessed_on, levels, notes=None):
    """Record an assessment of the case's survivor with one instrument version.

    `levels` is {domain code: level number, or "na"}; every domain of the instrument needs
    one. "na" only where the domain may be not applicable. Nothing is saved on any error,
    and every error is named by domain."""
    notes = notes or {}
    domains = list(instrument.domains.all())
    allowed = set(instrument.levels.values_list("number", flat=True))
    errors = {}
    if assessed_on is None:
        errors["assessed_on"] = _("Give the date of the assessment.")
    elif assessed_on > timezone.localdate():
        errors["assessed_on"] = _("An assessment cannot be dated in the future.")
    elif assessed_on < case.opened_on:
        errors["assessed_on"] = _(
            "The case opened on %(day)s: the assessment cannot be earlier."
        ) % {"day": case.opened_on.isoformat()}
    if kind not in Assessment.Kind.values:
        errors["kind"] = _("Choose the type of assessment.")
    known = {d.code for d in domains}
    for code in sorted(set(levels) - known):
        errors[code] = _("This instrument has no domain '%(code)s'.") % {"code": code}
    scores = []
    for domain in domains:
        value = levels.get(domain.code)
        if value in (None, ""):
            errors[domain.code] = _("Choose a level for %(domain)s.") % {"domain": domain.label}
        elif value == NOT_APPLICABLE:
            if not domain.may_be_not_applicable:
                errors[domain.code] = _("%(domain)s applies to everyone: choose a level.") % {
                    "domain": domain.label
                }
            scores.append(
                AssessmentScore(domain=domain, level=None, note=notes.get(domain.code, ""))
            )
        elif not isinstance(value, int) or isinstance(value, bool) or value not in allowed:
            errors[domain.code] = _("%(value)s is not a level of this instrument.") % {
                "value": value
            }
        else:
            scores.append(
                AssessmentScore(domain=domain, level=value, note=notes.get(domain.code, ""))
            )
    if errors:
        raise ValidationError(errors)
    assessment = Assessment.objects.create(
        organization=case.organization,
        survivor=case.survivor,
        case=case,
        instrument=instrument,
        kind=kind,
        assessed_on=assessed_on,
        assessor=actor,
        vector=Assessment.vector_of(scores),
    )
    for score in scores:
        score.assessment = assessment
    AssessmentScore.objects.bulk_create(scores)
    audit_record(
        assessment,
        actor=actor,
        organization=case.organization,
        action=AuditEvent.Action.CREATE,
        detail={"instrument": f"{instrument.code} v{instrument.version}", "kind": kind},
    )
    if kind in (Assessment.Kind.INTAKE, Assessment.Kind.PERIODIC) and _is_latest(assessment):
        schedule_next_assessment(case, actor=actor, after=assessed_on)
    return assessment


def _is_latest(assessment):
    return not assessment.case.assessments.filter(assessed_on__gt=assessment.assessed_on).exists()


def instrument_for(program):
    """The instrument version a program uses: its own, or the default."""
    from thrive.outcomes.models import Instrument

    return program.instrument or Instrument.objects.default()


def latest_assessment(case):
    return (
        case.assessments.select_related("instrument")
        .prefetch_related("scores__domain")
        .order_by("-assessed_on", "-pk")
        .first()
    )


def case_readiness(case):
    """(latest assessment or None, ready, [domains still below]) against the program's
    graduation level."""
    assessment = latest_assessment(case)
    if assessment is None:
        return None, False, []
    levels = {s.domain.code: s.level for s in assessment.scores.all()}
    ready, below = graduation_readiness(levels, threshold=case.program.graduation_level)
    domains = {s.domain.code: s.domain for s in assessment.scores.all()}
    return assessment, ready, [domains[c] for c in below]


def _domain_names(domains):
    return ", ".join(d.label for d in domains)


@transaction.atomic
def graduation_request(case, *, actor, note=""):
    """A case manager asks a supervisor to approve graduation. Refused unless the case may
    graduate now and its latest assessment has every applicable domain at the program's
    level; the readiness it saw is kept with the request."""
    case = Case.objects.select_for_update().select_related("program").get(pk=case.pk)
    if Case.Status.GRADUATED not in case.next_statuses():
        raise ValidationError(
            {
                "status": _("A case that is %(now)s cannot graduate.")
                % {"now": case.get_status_display().lower()}
            }
        )
    if case.graduation_reviews.filter(status=GraduationReview.Status.PENDING).exists():
        raise ValidationError({"status": _("Graduation is already waiting for a supervisor.")})
    assessment, ready, below = case_readiness(case)
    if assessment is None:
        raise ValidationError(
            {"assessment": _("Record an outcome assessment before asking to graduate.")}
        )
    if not ready:
        raise ValidationError(
            {
                "assessment": _(
                    "Not every domain is at level %(level)s yet: %(domains)s. Graduation "
                    "waits until they are."
                )
                % {"level": case.program.graduation_level, "domains": _domain_names(below)}
            }
        )
    review = GraduationReview.objects.create(
        organization=case.organization,
        case=case,
        assessment=assessment,
        threshold=case.program.graduation_level,
        requested_by=actor,
        request_note=note,
    )
    audit_record(
        review,
        actor=actor,
        organization=case.organization,
        action=AuditEvent.Action.CREATE,
        detail={"case": case.label, "assessment": assessment.pk},
    )
    return review


def _decide(review, actor):
    supervises = Membership.objects.filter(
        user=actor,
        organization_id=review.organization_id,
        role__in=(Role.SUPERVISOR, Role.PROGRAM_DIRECTOR),
    ).exists()
    if not supervises:
        raise PermissionDenied(_("Only supervisors and program directors approve graduation."))
    review = (
        GraduationReview.objects.select_for_update()
        .select_related("case__program", "case__organization")
        .get(pk=review.pk)
    )
    if review.status != GraduationReview.Status.PENDING:
        raise ValidationError(
            {
                "status": _("This request was already %(status)s.")
                % {"status": review.get_status_display().lower()}
            }
        )
    return review


@transaction.atomic
def graduation_approve(review, *, actor, graduated_on=None, note=""):
    """A supervisor approves: the case graduates on `graduated_on` (today by default), and
    the approval is recorded with who gave it and when. Approval checks readiness again,
    so an assessment recorded since the request that falls below the level stops it."""
    review = _decide(review, actor)
    case = review.case
    _assessment, ready, below = case_readiness(case)
    if not ready:
        raise ValidationError(
            {
                "assessment": _(
                    "Since the request, the latest assessment has domains below level "
                    "%(level)s: %(domains)s."
                )
                % {"level": review.threshold, "domains": _domain_names(below)}
            }
        )
    review.graduated_on = graduated_on or timezone.localdate()
    case_change_status(
        case, actor=actor, to=Case.Status.GRADUATED, on=review.graduated_on, graduation=review
    )
    return _record_decision(review, actor, GraduationReview.Status.APPROVED, note)


@transaction.atomic
def graduation_decline(review, *, actor, note):
    """A supervisor declines, saying why; the case manager may ask again later."""
    if not note.strip():
        raise ValidationError({"decision_note": _("Say why, so the case manager knows.")})
    review = _decide(review, actor)
    return _record_decision(review, actor, GraduationReview.Status.DECLINED, note)


def _record_decision(review, actor, status, note):
    """Who decided, when, what and why: kept on the review and in the audit trail."""
    review.status = status
    review.decided_by = actor
    review.decided_at = timezone.now()
    review.decision_note = note
    review.save()
    audit_record(
        review,
        actor=actor,
        organization=review.organization,
        action=AuditEvent.Action.CHANGE,
        changed_fields=["status"],
        detail={"case": review.case.label, "status": review.status},
    )
    return review


EVENT_FIELDS = ("kind", "occurred_on", "source", "offense_category", "compelled", "note")


@transaction.atomic
def outcome_event_record(case, *, actor, data):
    """Record an outcome event of the case's survivor. An arrest or conviction needs its
    offense category; the other events take none."""
    data = {k: v for k, v in data.items() if k in EVENT_FIELDS}
    errors = {}
    kind = data.get("kind")
    day = data.get("occurred_on")
    if kind in OutcomeEvent.WITH_OFFENSE:
        if not data.get("offense_category"):
            errors["offense_category"] = _("Give the offense category of the arrest or conviction.")
    else:
        for field in ("offense_category", "compelled"):
            if data.get(field):
                errors[field] = _("Only an arrest or a conviction has an offense.")
                data[field] = ""
    if day and day > timezone.localdate():
        errors["occurred_on"] = _("An outcome event cannot be dated in the future.")
    event = OutcomeEvent(
        organization=case.organization,
        survivor=case.survivor,
        case=case,
        recorded_by=actor,
        **data,
    )
    try:
        event.full_clean(exclude=[f for f in errors if f in EVENT_FIELDS])
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    event.save()
    audit_record(
        event,
        actor=actor,
        organization=case.organization,
        action=AuditEvent.Action.CREATE,
        detail={"case": case.label, "kind": event.kind},
    )
    return event
