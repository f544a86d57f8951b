from django import forms
from django.utils.translation import gettext_lazy as _

from thrive.survivors.actions import EDITABLE_FIELDS
from thrive.survivors.models import RaceEthnicity, Survivor, country_choices

# The form's sections, in the order a case manager fills them in.
SECTIONS = [
    (
        _("Identity"),
        [
            "preferred_name",
            "legal_name",
            "aliases",
            "date_of_birth",
            "age_at_intake",
            "age_at_intake_missing",
            "intake_date",
        ],
    ),
    (_("Contact details"), ["phone", "email", "address"]),
    (
        _("Safe-contact plan"),
        [
            "may_call",
            "may_text",
            "may_leave_voicemail",
            "may_email",
            "safe_times",
            "code_word",
            "safety_notes",
        ],
    ),
    (
        _("Demographics"),
        [
            "gender_identity",
            "sexual_orientation",
            "race_ethnicity",
            "primary_language",
            "interpreter_needed",
            "country_of_birth",
            "citizenship",
        ],
    ),
    (
        _("History at intake"),
        [
            "age_first_trafficked",
            "age_first_trafficked_missing",
            "referral_source",
            "prior_services",
            "education_level",
            "income_at_intake",
            "housing_at_intake",
            "prior_arrests",
            "prior_arrests_missing",
            "foster_care_history",
            "homelessness_history",
        ],
    ),
]
assert sorted(f for _, fields in SECTIONS for f in fields) == sorted(EDITABLE_FIELDS)


class SurvivorForm(forms.ModelForm):
    race_ethnicity = forms.MultipleChoiceField(
        label=_("Race and ethnicity"),
        choices=RaceEthnicity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose all that apply."),
    )
    country_of_birth = forms.ChoiceField(
        label=_("Country of birth"), choices=country_choices, required=False
    )

    class Meta:
        model = Survivor
        fields = EDITABLE_FIELDS
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "intake_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "aliases": forms.Textarea(attrs={"rows": 2}),
            "address": forms.Textarea(attrs={"rows": 2}),
            "safety_notes": forms.Textarea(attrs={"rows": 2}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("autocomplete", "off")

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in SECTIONS]
