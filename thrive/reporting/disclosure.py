"""Disclosure control for every aggregate Thrive publishes.

A report run is a set of **cells**, each a key and a count, and a list of **totals**: a cell
that is the sum of other cells (a row total, a column total, a subtotal, a grand total). Tables
that share a figure share its cell: the same key in two tables is one number, suppressed in
both or in neither, so linked tables are protected together.

Three steps, `protect(cells, totals, rule)`:

1. **Small cells.** A count from 1 to k−1 (and 0 too when the rule hides zeros) is suppressed:
   it is published as `<k`.
2. **Complementary suppression.** A suppressed cell that is the only one suppressed in a total
   could be recovered by subtraction, so further cells are suppressed until none can be. First
   cheaply (no total left with exactly one suppressed part), then under the audit: while a small
   cell is still pinned too tightly, the cell of its least protected total that protects it at
   the least loss is suppressed too (the smallest count large enough to give room, a total only
   when no part will do).
3. **The audit.** For every suppressed cell, two linear programs (scipy's HiGHS) find the
   smallest and largest value it could take given everything published: every published cell
   exactly, every total as an equation, every suppressed cell at least 0 (at least 1 when zeros
   are shown, since a zero would have been published). A small cell passes when that range
   covers its protection interval, by default [1, k−1] ([0, k−1] when zeros are hidden): what
   is published tells nobody more than `<k` already says. (Where the table's shape alone says
   more, that is all it must cover: a total of three suppressed counts, none of them 0, is at
   least 3 whatever is published.) The run keeps each suppressed cell's range, requirement and
   reason.

The audit works on the linear relaxation, as statistical offices' tools do: the range it finds
can only be wider than the range of whole numbers when totals overlap in three or more
directions; for tables with row and column totals (and their subtotals) the two agree.
"""

import dataclasses
from collections import defaultdict

SMALL = "small"
COMPLEMENTARY = "complementary"


@dataclasses.dataclass(frozen=True)
class Rule:
    """k: the smallest count published as itself. show_zero: publish 0 as 0 (otherwise 0 is
    suppressed like a small count). protect_low / protect_high: the protection interval a small
    cell's range must cover (default: the lowest possible value, and k−1)."""

    k: int = 10
    show_zero: bool = True
    protect_low: int | None = None
    protect_high: int | None = None

    def __post_init__(self):
        if self.k < 2:
            raise ValueError("k must be at least 2.")
        low, high = self.interval
        if low < self.floor or high < low:
            raise ValueError("The protection interval must run upwards from 0 or more.")

    @property
    def floor(self):
        """What anyone knows of a suppressed cell: at least 1 when zeros are shown."""
        return 1 if self.show_zero else 0

    @property
    def interval(self):
        low = self.floor if self.protect_low is None else self.protect_low
        high = self.k - 1 if self.protect_high is None else self.protect_high
        return low, high

    def is_small(self, value):
        return 0 < value < self.k or (value == 0 and not self.show_zero)

    @property
    def label(self):
        return f"<{self.k}"


@dataclasses.dataclass
class Audit:
    """The audit of one suppressed cell: the range anyone can work out from what is published,
    the range it must cover (None for a complementary cell: it protects others, and need only
    not be recoverable itself), and whether it does."""

    low: float
    high: float
    required: tuple[int, int] | None

    @property
    def passed(self):
        if self.required is None:
            return self.high - self.low >= 1 - 1e-6  # not recoverable either
        low, high = self.required
        return self.low <= low + 1e-6 and self.high >= high - 1e-6


