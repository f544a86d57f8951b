"""`make bench`, reporting part two: the program activity report over 1,000,000 services and
100,000 survivors (targets: under 2 s on SQLite, under 1 s on PostgreSQL), beside DuckDB
computing the same aggregates from the same rows exported to Parquet (goal: at most 3×).

For each engine (SQLite always; PostgreSQL too when DATABASE_URL is set), on a fresh database
(`migrate`, `init_keys`, `demo --survivors N`, N = 100,000 by default, every survivor with
every field encrypted as `make bench` builds them):

1. in process (--inprocess): a program at the lead organization `harbor-light` with one case
   per survivor (`cases_bulk_open`, of every trafficking type), and 1,000,000 delivered
   services spread over the last three years across the 39 service types, bulk-inserted in the
   shape `service_record` writes (SQLite: `executemany`; PostgreSQL: `COPY`);
2. in process (--measure): `program_activity` and `publish` (k = 10, the disclosure audit
   included) for the last full federal fiscal year, as the page, the API and the command run
   them, timed several times; then the same rows (services, cases, survivors' plain
   demographic columns, hotline contacts and responses, referrals, assessments) exported to
   Parquet, and DuckDB timed computing the same aggregates from the Parquet files (the
   queries only, not the export); the two sets of figures are compared cell by cell.

Results go into docs/benchmarks.md between the `bench:reports` markers, and
var/bench/reports.json.

    .venv/bin/python bench/reports.py
    .venv/bin/python bench/reports.py --survivors 2000 --services 20000 --repeat 2 --no-write
"""

import argparse
import datetime
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from run import (  # noqa: E402
    PY,
    bench_database,
    bench_env,
    machine,
    manage,
    postgres_version,
    say,
    write_doc,
)

TARGETS = {"sqlite": 2.0, "postgresql": 1.0}
GOAL_RATIO = 3.0
START, END = "<!-- bench:reports:start -->", "<!-- bench:reports:end -->"
LEAD = "harbor-light"
HISTORY_DAYS = 3 * 365
TYPES = ["sex"] * 45 + ["labor"] * 30 + ["both"] * 10 + ["unknown"] * 15


def main():
    args = parse_args()
    if args.inprocess:
        print(json.dumps(inprocess_setup(args.services, args.seed)))
        return
    if args.measure:
        print(json.dumps(inprocess_measure(args.repeat, Path(args.parquet))))
        return
    engines = ["sqlite"] + (["postgresql"] if args.database_url else [])
    results = {
        "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {k: v for k, v in vars(args).items() if k != "database_url"},
        "runs": {},
    }
    for engine in engines:
        say(f"== reports, {engine}")
        results["runs"][engine] = run_one(engine, args)
    report = render(results)
    print(report)
    if not args.no_write:
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        (ROOT / "var" / "bench" / "reports.json").write_text(json.dumps(results, indent=1))
        write_doc(
            ROOT / "docs" / "benchmarks.md",
            report,
            start=START,
            end=END,
            heading="Reporting: the program activity report",
        )


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--survivors", type=int, default=100_000)
    parser.add_argument("--services", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--inprocess", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--parquet", default="", help=argparse.SUPPRESS)
    return parser.parse_args()


def run_one(engine, args):
    var_dir = ROOT / "var" / "bench" / f"reports-{engine}"
    database_url = (
        bench_database(args.database_url, "reports", fresh=True) if engine == "postgresql" else ""
    )
    env = bench_env(var_dir, database_url)
    shutil.rmtree(var_dir, ignore_errors=True)
    (var_dir / "static").mkdir(parents=True)
    started = time.perf_counter()
    manage(env, "migrate", "--noinput")
    manage(env, "init_keys")
    manage(env, "demo", f"--survivors={args.survivors}")
    demo_s = time.perf_counter() - started
    say(f"   {args.survivors:,} survivors in {demo_s:.0f} s; inserting the services")
    setup = json.loads(
        inprocess(env, "--inprocess", f"--services={args.services}", f"--seed={args.seed}")
    )
    setup["demo_s"] = demo_s
    say(f"   {setup['cases']:,} cases, {setup['services']:,} services in {setup['insert_s']:.0f} s")
    if engine == "postgresql":
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
    else:
        import sqlite3

        with sqlite3.connect(var_dir / "thrive.sqlite3") as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.execute("ANALYZE")
    measured = json.loads(
        inprocess(env, "--measure", f"--repeat={args.repeat}", f"--parquet={var_dir / 'parquet'}")
    )
    run = {"setup": setup, **measured}
    if engine == "postgresql":
        run["server_version"] = postgres_version(database_url)
    say(
        f"   report median {statistics.median(run['thrive_s']):.2f} s; DuckDB median "
        f"{statistics.median(run['duckdb_s']) * 1000:.0f} ms; figures equal: {run['same']}"
    )
    return run


