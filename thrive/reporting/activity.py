"""The program activity report: what one organization did over a period, for its board and
funders. Aggregates only; published through disclosure control with every table linked.

Definitions (docs/reporting.md says the same):

- **Survivors served**: survivors with at least one service delivered to them by the
  organization in the period. **New** in the first federal fiscal year in which they were
  served: new if no service was delivered to them in an earlier federal fiscal year than that
  of their first service in the period; otherwise **continuing**.
- **Trafficking type**: from the cases they were served under in the period, as in the member
  report (sex and labor, or a case of both, is "both").
- **Age group**: age at intake (under 18, 18–24, 25 and over, not recorded).
- **Gender, race and ethnicity, language**: as recorded on the survivor's record; a survivor
  with two or more race or ethnicity categories counts once, under "two or more"; the five
  most frequent languages have a row each, the rest are "other languages".
- **Services by category**: services delivered in the period, and the survivors who received
  one (a survivor may be in several categories: that column has no total).
- **Hotline contacts**: logged contacts received in the period, by reason and channel.
- **Emergency responses**: dispatched from contacts received in the period; the median minutes
  from contact to dispatch and from dispatch to first contact with the survivor.
- **Referrals**: sent in the period, by where they stand now.
- **Outcome progress**: survivors assessed and assessments recorded in the period, and cases
  that graduated in it; the program outcome summary has the rest.

The survivors-served tables share their totals (new, continuing, all): one number each,
protected together. A median resting on fewer than k responses is not shown.
"""

import datetime
import functools
import json
from collections import Counter, defaultdict

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from thrive.cases.models import Case
from thrive.hotline.models import Channel, Contact, EmergencyResponse, Reason
from thrive.hotline.reports import summarize
from thrive.lib.rows import as_date, raw_rows
from thrive.outcomes.models import Assessment
from thrive.referrals.models import Referral
from thrive.reporting.periods import federal_fiscal_year
from thrive.reporting.tables import Figures, Table
from thrive.services.models import Service, ServiceCategory
from thrive.survivors.models import Gender, Language, RaceEthnicity, Survivor

TYPES = ("sex", "labor", "both", "unknown")
STATUSES = ("new", "continuing")
AGE_GROUPS = ("minor", "18_24", "25_plus", "not_recorded")
TOP_LANGUAGES = 5


def _type_of(sex, labor, both):
    if both or (sex and labor):
        return "both"
    if sex:
        return "sex"
    if labor:
        return "labor"
    return "unknown"


AGE_BANDS = [
    ("0_11", "0–11"),
    ("12_14", "12–14"),
    ("15_17", "15–17"),
    ("18_20", "18–20"),
    ("21_24", "21–24"),
    ("25_34", "25–34"),
    ("35_44", "35–44"),
    ("45_59", "45–59"),
    ("60_plus", "60+"),
]
_BAND_STARTS = [0, 12, 15, 18, 21, 25, 35, 45, 60]


def _age_band(age):
    if age is None:
        return "not_recorded"
    index = max(i for i, start in enumerate(_BAND_STARTS) if age >= start)
    return AGE_BANDS[index][0]


def _age_group(age):
    if age is None:
        return "not_recorded"
    if age < 18:
        return "minor"
    return "18_24" if age <= 24 else "25_plus"


def _race_text_group(value):
    """`_race_group` of the column as the driver gives it: JSON text, or a tuple of a list."""
    if isinstance(value, str):
        value = json.loads(value) if value else []
    return _race_group(value)


def _race_group(values):
    chosen = [v for v in values or [] if v not in (RaceEthnicity.UNKNOWN, RaceEthnicity.DECLINED)]
    if len(chosen) > 1:
        return "two_or_more"
    if chosen:
        return chosen[0]
    return "not_recorded"


