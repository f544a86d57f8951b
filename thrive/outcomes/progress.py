"""What an assessment series says: graduation readiness and improvement from the baseline.

Improvement follows published analysis of such data (Levine & Smith 2024, Journal of Applied
Social Science, doi:10.1177/19367244241305048): a rise of at least half a point on the
five-point scale is measurable improvement, of at least one point substantial. It is measured
on a domain's level, or on the mean level across the domains applicable at both times.
"""

from decimal import Decimal

MEASURABLE = Decimal("0.5")
SUBSTANTIAL = Decimal("1.0")
READY_LEVEL = 3  # "Stable"


def improvement(baseline, current):
    """'substantial', 'measurable' or '' for a change from `baseline` to `current`."""
    if baseline is None or current is None:
        return ""
    change = Decimal(str(current)) - Decimal(str(baseline))
    if change >= SUBSTANTIAL:
        return "substantial"
    if change >= MEASURABLE:
        return "measurable"
    return ""


def mean(levels):
    values = [v for v in levels if v is not None]
    return Decimal(sum(values)) / len(values) if values else None


def change_from_baseline(baseline_levels, current_levels):
    """Per domain applicable at both times: (baseline, current, change, improvement); and the
    mean over those same domains, so a domain becoming applicable cannot move the mean."""
    shared = sorted(set(baseline_levels) & set(current_levels))
    per_domain = {
        code: (
            baseline_levels[code],
            current_levels[code],
            current_levels[code] - baseline_levels[code],
            improvement(baseline_levels[code], current_levels[code]),
        )
        for code in shared
    }
    before = mean(baseline_levels[c] for c in shared)
    after = mean(current_levels[c] for c in shared)
    overall = {
        "baseline": before,
        "current": after,
        "change": after - before if shared else None,
        "improvement": improvement(before, after),
    }
    return per_domain, overall


def graduation_readiness(levels, *, threshold=READY_LEVEL):
    """Ready when every applicable domain (a level, not None) is at `threshold` or above.
    Returns (ready, [codes of the applicable domains still below])."""
    below = sorted(
        code for code, level in levels.items() if level is not None and level < threshold
    )
    applicable = [level for level in levels.values() if level is not None]
    return bool(applicable) and not below, below
