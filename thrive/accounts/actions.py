"""Audited writes on accounts: two-factor devices and API tokens."""

from django.db import transaction
from django.utils import timezone

from thrive.accounts.models import ApiToken
from thrive.audit.actions import audit_record
from thrive.audit.models import AuditEvent


@transaction.atomic
def api_token_create(membership, *, actor, name):
    """Returns (token, raw). The raw token is shown once and never stored."""
    raw, digest = ApiToken.generate()
    token = ApiToken.objects.create(
        user=actor,
        organization=membership.organization,
        name=name,
        digest=digest,
        hint=raw[: len(ApiToken.PREFIX) + 4],
    )
    audit_record(
        token, actor=actor, organization=membership.organization, action=AuditEvent.Action.CREATE
    )
    return token, raw


@transaction.atomic
def api_token_revoke(token, *, actor):
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            token,
            actor=actor,
            organization=token.organization,
            action=AuditEvent.Action.CHANGE,
            changed_fields=["revoked_at"],
        )
    return token