@dataclasses.dataclass
class Protected:
    """The outcome of `protect`: which cells are suppressed and why, and the audit."""

    rule: Rule
    suppressed: dict  # key -> reason: SMALL, or (COMPLEMENTARY, key of the cell it protects)
    audit: dict  # key -> Audit, for every suppressed cell

    @property
    def passed(self):
        return all(a.passed for a in self.audit.values())

    def shown(self, key, value):
        """The cell as published: the count, or the rule's `<k`."""
        return self.rule.label if key in self.suppressed else value

    def summary(self):
        """The audit as stored with a report run and written beside the JSON tables."""
        return {
            "k": self.rule.k,
            "show_zero": self.rule.show_zero,
            "protection_interval": list(self.rule.interval),
            "passed": self.passed,
            "suppressed": len(self.suppressed),
            "small": sum(1 for r in self.suppressed.values() if r == SMALL),
            "cells": {
                _key_text(key): {
                    "reason": "small count"
                    if reason == SMALL
                    else f"protects {_key_text(reason[1])}",
                    "range": [_round(self.audit[key].low), _round(self.audit[key].high)],
                    "required": list(self.audit[key].required)
                    if self.audit[key].required
                    else None,
                    "passed": self.audit[key].passed,
                }
                for key, reason in self.suppressed.items()
            },
        }


def protect(cells, totals, rule=None, *, keep=()):
    """Suppress what must be suppressed in `cells` ({key: count}) whose `totals` are
    [(total key, [part keys])], and audit it. `keep`: cells never chosen to protect another
    (a headline figure); a small count is suppressed whatever `keep` says."""
    rule = rule or Rule()
    system = _System(cells, totals)
    suppressed = {key: SMALL for key, value in cells.items() if rule.is_small(value)}
    small = set(suppressed)
    chooser = _Chooser(system, rule, keep)

    # 1. No total with exactly one suppressed cell: that one is its total minus the others.
    # 2. Until the audit passes: for a cell still pinned, protect it in its least protected
    #    total; when nothing is left to choose there, through the totals it is linked with.
    while True:
        _close_lonely_totals(system, chooser, suppressed)
        audit = _audit(system, suppressed, small, rule, exact=False)
        failing = [key for key in sorted(suppressed, key=_sort_key) if not audit[key].passed]
        failing.sort(key=lambda key: key not in small)  # small counts first
        # One more cell for each cell still pinned, then audit again; but a cell sharing a
        # total with one just chosen waits for the audit, as that choice may free it too.
        added, touched = False, set()
        for key in failing:
            if touched.intersection(system.equations_of[key]):
                continue
            pick = chooser.for_pinned(key, suppressed)
            if pick is not None:
                suppressed[pick] = (COMPLEMENTARY, key)
                added = True
                touched.update(system.equations_of[key], system.equations_of[pick])
        if not added:
            # Passed; or nothing more can be suppressed, which the audit says, and a report
            # never publishes a run that failed its audit.
            return Protected(rule, suppressed, _audit(system, suppressed, small, rule))


def _close_lonely_totals(system, chooser, suppressed):
    changed = True
    while changed:
        changed = False
        for index, members in enumerate(system.members):
            hidden = [m for m in members if m in suppressed]
            if len(hidden) == 1:
                pick = chooser.best(index, suppressed)
                if pick is not None:
                    suppressed[pick] = (COMPLEMENTARY, hidden[0])
                    changed = True


class _System:
    """Cells and totals as equations: members[i] are the cells of equation i, signs[i] their
    coefficients (+1 for the parts, −1 for the total), so that each equation sums to 0."""

    def __init__(self, cells, totals):
        self.values = dict(cells)
        self.members, self.signs = [], []
        self.equations_of = defaultdict(list)
        seen = set()
        for total, parts in totals:
            parts = list(parts)
            for key in [total, *parts]:
                if key not in self.values:
                    raise KeyError(f"A total names a cell that is not in the report: {key!r}")
            if sum(self.values[p] for p in parts) != self.values[total]:
                raise ValueError(f"The parts of {total!r} do not add up to it.")
            signature = (total, tuple(sorted(map(repr, parts))))
            if signature in seen:
                continue
            seen.add(signature)
            index = len(self.members)
            self.members.append([total, *parts])
            self.signs.append([-1] + [1] * len(parts))
            for key in self.members[-1]:
                self.equations_of[key].append(index)
        self._least = {}

    def least(self, key, rule):
        """The least value anyone knows `key` has before anything is published (only zeros,
        when shown, are known): a total of parts that cannot be 0 is at least their number.
        A linear program over every cell; asked only of a cell whose range starts above the
        protection interval."""
        if key not in self._least:
            import numpy as np
            from scipy.optimize import linprog

            keys = list(self.values)
            position = {k: i for i, k in enumerate(keys)}
            a_eq = np.zeros((len(self.members), len(keys)))
            for row, (members, signs) in enumerate(zip(self.members, self.signs, strict=True)):
                for member, sign in zip(members, signs, strict=True):
                    a_eq[row, position[member]] += sign
            bounds = [
                (0, 0) if self.values[k] == 0 and rule.show_zero else (rule.floor, None)
                for k in keys
            ]
            objective = np.zeros(len(keys))
            objective[position[key]] = 1
            found = linprog(
                objective,
                A_eq=a_eq,
                b_eq=np.zeros(len(self.members)),
                bounds=bounds,
                method="highs",
            )
            if found.status != 0:
                raise RuntimeError(f"The audit's linear program failed: {found.message}")
            self._least[key] = round(float(found.x[position[key]]))
        return self._least[key]


