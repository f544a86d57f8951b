"""The program outcome summary: how the survivors of one program moved on the Survivor
Outcomes Assessment over a period, how long measurable improvement took, how many cases
graduated, and what happened in the year after exit. Aggregates only, never a person.

Definitions (the page and docs/outcomes.md say the same):

- **Series of a case.** Its assessments ordered by date (then by the order they were
  recorded). The **baseline** is the first. **Observation** runs to the case's exit
  (`ended_on`) if it ended, and to the end of the period: only assessments dated on or before
  both count, so a follow-up assessment after exit never moves the improvement figures.
- **Cases counted.** A case of the program counts for the period if at least one of its
  counted assessments is dated in the period. **Survivors assessed**: the distinct survivors
  of those cases.
- **Improvement**, per domain and overall. Among counted cases with a baseline and at least
  one later assessment, the latest assessment is compared with the baseline
  (`progress.improvement`: a rise of `progress.MEASURABLE` is measurable, of
  `progress.SUBSTANTIAL` substantial; a substantial rise is also measurable). Per domain,
  only cases where the domain applied at both times count. **Overall** is the mean level
  over the domains applicable at both times (`progress.change_from_baseline`). Domains are
  matched by their code, so assessments made with another version of the instrument are
  compared domain by domain where the codes agree.
- **Months to measurable improvement** (Kaplan–Meier, `lifelines`). For each such case: the
  months (`thrive.lib.dates.months_between`) from the baseline to the first later assessment
  showing measurable improvement (an event); otherwise censored at the last counted
  assessment. The median is the first time the estimated share not yet improved falls to
  one half or below; "not reached" when it never does. Reported with the number of cases
  and of events: per domain for all cases; overall for all cases and by the case's
  trafficking type (with the curves).
- **Graduated.** Among the program's cases that ended (graduated or closed) in the period,
  the share that graduated.
- **Outcome events within 12 months of exit.** Among the survivors of the cases that ended
  in the period, per kind of event, the number (and share) with at least one such event
  dated from the exit date to 12 months after it (`thrive.lib.dates.add_months`). A case
  that ended recently has had less than 12 months in which one could happen.

Small cells: for a role that sees no person (a data analyst), every count from 1 to
`SMALL_CELL - 1` is shown as "<10", and a share or median whose base has fewer than
`SMALL_CELL` cases is shown as "—" with a footnote. Supervisors and program directors see
exact figures. (Complementary suppression comes with the reporting engine.)

How it is computed, in five queries whatever the size: the program's instrument, the domains
of every instrument, the program's cases (five columns), its assessments up to the period
end (five columns, the levels read from `Assessment.vector`, never the score rows), and the
outcome events of survivors whose cases ended in the period. The series are then worked with
numpy arrays, one row per assessment and one column per domain, and the Kaplan–Meier curves
fitted on aggregated (duration, event) pairs with weights.
"""

import datetime
import functools
import operator
from decimal import Decimal

from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from thrive.cases.models import Case
from thrive.lib.dates import add_months, months_between
from thrive.lib.rows import as_date, raw_rows
from thrive.outcomes import progress
from thrive.outcomes.models import Assessment, Domain, Instrument, OutcomeEvent

SMALL_CELL = 10
OVERALL = "overall"
ALL_TYPES = "all"
FOLLOW_UP_MONTHS = 12
_NOT_APPLICABLE = ord(Assessment.NOT_APPLICABLE)
_NEVER = 1 << 30  # days: "no event" in the arrays
EPOCH = datetime.date(1970, 1, 1)


def instrument_of(program):
    if program.instrument_id:
        return program.instrument
    return Instrument.objects.default()