def served(organization, period):
    """{survivor id: (new or continuing, trafficking type)} for the survivors served.

    One pass over the organization's delivered services up to the period's end, grouped by
    survivor and case in the order of the `service_survivor_case` index (no sorting), and
    the trafficking type of each case looked up from one list of the organization's cases."""
    rows = raw_rows(
        Service.objects.filter(
            organization=organization,
            status=Service.Status.DELIVERED,
            delivered_on__lte=period.end,
        )
        .values("survivor_id", "case_id")
        .annotate(
            first=Min("delivered_on"),
            first_in=Min("delivered_on", filter=Q(delivered_on__gte=period.start)),
        )
        .order_by()
        .values_list("survivor_id", "case_id", "first", "first_in")
    )
    type_of_case = dict(
        raw_rows(
            Case.objects.filter(organization=organization)
            .order_by()
            .values_list("pk", "trafficking_type")
        )
    )
    # Dates as the driver gives them (ISO text from SQLite, dates from PostgreSQL): either
    # compares in date order, and only the survivors' two dates are converted.
    bit = {"sex": 1, "labor": 2, "both": 4}
    kind_of_mask = [_type_of(m & 1, m & 2, m & 4) for m in range(8)]
    first, first_in, mask = {}, {}, {}
    for survivor_id, case_id, earliest, earliest_in in rows:
        known = first.get(survivor_id)
        if known is None or earliest < known:
            first[survivor_id] = earliest
        if earliest_in is not None:
            known = first_in.get(survivor_id)
            if known is None or earliest_in < known:
                first_in[survivor_id] = earliest_in
            mask[survivor_id] = mask.get(survivor_id, 0) | bit.get(type_of_case.get(case_id), 0)
    fiscal_year = functools.lru_cache(maxsize=None)(lambda day: federal_fiscal_year(as_date(day)))
    return {
        survivor_id: (
            "new" if fiscal_year(first[survivor_id]) == fiscal_year(day) else "continuing",
            kind_of_mask[mask[survivor_id]],
        )
        for survivor_id, day in first_in.items()
    }


def demographics(organization, period):
    """The demographics dashboard: who the survivors served in the period were (trafficking
    type, age distribution, age group, gender, race and ethnicity, language), as charts with
    the table under each; the same figures, protected the same way, as the activity report."""
    figures = Figures()
    people = served(organization, period)
    _served_by_type(figures, people)
    _served_by(figures, people, organization, detailed_age=True)
    return figures


def program_activity(organization, period):
    """The Figures of the program activity report of `organization` over `period`."""
    figures = Figures()
    people = served(organization, period)
    _served_by_type(figures, people)
    _served_by(figures, people, organization)
    _services(figures, organization, period)
    _hotline(figures, organization, period)
    _referrals(figures, organization, period)
    _outcomes(figures, organization, period)
    return figures


def _columns_of_status():
    return [_("New"), _("Continuing"), _("Total")]


def _served_by_type(figures, people):
    counts = Counter(people.values())
    rows = []
    for status in STATUSES:
        for kind in TYPES:
            figures.count(("served", status, kind), counts[(status, kind)])
        figures.total(("served", status, "total"), [("served", status, k) for k in TYPES])
    for kind in (*TYPES, "total"):
        figures.total(("served", "all", kind), [("served", s, kind) for s in STATUSES])
    figures.totals.append((("served", "all", "total"), [("served", "all", k) for k in TYPES]))
    figures.headline(("served", "all", "total"))
    labels = {"new": _("New"), "continuing": _("Continuing")}
    for status in STATUSES:
        rows.append((labels[status], [("served", status, k) for k in (*TYPES, "total")]))
    figures.table(
        Table(
            key="served",
            title=_("Survivors served, by trafficking type"),
            columns=[
                _("Sex trafficking"),
                _("Labor trafficking"),
                _("Sex and labor"),
                _("Type not known"),
                _("Total"),
            ],
            rows=rows,
            total_row=(
                _("All survivors served"),
                [("served", "all", k) for k in (*TYPES, "total")],
            ),
            note=_(
                "New: first served in this federal fiscal year; continuing: served in an "
                "earlier one too."
            ),
            chart_column=4,
        )
    )


