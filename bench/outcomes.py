"""`make bench`, outcomes part: the program outcome summary over 500,000 assessments, and the
survivor page of a survivor with 40 assessments.

For each engine (SQLite always; PostgreSQL too when DATABASE_URL is set), on a fresh database
(`migrate`, `init_keys`, `demo --survivors N`, N = 100,000 by default: survivors with every
field encrypted, as `make bench` builds them):

1. in process (this script with --inprocess): a program "Outcomes benchmark" at the lead
   organization `harbor-light` with one case per survivor (`cases_bulk_open`, the real bulk
   action: numbers, history and audit), opened over the last three and a half years, of every
   trafficking type; 40% of them ended (graduated or closed), some with a follow-up
   assessment after exit. Then the assessments (500,000 by default, 1 to 9 a case, one
   survivor's case with exactly 40, monthly), each with its 13 `AssessmentScore` rows and
   the matching `vector`, bulk-inserted (SQLite: `executemany`; PostgreSQL: `COPY`) in the
   shape `assessment_record` writes; trajectories are mixed (half improve, some stay level,
   some decline; immigration, substance use and family are sometimes not applicable);
   graduations have their approved review; a fifth of the survivors whose case ended have
   outcome events in the 18 months after exit. `VACUUM (ANALYZE)` on PostgreSQL, a WAL
   checkpoint on SQLite;
2. in process again (--measure): the summary page's query count (Django's test Client, the
   whole request) and the summary computed on its own (read and compute, timed apart);
3. gunicorn started as bench/run.py does (its `Server`, 2 workers), then, one request at a
   time, in rounds, after a warm-up that imports lifelines in every worker:
   a. `GET /outcomes/summary/?program=...&start=...&end=...` over the whole history, logged in
      as the demo supervisor: server time (`Server-Timing`); target < 3 s on SQLite;
   b. `GET /survivors/<id>/` of the survivor with 40 assessments, logged in as the demo case
      manager: server time; target < 150 ms.

Results go into docs/benchmarks.md between the `bench:outcomes` markers, and
var/bench/outcomes.json.

    .venv/bin/python bench/outcomes.py
    .venv/bin/python bench/outcomes.py --survivors 2000 --assessments 10000 --rounds 2 --no-write
"""

import argparse
import datetime
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from httpclient import Browser  # noqa: E402
from run import (  # noqa: E402
    PY,
    Server,
    bench_database,
    bench_env,
    machine,
    manage,
    postgres_version,
    say,
    write_doc,
)

TARGETS = {"summary_ms": 3000, "survivor_ms": 150}
START, END = "<!-- bench:outcomes:start -->", "<!-- bench:outcomes:end -->"
PASSWORD, LEAD = "thrive-demo", "harbor-light"
SUPERVISOR, CASE_MANAGER = "supervisor", "casemanager"
PROGRAM = "Outcomes benchmark"
HISTORY_DAYS = 3 * 365 + 180  # cases opened over the last three and a half years
TRACKED = 40  # assessments of the survivor whose page is timed
NOT_APPLICABLE_SHARE = {"immigration": 0.6, "substance_use": 0.4, "family": 0.3}
TYPES = ["sex"] * 45 + ["labor"] * 30 + ["both"] * 10 + ["unknown"] * 15
EVENT_KINDS = [
    "re_exploitation",
    "re_arrest",
    "reconviction",
    "return_to_services",
    "homelessness",
    "homelessness",
    "hospitalization",
    "hospitalization",
]