class _Chooser:
    def __init__(self, system, rule, keep):
        self.system = system
        self.rule = rule
        self.keep = set(keep)
        self.totals = {members[0] for members in system.members}

    def candidates(self, index, suppressed):
        values = self.system.values
        for key in self.system.members[index]:
            if key in suppressed or key in self.keep:
                continue
            if values[key] == 0 and self.rule.show_zero:
                continue  # a published zero says "none": it cannot hide anything
            yield key

    def score(self, key, suppressed, need):
        """Lower is better: a cell that closes other lonely totals too, then a part before a
        total, then the smallest count that still gives `need` of room, then the largest."""
        system = self.system
        lonely = sum(
            1
            for index in system.equations_of[key]
            if sum(1 for m in system.members[index] if m in suppressed) == 1
        )
        value = system.values[key]
        roomy = value >= need
        return (-lonely, key in self.totals, not roomy, value if roomy else -value, _sort_key(key))

    def best(self, index, suppressed, need=None):
        need = self.rule.k - 1 if need is None else need
        found = list(self.candidates(index, suppressed))
        if not found:
            return None
        return min(found, key=lambda key: self.score(key, suppressed, need))

    def for_pinned(self, key, suppressed):
        """The cell to suppress for a cell the audit found pinned: in the total where it has
        the least suppressed room beside it, then in its other totals."""
        system = self.system
        low, high = self.rule.interval
        need = max(1, high - system.values[key], system.values[key] - low)

        def room(index):
            return sum(
                system.values[m]
                for m in system.members[index]
                if m in suppressed and m != key and m not in self.totals
            )

        for index in sorted(system.equations_of[key], key=room):
            pick = self.best(index, suppressed, need)
            if pick is not None:
                return pick
        # Every total of the cell is fully suppressed: widen through the totals of the
        # suppressed cells it is linked with, nearest first.
        seen, frontier = {key}, [key]
        while frontier:
            following = []
            for member in frontier:
                for index in system.equations_of[member]:
                    pick = self.best(index, suppressed, need)
                    if pick is not None:
                        return pick
                    for other in system.members[index]:
                        if other in suppressed and other not in seen:
                            seen.add(other)
                            following.append(other)
            frontier = following
        return None


def _audit(system, suppressed, small, rule, *, exact=True):
    """{suppressed key: Audit}: each cell's range given everything published, by linear
    programming over the connected groups of suppressed cells.

    `exact`: the least and greatest value of every cell. Otherwise (while choosing cells to
    suppress) a cell is settled as soon as the solutions already found for other cells show
    it reaching both ends of what it must cover: a solution is a table consistent with
    everything published, so the true range is at least that wide."""
    result = {}
    for group in _groups(system, suppressed):
        model = _Model(system, group, rule.floor)
        seen_low = dict.fromkeys(group, float("inf"))
        seen_high = dict.fromkeys(group, float("-inf"))
        for key in group:
            required = _required(system, key, small, rule)
            if not exact and _covers(seen_low[key], seen_high[key], required):
                result[key] = Audit(seen_low[key], seen_high[key], required)
                continue
            ends = []
            for direction in (1, -1):
                value, solution = model.extreme(key, direction)
                ends.append(value)
                if solution is not None:
                    for other, found in zip(group, solution, strict=True):
                        seen_low[other] = min(seen_low[other], found)
                        seen_high[other] = max(seen_high[other], found)
            low, high = ends
            if required and low > required[0] + 1e-6:
                # The table's shape alone may say more than the rule's interval.
                required = _required(system, key, small, rule, structural=True)
            result[key] = Audit(low, high, required)
    return result


