from django import forms
from django.utils.translation import gettext_lazy as _

from thrive.grants.models import Funder, Grant
from thrive.services.forms import grouped_types
from thrive.services.models import ServiceType


class FunderForm(forms.ModelForm):
    class Meta:
        model = Funder
        fields = ["name", "kind"]

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Funder.objects.filter(organization=self.organization, name__iexact=name).exists():
            raise forms.ValidationError(_("This funder is already recorded."))
        return name


class GrantForm(forms.ModelForm):
    class Meta:
        model = Grant
        fields = [
            "funder",
            "name",
            "award_number",
            "amount",
            "starts_on",
            "ends_on",
            "allowable_types",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "allowable_types": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "allowable_types": _("The services this grant may pay for."),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["funder"].queryset = Funder.objects.filter(organization=organization)
        allowed = set(self.instance.allowable_types.all()) if self.instance.pk else set()
        types = [
            t for t in ServiceType.objects.select_related("category") if t.is_active or t in allowed
        ]
        field = self.fields["allowable_types"]
        field.queryset = ServiceType.objects.filter(pk__in=[t.pk for t in types])
        field.choices = grouped_types(types)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = Grant.objects.filter(organization=self.organization, name__iexact=name)
        if others.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("A grant with this name is already recorded."))
        return name
