from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportRun(models.Model):
    """One run of a report: who ran it, for which organization or task force and period, in
    which format, and the disclosure audit that allowed it to be published (each suppressed
    cell's reason and range). Never a count of a person: the audit names cells, not people."""

    class Format(models.TextChoices):
        PAGE = "page", _("Page")
        JSON = "json", "JSON"
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        PDF = "pdf", "PDF"

    report = models.CharField(_("report"), max_length=40)
    organization = models.ForeignKey(
        "accounts.Organization", models.PROTECT, related_name="+", verbose_name=_("run by")
    )
    task_force = models.ForeignKey(
        "accounts.TaskForce", models.PROTECT, null=True, blank=True, related_name="+"
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    period_name = models.CharField(_("period"), max_length=40)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    suppressed = models.BooleanField(_("suppression on"), default=True)
    k = models.PositiveSmallIntegerField(_("smallest count shown"), default=10)
    audit = models.JSONField(_("disclosure audit"), default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        constraints = [
            models.CheckConstraint(condition=models.Q(k__gte=2), name="report_run_k_at_least_2"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="report_run_period_forwards",
            ),
        ]

    def __str__(self):
        return f"{self.report} · {self.period_name}"
