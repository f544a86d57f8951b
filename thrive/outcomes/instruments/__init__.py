"""Loading an instrument file. Used by the data migration and by programs adopting their own
version; it takes the model classes so a migration can pass its historical models."""

import json
from pathlib import Path

DEFAULT_FILE = Path(__file__).with_name("soa-v1.json")


def read_instrument(path=DEFAULT_FILE):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def load_instrument(data, *, Instrument, Domain, Level, is_default=False):  # noqa: N803
    codes = [d["code"] for d in data["domains"]]
    if len(set(codes)) != len(codes):
        raise ValueError("The instrument names a domain twice.")
    instrument, created = Instrument.objects.get_or_create(
        code=data["code"],
        version=data["version"],
        defaults={"name": data["name"], "is_default": is_default},
    )
    if not created:
        return instrument
    Level.objects.bulk_create(
        Level(instrument=instrument, number=lv["number"], name=lv["name"], name_es=lv["name_es"])
        for lv in data["levels"]
    )
    Domain.objects.bulk_create(
        Domain(
            instrument=instrument,
            code=d["code"],
            order=order,
            name=d["name"],
            name_es=d.get("name_es", ""),
            may_be_not_applicable=d.get("may_be_not_applicable", False),
        )
        for order, d in enumerate(data["domains"], start=1)
    )
    return instrument
