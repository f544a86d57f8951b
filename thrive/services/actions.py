"""Audited writes on services. A service is recorded once and counted by every funder."""

from django.db import transaction

from thrive.audit.actions import audit_record, audit_record_many
from thrive.audit.models import AuditEvent
from thrive.cases.actions import touch_contact
from thrive.lib.locking import versioned_update
from thrive.services.models import Service

SERVICE_FIELDS = [
    "service_type",
    "goal",
    "status",
    "delivered_on",
    "provided_by",
    "staff_member",
    "partner",
    "partner_name",
    "quantity",
    "unit",
    "cost",
    "funding",
    "grant",
    "notes",
]


def _counts_as_contact(service):
    return service.status == Service.Status.DELIVERED and service.provided_by == "staff"


@transaction.atomic
def service_record(case, *, actor, data):
    service = Service(
        organization=case.organization,
        case=case,
        survivor_id=case.survivor_id,
        recorded_by=actor,
        **data,
    )
    service.full_clean()
    service.save()
    if _counts_as_contact(service):
        touch_contact(case, service.delivered_on)
    audit_record(
        service,
        actor=actor,
        organization=case.organization,
        action=AuditEvent.Action.CREATE,
        changed_fields=[name for name, value in data.items() if value not in ("", None)],
    )
    return service


@transaction.atomic
def service_update(service, *, actor, data, expected_version):
    service, changed = versioned_update(
        service,
        actor=actor,
        organization=service.organization,
        data=data,
        fields=SERVICE_FIELDS,
        expected_version=expected_version,
    )
    if changed and _counts_as_contact(service):
        touch_contact(service.case, service.delivered_on)
    return changed


@transaction.atomic
def services_bulk_record(organization, services, *, actor, batch_size=2000):
    """Save many services already validated by the caller (imports), audited in bulk."""
    services = list(services)
    for service in services:
        service.organization = organization
        if service.recorded_by_id is None:
            service.recorded_by = actor
    created = Service.objects.bulk_create(services, batch_size=batch_size)
    audit_record_many(
        created,
        actor=actor,
        organization=organization,
        action=AuditEvent.Action.CREATE,
        detail={"bulk": True},
    )
    return created
