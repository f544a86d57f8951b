"""The Survivor Outcomes Assessment as data: an instrument version, its domains and levels.

An assessment keeps the instrument version it used, so adopting a new version never changes
a past assessment. Assessments themselves arrive with the outcomes issue; goals of a service
plan already link to a domain.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from thrive.lib.bilingual import BilingualName
from thrive.lib.fields import EncryptedTextField


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
    # {"1": {"en": "...", "es": "..."}, ...}: what each level looks like in this domain.
    anchors = models.JSONField(_("anchors"), default=dict, blank=True)

    class Meta:
        ordering = ["instrument", "order"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="domain_code_unique")
        ]
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def anchor(self, level):
        """What `level` looks like in this domain, in the reader's language."""
        texts = self.anchors.get(str(level), {})
        language = "es" if (get_language() or "en").startswith("es") else "en"
        return texts.get(language) or texts.get("en", "")


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


class Assessment(models.Model):
    """One Survivor Outcomes Assessment: a level (or 'not applicable') for every domain of
    the instrument version it used. Changing the instrument later never changes it."""

    class Kind(models.TextChoices):
        INTAKE = "intake", _("Intake")
        PERIODIC = "periodic", _("Periodic")
        EXIT = "exit", _("Exit")
        FOLLOW_UP = "follow_up", _("Follow-up after exit")

    organization = models.ForeignKey("accounts.Organization", models.PROTECT, related_name="+")
    survivor = models.ForeignKey(
        "survivors.Survivor", models.PROTECT, related_name="assessments", verbose_name=_("survivor")
    )
    case = models.ForeignKey(
        "cases.Case", models.PROTECT, related_name="assessments", verbose_name=_("case")
    )
    instrument = models.ForeignKey(
        Instrument, models.PROTECT, related_name="assessments", verbose_name=_("instrument")
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    assessed_on = models.DateField(_("date"))
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("assessor")
    )
    # The levels again, one character per domain in the instrument's order ("-" for not
    # applicable): "3342-...". Summaries over hundreds of thousands of assessments read this
    # one column instead of thirteen score rows each. Written with the scores, never apart.
    vector = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["survivor", "assessed_on", "pk"]
        indexes = [
            # Covers the program summary's read: the table itself is never touched.
            models.Index(
                fields=["organization", "assessed_on", "case", "instrument", "vector"],
                name="assessment_summary",
            ),
            models.Index(fields=["survivor", "assessed_on"], name="assessment_survivor_date"),
        ]
        verbose_name = _("outcome assessment")
        verbose_name_plural = _("outcome assessments")

    def __str__(self):
        return f"Assessment {self.pk} {self.assessed_on}"

    NOT_APPLICABLE = "-"

    @staticmethod
    def vector_of(scores):
        """The `vector` of scores given in the instrument's domain order."""
        return "".join(
            Assessment.NOT_APPLICABLE if s.level is None else str(s.level) for s in scores
        )

    @staticmethod
    def levels_of_vector(vector, codes):
        """{domain code: level or None} from a vector and the instrument's domain codes in
        order."""
        return {
            code: None if char == Assessment.NOT_APPLICABLE else int(char)
            for code, char in zip(codes, vector, strict=True)
        }

    def levels(self):
        """{domain code: level} of the applicable domains."""
        return {s.domain.code: s.level for s in self.scores.all() if s.level is not None}

    @property
    def mean_level(self):
        levels = list(self.levels().values())
        return sum(levels) / len(levels) if levels else None


class AssessmentScore(models.Model):
    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="scores")
    domain = models.ForeignKey(Domain, models.PROTECT, related_name="+", verbose_name=_("domain"))
    # None: not applicable to this survivor (only for domains that allow it).
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    note = EncryptedTextField(_("note"), blank=True)

    class Meta:
        ordering = ["assessment", "domain__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "domain"], name="assessment_score_one_per_domain"
            )
        ]
        verbose_name = _("domain level")
        verbose_name_plural = _("domain levels")

    def __str__(self):
        return f"{self.domain.code}={self.level}"


