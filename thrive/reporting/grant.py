"""The grant report: what one grant paid for over a period, in the order of the U.S. VOCA
Performance Measurement Tool (PMT) quarterly report, with a CSV of one figure per line that a
grants manager copies or uploads.

Counted from the services delivered in the period and funded by the grant:

- **Individuals served**: the survivors who received one. **New**: served by the
  organization for the first time in this federal fiscal year (as in the activity report);
  **continuing** otherwise.
- **Demographics** of those individuals, in the PMT's groups: age at intake (0–12, 13–17,
  18–24, 25–59, 60 and older, not reported), gender (male, female, another identity, not
  reported) and race and ethnicity (the OMB categories, multiple races, not reported).
- **Services** by VOCA service code (A2 … E11), each letter with its subtotal: times
  provided, the individuals who received it (a survivor may receive several: no total) and
  the cost, shown only where at least k services make it up.
"""

import functools
from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from thrive.lib.rows import raw_rows
from thrive.reporting.activity import _race_text_group, served
from thrive.reporting.tables import Figures, Table
from thrive.services.models import Service
from thrive.services.taxonomy import read_taxonomy
from thrive.survivors.models import Gender, RaceEthnicity, Survivor

STATUSES = ("new", "continuing")
AGE_GROUPS = [
    ("0_12", "0–12"),
    ("13_17", "13–17"),
    ("18_24", "18–24"),
    ("25_59", "25–59"),
    ("60_plus", "60+"),
    ("not_reported", None),
]
VOCA_LETTERS = {
    "A": "A. Information and referral",
    "B": "B. Personal advocacy and accompaniment",
    "C": "C. Emotional support or safety services",
    "D": "D. Shelter and housing services",
    "E": "E. Criminal and civil justice system assistance",
}


def _age(age):
    if age is None:
        return "not_reported"
    if age <= 12:
        return "0_12"
    if age <= 17:
        return "13_17"
    if age <= 24:
        return "18_24"
    return "25_59" if age <= 59 else "60_plus"


def _gender(value):
    if value in (Gender.WOMAN, Gender.TRANS_WOMAN):
        return "female"
    if value in (Gender.MAN, Gender.TRANS_MAN):
        return "male"
    if value in (Gender.NON_BINARY, Gender.ANOTHER):
        return "another"
    return "not_reported"


@functools.cache
def _race(value):
    """The activity report's race grouping, under the PMT's names for its two extra rows."""
    group = _race_text_group(value)
    return {"two_or_more": "multiple", "not_recorded": "not_reported"}.get(group, group)


@functools.cache
def _voca_codes():
    return read_taxonomy()["voca_codes"]


def grant_report(grant, period):
    """The Figures of the grant report of `grant` over `period`."""
    figures = Figures()
    funded = Service.objects.filter(
        grant=grant,
        status=Service.Status.DELIVERED,
        delivered_on__gte=period.start,
        delivered_on__lte=period.end,
    )
    survivor_ids = set(funded.order_by().values_list("survivor_id", flat=True).distinct())
    everyone = served(grant.organization, period)
    people = {pk: everyone.get(pk, ("new", ""))[0] for pk in survivor_ids}
    _individuals(figures, people)
    _demographics(figures, people, grant)
    _services(figures, funded)
    return figures


def _individuals(figures, people):
    counts = Counter(people.values())
    for status in STATUSES:
        figures.count(("people", status), counts[status])
    figures.total(("people", "all"), [("people", s) for s in STATUSES])
    figures.headline(("people", "all"))
    figures.table(
        Table(
            key="people",
            title=_("Individuals who received services funded by the grant"),
            columns=[_("Individuals")],
            rows=[
                (
                    _("New: first served by the organization this federal fiscal year"),
                    [("people", "new")],
                ),
                (
                    _("Continuing: served in an earlier federal fiscal year too"),
                    [("people", "continuing")],
                ),
            ],
            total_row=(_("All individuals served"), [("people", "all")]),
        )
    )


