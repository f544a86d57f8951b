"""The partner directory over JSON: search and read it with any token (it holds providers, no
person); list and change entries as the pages do, through `actions.partner_save`.

A shelter's confidential `location` is null except for the organization that keeps the entry
(`access.may_see_location`). A service is named by its code (`emergency_shelter`), a language
by its ISO 639 code (`es`). A PATCH changes only the fields sent; beds and waitlist alone may
also be changed by the keeping organization's case managers.
"""

from datetime import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view

from thrive.accounts.access import require_membership
from thrive.cases.api import choice_of
from thrive.lib.api import (
    READ_ERRORS,
    ApiTokenAuth,
    InputSchema,
    api_field_names,
    atomic_write,
    page_of,
)
from thrive.referrals import actions
from thrive.referrals.access import may_see_location
from thrive.referrals.directory import (
    SERVED_GENDERS,
    get_partner,
    partners_for_list,
    require_availability_keeper,
    require_partner_keeper,
)
from thrive.referrals.models import Partner, Population
from thrive.services.models import ServiceType
from thrive.survivors.models import Language

MAX_AGE = 120
AVAILABILITY = {"beds_available", "waitlist"}
FIELD_NAMES = {"organization": "on_thrive"}

LanguageCode = choice_of(Language)
PopulationCode = choice_of(Population)
GenderCode = Literal[tuple(value for value, _label in SERVED_GENDERS)]


def _partner_for_user(user, pk, *, write=False):
    """Any member reads an entry; writing through its id needs at least the keeping
    organization's case roles (the endpoint then checks what was sent)."""
    partner = get_partner(user, pk)
    if write:
        require_availability_keeper(user, partner)
    return partner


router = Router(
    tags=["directory"],
    auth=ApiTokenAuth(require=require_membership, records={"partner_id": _partner_for_user}),
)


class ServiceTypeRef(Schema):
    code: str
    name: str
    name_es: str


class PartnerOut(Schema):
    id: int
    name: str
    on_thrive: bool = Field(description="The provider is an organization on Thrive.")
    organization_id: int | None = Field(description="Its organization when on Thrive.")
    maintained_by_id: int = Field(description="The organization that keeps the entry.")
    service_types: list[ServiceTypeRef]
    counties: list[str]
    languages: list[str] = Field(description="ISO 639 codes.")
    populations: list[PopulationCode] = Field(description="Empty: sex and labor trafficking.")
    age_min: int | None
    age_max: int | None
    genders: list[str] = Field(description="Empty: everyone.")
    serves_foreign_nationals: bool
    eligibility: str
    beds_available: int | None
    waitlist: int | None
    availability_updated_at: datetime | None
    phone: str
    email: str
    website: str
    public_address: str
    location: str | None = Field(
        description="The confidential location: null except for the keeping organization."
    )
    acknowledge_days: int
    is_active: bool

    @staticmethod
    def resolve_on_thrive(obj):
        return obj.organization_id is not None

    @staticmethod
    def resolve_service_types(obj):
        return list(obj.service_types.all())

    @staticmethod
    def resolve_location(obj, context):
        if not may_see_location(context["request"].user, obj):
            return None
        return obj.location


class PartnerPage(Schema):
    count: int
    page: int
    pages: int
    results: list[PartnerOut]


class PartnerFields(InputSchema):
    name: str = Field("", max_length=200)
    service_types: list[str] | None = Field(None, description="Service type codes.")
    counties: list[str] | None = Field(None, max_length=100)
    languages: list[LanguageCode] | None = None
    populations: list[PopulationCode] | None = None
    age_min: int | None = Field(None, ge=0, le=MAX_AGE)
    age_max: int | None = Field(None, ge=0, le=MAX_AGE)
    genders: list[GenderCode] | None = None
    serves_foreign_nationals: bool = True
    eligibility: str = Field("", max_length=20_000)
    beds_available: int | None = Field(None, ge=0, le=100_000)
    waitlist: int | None = Field(None, ge=0, le=100_000)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    website: str = Field("", max_length=200)
    public_address: str = Field("", max_length=2_000)
    location: str = Field("", max_length=2_000, description="Seen only by your organization.")
    acknowledge_days: int = Field(2, ge=0, le=30)
    is_active: bool = True


class PartnerCreate(PartnerFields):
    on_thrive: bool = Field(
        False,
        description="True: the entry is your own organization (referrals reach its inbox). "
        "False: a provider not on Thrive, kept by your organization.",
    )


