"""Forms of the case pages. Plain forms over the model's own fields (labels, choices and
limits come from the model); the actions validate the record and save it."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from thrive.cases.access import case_workers_for_user, programs_for_user
from thrive.cases.models import ActionStep, Case, CaseNote, Goal, Program, Task
from thrive.outcomes.models import Domain, Instrument

DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def model_field(model, name, **kwargs):
    """The form field the model declares for `name`, with `kwargs` overriding."""
    field = model._meta.get_field(name).formfield(**kwargs)
    field.show_hidden_initial = False  # a callable default would add an "initial-" input
    field.widget.attrs.setdefault("autocomplete", "off")
    return field


def date_field(model, name, **kwargs):
    return model_field(model, name, **DATE_WIDGET, **kwargs)


def person_label(user):
    return user.get_full_name() or user.get_username()


class WorkerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class WorkersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class DomainChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


def add_action_errors(form, error):
    """Put an action's ValidationError next to the fields it names; the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields and name != NON_FIELD_ERRORS else None, errors)


class VersionedForm(forms.Form):
    """Carries the version the editor started from, so a save on top of someone else's
    change is caught (thrive.lib.locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CaseOpenForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        workers = case_workers_for_user(user)
        self.fields["program"] = forms.ModelChoiceField(
            label=Case.field_label("program"),
            queryset=programs_for_user(user).filter(is_active=True),
        )
        self.fields["case_manager"] = WorkerChoiceField(
            label=Case.field_label("case_manager"), queryset=workers, required=False
        )
        self.fields["team"] = WorkersChoiceField(
            label=Case.field_label("team"),
            queryset=workers,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["risk_level"] = model_field(Case, "risk_level")
        self.fields["trafficking_type"] = model_field(Case, "trafficking_type")
        self.fields["opened_on"] = date_field(Case, "opened_on")


class CaseEditForm(VersionedForm):
    field_order = ["risk_level", "trafficking_type", "opened_on", "team"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_level"] = model_field(Case, "risk_level")
        self.fields["trafficking_type"] = model_field(Case, "trafficking_type")
        self.fields["opened_on"] = date_field(Case, "opened_on")
        self.fields["team"] = WorkersChoiceField(
            label=Case.field_label("team"),
            queryset=case_workers_for_user(user),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.order_fields(self.field_order)


class StatusChoiceField(forms.ChoiceField):
    """Offers the statuses the case may take next, but accepts any status: whether the move
    is allowed is the action's to say, after it has checked that the page was not stale
    (else a stale page would read "not a valid choice" instead of who changed the case)."""

    def valid_value(self, value):
        return value in Case.Status.values


class CaseStatusForm(VersionedForm):
    """Field names are the model's, so the action's errors land on the right field."""

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"] = StatusChoiceField(
            label=_("New status"),
            choices=[(s, Case.Status(s).label) for s in case.status_choices()],
            widget=forms.RadioSelect,
        )
        self.fields["ended_on"] = date_field(
            Case,
            "ended_on",
            help_text=_("For a graduation or closure. Today if left empty."),
        )
        self.fields["closure_reason"] = model_field(
            Case, "closure_reason", help_text=_("Required to close a case.")
        )
        self.fields["note"] = forms.CharField(
            label=_("Note (kept as a case note)"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        )
        self.order_fields(["status", "ended_on", "closure_reason", "note", "version"])

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if status == Case.Status.CLOSED and not data.get("closure_reason"):
            self.add_error("closure_reason", _("Say why the case is closed."))
        elif status and status != Case.Status.CLOSED and data.get("closure_reason"):
            self.add_error("closure_reason", _("Only a closed case has a closure reason."))
        return data


class ReassignForm(VersionedForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_manager"] = WorkerChoiceField(
            label=Case.field_label("case_manager"), queryset=case_workers_for_user(user)
        )
        self.order_fields(["case_manager", "version"])


class TransferForm(VersionedForm):
    def __init__(self, *args, user, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"] = forms.ModelChoiceField(
            label=_("Transfer to program"),
            queryset=programs_for_user(user).filter(is_active=True).exclude(pk=case.program_id),
        )
        self.fields["case_manager"] = WorkerChoiceField(
            label=_("New case manager"),
            queryset=case_workers_for_user(user),
            required=False,
            help_text=_("Leave empty to keep the current case manager."),
        )
        self.order_fields(["program", "case_manager", "version"])


class GoalForm(forms.Form):
    """The domains are those of the default outcomes instrument, in its order."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instrument = Instrument.objects.default()
        self.fields["domain"] = DomainChoiceField(
            label=Goal.field_label("domain"),
            queryset=Domain.objects.filter(instrument=instrument).order_by("order"),
        )
        self.fields["description"] = model_field(
            Goal, "description", widget=forms.Textarea(attrs={"rows": 2})
        )
        self.fields["target_date"] = date_field(Goal, "target_date")
        self.fields["status"] = model_field(Goal, "status")
        self.fields["notes"] = model_field(Goal, "notes", widget=forms.Textarea(attrs={"rows": 2}))


