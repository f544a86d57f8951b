"""Writing the audit trail. Called by every other app's actions, inside their transaction."""

from thrive.audit.models import AuditEvent
from thrive.lib.middleware import client_ip_var, request_id_var


def _event(obj, *, actor, organization, action, changed_fields=(), detail=None, object_type=None):
    return AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        organization=organization,
        action=action,
        object_type=object_type or obj._meta.label_lower,
        object_id=str(obj.pk) if obj is not None else "",
        changed_fields=sorted(changed_fields),
        detail=detail or {},
        request_id=request_id_var.get(),
        ip=client_ip_var.get(),
    )


def audit_record(
    obj, *, actor, organization, action, changed_fields=(), detail=None, object_type=None
):
    """One event. `detail` must never hold personal data: counts, filter kinds, formats."""
    event = _event(
        obj,
        actor=actor,
        organization=organization,
        action=action,
        changed_fields=changed_fields,
        detail=detail,
        object_type=object_type,
    )
    event.save()
    return event


def audit_record_many(objs, *, actor, organization, action, detail=None):
    """One event per record, written in one statement (exports, bulk loads)."""
    events = [
        _event(o, actor=actor, organization=organization, action=action, detail=detail)
        for o in objs
    ]
    return AuditEvent.objects.bulk_create(events, batch_size=1000)
