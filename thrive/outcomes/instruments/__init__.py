"""Reading, checking and loading an outcome instrument file (soa-v1.json is the default).

`read_instrument` parses the file and refuses it, naming every problem, unless its domain codes
are unique, its levels are numbered 1..N without gaps, and every domain describes every level
in English and Spanish. `load_instrument` stores a checked instrument; it takes the model
classes so a data migration can pass its historical ones, whose Domain may not yet have the
`anchors` field (the anchors then arrive with migration 0004).

The messages are for the person preparing the file, in English, like the file's keys.
"""

import json
from pathlib import Path

DEFAULT_FILE = Path(__file__).with_name("soa-v1.json")
LANGUAGES = {"en": "English", "es": "Spanish"}


class InstrumentError(ValueError):
    """An instrument file that may not be loaded; `problems` lists every reason."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def read_instrument(path=DEFAULT_FILE):
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InstrumentError([f"{path.name} is not valid JSON: {error}"]) from error
    check_instrument(data)
    return data


def _is_text(value):
    return isinstance(value, str) and value.strip() != ""


def _level_numbers(data, problems):
    levels = data.get("levels")
    if not isinstance(levels, list) or not levels:
        problems.append("The instrument has no levels.")
        return []
    numbers = []
    for position, level in enumerate(levels, start=1):
        number = level.get("number") if isinstance(level, dict) else None
        if isinstance(number, bool) or not isinstance(number, int):
            problems.append(f"Level {position} in the list has no whole number.")
            continue
        if number in numbers:
            problems.append(f"Level {number} appears twice.")
            continue
        numbers.append(number)
        for key in ("name", "name_es"):
            if not _is_text(level.get(key)):
                problems.append(f"Level {number} has no {key}.")
    expected = list(range(1, len(numbers) + 1))
    if numbers and sorted(numbers) != expected:
        missing = sorted(set(expected) - set(numbers))
        gap = f"; level {missing[0]} is missing" if missing else ""
        problems.append(
            f"Levels must be numbered 1 to {len(numbers)} without gaps: "
            f"found {', '.join(map(str, sorted(numbers)))}{gap}."
        )
    return sorted(numbers)


def _check_anchors(domain, code, numbers, problems):
    anchors = domain.get("anchors")
    if not isinstance(anchors, dict):
        problems.append(f"Domain “{code}” has no anchors.")
        return
    for number in numbers:
        anchor = anchors.get(str(number))
        if not isinstance(anchor, dict):
            problems.append(f"Domain “{code}”, level {number}: no anchor.")
            continue
        for lang, language in LANGUAGES.items():
            if not _is_text(anchor.get(lang)):
                problems.append(f"Domain “{code}”, level {number}: no {language} ({lang}) anchor.")
    extra = sorted(set(anchors) - {str(n) for n in numbers})
    for key in extra:
        problems.append(
            f"Domain “{code}” has an anchor for level {key}, which the instrument lacks."
        )


def check_instrument(data):
    """Raise InstrumentError naming every problem of an instrument definition."""
    if not isinstance(data, dict):
        raise InstrumentError(["The instrument file must hold one JSON object."])
    problems = []
    if not isinstance(data.get("code"), str) or not data.get("code"):
        problems.append("The instrument has no code.")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        problems.append("The instrument's version must be a whole number from 1.")
    if not _is_text(data.get("name")):
        problems.append("The instrument has no name.")
    numbers = _level_numbers(data, problems)
    domains = data.get("domains")
    if not isinstance(domains, list) or not domains:
        problems.append("The instrument has no domains.")
        domains = []
    seen = set()
    for position, domain in enumerate(domains, start=1):
        code = domain.get("code") if isinstance(domain, dict) else None
        if not _is_text(code):
            problems.append(f"Domain {position} in the list has no code.")
            continue
        if code in seen:
            problems.append(f"Domain “{code}” appears twice.")
            continue
        seen.add(code)
        for key in ("name", "name_es"):
            if not _is_text(domain.get(key)):
                problems.append(f"Domain “{code}” has no {key}.")
        _check_anchors(domain, code, numbers, problems)
    if problems:
        raise InstrumentError(problems)


def load_instrument(data, *, Instrument, Domain, Level, is_default=False):  # noqa: N803
    """Store a new instrument version. A version already stored is left as it is: an
    assessment keeps the version it used, so a version never changes once loaded."""
    check_instrument(data)
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
    with_anchors = any(f.name == "anchors" for f in Domain._meta.get_fields())
    Domain.objects.bulk_create(
        Domain(
            instrument=instrument,
            code=d["code"],
            order=order,
            name=d["name"],
            name_es=d["name_es"],
            may_be_not_applicable=d.get("may_be_not_applicable", False),
            **({"anchors": d["anchors"]} if with_anchors else {}),
        )
        for order, d in enumerate(data["domains"], start=1)
    )
    return instrument