def _served_by(figures, people, organization, *, detailed_age=False):
    """Age group, gender, race and ethnicity and language tables, each breaking down the same
    new / continuing / all totals; with `detailed_age`, the age distribution in finer bands
    too (the demographics dashboard)."""
    # The organization's survivors, filtered here: a list of 100,000 ids is more than a
    # query may carry.
    records = raw_rows(
        Survivor.objects.filter(organization=organization)
        .order_by()
        .values_list("pk", "age_at_intake", "gender_identity", "race_ethnicity", "primary_language")
    )
    # One count per combination of groups and status: a few thousand at most, however many
    # survivors, so the tables below are counted from those.
    combinations = Counter()
    race_group = functools.lru_cache(maxsize=None)(_race_text_group)
    for pk, age, gender, race, language in records:
        found = people.get(pk)
        if found is None:
            continue
        combinations[
            (
                _age_group(age),
                gender or "not_recorded",
                # JSON text from SQLite, a list from PostgreSQL: either, as a cache key.
                race_group(race if isinstance(race, str) else tuple(race)),
                language or "not_recorded",
                found[0],
                _age_band(age) if detailed_age else "",
            )
        ] += 1
    language_counts = Counter()
    for (*_groups, language, _status, _band), n in combinations.items():
        language_counts[language] += n
    top = [code for code, _n in language_counts.most_common() if code != "not_recorded"]
    top = top[:TOP_LANGUAGES]
    not_recorded = _("Not recorded")
    dimensions = [
        (
            "age",
            _("Survivors served, by age group at intake"),
            [
                ("minor", _("Under 18")),
                ("18_24", _("18 to 24")),
                ("25_plus", _("25 and over")),
                ("not_recorded", not_recorded),
            ],
        ),
        (
            "gender",
            _("Survivors served, by gender identity"),
            [(v, label) for v, label in Gender.choices] + [("not_recorded", not_recorded)],
        ),
        (
            "race",
            _("Survivors served, by race and ethnicity"),
            [
                (v, label)
                for v, label in RaceEthnicity.choices
                if v not in (RaceEthnicity.UNKNOWN, RaceEthnicity.DECLINED)
            ]
            + [("two_or_more", _("Two or more")), ("not_recorded", not_recorded)],
        ),
        (
            "language",
            _("Survivors served, by primary language"),
            [(code, dict(Language.choices).get(code, code)) for code in top]
            + [("other", _("Other languages")), ("not_recorded", not_recorded)],
        ),
    ]
    if detailed_age:
        dimensions.insert(
            0,
            (
                "age_band",
                _("Survivors served, by age at intake"),
                [(band, label) for band, label in AGE_BANDS] + [("not_recorded", not_recorded)],
            ),
        )
    position = {"age": 0, "gender": 1, "race": 2, "language": 3, "age_band": 5}
    for dimension, title, categories in dimensions:
        known = {value for value, _label in categories}
        by_group = defaultdict(Counter)
        for combination, n in combinations.items():
            value, status = combination[position[dimension]], combination[4]
            if dimension == "language" and value not in top and value != "not_recorded":
                value = "other"
            by_group[value if value in known else "not_recorded"][status] += n
        # Survivors served without a record here (none, unless one was just removed).
        missing = Counter(status for status, _kind in people.values())
        for counter in by_group.values():
            missing.subtract(counter)
        by_group["not_recorded"].update(+missing)
        rows = []
        for value, label in categories:
            key = (dimension, value)
            for status in STATUSES:
                figures.count((*key, status), by_group[value][status])
            figures.total((*key, "total"), [(*key, s) for s in STATUSES])
            rows.append((label, [(*key, c) for c in (*STATUSES, "total")]))
        for column in (*STATUSES, "total"):
            figures.totals.append(
                (
                    ("served", column if column != "total" else "all", "total"),
                    [(dimension, value, column) for value, _label in categories],
                )
            )
        figures.table(
            Table(
                key=dimension,
                title=title,
                columns=_columns_of_status(),
                rows=rows,
                total_row=(
                    _("All survivors served"),
                    [
                        ("served", "new", "total"),
                        ("served", "continuing", "total"),
                        ("served", "all", "total"),
                    ],
                ),
                chart_column=2,
            )
        )


def _services(figures, organization, period):
    # COUNT(*), not of the id: every column read is in the `service_period_type` index, so
    # the database never visits the table.
    grouped = {
        row["service_type__category_id"]: row
        for row in Service.objects.filter(
            organization=organization,
            status=Service.Status.DELIVERED,
            delivered_on__gte=period.start,
            delivered_on__lte=period.end,
        )
        .values("service_type__category_id")
        .annotate(services=Count("*"), survivors=Count("survivor", distinct=True))
        .order_by()
    }
    rows = []
    for category in ServiceCategory.objects.order_by("order"):
        row = grouped.get(category.pk, {"services": 0, "survivors": 0})
        figures.count(("services", category.code, "services"), row["services"])
        figures.count(("services", category.code, "survivors"), row["survivors"])
        rows.append(
            (category.label, [("services", category.code, c) for c in ("services", "survivors")])
        )
    figures.total(
        ("services", "all", "services"), [("services", r, "services") for r in _codes(rows)]
    )
    figures.table(
        Table(
            key="services",
            title=_("Services delivered, by category"),
            columns=[_("Services"), _("Survivors")],
            rows=rows,
            total_row=(
                _("All services"),
                [("services", "all", "services"), ("served", "all", "total")],
            ),
            note=_("A survivor who received services of several categories counts in each."),
            chart_column=0,
        )
    )


def _codes(rows):
    return [keys[0][1] for _label, keys in rows]


def _local_bounds(period):
    zone = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.datetime.combine(period.start, datetime.time()), zone)
    until = timezone.make_aware(
        datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time()), zone
    )
    return since, until


