"""Audited writes on funders and grants."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

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


GRANT_FIELDS = ["funder", "name", "award_number", "amount", "starts_on", "ends_on"]


@transaction.atomic
def grant_update(grant, *, actor, data):
    """Change a grant. The services already charged to it must still fit: its period must
    still cover their dates and it must still allow their types. Returns the changed names."""
    data = dict(data)
    allowable = data.pop("allowable_types", None)
    unknown = set(data) - set(GRANT_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    stored = Grant.objects.select_for_update().get(pk=grant.pk)
    before = {name: getattr(stored, name) for name in GRANT_FIELDS}
    allowed_before = set(stored.allowable_types.values_list("pk", flat=True))
    for name, value in data.items():
        setattr(grant, name, value)
    grant.full_clean()
    changed = [name for name in GRANT_FIELDS if getattr(grant, name) != before[name]]
    allowed_after = allowed_before if allowable is None else {t.pk for t in allowable}
    if allowed_after != allowed_before:
        changed.append("allowable_types")
    if not changed:
        return []
    _check_charged_services_fit(grant, allowed_after)
    grant.save()
    if "allowable_types" in changed:
        grant.allowable_types.set(allowed_after)
        grant._allowed_ids = None
    audit_record(
        grant,
        actor=actor,
        organization=grant.organization,
        action=AuditEvent.Action.CHANGE,
        changed_fields=changed,
    )
    return changed


def _check_charged_services_fit(grant, allowed_ids):
    services = grant.services.all()
    outside = (
        services.filter(Q(delivered_on__lt=grant.starts_on) | Q(delivered_on__gt=grant.ends_on))
        .order_by("delivered_on")
        .values_list("delivered_on", flat=True)
        .first()
    )
    if outside:
        field = "starts_on" if outside < grant.starts_on else "ends_on"
        raise ValidationError(
            {
                field: _(
                    "A service charged to this grant is dated %(day)s: the period must cover it."
                )
                % {"day": outside.isoformat()}
            }
        )
    disallowed = (
        services.exclude(service_type__in=allowed_ids).select_related("service_type").first()
    )
    if disallowed:
        raise ValidationError(
            {
                "allowable_types": _(
                    "Services of %(service)s are charged to this grant: it must still allow them."
                )
                % {"service": disallowed.service_type.label}
            }
        )
