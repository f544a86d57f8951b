"""Programs, cases (a survivor's enrolment in a program), service plans, notes and tasks."""

import datetime

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from thrive.accounts.access import in_organization, membership_of
from thrive.accounts.models import Membership, Role
from thrive.lib.fields import EncryptedTextField

CASE_ROLES = (Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAM_DIRECTOR)
CASE_PATTERN_PREFIX = "C-"


class FieldLabels:
    @classmethod
    def field_label(cls, name):
        try:
            return capfirst(cls._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            return name


def validate_case_worker(user, organization, field):
    """A case manager or team member must work in the case's organization in a case role."""
    if user is None:
        return
    if not Membership.objects.filter(
        user=user, organization=organization, role__in=CASE_ROLES
    ).exists():
        message = _("%(name)s is not a case manager, supervisor or director here.")
        name = user.get_full_name() or user.username
        raise ValidationError({field: message % {"name": name}})


def default_follow_up_months():
    return [3, 6, 12]


class Program(models.Model):
    class Kind(models.TextChoices):
        EMERGENCY_RESPONSE = "emergency_response", _("Emergency response")
        YOUTH = "youth", _("Youth")
        CASE_MANAGEMENT = "case_management", _("Comprehensive case management")
        LEGAL = "legal", _("Legal services")
        SHELTER = "shelter", _("Shelter")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(
        "accounts.Organization", models.CASCADE, related_name="programs"
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    assessment_interval_days = models.PositiveSmallIntegerField(
        _("days between outcome assessments"),
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(366)],
    )
    instrument = models.ForeignKey(
        "outcomes.Instrument",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outcome instrument"),
        help_text=_("Empty: Thrive's default Survivor Outcomes Assessment."),
    )
    graduation_level = models.PositiveSmallIntegerField(
        _("level every domain must reach to graduate"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("3 is Stable."),
    )
    follow_up_months = models.JSONField(
        _("follow-up after exit (months)"),
        default=default_follow_up_months,
        blank=True,
        help_text=_("Outcome check-ins after a case ends, in months after the end date."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="program_name_unique"),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "emergency_response",
                        "youth",
                        "case_management",
                        "legal",
                        "shelter",
                        "other",
                    ]
                ),
                name="program_kind_valid",
            ),
        ]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self):
        return self.name

    def clean(self):
        months = self.follow_up_months
        if not isinstance(months, list) or not all(
            isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 60 for m in months
        ):
            raise ValidationError(
                {"follow_up_months": _("List whole months from 1 to 60, such as 3, 6, 12.")}
            )
        self.follow_up_months = sorted(set(months))


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        return in_organization(self, user, roles=CASE_ROLES)

    def open(self):
        return self.filter(status__in=Case.OPEN_STATUSES)

    def for_caseload(self, today=None):
        """One row per case with what a caseload shows, in a constant number of queries:
        next open tasks, overdue count, goals achieved of total."""
        today = today or timezone.localdate()
        open_tasks = Task.objects.filter(case=OuterRef("pk"), status=Task.Status.OPEN)
        goals = Goal.objects.filter(case=OuterRef("pk"))
        return (
            self.select_related("program", "case_manager")
            .defer("program__created_at")
            .annotate(
                overdue_tasks=_count(open_tasks.filter(due_on__lt=today)),
                next_due_on=Subquery(open_tasks.order_by("due_on").values("due_on")[:1]),
                goals_total=_count(goals.exclude(status=Goal.Status.DISCONTINUED)),
                goals_achieved=_count(goals.filter(status=Goal.Status.ACHIEVED)),
            )
            .prefetch_related(
                Prefetch(
                    "survivor",
                    queryset=_survivor_model().objects.for_list(),
                ),
                Prefetch(
                    "tasks",
                    queryset=Task.objects.filter(status=Task.Status.OPEN)
                    .select_related("assignee")
                    .order_by("due_on", "pk"),
                    to_attr="open_tasks",
                ),
            )
        )


