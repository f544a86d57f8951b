from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from thrive.screening.actions import IDENTIFICATION_FIELDS
from thrive.screening.models import Exploitation, Identification, ScreeningInstrument

ANSWER_PREFIX = "answer_"


class ScreeningForm(forms.Form):
    """One radio group per item of the chosen instrument version. The answers are checked by
    the action against that version (engine.answer_errors), so the messages are the same
    here, in the API and in imports; the view puts each message at its item."""

    instrument = forms.ModelChoiceField(
        queryset=ScreeningInstrument.objects.all(), widget=forms.HiddenInput
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=_("Only what the work needs. Stored encrypted."),
    )

    def __init__(self, *args, instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.fields["instrument"].initial = instrument.pk
        self.section_fields = []
        for section in instrument.sections:
            names = []
            for item in section["items"]:
                name = ANSWER_PREFIX + item["id"]
                self.fields[name] = forms.CharField(
                    label=item["text"],
                    required=False,
                    widget=forms.RadioSelect(choices=item["options"]),
                )
                names.append(name)
            self.section_fields.append((section["title"], names))

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.section_fields]

    def answers(self):
        return {
            name.removeprefix(ANSWER_PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(ANSWER_PREFIX)
        }

    def add_answer_errors(self, error):
        """Put the action's {item id: message} errors at their items."""
        for key, messages in error.message_dict.items():
            name = ANSWER_PREFIX + key
            self.add_error(name if name in self.fields else None, messages)


class IdentificationForm(forms.ModelForm):
    exploitation = forms.MultipleChoiceField(
        label=_("Forms of exploitation"),
        choices=Exploitation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose all that apply. Forced criminality is reported to HTCDS as Other."),
    )

    class Meta:
        model = Identification
        fields = IDENTIFICATION_FIELDS
        widgets = {
            "decided_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        }


def add_errors(form, error):
    """A model ValidationError from an action, onto the form's fields."""
    if not isinstance(error, ValidationError) or not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
