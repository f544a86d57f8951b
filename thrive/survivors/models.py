import datetime
import re

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import EmailValidator, MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from thrive.accounts.access import in_organization
from thrive.lib.choices import DECLINED, DECLINED_LABEL, UNKNOWN, UNKNOWN_LABEL, NotAnswered, YesNo
from thrive.lib.crypto import keyring, normalize_name, normalize_phone
from thrive.lib.fields import EncryptedDateField, EncryptedTextField

PHONE_PATTERN = re.compile(r"^\+?[0-9 ().-]{7,25}$")
RECORD_PATTERN = re.compile(r"^(?:S-?0*(\d{1,9})|0*(\d{1,6}))$", re.IGNORECASE)


def validate_phone(value):
    digits = re.sub(r"\D", "", value)
    if not PHONE_PATTERN.match(value) or not 7 <= len(digits) <= 15:
        raise ValidationError(
            _("Enter a phone number of 7 to 15 digits, e.g. +1 555 010 0199."), code="phone"
        )


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman or girl")
    MAN = "man", _("Man or boy")
    TRANS_WOMAN = "transgender_woman", _("Transgender woman or girl")
    TRANS_MAN = "transgender_man", _("Transgender man or boy")
    NON_BINARY = "non_binary", _("Non-binary")
    ANOTHER = "another", _("Another gender identity")
    UNKNOWN = UNKNOWN, UNKNOWN_LABEL
    DECLINED = DECLINED, DECLINED_LABEL


class SexualOrientation(models.TextChoices):
    STRAIGHT = "straight", _("Straight or heterosexual")
    GAY_LESBIAN = "gay_lesbian", _("Gay or lesbian")
    BISEXUAL = "bisexual", _("Bisexual")
    ANOTHER = "another", _("Another orientation")
    UNKNOWN = UNKNOWN, UNKNOWN_LABEL
    DECLINED = DECLINED, DECLINED_LABEL


class RaceEthnicity(models.TextChoices):
    """The minimum categories of OMB Statistical Policy Directive No. 15 (2024)."""

    AMERICAN_INDIAN = "american_indian_alaska_native", _("American Indian or Alaska Native")
    ASIAN = "asian", _("Asian")
    BLACK = "black", _("Black or African American")
    HISPANIC = "hispanic_latino", _("Hispanic or Latino")
    MENA = "middle_eastern_north_african", _("Middle Eastern or North African")
    PACIFIC_ISLANDER = "native_hawaiian_pacific_islander", _("Native Hawaiian or Pacific Islander")
    WHITE = "white", _("White")
    UNKNOWN = UNKNOWN, UNKNOWN_LABEL
    DECLINED = DECLINED, DECLINED_LABEL


class Language(models.TextChoices):
    """Languages most often needed by U.S. anti-trafficking programs (ISO 639 codes)."""

    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")
    MANDARIN = "cmn", _("Mandarin")
    CANTONESE = "yue", _("Cantonese")
    VIETNAMESE = "vi", _("Vietnamese")
    TAGALOG = "tl", _("Tagalog")
    KOREAN = "ko", _("Korean")
    THAI = "th", _("Thai")
    RUSSIAN = "ru", _("Russian")
    UKRAINIAN = "uk", _("Ukrainian")
    HAITIAN_CREOLE = "ht", _("Haitian Creole")
    PORTUGUESE = "pt", _("Portuguese")
    FRENCH = "fr", _("French")
    ARABIC = "ar", _("Arabic")
    HINDI = "hi", _("Hindi")
    KICHE = "quc", _("K'iche'")
    MAM = "mam", _("Mam")
    ASL = "ase", _("American Sign Language")
    OTHER = "other", _("Another language")
    UNKNOWN = UNKNOWN, UNKNOWN_LABEL
    DECLINED = DECLINED, DECLINED_LABEL


