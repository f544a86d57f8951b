"""Forms of the case conference pages: a conference, a case on its roster, an action item.
Labels and limits come from the models; the actions check the rest."""

from django import forms
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from thrive.accounts.models import Membership, Organization, User
from thrive.cases.forms import DATE_WIDGET, model_field
from thrive.cases.models import CASE_ROLES
from thrive.referrals.models import ActionItem, Conference, ConferenceCase, Consent

DATETIME_WIDGET = {
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
}


class AttendeeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        organizations = ", ".join(m.organization.name for m in obj.case_memberships)
        return f"{obj.get_full_name() or obj.get_username()} ({organizations})"


class ConferenceForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"] = model_field(Conference, "title")
        self.fields["held_at"] = model_field(Conference, "held_at", **DATETIME_WIDGET)
        self.fields["opens_at"] = model_field(Conference, "opens_at", **DATETIME_WIDGET)
        self.fields["closes_at"] = model_field(Conference, "closes_at", **DATETIME_WIDGET)
        self.fields["organizations"] = forms.ModelMultipleChoiceField(
            label=_("Attending organizations"),
            help_text=_("Your organization attends as the facilitator."),
            queryset=Organization.objects.order_by("name"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["attendees"] = AttendeeChoiceField(
            label=_("Attendees"),
            help_text=_(
                "Only attendees read the case summaries, and only within the window above."
            ),
            queryset=User.objects.filter(memberships__role__in=CASE_ROLES, is_active=True)
            .distinct()
            .order_by("first_name", "last_name", "username")
            .prefetch_related(
                Prefetch(
                    "memberships",
                    queryset=Membership.objects.filter(role__in=CASE_ROLES).select_related(
                        "organization"
                    ),
                    to_attr="case_memberships",
                )
            ),
            widget=forms.CheckboxSelectMultiple,
        )


class ConsentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(survivor)s: given %(signed)s, until %(expires)s") % {
            "survivor": obj.survivor.record_label,
            "signed": obj.signed_on.isoformat(),
            "expires": obj.expires_on.isoformat(),
        }


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.label} · {obj.survivor.record_label}"


class RosterForm(forms.Form):
    """A case of the user's organization and a consent of the same organization; the action
    checks that the consent is the survivor's and covers the conference."""

    def __init__(self, *args, cases, organization_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"] = CaseChoiceField(
            label=_("Case"), queryset=cases.select_related("survivor").order_by("-number")
        )
        self.fields["consent"] = ConsentChoiceField(
            label=_("Consent"),
            help_text=_(
                "The survivor's consent covering MDT case conferences and naming every "
                "attending organization."
            ),
            queryset=Consent.objects.filter(
                organization_id=organization_id, revoked_at__isnull=True
            ).select_related("survivor"),
        )
        self.fields["summary"] = model_field(
            ConferenceCase, "summary", widget=forms.Textarea(attrs={"rows": 6})
        )


class ActionItemForm(forms.Form):
    def __init__(self, *args, conference, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"] = model_field(
            ActionItem, "text", widget=forms.Textarea(attrs={"rows": 3})
        )
        self.fields["owner"] = forms.ModelChoiceField(
            label=ActionItem._meta.get_field("owner").verbose_name,
            queryset=conference.organizations.order_by("name"),
        )
        self.fields["due_on"] = model_field(ActionItem, "due_on", **DATE_WIDGET)


class ItemCloseForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (ActionItem.Status.DONE, ActionItem.Status.DONE.label),
            (ActionItem.Status.DROPPED, ActionItem.Status.DROPPED.label),
        ],
        required=False,
    )