def _demographics(figures, people, grant):
    records = raw_rows(
        Survivor.objects.filter(organization=grant.organization)
        .order_by()
        .values_list("pk", "age_at_intake", "gender_identity", "race_ethnicity")
    )
    groups = {"age": Counter(), "gender": Counter(), "race": Counter()}
    for pk, age, gender, race in records:
        if pk in people:
            groups["age"][_age(age)] += 1
            groups["gender"][_gender(gender)] += 1
            groups["race"][_race(race if isinstance(race, str) else tuple(race))] += 1
    for counter in groups.values():  # anyone without a record here: not reported
        counter["not_reported"] += len(people) - sum(counter.values())
    not_reported = _("Not reported")
    dimensions = [
        (
            "age",
            _("Individuals by age at intake"),
            [(v, label or not_reported) for v, label in AGE_GROUPS],
        ),
        (
            "gender",
            _("Individuals by gender"),
            [
                ("female", _("Female")),
                ("male", _("Male")),
                ("another", _("Another gender identity")),
                ("not_reported", not_reported),
            ],
        ),
        (
            "race",
            _("Individuals by race and ethnicity"),
            [
                (v, label)
                for v, label in RaceEthnicity.choices
                if v not in (RaceEthnicity.UNKNOWN, RaceEthnicity.DECLINED)
            ]
            + [("multiple", _("Multiple races")), ("not_reported", not_reported)],
        ),
    ]
    for dimension, title, categories in dimensions:
        for value, _label in categories:
            figures.count((dimension, value), groups[dimension][value])
        figures.totals.append((("people", "all"), [(dimension, v) for v, _l in categories]))
        figures.table(
            Table(
                key=dimension,
                title=title,
                columns=[_("Individuals")],
                rows=[(label, [(dimension, value)]) for value, label in categories],
                total_row=(_("All individuals served"), [("people", "all")]),
                chart_column=0,
            )
        )


def _services(figures, funded):
    rows = {
        code: row
        for row in funded.values("service_type__voca_code")
        .annotate(n=Count("pk"), people=Count("survivor", distinct=True), cost=Sum("cost"))
        .order_by()
        for code in [row["service_type__voca_code"] or "none"]
    }
    codes = _voca_codes()
    by_letter = defaultdict(list)
    for code in codes:
        by_letter[code[0]].append(code)
    table_rows, letters = [], []
    for letter, title in VOCA_LETTERS.items():
        for code in by_letter.get(letter, []):
            row = rows.get(code, {"n": 0, "people": 0, "cost": None})
            figures.count(("voca", code, "times"), row["n"])
            figures.count(("voca", code, "people"), row["people"])
            figures.measure(
                ("voca", code, "cost"),
                _money(row["cost"]),
                row["n"],
                follows=("voca", code, "times"),
            )
            table_rows.append(
                (f"{code} {codes[code]}", [("voca", code, c) for c in ("times", "people", "cost")])
            )
        figures.total(("voca", letter, "times"), [("voca", c, "times") for c in by_letter[letter]])
        cost = sum((rows[c]["cost"] or Decimal(0)) for c in by_letter[letter] if c in rows)
        figures.measure(
            ("voca", letter, "cost"), _money(cost), figures.cells[("voca", letter, "times")]
        )
        letters.append(letter)
        table_rows.append(
            (
                _("Subtotal %(category)s") % {"category": title},
                [("voca", letter, "times"), ("voca", letter, "blank"), ("voca", letter, "cost")],
            )
        )
        figures.measure(("voca", letter, "blank"), "", 0)
    figures.total(("voca", "all", "times"), [("voca", letter, "times") for letter in letters])
    figures.headline(("voca", "all", "times"))
    total_cost = sum((r["cost"] or Decimal(0)) for r in rows.values())
    figures.measure(
        ("voca", "all", "cost"), _money(total_cost), figures.cells[("voca", "all", "times")]
    )
    figures.measure(("voca", "all", "blank"), "", 0)
    figures.table(
        Table(
            key="voca",
            title=_("Services funded by the grant, by VOCA service code"),
            columns=[_("Times provided"), _("Individuals"), _("Cost (USD)")],
            rows=table_rows,
            total_row=(
                _("All services funded"),
                [("voca", "all", "times"), ("voca", "all", "blank"), ("voca", "all", "cost")],
            ),
            note=_(
                "An individual who received several services counts under each. A cost made "
                "up of fewer than k services is not shown."
            ),
        )
    )


def _money(value):
    if value is None:
        return "0.00"
    return f"{Decimal(value):,.2f}"


def as_pmt_csv(published, *, grant, period):
    """One figure per line, in the order of the report: section, item, value; the grant and
    period on top. Hidden figures stay hidden (`<10`)."""
    import csv
    import io

    from thrive.lib.spreadsheets import safe_text

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["grant", safe_text(grant.name)])
    writer.writerow(["award_number", safe_text(grant.award_number)])
    writer.writerow(["period_start", period.start.isoformat()])
    writer.writerow(["period_end", period.end.isoformat()])
    writer.writerow(["section", "item", "column", "value"])
    for table in published.tables:
        for row in [*table["rows"], *([table["total_row"]] if table["total_row"] else [])]:
            label, *cells = row
            for column, cell in zip(table["columns"], cells, strict=True):
                if cell == "":
                    continue
                writer.writerow([safe_text(table["title"]), safe_text(label), column, cell])
    return out.getvalue()
