"""Loading the service taxonomy file. Used by the data migration; it takes the model classes
so a migration can pass its historical models. Loading again updates names and mappings and
adds new types; it never deletes a type that services may point at."""

import json
from pathlib import Path

DEFAULT_FILE = Path(__file__).with_name("services-v1.json")


def read_taxonomy(path=DEFAULT_FILE):
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    codes = [t["code"] for c in data["categories"] for t in c["types"]]
    if len(set(codes)) != len(codes):
        raise ValueError("The taxonomy names a service type twice.")
    for category in data["categories"]:
        for t in category["types"]:
            if t["voca_code"] and t["voca_code"] not in data["voca_codes"]:
                raise ValueError(f"{t['code']}: unknown VOCA code {t['voca_code']}")
            if t["htcds_type"] not in data["htcds_support_plan_types"]:
                raise ValueError(f"{t['code']}: unknown HTCDS type {t['htcds_type']}")
            if t["federal_category"] and t["federal_category"] not in data["federal_categories"]:
                raise ValueError(f"{t['code']}: unknown category {t['federal_category']}")
            if not t["units"]:
                raise ValueError(f"{t['code']}: no units")
    return data


def load_taxonomy(data, *, ServiceCategory, ServiceType):  # noqa: N803
    for order, c in enumerate(data["categories"], start=1):
        category, _ = ServiceCategory.objects.update_or_create(
            code=c["code"], defaults={"name": c["name"], "name_es": c["name_es"], "order": order}
        )
        for type_order, t in enumerate(c["types"], start=1):
            ServiceType.objects.update_or_create(
                code=t["code"],
                defaults={
                    "category": category,
                    "order": type_order,
                    "name": t["name"],
                    "name_es": t["name_es"],
                    "units": t["units"],
                    "voca_code": t["voca_code"] or "",
                    "htcds_type": t["htcds_type"],
                    "federal_category": t["federal_category"] or "",
                },
            )
