"""Optimistic locking: two people editing one record never silently overwrite each other.

A versioned record carries `version`. A form or API client sends back the version it
started from; if someone saved in between, the second save raises EditConflict, which names
who changed what since, and nothing is saved. The row lock makes the check and the write one
step on SQLite and PostgreSQL alike.
"""

import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import formats, timezone

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


def _shown(model, name, value):
    """A value as a person reads it: choice labels, people's names, local dates."""
    if value in (None, "") or (isinstance(value, list | tuple) and not value):
        return "—"
    if hasattr(value, "get_full_name"):
        return value.get_full_name() or value.get_username()
    if isinstance(value, list | tuple | QuerySet):
        return ", ".join(_shown(model, name, item) for item in value)
    field = model._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal):
        return formats.number_format(value.quantize(Decimal("0.01")), use_l10n=True)
    return str(value)


def describe_conflict(conflict, yours):
    """For the page: who saved which fields since, and each field they changed with its
    stored value beside the editor's (`yours`: the form's cleaned data). Field names are
    labelled with the model's `field_label`."""
    current = conflict.current
    model = type(current)

    def stored(name):
        value = getattr(current, name)
        return list(value.all()) if model._meta.get_field(name).many_to_many else value

    changes = [
        {
            "actor": _shown(model, "", event.actor) if event.actor else "—",
            "at": event.at,
            "fields": [model.field_label(name) for name in event.changed_fields],
        }
        for event in conflict.changes()
    ]
    rows = [
        {
            "name": name,
            "label": model.field_label(name),
            "current": _shown(model, name, stored(name)),
            "yours": _shown(model, name, yours.get(name)),
        }
        for name in conflict.changed_fields()
        if name in yours
    ]
    return {"changes": changes, "rows": rows, "version": current.version}
