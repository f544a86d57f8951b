"""Screening instruments as versioned data, the screenings administered with them, and the
identification decisions (HTCDS trafficking status) recorded for a survivor.

A screening points at the instrument version it was scored with and stores its own score and
result, so loading a new version never changes a past screening.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from thrive.accounts.access import in_organization
from thrive.lib.bilingual import BilingualName
from thrive.lib.fields import EncryptedTextField
from thrive.screening import engine


def localized(text):
    """The reader's language of a {"en": ..., "es": ...} text from an instrument file."""
    if not isinstance(text, dict):
        return text or ""
    language = (get_language() or "en")[:2]
    return text.get(language) or text.get("en") or ""


class Result(models.TextChoices):
    NO_CONCERN = engine.NO_CONCERN, _("No concern")
    POSSIBLE_CONCERN = engine.POSSIBLE_CONCERN, _("Possible concern")
    CLEAR_CONCERN = engine.CLEAR_CONCERN, _("Clear concern")


class ScreeningInstrumentQuerySet(models.QuerySet):
    def latest_versions(self):
        """The newest version of each instrument code, by code."""
        newest = self.filter(code=models.OuterRef("code")).order_by("-version").values("pk")[:1]
        return self.filter(pk=models.Subquery(newest)).order_by("code")


class ScreeningInstrument(BilingualName):
    """One version of a screening tool. Its definition is never edited once loaded."""

    code = models.SlugField(_("code"), max_length=60)
    version = models.PositiveIntegerField(_("version"))
    licence = models.TextField(_("licence"))
    citation = models.TextField(_("citation"))
    validated = models.BooleanField(_("validated"), default=False)
    definition = models.JSONField(_("definition"))
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now, editable=False)

    objects = ScreeningInstrumentQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"], name="screening_instrument_version_unique"
            )
        ]
        verbose_name = _("screening instrument")
        verbose_name_plural = _("screening instruments")

    def __str__(self):
        return f"{self.name} v{self.version}"

    @property
    def items(self):
        return engine.items(self.definition)

    @property
    def sections(self):
        """Sections with their items, in the reader's language, for forms and pages."""
        return [
            {
                "id": section["id"],
                "title": localized(section["title"]),
                "items": [
                    {
                        "id": item["id"],
                        "text": localized(item["text"]),
                        "required": item["required"],
                        "options": [(o["value"], localized(o["label"])) for o in item["options"]],
                    }
                    for item in section["items"]
                ],
            }
            for section in self.definition["sections"]
        ]

    @property
    def notice(self):
        return localized(self.definition.get("notice") or {})

    def answer_label(self, item_id, value):
        for item in self.items:
            if item["id"] == item_id:
                for option in item["options"]:
                    if option["value"] == value:
                        return localized(option["label"])
        return value


class ScreeningQuerySet(models.QuerySet):
    def visible_to(self, user):
        return in_organization(self, user)


class Screening(models.Model):
    """A screening administered to a survivor with one instrument version.

    The survivor is nullable in the schema because a screening will also be administered from
    a hotline contact (a `contact` link arrives with the hotline app); until then a check
    constraint requires the survivor. With contacts it becomes: survivor or contact."""

    organization = models.ForeignKey("accounts.Organization", models.PROTECT, related_name="+")
    survivor = models.ForeignKey(
        "survivors.Survivor",
        models.PROTECT,
        null=True,
        related_name="screenings",
        verbose_name=_("survivor"),
    )
    # The hotline contact during which it was administered, if any.
    contact = models.ForeignKey(
        "hotline.Contact",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="screenings",
        verbose_name=_("contact"),
    )
    instrument = models.ForeignKey(
        ScreeningInstrument,
        models.PROTECT,
        related_name="screenings",
        verbose_name=_("instrument"),
    )
    administered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("administered by"),
    )
    administered_at = models.DateTimeField(_("administered at"), default=timezone.now)
    answers = models.JSONField(_("answers"), default=dict)
    score = models.IntegerField(_("score"))
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    notes = EncryptedTextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        ordering = ["-administered_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(survivor__isnull=False), name="screening_has_survivor"
            ),
            models.CheckConstraint(
                condition=Q(result__in=engine.RESULTS), name="screening_result_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["survivor", "administered_at"], name="screening_survivor_date")
        ]
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")

    def __str__(self):
        return f"Screening #{self.pk}"

    def clean(self):
        if self.administered_at and self.administered_at > timezone.now():
            raise ValidationError(
                {"administered_at": _("A screening cannot be dated in the future.")}
            )

    def answered_items(self):
        """(section title, [(question, answer)]) in the instrument version's own words."""
        return [
            (
                section["title"],
                [
                    (item["text"], dict(item["options"]).get(self.answers.get(item["id"]), ""))
                    for item in section["items"]
                ],
            )
            for section in self.instrument.sections
        ]


