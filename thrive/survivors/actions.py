"""Audited writes on survivors. Each runs in one transaction with its audit event."""

from django.db import transaction
from django.utils import timezone

from thrive.audit.actions import audit_record, audit_record_many
from thrive.audit.models import AuditEvent
from thrive.lib.crypto import keyring
from thrive.survivors.models import Survivor, SurvivorLookup

EDITABLE_FIELDS = [
    f.name
    for f in Survivor._meta.concrete_fields
    if f.editable and f.name not in {"id", "organization"}
]


def _lookup_rows(survivor):
    ring = keyring()
    return [
        SurvivorLookup(
            organization_id=survivor.organization_id,
            survivor=survivor,
            kind=kind,
            digest=ring.blind_index(value, kind),
        )
        for kind, value in survivor.lookup_values()
    ]


@transaction.atomic
def survivor_create(organization, *, actor, data):
    survivor = Survivor(organization=organization, **data)
    # The record number is reserved below, so it is left out of validation: a placeholder
    # would collide with the organization's existing record of that number.
    survivor.full_clean(exclude=["record_number"])
    survivor.record_number = organization.reserve_numbers("survivor_sequence", 1)[0]
    survivor.save()
    SurvivorLookup.objects.bulk_create(_lookup_rows(survivor))
    audit_record(
        survivor,
        actor=actor,
        organization=organization,
        action=AuditEvent.Action.CREATE,
        changed_fields=[name for name in data if data[name] not in ("", None, [])],
    )
    return survivor


@transaction.atomic
def survivor_update(survivor, *, actor, data):
    """Apply `data`, validate the whole record, save; the audit names the fields changed."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    # Compare with what is stored, not with the instance: a bound ModelForm has already
    # written the submitted values onto it. The row lock serializes concurrent edits.
    stored = Survivor.objects.select_for_update().get(pk=survivor.pk)
    before = {name: getattr(stored, name) for name in EDITABLE_FIELDS}
    for name, value in data.items():
        setattr(survivor, name, value)
    survivor.full_clean()
    changed = [name for name in EDITABLE_FIELDS if getattr(survivor, name) != before[name]]
    if not changed:
        return survivor
    survivor.updated_at = timezone.now()
    survivor.save()
    SurvivorLookup.objects.filter(survivor=survivor).delete()
    SurvivorLookup.objects.bulk_create(_lookup_rows(survivor))
    audit_record(
        survivor,
        actor=actor,
        organization=survivor.organization,
        action=AuditEvent.Action.CHANGE,
        changed_fields=changed,
    )
    return survivor


def survivor_view(survivor, *, actor, detail=None):
    """Reading a survivor's record is itself recorded."""
    return audit_record(
        survivor,
        actor=actor,
        organization=survivor.organization,
        action=AuditEvent.Action.VIEW,
        detail=detail,
    )


def survivor_search(organization, *, actor, by, results):
    """A search names the kind of look-up and the result count, never the term searched."""
    return audit_record(
        None,
        actor=actor,
        organization=organization,
        action=AuditEvent.Action.SEARCH,
        object_type="survivors.survivor",
        detail={"by": by, "results": results},
    )


@transaction.atomic
def survivors_export(organization, survivors, *, actor, export_format):
    """Every record in an export gets its own event, so a record's trail shows each export."""
    survivors = list(survivors)
    audit_record_many(
        survivors,
        actor=actor,
        organization=organization,
        action=AuditEvent.Action.EXPORT,
        detail={"format": export_format, "records": len(survivors)},
    )
    return survivors


@transaction.atomic
def survivors_bulk_create(organization, survivors, *, actor, batch_size=2000):
    """Create many validated survivors at once (imports, demo data): record numbers,
    blind index and a create event for each, in bulk statements."""
    survivors = list(survivors)
    for number, survivor in zip(
        organization.reserve_numbers("survivor_sequence", len(survivors)), survivors, strict=True
    ):
        survivor.organization = organization
        survivor.record_number = number
        # The organization was just locked above: checking it exists per row cost 28%.
        survivor.full_clean(
            exclude=["organization"], validate_unique=False, validate_constraints=False
        )
    # SQLite (3.35+) and PostgreSQL both return the new ids from a bulk insert.
    created = Survivor.objects.bulk_create(survivors, batch_size=batch_size)
    SurvivorLookup.objects.bulk_create(
        [row for s in created for row in _lookup_rows(s)], batch_size=batch_size
    )
    audit_record_many(
        created,
        actor=actor,
        organization=organization,
        action=AuditEvent.Action.CREATE,
        detail={"bulk": True},
    )
    return created