def program_summary(program, *, start, end):
    """The figures of `program` for the period [`start`, `end`]:

        {"start", "end", "cases_assessed", "survivors_assessed",
         "rows": [{"code", "label", "base", "measurable", "substantial",
                   "km": {"all": {"n", "events", "median"}}}, ...],
         "curves": {"all": [(months, share not yet improved), ...], "sex": [...], ...},
         "exits": {"ended", "graduated"},
         "events": {"survivors", "kinds": [{"kind", "label", "survivors"}, ...]}}

    The last of `rows` is the overall (mean level) row, code `OVERALL`; its "km" also has
    one entry per trafficking type ("sex", "labor", ...). A median is months (a float),
    `math.inf` when not reached, None without cases. `curves` are the overall Kaplan–Meier
    curves, all cases and per trafficking type.
    """
    instrument = instrument_of(program)
    codes_by_instrument = {}
    labels = {}
    for domain in Domain.objects.order_by("instrument_id", "order").only(
        "instrument_id", "code", "name", "name_es"
    ):
        codes_by_instrument.setdefault(domain.instrument_id, []).append(domain.code)
        if domain.instrument_id == getattr(instrument, "pk", None) or domain.code not in labels:
            labels[domain.code] = domain.label
    codes = list(codes_by_instrument.get(getattr(instrument, "pk", None), []))
    # Raw rows here too (a 100,000-case program pays for Django's converters otherwise);
    # SQLite gives the end date as text, PostgreSQL as a date.
    cases = [
        (pk, survivor_id, kind, status, as_date(ended_on))
        for pk, survivor_id, kind, status, ended_on in raw_rows(
            Case.objects.filter(program=program, organization_id=program.organization_id)
            .order_by()
            .values_list("pk", "survivor_id", "trafficking_type", "status", "ended_on")
        )
    ]
    # The date as ISO text: numpy reads 500,000 of those in a few hundredths of a second,
    # where turning them into Python dates first takes a second or more.
    assessments = raw_rows(
        Assessment.objects.filter(
            organization_id=program.organization_id, case__program=program, assessed_on__lte=end
        )
        .order_by()
        .annotate(day=Cast("assessed_on", CharField()))
        .values_list("case_id", "day", "pk", "instrument_id", "vector")
    )
    series = _Series(assessments, cases, codes, codes_by_instrument, start=start, end=end)
    rows = []
    for index, code in enumerate(series.codes):
        rows.append({"code": code, "label": labels.get(code, code), **series.domain(index)})
    rows.append({"code": OVERALL, "label": _("Overall (mean level)"), **series.overall()})
    ended = [c for c in cases if c[3] in Case.ENDED_STATUSES and c[4] and start <= c[4] <= end]
    return {
        "start": start,
        "end": end,
        "instrument": instrument,
        "cases_assessed": series.case_count,
        "survivors_assessed": series.survivor_count,
        "rows": rows,
        "curves": series.overall_curves,
        "exits": {
            "ended": len(ended),
            "graduated": sum(1 for c in ended if c[3] == Case.Status.GRADUATED),
        },
        "events": _events_after_exit(program, ended, start=start, end=end),
    }


def _day(date):
    """Days since 1970-01-01, as numpy counts `datetime64[D]`."""
    return (date - EPOCH).days


def _events_after_exit(program, ended, *, start, end):
    exits = {}
    for _pk, survivor_id, _type, _status, ended_on in ended:
        exits.setdefault(survivor_id, []).append(ended_on)
    events = OutcomeEvent.objects.filter(
        organization_id=program.organization_id,
        survivor__in=Case.objects.filter(
            program=program,
            status__in=Case.ENDED_STATUSES,
            ended_on__gte=start,
            ended_on__lte=end,
        ).values("survivor_id"),
        occurred_on__gte=start,
        occurred_on__lte=add_months(end, FOLLOW_UP_MONTHS),
    ).values_list("survivor_id", "kind", "occurred_on")
    found = {kind: set() for kind in OutcomeEvent.Kind.values}
    for survivor_id, kind, occurred_on in events.order_by():
        for ended_on in exits.get(survivor_id, ()):
            if ended_on <= occurred_on <= add_months(ended_on, FOLLOW_UP_MONTHS):
                found[kind].add(survivor_id)
                break
    return {
        "survivors": len(exits),
        "kinds": [
            {"kind": kind, "label": label, "survivors": len(found[kind])}
            for kind, label in OutcomeEvent.Kind.choices
        ],
    }


@functools.cache
def _mean_improvement(domains, baseline_sum, current_sum):
    """`progress.change_from_baseline`'s overall improvement for `domains` shared domains
    whose levels add up to `baseline_sum` then `current_sum`: the same means, computed the
    same way, asked once per distinct triple."""
    before = Decimal(baseline_sum) / domains
    after = Decimal(current_sum) / domains
    return progress.improvement(before, after)