def main():
    args = parse_args()
    if args.inprocess:
        print(json.dumps(inprocess_setup(args.assessments, args.seed)))
        return
    if args.measure:
        print(json.dumps(inprocess_measure()))
        return
    engines = ["sqlite"] + (["postgresql"] if args.database_url else [])
    results = {
        "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {k: v for k, v in vars(args).items() if k != "database_url"},
        "runs": {},
    }
    for engine in engines:
        say(f"== outcomes, {engine}")
        results["runs"][engine] = run_one(engine, args)
    report = render(results)
    print(report)
    if not args.no_write:
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        (ROOT / "var" / "bench" / "outcomes.json").write_text(json.dumps(results, indent=1))
        write_doc(ROOT / "docs" / "benchmarks.md", report, start=START, end=END, heading="Outcomes")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--survivors", type=int, default=100_000)
    parser.add_argument("--assessments", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=5, help="summary requests per round")
    parser.add_argument("--page-requests", type=int, default=20, help="survivor page, per round")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--inprocess", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def run_one(engine, args):
    var_dir = ROOT / "var" / "bench" / f"outcomes-{engine}"
    database_url = (
        bench_database(args.database_url, "outcomes", fresh=True) if engine == "postgresql" else ""
    )
    env = bench_env(var_dir, database_url)
    shutil.rmtree(var_dir, ignore_errors=True)
    (var_dir / "static").mkdir(parents=True)
    started = time.perf_counter()
    manage(env, "migrate", "--noinput")
    manage(env, "init_keys")
    manage(env, "demo", f"--survivors={args.survivors}")
    demo_s = time.perf_counter() - started
    say(f"   {args.survivors:,} survivors in {demo_s:.0f} s; inserting the outcomes data")
    setup = json.loads(
        inprocess(env, "--inprocess", f"--assessments={args.assessments}", f"--seed={args.seed}")
    )
    setup["demo_s"] = demo_s
    say(
        f"   {setup['cases']:,} cases, {setup['assessments']:,} assessments "
        f"({setup['scores']:,} scores) in {setup['insert_s']:.0f} s"
    )
    if engine == "sqlite":
        with sqlite3.connect(var_dir / "thrive.sqlite3") as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        setup["database_mb"] = (var_dir / "thrive.sqlite3").stat().st_size / 1e6
    else:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
    run = {"setup": setup, "inprocess": json.loads(inprocess(env, "--measure"))}
    say(f"   in process: {run['inprocess']}")
    if engine == "postgresql":
        run["server_version"] = postgres_version(database_url)
    summary_path = (
        f"/outcomes/summary/?program={setup['program']}&start={setup['start']}&end={setup['end']}"
    )
    with Server(env, var_dir, args.workers) as server:
        say(f"   gunicorn on {server.base_url} ({args.workers} workers)")
        run["summary"] = timed(
            server, SUPERVISOR, summary_path, "Overall (mean level)", args.requests, args
        )
        run["survivor"] = timed(
            server,
            CASE_MANAGER,
            f"/survivors/{setup['tracked_survivor']}/",
            "S-",
            args.page_requests,
            args,
        )
    say(
        f"   summary median {median_of(run['summary']['server_ms']):.0f} ms; survivor page "
        f"median {median_of(run['survivor']['server_ms']):.1f} ms"
    )
    return run


