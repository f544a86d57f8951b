"""Optimistic locking: two people editing one record never silently overwrite each other.

A versioned record carries `version`. A form or API client sends back the version it
started from; if someone saved in between, the second save raises EditConflict, which names
who changed what since, and nothing is saved. The row lock makes the check and the write one
step on SQLite and PostgreSQL alike.
"""

from django.utils import timezone

from thrive.audit.actions import audit_record
from thrive.audit.models import AuditEvent


class EditConflict(Exception):
    def __init__(self, current, expected_version):
        super().__init__(f"version {expected_version} is stale; now {current.version}")
        self.current = current
        self.expected_version = expected_version

    def changes(self):
        """The edits saved since `expected_version`: who, when, which fields."""
        return list(
            AuditEvent.objects.for_object(self.current)
            .filter(action=AuditEvent.Action.CHANGE, detail__version__gt=self.expected_version)
            .select_related("actor")
            .order_by("at")
        )

    def changed_fields(self):
        return sorted({name for event in self.changes() for name in event.changed_fields})


def lock_current(obj, expected_version):
    """The stored row, locked; EditConflict if it moved past `expected_version`."""
    stored = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if expected_version is not None and stored.version != int(expected_version):
        raise EditConflict(stored, int(expected_version))
    return stored


def versioned_update(obj, *, actor, organization, data, fields, expected_version):
    """Apply `data` (names within `fields`), validate, save with the next version and audit
    the changed field names. Call inside the caller's transaction."""
    unknown = set(data) - set(fields)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    stored = lock_current(obj, expected_version)
    before = {name: getattr(stored, name) for name in fields}
    for name, value in data.items():
        setattr(obj, name, value)
    obj.version = stored.version
    obj.full_clean()
    changed = [name for name in fields if getattr(obj, name) != before[name]]
    if not changed:
        return obj, []
    obj.version = stored.version + 1
    if hasattr(obj, "updated_at"):
        obj.updated_at = timezone.now()
    obj.save()
    audit_record(
        obj,
        actor=actor,
        organization=organization,
        action=AuditEvent.Action.CHANGE,
        changed_fields=changed,
        detail={"version": obj.version},
    )
    return obj, changed
