"""Forms of the crisis line. Every contact field is optional here: a draft may hold anything
typed so far, and the rules of a logged contact live on the model (Contact.clean), reached
through actions.contact_log."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thrive.cases.forms import person_label
from thrive.hotline.actions import CONTACT_FIELDS
from thrive.hotline.models import (
    CallerRole,
    Channel,
    Disposition,
    HeardAbout,
    Indicator,
    OnCallShift,
    Reason,
    Sector,
    SuspectedType,
    Urgency,
)
from thrive.survivors.models import Language, validate_phone

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
NEED_CODES = [
    "food",
    "clothing_toiletries",
    "emergency_shelter",
    "medical_treatment",
    "transportation",
]


def _blank(choices):
    return [("", "—"), *choices]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_LOCAL, **kwargs)


class ContactForm(forms.Form):
    key = forms.UUIDField(widget=forms.HiddenInput)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=DateTimeLocalInput(attrs={"autofocus": True}),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, required=False, widget=forms.RadioSelect
    )
    caller_role = forms.ChoiceField(
        label=_("Caller"), choices=CallerRole.choices, required=False, widget=forms.RadioSelect
    )
    caller_sector = forms.ChoiceField(
        label=_("Professional sector"), choices=_blank(Sector.choices), required=False
    )
    caller_phone = forms.CharField(
        label=_("Caller's phone"), required=False, max_length=30, validators=[validate_phone]
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=_blank(Language.choices), required=False, initial="en"
    )
    interpreter_used = forms.BooleanField(label=_("Interpreter used"), required=False)
    county = forms.CharField(label=_("County"), required=False, max_length=100)
    reason = forms.ChoiceField(
        label=_("Reason"), choices=Reason.choices, required=False, widget=forms.RadioSelect
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        required=False,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect,
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indicators observed"),
        choices=Indicator.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    suspected_type = forms.ChoiceField(
        label=_("Suspected trafficking type"),
        choices=SuspectedType.choices,
        required=False,
        initial=SuspectedType.UNKNOWN,
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    disposition = forms.ChoiceField(
        label=_("Disposition"), choices=_blank(Disposition.choices), required=False
    )
    heard_about = forms.ChoiceField(
        label=_("How they heard about us"), choices=_blank(HeardAbout.choices), required=False
    )
    follow_up_needed = forms.BooleanField(label=_("Follow-up needed"), required=False)
    follow_up_due = forms.DateField(
        label=_("Follow-up due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    @classmethod
    def initial_for(cls, contact=None, *, key=None):
        if contact is None:
            now = timezone.localtime().replace(second=0, microsecond=0)
            return {"key": key, "received_at": now}
        initial = {name: getattr(contact, name) for name in CONTACT_FIELDS}
        initial["key"] = contact.key
        if contact.received_at:
            initial["received_at"] = timezone.localtime(contact.received_at)
        return initial

    def contact_data(self):
        """The contact fields that parsed (after is_valid()): a draft keeps what it can."""
        return {
            name: self.cleaned_data[name] for name in CONTACT_FIELDS if name in self.cleaned_data
        }


class SurvivorSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Exact name or phone"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class SurvivorFromContactForm(forms.Form):
    preferred_name = forms.CharField(label=_("Preferred name"), max_length=200)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    age_at_intake = forms.IntegerField(label=_("Age"), required=False, min_value=0, max_value=120)

    def clean(self):
        data = super().clean()
        if data.get("date_of_birth") and data.get("age_at_intake") is not None:
            self.add_error("age_at_intake", _("Give a date of birth or an age, not both."))
        return data

    def survivor_data(self):
        data = {"preferred_name": self.cleaned_data["preferred_name"]}
        if self.cleaned_data.get("date_of_birth"):
            data["date_of_birth"] = self.cleaned_data["date_of_birth"]
        elif self.cleaned_data.get("age_at_intake") is not None:
            data["age_at_intake"] = self.cleaned_data["age_at_intake"]
        return data


class DispatchForm(forms.Form):
    responder = forms.TypedChoiceField(
        label=_("Responder"), coerce=int, widget=forms.RadioSelect, required=False
    )

    def __init__(self, *args, on_call, others, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {}
        on_call_choices = []
        for shift in on_call:
            person = shift.responder
            if person.pk in self.people:
                continue
            self.people[person.pk] = person
            until = timezone.localtime(shift.ends_at).strftime("%H:%M")
            on_call_choices.append(
                (
                    person.pk,
                    _("%(name)s (on call until %(until)s)")
                    % {"name": person_label(person), "until": until},
                )
            )
        other_choices = []
        for person in others:
            if person.pk not in self.people:
                self.people[person.pk] = person
                other_choices.append((person.pk, person_label(person)))
        self.fields["responder"].choices = on_call_choices + other_choices

    def chosen(self):
        return self.people.get(self.cleaned_data.get("responder"))


class NeedsForm(forms.Form):
    """Immediate needs met: one quantity box per need; the empty ones are skipped."""

    def __init__(self, *args, types, **kwargs):
        super().__init__(*args, **kwargs)
        self.types = types
        for service_type in types:
            unit = service_type.unit_labels()[0] if service_type.units else ""
            self.fields[f"need_{service_type.code}"] = forms.DecimalField(
                label=f"{service_type.label} ({unit})",
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=2,
            )

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(f"need_{t.code}") for t in self.types):
            raise forms.ValidationError(_("Give a quantity for at least one need."))
        return data

    def rows(self):
        for service_type in self.types:
            quantity = self.cleaned_data.get(f"need_{service_type.code}")
            if quantity:
                yield f"need_{service_type.code}", service_type, quantity


class ShiftForm(forms.Form):
    responder = forms.ModelChoiceField(label=_("Responder"), queryset=None)
    queue = forms.ChoiceField(label=_("Queue"), choices=OnCallShift.Queue.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL]
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL]
    )

    def __init__(self, *args, responders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responder"].queryset = responders
        self.fields["responder"].label_from_instance = person_label

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("A shift ends after it starts."))
        return data
