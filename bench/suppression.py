"""`make bench`, reporting part one: suppression and its audit on a 40 × 12 table with
subtotals (target: under 1 s).

The table: 40 rows in 5 groups of 8, 12 columns; a total per row, a subtotal row per group (and
its total), a column total per column and the grand total, every total an equation of the
disclosure audit. Counts drawn as reports have them: a quarter zeros, a quarter from 1 to 9, the
rest from 10 to 400. `thrive.reporting.disclosure.protect` with k = 10, zeros shown: small
cells, complementary suppression, and the exact audit of every suppressed cell (two linear
programs each). Several tables (seeds), each timed several times; medians.

    .venv/bin/python bench/suppression.py
    .venv/bin/python bench/suppression.py --tables 3 --repeat 2 --no-write
"""

import argparse
import datetime
import json
import random
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

from run import machine, say, write_doc  # noqa: E402

START, END = "<!-- bench:suppression:start -->", "<!-- bench:suppression:end -->"
TARGET_S = 1.0
ROWS, COLUMNS, GROUPS = 40, 12, 5


def table(seed):
    """Cells and totals of one 40 × 12 table with group subtotals."""
    rng = random.Random(seed)

    def count():
        kind = rng.random()
        if kind < 0.25:
            return 0
        if kind < 0.5:
            return rng.randint(1, 9)
        return rng.randint(10, 400)

    grid = [[count() for _ in range(COLUMNS)] for _ in range(ROWS)]
    cells, totals = {}, []
    for r in range(ROWS):
        for c in range(COLUMNS):
            cells[(r, c)] = grid[r][c]
        cells[(r, "total")] = sum(grid[r])
        totals.append(((r, "total"), [(r, c) for c in range(COLUMNS)]))
    for g in range(GROUPS):
        rows = [r for r in range(ROWS) if r * GROUPS // ROWS == g]
        for c in range(COLUMNS):
            cells[("group", g, c)] = sum(grid[r][c] for r in rows)
            totals.append((("group", g, c), [(r, c) for r in rows]))
        cells[("group", g, "total")] = sum(cells[(r, "total")] for r in rows)
        totals.append((("group", g, "total"), [("group", g, c) for c in range(COLUMNS)]))
        totals.append((("group", g, "total"), [(r, "total") for r in rows]))
    for c in range(COLUMNS):
        cells[("all", c)] = sum(grid[r][c] for r in range(ROWS))
        totals.append((("all", c), [("group", g, c) for g in range(GROUPS)]))
    cells[("all", "total")] = sum(cells[("all", c)] for c in range(COLUMNS))
    totals.append((("all", "total"), [("all", c) for c in range(COLUMNS)]))
    totals.append((("all", "total"), [("group", g, "total") for g in range(GROUPS)]))
    return cells, totals


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=10, help="different tables (seeds)")
    parser.add_argument("--repeat", type=int, default=5, help="timings of each table")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    from thrive.reporting.disclosure import Rule, protect

    protect(*table(-1), Rule())  # imports and the solver's first start, not timed
    runs = []
    for seed in range(args.tables):
        cells, totals = table(seed)
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            outcome = protect(cells, totals, Rule())
            timings.append(time.perf_counter() - started)
        if not outcome.passed:
            raise SystemExit(f"table {seed}: the audit failed")
        small = sum(1 for reason in outcome.suppressed.values() if reason == "small")
        runs.append(
            {
                "seed": seed,
                "cells": len(cells),
                "totals": len(totals),
                "small": small,
                "complementary": len(outcome.suppressed) - small,
                "seconds": timings,
            }
        )
        say(
            f"   table {seed}: {small} small, {len(outcome.suppressed) - small} more, "
            f"median {statistics.median(timings):.3f} s"
        )
    results = {
        "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "runs": runs,
    }
    report = render(results, args)
    print(report)
    if not args.no_write:
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        (ROOT / "var" / "bench" / "suppression.json").write_text(json.dumps(results, indent=1))
        write_doc(
            ROOT / "docs" / "benchmarks.md",
            report,
            start=START,
            end=END,
            heading="Reporting: suppression and its audit",
        )


def render(results, args):
    m = results["machine"]
    medians = [statistics.median(run["seconds"]) for run in results["runs"]]
    every = [s for run in results["runs"] for s in run["seconds"]]
    median = statistics.median(medians)
    load = ", ".join(f"{x:.1f}" for x in m["load_average_before"])
    lines = [
        f"Measured {results['started']} at commit {m['commit']} on {m['cpu']}, {m['nproc']} "
        f"CPUs, load average {load} before; {args.tables} tables, each protected "
        f"{args.repeat} times, in one process.",
        "",
        "| measurement | median | slowest table's median | slowest run | target | met |",
        "|---|---|---|---|---|---|",
        f"| `protect`: small cells, complementary suppression and the exact audit, 40 × 12 "
        f"with 5 subtotal rows ({results['runs'][0]['cells']} cells, "
        f"{results['runs'][0]['totals']} totals) | {median * 1000:.0f} ms | "
        f"{max(medians) * 1000:.0f} ms | {max(every) * 1000:.0f} ms | < 1,000 ms | "
        f"{'yes' if max(medians) < TARGET_S else 'NO'} |",
        "",
        "Per table: "
        + "; ".join(
            f"{run['small']} small + {run['complementary']} complementary, "
            f"{statistics.median(run['seconds']) * 1000:.0f} ms"
            for run in results["runs"]
        )
        + ".",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
