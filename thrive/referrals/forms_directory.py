"""Forms of the partner directory: the search, an entry, and its beds and waitlist. Labels
and limits come from the model; `actions.partner_save` validates the entry and saves it."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from thrive.cases.forms import model_field
from thrive.referrals.directory import SERVED_GENDERS
from thrive.referrals.models import Partner, Population
from thrive.services.models import ServiceType
from thrive.survivors.models import Language

MAX_AGE = 120
# A person's "unknown" or "declined" is no language a provider offers.
SEARCHED_LANGUAGES = [c for c in Language.choices if c[0] not in ("unknown", "declined")]


class QuickSelect(forms.Select):
    """A select drawn in Python: the search form's long lists of services and languages
    otherwise take a template render per option, most of the directory page's time."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html("<select{}>{}</select>", flatatt(final), options)


class ServiceTypesChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.label


def service_types():
    return ServiceType.objects.filter(is_active=True).select_related("category")


class DirectorySearchForm(forms.Form):
    """Search by service, county, language, age and trafficking type; every field optional.
    A service is named by its code in the URL (`?service=emergency_shelter`)."""

    service = forms.ChoiceField(label=gettext_lazy("Service"), required=False, widget=QuickSelect)
    county = forms.CharField(label=gettext_lazy("County"), max_length=100, required=False)
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=[("", gettext_lazy("Any language")), *SEARCHED_LANGUAGES],
        required=False,
        widget=QuickSelect,
    )
    age = forms.IntegerField(
        label=gettext_lazy("Age"), min_value=0, max_value=MAX_AGE, required=False
    )
    population = forms.ChoiceField(
        label=gettext_lazy("Trafficking type"),
        choices=[("", gettext_lazy("Either")), *Population.choices],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One light query: codes and names, no model instances (the list is long).
        rows = ServiceType.objects.filter(is_active=True).values_list(
            "pk", "code", "name", "name_es"
        )
        spanish = (get_language() or "en").startswith("es")
        self.service_ids = {}
        choices = [("", _("Any service"))]
        for pk, code, name, name_es in rows:
            self.service_ids[code] = pk
            choices.append((code, name_es if spanish and name_es else name))
        self.fields["service"].choices = choices

    def search(self, queryset):
        """`queryset` narrowed to what was asked; None when the search itself is invalid."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return queryset.search(
            service_type=self.service_ids.get(data["service"]),
            county=data["county"].strip(),
            language=data["language"],
            age=data["age"],
            population=data["population"],
        )


def _listed(text):
    """'Alameda, Contra Costa' (or one a line) as a list, blanks dropped, order kept."""
    seen = []
    for part in text.replace("\n", ",").split(","):
        part = part.strip()
        if part and part.lower() not in {s.lower() for s in seen}:
            seen.append(part)
    return seen


class PartnerForm(forms.Form):
    """A directory entry. `on_thrive` (new entries only): the organization lists itself, so
    referrals to it arrive in its inbox; otherwise it lists an external provider."""

    def __init__(self, *args, partner=None, **kwargs):
        super().__init__(*args, **kwargs)
        creating = partner is None or partner.pk is None
        fields = self.fields
        if creating:
            fields["on_thrive"] = forms.BooleanField(
                label=gettext_lazy("This entry is my own organization"),
                help_text=gettext_lazy(
                    "Referrals to it then arrive in your organization's inbox. Leave it "
                    "unticked to list a provider that is not on Thrive."
                ),
                required=False,
            )
        fields["name"] = model_field(Partner, "name")
        fields["service_types"] = ServiceTypesChoiceField(
            label=gettext_lazy("Services offered"),
            queryset=service_types(),
            widget=forms.CheckboxSelectMultiple,
        )
        fields["counties"] = forms.CharField(
            label=gettext_lazy("Counties served"),
            help_text=gettext_lazy("Separated by commas."),
            max_length=1900,
            required=False,
        )
        fields["languages"] = forms.MultipleChoiceField(
            label=gettext_lazy("Languages"),
            choices=Language.choices,
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
        fields["populations"] = forms.MultipleChoiceField(
            label=gettext_lazy("Trafficking types served"),
            help_text=gettext_lazy("None ticked: both sex and labor trafficking."),
            choices=Population.choices,
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
        fields["age_min"] = model_field(Partner, "age_min", max_value=MAX_AGE)
        fields["age_max"] = model_field(Partner, "age_max", max_value=MAX_AGE)
        fields["genders"] = forms.MultipleChoiceField(
            label=gettext_lazy("Genders served"),
            help_text=gettext_lazy("None ticked: everyone."),
            choices=SERVED_GENDERS,
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
        for name in (
            "serves_foreign_nationals",
            "eligibility",
            "beds_available",
            "waitlist",
            "phone",
            "email",
            "public_address",
        ):
            fields[name] = model_field(Partner, name)
        fields["website"] = model_field(Partner, "website", assume_scheme="https")
        fields["location"] = model_field(
            Partner,
            "location",
            help_text=gettext_lazy(
                "A shelter's or safe house's address. Only your organization sees it; "
                "others are told it is given on acceptance."
            ),
        )
        fields["acknowledge_days"] = model_field(Partner, "acknowledge_days", max_value=30)
        fields["is_active"] = model_field(Partner, "is_active")
        fields["eligibility"].widget.attrs["rows"] = 3
        fields["public_address"].widget.attrs["rows"] = 2
        fields["location"].widget.attrs["rows"] = 2
        if partner is not None and partner.pk is not None and not self.is_bound:
            self.initial = {
                **{name: getattr(partner, name) for name in fields if hasattr(partner, name)},
                "counties": ", ".join(partner.counties),
                "service_types": list(partner.service_types.all()),
            }

    def clean_counties(self):
        return _listed(self.cleaned_data["counties"])

    def data_for_action(self):
        """(data, service types) for `actions.partner_save`."""
        data = dict(self.cleaned_data)
        data.pop("on_thrive", None)
        chosen = data.pop("service_types")
        for name in ("phone", "email", "website", "eligibility", "public_address", "location"):
            data[name] = data[name] or ""
        return data, chosen


class AvailabilityForm(forms.Form):
    beds_available = model_field(Partner, "beds_available")
    waitlist = model_field(Partner, "waitlist")

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("beds_available") is None and data.get("waitlist") is None:
            raise forms.ValidationError(_("Give the beds available, the waitlist, or both."))
        return data
