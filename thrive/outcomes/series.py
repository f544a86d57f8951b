"""A survivor's assessments as a person sees them: the heat map of domains × assessments,
the mean level over time, the change from baseline and graduation readiness, per case.

Read from each assessment's `vector`, so a page with forty assessments costs a handful of
queries, not forty times thirteen score rows."""

from collections import defaultdict

from django.utils.translation import gettext as _

from thrive.lib.svg import line_chart
from thrive.outcomes.models import (
    Assessment,
    Domain,
    GraduationReview,
    Instrument,
    Level,
    OutcomeEvent,
)
from thrive.outcomes.progress import change_from_baseline, graduation_readiness


def _instruments(ids):
    domains = defaultdict(list)
    for domain in Domain.objects.filter(instrument_id__in=ids).order_by("order"):
        domains[domain.instrument_id].append(domain)
    levels = defaultdict(dict)
    for level in Level.objects.filter(instrument_id__in=ids):
        levels[level.instrument_id][level.number] = level
    return domains, levels


def progress_of_cases(cases):
    """One entry per case that has assessments (and per open case without), in the order
    given: its assessments oldest first, heat map rows, the mean level line, the change
    from baseline and readiness against the program's graduation level."""
    cases = list(cases)
    by_case = defaultdict(list)
    assessments = (
        Assessment.objects.filter(case__in=cases)
        .only("id", "case_id", "kind", "assessed_on", "vector", "instrument_id")
        .order_by("assessed_on", "pk")
    )
    for assessment in assessments:
        by_case[assessment.case_id].append(assessment)
    ids = {a.instrument_id for series in by_case.values() for a in series}
    ids |= {c.program.instrument_id for c in cases if c.program.instrument_id}
    default = Instrument.objects.default()
    if default:
        ids.add(default.pk)
    domains, levels = _instruments(ids)
    events = defaultdict(list)
    for event in OutcomeEvent.objects.filter(case__in=cases).order_by("occurred_on", "pk"):
        events[event.case_id].append(event)
    pending = {
        r.case_id: r
        for r in GraduationReview.objects.filter(
            case__in=cases, status=GraduationReview.Status.PENDING
        ).select_related("requested_by")
    }
    entries = []
    for case in cases:
        series = by_case.get(case.pk, [])
        if not series and not case.is_open:
            continue
        instrument_id = (
            series[-1].instrument_id
            if series
            else (case.program.instrument_id or (default.pk if default else None))
        )
        entries.append(
            _entry(case, series, domains, levels.get(instrument_id, {}), instrument_id)
            | {"pending_review": pending.get(case.pk), "events": events.get(case.pk, [])}
        )
    return entries


def _entry(case, series, domains, levels, instrument_id):
    codes_of = {i: [d.code for d in ds] for i, ds in domains.items()}
    parsed = [Assessment.levels_of_vector(a.vector, codes_of[a.instrument_id]) for a in series]
    rows = []
    for domain in domains.get(instrument_id, []):
        cells = []
        for values in parsed:
            level = values.get(domain.code, "absent")
            cells.append(
                {
                    "level": level,
                    "label": (
                        levels[level].label
                        if isinstance(level, int) and level in levels
                        else _("Not applicable")
                        if level is None
                        else ""
                    ),
                }
            )
        rows.append({"domain": domain, "cells": cells})
    means = []
    for assessment, values in zip(series, parsed, strict=True):
        applicable = [v for v in values.values() if v is not None]
        means.append(
            (assessment.assessed_on, sum(applicable) / len(applicable) if applicable else None)
        )
    change, overall, ready, below = {}, None, False, []
    if parsed:
        first = {k: v for k, v in parsed[0].items() if v is not None}
        latest = parsed[-1]
        current = {k: v for k, v in latest.items() if v is not None}
        if len(parsed) > 1:
            change, overall = change_from_baseline(first, current)
        ready, below_codes = graduation_readiness(latest, threshold=case.program.graduation_level)
        names = {d.code: d for d in domains.get(series[-1].instrument_id, [])}
        below = [names[c] for c in below_codes]
    return {
        "case": case,
        "assessments": series,
        "rows": rows,
        "means": means,
        "change": [
            {
                "domain": d,
                **dict(
                    zip(
                        ("baseline", "current", "delta", "improvement"), change[d.code], strict=True
                    )
                ),
            }
            for d in domains.get(instrument_id, [])
            if d.code in change
        ],
        "overall": overall,
        "ready": ready,
        "below": below,
        "threshold": case.program.graduation_level,
        "mean_chart": line_chart(
            means,
            title=_("Mean level over time"),
            y_labels={n: f"{n} {lv.label}" for n, lv in levels.items()},
        )
        if means
        else "",
    }
