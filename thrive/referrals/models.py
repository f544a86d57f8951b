"""Coordinated care across agencies with the survivor in control: the partner directory,
consent, closed-loop referrals and MDT case conferences.

Nothing about a survivor crosses to another organization except through a referral packet
or a conference summary, each checked against a recorded consent at the moment it is shared.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thrive.lib.fields import EncryptedTextField


class Category(models.TextChoices):
    """What a consent may release, and what a referral packet may carry."""

    IDENTITY = "identity", _("Identity (name, date of birth, gender, language)")
    CONTACT = "contact", _("Contact details and the safe-contact plan")
    CASE_SUMMARY = "case_summary", _("Case summary (program, trafficking type, risk, needs)")
    SERVICES = "services", _("Services received")
    ASSESSMENTS = "assessments", _("Outcome assessments")


class Population(models.TextChoices):
    SEX = "sex", _("Sex trafficking")
    LABOR = "labor", _("Labor trafficking")


def _delimited(values):
    """'|a|b|' from a list, so 'contains |a|' finds a value on SQLite and PostgreSQL alike."""
    return "|" + "|".join(sorted({v.strip().lower() for v in values if v.strip()})) + "|"


class PartnerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def search(self, *, service_type=None, county="", language="", age=None, population=""):
        found = self.active()
        if service_type:
            found = found.filter(service_types=service_type)
        if county:
            found = found.filter(counties_key__contains=_delimited([county]))
        if language:
            found = found.filter(languages_key__contains=_delimited([language]))
        if age is not None:
            found = found.filter(Q(age_min__isnull=True) | Q(age_min__lte=age)).filter(
                Q(age_max__isnull=True) | Q(age_max__gte=age)
            )
        if population:
            found = found.filter(
                Q(populations_key="||") | Q(populations_key__contains=_delimited([population]))
            )
        return found


class Partner(models.Model):
    """A provider in the directory: an organization on Thrive (`organization` set) or an
    external one. Its entry is kept by `maintained_by`: the organization itself, or the one
    that listed an external provider."""

    name = models.CharField(_("name"), max_length=200)
    organization = models.OneToOneField(
        "accounts.Organization",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="partner",
        verbose_name=_("organization on Thrive"),
    )
    maintained_by = models.ForeignKey(
        "accounts.Organization",
        models.PROTECT,
        related_name="listed_partners",
        verbose_name=_("listed by"),
    )
    service_types = models.ManyToManyField(
        "services.ServiceType", related_name="partners", verbose_name=_("services offered")
    )
    counties = models.JSONField(_("counties served"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    populations = models.JSONField(
        _("trafficking types served"),
        default=list,
        blank=True,
        help_text=_("Empty: both sex and labor trafficking."),
    )
    age_min = models.PositiveSmallIntegerField(_("youngest age served"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("oldest age served"), null=True, blank=True)
    genders = models.JSONField(
        _("genders served"), default=list, blank=True, help_text=_("Empty: everyone.")
    )
    serves_foreign_nationals = models.BooleanField(_("serves foreign nationals"), default=True)
    eligibility = models.TextField(_("eligibility notes"), blank=True)
    beds_available = models.PositiveIntegerField(_("beds available"), null=True, blank=True)
    waitlist = models.PositiveIntegerField(_("people on the waitlist"), null=True, blank=True)
    availability_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    phone = models.CharField(_("intake phone"), max_length=40, blank=True)
    email = models.EmailField(_("intake email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    public_address = models.TextField(_("office address"), blank=True)
    # A shelter's or safe house's location: encrypted, and shown only to the people of the
    # organization that keeps the entry (see access.may_see_location).
    location = EncryptedTextField(_("confidential location"), blank=True)
    acknowledge_days = models.PositiveSmallIntegerField(
        _("business days to acknowledge a referral"), default=2
    )
    is_active = models.BooleanField(_("listed"), default=True)
    # Normalized '|a|b|' copies of the lists above, for search on either database.
    counties_key = models.CharField(max_length=2000, default="||", editable=False)
    languages_key = models.CharField(max_length=400, default="||", editable=False)
    populations_key = models.CharField(max_length=40, default="||", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["is_active", "name"], name="partner_active_name")]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.counties_key = _delimited(self.counties)
        self.languages_key = _delimited(self.languages)
        self.populations_key = _delimited(self.populations)
        super().save(*args, **kwargs)

    def clean(self):
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValidationError({"age_max": _("The oldest age is below the youngest.")})
        unknown = set(self.populations) - set(Population.values)
        if unknown:
            raise ValidationError({"populations": _("Choose sex or labor trafficking.")})


class ConsentQuerySet(models.QuerySet):
    def in_force(self, on=None):
        on = on or timezone.localdate()
        return self.filter(revoked_at__isnull=True, signed_on__lte=on, expires_on__gte=on)


class Consent(models.Model):
    """A survivor's informed, written or witnessed, time-limited and revocable consent to
    release named categories of information to named partners for a purpose."""

    class Purpose(models.TextChoices):
        REFERRAL = "referral", _("Referral for services")
        MDT = "mdt", _("Multi-disciplinary team case conference")
        COORDINATION = "coordination", _("Care coordination")

    class Method(models.TextChoices):
        WRITTEN = "written", _("Written and signed")
        VERBAL = "verbal_witnessed", _("Verbal, witnessed")

    organization = models.ForeignKey("accounts.Organization", models.PROTECT, related_name="+")
    survivor = models.ForeignKey(
        "survivors.Survivor", models.PROTECT, related_name="consents", verbose_name=_("survivor")
    )
    recipients = models.ManyToManyField(
        Partner, related_name="consents", verbose_name=_("may be shared with")
    )
    purposes = models.JSONField(_("purposes"), default=list)
    categories = models.JSONField(_("information that may be shared"), default=list)
    signed_on = models.DateField(_("given on"))
    method = models.CharField(_("how it was given"), max_length=20, choices=Method.choices)
    witness = EncryptedTextField(_("witness"), blank=True)
    expires_on = models.DateField(_("expires on"))
    note = EncryptedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    revocation_note = EncryptedTextField(_("how the survivor revoked it"), blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("signed_on")), name="consent_expires_after"
            )
        ]
        indexes = [models.Index(fields=["survivor", "expires_on"], name="consent_survivor")]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self):
        return f"Consent {self.pk}"

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    def in_force_refusal(self, purpose, categories, on=None):
        """Why this consent does not allow sharing `categories` for `purpose` on `on` with
        anyone at all (revoked, not started, expired, another purpose, categories it does
        not release), or '' if it does."""
        on = on or timezone.localdate()
        if self.revoked_at is not None:
            return _("The survivor revoked this consent on %(day)s.") % {
                "day": timezone.localtime(self.revoked_at).date().isoformat()
            }
        if on < self.signed_on:
            return _("This consent starts on %(day)s.") % {"day": self.signed_on.isoformat()}
        if on > self.expires_on:
            return _("This consent expired on %(day)s.") % {"day": self.expires_on.isoformat()}
        if purpose not in self.purposes:
            return _("This consent does not cover %(purpose)s.") % {
                "purpose": str(self.Purpose(purpose).label).lower()
            }
        beyond = [c for c in categories if c not in self.categories]
        if beyond:
            return _("This consent does not release: %(categories)s.") % {
                "categories": ", ".join(str(Category(c).label) for c in beyond)
            }
        return ""

    def refusal(self, partner, categories, purpose, on=None):
        """Why sharing `categories` with `partner` for `purpose` on `on` is not allowed by
        this consent, or '' if it is."""
        reason = self.in_force_refusal(purpose, categories, on)
        if reason:
            return reason
        if not self.recipients.filter(pk=partner.pk).exists():
            return _("This consent does not name %(partner)s.") % {"partner": partner.name}
        return ""


def add_business_days(moment, days):
    """`moment` plus `days` working days (Monday to Friday), keeping the time of day."""
    result = moment
    while days > 0:
        result += datetime.timedelta(days=1)
        if result.weekday() < 5:
            days -= 1
    return result


class ReferralQuerySet(models.QuerySet):
    def overdue(self, now=None):
        now = now or timezone.now()
        return self.filter(status=Referral.Status.SENT, acknowledge_by__lt=now)


class Referral(models.Model):
    """A referral from a case to a partner, with the minimum information the consent allows,
    followed until the loop is closed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        STARTED = "services_started", _("Services started")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Urgency(models.TextChoices):
        ROUTINE = "routine", _("Routine")
        URGENT = "urgent", _("Urgent (within days)")
        EMERGENCY = "emergency", _("Emergency (today)")

    # Who moves a referral where: the sender, or the receiving organization. For a partner
    # not on Thrive the sender records the partner's answers too.
    SENDER_MOVES = {
        Status.DRAFT: (Status.SENT, Status.WITHDRAWN),
        Status.SENT: (Status.WITHDRAWN,),
        Status.ACKNOWLEDGED: (Status.WITHDRAWN,),
        Status.ACCEPTED: (Status.WITHDRAWN,),
    }
    RECIPIENT_MOVES = {
        Status.SENT: (Status.ACKNOWLEDGED, Status.ACCEPTED, Status.DECLINED),
        Status.ACKNOWLEDGED: (Status.ACCEPTED, Status.DECLINED),
        Status.ACCEPTED: (Status.STARTED, Status.COMPLETED),
        Status.STARTED: (Status.COMPLETED,),
    }
    TIMES = {
        Status.SENT: "sent_at",
        Status.ACKNOWLEDGED: "acknowledged_at",
        Status.ACCEPTED: "accepted_at",
        Status.DECLINED: "declined_at",
        Status.STARTED: "started_at",
        Status.COMPLETED: "completed_at",
        Status.WITHDRAWN: "withdrawn_at",
    }

    organization = models.ForeignKey(
        "accounts.Organization", models.PROTECT, related_name="referrals_sent"
    )
    case = models.ForeignKey("cases.Case", models.PROTECT, related_name="referrals")
    survivor = models.ForeignKey("survivors.Survivor", models.PROTECT, related_name="referrals")
    partner = models.ForeignKey(
        Partner, models.PROTECT, related_name="referrals", verbose_name=_("refer to")
    )
    # The receiving organization when the partner is on Thrive: its inbox.
    recipient = models.ForeignKey(
        "accounts.Organization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_received",
    )
    service_types = models.ManyToManyField(
        "services.ServiceType", related_name="+", verbose_name=_("services requested")
    )
    urgency = models.CharField(
        _("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    categories = models.JSONField(_("information shared"), default=list)
    consent = models.ForeignKey(
        Consent, models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    # Sharing without consent only where the law requires it, and then said why.
    mandated_exception = EncryptedTextField(_("legal requirement to share"), blank=True)
    reason = EncryptedTextField(_("reason for the referral"), blank=True)
    # What the recipient receives: a JSON snapshot taken when it is sent, encrypted.
    packet = EncryptedTextField(blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    decline_reason = models.TextField(_("why it was declined"), blank=True)
    acknowledge_by = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    declined_at = models.DateTimeField(null=True, blank=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The recipient's own record made from the packet (its tenancy from then on).
    recipient_survivor = models.ForeignKey(
        "survivors.Survivor", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "status", "sent_at"], name="referral_inbox"),
            models.Index(fields=["organization", "status", "created_at"], name="referral_outbox"),
            models.Index(fields=["status", "acknowledge_by"], name="referral_overdue"),
        ]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self):
        return f"Referral {self.pk}"


class ReferralEvent(models.Model):
    """Each move of a referral, when, by whom and from which organization."""

    referral = models.ForeignKey(Referral, models.CASCADE, related_name="events")
    organization = models.ForeignKey("accounts.Organization", models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status}->{self.to_status}"


class Conference(models.Model):
    """An MDT case conference: who facilitates, who attends, and the window within which
    attendees may read the case summaries."""

    facilitator = models.ForeignKey(
        "accounts.Organization", models.PROTECT, related_name="conferences_facilitated"
    )
    title = models.CharField(_("title"), max_length=200)
    held_at = models.DateTimeField(_("held at"))
    opens_at = models.DateTimeField(_("summaries readable from"))
    closes_at = models.DateTimeField(_("summaries readable until"))
    organizations = models.ManyToManyField(
        "accounts.Organization",
        related_name="conferences",
        verbose_name=_("attending organizations"),
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="conferences", verbose_name=_("attendees")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-held_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="conference_window"
            )
        ]
        verbose_name = _("case conference")
        verbose_name_plural = _("case conferences")

    def __str__(self):
        return self.title

    def is_open(self, now=None):
        now = now or timezone.now()
        return self.opens_at <= now <= self.closes_at


class ConferenceCase(models.Model):
    """A survivor on a conference's roster, presented by the organization serving them,
    under a consent that covers MDT conferences and every attending organization."""

    conference = models.ForeignKey(Conference, models.CASCADE, related_name="roster")
    organization = models.ForeignKey("accounts.Organization", models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", models.PROTECT, related_name="+")
    consent = models.ForeignKey(Consent, models.PROTECT, related_name="+")
    summary = EncryptedTextField(_("case summary"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conference", "case"], name="conference_case_once")
        ]

    def __str__(self):
        return f"Conference {self.conference_id} case {self.case_id}"


class ActionItem(models.Model):
    """A recommendation of a conference, owned by one organization, carried to the survivor's
    next conference until it is closed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("No longer needed")

    conference_case = models.ForeignKey(ConferenceCase, models.CASCADE, related_name="action_items")
    case = models.ForeignKey("cases.Case", models.PROTECT, related_name="+")
    text = EncryptedTextField(_("recommendation"))
    owner = models.ForeignKey(
        "accounts.Organization", models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return f"Action item {self.pk}"
