"""The service taxonomy (data) and every service delivered, planned, declined or unmet.

Each service type maps to the VOCA performance-measure code, the HTCDS support-plan type and
the federal trafficking-grant category, so one recorded service yields every funder's count.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thrive.accounts.access import in_organization
from thrive.cases.models import CASE_ROLES, Case, FieldLabels
from thrive.lib.bilingual import BilingualName
from thrive.lib.fields import EncryptedTextField


class Unit(models.TextChoices):
    HOURS = "hours", _("hours")
    NIGHTS = "nights", _("nights")
    ITEMS = "items", _("items")
    DOLLARS = "dollars", _("dollars")


# The most one service record can count. More is a typing error or several services.
UNIT_LIMITS = {
    Unit.HOURS: Decimal(24),
    Unit.NIGHTS: Decimal(366),
    Unit.ITEMS: Decimal(10_000),
    Unit.DOLLARS: Decimal(1_000_000),
}


class ServiceCategory(BilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        ordering = ["order"]
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")


class ServiceType(BilingualName):
    category = models.ForeignKey(ServiceCategory, models.PROTECT, related_name="types")
    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"))
    units = models.JSONField(_("counted in"), default=list)
    voca_code = models.CharField(_("VOCA service code"), max_length=8, blank=True)
    htcds_type = models.CharField(_("HTCDS support plan type"), max_length=40)
    federal_category = models.CharField(
        _("federal trafficking-grant category"), max_length=40, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category__order", "order"]
        verbose_name = _("service type")
        verbose_name_plural = _("service types")

    def unit_labels(self):
        return [Unit(u).label for u in self.units]


class ServiceQuerySet(models.QuerySet):
    DIMENSIONS = {
        "voca": "service_type__voca_code",
        "htcds": "service_type__htcds_type",
        "federal": "service_type__federal_category",
        "grant": "grant_id",
        "type": "service_type__code",
    }

    def visible_to(self, user):
        return in_organization(self, user, roles=CASE_ROLES)

    def delivered(self):
        return self.filter(status=Service.Status.DELIVERED)

    def counts_by(self, dimension):
        """{value: (services, survivors)} for delivered services under one funder's scheme:
        'voca', 'htcds', 'federal', 'grant' or 'type'. Unmapped services are left out."""
        column = self.DIMENSIONS[dimension]
        rows = self.delivered().exclude(**{f"{column}__isnull": True})
        if dimension != "grant":
            rows = rows.exclude(**{column: ""})
        rows = (
            rows.values(column)
            .annotate(services=Count("pk"), survivors=Count("survivor", distinct=True))
            .order_by(column)
        )
        return {row[column]: (row["services"], row["survivors"]) for row in rows}


class Service(FieldLabels, models.Model):
    class Status(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        PLANNED = "planned", _("Planned")
        DECLINED = "declined", _("Declined by the survivor")
        UNAVAILABLE = "unavailable", _("Needed but unavailable")

    class Provider(models.TextChoices):
        STAFF = "staff", _("Our staff")
        PARTNER = "partner", _("A partner organization")

    class Funding(models.TextChoices):
        GRANT = "grant", _("A grant")
        GENERAL = "general", _("General funds")
        IN_KIND = "in_kind", _("In-kind donation")
        PARTNER = "partner", _("Paid by the partner")
        NONE = "none", _("No cost")

    organization = models.ForeignKey("accounts.Organization", models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, models.PROTECT, related_name="services")
    # Denormalized from the case, so survivor counts need no join through cases.
    survivor = models.ForeignKey(
        "survivors.Survivor", models.PROTECT, related_name="services", editable=False
    )
    service_type = models.ForeignKey(
        ServiceType, models.PROTECT, related_name="services", verbose_name=_("service")
    )
    goal = models.ForeignKey(
        "cases.Goal",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("toward goal"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DELIVERED
    )
    delivered_on = models.DateField(_("date"), default=timezone.localdate)
    provided_by = models.CharField(
        _("provided by"), max_length=16, choices=Provider.choices, default=Provider.STAFF
    )
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    partner = models.ForeignKey(
        "accounts.Organization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner organization"),
    )
    partner_name = models.CharField(_("partner (not in Thrive)"), max_length=200, blank=True)
    quantity = models.DecimalField(
        _("units"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    unit = models.CharField(_("counted in"), max_length=16, choices=Unit.choices)
    cost = models.DecimalField(
        _("cost (USD)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    funding = models.CharField(
        _("paid by"), max_length=16, choices=Funding.choices, default=Funding.GENERAL
    )
    grant = models.ForeignKey(
        "grants.Grant",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("grant"),
    )
    notes = EncryptedTextField(_("notes"), blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["-delivered_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="service_external_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["delivered", "planned", "declined", "unavailable"]),
                name="service_status_valid",
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="service_quantity_positive"),
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0), name="service_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(funding="grant", grant__isnull=False)
                | (~Q(funding="grant") & Q(grant__isnull=True)),
                name="service_grant_when_grant_funded",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "delivered_on"], name="service_org_date"),
            models.Index(fields=["grant", "status"], name="service_grant_status"),
            models.Index(fields=["case", "delivered_on"], name="service_case_date"),
            # Reports read every service of an organization by survivor and case (who was
            # served, new or continuing) and by day and type (services by category), from the
            # index alone.
            models.Index(
                fields=["organization", "status", "survivor", "case", "delivered_on"],
                name="service_survivor_case",
            ),
            models.Index(
                fields=["organization", "status", "delivered_on", "service_type", "survivor"],
                name="service_period_type",
            ),
        ]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self):
        return f"{self.service_type} {self.delivered_on}"

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.case_id:
            case = self.case
            self.survivor_id = case.survivor_id
            if self.delivered_on and self.delivered_on < case.opened_on:
                errors["delivered_on"] = _(
                    "The case opened on %(opened)s: a service cannot come before it."
                ) % {"opened": case.opened_on.isoformat()}
            elif self.delivered_on and case.ended_on and self.delivered_on > case.ended_on:
                errors["delivered_on"] = _(
                    "The case ended on %(ended)s: a service cannot come after it."
                ) % {"ended": case.ended_on.isoformat()}
        if self.status == self.Status.DELIVERED and self.delivered_on and self.delivered_on > today:
            errors["delivered_on"] = _(
                "A delivered service cannot be dated in the future; record it as planned."
            )
        if self.service_type_id and self.unit and self.unit not in self.service_type.units:
            errors["unit"] = _("%(service)s is counted in %(units)s.") % {
                "service": self.service_type.label,
                "units": ", ".join(str(u) for u in self.service_type.unit_labels()),
            }
        elif self.unit and self.quantity is not None and self.quantity > UNIT_LIMITS[self.unit]:
            errors["quantity"] = _(
                "One record can count at most %(limit)s %(unit)s; record separate services."
            ) % {"limit": UNIT_LIMITS[self.unit], "unit": Unit(self.unit).label}
        if self.unit == Unit.DOLLARS and self.cost is None and self.quantity is not None:
            self.cost = self.quantity
        if self.provided_by == self.Provider.PARTNER and not (self.partner_id or self.partner_name):
            errors["partner_name"] = _("Name the partner organization that provided it.")
        if self.provided_by == self.Provider.STAFF:
            self.partner, self.partner_name = None, ""
        if self.funding == self.Funding.GRANT and not self.grant_id:
            errors["grant"] = _("Choose the grant that paid for it.")
        elif self.funding != self.Funding.GRANT and self.grant_id:
            errors["funding"] = _("Choose 'A grant' to charge this service to a grant.")
        elif self.grant_id:
            errors.update(self.grant.refusal_for(self))
        if errors:
            raise ValidationError(errors)

    @property
    def provider_label(self):
        if self.provided_by == self.Provider.PARTNER:
            return self.partner.name if self.partner_id else self.partner_name
        return self.staff_member.get_full_name() if self.staff_member_id else ""
