"""Audited writes on funders and grants."""

from django.db import transaction

from thrive.audit.actions import audit_record
from thrive.audit.models import AuditEvent
from thrive.grants.models import Funder, Grant


@transaction.atomic
def funder_create(organization, *, actor, data):
    funder = Funder(organization=organization, **data)
    funder.full_clean()
    funder.save()
    audit_record(
        funder,
        actor=actor,
        organization=organization,
        action=AuditEvent.Action.CREATE,
        changed_fields=list(data),
    )
    return funder


@transaction.atomic
def grant_create(organization, *, actor, data):
    data = dict(data)
    allowable = data.pop("allowable_types", [])
    grant = Grant(organization=organization, **data)
    grant.full_clean()
    grant.save()
    grant.allowable_types.set(allowable)
    audit_record(
        grant,
        actor=actor,
        organization=organization,
        action=AuditEvent.Action.CREATE,
        changed_fields=[*data, "allowable_types"],
    )
    return grant