class TraffickingStatus(models.TextChoices):
    POSSIBLE = "possible", _("Possible victim of trafficking")
    CONFIRMED = "confirmed", _("Confirmed victim of trafficking")
    NOT_A_VICTIM = "not_a_victim", _("Not a victim of trafficking")


class DecidedBy(models.TextChoices):
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    COURT = "court", _("Court or prosecution")
    OTHER_GOVERNMENT = "other_government", _("Other government agency")
    OTHER = "other", _("Other")


class Exploitation(models.TextChoices):
    """HTCDS vic_TypeOfExploitation codes, plus forced criminality (a Thrive code)."""

    FORCED_LABOUR = "ForcedLabour", _("Forced labor")
    SEXUAL_EXPLOITATION = "SexualExploitation", _("Sexual exploitation")
    FORCED_CRIMINALITY = "ForcedCriminality", _("Forced criminality")
    CHILD_LABOUR = "ChildLabour", _("Child labor")
    FORCED_MARRIAGE = "ForcedMarriage", _("Forced marriage")
    SERVITUDE = "Servitude", _("Domestic or other servitude")
    FORCED_MILITARY = "ForcedMilitaryByNonStateActors", _("Forced military (by non-state actors)")
    ORGAN_REMOVAL = "OrganRemoval", _("Organ removal")
    FORCED_BEGGING = "ForcedBegging", _("Forced begging")
    FORCED_ADOPTION = "ForcedAdoption", _("Forced adoption")
    SURROGACY = "Surrogacy", _("Surrogacy")
    OTHER = "Other", _("Other")


class MinorWhenExploited(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


HTCDS_STATUS = {
    TraffickingStatus.POSSIBLE: "PossibleVictimOfTrafficking",
    TraffickingStatus.CONFIRMED: "ActualVictimOfTrafficking",
    TraffickingStatus.NOT_A_VICTIM: "NotAVictimOfTrafficking",
}
HTCDS_DECIDED_BY = {
    DecidedBy.SERVICE_PROVIDER: "NGO",
    DecidedBy.LAW_ENFORCEMENT: "Police",
    DecidedBy.COURT: "CourtOrProsecution",
    DecidedBy.OTHER_GOVERNMENT: "NonPoliceGovernmentalOrganization",
    DecidedBy.OTHER: "Other",
}
# HTCDS 2.0 has no forced-criminality type: it is exported as Other.
HTCDS_EXPLOITATION = {code: code for code in Exploitation.values} | {
    Exploitation.FORCED_CRIMINALITY: "Other"
}


class IdentificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        return in_organization(self, user)

    def current_for(self, survivor):
        return self.filter(survivor=survivor).order_by("-decided_on", "-created_at", "-pk").first()


class Identification(models.Model):
    """A determination of whether a survivor is a victim of trafficking, and by whom.

    Kept as a history: each new determination is a new row and the latest is current."""

    organization = models.ForeignKey("accounts.Organization", models.PROTECT, related_name="+")
    survivor = models.ForeignKey(
        "survivors.Survivor", models.PROTECT, related_name="identifications"
    )
    status = models.CharField(
        _("trafficking status"), max_length=16, choices=TraffickingStatus.choices
    )
    decided_by = models.CharField(_("decided by"), max_length=20, choices=DecidedBy.choices)
    decided_on = models.DateField(_("decided on"), default=timezone.localdate)
    exploitation = models.JSONField(_("forms of exploitation"), default=list, blank=True)
    minor_when_exploited = models.CharField(
        _("a minor when exploited?"),
        max_length=8,
        choices=MinorWhenExploited.choices,
        default=MinorWhenExploited.UNKNOWN,
    )
    notes = EncryptedTextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = IdentificationQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TraffickingStatus.values),
                name="identification_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__in=DecidedBy.values),
                name="identification_decided_by_valid",
            ),
        ]
        verbose_name = _("identification")
        verbose_name_plural = _("identifications")

    def __str__(self):
        return f"Identification #{self.pk}"

    def clean(self):
        errors = {}
        if self.decided_on and self.decided_on > timezone.localdate():
            errors["decided_on"] = _("The decision cannot be dated in the future.")
        codes = self.exploitation
        if not isinstance(codes, list) or any(c not in Exploitation.values for c in codes):
            errors["exploitation"] = _("Choose forms of exploitation from the list.")
        elif len(set(codes)) != len(codes):
            self.exploitation = list(dict.fromkeys(codes))
        if errors:
            raise ValidationError(errors)

    @property
    def exploitation_labels(self):
        labels = dict(Exploitation.choices)
        return [labels.get(code, code) for code in self.exploitation]

    @property
    def htcds(self):
        """The HTCDS 2.0 fields this determination fills, for data-standard exports."""
        return {
            "vic_TraffickingStatus": HTCDS_STATUS[self.status],
            "vic_TraffickingStatusDecisionMakingOrg": HTCDS_DECIDED_BY[self.decided_by],
            "vic_TypeOfExploitation": list(
                dict.fromkeys(HTCDS_EXPLOITATION[code] for code in self.exploitation)
            ),
        }
