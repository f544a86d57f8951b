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


class MemberFigures(models.Model):
    """A member organization not yet on Thrive reports its aggregates for a period (a year,
    say), entered by the coordinating organization's staff from what the member sent. They
    appear in the member report of exactly that period as the member's row, protected like
    every other row. Counts only: no person is ever entered here."""

    task_force = models.ForeignKey(
        "accounts.TaskForce", models.CASCADE, related_name="member_figures"
    )
    organization_name = models.CharField(_("member organization (not on Thrive)"), max_length=200)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    period_name = models.CharField(_("period"), max_length=40)
    served = models.PositiveIntegerField(_("survivors served"))
    sex = models.PositiveIntegerField(_("of which sex trafficking"))
    labor = models.PositiveIntegerField(_("of which labor trafficking"))
    both = models.PositiveIntegerField(_("of which sex and labor"))
    unknown = models.PositiveIntegerField(_("of which type not known"))
    contacts = models.PositiveIntegerField(_("service contacts"))
    new = models.PositiveIntegerField(_("new identifications"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", editable=False
    )
    entered_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["organization_name"]
        verbose_name = _("member figures")
        verbose_name_plural = _("member figures")
        constraints = [
            models.UniqueConstraint(
                fields=["task_force", "organization_name", "period_start", "period_end"],
                name="member_figures_once_a_period",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    served=models.F("sex")
                    + models.F("labor")
                    + models.F("both")
                    + models.F("unknown")
                ),
                name="member_figures_types_add_up",
            ),
            models.CheckConstraint(
                condition=models.Q(new__lte=models.F("served")),
                name="member_figures_new_within_served",
            ),
        ]

    def __str__(self):
        return f"{self.organization_name} · {self.period_name}"

    def clean(self):
        from django.core.exceptions import ValidationError

        parts = [self.sex, self.labor, self.both, self.unknown]
        if self.served is not None and None not in parts and sum(parts) != self.served:
            raise ValidationError(
                {
                    "served": _(
                        "Survivors served (%(served)s) must equal the four trafficking "
                        "types added up (%(sum)s)."
                    )
                    % {"served": self.served, "sum": sum(parts)}
                }
            )
        if self.new is not None and self.served is not None and self.new > self.served:
            raise ValidationError(
                {"new": _("New identifications cannot be more than the survivors served.")}
            )
