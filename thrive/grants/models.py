"""Funders and grants: what each grant allows, for which period, and what it has paid for."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Funder(models.Model):
    class Kind(models.TextChoices):
        FEDERAL = "federal", _("Federal")
        STATE = "state", _("State")
        LOCAL = "local", _("County or city")
        FOUNDATION = "foundation", _("Private foundation")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(
        "accounts.Organization", models.CASCADE, related_name="funders"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="funder_name_unique")
        ]
        verbose_name = _("funder")
        verbose_name_plural = _("funders")

    def __str__(self):
        return self.name


class GrantQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def current_on(self, day):
        return self.filter(starts_on__lte=day, ends_on__gte=day)

    def with_spend(self):
        """Each grant's delivered spend and what remains: computed from the services
        themselves, so it is always current."""
        spent = Coalesce(
            Sum("services__cost", filter=Q(services__status="delivered")),
            Decimal(0),
            output_field=models.DecimalField(max_digits=14, decimal_places=2),
        )
        return self.annotate(spent=spent).annotate(remaining=F("amount") - F("spent"))


class Grant(models.Model):
    organization = models.ForeignKey("accounts.Organization", models.CASCADE, related_name="grants")
    funder = models.ForeignKey(
        Funder, models.PROTECT, related_name="grants", verbose_name=_("funder")
    )
    name = models.CharField(_("name"), max_length=200)
    award_number = models.CharField(_("award number"), max_length=60, blank=True)
    amount = models.DecimalField(
        _("amount (USD)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    starts_on = models.DateField(_("period starts"))
    ends_on = models.DateField(_("period ends"))
    allowable_types = models.ManyToManyField(
        "services.ServiceType", related_name="grants", verbose_name=_("allowable services")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["-ends_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="grant_name_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="grant_period_in_order"
            ),
        ]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The period ends before it starts.")})
        if (
            self.funder_id
            and self.organization_id
            and self.funder.organization_id != self.organization_id
        ):
            raise ValidationError({"funder": _("This funder belongs to another organization.")})

    def refusal_for(self, service):
        """Why this grant cannot pay for `service`, by field; empty when it can."""
        if self.organization_id != service.organization_id:
            return {"grant": _("This grant belongs to another organization.")}
        if service.delivered_on and not self.starts_on <= service.delivered_on <= self.ends_on:
            return {
                "grant": _(
                    "%(grant)s runs from %(start)s to %(end)s; the service is dated %(day)s."
                )
                % {
                    "grant": self.name,
                    "start": self.starts_on.isoformat(),
                    "end": self.ends_on.isoformat(),
                    "day": service.delivered_on.isoformat(),
                }
            }
        if service.service_type_id and not self.allows(service.service_type_id):
            return {
                "grant": _("%(grant)s does not pay for %(service)s.")
                % {"grant": self.name, "service": service.service_type.label}
            }
        return {}

    def allows(self, service_type_id):
        cache = getattr(self, "_allowed_ids", None)
        if cache is None:
            cache = self._allowed_ids = set(self.allowable_types.values_list("pk", flat=True))
        return service_type_id in cache
