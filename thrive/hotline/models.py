"""The crisis line: contacts (calls, texts, chats, walk-ins, tips), the on-call roster and
emergency responses dispatched from a contact."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thrive.accounts.access import in_organization
from thrive.lib.fields import EncryptedTextField
from thrive.survivors.models import Language, phone_digest, validate_phone

YOUTH_AGE_LIMIT = 24  # survivors under 24 go to the youth queue


class Channel(models.TextChoices):
    CALL = "call", _("Phone call")
    TEXT = "text", _("Text message")
    CHAT = "chat", _("Chat")
    EMAIL = "email", _("Email")
    WALK_IN = "walk_in", _("Walk-in")
    WEB_FORM = "web_form", _("Web form")
    AGENCY = "agency", _("Call from an agency")


class CallerRole(models.TextChoices):
    POTENTIAL_VICTIM = "potential_victim", _("Potential victim")
    FAMILY_FRIEND = "family_friend", _("Family or friend")
    COMMUNITY = "community", _("Community member")
    PROFESSIONAL = "professional", _("Professional")
    ANONYMOUS = "anonymous", _("Anonymous")


class Sector(models.TextChoices):
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    CHILD_WELFARE = "child_welfare", _("Child welfare")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    HOUSING = "housing", _("Housing")
    LEGAL = "legal", _("Legal")
    OTHER = "other", _("Other")


class Reason(models.TextChoices):
    CRISIS = "crisis", _("Crisis")
    SERVICES = "services", _("Request for services")
    TIP = "tip", _("Tip")
    INFORMATION = "information", _("Information or training request")
    NOT_TRAFFICKING = "not_trafficking", _("Not trafficking-related")


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate danger")
    URGENT = "urgent", _("Urgent")
    ROUTINE = "routine", _("Routine")


class Indicator(models.TextChoices):
    """HTCDS methods of control (vic_MethodsOfControl), plus a minor involved."""

    PHYSICAL_THREATS = "PhysicalThreats", _("Threats of harm")
    THREATS_LAW_ENFORCEMENT = "ThreatsLawEnforcement", _("Threats of police or deportation")
    THREATENS_FAMILY = "ThreatensChildrenFamily", _("Threats to children or family")
    DEBT_BONDAGE = "DebtBondage", _("Debt bondage")
    FALSE_PROMISES = "FalsePromises", _("False promises")
    PHYSICAL_ABUSE = "PhysicalAbuse", _("Physical abuse")
    SEXUAL_ABUSE = "SexualAbuse", _("Sexual abuse")
    TAKES_EARNINGS = "TakesEarnings", _("Takes earnings")
    RESTRICTS_FINANCES = "RestrictsFinancialAccess", _("Restricts access to money")
    RESTRICTS_MEDICAL = "RestrictsMedicalCare", _("Restricts medical care")
    WITHHOLDS_NECESSITIES = "WithholdsNecessities", _("Withholds food, sleep or other necessities")
    PSYCHOLOGICAL_ABUSE = "PsychologicalAbuse", _("Psychological abuse")
    SUBSTANCES = "PsychoactiveSubstance", _("Forced or induced substance use")
    EXCESSIVE_HOURS = "ExcessiveWorkingHours", _("Excessive working hours")
    WITHHOLDS_DOCUMENTS = "WithholdsDocuments", _("Withholds documents")
    OTHER = "Other", _("Other method of control")
    MINOR = "minor_involved", _("A minor is involved")


class SuspectedType(models.TextChoices):
    SEX = "sex", _("Sex trafficking")
    LABOR = "labor", _("Labor trafficking")
    BOTH = "both", _("Sex and labor trafficking")
    UNKNOWN = "unknown", _("Unknown")


class Disposition(models.TextChoices):
    INFORMATION = "information", _("Information given")
    REFERRED = "referred", _("Referred to a partner")
    DISPATCHED = "dispatched", _("Emergency response dispatched")
    LAW_ENFORCEMENT = "law_enforcement", _("Reported to law enforcement, with consent")
    MANDATED = "mandated_report", _("Mandated report (a minor is involved)")
    NONE = "none", _("No further action")


class HeardAbout(models.TextChoices):
    TRAINING = "training", _("A training")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    SERVICE_PROVIDER = "service_provider", _("Another service provider")
    SCHOOL = "school", _("A school")
    FRIEND = "friend", _("Friend or family")
    INTERNET = "internet", _("Website or social media")
    POSTER = "poster", _("Poster, card or advertisement")
    NATIONAL_HOTLINE = "national_hotline", _("The national hotline")
    OTHER = "other", _("Other")


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Contacts of the user's organization, for person-level roles."""
        return in_organization(self, user)

    def logged(self):
        return self.filter(status=Contact.Status.LOGGED)

    def drafts_of(self, user):
        return self.filter(status=Contact.Status.DRAFT, handled_by=user)

    def from_phone(self, phone):
        digest = phone_digest(phone)
        return self.filter(caller_phone_digest=digest) if digest else self.none()