class OutcomeEvent(models.Model):
    """Something that happened to a survivor during or after services that an evaluator
    counts: a new trafficking situation, an arrest, a conviction, a return to services, a
    homelessness episode, a hospitalization. Each is its own type, never folded together:
    survivors are often arrested for acts they were compelled to commit."""

    class Kind(models.TextChoices):
        RE_EXPLOITATION = "re_exploitation", _("Re-exploitation (a new trafficking situation)")
        RE_ARREST = "re_arrest", _("Re-arrest")
        RECONVICTION = "reconviction", _("Reconviction")
        RETURN_TO_SERVICES = "return_to_services", _("Return to services")
        HOMELESSNESS = "homelessness", _("Homelessness episode")
        HOSPITALIZATION = "hospitalization", _("Hospitalization")

    class Source(models.TextChoices):
        SURVIVOR = "survivor", _("The survivor")
        STAFF = "staff", _("Program staff")
        PARTNER = "partner", _("Partner agency")
        LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
        COURT_RECORD = "court_record", _("Court record")
        HOSPITAL = "hospital", _("Hospital or clinic")
        OTHER = "other", _("Other")

    class Offense(models.TextChoices):
        COMMERCIAL_SEX = "commercial_sex", _("Prostitution or commercial sex")
        DRUG = "drug", _("Drug possession or sale")
        PROPERTY = "property", _("Theft or property")
        FRAUD = "fraud", _("Fraud or forgery")
        IMMIGRATION = "immigration", _("Immigration")
        VIOLENT = "violent", _("Violent offense")
        PUBLIC_ORDER = "public_order", _("Public order or loitering")
        OTHER = "other", _("Other")
        UNKNOWN = "unknown", _("Unknown")

    class Compelled(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        UNKNOWN = "unknown", _("Unknown")

    WITH_OFFENSE = (Kind.RE_ARREST, Kind.RECONVICTION)

    organization = models.ForeignKey("accounts.Organization", models.PROTECT, related_name="+")
    survivor = models.ForeignKey(
        "survivors.Survivor",
        models.PROTECT,
        related_name="outcome_events",
        verbose_name=_("survivor"),
    )
    case = models.ForeignKey(
        "cases.Case", models.PROTECT, related_name="outcome_events", verbose_name=_("case")
    )
    kind = models.CharField(_("event"), max_length=24, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    offense_category = models.CharField(
        _("offense category"), max_length=24, choices=Offense.choices, blank=True
    )
    # Was the act one the survivor was compelled to commit by a trafficker?
    compelled = models.CharField(
        _("compelled by a trafficker"), max_length=8, choices=Compelled.choices, blank=True
    )
    note = EncryptedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["survivor", "occurred_on", "pk"]
        indexes = [
            models.Index(fields=["organization", "occurred_on"], name="outcome_event_org_date"),
            models.Index(fields=["case", "occurred_on"], name="outcome_event_case_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["re_arrest", "reconviction"], offense_category__gt="")
                | (
                    ~models.Q(kind__in=["re_arrest", "reconviction"])
                    & models.Q(offense_category="", compelled="")
                ),
                name="outcome_event_offense_only_for_arrests",
            )
        ]
        verbose_name = _("outcome event")
        verbose_name_plural = _("outcome events")

    def __str__(self):
        return f"{self.kind} {self.occurred_on}"


class GraduationReview(models.Model):
    """A case manager's request that a case graduate, and a supervisor's decision on it.
    The readiness the request saw is kept with it, so the record shows what was approved."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a supervisor")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    organization = models.ForeignKey("accounts.Organization", models.PROTECT, related_name="+")
    case = models.ForeignKey(
        "cases.Case", models.PROTECT, related_name="graduation_reviews", verbose_name=_("case")
    )
    assessment = models.ForeignKey(
        Assessment,
        models.PROTECT,
        related_name="+",
        verbose_name=_("latest assessment"),
    )
    threshold = models.PositiveSmallIntegerField(_("level required"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now, editable=False)
    request_note = EncryptedTextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = EncryptedTextField(_("reason"), blank=True)
    graduated_on = models.DateField(_("graduation date"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending"),
                name="graduation_review_one_pending",
            )
        ]
        verbose_name = _("graduation review")
        verbose_name_plural = _("graduation reviews")

    def __str__(self):
        return f"Graduation review {self.pk} ({self.status})"
