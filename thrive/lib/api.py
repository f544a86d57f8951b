"""The JSON API's shell: token authentication, strict request bodies, and errors that are
always JSON, never a 500 for bad input."""

import contextlib
import functools
import json
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as ModelValidationError
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.parser import Parser
from ninja.schema import DjangoGetter
from ninja.security import HttpBearer
from pydantic import ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from thrive.accounts.access import attach_membership, require_person_access
from thrive.accounts.models import ApiToken
from thrive.lib.locking import EditConflict

log = logging.getLogger(__name__)
LAST_USED_RESOLUTION = timedelta(minutes=5)
NON_FIELD = "__all__"  # as in Django's ValidationError, so both kinds of error read the same


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer thr_...`: the token's user, acting for the token's organization.

    With `people=True` (routers of person-level records) a role that sees no person gets 403
    here, before the request body is read: the answer is the same whatever was sent. So do
    `require` (a further role check, e.g. cases.access.require_case_access) and `records`:
    {URL parameter: access function `(user, pk, *, write)`}. A record named in the URL that
    the user may not see is a 404 (or a 403 from the access function) before the body is read;
    any method but GET asks for write access. The endpoint still fetches its record through
    the same function: this only decides the answer before a malformed body could.
    """

    def __init__(self, *, people=False, require=None, records=None):
        super().__init__()
        self.people = people
        self.require = require
        self.records = records or {}

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
        if self.require is not None:
            self.require(user)
        self._check_records(request, user)
        return user

    def _check_records(self, request, user):
        match = getattr(request, "resolver_match", None)
        named = match.kwargs if match is not None else {}
        write = request.method not in ("GET", "HEAD", "OPTIONS")
        for parameter, get_for_user in self.records.items():
            if parameter in named:
                get_for_user(user, named[parameter], write=write)


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


@contextlib.contextmanager
def api_field_names(names):
    """Model errors filed under the names the API uses: {"program": "program_id", ...}, so a
    client finds each message under the field it sent."""
    try:
        yield
    except ModelValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ModelValidationError(
            {names.get(field, field): errors for field, errors in exc.error_dict.items()}
        ) from exc


def _storable_ids(queryset, pks):
    """The ids a primary key column could hold: a larger number names nothing, and some
    database drivers fail on it rather than find nothing."""
    low, high = connection.ops.integer_field_range(queryset.model._meta.pk.get_internal_type())
    return {pk for pk in pks if low <= pk <= high}


class References:
    """The ids a body names, each looked up within what the caller may choose from (their own
    organization's programs, colleagues, grants...). An id outside it is a field error, the
    same whether the record is another organization's or does not exist; all misses are
    reported together, by field, like a form's."""

    def __init__(self):
        self.errors = {}

    def one(self, queryset, value, field, message, *, by="pk"):
        if value is None:
            return None
        found = None
        if by != "pk" or _storable_ids(queryset, [value]):
            found = queryset.filter(**{by: value}).first()
        if found is None:
            self.errors.setdefault(field, []).append(str(message))
        return found

    def many(self, queryset, pks, field, message):
        found = {obj.pk: obj for obj in queryset.filter(pk__in=_storable_ids(queryset, pks))}
        if any(pk not in found for pk in pks):
            self.errors.setdefault(field, []).append(str(message))
        return list(found.values())

    def check(self):
        if self.errors:
            raise ModelValidationError(self.errors)


def page_of(queryset, page):
    """One page of a list, in the shape every paged endpoint answers with."""
    paginator = Paginator(queryset, settings.THRIVE_PAGE_SIZE)
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "results": list(current),
    }


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = Field(
        None, description="For invalid input: messages by field ('__all__' for the whole body)."
    )


class ChangeOut(Schema):
    by: str | None = Field(description="Username of who saved; null for the system.")
    at: datetime
    fields: list[str]


class ConflictOut(Schema):
    detail: str
    current_version: int = Field(description="Send this version with the edit to apply it.")
    changed_fields: list[str] = Field(
        description="The record's fields saved since your version (a reference field is named "
        "without `_id`, as in the audit trail)."
    )
    changes: list[ChangeOut] = Field(description="Each save since your version, oldest first.")


# For `response=` of endpoints: documents the error answers in the OpenAPI schema.
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 409: ConflictOut}


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
        description="Survivor records, cases and services, under the same access rules as "
        "the pages. "
        "Authenticate with a per-user token: `Authorization: Bearer thr_...`. "
        "Errors are JSON: `detail`, and for invalid input `errors`, messages by field. "
        "An edit sends the `version` of the record it started from: if someone saved since, "
        "the answer is 409 with who changed which fields, and nothing is saved. "
        "Dates are ISO 8601; amounts are answered as decimal strings ('3.00').",
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

    @api.exception_handler(EditConflict)
    def edit_conflict(request, exc):
        changes = exc.changes()
        return error(
            request,
            409,
            {
                "detail": _(
                    "Nothing was saved: someone else saved this record since version "
                    "%(version)s. Reload it and make your change again."
                )
                % {"version": exc.expected_version},
                "current_version": exc.current.version,
                "changed_fields": sorted({f for event in changes for f in event.changed_fields}),
                "changes": [
                    {
                        "by": event.actor.username if event.actor_id else None,
                        "at": event.at,
                        "fields": event.changed_fields,
                    }
                    for event in changes
                ],
            },
        )

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
