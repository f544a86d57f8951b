"""The Survivor Outcomes Assessment as data: an instrument version, its domains and levels.

An assessment keeps the instrument version it used, so adopting a new version never changes
a past assessment. Assessments themselves arrive with the outcomes issue; goals of a service
plan already link to a domain.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from thrive.lib.bilingual import BilingualName


class InstrumentQuerySet(models.QuerySet):
    def default(self):
        return self.filter(is_default=True).order_by("-version").first()


class Instrument(models.Model):
    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    is_default = models.BooleanField(_("default"), default=False)

    objects = InstrumentQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_version_unique")
        ]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")

    def __str__(self):
        return f"{self.name} v{self.version}"


class Domain(BilingualName):
    instrument = models.ForeignKey(Instrument, models.PROTECT, related_name="domains")
    code = models.SlugField(_("code"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"))
    may_be_not_applicable = models.BooleanField(_("may be not applicable"), default=False)

    class Meta:
        ordering = ["instrument", "order"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="domain_code_unique")
        ]
        verbose_name = _("domain")
        verbose_name_plural = _("domains")


class Level(BilingualName):
    instrument = models.ForeignKey(Instrument, models.PROTECT, related_name="levels")
    number = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )

    class Meta:
        ordering = ["instrument", "number"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="level_number_unique")
        ]
        verbose_name = _("level")
        verbose_name_plural = _("levels")

    def __str__(self):
        return f"{self.number} {self.label}"
