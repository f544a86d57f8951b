from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from thrive.accounts.access import attach_membership

SESSION_MEMBERSHIP_KEY = "thrive_membership_id"
EXEMPT = ("/api/", "/i18n/", "/static/")


def two_factor_exempt(view):
    """Marks a view reachable before the second factor is given (login, the 2FA pages)."""
    view.two_factor_exempt = True
    return view


class ActiveMembershipMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            attach_membership(request.user, request.session.get(SESSION_MEMBERSHIP_KEY))
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Everyone whose role sees survivors must have passed a TOTP check in this session.

    The API is exempt here because it never uses the session: it authenticates by token,
    and only a user who passed two-factor login can create one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    @staticmethod
    def needs_second_factor(user):
        return user.is_staff or any(m.sees_people for m in user.all_memberships)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not (settings.THRIVE_REQUIRE_2FA and user.is_authenticated):
            return None
        if getattr(view_func, "two_factor_exempt", False) or request.path.startswith(EXEMPT):
            return None
        if user.is_verified() or not self.needs_second_factor(user):
            return None
        has_device = user.totpdevice_set.filter(confirmed=True).exists()
        target = "accounts:two_factor_verify" if has_device else "accounts:two_factor_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
