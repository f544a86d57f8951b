"""Report runs: stored with their disclosure audit, and audited, in one transaction."""

from django.db import transaction

from thrive.audit.actions import audit_record
from thrive.audit.models import AuditEvent
from thrive.reporting.models import ReportRun


@transaction.atomic
def report_run_record(
    report, *, actor, organization, period, published, export_format, rule, task_force=None
):
    """Record that `actor` ran `report` and was shown or sent `published`: a ReportRun with
    the audit, and an audit event (a view for a page or JSON, an export for a file)."""
    run = ReportRun.objects.create(
        report=report,
        organization=organization,
        task_force=task_force,
        period_start=period.start,
        period_end=period.end,
        period_name=str(period)[:40],
        format=export_format,
        suppressed=published.audit is not None,
        k=rule.k,
        audit=published.audit or {},
        actor=actor,
    )
    audit_record(
        run,
        actor=actor,
        organization=organization,
        action=AuditEvent.Action.VIEW
        if export_format in (ReportRun.Format.PAGE, ReportRun.Format.JSON)
        else AuditEvent.Action.EXPORT,
        detail={
            "report": report,
            "period": str(period),
            "format": export_format,
            "suppressed_cells": (published.audit or {}).get("suppressed", 0),
            "audit_passed": (published.audit or {}).get("passed"),
        },
    )
    return run


@transaction.atomic
def member_figures_record(task_force, *, actor, organization, data):
    """Store a member's aggregates (validated: the types add up to survivors served, new
    identifications within them), replacing earlier figures of the same member and period,
    and audit it."""
    from thrive.reporting.models import MemberFigures

    figures = MemberFigures.objects.filter(
        task_force=task_force,
        organization_name=data["organization_name"],
        period_start=data["period_start"],
        period_end=data["period_end"],
    ).first() or MemberFigures(task_force=task_force)
    for field, value in data.items():
        setattr(figures, field, value)
    figures.entered_by = actor
    figures.full_clean()
    existed = figures.pk is not None
    figures.save()
    audit_record(
        figures,
        actor=actor,
        organization=organization,
        action=AuditEvent.Action.CHANGE if existed else AuditEvent.Action.CREATE,
        detail={"task_force": task_force.pk, "period": figures.period_name},
    )
    return figures


def report_publish(
    report,
    figures,
    *,
    actor,
    organization,
    period,
    rule,
    export_format,
    suppress=True,
    task_force=None,
):
    """What the page, the API and the command line all do with a report's figures: publish
    them through disclosure control (AuditFailed if they may not be) and record the run."""
    from thrive.reporting.tables import publish

    published = publish(figures, rule=rule, suppress=suppress)
    report_run_record(
        report,
        actor=actor,
        organization=organization,
        task_force=task_force,
        period=period,
        published=published,
        export_format=export_format,
        rule=rule,
    )
    return published
