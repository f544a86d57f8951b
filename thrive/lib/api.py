"""The JSON API's shell: token authentication and errors that are always JSON, never a 500."""

import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as ModelValidationError
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.security import HttpBearer

from thrive.accounts.access import attach_membership
from thrive.accounts.models import ApiToken

log = logging.getLogger(__name__)
LAST_USED_RESOLUTION = timedelta(minutes=5)


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer thr_...`: the token's user, acting for the token's organization."""

    def authenticate(self, request, token):
        if not token.startswith(ApiToken.PREFIX):
            return None
        row = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(digest=ApiToken.digest_of(token))
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        user = row.user
        if attach_membership(user, organization_id=row.organization_id) is None:
            return None  # the user has left the organization the token was made for
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = user
        return user


def _field_errors(exc):
    if hasattr(exc, "error_dict"):
        return {
            field: [m for e in errs for m in e.messages] for field, errs in exc.error_dict.items()
        }
    return {"__all__": exc.messages}


def build_api():
    api = NinjaAPI(
        title="Thrive API",
        version="1",
        urls_namespace="api",
        auth=ApiTokenAuth(),
        docs_url="/docs",
        openapi_url="/openapi.json",
        description="Survivor records under the same access rules as the pages. "
        "Authenticate with a per-user token: `Authorization: Bearer thr_...`.",
    )

    def error(request, status, body):
        return api.create_response(request, body, status=status)

    @api.exception_handler(SchemaValidationError)
    def schema_invalid(request, exc):
        return error(request, 400, {"detail": "Invalid request.", "errors": exc.errors})

    @api.exception_handler(ModelValidationError)
    def model_invalid(request, exc):
        return error(request, 400, {"detail": "Invalid data.", "errors": _field_errors(exc)})

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return error(request, 401, {"detail": "A valid API token is required."})

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return error(request, 403, {"detail": str(exc) or "Forbidden."})

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return error(request, 404, {"detail": "Not found."})

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return error(request, exc.status_code, {"detail": str(exc)})

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        # Logged with the request id only: the exception text may carry submitted values.
        log.error(
            "API error %s in %s",
            type(exc).__name__,
            request.path,
            extra={"request_id": getattr(request, "id", "")},
        )
        return error(
            request,
            500,
            {
                "detail": "Something went wrong. Nothing was saved.",
                "request_id": getattr(request, "id", ""),
            },
        )

    return api
