import datetime
import functools
import json

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from thrive.accounts.models import Organization, Role, User
from thrive.grants.access import grants_for_user
from thrive.services.access import grants_for_service
from thrive.services.actions import SERVICE_FIELDS
from thrive.services.models import Service, ServiceType, Unit
from thrive.services.taxonomy import DEFAULT_FILE

SECTIONS = [
    (_("The service"), ["service_type", "status", "delivered_on", "goal"]),
    (_("Provided by"), ["provided_by", "staff_member", "partner", "partner_name"]),
    (_("How much"), ["quantity", "unit", "cost"]),
    (_("Paid by"), ["funding", "grant"]),
    (_("Notes"), ["notes"]),
]
assert sorted(f for _, fields in SECTIONS for f in fields) == sorted(SERVICE_FIELDS)


@functools.cache
def taxonomy_reference():
    """The descriptions of the codes the taxonomy file maps to (VOCA, federal categories)."""
    data = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    return {"voca": data["voca_codes"], "federal": data["federal_categories"]}


def type_mapping(service_type):
    """What one service of this type counts as, for each funder's scheme."""
    if service_type is None:
        return None
    reference = taxonomy_reference()
    return {
        "type": service_type,
        "voca_code": service_type.voca_code,
        "voca_description": reference["voca"].get(service_type.voca_code, ""),
        "htcds_type": service_type.htcds_type,
        "federal_category": service_type.federal_category,
        "federal_description": reference["federal"].get(service_type.federal_category, ""),
    }


def grouped_types(types):
    """[(category label, [(pk, type label), ...]), ...]: a <select> with an <optgroup> each."""
    groups = {}
    for service_type in types:
        groups.setdefault(service_type.category, []).append((service_type.pk, service_type.label))
    return [(category.label, choices) for category, choices in groups.items()]


def unit_choices(service_type, selected=None):
    """The units a type is counted in; every unit when no type is chosen yet. A rejected
    choice stays in the list so the person sees what the message is about."""
    units = list(service_type.units) if service_type else list(Unit.values)
    if selected in Unit.values and selected not in units:
        units.append(selected)
    return [(unit, Unit(unit).label) for unit in units]


def default_unit(service_type, selected):
    if service_type and not selected and len(service_type.units) == 1:
        return service_type.units[0]
    return selected


def goal_label(goal):
    return f"{goal.domain.label}: {Truncator(goal.description).chars(60)}"


def grant_label(grant):
    return f"{grant.name} · {grant.funder.name}"


def person_label(user):
    return user.get_full_name() or user.get_username()


def as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def as_date(value):
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def add_errors(form, error):
    """A ValidationError raised by an action, shown on the form's fields where it has them."""
    for name, messages in error.message_dict.items():
        form.add_error(name if name in form.fields and name != NON_FIELD_ERRORS else None, messages)


class GoalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return goal_label(obj)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = SERVICE_FIELDS
        field_classes = {"goal": GoalChoiceField, "staff_member": PersonChoiceField}
        widgets = {
            "delivered_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "provided_by": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "partner": _("Choose the organization if it uses Thrive; otherwise type its name."),
            "cost": _("Leave empty if unknown. A service counted in dollars costs its amount."),
            "grant": _("Grants current on the date that pay for this service."),
            "notes": _("Kept encrypted. Write only what the service record needs."),
        }

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.user = user
        organization_id = case.organization_id
        for field in self.fields.values():
            field.widget.attrs.setdefault("autocomplete", "off")

        types = ServiceType.objects.select_related("category")
        current_type_id = self.instance.service_type_id
        types = [t for t in types if t.is_active or t.pk == current_type_id]
        self.types_by_pk = {t.pk: t for t in types}
        field = self.fields["service_type"]
        field.queryset = ServiceType.objects.filter(pk__in=self.types_by_pk)
        field.choices = [("", "---------"), *grouped_types(types)]
        field.widget.attrs.update(
            {
                "hx-get": reverse("services:units"),
                "hx-target": "#id_unit",
                "hx-include": "#id_unit",
                "hx-swap": "innerHTML",
            }
        )

        self.fields["delivered_on"].show_hidden_initial = False

        self.chosen_type = self.types_by_pk.get(as_int(self.value_of("service_type")))
        unit = self.value_of("unit")
        self.fields["unit"].choices = [("", "---------"), *unit_choices(self.chosen_type, unit)]
        if not self.is_bound:
            self.initial["unit"] = default_unit(self.chosen_type, unit)

        self.fields["goal"].queryset = case.goals.select_related("domain")
        self.fields["staff_member"].queryset = (
            User.objects.filter(
                memberships__organization_id=organization_id,
                memberships__role__in=Role.person_level(),
            )
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.fields["partner"].queryset = Organization.objects.exclude(pk=organization_id)

        # Any grant of the organization is accepted here, so that Service.clean can say why
        # a grant cannot pay (its period, its allowable services); the list offers the
        # grants that can.
        grant_field = self.fields["grant"]
        grant_field.queryset = grants_for_user(user).select_related("funder")
        day = as_date(self.value_of("delivered_on")) or timezone.localdate()
        offered = list(grants_for_service(user, day, getattr(self.chosen_type, "pk", None)))
        selected = as_int(self.value_of("grant"))
        if selected and selected not in {g.pk for g in offered}:
            offered += list(grant_field.queryset.filter(pk=selected))
        grant_field.choices = [("", "---------"), *((g.pk, grant_label(g)) for g in offered)]
        grant_field.widget.attrs.update(
            {
                "hx-get": reverse("services:grant_options"),
                "hx-trigger": "change from:#id_service_type, change from:#id_delivered_on",
                "hx-include": "#id_service_type, #id_delivered_on, #id_grant",
                "hx-target": "this",
                "hx-swap": "innerHTML",
            }
        )

    def value_of(self, name):
        """The value a field shows: what was submitted, or else its initial value."""
        if self.is_bound:
            return self.data.get(self.add_prefix(name))
        value = self.initial.get(name, self.fields[name].initial)
        return getattr(value, "pk", value)

    def clean(self):
        data = super().clean()
        provided_by = data.get("provided_by")
        if provided_by == Service.Provider.STAFF and not data.get("staff_member"):
            self.add_error("staff_member", _("Choose the staff member who provided it."))
        elif provided_by == Service.Provider.PARTNER:
            data["staff_member"] = None
            if data.get("partner"):
                data["partner_name"] = ""
        return data

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in SECTIONS]

    def mapping(self):
        return type_mapping(self.chosen_type)


class ServiceEditForm(ServiceForm):
    """The edit form carries the version the editor started from (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version)

    def service_data(self):
        return {name: self.cleaned_data[name] for name in SERVICE_FIELDS}
