from django.conf import settings


def membership(request):
    user = getattr(request, "user", None)
    return {
        "membership": getattr(user, "membership", None),
        "all_memberships": getattr(user, "all_memberships", []),
        "two_factor_required": settings.THRIVE_REQUIRE_2FA,
    }
