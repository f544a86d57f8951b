"""Audited writes on screenings and identifications."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from thrive.audit.actions import audit_record
from thrive.audit.models import AuditEvent
from thrive.screening import engine
from thrive.screening.models import Identification, Screening

IDENTIFICATION_FIELDS = [
    "status",
    "decided_by",
    "decided_on",
    "exploitation",
    "minor_when_exploited",
    "notes",
]


@transaction.atomic
def screening_record(
    survivor, *, actor, instrument, answers, notes="", administered_at=None, contact=None
):
    """Check every answer against this instrument version, score it, save it, audit it.

    Raises ValidationError {item id: message} for an unknown item, an answer outside the
    item's options or a required item unanswered; nothing is saved then."""
    if contact is not None and contact.survivor_id != survivor.pk:
        raise ValidationError({"contact": _("This contact is not linked to this survivor.")})
    if not isinstance(answers, dict):
        raise ValidationError(engine.answer_errors(instrument.definition, answers))
    answers = {key: value for key, value in answers.items() if value not in (None, "")}
    errors = engine.answer_errors(instrument.definition, answers)
    if errors:
        raise ValidationError(errors)
    score, result = engine.score(instrument.definition, answers)
    screening = Screening(
        organization=survivor.organization,
        survivor=survivor,
        contact=contact,
        instrument=instrument,
        administered_by=actor,
        answers=answers,
        score=score,
        result=result,
        notes=notes,
    )
    if administered_at is not None:
        screening.administered_at = administered_at
    screening.full_clean()
    screening.save()
    audit_record(
        screening,
        actor=actor,
        organization=survivor.organization,
        action=AuditEvent.Action.CREATE,
        detail={
            "survivor": survivor.pk,
            "instrument": instrument.code,
            "version": instrument.version,
        },
    )
    return screening


def screening_view(screening, *, actor):
    return audit_record(
        screening,
        actor=actor,
        organization=screening.organization,
        action=AuditEvent.Action.VIEW,
        detail={"survivor": screening.survivor_id},
    )


@transaction.atomic
def identification_record(survivor, *, actor, data):
    """A new determination: added to the history, never replacing an earlier one."""
    unknown = set(data) - set(IDENTIFICATION_FIELDS)
    if unknown:
        raise ValueError(f"not settable: {sorted(unknown)}")
    identification = Identification(
        organization=survivor.organization, survivor=survivor, recorded_by=actor, **data
    )
    identification.full_clean()
    identification.save()
    audit_record(
        identification,
        actor=actor,
        organization=survivor.organization,
        action=AuditEvent.Action.CREATE,
        changed_fields=[name for name, value in data.items() if value not in ("", None, [])],
        detail={"survivor": survivor.pk},
    )
    return identification
