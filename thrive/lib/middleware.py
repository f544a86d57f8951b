"""Request-wide middleware: a request id and client address for the audit trail, and CSP."""

import contextvars
import ipaddress
import re
import time
import uuid

from django.conf import settings

request_id_var = contextvars.ContextVar("request_id", default="")
client_ip_var = contextvars.ContextVar("client_ip", default=None)

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_ip(request):
    """The client's address, for the audit trail and for login lockout (AXES_CLIENT_IP_CALLABLE).

    Behind our TLS proxy REMOTE_ADDR is the proxy's for everyone, so one lockout would hold for
    all and the audit would name no one. The proxy appends the address it saw to
    X-Forwarded-For; only that last entry is trusted, as the client may have written the rest.
    """
    if settings.THRIVE_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Tags each request with an id (kept from a trusted proxy's X-Request-ID if well formed),
    remembers the client address for audit events, and reports server time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        ip = client_ip(request)
        tokens = (request_id_var.set(request.id), client_ip_var.set(ip))
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(tokens[0])
            client_ip_var.reset(tokens[1])
        elapsed_ms = (time.perf_counter() - started) * 1000
        response["X-Request-ID"] = request.id
        response["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
        return response


class ContentSecurityPolicyMiddleware:
    """No inline script anywhere: every script is a vendored file under /static/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages with survivor data must not linger in shared browsers' caches.
            response.setdefault("Cache-Control", "no-store")
        return response
