from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]*",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args, device_verify=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.device_verify = device_verify

    def clean_token(self):
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isdigit() or not self.device_verify(token):
            raise forms.ValidationError(_("That code is not right or has expired. Try the next."))
        return token


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("What is this token for?"),
        max_length=100,
        help_text=_("For example: telephony system, nightly import."),
    )