def _count(queryset):
    """A correlated COUNT of `queryset` (filtered on OuterRef('pk')): 0 when there are none."""
    per_case = queryset.order_by().values("case").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(per_case), 0)


def _survivor_model():
    from thrive.survivors.models import Survivor

    return Survivor


class Case(FieldLabels, models.Model):
    class Status(models.TextChoices):
        INTAKE = "intake", _("Intake")
        ACTIVE = "active", _("Active")
        ON_HOLD = "on_hold", _("On hold")
        GRADUATED = "graduated", _("Graduated")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    class Risk(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class TraffickingType(models.TextChoices):
        SEX = "sex", _("Sex trafficking")
        LABOR = "labor", _("Labor trafficking")
        BOTH = "both", _("Sex and labor trafficking")
        UNKNOWN = "unknown", _("Unknown")

    class ClosureReason(models.TextChoices):
        GOALS_MET = "goals_met", _("Goals met")
        LOST_CONTACT = "lost_contact", _("Lost contact")
        MOVED_AWAY = "moved_away", _("Moved away")
        DECLINED = "declined_services", _("Declined services")
        TRANSFERRED = "transferred", _("Transferred")
        DECEASED = "deceased", _("Deceased")
        OTHER = "other", _("Other")

    OPEN_STATUSES = (Status.INTAKE, Status.ACTIVE, Status.ON_HOLD, Status.REOPENED)
    ENDED_STATUSES = (Status.GRADUATED, Status.CLOSED)
    # Which status may follow which. Ended cases come back only by reopening.
    TRANSITIONS = {
        Status.INTAKE: (Status.ACTIVE, Status.ON_HOLD, Status.CLOSED),
        Status.ACTIVE: (Status.ON_HOLD, Status.GRADUATED, Status.CLOSED),
        Status.ON_HOLD: (Status.ACTIVE, Status.CLOSED),
        Status.REOPENED: (Status.ACTIVE, Status.ON_HOLD, Status.GRADUATED, Status.CLOSED),
        Status.GRADUATED: (Status.REOPENED,),
        Status.CLOSED: (Status.REOPENED,),
    }

    organization = models.ForeignKey("accounts.Organization", models.PROTECT, related_name="cases")
    survivor = models.ForeignKey(
        "survivors.Survivor", models.PROTECT, related_name="cases", verbose_name=_("survivor")
    )
    program = models.ForeignKey(
        Program, models.PROTECT, related_name="cases", verbose_name=_("program")
    )
    number = models.PositiveIntegerField(_("case number"), editable=False)
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        blank=True,
        editable=False,
        help_text=_("The case's id in the system it was imported from."),
    )
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_cases",
        verbose_name=_("case manager"),
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="team_cases",
        verbose_name=_("team members"),
    )
    risk_level = models.CharField(
        _("risk level"), max_length=16, choices=Risk.choices, default=Risk.MEDIUM
    )
    trafficking_type = models.CharField(
        _("trafficking type"),
        max_length=16,
        choices=TraffickingType.choices,
        default=TraffickingType.UNKNOWN,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.INTAKE
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    ended_on = models.DateField(_("graduated or closed on"), null=True, blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=32, choices=ClosureReason.choices, blank=True
    )
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="case_number_unique"),
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="case_external_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["intake", "active", "on_hold", "graduated", "closed", "reopened"]
                ),
                name="case_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closure_reason__gt="")
                | (~Q(status="closed") & Q(closure_reason="")),
                name="case_closure_reason_when_closed",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("opened_on")),
                name="case_ends_after_opening",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "case_manager", "status"], name="case_caseload"),
            models.Index(fields=["organization", "status"], name="case_org_status"),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self):
        return self.label

    def clean(self):
        errors = {}
        if self.survivor_id and self.survivor.organization_id != self.organization_id:
            errors["survivor"] = _("This survivor belongs to another organization.")
        if self.program_id and self.program.organization_id != self.organization_id:
            errors["program"] = _("This program belongs to another organization.")
        if self.opened_on and self.opened_on > timezone.localdate():
            errors["opened_on"] = _("A case cannot open in the future.")
        if self.closure_reason and self.status != self.Status.CLOSED:
            errors["closure_reason"] = _("Only a closed case has a closure reason.")
        if self.status == self.Status.CLOSED and not self.closure_reason:
            errors["closure_reason"] = _("Say why the case is closed.")
        if self.ended_on and self.ended_on > timezone.localdate():
            errors["ended_on"] = _("A case cannot end in the future.")
        elif self.ended_on and self.opened_on and self.ended_on < self.opened_on:
            errors["ended_on"] = _(
                "The case cannot close or graduate (%(ended)s) before it opened."
            ) % {"ended": self.ended_on.isoformat()}
        if errors:
            raise ValidationError(errors)
        if self.organization_id:
            validate_case_worker(self.case_manager, self.organization_id, "case_manager")

    @property
    def label(self):
        return f"{CASE_PATTERN_PREFIX}{self.number:05d}" if self.number else "C-?"

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def days_since_contact(self):
        if self.last_contact_on is None:
            return None
        return (timezone.localdate() - self.last_contact_on).days

    def next_statuses(self):
        return list(self.TRANSITIONS.get(self.status, ()))

    def may_graduate(self):
        return self.Status.GRADUATED in self.next_statuses()

    def status_choices(self):
        """The statuses a status form offers: graduation goes through a supervisor's
        approval instead (outcomes.actions.graduation_request)."""
        return [s for s in self.next_statuses() if s != self.Status.GRADUATED]

    def status_times(self):
        """The latest time the case entered each status, from its history."""
        times = {}
        for event in self.events.filter(kind=CaseEvent.Kind.STATUS).order_by("at"):
            times[event.to_status] = event.at
        return times

    def may_be_written_by(self, user):
        membership = membership_of(user)
        if membership is None or membership.organization_id != self.organization_id:
            return False
        if membership.role in (Role.SUPERVISOR, Role.PROGRAM_DIRECTOR):
            return True
        return membership.role == Role.CASE_MANAGER and (
            self.case_manager_id == user.pk or self.team.filter(pk=user.pk).exists()
        )


