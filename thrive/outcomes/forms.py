"""Forms of the outcome pages. The actions validate and save; these carry what people type."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thrive.cases.forms import DATE_WIDGET, date_field, model_field
from thrive.outcomes.actions import NOT_APPLICABLE
from thrive.outcomes.models import Assessment, GraduationReview, OutcomeEvent


class AssessmentForm(forms.Form):
    """One radio group per domain of the instrument, named by the domain's code (so the
    action's errors land on it), each choice showing the level's anchor; a note per domain
    under `note_<code>`."""

    kind = forms.ChoiceField(label=_("Type"), choices=Assessment.Kind.choices)
    assessed_on = forms.DateField(label=_("Date"), **DATE_WIDGET)

    def __init__(self, *args, instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.domains = list(instrument.domains.all())
        levels = list(instrument.levels.all())
        self.fields["assessed_on"].initial = timezone.localdate()
        for domain in self.domains:
            choices = [(str(level.number), level.label) for level in levels]
            if domain.may_be_not_applicable:
                choices.append((NOT_APPLICABLE, _("Not applicable")))
            self.fields[domain.code] = forms.ChoiceField(
                label=domain.label,
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose a level for %s.") % domain.label},
            )
            self.fields[f"note_{domain.code}"] = forms.CharField(
                label=_("Note on %s") % domain.label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
            )

    def domain_rows(self):
        """Per domain: its level field, its note field, and (value, label, anchor) per
        choice, for the template to lay out with the anchors."""
        for domain in self.domains:
            field = self[domain.code]
            choices = [
                (value, label, domain.anchor(value) if value != NOT_APPLICABLE else "")
                for value, label in field.field.choices
            ]
            yield {
                "domain": domain,
                "field": field,
                "note": self[f"note_{domain.code}"],
                "choices": choices,
                "value": str(field.value() or ""),
            }

    def levels(self):
        return {
            d.code: (
                NOT_APPLICABLE
                if self.cleaned_data[d.code] == NOT_APPLICABLE
                else int(self.cleaned_data[d.code])
            )
            for d in self.domains
        }

    def notes(self):
        return {d.code: self.cleaned_data[f"note_{d.code}"] for d in self.domains}


class GraduationRequestForm(forms.Form):
    request_note = forms.CharField(
        label=_("Note for the supervisor"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )


class GraduationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (GraduationReview.Status.APPROVED, _("Approve graduation")),
            (GraduationReview.Status.DECLINED, _("Decline")),
        ],
        widget=forms.RadioSelect,
    )
    graduated_on = forms.DateField(
        label=_("Graduation date"),
        required=False,
        help_text=_("Today if left empty."),
        **DATE_WIDGET,
    )
    decision_note = forms.CharField(
        label=_("Reason or note"),
        required=False,
        help_text=_("Required to decline."),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )


class OutcomeEventForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"] = model_field(OutcomeEvent, "kind")
        self.fields["occurred_on"] = date_field(OutcomeEvent, "occurred_on")
        self.fields["source"] = model_field(OutcomeEvent, "source")
        self.fields["offense_category"] = model_field(
            OutcomeEvent,
            "offense_category",
            help_text=_("For an arrest or a conviction only."),
        )
        self.fields["compelled"] = model_field(
            OutcomeEvent,
            "compelled",
            help_text=_(
                "For an arrest or a conviction: was it for something a trafficker made "
                "the survivor do?"
            ),
        )
        self.fields["note"] = model_field(
            OutcomeEvent, "note", widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"})
        )