def _required(system, key, small, rule, *, structural=False):
    if key not in small:
        return None
    value = system.values[key]
    low, high = rule.interval
    if structural:
        low = max(low, system.least(key, rule))
    return (min(value, low), max(value, high))


def _covers(low, high, required):
    if required is None:
        return high - low >= 1 - 1e-6
    return low <= required[0] + 1e-6 and high >= required[1] - 1e-6


_BANNER_SILENCED = False


def _highs():
    """A silent HiGHS solver. HiGHS prints its banner on the process's standard output the
    first time one is made, which would land inside a report written to standard output: that
    once, the output is sent elsewhere."""
    global _BANNER_SILENCED
    import highspy

    if _BANNER_SILENCED:
        solver = highspy.Highs()
    else:
        import os
        import sys

        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), 1)
                solver = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _BANNER_SILENCED = True
    solver.setOptionValue("output_flag", False)
    return solver


class _Model:
    """The linear program of one group of suppressed cells, solved again and again with a
    new objective: HiGHS starts each solve from the last one's basis, a fraction of a
    millisecond each."""

    def __init__(self, system, group, floor):
        import highspy
        import numpy as np

        self.highspy = highspy
        self.position = {key: i for i, key in enumerate(group)}
        self.solver = _highs()
        infinity = highspy.kHighsInf
        n = len(group)
        self.solver.addVars(n, np.full(n, float(floor)), np.full(n, infinity))
        starts, indices, values, rhs = [], [], [], []
        for index in sorted({i for key in group for i in system.equations_of[key]}):
            row, constant = {}, 0
            for key, sign in zip(system.members[index], system.signs[index], strict=True):
                if key in self.position:
                    column = self.position[key]
                    row[column] = row.get(column, 0) + sign
                else:
                    constant += sign * system.values[key]
            starts.append(len(indices))
            indices.extend(row)
            values.extend(row.values())
            rhs.append(-constant)
        if rhs:
            bound = np.array(rhs, dtype=float)
            self.solver.addRows(
                len(rhs),
                bound,
                bound,
                len(indices),
                np.array(starts, dtype=np.int32),
                np.array(indices, dtype=np.int32),
                np.array(values, dtype=float),
            )
        self.costly = None

    def extreme(self, key, direction):
        """(the least value of `key` if direction is 1, else the greatest; the solution)."""
        status_of = self.highspy.HighsModelStatus
        column = self.position[key]
        if self.costly is not None and self.costly != column:
            self.solver.changeColCost(self.costly, 0)
        self.solver.changeColCost(column, float(direction))
        self.costly = column
        self.solver.run()
        status = self.solver.getModelStatus()
        if status not in (status_of.kOptimal, status_of.kUnbounded):
            # Now and then a warm start ends undecided: solve that one from scratch.
            self.solver.clearSolver()
            self.solver.run()
            status = self.solver.getModelStatus()
        if status in (status_of.kUnbounded, status_of.kUnboundedOrInfeasible):
            return float("inf"), None  # only upwards: the cells are bounded below
        if status != status_of.kOptimal:
            raise RuntimeError(f"The audit's linear program failed: {status}")
        solution = self.solver.getSolution().col_value
        return float(solution[column]), list(solution)


def _groups(system, suppressed):
    """The suppressed cells split into groups that share no total (each audited alone)."""
    parent = {key: key for key in suppressed}

    def root(key):
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for members in system.members:
        hidden = [m for m in members if m in parent]
        for other in hidden[1:]:
            parent[root(other)] = root(hidden[0])
    groups = defaultdict(list)
    for key in sorted(suppressed, key=_sort_key):
        groups[root(key)].append(key)
    return list(groups.values())


def _sort_key(key):
    return repr(key)


def _key_text(key):
    if isinstance(key, tuple):
        return " / ".join(str(part) for part in key)
    return str(key)


def _round(value):
    if value == float("inf"):
        return None
    return round(value, 6)