def _hotline(figures, organization, period):
    since, until = _local_bounds(period)
    counts = {
        (row["reason"] or "not_recorded", row["channel"] or "not_recorded"): row["n"]
        for row in Contact.objects.filter(
            organization=organization,
            status=Contact.Status.LOGGED,
            received_at__gte=since,
            received_at__lt=until,
        )
        .values("reason", "channel")
        .annotate(n=Count("pk"))
        .order_by()
    }
    reasons = [(v, label) for v, label in Reason.choices] + [("not_recorded", _("Not recorded"))]
    channels = [(v, label) for v, label in Channel.choices]
    if any(c == "not_recorded" for _r, c in counts):
        channels.append(("not_recorded", _("Not recorded")))
    rows = []
    for reason, label in reasons:
        for channel, _c in channels:
            figures.count(("contacts", reason, channel), counts.get((reason, channel), 0))
        figures.total(
            ("contacts", reason, "total"), [("contacts", reason, c) for c, _l in channels]
        )
        rows.append((label, [("contacts", reason, c) for c, _l in (*channels, ("total", ""))]))
    for channel, _label in (*channels, ("total", "")):
        figures.total(("contacts", "all", channel), [("contacts", r, channel) for r, _l in reasons])
    figures.totals.append(
        (("contacts", "all", "total"), [("contacts", "all", c) for c, _l in channels])
    )
    figures.headline(("contacts", "all", "total"))
    figures.table(
        Table(
            key="contacts",
            title=_("Hotline contacts, by reason and channel"),
            columns=[label for _c, label in channels] + [_("Total")],
            rows=rows,
            total_row=(
                _("All contacts"),
                [("contacts", "all", c) for c, _l in (*channels, ("total", ""))],
            ),
            chart_column=len(channels),
        )
    )
    to_dispatch, to_contact = [], []
    for received_at, dispatched_at, first_contact_at in EmergencyResponse.objects.filter(
        organization=organization, contact__received_at__gte=since, contact__received_at__lt=until
    ).values_list("contact__received_at", "dispatched_at", "first_contact_at"):
        to_dispatch.append(max(0.0, (dispatched_at - received_at).total_seconds() / 60))
        if first_contact_at is not None:
            to_contact.append((first_contact_at - dispatched_at).total_seconds() / 60)
    figures.count(("responses", "dispatched"), len(to_dispatch))
    figures.count(("responses", "reached"), len(to_contact))
    for key, minutes in (("to_dispatch", to_dispatch), ("to_contact", to_contact)):
        median = summarize(minutes)["median"]
        figures.measure(
            ("responses", key),
            number_format(median, 0) if median is not None else "—",
            len(minutes),
        )
    figures.table(
        Table(
            key="responses",
            title=_("Emergency responses"),
            columns=[_("Figure")],
            rows=[
                (_("Responses dispatched"), [("responses", "dispatched")]),
                (_("Responses that reached the survivor"), [("responses", "reached")]),
                (_("Median minutes from contact to dispatch"), [("responses", "to_dispatch")]),
                (_("Median minutes from dispatch to first contact"), [("responses", "to_contact")]),
            ],
        )
    )


def _referrals(figures, organization, period):
    since, until = _local_bounds(period)
    counts = dict(
        Referral.objects.filter(organization=organization, sent_at__gte=since, sent_at__lt=until)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    statuses = [(v, label) for v, label in Referral.Status.choices if v != Referral.Status.DRAFT]
    for status, _label in statuses:
        figures.count(("referrals", status), counts.get(status, 0))
    figures.total(("referrals", "all"), [("referrals", s) for s, _l in statuses])
    figures.headline(("referrals", "all"))
    figures.table(
        Table(
            key="referrals",
            title=_("Referrals sent, by where they stand now"),
            columns=[_("Referrals")],
            rows=[(label, [("referrals", status)]) for status, label in statuses],
            total_row=(_("All referrals sent"), [("referrals", "all")]),
        )
    )


def _outcomes(figures, organization, period):
    assessments = Assessment.objects.filter(
        organization=organization, assessed_on__gte=period.start, assessed_on__lte=period.end
    ).aggregate(n=Count("pk"), survivors=Count("case__survivor", distinct=True))
    graduated = Case.objects.filter(
        organization=organization,
        status=Case.Status.GRADUATED,
        ended_on__gte=period.start,
        ended_on__lte=period.end,
    ).count()
    figures.count(("outcomes", "assessed"), assessments["survivors"])
    figures.count(("outcomes", "assessments"), assessments["n"])
    figures.count(("outcomes", "graduated"), graduated)
    figures.table(
        Table(
            key="outcomes",
            title=_("Outcome progress"),
            columns=[_("Figure")],
            rows=[
                (_("Survivors assessed"), [("outcomes", "assessed")]),
                (_("Assessments recorded"), [("outcomes", "assessments")]),
                (_("Cases graduated"), [("outcomes", "graduated")]),
            ],
            note=_(
                "Improvement by domain and time to improvement are in the program outcome summary."
            ),
        )
    )