@functools.cache
def _level_tables():
    """improvement(baseline level, level) as two 10 × 10 tables (index 0: not applicable)."""
    import numpy as np

    measurable = np.zeros((10, 10), dtype=bool)
    substantial = np.zeros((10, 10), dtype=bool)
    for before in range(1, 10):
        for after in range(1, 10):
            found = progress.improvement(before, after)
            measurable[before, after] = found in ("measurable", "substantial")
            substantial[before, after] = found == "substantial"
    return measurable, substantial


class _Series:
    """Every counted case's series as arrays: one row per counted assessment (sorted by
    case, date, pk), one column per domain code. Level 0 stands for not applicable."""

    def __init__(self, assessments, cases, codes, codes_by_instrument, *, start, end):
        import numpy as np

        self.np = np
        case_ids = np.array([c[0] for c in cases], dtype=np.int64)
        order = np.argsort(case_ids)
        case_ids = case_ids[order]
        limit_of_case = np.array(
            [_day(c[4] if c[4] and c[4] < end else end) for c in cases], dtype=np.int64
        )[order]
        survivor_of_case = np.array([c[1] for c in cases], dtype=np.int64)[order]
        type_of_case = np.array([c[2] for c in cases], dtype=object)[order]

        n = len(assessments)
        column = [list(map(operator.itemgetter(i), assessments)) for i in range(5)]
        case_col, date_col, pk_col, instrument_col, vector_col = column
        # The program's instrument first, in its order; then codes only other versions have.
        instruments = set(instrument_col)
        self.codes = list(codes)
        self.codes += sorted(
            {code for i in instruments for code in codes_by_instrument.get(i, [])} - set(self.codes)
        )
        width = len(self.codes)
        if all(codes_by_instrument.get(i) == self.codes for i in instruments):
            text = "".join(vector_col)
        else:
            aligned = _aligner(self.codes, codes_by_instrument)
            text = "".join(map(aligned, instrument_col, vector_col))
        raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8).reshape(n, width)
        levels = np.where(raw == _NOT_APPLICABLE, 0, raw.astype(np.int16) - ord("0"))
        case_of_row = np.searchsorted(case_ids, np.array(case_col, dtype=np.int64))
        days = np.array(date_col, dtype="datetime64[D]").astype(np.int64)
        pks = np.array(pk_col, dtype=np.int64)

        # Counted assessments: on or before the case's exit and the period end.
        keep = days <= limit_of_case[case_of_row] if n else np.zeros(0, dtype=bool)
        order = np.lexsort((pks[keep], days[keep], case_of_row[keep]))
        case_of_row = case_of_row[keep][order]
        days = days[keep][order]
        levels = levels[keep][order]
        # Counted cases: at least one counted assessment in the period.
        in_period = np.zeros(len(case_ids), dtype=bool)
        in_period[case_of_row[days >= _day(start)]] = True
        keep = in_period[case_of_row]
        case_of_row, days, levels = case_of_row[keep], days[keep], levels[keep]

        first = np.ones(len(case_of_row), dtype=bool)
        first[1:] = case_of_row[1:] != case_of_row[:-1]
        self.starts = np.flatnonzero(first)
        self.lasts = np.append(self.starts[1:], len(case_of_row))[: len(self.starts)] - 1
        group = np.cumsum(first) - 1
        base_row = self.starts[group]
        cases_here = case_of_row[self.starts]
        self.case_count = len(self.starts)
        self.survivor_count = len(np.unique(survivor_of_case[cases_here]))
        self.types = type_of_case[cases_here]
        # Cases with a baseline and at least one later counted assessment.
        self.followed = self.lasts > self.starts

        self.levels = levels
        self.base = levels[base_row]
        self.since_base = days - days[base_row]
        self.later = ~first
        self.measurable_table, self.substantial_table = _level_tables()
        self.overall_curves = {}

    # -- per domain ------------------------------------------------------------------------

    def domain(self, index):
        base = self.base[:, index]
        current = self.levels[:, index]
        improved = self.measurable_table[base, current] & self.later
        baseline_level = base[self.starts]
        latest_level = current[self.lasts]
        counted = self.followed & (baseline_level > 0) & (latest_level > 0)
        shares = {
            "base": int(counted.sum()),
            "measurable": int(
                (counted & self.measurable_table[baseline_level, latest_level]).sum()
            ),
            "substantial": int(
                (counted & self.substantial_table[baseline_level, latest_level]).sum()
            ),
        }
        at_risk = self.followed & (baseline_level > 0)
        km, _curves = self._kaplan_meier(improved, at_risk, by_type=False)
        return {**shares, "km": km}

    # -- overall (mean level over the domains applicable at both times) ----------------------

    def overall(self):
        np = self.np
        shared = (self.base > 0) & (self.levels > 0)
        domains = shared.sum(axis=1)
        baseline_sum = (self.base * shared).sum(axis=1)
        current_sum = (self.levels * shared).sum(axis=1)
        # One integer per (shared domains, baseline sum, current sum): sums of at most 64
        # levels of at most 9 stay under 1024.
        keys = (domains.astype(np.int64) << 20) | (baseline_sum << 10) | current_sum
        distinct, inverse = np.unique(keys, return_inverse=True)
        kinds = [
            _mean_improvement(key >> 20, (key >> 10) & 1023, key & 1023) if key >> 20 else ""
            for key in distinct.tolist()
        ]
        measurable = np.array([k in ("measurable", "substantial") for k in kinds], dtype=bool)
        substantial = np.array([k == "substantial" for k in kinds], dtype=bool)
        inverse = inverse.reshape(-1)
        row_measurable = measurable[inverse] if len(kinds) else np.zeros(0, dtype=bool)
        row_substantial = substantial[inverse] if len(kinds) else np.zeros(0, dtype=bool)
        counted = self.followed & (domains[self.lasts] > 0)
        shares = {
            "base": int(counted.sum()),
            "measurable": int((counted & row_measurable[self.lasts]).sum()),
            "substantial": int((counted & row_substantial[self.lasts]).sum()),
        }
        at_risk = self.followed & (domains[self.starts] > 0)
        km, curves = self._kaplan_meier(row_measurable & self.later, at_risk, by_type=True)
        self.overall_curves = curves
        return {**shares, "km": km}

    # -- Kaplan–Meier -------------------------------------------------------------------------

    def _kaplan_meier(self, improved, at_risk, *, by_type):
        """Per case: days from baseline to the first improved row, or censored at its last
        row; fitted for all cases at risk, and per trafficking type if `by_type` (with the
        curves). Each lifelines fit costs some 10–20 ms whatever the size, so domains are
        fitted for all cases only."""
        np = self.np
        if len(self.starts):
            first_event = np.minimum.reduceat(
                np.where(improved, self.since_base, _NEVER), self.starts
            )
        else:
            first_event = np.zeros(0, dtype=np.int64)
        event = first_event < _NEVER
        duration = np.where(event, first_event, self.since_base[self.lasts])
        found, drawn = {}, {}
        groups = [(ALL_TYPES, at_risk)]
        if by_type:
            groups += [
                (kind, at_risk & (self.types == kind)) for kind in Case.TraffickingType.values
            ]
        for name, chosen in groups:
            fit = _fit(duration[chosen], event[chosen])
            found[name] = fit["summary"]
            if by_type and fit["curve"] is not None:
                drawn[name] = fit["curve"]
        return found, drawn


