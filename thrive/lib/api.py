"""The JSON API's shell: token authentication, strict request bodies, and errors that are
always JSON, never a 500 for bad input."""

import functools
import json
import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as ModelValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.parser import Parser
from ninja.schema import DjangoGetter
from ninja.security import HttpBearer
from pydantic import ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from thrive.accounts.access import attach_membership, require_person_access
from thrive.accounts.models import ApiToken

log = logging.getLogger(__name__)
LAST_USED_RESOLUTION = timedelta(minutes=5)
NON_FIELD = "__all__"  # as in Django's ValidationError, so both kinds of error read the same


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer thr_...`: the token's user, acting for the token's organization.

    With `people=True` (routers of person-level records) a role that sees no person gets 403
    here, before the request body is read: the answer is the same whatever was sent.
    """

    def __init__(self, *, people=False):
        super().__init__()
        self.people = people

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
        if self.people:
            require_person_access(user)
        return user


def atomic_write(run):
    """For write endpoints, with `@decorate_view(atomic_write)`: the action, its audit event
    and the response in one transaction, undone on a 5xx, so that "Nothing was saved" holds
    even when only writing the response failed. Reads stay outside a transaction."""

    @functools.wraps(run)
    def wrapped(request, *args, **kwargs):
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            if response.status_code >= 500:
                transaction.set_rollback(True)
        return response

    return wrapped


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


class JsonParser(Parser):
    """Strict JSON. NaN and Infinity are not JSON; a lone surrogate ("\\ud800") is JSON but
    not text, and would fail only later, when the value is encrypted or stored."""

    def parse_body(self, request):
        data = json.loads(request.body, parse_constant=_refuse_constant)
        json.dumps(data, ensure_ascii=False).encode()  # UnicodeEncodeError on a lone surrogate
        return data


class InputSchema(Schema):
    """A request body: a JSON object whose every key is a known field. A misspelt field is
    an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _is_an_object(cls, data):
        # ninja validates twice when extra fields are forbidden, the second time wrapped.
        raw = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(raw, dict):
            raise PydanticCustomError("object_type", "Send a JSON object of fields.")
        return data


def _model_errors(exc):
    if hasattr(exc, "error_dict"):
        return {
            field: [m for e in errs for m in e.messages] for field, errs in exc.error_dict.items()
        }
    return {NON_FIELD: exc.messages}


def _schema_errors(errors):
    """ninja's `loc` is (source, parameter, field, ...) for a body and (source, parameter) for
    a query or path: each message is filed under the field or parameter it is about."""
    fields = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        position = 2 if loc[:1] == ["body"] else 1
        field = loc[position] if len(loc) > position else NON_FIELD
        message = error.get("msg", "Invalid value.")
        if field == NON_FIELD and error.get("type") == "missing":
            message = "The body is empty: send a JSON object of fields."
        fields.setdefault(field, []).append(message)
    return fields


def build_api():
    api = NinjaAPI(
        title="Thrive API",
        version="1",
        urls_namespace="api",
        auth=ApiTokenAuth(),
        parser=JsonParser(),
        docs_url="/docs",
        openapi_url="/openapi.json",
        description="Survivor records under the same access rules as the pages. "
        "Authenticate with a per-user token: `Authorization: Bearer thr_...`. "
        "Errors are JSON: `detail`, and for invalid input `errors`, messages by field.",
    )

    def error(request, status, body):
        return api.create_response(request, body, status=status)

    @api.exception_handler(SchemaValidationError)
    def schema_invalid(request, exc):
        return error(
            request, 400, {"detail": "Invalid request.", "errors": _schema_errors(exc.errors)}
        )

    @api.exception_handler(ModelValidationError)
    def model_invalid(request, exc):
        return error(request, 400, {"detail": "Invalid data.", "errors": _model_errors(exc)})

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        response = error(request, 401, {"detail": "A valid API token is required."})
        response["WWW-Authenticate"] = 'Bearer realm="thrive"'
        return response

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
