"""Forms of the consent and referral pages. Labels and choices come from the models; the
actions decide whether a consent is complete and whether a referral may share what it asks
to share (their errors are put back at the field by add_action_errors)."""

from django import forms
from django.conf import settings
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from thrive.cases.forms import date_field, model_field
from thrive.referrals.models import Category, Consent, Partner, Referral
from thrive.services.models import ServiceType

CHECKBOXES = forms.CheckboxSelectMultiple
TEXTAREA = {"rows": 3, "autocomplete": "off"}


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class PartnersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ServiceTypesChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.label


def consent_label(consent):
    """'Given 3 Mar 2025, until 3 Mar 2026: Identity…, Case summary…' (what it releases)."""
    return _("Given %(signed)s, until %(expires)s: %(categories)s") % {
        "signed": formats.date_format(consent.signed_on, "SHORT_DATE_FORMAT"),
        "expires": formats.date_format(consent.expires_on, "SHORT_DATE_FORMAT"),
        "categories": "; ".join(str(Category(c).label) for c in consent.categories),
    }


class ConsentForm(forms.Form):
    """A consent as the survivor gave it. The end date defaults to the signing date plus
    THRIVE_CONSENT_DAYS (the action fills it in); a consent is never open-ended."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"] = PartnersChoiceField(
            label=capfirst(Consent._meta.get_field("recipients").verbose_name),
            queryset=Partner.objects.active().only("pk", "name"),
            required=False,  # the action names what is missing, with the other fields
            widget=forms.SelectMultiple(attrs={"size": 8}),
            help_text=_(
                "Organizations from the partner directory. Hold Ctrl (or Cmd) to choose "
                "more than one."
            ),
        )
        self.fields["purposes"] = forms.MultipleChoiceField(
            label=_("What the information may be used for"),
            choices=Consent.Purpose.choices,
            required=False,
            widget=CHECKBOXES,
        )
        self.fields["categories"] = forms.MultipleChoiceField(
            label=_("Information that may be shared"),
            choices=Category.choices,
            required=False,
            widget=CHECKBOXES,
        )
        self.fields["signed_on"] = date_field(Consent, "signed_on")
        self.fields["method"] = model_field(Consent, "method", widget=forms.RadioSelect)
        self.fields["witness"] = model_field(
            Consent,
            "witness",
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
            help_text=_("Required for a verbal consent."),
        )
        self.fields["expires_on"] = date_field(
            Consent,
            "expires_on",
            required=False,
            help_text=_("If left empty: %(days)s days after it was given.")
            % {"days": settings.THRIVE_CONSENT_DAYS},
        )
        self.fields["note"] = model_field(Consent, "note", widget=forms.Textarea(attrs=TEXTAREA))

    def action_data(self):
        """(data, recipients) for actions.consent_record."""
        data = dict(self.cleaned_data)
        recipients = list(data.pop("recipients") or [])
        if not data.get("expires_on"):
            data.pop("expires_on", None)
        return data, recipients


class RevokeForm(forms.Form):
    note = forms.CharField(
        label=_("How the survivor revoked it"),
        help_text=_("For example: by phone to her case manager, or in writing."),
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=2000,
    )


class PartnerPickForm(forms.Form):
    """The first step of a referral: whom to refer to (their services come next)."""

    partner = PartnerChoiceField(
        label=capfirst(Referral._meta.get_field("partner").verbose_name),
        queryset=Partner.objects.none(),
        empty_label=_("Choose a partner"),
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = (
            Partner.objects.active()
            .exclude(organization_id=organization.pk)
            .only("pk", "name", "organization_id")
        )


class ReferralForm(forms.Form):
    """A draft referral to one partner, for one case: the partner's services, the urgency,
    the information to share and under which consent (or which legal requirement)."""

    field_order = [
        "partner",
        "service_types",
        "urgency",
        "consent",
        "mandated_exception",
        "categories",
        "reason",
    ]

    def __init__(self, *args, case, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner
        self.fields["partner"] = PartnerChoiceField(
            queryset=Partner.objects.filter(pk=partner.pk),
            initial=partner.pk,
            widget=forms.HiddenInput,
        )
        self.fields["service_types"] = ServiceTypesChoiceField(
            label=_("Services requested"),
            queryset=ServiceType.objects.filter(partners=partner),
            required=False,  # the action says "choose at least one", at this field
            widget=CHECKBOXES,
        )
        self.fields["urgency"] = model_field(Referral, "urgency", widget=forms.RadioSelect)
        consents = Consent.objects.filter(survivor_id=case.survivor_id)
        self.fields["consent"] = forms.ModelChoiceField(
            label=_("Under the survivor's consent"),
            # Any of the survivor's consents is accepted here, so a consent that expired or
            # was revoked since the page was drawn is refused by the action, with its reason.
            queryset=consents,
            required=False,
            empty_label=_("No consent: a legal requirement (below)"),
        )
        self.fields["consent"].choices = [("", self.fields["consent"].empty_label)] + [
            (c.pk, consent_label(c)) for c in consents.in_force()
        ]
        self.fields["mandated_exception"] = model_field(
            Referral,
            "mandated_exception",
            widget=forms.Textarea(attrs=TEXTAREA),
            help_text=_(
                "Only where the law requires sharing without consent: name the requirement."
            ),
        )
        self.fields["categories"] = forms.MultipleChoiceField(
            label=_("Information to share"),
            choices=Category.choices,
            required=False,
            widget=CHECKBOXES,
            help_text=_("The minimum needed, and only what the consent releases."),
        )
        self.fields["reason"] = model_field(
            Referral, "reason", widget=forms.Textarea(attrs=TEXTAREA)
        )
        self.order_fields(self.field_order)

    def action_data(self):
        """(data, service_types) for actions.referral_create."""
        data = dict(self.cleaned_data)
        service_types = list(data.pop("service_types") or [])
        data["categories"] = list(data.get("categories") or [])
        return data, service_types


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("Why it is withdrawn"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )


class RecipientMoveForm(forms.Form):
    """A receiving organization's answer. Field names are the action's error keys."""

    status = forms.ChoiceField(choices=Referral.Status.choices, widget=forms.HiddenInput)
    decline_reason = forms.CharField(
        label=_("Why the referral is declined"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status"))] + list(Referral.Status.choices),
        required=False,
    )
