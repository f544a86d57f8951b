"""Services over JSON: the taxonomy, and each service delivered, planned, declined or unmet,
through the same access rules and audited actions as the pages.

Amounts (`quantity`, `cost`) are decimals with two places. They are always answered as
strings ("3.00", so that no digit is lost to floating point) and may be sent as a string or a
number. Dates are ISO 8601. See the cases API for versions, conflicts and field errors.
"""

from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import StrictInt

from thrive.cases.access import case_workers_for_user, get_case_for_user, require_case_access
from thrive.cases.actions import case_view
from thrive.cases.api import NO_COLLEAGUE, VERSION, Paging, PersonOut, choice_of
from thrive.grants.access import grants_for_user
from thrive.lib.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiTokenAuth,
    InputSchema,
    References,
    api_field_names,
    atomic_write,
    page_of,
)
from thrive.services import actions
from thrive.services.access import get_service_for_user, service_types, services_for_user
from thrive.services.models import Service, Unit

router = Router(
    tags=["services"],
    auth=ApiTokenAuth(
        people=True,
        require=require_case_access,
        records={"case_id": get_case_for_user, "service_id": get_service_for_user},
    ),
)

ServiceStatus = choice_of(Service.Status)
Provider = choice_of(Service.Provider)
Funding = choice_of(Service.Funding)
UnitName = choice_of(Unit)
AMOUNT = "A decimal with two places, answered as a string ('3.00')."


def _amount(value):
    return None if value is None else f"{Decimal(value):.2f}"


class CategoryOut(Schema):
    code: str
    name: str
    name_es: str


class ServiceTypeOut(Schema):
    id: int
    code: str
    name: str
    name_es: str
    category: CategoryOut
    units: list[UnitName] = Field(description="What a service of this type is counted in.")
    voca_code: str = Field(description="The VOCA performance-measure service code, or ''.")
    htcds_type: str = Field(description="The HTCDS support-plan type.")
    federal_category: str = Field(description="The federal trafficking-grant category, or ''.")


class ServiceTypeRef(Schema):
    id: int
    code: str
    name: str


class GrantRef(Schema):
    id: int
    name: str


class ServiceOut(Schema):
    id: int
    case_id: int
    service_type: ServiceTypeRef
    goal_id: int | None = Field(description="The goal of the service plan it works toward.")
    status: ServiceStatus
    delivered_on: date
    provided_by: Provider
    staff_member: PersonOut | None
    partner_name: str = Field(description="The partner that provided it, by name.")
    quantity: str = Field(description=AMOUNT)
    unit: UnitName
    cost: str | None = Field(description=AMOUNT + " In US dollars.")
    funding: Funding
    grant: GrantRef | None
    notes: str
    recorded_by: PersonOut
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_partner_name(obj):
        return obj.partner.name if obj.partner_id else obj.partner_name

    @staticmethod
    def resolve_quantity(obj):
        return _amount(obj.quantity)

    @staticmethod
    def resolve_cost(obj):
        return _amount(obj.cost)


class ServicePage(Schema):
    count: int
    page: int
    pages: int
    results: list[ServiceOut]


class ServiceFields(InputSchema):
    goal_id: StrictInt | None = Field(None, description="A goal of this case's service plan.")
    status: ServiceStatus | None = None
    delivered_on: date | None = Field(None, description="Today when not given.")
    provided_by: Provider | None = None
    staff_member_id: StrictInt | None = None
    partner_name: str | None = Field(None, description="For a service a partner provided.")
    quantity: Decimal | None = Field(None, description=AMOUNT)
    unit: UnitName | None = Field(None, description="One of the service type's units.")
    cost: Decimal | None = Field(None, description=AMOUNT + " In US dollars.")
    funding: Funding | None = Field(None, description="'grant' with a `grant_id`.")
    grant_id: StrictInt | None = Field(None, description="The grant that paid for it.")
    notes: str | None = None


class ServiceCreate(ServiceFields):
    service_type_id: StrictInt = Field(description="From GET /services/types.")
    quantity: Decimal = Field(description=AMOUNT)
    unit: UnitName = Field(description="One of the service type's units.")


class ServiceUpdate(ServiceFields):
    version: StrictInt = VERSION
    service_type_id: StrictInt | None = None