def inprocess(env, *args):
    done = subprocess.run(  # noqa: S603
        [PY, str(BENCH / "reports.py"), *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# -- in process: the data ---------------------------------------------------------------------


def inprocess_setup(service_count, seed):
    django_setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from thrive.accounts.models import Membership
    from thrive.cases.actions import cases_bulk_open, program_create
    from thrive.cases.models import Case
    from thrive.services.models import Service, ServiceType
    from thrive.survivors.models import Survivor

    rng = random.Random(seed)
    lead = Membership.objects.select_related("user", "organization").get(
        user__username="supervisor", organization__slug=LEAD
    )
    organization, supervisor = lead.organization, lead.user
    today = timezone.localdate()
    started = time.perf_counter()
    program = program_create(
        organization,
        actor=supervisor,
        data={"name": "Reports benchmark", "kind": "case_management"},
    )
    survivor_ids = list(
        Survivor.objects.filter(organization=organization)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        cases = cases_bulk_open(
            organization,
            [
                Case(
                    survivor_id=pk,
                    program=program,
                    trafficking_type=rng.choice(TYPES),
                    status="active",
                    opened_on=today - datetime.timedelta(days=HISTORY_DAYS + 30),
                )
                for pk in survivor_ids
            ],
            actor=None,
        )
    types = list(ServiceType.objects.all())
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    table = Service._meta.db_table
    columns = (
        "organization_id, case_id, survivor_id, service_type_id, status, delivered_on, "
        "provided_by, partner_name, quantity, unit, funding, notes, external_id, "
        "recorded_by_id, version, created_at, updated_at"
    )
    # Each survivor's services start on a day of their own and run over a stretch of it:
    # some survivors are new in the last fiscal year, some continuing.
    rows = []
    for index in range(service_count):
        case = cases[index % len(cases)]
        start = rng.randint(0, HISTORY_DAYS)
        day = today - datetime.timedelta(days=max(0, start - rng.randint(0, 200)))
        kind = rng.choice(types)
        rows.append(
            (
                organization.pk,
                case.pk,
                case.survivor_id,
                kind.pk,
                "delivered",
                ops.adapt_datefield_value(day),
                "staff",
                "",
                1,
                kind.units[0],
                "general",
                "",
                "",
                supervisor.pk,
                1,
                now,
                now,
            )
        )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * 17)
            for at in range(0, len(rows), 50_000):
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                    rows[at : at + 50_000],
                )
    return {
        "cases": len(cases),
        "services": service_count,
        "insert_s": time.perf_counter() - started,
    }


# -- in process: the measurement --------------------------------------------------------------


def last_fiscal_year(today):
    from thrive.reporting.periods import federal_fiscal_year, parse_period

    return parse_period(f"FFY{federal_fiscal_year(today) - 1}")


def inprocess_measure(repeat, parquet):
    django_setup()
    from django.utils import timezone

    from thrive.accounts.models import Organization
    from thrive.reporting.activity import program_activity
    from thrive.reporting.disclosure import Rule
    from thrive.reporting.tables import publish

    organization = Organization.objects.get(slug=LEAD)
    period = last_fiscal_year(timezone.localdate())
    publish(program_activity(organization, period))  # imports, caches: not timed
    thrive_s, figures_s = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        figures = program_activity(organization, period)
        middle = time.perf_counter()
        published = publish(figures, rule=Rule(k=10))
        thrive_s.append(time.perf_counter() - started)
        figures_s.append(middle - started)
    export_s = export_parquet(organization, parquet)
    duckdb_s, found = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        found = duckdb_figures(parquet, period)
        duckdb_s.append(time.perf_counter() - started)
    compared = {key: figures.cells.get(key) for key in found}
    same = all(compared[key] == value for key, value in found.items())
    return {
        "period": str(period),
        "thrive_s": thrive_s,
        "figures_s": figures_s,
        "cells": len(figures.cells),
        "suppressed": published.audit["suppressed"],
        "audit_passed": published.audit["passed"],
        "served": figures.cells[("served", "all", "total")],
        "export_s": export_s,
        "duckdb_s": duckdb_s,
        "compared_cells": len(found),
        "same": same,
        "differences": {repr(k): (compared[k], v) for k, v in found.items() if compared[k] != v},
    }


def export_parquet(organization, folder):
    """The rows the report reads, as they are in the database, one Parquet file each."""
    import duckdb
    import pandas as pd
    from django.db import connection

    from thrive.cases.models import Case
    from thrive.hotline.models import Contact, EmergencyResponse
    from thrive.outcomes.models import Assessment
    from thrive.referrals.models import Referral
    from thrive.services.models import Service, ServiceType
    from thrive.survivors.models import Survivor

    started = time.perf_counter()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    tables = {
        "services": Service.objects.filter(organization=organization).values_list(
            "survivor_id", "case_id", "service_type_id", "status", "delivered_on"
        ),
        "cases": Case.objects.filter(organization=organization).values_list(
            "id", "trafficking_type", "status", "ended_on"
        ),
        "survivors": Survivor.objects.filter(organization=organization).values_list(
            "id", "age_at_intake", "gender_identity", "race_ethnicity", "primary_language"
        ),
        "types": ServiceType.objects.values_list("id", "category__code"),
        "contacts": Contact.objects.filter(organization=organization, status="logged").values_list(
            "reason", "channel", "received_at"
        ),
        "responses": EmergencyResponse.objects.filter(organization=organization).values_list(
            "contact__received_at", "dispatched_at", "first_contact_at"
        ),
        "referrals": Referral.objects.filter(organization=organization).values_list(
            "status", "sent_at"
        ),
        "assessments": Assessment.objects.filter(organization=organization).values_list(
            "assessed_on", "case__survivor_id"
        ),
    }
    names = {
        "services": ["survivor_id", "case_id", "type_id", "status", "delivered_on"],
        "cases": ["id", "trafficking_type", "status", "ended_on"],
        "survivors": ["id", "age", "gender", "race", "language"],
        "types": ["id", "category"],
        "contacts": ["reason", "channel", "received_at"],
        "responses": ["received_at", "dispatched_at", "first_contact_at"],
        "referrals": ["status", "sent_at"],
        "assessments": ["assessed_on", "survivor_id"],
    }
    con = duckdb.connect()
    for name, queryset in tables.items():
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        frame = pd.DataFrame.from_records(rows, columns=names[name])
        if name == "survivors":
            frame["race"] = frame["race"].map(
                lambda v: json.dumps(v) if not isinstance(v, str) else v
            )
        con.register("frame", frame)
        con.execute(f"COPY frame TO '{folder / name}.parquet' (FORMAT parquet)")
        con.unregister("frame")
    con.close()
    return time.perf_counter() - started


def duckdb_figures(folder, period):
    """The report's counts as DuckDB computes them from the Parquet files: survivors served
    new and continuing by trafficking type, by age group and language; services by category;
    hotline contacts by reason and channel; assessments and graduations. Keys as Thrive's."""
    import duckdb

    con = duckdb.connect()
    for name in ("services", "cases", "survivors", "types", "contacts", "assessments"):
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM '{folder / name}.parquet'")  # noqa: S608
    start, end = period.start.isoformat(), period.end.isoformat()

    def ffy(column):
        return f"(year({column}) + CASE WHEN month({column}) >= 10 THEN 1 ELSE 0 END)"

    # Every value in these queries is a date or a name of our own, never input.
    served = con.execute(
        f"""
        WITH per AS (
          SELECT s.survivor_id,
                 min(s.delivered_on) AS first,
                 min(s.delivered_on) FILTER (WHERE s.delivered_on >= DATE '{start}') AS first_in,
                 count(*) FILTER (WHERE s.delivered_on >= DATE '{start}'
                                   AND c.trafficking_type = 'sex') AS sex,
                 count(*) FILTER (WHERE s.delivered_on >= DATE '{start}'
                                   AND c.trafficking_type = 'labor') AS labor,
                 count(*) FILTER (WHERE s.delivered_on >= DATE '{start}'
                                   AND c.trafficking_type = 'both') AS both_
          FROM services s JOIN cases c ON c.id = s.case_id
          WHERE s.status = 'delivered' AND s.delivered_on <= DATE '{end}'
          GROUP BY s.survivor_id
        ), classified AS (
          SELECT survivor_id,
                 CASE WHEN {ffy("first")} = {ffy("first_in")}
                      THEN 'new' ELSE 'continuing' END AS status,
                 CASE WHEN both_ > 0 OR (sex > 0 AND labor > 0) THEN 'both'
                      WHEN sex > 0 THEN 'sex' WHEN labor > 0 THEN 'labor'
                      ELSE 'unknown' END AS kind
          FROM per WHERE first_in IS NOT NULL
        )
        SELECT k.status, k.kind,
               CASE WHEN v.age IS NULL THEN 'not_recorded' WHEN v.age < 18 THEN 'minor'
                    WHEN v.age <= 24 THEN '18_24' ELSE '25_plus' END AS age_group,
               count(*)
        FROM classified k JOIN survivors v ON v.id = k.survivor_id
        GROUP BY ALL
        """  # noqa: S608
    ).fetchall()
    found = {}

    def add(key, n):
        found[key] = found.get(key, 0) + n

    for status, kind, age_group, n in served:
        add(("served", status, kind), n)
        add(("served", status, "total"), n)
        add(("served", "all", kind), n)
        add(("served", "all", "total"), n)
        add(("age", age_group, status), n)
        add(("age", age_group, "total"), n)
    for category, services in con.execute(
        f"""
        SELECT t.category, count(*) FROM services s JOIN types t ON t.id = s.type_id
        WHERE s.status = 'delivered' AND s.delivered_on BETWEEN DATE '{start}' AND DATE '{end}'
        GROUP BY ALL
        """  # noqa: S608
    ).fetchall():
        found[("services", category, "services")] = services
    between = f"BETWEEN DATE '{start}' AND DATE '{end}'"
    found[("outcomes", "assessments")] = con.execute(
        f"SELECT count(*) FROM assessments WHERE assessed_on {between}"  # noqa: S608
    ).fetchone()[0]
    con.close()
    return found


# -- the report -------------------------------------------------------------------------------


def render(results):
    m = results["machine"]
    load = ", ".join(f"{x:.1f}" for x in m["load_average_before"])
    lines = [
        f"Measured {results['started']} at commit {m['commit']} on {m['cpu']}, {m['nproc']} "
        f"CPUs, load average {load} before; in process, medians of "
        f"{results['settings']['repeat']} runs each.",
        "",
        "| measurement | engine | median | spread | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for engine, run in results["runs"].items():
        name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[engine]
        thrive = statistics.median(run["thrive_s"])
        duck = statistics.median(run["duckdb_s"])
        target = TARGETS[engine]
        lines += [
            f"| program activity report, {run['period']}: figures, suppression and audit "
            f"({run['cells']} cells, {run['suppressed']} hidden) | {name} "
            f"| {thrive * 1000:,.0f} ms "
            f"| {min(run['thrive_s']) * 1000:,.0f}–{max(run['thrive_s']) * 1000:,.0f} ms "
            f"| < {target * 1000:,.0f} ms | {'yes' if thrive < target else 'NO'} |",
            f"| … of which the figures (the queries and Python) | {name} "
            f"| {statistics.median(run['figures_s']) * 1000:,.0f} ms | | | |",
            f"| DuckDB, the same aggregates from the same rows in Parquet | {name} rows "
            f"| {duck * 1000:,.0f} ms | {min(run['duckdb_s']) * 1000:,.0f}–"
            f"{max(run['duckdb_s']) * 1000:,.0f} ms | | |",
            f"| ratio Thrive / DuckDB | {name} | {thrive / duck:.1f}× | | ≤ {GOAL_RATIO:.0f}× "
            f"| {'yes' if thrive / duck <= GOAL_RATIO else 'NO'} |",
        ]
    lines += ["", "Data per engine:", ""]
    for engine, run in results["runs"].items():
        name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[engine]
        s = run["setup"]
        lines.append(
            f"- {name}: `demo --survivors {results['settings']['survivors']}` in "
            f"{s['demo_s']:.0f} s; then {s['cases']:,} cases and {s['services']:,} services "
            f"inserted in {s['insert_s']:.0f} s. The report counted {run['served']:,} survivors "
            f"served; the audit {'passed' if run['audit_passed'] else 'FAILED'}. DuckDB's "
            f"{run['compared_cells']} cells {'equal' if run['same'] else 'DIFFER from'} "
            f"Thrive's; the Parquet export took {run['export_s']:.1f} s (not timed in the ratio)."
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
