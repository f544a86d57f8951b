"""Reading and checking a screening instrument file (docs/screening.md describes the format).

`parse_instrument` turns the file's text into the definition stored with the instrument
version, or raises InstrumentError listing every problem found. `load_instrument` stores a
checked definition; it takes the model class so a data migration can pass its historical one.
"""

import json
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thrive.screening.engine import RESULTS, RULES, score_range

DEFAULT_FILE = Path(__file__).with_name("thrive-indicators-v1.json")
LANGUAGES = ("en", "es")
REQUIRED_KEYS = ("code", "version", "name", "licence", "citation", "validated", "sections")
REQUIRED_KEYS += ("scoring", "cutoffs")
LANGUAGE_NAMES = {"en": gettext_lazy("English (en)"), "es": gettext_lazy("Spanish (es)")}


class InstrumentError(ValueError):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def read_instrument(path=DEFAULT_FILE):
    return parse_instrument(Path(path).read_text(encoding="utf-8"))


def _is_id(value):
    return isinstance(value, str) and value != "" and all(c.isalnum() or c == "_" for c in value)


class _Checker:
    def __init__(self):
        self.problems = []

    def refuse(self, message, **values):
        self.problems.append(message % values if values else message)

    def text(self, value, where):
        """A {"en": ..., "es": ...} text: every language present and not blank."""
        if not isinstance(value, dict):
            self.refuse(_("%(where)s must give its text in English and Spanish."), where=where)
            return {lang: "" for lang in LANGUAGES}
        for lang in LANGUAGES:
            if not isinstance(value.get(lang), str) or not value[lang].strip():
                self.refuse(
                    _("Missing translation: %(where)s has no %(language)s text."),
                    where=where,
                    language=LANGUAGE_NAMES[lang],
                )
        return {lang: str(value.get(lang) or "").strip() for lang in LANGUAGES}

    def options(self, options, where):
        if not isinstance(options, list) or not options:
            self.refuse(_("%(where)s has no response options."), where=where)
            return []
        checked, values = [], set()
        for number, option in enumerate(options, start=1):
            if not isinstance(option, dict) or not isinstance(option.get("value"), str):
                self.refuse(_("%(where)s, option %(n)s: give it a value."), where=where, n=number)
                continue
            value = option["value"]
            place = _("%(where)s, option “%(value)s”") % {"where": where, "value": value}
            if value in values:
                self.refuse(
                    _("%(where)s offers the value “%(value)s” twice."), where=where, value=value
                )
            values.add(value)
            if "score" not in option:
                self.refuse(_("%(where)s has no score."), where=place)
            elif isinstance(option["score"], bool) or not isinstance(option["score"], int):
                self.refuse(_("%(where)s: the score must be a whole number."), where=place)
            checked.append(
                {
                    "value": value,
                    "label": self.text(option.get("label"), place),
                    "score": option.get("score") if isinstance(option.get("score"), int) else 0,
                    "flag": option.get("flag") is True,
                }
            )
        return checked

    def scoring(self, scoring):
        if not isinstance(scoring, dict) or scoring.get("rule") not in RULES:
            rule = scoring.get("rule") if isinstance(scoring, dict) else scoring
            self.refuse(
                _("Unknown scoring rule “%(rule)s”: use one of %(rules)s."),
                rule=rule,
                rules=", ".join(RULES),
            )
            return None
        checked = {"rule": scoring["rule"]}
        if scoring["rule"] == "count_at_level":
            level = scoring.get("level")
            if isinstance(level, bool) or not isinstance(level, int):
                self.refuse(_("The rule count_at_level needs a whole-number “level”."))
                return None
            checked["level"] = level
        return checked

    def cutoffs(self, cutoffs, low, high):
        if not isinstance(cutoffs, list) or not cutoffs:
            self.refuse(_("Give the cut-offs: score ranges, each with a result."))
            return []
        checked = []
        for number, cutoff in enumerate(cutoffs, start=1):
            if not isinstance(cutoff, dict):
                self.refuse(_("Cut-off %(n)s must have min, max and result."), n=number)
                continue
            lowest, highest = cutoff.get("min"), cutoff.get("max")
            if isinstance(lowest, bool) or not isinstance(lowest, int):
                self.refuse(_("Cut-off %(n)s: “min” must be a whole number."), n=number)
                continue
            if highest is not None and (isinstance(highest, bool) or not isinstance(highest, int)):
                self.refuse(
                    _("Cut-off %(n)s: “max” must be a whole number, or null for no limit."),
                    n=number,
                )
                continue
            if highest is not None and highest < lowest:
                self.refuse(_("Cut-off %(n)s: “max” is below “min”."), n=number)
                continue
            if cutoff.get("result") not in RESULTS:
                self.refuse(
                    _("Cut-off %(n)s: unknown result “%(result)s”: use one of %(results)s."),
                    n=number,
                    result=cutoff.get("result"),
                    results=", ".join(RESULTS),
                )
                continue
            checked.append({"min": lowest, "max": highest, "result": cutoff["result"]})
        if len(checked) != len(cutoffs):
            return checked
        checked.sort(key=lambda c: c["min"])
        for before, after in zip(checked, checked[1:], strict=False):
            top = before["max"]
            if top is None or after["min"] <= top:
                self.refuse(
                    _("The cut-offs overlap: a score of %(score)s falls in two ranges."),
                    score=after["min"],
                )
            elif after["min"] > top + 1:
                self.refuse(
                    _("The cut-offs leave a gap: scores from %(low)s to %(high)s have no result."),
                    low=top + 1,
                    high=after["min"] - 1,
                )
        if low is not None:
            if checked[0]["min"] > low:
                self.refuse(
                    _("The cut-offs leave a gap: scores from %(low)s to %(high)s have no result."),
                    low=low,
                    high=checked[0]["min"] - 1,
                )
            if checked[-1]["max"] is not None and checked[-1]["max"] < high:
                self.refuse(
                    _("The cut-offs leave a gap: scores from %(low)s to %(high)s have no result."),
                    low=checked[-1]["max"] + 1,
                    high=high,
                )
        return checked