class Citizenship(models.TextChoices):
    US_CITIZEN = "us_citizen", _("U.S. citizen")
    PERMANENT_RESIDENT = "permanent_resident", _("Lawful permanent resident")
    VISA_HOLDER = "visa_holder", _("Temporary visa holder")
    TRAFFICKING_RELIEF = "trafficking_relief", _("T visa, U visa or Continued Presence")
    REFUGEE_ASYLEE = "refugee_asylee", _("Refugee or asylee")
    UNDOCUMENTED = "undocumented", _("Undocumented")
    OTHER = "other", _("Other status")
    UNKNOWN = UNKNOWN, UNKNOWN_LABEL
    DECLINED = DECLINED, DECLINED_LABEL


class ReferralSource(models.TextChoices):
    SELF = "self", _("Self")
    FAMILY_FRIEND = "family_friend", _("Family or friend")
    HOTLINE = "hotline", _("Hotline")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    CHILD_WELFARE = "child_welfare", _("Child welfare")
    HEALTH = "health", _("Health care")
    SCHOOL = "school", _("School")
    LEGAL = "legal", _("Legal services")
    COMMUNITY = "community", _("Community organization")
    FAITH = "faith", _("Faith community")
    OTHER = "other", _("Other")
    UNKNOWN = UNKNOWN, UNKNOWN_LABEL
    DECLINED = DECLINED, DECLINED_LABEL


class PriorServices(models.TextChoices):
    NONE = "none", _("No earlier services")
    VOLUNTARY = "voluntary", _("Voluntary")
    MANDATED = "mandated", _("Mandated (court, probation, diversion)")
    BOTH = "both", _("Both voluntary and mandated")
    UNKNOWN = UNKNOWN, UNKNOWN_LABEL
    DECLINED = DECLINED, DECLINED_LABEL


class Education(models.TextChoices):
    LESS_THAN_HIGH_SCHOOL = "less_than_high_school", _("Less than high school")
    SOME_HIGH_SCHOOL = "some_high_school", _("Some high school")
    HIGH_SCHOOL = "high_school", _("High school diploma or GED")
    SOME_COLLEGE = "some_college", _("Some college or vocational training")
    ASSOCIATE = "associate", _("Associate degree")
    BACHELOR = "bachelor", _("Bachelor's degree")
    GRADUATE = "graduate", _("Graduate degree")
    UNKNOWN = UNKNOWN, UNKNOWN_LABEL
    DECLINED = DECLINED, DECLINED_LABEL


class IncomeBand(models.TextChoices):
    NONE = "none", _("No income")
    UNDER_15K = "under_15k", _("Under $15,000 a year")
    FROM_15K = "15k_30k", _("$15,000 to $29,999")
    FROM_30K = "30k_50k", _("$30,000 to $49,999")
    OVER_50K = "50k_plus", _("$50,000 or more")
    UNKNOWN = UNKNOWN, UNKNOWN_LABEL
    DECLINED = DECLINED, DECLINED_LABEL


class HousingStatus(models.TextChoices):
    UNSHELTERED = "unsheltered", _("Unsheltered (street, car)")
    EMERGENCY_SHELTER = "emergency_shelter", _("Emergency shelter")
    TRANSITIONAL = "transitional", _("Transitional housing")
    WITH_OTHERS = "with_others", _("Staying with family or friends")
    CONTROLLED = "controlled", _("Housing controlled by the trafficker or employer")
    RENTING = "renting", _("Renting")
    OWNS = "owns", _("Owns home")
    INSTITUTION = "institution", _("Institution (jail, hospital, treatment)")
    UNKNOWN = UNKNOWN, UNKNOWN_LABEL
    DECLINED = DECLINED, DECLINED_LABEL


LANGUAGE_LABELS = dict(Language.choices)


def country_choices():
    """ISO 3166 countries, named and sorted in the reader's language (used by forms)."""
    return [("", "---------"), (UNKNOWN, UNKNOWN_LABEL), (DECLINED, DECLINED_LABEL), *countries]