class Contact(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Being written")
        LOGGED = "logged", _("Logged")

    organization = models.ForeignKey(
        "accounts.Organization", models.PROTECT, related_name="contacts"
    )
    # Chosen by the client (the form, a phone system): a retried create finds the first one.
    key = models.UUIDField(_("key"), default=uuid.uuid4, editable=False)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("handled by")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, blank=True)
    caller_role = models.CharField(
        _("caller"), max_length=20, choices=CallerRole.choices, blank=True
    )
    caller_sector = models.CharField(
        _("professional sector"), max_length=20, choices=Sector.choices, blank=True
    )
    caller_phone = EncryptedTextField(_("caller's phone"), blank=True, validators=[validate_phone])
    caller_phone_digest = models.CharField(max_length=64, blank=True, editable=False)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, blank=True, default="en"
    )
    interpreter_used = models.BooleanField(_("interpreter used"), default=False)
    county = models.CharField(_("county"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    indicators = models.JSONField(_("indicators observed"), default=list, blank=True)
    suspected_type = models.CharField(
        _("suspected trafficking type"),
        max_length=12,
        choices=SuspectedType.choices,
        default=SuspectedType.UNKNOWN,
    )
    summary = EncryptedTextField(_("summary"), blank=True)
    disposition = models.CharField(
        _("disposition"), max_length=20, choices=Disposition.choices, blank=True
    )
    heard_about = models.CharField(
        _("how they heard about us"), max_length=20, choices=HeardAbout.choices, blank=True
    )
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    survivor = models.ForeignKey(
        "survivors.Survivor",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("survivor"),
    )
    logged_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="contact_key_unique"),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(received_at__isnull=False) & ~Q(channel="") & ~Q(reason="")),
                name="contact_logged_has_time_channel_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "received_at"], name="contact_board"),
            models.Index(fields=["organization", "caller_phone_digest"], name="contact_phone"),
        ]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return f"Contact {self.pk}"

    def save(self, *args, **kwargs):
        self.caller_phone_digest = phone_digest(self.caller_phone)
        super().save(*args, **kwargs)

    def clean(self):
        """The rules of a logged contact; a draft may be anything typed so far."""
        if self.status != self.Status.LOGGED:
            return
        errors = {}
        required = {
            "received_at": _("When did the contact come in?"),
            "channel": _("Choose how the contact came in."),
            "reason": _("Choose the reason for the contact."),
        }
        for name, message in required.items():
            if not getattr(self, name):
                errors[name] = message
        if self.received_at and self.received_at > timezone.now() + datetime.timedelta(minutes=5):
            errors["received_at"] = _("A contact cannot come in the future.")
        if self.caller_role == CallerRole.PROFESSIONAL and not self.caller_sector:
            errors["caller_sector"] = _("Choose the professional's sector.")
        if self.caller_role != CallerRole.PROFESSIONAL and self.caller_sector:
            self.caller_sector = ""
        unknown = set(self.indicators or []) - set(Indicator.values)
        if unknown:
            errors["indicators"] = _("Unknown indicators: %(codes)s.") % {
                "codes": ", ".join(sorted(unknown))
            }
        if self.follow_up_needed and not self.follow_up_due:
            errors["follow_up_due"] = _("When is the follow-up due?")
        if self.disposition == Disposition.MANDATED and Indicator.MINOR not in (
            self.indicators or []
        ):
            errors["disposition"] = _(
                "A mandated report is for a minor: tick 'A minor is involved' among the indicators."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def label(self):
        return f"H-{self.pk:06d}" if self.pk else "H-new"

    def indicator_labels(self):
        return [Indicator(code).label for code in self.indicators if code in Indicator.values]


class OnCallShift(models.Model):
    class Queue(models.TextChoices):
        ADULT = "adult", _("Adults")
        YOUTH = "youth", _("Youth (under 24)")

    organization = models.ForeignKey("accounts.Organization", models.CASCADE, related_name="+")
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="shifts", verbose_name=_("responder")
    )
    queue = models.CharField(_("queue"), max_length=8, choices=Queue.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            )
        ]
        verbose_name = _("on-call shift")
        verbose_name_plural = _("on-call shifts")

    def __str__(self):
        return f"{self.responder} {self.queue} {self.starts_at:%Y-%m-%d %H:%M}"


class EmergencyResponse(models.Model):
    class Status(models.TextChoices):
        DISPATCHED = "dispatched", _("Dispatched")
        WITH_SURVIVOR = "with_survivor", _("With the survivor")
        SAFE = "safe", _("Safe placement")
        CLOSED = "closed", _("Closed")

    organization = models.ForeignKey("accounts.Organization", models.PROTECT, related_name="+")
    contact = models.OneToOneField(
        Contact, models.PROTECT, related_name="response", verbose_name=_("contact")
    )
    survivor = models.ForeignKey(
        "survivors.Survivor", models.PROTECT, related_name="responses", verbose_name=_("survivor")
    )
    case = models.ForeignKey(
        "cases.Case", models.PROTECT, related_name="responses", verbose_name=_("case")
    )
    queue = models.CharField(_("queue"), max_length=8, choices=OnCallShift.Queue.choices)
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="responses",
        verbose_name=_("responder"),
    )
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DISPATCHED
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), default=timezone.now)
    first_contact_at = models.DateTimeField(
        _("first contact with the survivor"), null=True, blank=True
    )
    safe_at = models.DateTimeField(_("safe placement"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-dispatched_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_contact_at__isnull=True)
                | Q(first_contact_at__gte=models.F("dispatched_at")),
                name="response_first_contact_after_dispatch",
            ),
            models.CheckConstraint(
                condition=Q(safe_at__isnull=True) | Q(safe_at__gte=models.F("dispatched_at")),
                name="response_safe_after_dispatch",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="response_board")]
        verbose_name = _("emergency response")
        verbose_name_plural = _("emergency responses")

    def __str__(self):
        return f"Response {self.pk}"

    @property
    def is_open(self):
        return self.status != self.Status.CLOSED

    def elapsed(self, now=None):
        return (now or timezone.now()) - self.dispatched_at
