"""Scoring a screening: a pure function of an instrument definition and the answers given.

The definition is the one stored with the instrument version (see instruments/__init__.py for
its shape, already checked by the loader). Nothing here reads the database, so a result can
always be recomputed from the version it was scored with.

Scoring rules:
- `sum`: the sum of the scores of the options chosen.
- `any_yes`: 1 if any item was answered with an option marked `"flag": true`, else 0.
- `count_at_level`: how many items were answered with an option scoring at least `level`.

The score then falls in exactly one cut-off range, which names the result.
"""

from django.utils.translation import gettext as _

NO_CONCERN = "no_concern"
POSSIBLE_CONCERN = "possible_concern"
CLEAR_CONCERN = "clear_concern"
RESULTS = (NO_CONCERN, POSSIBLE_CONCERN, CLEAR_CONCERN)
RULES = ("sum", "any_yes", "count_at_level")


def items(definition):
    """Every item of the definition, in order, whatever section it is in."""
    return [item for section in definition["sections"] for item in section["items"]]


def _option(item, value):
    return next((o for o in item["options"] if o["value"] == value), None)


def score(definition, answers):
    """(score, result) for answers {item id: option value}. Unanswered items count nothing.

    Raises ValueError for an answer the definition does not offer: check answers first with
    `answer_errors`."""
    by_id = {item["id"]: item for item in items(definition)}
    chosen = []
    for item_id, value in answers.items():
        if item_id not in by_id:
            raise ValueError(f"unknown item {item_id!r}")
        option = _option(by_id[item_id], value)
        if option is None:
            raise ValueError(f"{value!r} is not an option of item {item_id!r}")
        chosen.append(option)
    scoring = definition["scoring"]
    rule = scoring["rule"]
    if rule == "sum":
        total = sum(o["score"] for o in chosen)
    elif rule == "any_yes":
        total = 1 if any(o.get("flag") for o in chosen) else 0
    elif rule == "count_at_level":
        total = sum(1 for o in chosen if o["score"] >= scoring["level"])
    else:
        raise ValueError(f"unknown scoring rule {rule!r}")
    return total, result_for(definition, total)


def result_for(definition, total):
    for cutoff in definition["cutoffs"]:
        if cutoff["min"] <= total and (cutoff["max"] is None or total <= cutoff["max"]):
            return cutoff["result"]
    # The loader refuses cut-offs that leave a possible score uncovered.
    raise ValueError(f"no cut-off covers the score {total}")


def score_range(definition):
    """The lowest and highest score the answers could give: the cut-offs must cover it."""
    scoring = definition["scoring"]
    rule = scoring["rule"]
    all_items = items(definition)
    if rule == "any_yes":
        return 0, 1
    if rule == "count_at_level":
        return 0, sum(
            1 for item in all_items if any(o["score"] >= scoring["level"] for o in item["options"])
        )
    low = high = 0
    for item in all_items:
        scores = [o["score"] for o in item["options"]]
        # An optional item left unanswered scores nothing.
        low += min(scores) if item["required"] else min(0, *scores)
        high += max(scores) if item["required"] else max(0, *scores)
    return low, high


def answer_errors(definition, answers):
    """{item id: message} for each answer the definition does not allow: an unknown item, a
    value outside the item's options, a required item left unanswered. Empty when valid."""
    if not isinstance(answers, dict):
        return {"answers": _("The answers must map each question to an answer.")}
    errors = {}
    known = {item["id"]: item for item in items(definition)}
    for item_id, value in answers.items():
        item = known.get(item_id)
        if value in (None, "") and item is not None:
            continue
        if item is None:
            errors[str(item_id)] = _(
                "There is no question “%(item)s” in this version of the instrument."
            ) % {"item": item_id}
        elif not isinstance(value, str) or _option(item, value) is None:
            errors[item_id] = _("“%(value)s” is not one of the answers to this question.") % {
                "value": value
            }
    for item_id, item in known.items():
        if item["required"] and answers.get(item_id) in (None, ""):
            errors[item_id] = _("Answer this question.")
    return errors