def parse_instrument(text):
    """The checked, normalized definition of an instrument file's text."""
    check = _Checker()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InstrumentError(
            [
                _("The file is not valid JSON (line %(line)s, column %(column)s): %(error)s.")
                % {"line": error.lineno, "column": error.colno, "error": error.msg}
            ]
        ) from None
    if not isinstance(data, dict):
        raise InstrumentError([_("The file must hold one JSON object.")])
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise InstrumentError([_("The file lacks %(keys)s.") % {"keys": ", ".join(missing)}])
    if not isinstance(data["code"], str) or not all(
        c.isalnum() or c in "-_" for c in data["code"] or "?"
    ):
        check.refuse(_("The code must be letters, digits, - and _ only."))
    if isinstance(data["version"], bool) or not isinstance(data["version"], int):
        check.refuse(_("The version must be a whole number."))
    elif data["version"] < 1:
        check.refuse(_("The version must be 1 or more."))
    if not isinstance(data["validated"], bool):
        check.refuse(_("“validated” must be true or false."))
    for key in ("licence", "citation"):
        if not isinstance(data[key], str) or not data[key].strip():
            check.refuse(_("Give the instrument's %(key)s."), key=key)
    definition = {
        "code": data["code"],
        "version": data["version"],
        "name": check.text(data["name"], _("The name")),
        "licence": str(data["licence"]).strip(),
        "citation": str(data["citation"]).strip(),
        "validated": data["validated"] is True,
        "notice": check.text(data["notice"], _("The notice")) if data.get("notice") else {},
        "sections": [],
    }
    default_options = data.get("options")
    sections = data["sections"]
    if not isinstance(sections, list) or not sections:
        raise InstrumentError([*check.problems, _("Give at least one section with items.")])
    section_ids, item_ids = set(), set()
    for number, section in enumerate(sections, start=1):
        if not isinstance(section, dict) or not _is_id(section.get("id")):
            check.refuse(_("Section %(n)s needs an id of letters, digits and _ only."), n=number)
            continue
        where = _("Section “%(id)s”") % {"id": section["id"]}
        if section["id"] in section_ids:
            check.refuse(_("Two sections have the id “%(id)s”."), id=section["id"])
        section_ids.add(section["id"])
        checked = {
            "id": section["id"],
            "title": check.text(section.get("title"), where),
            "items": [],
        }
        if not isinstance(section.get("items"), list) or not section["items"]:
            check.refuse(_("%(where)s has no items."), where=where)
            continue
        for item_number, item in enumerate(section["items"], start=1):
            if not isinstance(item, dict) or not _is_id(item.get("id")):
                check.refuse(
                    _("%(where)s, item %(n)s needs an id of letters, digits and _ only."),
                    where=where,
                    n=item_number,
                )
                continue
            item_where = _("Item “%(id)s”") % {"id": item["id"]}
            if item["id"] in item_ids:
                check.refuse(
                    _("Duplicate item id “%(id)s”: each item needs its own."), id=item["id"]
                )
            item_ids.add(item["id"])
            checked["items"].append(
                {
                    "id": item["id"],
                    "text": check.text(item.get("text"), item_where),
                    "required": item.get("required", True) is not False,
                    # Which standard field the item paraphrases, if any: kept for exports.
                    "htcds": str(item.get("htcds", "")),
                    "options": check.options(item.get("options", default_options), item_where),
                }
            )
        definition["sections"].append(checked)
    definition["scoring"] = check.scoring(data["scoring"])
    if check.problems or definition["scoring"] is None:
        # The cut-offs are checked against the possible scores, which need sound items.
        check.cutoffs(data["cutoffs"], None, None)
        raise InstrumentError(check.problems)
    if definition["scoring"]["rule"] == "any_yes" and not any(
        o["flag"] for s in definition["sections"] for i in s["items"] for o in i["options"]
    ):
        check.refuse(_("The rule any_yes needs at least one option marked “flag”: true."))
    low, high = score_range(definition)
    definition["cutoffs"] = check.cutoffs(data["cutoffs"], low, high)
    if check.problems:
        raise InstrumentError(check.problems)
    return definition


def load_instrument(definition, *, ScreeningInstrument):  # noqa: N803
    """Store a checked definition as a new instrument version. Loading the same definition
    again changes nothing; a different definition under a stored code and version is refused,
    since screenings scored with that version must keep meaning what they meant."""
    existing = ScreeningInstrument.objects.filter(
        code=definition["code"], version=definition["version"]
    ).first()
    if existing is not None:
        if existing.definition != definition:
            raise InstrumentError(
                [
                    _(
                        "%(code)s version %(version)s is already loaded with a different "
                        "definition. Give the changed file a new version number."
                    )
                    % {"code": definition["code"], "version": definition["version"]}
                ]
            )
        return existing, False
    instrument = ScreeningInstrument.objects.create(
        code=definition["code"],
        version=definition["version"],
        name=definition["name"]["en"],
        name_es=definition["name"]["es"],
        licence=definition["licence"],
        citation=definition["citation"],
        validated=definition["validated"],
        definition=definition,
    )
    return instrument, True