def validate_country(value):
    # Checked against the code table, not the translated choices: that is 100x faster.
    if value not in (UNKNOWN, DECLINED) and value not in countries.countries:
        raise ValidationError(_("Choose a country from the list."), code="country")


def phone_digest(phone):
    """The keyed hash a phone number is found by (survivors' and hotline callers' alike)."""
    return keyring().blind_index(normalize_phone(phone), SurvivorLookup.Kind.PHONE) if phone else ""


class SurvivorQuerySet(models.QuerySet):
    # What a list row shows: a person first, and only the columns it needs to decrypt.
    LIST_COLUMNS = (
        "id",
        "organization_id",
        "record_number",
        "preferred_name",
        "legal_name",
        "date_of_birth",
        "age_at_intake",
        "intake_date",
        "primary_language",
        "interpreter_needed",
    )

    def for_list(self):
        return self.only(*self.LIST_COLUMNS)

    def visible_to(self, user):
        """Survivors of the user's active organization, and only for person-level roles."""
        return in_organization(self, user)

    def search(self, term):
        """Record number ('S-00042' or '42'), phone (7+ digits) or exact name.

        Returns the filtered queryset and which kind of look-up was made."""
        term = (term or "").strip()
        if not term:
            return self, ""
        if match := RECORD_PATTERN.match(term):
            return self.filter(record_number=int(match.group(1) or match.group(2))), "record"
        if PHONE_PATTERN.match(term):
            return self.with_phone(term), "phone"
        return self.with_name(term), "name"

    def with_name(self, name):
        digest = keyring().blind_index(normalize_name(name), SurvivorLookup.Kind.NAME)
        return self.filter(lookups__digest=digest)

    def with_phone(self, phone):
        return self.filter(lookups__digest=phone_digest(phone))