@functools.cache
def _day_in_months(days):
    day = datetime.date(2000, 1, 1)
    return months_between(day, day + datetime.timedelta(days=int(days)))


def _fit(duration_days, events):
    """Kaplan–Meier on (duration, event) pairs aggregated with weights: the same estimate as
    one row per case, fitted on a few hundred rows instead of up to a hundred thousand."""
    import numpy as np

    n, observed = len(duration_days), int(events.sum())
    if not n:
        return {"summary": {"n": 0, "events": 0, "median": None}, "curve": None}
    pairs, weights = np.unique(duration_days * 2 + events, return_counts=True)
    from lifelines import KaplanMeierFitter

    fitter = KaplanMeierFitter()
    fitter.fit(
        [_day_in_months(d) for d in (pairs // 2).tolist()],
        event_observed=pairs % 2,
        weights=weights,
    )
    curve = list(
        zip(
            fitter.survival_function_.index.tolist(),
            fitter.survival_function_.iloc[:, 0].tolist(),
            strict=True,
        )
    )
    return {
        "summary": {"n": n, "events": observed, "median": float(fitter.median_survival_time_)},
        "curve": curve,
    }


def _aligner(codes, codes_by_instrument):
    """A function (instrument id, vector) -> the vector's levels in the order of `codes`,
    "-" where the instrument has no such domain."""
    position = {code: i for i, code in enumerate(codes)}
    maps = {}
    for instrument_id, instrument_codes in codes_by_instrument.items():
        if instrument_codes == codes:
            maps[instrument_id] = None
        else:
            maps[instrument_id] = [position.get(code) for code in instrument_codes]
    blank = [Assessment.NOT_APPLICABLE] * len(codes)

    def aligned(instrument_id, vector):
        mapping = maps.get(instrument_id)
        if mapping is None and len(vector) == len(codes):
            return vector
        chars = list(blank)
        for char, target in zip(vector, mapping or [], strict=False):
            if target is not None:
                chars[target] = char
        return "".join(chars)

    return aligned


# -- what a reader may see ---------------------------------------------------------------------


def displayed(summary, *, exact):
    """The summary's figures as text for the page. Not `exact` (a role that sees no
    person): counts from 1 to SMALL_CELL - 1 become "<10", and so does a count that is part of
    another (improved of assessed, graduated of ended) when the rest is that small; a share is
    hidden ("—") with its part or when its base is under SMALL_CELL, as are medians on fewer
    cases; Kaplan–Meier curves of fewer cases are not drawn. Nothing here adds up to a total,
    so nothing further can be worked out by subtraction."""
    hidden = []

    def count(value):
        if not exact and 0 < value < SMALL_CELL:
            hidden.append(value)
            return f"<{SMALL_CELL}"
        return number_format(value, force_grouping=True)

    def small(value):
        return 0 < value < SMALL_CELL

    def part(value, base):
        """A count that is part of `base`: hidden when it is small, and when what is left of
        the base is small, since base minus part would give that away."""
        if not exact and (small(value) or small(base - value)):
            hidden.append(value)
            return f"<{SMALL_CELL}"
        return number_format(value, force_grouping=True)

    def share(value, base):
        """value / base as a percentage: hidden with its part, as share × base is the part."""
        if base == 0:
            return "—"
        if not exact and (base < SMALL_CELL or small(value) or small(base - value)):
            hidden.append(base)
            return "—"
        return f"{number_format(round(100 * value / base), force_grouping=True)}%"

    def median(km):
        if km["n"] == 0:
            return "—"
        if not exact and km["n"] < SMALL_CELL:
            hidden.append(km["n"])
            return "—"
        if km["median"] == float("inf"):
            return _("not reached")
        return number_format(km["median"], 1)

    def usable(value, base):
        return share(value, base) != "—"

    def km_cells(km):
        return {
            "median": median(km),
            "n": count(km["n"]),
            "events": part(km["events"], km["n"]),
        }

    types = [(ALL_TYPES, _("All cases"))] + list(Case.TraffickingType.choices)
    rows = []
    for row in summary["rows"]:
        rows.append(
            {
                "code": row["code"],
                "label": row["label"],
                "base": count(row["base"]),
                "measurable": part(row["measurable"], row["base"]),
                "measurable_share": share(row["measurable"], row["base"]),
                "measurable_value": row["measurable"] / row["base"]
                if usable(row["measurable"], row["base"])
                else None,
                "substantial": part(row["substantial"], row["base"]),
                "substantial_share": share(row["substantial"], row["base"]),
                "km": km_cells(row["km"][ALL_TYPES]),
            }
        )
    overall_km = summary["rows"][-1]["km"]
    by_type = [{"label": label, **km_cells(overall_km[kind])} for kind, label in types]
    curves = [
        (label, summary["curves"][kind])
        for kind, label in types
        if kind in summary["curves"] and (exact or overall_km[kind]["n"] >= SMALL_CELL)
    ]
    exits = summary["exits"]
    events = summary["events"]
    return {
        "cases_assessed": count(summary["cases_assessed"]),
        "survivors_assessed": count(summary["survivors_assessed"]),
        "rows": rows,
        "by_type": by_type,
        "curves": curves,
        "curves_left_out": len(curves) < len(summary["curves"]),
        "exits": {
            "ended": count(exits["ended"]),
            "graduated": part(exits["graduated"], exits["ended"]),
            "share": share(exits["graduated"], exits["ended"]),
        },
        "events": {
            "survivors": count(events["survivors"]),
            "kinds": [
                {
                    "label": kind["label"],
                    "survivors": part(kind["survivors"], events["survivors"]),
                    "share": share(kind["survivors"], events["survivors"]),
                }
                for kind in events["kinds"]
            ],
        },
        "suppressed": bool(hidden),
    }