class PartnerUpdate(PartnerFields):
    """Every field optional: only those sent change."""


def _service_types(codes):
    if codes is None:
        return None
    found = list(ServiceType.objects.filter(code__in=set(codes), is_active=True))
    missing = sorted(set(codes) - {t.code for t in found})
    if missing:
        raise ValidationError(
            {
                "service_types": [
                    _("No service has the code '%(code)s'.") % {"code": c} for c in missing
                ]
            }
        )
    return found


def _partner_out(partner):
    """The entry as stored, with its service types."""
    return Partner.objects.prefetch_related("service_types").get(pk=partner.pk)


def _data(payload, *, fields):
    data = {name: getattr(payload, name) for name in fields}
    for name in ("counties", "languages", "populations", "genders"):
        if name in data and data[name] is None:
            data[name] = []
    for name in ("counties",):
        if name in data:
            data[name] = [c.strip() for c in data[name] if c.strip()]
    return data


@router.get("/partners", response={200: PartnerPage, **READ_ERRORS}, url_name="partners")
def list_partners(
    request,
    service: Annotated[str, Query(max_length=40, description="A service type's code.")] = "",
    county: Annotated[str, Query(max_length=100)] = "",
    language: LanguageCode | Literal[""] = "",
    age: Annotated[int | None, Query(ge=0, le=MAX_AGE)] = None,
    population: PopulationCode | Literal[""] = "",
    page: Annotated[int, Query(ge=1, description="From 1.")] = 1,
):
    """Listed providers, by name, filtered by service, county, language, age and trafficking
    type as the directory page does; a page at a time."""
    chosen = None
    if service:
        chosen = ServiceType.objects.filter(code=service).first()
        if chosen is None:
            raise ValidationError({"service": _("No service has this code.")})
    # Every field is answered (eligibility, the location for its keepers): none deferred.
    found = (
        partners_for_list()
        .defer(None)
        .search(
            service_type=chosen,
            county=county.strip(),
            language=language,
            age=age,
            population=population,
        )
    )
    return page_of(found, page)


@router.get("/partners/{partner_id}", response={200: PartnerOut, **READ_ERRORS}, url_name="partner")
def read_partner(request, partner_id: int):
    return get_partner(request.user, partner_id)


@router.post("/partners", response={201: PartnerOut, **READ_ERRORS}, url_name="partners")
@decorate_view(atomic_write)
def create_partner(request, payload: PartnerCreate):
    """List a provider kept by your organization (supervisors and program directors)."""
    membership = require_partner_keeper(request.user)
    chosen = _service_types(payload.service_types)
    if not chosen:
        raise ValidationError({"service_types": _("Name at least one service offered.")})
    if payload.on_thrive and Partner.objects.filter(organization=membership.organization).exists():
        raise ValidationError({"on_thrive": _("Your organization already has its entry.")})
    fields = [n for n in PartnerFields.model_fields if n != "service_types"]
    with api_field_names(FIELD_NAMES):
        partner = actions.partner_save(
            Partner(organization=membership.organization if payload.on_thrive else None),
            actor=request.user,
            organization=membership.organization,
            data=_data(payload, fields=fields),
            service_types=chosen,
        )
    return Status(201, _partner_out(partner))


@router.patch(
    "/partners/{partner_id}", response={200: PartnerOut, **READ_ERRORS}, url_name="partner"
)
@decorate_view(atomic_write)
def update_partner(request, partner_id: int, payload: PartnerUpdate):
    """Change the fields sent. Beds and waitlist alone: the keeping organization's case
    roles; anything else: its supervisors and program directors."""
    partner = get_partner(request.user, partner_id)
    sent = set(payload.model_fields_set)
    if sent and sent <= AVAILABILITY:
        membership = require_availability_keeper(request.user, partner)
    else:
        membership = require_partner_keeper(request.user, partner)
    chosen = _service_types(payload.service_types) if "service_types" in sent else None
    if chosen is not None and not chosen:
        raise ValidationError({"service_types": _("Name at least one service offered.")})
    with api_field_names(FIELD_NAMES):
        actions.partner_save(
            partner,
            actor=request.user,
            organization=membership.organization,
            data=_data(payload, fields=sorted(sent - {"service_types"})),
            service_types=chosen,
        )
    return _partner_out(partner)