class GoalEditForm(VersionedForm, GoalForm):
    pass


class StepForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"] = model_field(ActionStep, "description", widget=forms.TextInput)
        self.fields["owner"] = model_field(ActionStep, "owner")
        self.fields["assignee"] = WorkerChoiceField(
            label=capfirst(ActionStep._meta.get_field("assignee").verbose_name),
            queryset=case_workers_for_user(user),
            required=False,
            help_text=_("Only for a staff step."),
        )
        self.fields["due_on"] = date_field(ActionStep, "due_on")


class NoteForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"] = model_field(CaseNote, "contact")
        self.fields["noted_on"] = date_field(CaseNote, "noted_on")
        self.fields["body"] = model_field(
            CaseNote, "body", widget=forms.Textarea(attrs={"rows": 3})
        )


class TaskForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"] = model_field(Task, "title", widget=forms.TextInput)
        self.fields["due_on"] = date_field(Task, "due_on")
        self.fields["remind_on"] = date_field(Task, "remind_on")
        self.fields["assignee"] = WorkerChoiceField(
            label=Task.field_label("assignee"), queryset=case_workers_for_user(user)
        )


class TaskEditForm(VersionedForm, TaskForm):
    pass


class ProgramForm(forms.Form):
    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["name"] = model_field(Program, "name")
        self.fields["kind"] = model_field(Program, "kind")
        self.fields["assessment_interval_days"] = model_field(Program, "assessment_interval_days")
        self.fields["instrument"] = model_field(
            Program, "instrument", queryset=Instrument.objects.order_by("code", "-version")
        )
        self.fields["graduation_level"] = model_field(Program, "graduation_level")
        self.fields["follow_up_months"] = forms.CharField(
            label=_("Follow-up after exit (months)"),
            initial="3, 6, 12",
            required=False,
            help_text=_("Outcome check-ins after a case ends, in months, separated by commas."),
        )

    def clean_follow_up_months(self):
        text = self.cleaned_data["follow_up_months"]
        try:
            return [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            raise ValidationError(_("List whole months from 1 to 60, such as 3, 6, 12.")) from None

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Program.objects.filter(organization=self.organization, name__iexact=name).exists():
            raise ValidationError(_("There is already a program of this name."))
        return name


class CaseFilterForm(forms.Form):
    """The case list's filters: ids and choices only, so a URL never carries a name."""

    ANY_OPEN = "open"
    UNASSIGNED = "none"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"] = forms.ChoiceField(
            label=Case.field_label("status"),
            required=False,
            choices=[("", _("Any status")), (self.ANY_OPEN, _("Any open status"))]
            + list(Case.Status.choices),
        )
        self.fields["program"] = forms.ModelChoiceField(
            label=Case.field_label("program"),
            queryset=programs_for_user(user),
            required=False,
            empty_label=_("Any program"),
        )
        self.fields["case_manager"] = forms.TypedChoiceField(
            label=Case.field_label("case_manager"),
            required=False,
            choices=self.worker_choices(user),
        )

    def worker_choices(self, user):
        workers = [(str(w.pk), person_label(w)) for w in case_workers_for_user(user)]
        return [("", _("Anyone")), (self.UNASSIGNED, _("No case manager")), *workers]

    def filter(self, cases):
        """`cases` narrowed by the valid filters; an invalid one is shown on the form and
        ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        status = data.get("status")
        if status == self.ANY_OPEN:
            cases = cases.open()
        elif status:
            cases = cases.filter(status=status)
        if data.get("program"):
            cases = cases.filter(program=data["program"])
        worker = data.get("case_manager")
        if worker == self.UNASSIGNED:
            cases = cases.filter(case_manager__isnull=True)
        elif worker:
            cases = cases.filter(case_manager_id=int(worker))
        return cases
