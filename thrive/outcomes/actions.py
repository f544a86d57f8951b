"""Audited writes of outcome assessments."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thrive.audit.actions import audit_record
from thrive.audit.models import AuditEvent
from thrive.outcomes.models import Assessment, AssessmentScore

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
    return assessment
