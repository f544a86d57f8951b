import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who works in Thrive. Survivors are never users in v1."""

    pass


class Role(models.TextChoices):
    HOTLINE_ADVOCATE = "hotline_advocate", _("Hotline advocate")
    CASE_MANAGER = "case_manager", _("Case manager")
    SUPERVISOR = "supervisor", _("Supervisor")
    PROGRAM_DIRECTOR = "program_director", _("Program director")
    DATA_ANALYST = "data_analyst", _("Data analyst")
    TRAINER = "trainer", _("Trainer")

    @classmethod
    def person_level(cls):
        """Roles that may see an individual survivor. Analysts see aggregates; trainers none."""
        return [cls.HOTLINE_ADVOCATE, cls.CASE_MANAGER, cls.SUPERVISOR, cls.PROGRAM_DIRECTOR]


class Organization(models.Model):
    class Kind(models.TextChoices):
        SERVICE_PROVIDER = "service_provider", _("Service provider")
        LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
        PROSECUTOR = "prosecutor", _("Prosecutor")
        COUNTY_AGENCY = "county_agency", _("County agency")
        LEGAL_AID = "legal_aid", _("Legal aid")
        HEALTH = "health", _("Health")
        SCHOOL = "school", _("School")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    county = models.CharField(_("county"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True, help_text=_("Two letters"))
    # The last survivor record number handed out; incremented with an atomic UPDATE.
    survivor_sequence = models.PositiveIntegerField(default=0, editable=False)
    case_sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name

    def reserve_numbers(self, sequence, count):
        """Hand out `count` numbers of a sequence ('survivor_sequence', 'case_sequence').
        The UPDATE locks the row until the transaction ends, so numbers never repeat."""
        Organization.objects.filter(pk=self.pk).update(**{sequence: F(sequence) + count})
        last = Organization.objects.values_list(sequence, flat=True).get(pk=self.pk)
        return range(last - count + 1, last + 1)


class Membership(models.Model):
    user = models.ForeignKey(User, models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_role_per_org"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} · {self.organization} · {self.get_role_display()}"

    @property
    def sees_people(self):
        return self.role in Role.person_level()

    @property
    def reads_audit(self):
        return self.role in (Role.SUPERVISOR, Role.PROGRAM_DIRECTOR)

    @property
    def exports_people(self):
        return self.role in (Role.SUPERVISOR, Role.PROGRAM_DIRECTOR)

    @property
    def works_cases(self):
        return self.role in (Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAM_DIRECTOR)

    @property
    def supervises(self):
        return self.role in (Role.SUPERVISOR, Role.PROGRAM_DIRECTOR)

    @property
    def directs_programs(self):
        return self.role == Role.PROGRAM_DIRECTOR


class TaskForce(models.Model):
    """A named collaborative of organizations, led by a coordinator organization."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    coordinator = models.ForeignKey(
        Organization,
        models.PROTECT,
        related_name="coordinated_task_forces",
        verbose_name=_("coordinator"),
    )
    members = models.ManyToManyField(
        Organization, related_name="task_forces", verbose_name=_("members")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("task force")
        verbose_name_plural = _("task forces")

    def __str__(self):
        return self.name


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A per-user API token bound to one organization. Only its SHA-256 digest is stored."""

    PREFIX = "thr_"

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def digest_of(cls, raw):
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def generate(cls):
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        return raw, cls.digest_of(raw)
