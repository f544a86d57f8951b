from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from thrive.accounts import actions
from thrive.accounts.access import membership_of, require_membership
from thrive.accounts.forms import ApiTokenForm, LoginForm, TokenForm
from thrive.accounts.middleware import SESSION_MEMBERSHIP_KEY, two_factor_exempt
from thrive.accounts.models import ApiToken


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            failure_limit=settings.AXES_FAILURE_LIMIT,
            lockout_minutes=int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            **kwargs,
        )


class AdminLoginView(LoginView):
    """The admin sends a logged-in user it refuses (not staff) to its login page; sending them
    back to the admin would loop between the two forever, so they go home instead."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_staff:
            return redirect(settings.LOGIN_REDIRECT_URL)
        return super().dispatch(request, *args, **kwargs)


login_view = two_factor_exempt(LoginView.as_view())
admin_login_view = two_factor_exempt(AdminLoginView.as_view())
logout_view = two_factor_exempt(auth_views.LogoutView.as_view())


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "home"


@two_factor_exempt
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Enrol an authenticator app: show the secret as a QR code, confirm with one code."""
    if request.user.totpdevice_set.filter(confirmed=True).exists():
        return redirect("accounts:two_factor_verify")
    # The oldest unconfirmed device, so two setups begun at once show one key, never a 500.
    device = request.user.totpdevice_set.filter(confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, confirmed=False, name="authenticator")
    form = TokenForm(request.POST or None, device_verify=device.verify_token)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        messages.success(request, _("Two-factor login is set up."))
        return redirect(_next_url(request))
    qr = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": qr.to_string(encoding="unicode"),
            "secret": b32encode(device.bin_key).decode(),
            "next": _next_url(request),
        },
    )


@two_factor_exempt
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    devices = list(request.user.totpdevice_set.filter(confirmed=True))
    if not devices:
        return redirect("accounts:two_factor_setup")
    verified = []

    def verify(token):
        verified.extend(d for d in devices if d.verify_token(token))
        return bool(verified)

    form = TokenForm(request.POST or None, device_verify=verify)
    if request.method == "POST" and form.is_valid():
        otp_login(request, verified[0])
        return redirect(_next_url(request))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {
            "form": form,
            "next": _next_url(request),
        },
    )


@login_required
@require_POST
def switch_organization(request):
    chosen = next(
        (m for m in request.user.all_memberships if str(m.pk) == request.POST.get("membership")),
        None,
    )
    if chosen is None:
        messages.error(request, _("Choose one of your organizations."))
    else:
        request.session[SESSION_MEMBERSHIP_KEY] = chosen.pk
    return redirect("home")


@login_required
@require_GET
def home(request):
    return render(request, "home.html", {"membership": membership_of(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    membership = require_membership(request.user)
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = actions.api_token_create(
            membership, actor=request.user, name=form.cleaned_data["name"]
        )
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user).select_related("organization")
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "tokens": tokens,
            "new_token": new_token,
        },
    )


@login_required
@require_POST
def api_token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    actions.api_token_revoke(token, actor=request.user)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:api_tokens")