class CaseEvent(models.Model):
    """The case's history: each status change, reassignment and transfer, when and by whom."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status changed")
        REASSIGNED = "reassigned", _("Reassigned")
        TRANSFERRED = "transferred", _("Transferred to another program")

    case = models.ForeignKey(Case, models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    from_status = models.CharField(max_length=16, choices=Case.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Case.Status.choices, blank=True)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_program = models.ForeignKey(
        Program, models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_program = models.ForeignKey(Program, models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.CharField(_("reason"), max_length=32, blank=True)
    # Empty for records loaded by the system (demo data); imports name the importer.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self):
        return f"{self.case} {self.kind} {self.at:%Y-%m-%d}"


class Goal(FieldLabels, models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        ACHIEVED = "achieved", _("Achieved")
        DISCONTINUED = "discontinued", _("Discontinued")

    organization = models.ForeignKey("accounts.Organization", models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, models.CASCADE, related_name="goals")
    domain = models.ForeignKey(
        "outcomes.Domain", models.PROTECT, related_name="goals", verbose_name=_("domain")
    )
    description = EncryptedTextField(_("goal"))
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED
    )
    notes = EncryptedTextField(_("notes"), blank=True)
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["case", "domain__order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "in_progress", "achieved", "discontinued"]),
                name="goal_status_valid",
            )
        ]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self):
        return f"{self.case} · {self.domain}"

    def clean(self):
        if self.target_date and self.case_id and self.target_date < self.case.opened_on:
            raise ValidationError({"target_date": _("The target date is before the case opened.")})
        if self.status == self.Status.ACHIEVED and self.achieved_on is None:
            self.achieved_on = timezone.localdate()
        if self.status != self.Status.ACHIEVED:
            self.achieved_on = None


class ActionStep(models.Model):
    class Owner(models.TextChoices):
        SURVIVOR = "survivor", _("Survivor")
        STAFF = "staff", _("Staff")

    goal = models.ForeignKey(Goal, models.CASCADE, related_name="steps")
    description = EncryptedTextField(_("step"))
    owner = models.CharField(_("whose step"), max_length=16, choices=Owner.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["goal", "due_on", "pk"]
        verbose_name = _("action step")
        verbose_name_plural = _("action steps")

    def __str__(self):
        return f"{self.goal} · step {self.pk}"

    def clean(self):
        if self.owner == self.Owner.SURVIVOR and self.assignee_id:
            raise ValidationError({"assignee": _("A survivor's own step has no staff member.")})


class CaseNote(models.Model):
    """Notes are kept as written: a correction is a new note (nothing is edited away)."""

    class Contact(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("Phone call")
        TEXT = "text", _("Text message")
        VIDEO = "video", _("Video call")
        EMAIL = "email", _("Email")
        COLLATERAL = "collateral", _("With someone else about the survivor")
        NONE = "none", _("No contact (a note only)")

    SURVIVOR_CONTACTS = (
        Contact.IN_PERSON,
        Contact.PHONE,
        Contact.TEXT,
        Contact.VIDEO,
        Contact.EMAIL,
    )

    organization = models.ForeignKey("accounts.Organization", models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    contact = models.CharField(
        _("contact"), max_length=16, choices=Contact.choices, default=Contact.NONE
    )
    noted_on = models.DateField(_("date"), default=timezone.localdate)
    body = EncryptedTextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-noted_on", "-pk"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self):
        return f"{self.case} note {self.noted_on}"

    def clean(self):
        if self.noted_on and self.noted_on > timezone.localdate():
            raise ValidationError({"noted_on": _("A note cannot be dated in the future.")})
        if self.noted_on and self.case_id and self.noted_on < self.case.opened_on:
            raise ValidationError({"noted_on": _("This date is before the case opened.")})


class TaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Task.Status.OPEN)

    def visible_to(self, user):
        return in_organization(self, user, roles=CASE_ROLES)

    def falling_due(self, on=None, within_days=0):
        """Open tasks overdue, due within `within_days`, or whose reminder date has come."""
        on = on or timezone.localdate()
        horizon = on + datetime.timedelta(days=within_days)
        return self.open().filter(Q(due_on__lte=horizon) | Q(remind_on__lte=on))


class Task(FieldLabels, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Purpose(models.TextChoices):
        OTHER = "", _("Other")
        ASSESSMENT = "assessment", _("Outcome assessment due")
        FOLLOW_UP = "follow_up", _("Follow-up after exit")

    organization = models.ForeignKey("accounts.Organization", models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, models.CASCADE, related_name="tasks")
    title = EncryptedTextField(_("task"))
    due_on = models.DateField(_("due"))
    remind_on = models.DateField(_("remind on"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="assigned_tasks",
        verbose_name=_("assigned to"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    # Tasks Thrive schedules itself: the next outcome assessment, follow-ups after exit.
    purpose = models.CharField(
        _("purpose"), max_length=16, choices=Purpose.choices, blank=True, editable=False
    )
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "done", "cancelled"]), name="task_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(remind_on__isnull=True) | Q(remind_on__lte=models.F("due_on")),
                name="task_reminder_before_due",
            ),
        ]
        indexes = [
            models.Index(fields=["assignee", "status", "due_on"], name="task_assignee_due"),
            models.Index(fields=["case", "status", "due_on"], name="task_case_due"),
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self):
        return f"{self.case} task {self.pk}"

    def clean(self):
        if self.remind_on and self.due_on and self.remind_on > self.due_on:
            raise ValidationError({"remind_on": _("Remind on or before the due date.")})
        if self.assignee_id and self.organization_id:
            validate_case_worker(self.assignee, self.organization_id, "assignee")

    @property
    def is_overdue(self):
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()