def inprocess(env, *args):
    done = subprocess.run(  # noqa: S603
        [PY, str(BENCH / "outcomes.py"), *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def timed(server, username, path, expected, requests, args):
    browser = Browser(server.base_url, timeout=120)
    browser.login(username, PASSWORD)

    def get():
        reply = browser.get(path)
        if reply.status != 200 or reply.server_ms is None or expected not in reply.body:
            raise RuntimeError(f"GET {path}: HTTP {reply.status}")
        return reply

    for _ in range(2 * args.workers):  # every worker: imports, connections, caches
        get()
    rounds = [[get() for _ in range(requests)] for _ in range(args.rounds)]
    return {
        "server_ms": [[r.server_ms for r in batch] for batch in rounds],
        "client_ms": [[r.client_ms for r in batch] for batch in rounds],
        "bytes": len(rounds[0][0].body),
    }


# -- in process: the data ---------------------------------------------------------------------


def django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def inprocess_setup(assessment_count, seed):
    django_setup()
    from django.db import transaction
    from django.utils import timezone

    from thrive.accounts.models import Membership
    from thrive.cases.actions import cases_bulk_open, program_create
    from thrive.cases.models import Case
    from thrive.outcomes.models import Assessment, Instrument
    from thrive.survivors.models import Survivor

    rng = random.Random(seed)
    lead = Membership.objects.select_related("user", "organization").get(
        user__username=SUPERVISOR, organization__slug=LEAD
    )
    organization, supervisor = lead.organization, lead.user
    case_manager = Membership.objects.get(
        user__username=CASE_MANAGER, organization=organization
    ).user
    instrument = Instrument.objects.default()
    domains = list(instrument.domains.order_by("order"))
    today = timezone.localdate()
    started = time.perf_counter()
    program = program_create(
        organization,
        actor=supervisor,
        data={"name": PROGRAM, "kind": "case_management"},
    )
    survivor_ids = list(
        Survivor.objects.filter(organization=organization)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    counts = assessment_counts(len(survivor_ids), assessment_count, rng)
    plans = [
        plan_case(survivor_id, k, today, rng)
        for survivor_id, k in zip(survivor_ids, counts, strict=True)
    ]
    with transaction.atomic():
        created = cases_bulk_open(
            organization,
            [
                Case(
                    survivor_id=plan["survivor"],
                    program=program,
                    case_manager=case_manager,
                    trafficking_type=plan["type"],
                    status=plan["status"],
                    closure_reason=plan["closure_reason"],
                    opened_on=plan["opened_on"],
                    ended_on=plan["ended_on"],
                )
                for plan in plans
            ],
            actor=None,
        )
    for plan, case in zip(plans, created, strict=True):
        plan["case"] = case.pk
    next_id = (Assessment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    written = write_assessments(
        plans, domains, instrument, organization, case_manager, next_id, rng
    )
    graduation_reviews(plans, organization, supervisor, case_manager, instrument)
    events = outcome_events(plans, organization, supervisor, today, rng)
    return {
        "program": program.pk,
        "tracked_survivor": plans[0]["survivor"],
        "start": (today - datetime.timedelta(days=HISTORY_DAYS)).isoformat(),
        "end": today.isoformat(),
        "cases": len(plans),
        "ended": sum(1 for p in plans if p["ended_on"]),
        "graduated": sum(1 for p in plans if p["status"] == "graduated"),
        "assessments": written["assessments"],
        "scores": written["scores"],
        "outcome_events": events,
        "insert_s": time.perf_counter() - started,
    }


def assessment_counts(cases, total, rng):
    """1 to 9 assessments a case (the first case exactly TRACKED), adding up to `total`."""
    if total < TRACKED + cases - 1:
        raise SystemExit(f"--assessments must be at least {TRACKED + cases - 1:,}")
    average = (total - TRACKED) / max(cases - 1, 1)
    top = max(1, min(9, round(2 * average - 1)))
    counts = [TRACKED] + [rng.randint(1, top) for _ in range(cases - 1)]
    gap = total - sum(counts)
    while gap:
        i = rng.randrange(1, cases)
        if gap > 0 and counts[i] < 9:
            counts[i] += 1
            gap -= 1
        elif gap < 0 and counts[i] > 1:
            counts[i] -= 1
            gap += 1
    return counts


def plan_case(survivor_id, count, today, rng):
    """Dates, kinds and levels of one case's assessments, and how the case ended."""
    tracked = count == TRACKED
    interval = 30 if tracked else rng.randint(60, 120)
    span = interval * (count - 1)
    opened_on = today - datetime.timedelta(
        days=span + rng.randint(1, max(2, HISTORY_DAYS - span) if not tracked else 40)
    )
    dates = [opened_on + datetime.timedelta(days=interval * i) for i in range(count)]
    ends = not tracked and rng.random() < 0.4 and dates[-1] < today
    follow_up = ends and count >= 3 and rng.random() < 0.3
    status, closure_reason, ended_on = rng.choice(["active"] * 9 + ["on_hold"]), "", None
    kinds = ["intake"] + ["periodic"] * (count - 1)
    if ends:
        status = "graduated" if rng.random() < 0.6 else "closed"
        closure_reason = "" if status == "graduated" else rng.choice(["lost_contact", "moved_away"])
        exit_index = count - 2 if follow_up else count - 1
        ended_on = min(today, dates[exit_index] + datetime.timedelta(days=rng.randint(0, 10)))
        if exit_index > 0:
            kinds[exit_index] = "exit"
        if follow_up:
            kinds[-1] = "follow_up"
    trajectory = rng.choice(["improves"] * 5 + ["level"] * 3 + ["declines"] * 2)
    return {
        "survivor": survivor_id,
        "type": rng.choice(TYPES),
        "status": status,
        "closure_reason": closure_reason,
        "opened_on": opened_on,
        "ended_on": ended_on,
        "dates": dates,
        "kinds": kinds,
        "trajectory": trajectory,
    }


def levels_of(plan, domains, rng):
    """One list of levels (None: not applicable) per assessment of the case."""
    absent = {
        d.code
        for d in domains
        if d.may_be_not_applicable and rng.random() < NOT_APPLICABLE_SHARE.get(d.code, 0)
    }
    current = [rng.choice([1, 2, 2, 2, 3, 3]) for _ in domains]
    step = {"improves": (0.35, 1), "level": (0.15, 0), "declines": (0.2, -1)}[plan["trajectory"]]
    series = []
    for index, kind in enumerate(plan["kinds"]):
        if index:
            chance, direction = step
            for i in range(len(current)):
                if rng.random() < chance:
                    move = direction or rng.choice([-1, 1])
                    current[i] = min(5, max(1, current[i] + move))
        levels = list(current)
        if (
            kind == "exit"
            and plan["status"] == "graduated"
            or (plan["status"] == "graduated" and index == len(plan["kinds"]) - 1)
        ):
            levels = [max(level, 3) for level in levels]  # ready: every domain at Stable
        series.append(
            [None if d.code in absent else lv for d, lv in zip(domains, levels, strict=True)]
        )
    return series


def write_assessments(plans, domains, instrument, organization, assessor, next_id, rng):
    """Assessments and their scores as `assessment_record` writes them, in bulk statements,
    in date order with ids rising with the date, as a live system records them over the
    years (so the table's physical order is the order of `assessment_org_date`)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from thrive.outcomes.models import Assessment, AssessmentScore

    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    a_table, s_table = Assessment._meta.db_table, AssessmentScore._meta.db_table
    a_columns = (
        "id, organization_id, survivor_id, case_id, instrument_id, kind, assessed_on, "
        "assessor_id, vector, created_at"
    )
    s_columns = "assessment_id, domain_id, level, note"
    planned = []
    for number, plan in enumerate(plans):
        plan["assessment_ids"] = [None] * len(plan["dates"])
        series = levels_of(plan, domains, rng)
        for position, (day, kind, levels) in enumerate(
            zip(plan["dates"], plan["kinds"], series, strict=True)
        ):
            vector = "".join(
                Assessment.NOT_APPLICABLE if level is None else str(level) for level in levels
            )
            planned.append((day, number, position, kind, vector))
    planned.sort()
    written = {"assessments": 0, "scores": 0}

    def flush(batch):
        assessments, scores = [], []
        for assessment_id, (day, number, _position, kind, vector) in batch:
            plan = plans[number]
            assessments.append(
                (
                    assessment_id,
                    organization.pk,
                    plan["survivor"],
                    plan["case"],
                    instrument.pk,
                    kind,
                    ops.adapt_datefield_value(day),
                    assessor.pk,
                    vector,
                    now,
                )
            )
            for domain, char in zip(domains, vector, strict=True):
                level = None if char == Assessment.NOT_APPLICABLE else int(char)
                scores.append((assessment_id, domain.pk, level, ""))
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor
                with raw.copy(f"COPY {a_table} ({a_columns}) FROM STDIN") as copy:
                    for row in assessments:
                        copy.write_row(row)
                with raw.copy(f"COPY {s_table} ({s_columns}) FROM STDIN") as copy:
                    for row in scores:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * 10)
                cursor.executemany(
                    f"INSERT INTO {a_table} ({a_columns}) VALUES ({marks})",  # noqa: S608
                    assessments,
                )
                cursor.executemany(
                    f"INSERT INTO {s_table} ({s_columns}) VALUES (%s, %s, %s, %s)",  # noqa: S608
                    scores,
                )
        written["assessments"] += len(assessments)
        written["scores"] += len(scores)

    batch = []
    for assessment_id, entry in enumerate(planned, start=next_id):
        plans[entry[1]]["assessment_ids"][entry[2]] = assessment_id
        batch.append((assessment_id, entry))
        if len(batch) == 20_000:
            flush(batch)
            batch = []
    flush(batch)
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for sql in ops.sequence_reset_sql(no_style(), [Assessment, AssessmentScore]):
                cursor.execute(sql)
    return written


def graduation_reviews(plans, organization, supervisor, case_manager, instrument):
    from django.db import transaction
    from django.utils import timezone

    from thrive.outcomes.models import GraduationReview

    reviews = []
    now = timezone.now()
    for plan in plans:
        if plan["status"] != "graduated":
            continue
        exit_index = plan["kinds"].index("exit") if "exit" in plan["kinds"] else -1
        reviews.append(
            GraduationReview(
                organization=organization,
                case_id=plan["case"],
                assessment_id=plan["assessment_ids"][exit_index],
                threshold=3,
                status=GraduationReview.Status.APPROVED,
                requested_by=case_manager,
                requested_at=now,
                decided_by=supervisor,
                decided_at=now,
                graduated_on=plan["ended_on"],
            )
        )
    with transaction.atomic():
        GraduationReview.objects.bulk_create(reviews, batch_size=5000)


def outcome_events(plans, organization, supervisor, today, rng):
    from django.db import transaction

    from thrive.outcomes.models import OutcomeEvent

    events = []
    for plan in plans:
        if not plan["ended_on"] or rng.random() >= 0.2:
            continue
        for _ in range(rng.choice([1, 1, 2])):
            day = plan["ended_on"] + datetime.timedelta(days=rng.randint(0, 540))
            if day > today:
                continue
            kind = rng.choice(EVENT_KINDS)
            arrest = kind in ("re_arrest", "reconviction")
            events.append(
                OutcomeEvent(
                    organization=organization,
                    survivor_id=plan["survivor"],
                    case_id=plan["case"],
                    kind=kind,
                    occurred_on=day,
                    source="staff",
                    offense_category="commercial_sex" if arrest else "",
                    compelled="yes" if arrest else "",
                    recorded_by=supervisor,
                )
            )
    with transaction.atomic():
        OutcomeEvent.objects.bulk_create(events, batch_size=5000)
    return len(events)


def inprocess_measure():
    """The page's queries (whole request, test Client) and the computation on its own."""
    django_setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from thrive.accounts.models import User
    from thrive.cases.models import Program
    from thrive.outcomes.summary import program_summary

    program = Program.objects.get(name=PROGRAM)
    today = timezone.localdate()
    start = today - datetime.timedelta(days=HISTORY_DAYS)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(
        User.objects.get(username=SUPERVISOR),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    path = f"/outcomes/summary/?program={program.pk}&start={start}&end={today}"
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: HTTP {response.status_code}")
    seconds = []
    for _ in range(3):
        began = time.perf_counter()
        figures = program_summary(program, start=start, end=today)
        seconds.append(time.perf_counter() - began)
    return {
        "queries": len(captured),
        "summary_s": statistics.median(seconds),
        "cases_assessed": figures["cases_assessed"],
        "overall": {k: figures["rows"][-1][k] for k in ("base", "measurable", "substantial")},
        "median_months": figures["rows"][-1]["km"]["all"]["median"],
    }


# -- the report -------------------------------------------------------------------------------


def median_of(rounds):
    return statistics.median(x for batch in rounds for x in batch)


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def render(results):
    args, m = results["settings"], results["machine"]
    lines = [
        f"Measured {results['started']} at commit {m['commit']} on {m['cpu']}, {m['nproc']} "
        f"CPUs, load average {', '.join(f'{x:.1f}' for x in m['load_average_before'])} before; "
        f"gunicorn with {args['workers']} sync workers; medians of every request.",
        "",
        "| measurement | engine | median | p95 | spread of round medians | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for engine, run in results["runs"].items():
        name, s = ENGINE_NAMES[engine], run["setup"]
        for key, label, target in [
            (
                "summary",
                f"`GET /outcomes/summary/`, {s['assessments']:,} assessments, "
                f"{s['cases']:,} cases, server time",
                TARGETS["summary_ms"] if engine == "sqlite" else None,
            ),
            (
                "survivor",
                f"`GET /survivors/<id>/`, a survivor with {TRACKED} assessments, server time",
                TARGETS["survivor_ms"],
            ),
        ]:
            rounds = run[key]["server_ms"]
            flat = [x for batch in rounds for x in batch]
            med = statistics.median(flat)
            medians = [statistics.median(batch) for batch in rounds]
            lines.append(
                f"| {label} | {name} | {med:.1f} ms | {p95(flat):.1f} ms "
                f"| {min(medians):.1f}–{max(medians):.1f} ms "
                + (
                    f"| < {target:,} ms | {'yes' if med < target else 'NO'} |"
                    if target
                    else "| (stated) | |"
                )
            )
        q = run["inprocess"]
        lines.append(
            f"| … the summary computed alone (`program_summary`, in process) | {name} "
            f"| {q['summary_s'] * 1000:.0f} ms | | | | |"
        )
        lines.append(
            f"| … queries of the whole summary request | {name} | {q['queries']} | | | | |"
        )
    lines += ["", "Data per engine:", ""]
    for engine, run in results["runs"].items():
        s, q = run["setup"], run["inprocess"]
        size = f"; {s['database_mb']:.0f} MB database file" if "database_mb" in s else ""
        lines.append(
            f"- {ENGINE_NAMES[engine]}: `demo --survivors {args['survivors']}` in "
            f"{s['demo_s']:.0f} s; then {s['cases']:,} cases ({s['ended']:,} ended, "
            f"{s['graduated']:,} graduated), {s['assessments']:,} assessments with "
            f"{s['scores']:,} domain levels, {s['outcome_events']:,} outcome events, inserted "
            f"in {s['insert_s']:.0f} s{size}. The summary counted {q['cases_assessed']:,} "
            f"cases; overall {q['overall']['measurable']:,} of {q['overall']['base']:,} "
            f"improved measurably, median {q['median_months']:.1f} months. "
            f"{args['rounds']} rounds of {args['requests']} summary and "
            f"{args['page_requests']} survivor-page requests."
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