FIELD_NAMES = {
    "service_type": "service_type_id",
    "goal": "goal_id",
    "staff_member": "staff_member_id",
    "grant": "grant_id",
    "partner": "partner_name",
}
TEXT_FIELDS = {"partner_name", "notes"}
# On a new record, null means the model's default for these (null is no value they hold).
DEFAULTED = {"status", "delivered_on", "provided_by", "funding"}


def _data(request, case, payload, *, new):
    """The fields sent, with each id turned into the record it names, among those the caller
    may choose from (a goal of this case, a grant of the organization, a colleague)."""
    data = payload.dict(exclude_unset=True, exclude={"version"})
    for name in TEXT_FIELDS & data.keys():
        data[name] = data[name] or ""
    for name in DEFAULTED & data.keys():
        if new and data[name] is None:
            del data[name]
    refs = References()
    if "service_type_id" in data:
        data["service_type"] = refs.one(
            service_types(),
            data.pop("service_type_id"),
            "service_type_id",
            _("No service type in use has this id."),
        )
    if "goal_id" in data:
        data["goal"] = refs.one(
            case.goals.all(),
            data.pop("goal_id"),
            "goal_id",
            _("This case's service plan has no goal with this id."),
        )
    if "staff_member_id" in data:
        data["staff_member"] = refs.one(
            case_workers_for_user(request.user),
            data.pop("staff_member_id"),
            "staff_member_id",
            NO_COLLEAGUE,
        )
    if "grant_id" in data:
        data["grant"] = refs.one(
            grants_for_user(request.user),
            data.pop("grant_id"),
            "grant_id",
            _("No grant of your organization has this id."),
        )
    refs.check()
    return data


def _services(queryset):
    return queryset.select_related(
        "service_type", "grant", "staff_member", "recorded_by", "partner"
    )


def _service_out(request, service):
    """The service as answered after a read or write: as stored, with all it names."""
    return _services(services_for_user(request.user)).get(pk=service.pk)


# Declared before /services/{service_id}, which would otherwise take "types" for an id.
@router.get("/services/types", response={200: list[ServiceTypeOut], **READ_ERRORS})
def list_service_types(request):
    """The service taxonomy in use, with each type's codes under the VOCA, HTCDS and federal
    schemes and the units it is counted in."""
    return service_types()


@router.get("/cases/{case_id}/services", response={200: ServicePage, **READ_ERRORS})
def list_case_services(request, case_id: int, paging: Query[Paging]):
    """The case's services, latest first, a page at a time."""
    case = get_case_for_user(request.user, case_id)
    case_view(case, actor=request.user, detail={"via": "api", "part": "services"})
    return page_of(_services(case.services.all()), paging.page)


@router.post("/cases/{case_id}/services", response={201: ServiceOut, **READ_ERRORS})
@decorate_view(atomic_write)
def record_service(request, case_id: int, payload: ServiceCreate):
    """Record a service delivered (or planned, declined, unavailable) to the case's survivor.
    The model checks it against the case's dates, the type's units and the grant's period and
    allowable services; each refusal is a 400 under the field it is about."""
    case = get_case_for_user(request.user, case_id, write=True)
    data = _data(request, case, payload, new=True)
    with api_field_names(FIELD_NAMES):
        service = actions.service_record(case, actor=request.user, data=data)
    return Status(201, _service_out(request, service))


@router.get("/services/{service_id}", response={200: ServiceOut, **READ_ERRORS})
def read_service(request, service_id: int):
    """One service. Reading it is recorded as reading its case."""
    service = get_service_for_user(request.user, service_id)
    case_view(service.case, actor=request.user, detail={"via": "api", "part": "services"})
    return _service_out(request, service)


@router.patch("/services/{service_id}", response={200: ServiceOut, **WRITE_ERRORS})
@decorate_view(atomic_write)
def update_service(request, service_id: int, payload: ServiceUpdate):
    service = get_service_for_user(request.user, service_id, write=True)
    data = _data(request, service.case, payload, new=False)
    with api_field_names(FIELD_NAMES):
        actions.service_update(
            service, actor=request.user, data=data, expected_version=payload.version
        )
    return _service_out(request, service)