class Survivor(models.Model):
    """A person served. Identity and contact details are encrypted field by field."""

    organization = models.ForeignKey(
        "accounts.Organization", models.PROTECT, related_name="survivors"
    )
    record_number = models.PositiveIntegerField(_("record number"), editable=False)

    # Identity and contact: encrypted at rest.
    legal_name = EncryptedTextField(_("legal name"), max_length=200, blank=True)
    preferred_name = EncryptedTextField(
        _("preferred name"),
        max_length=200,
        help_text=_("The name the survivor asks to be called. Shown everywhere."),
    )
    aliases = EncryptedTextField(
        _("aliases"), blank=True, help_text=_("Other names used, one per line.")
    )
    date_of_birth = EncryptedDateField(_("date of birth"), null=True, blank=True)
    phone = EncryptedTextField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    email = EncryptedTextField(
        _("email"), max_length=254, blank=True, validators=[EmailValidator()]
    )
    address = EncryptedTextField(_("address"), blank=True)

    # Safe-contact plan: shown wherever contact details are.
    may_call = models.CharField(_("may we call?"), max_length=8, choices=YesNo.choices, blank=True)
    may_text = models.CharField(_("may we text?"), max_length=8, choices=YesNo.choices, blank=True)
    may_leave_voicemail = models.CharField(
        _("may we leave a voicemail?"), max_length=8, choices=YesNo.choices, blank=True
    )
    may_email = models.CharField(
        _("may we email?"), max_length=8, choices=YesNo.choices, blank=True
    )
    safe_times = EncryptedTextField(_("safe times to reach"), max_length=200, blank=True)
    code_word = EncryptedTextField(
        _("code word"),
        max_length=100,
        blank=True,
        help_text=_("Said by staff to confirm it is safe to talk."),
    )
    safety_notes = EncryptedTextField(_("safe-contact notes"), blank=True)

    # Demographics.
    age_at_intake = models.PositiveSmallIntegerField(
        _("age at intake"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(120)],
        help_text=_("If the date of birth is unknown. Filled from the date of birth otherwise."),
    )
    age_at_intake_missing = models.CharField(
        _("age not given because"), max_length=8, choices=NotAnswered.choices, blank=True
    )
    intake_date = models.DateField(_("intake date"), default=timezone.localdate)
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        blank=True,
        editable=False,
        help_text=_("The record's id in the system it was imported from."),
    )
    gender_identity = models.CharField(
        _("gender identity"), max_length=32, choices=Gender.choices, blank=True
    )
    sexual_orientation = models.CharField(
        _("sexual orientation (optional)"),
        max_length=16,
        choices=SexualOrientation.choices,
        blank=True,
    )
    race_ethnicity = models.JSONField(_("race and ethnicity"), default=list, blank=True)
    primary_language = models.CharField(
        _("primary language"), max_length=8, choices=Language.choices, blank=True
    )
    interpreter_needed = models.CharField(
        _("interpreter needed?"), max_length=8, choices=YesNo.choices, blank=True
    )
    country_of_birth = models.CharField(
        _("country of birth"),
        max_length=8,
        blank=True,
        validators=[validate_country],
        help_text=_("ISO 3166 two-letter code, or 'unknown' or 'declined'."),
    )
    citizenship = models.CharField(
        _("citizenship or immigration status"),
        max_length=24,
        choices=Citizenship.choices,
        blank=True,
    )

    # History that evaluation needs, as recorded at intake.
    age_first_trafficked = models.PositiveSmallIntegerField(
        _("age when first trafficked"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    age_first_trafficked_missing = models.CharField(
        _("age when first trafficked not given because"),
        max_length=8,
        choices=NotAnswered.choices,
        blank=True,
    )
    referral_source = models.CharField(
        _("referral source"), max_length=16, choices=ReferralSource.choices, blank=True
    )
    prior_services = models.CharField(
        _("earlier participation in services"),
        max_length=12,
        choices=PriorServices.choices,
        blank=True,
    )
    education_level = models.CharField(
        _("education level"), max_length=24, choices=Education.choices, blank=True
    )
    income_at_intake = models.CharField(
        _("income at intake"), max_length=12, choices=IncomeBand.choices, blank=True
    )
    housing_at_intake = models.CharField(
        _("housing at intake"), max_length=20, choices=HousingStatus.choices, blank=True
    )
    prior_arrests = models.PositiveSmallIntegerField(
        _("number of prior arrests"), null=True, blank=True, validators=[MaxValueValidator(500)]
    )
    prior_arrests_missing = models.CharField(
        _("prior arrests not given because"),
        max_length=8,
        choices=NotAnswered.choices,
        blank=True,
    )
    foster_care_history = models.CharField(
        _("ever in foster care?"), max_length=8, choices=YesNo.choices, blank=True
    )
    homelessness_history = models.CharField(
        _("ever homeless?"), max_length=8, choices=YesNo.choices, blank=True
    )

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = SurvivorQuerySet.as_manager()

    PAIRED_MISSING = {
        "age_at_intake": "age_at_intake_missing",
        "age_first_trafficked": "age_first_trafficked_missing",
        "prior_arrests": "prior_arrests_missing",
    }

    class Meta:
        ordering = ["-record_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "record_number"], name="survivor_record_number_unique"
            ),
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~models.Q(external_id=""),
                name="survivor_external_id_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(age_at_intake__isnull=True) | models.Q(age_at_intake_missing=""),
                name="survivor_age_or_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(age_first_trafficked__isnull=True)
                | models.Q(age_first_trafficked_missing=""),
                name="survivor_first_age_or_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(prior_arrests__isnull=True) | models.Q(prior_arrests_missing=""),
                name="survivor_arrests_or_reason",
            ),
        ]
        verbose_name = _("survivor")
        verbose_name_plural = _("survivors")

    def __str__(self):
        # Never a name: __str__ ends up in logs, admin messages and error reports.
        return f"Survivor {self.record_label}"

    @property
    def record_label(self):
        return f"S-{self.record_number:05d}" if self.record_number else "S-new"

    @property
    def display_name(self):
        return self.preferred_name or self.legal_name

    @property
    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def current_age(self):
        today = timezone.localdate()
        if self.date_of_birth:
            born = self.date_of_birth
            return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if self.age_at_intake is not None:
            return self.age_at_intake + (today - self.intake_date).days // 365
        return None

    @property
    def race_ethnicity_labels(self):
        labels = dict(RaceEthnicity.choices)
        return [labels.get(code, code) for code in self.race_ethnicity]

    @property
    def primary_language_label(self):
        # get_primary_language_display() rebuilds the choices on every call; a list of 50
        # rows spent a quarter of its time there.
        return LANGUAGE_LABELS.get(self.primary_language, self.primary_language)

    @property
    def country_of_birth_label(self):
        if not self.country_of_birth:
            return ""
        return dict(country_choices()).get(self.country_of_birth, self.country_of_birth)

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.date_of_birth:
            if self.date_of_birth > today:
                errors["date_of_birth"] = _("The date of birth cannot be in the future.")
            elif self.date_of_birth < today - datetime.timedelta(days=365 * 120):
                errors["date_of_birth"] = _("The date of birth is more than 120 years ago.")
            elif self.intake_date and self.intake_date < self.date_of_birth:
                # Else the age at intake below comes out negative and the database refuses it.
                errors["intake_date"] = _("The intake date cannot be before the date of birth.")
            else:
                born = self.date_of_birth
                on = self.intake_date or today
                self.age_at_intake = (
                    on.year - born.year - ((on.month, on.day) < (born.month, born.day))
                )
                self.age_at_intake_missing = ""
        if self.intake_date and self.intake_date > today:
            errors["intake_date"] = _("The intake date cannot be in the future.")
        for value_field, reason_field in self.PAIRED_MISSING.items():
            if getattr(self, value_field) is not None and getattr(self, reason_field):
                errors[reason_field] = _("Give a number or a reason it is missing, not both.")
        age = self.current_age
        if (
            self.age_first_trafficked is not None
            and age is not None
            and (self.age_first_trafficked > age)
        ):
            errors["age_first_trafficked"] = _(
                "The age when first trafficked (%(first)s) is above the current age (%(age)s)."
            ) % {"first": self.age_first_trafficked, "age": age}
        codes = self.race_ethnicity
        if not isinstance(codes, list) or any(c not in RaceEthnicity.values for c in codes):
            errors["race_ethnicity"] = _("Choose race and ethnicity from the list.")
        elif len(codes) > 1 and ({UNKNOWN, DECLINED} & set(codes)):
            errors["race_ethnicity"] = _(
                "'Unknown' and 'declined to answer' cannot be combined with a category."
            )
        if not (self.preferred_name or "").strip() and not (self.legal_name or "").strip():
            errors["preferred_name"] = _("Give at least a preferred name.")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def field_label(cls, name):
        """The human name of a field, for audit trails that list changed fields."""
        try:
            return capfirst(cls._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            return name

    def lookup_values(self):
        """The (kind, normalized value) pairs the blind index holds for this survivor."""
        names = {
            normalize_name(n) for n in (self.legal_name, self.preferred_name, *self.alias_list)
        }
        pairs = {(SurvivorLookup.Kind.NAME, n) for n in names if n}
        if normalize_phone(self.phone):
            pairs.add((SurvivorLookup.Kind.PHONE, normalize_phone(self.phone)))
        return pairs


class SurvivorLookup(models.Model):
    """Blind index rows: keyed hashes of each normalized name and phone, for exact look-up."""

    class Kind(models.TextChoices):
        NAME = "name", _("Name")
        PHONE = "phone", _("Phone")

    organization = models.ForeignKey("accounts.Organization", models.CASCADE, related_name="+")
    survivor = models.ForeignKey(Survivor, models.CASCADE, related_name="lookups")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    digest = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["digest"], name="lookup_digest")]
        constraints = [
            models.UniqueConstraint(fields=["survivor", "kind", "digest"], name="lookup_unique")
        ]

    def __str__(self):
        return f"{self.kind} index of survivor #{self.survivor_id}"
