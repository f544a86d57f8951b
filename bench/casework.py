"""`make bench`, casework part: "My caseload" and the record import, against their targets.

1. "My caseload" with 10,000 cases in the organization and 150 of them assigned to the case
   manager: a fresh database (`demo --survivors 10000 --cases 10000`), then exactly 150 open
   cases given to the demo case manager. The page's query count is measured in process with
   20 and with 150 assigned cases (it must not grow), and its server time (Server-Timing)
   behind gunicorn, one request at a time, in rounds. Target: under 150 ms, constant queries.
2. Importing 100,000 service rows from CSV with `manage.py import_records` (bench/imports.py;
   it builds its own SQLite databases). Target: under 60 s on SQLite.

SQLite always; PostgreSQL too when DATABASE_URL is set. Results go into docs/benchmarks.md
between the `bench:casework` markers, and var/bench/casework.json.

    .venv/bin/python bench/casework.py
    .venv/bin/python bench/casework.py --rounds 2 --import-rows 10000 --no-write
"""

import argparse
import datetime
import json
import os
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
    Server,
    bench_database,
    bench_env,
    logged_in,
    machine,
    manage,
    postgres_version,
    say,
    write_doc,
)

TARGETS = {"caseload_ms": 150, "import_s": 60}
START, END = "<!-- bench:casework:start -->", "<!-- bench:casework:end -->"
CASES, SURVIVORS = 10_000, 10_000


def main():
    args = parse_args()
    if args.inprocess:
        print(json.dumps(inprocess_queries()))
        return
    engines = ["sqlite"] + (["postgresql"] if args.database_url else [])
    results = {
        "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "caseload": {},
        "import": {},
    }
    for engine in engines:
        say(f"== caseload, {engine}")
        results["caseload"][engine] = caseload(engine, args)
    if not args.no_import:
        say(f"== import of {args.import_rows:,} service rows, sqlite")
        results["import"]["sqlite"] = import_rows(args)
    report = render(results)
    print(report)
    if not args.no_write:
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        (ROOT / "var" / "bench" / "casework.json").write_text(json.dumps(results, indent=1))
        write_doc(ROOT / "docs" / "benchmarks.md", report, start=START, end=END, heading="Casework")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--import-repeats", type=int, default=3)
    parser.add_argument("--no-import", action="store_true", help="measure the caseload only")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--inprocess", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def caseload(engine, args):
    var_dir = ROOT / "var" / "bench" / f"casework-{engine}"
    database_url = (
        bench_database(args.database_url, "casework", fresh=True) if engine == "postgresql" else ""
    )
    env = bench_env(var_dir, database_url)
    import shutil

    shutil.rmtree(var_dir, ignore_errors=True)
    (var_dir / "static").mkdir(parents=True)
    started = time.perf_counter()
    manage(env, "migrate", "--noinput")
    manage(env, "init_keys")
    manage(env, "demo", f"--survivors={SURVIVORS}", f"--cases={CASES}")
    build_s = time.perf_counter() - started
    say(f"   {CASES:,} cases built in {build_s:.0f} s")
    if engine == "postgresql":
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
    queries = json.loads(
        subprocess.run(  # noqa: S603
            [PY, str(BENCH / "casework.py"), "--inprocess"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    run = {"build_s": build_s, "queries": queries}
    if engine == "postgresql":
        run["server_version"] = postgres_version(database_url)
    with Server(env, var_dir, args.workers) as server:
        browser = logged_in(server.base_url)
        for _ in range(10):  # warm the workers
            check(browser.get("/cases/"))
        samples = []
        for _ in range(args.rounds):
            samples.append([check(browser.get("/cases/")).server_ms for _ in range(args.requests)])
        run["server_ms"] = samples
    say(f"   caseload median {median_of(samples):.1f} ms, queries {queries}")
    return run


def check(reply):
    if reply.status != 200 or reply.server_ms is None or "C-0" not in reply.body:
        raise RuntimeError(f"the caseload did not answer as expected: HTTP {reply.status}")
    return reply


def inprocess_queries():
    """Queries of GET /cases/ with 20 and then 150 open cases assigned (same user)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.db.models import OuterRef, Subquery
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from thrive.accounts.models import User
    from thrive.cases.models import Case, Task

    user = User.objects.get(username="casemanager")
    other = User.objects.get(username="supervisor")
    Case.objects.filter(case_manager=user).update(case_manager=other)
    open_ids = list(Case.objects.open().order_by("pk").values_list("pk", flat=True))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    counts = {}
    for assigned in (20, 150):
        Case.objects.filter(case_manager=user).update(case_manager=other)
        Case.objects.filter(pk__in=open_ids[:assigned]).update(case_manager=user)
        # Tasks follow their case's manager, as on a real caseload.
        Task.objects.update(
            assignee=Subquery(Case.objects.filter(pk=OuterRef("case")).values("case_manager")[:1])
        )
        client.get("/cases/")
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/cases/")
        if response.status_code != 200:
            raise RuntimeError(f"GET /cases/: HTTP {response.status_code}")
        counts[str(assigned)] = len(captured)
    return counts  # the database is left with 150 assigned, for the HTTP rounds


def import_rows(args):
    """bench/imports.py: fresh SQLite databases of its own, one per round."""
    done = subprocess.run(  # noqa: S603
        [PY, str(BENCH / "imports.py"), f"--rows={args.import_rows}"]
        + [f"--rounds={args.import_repeats}", "--json"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith(("THRIVE_", "DATABASE_URL"))},
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    say(f"   {', '.join(f'{t:.1f}' for t in result['seconds'])} s")
    return result


def median_of(rounds):
    return statistics.median(x for r in rounds for x in r)


def render(results):
    lines = [
        f"Measured {results['started']} at commit {results['machine']['commit']} on "
        f"{results['machine']['cpu']}, {results['machine']['nproc']} CPUs, load average "
        f"{', '.join(f'{x:.1f}' for x in results['machine']['load_average_before'])} before; "
        "medians of every request (caseload) or of the repeats (import).",
        "",
        "| measurement | engine | median | spread of round medians | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for engine, run in results["caseload"].items():
        med = median_of(run["server_ms"])
        rounds = [statistics.median(r) for r in run["server_ms"]]
        lines.append(
            f"| My caseload, 150 of {CASES:,} cases, server time | {engine} | {med:.1f} ms "
            f"| {min(rounds):.1f}–{max(rounds):.1f} ms | < {TARGETS['caseload_ms']} ms "
            f"| {'yes' if med < TARGETS['caseload_ms'] else 'NO'} |"
        )
        q = run["queries"]
        constant = q["20"] == q["150"]
        lines.append(
            f"| My caseload, queries with 20 / 150 cases | {engine} | {q['20']} / {q['150']} "
            f"| | constant | {'yes' if constant else 'NO'} |"
        )
    for engine, run in results["import"].items():
        med = statistics.median(run["seconds"])
        lines.append(
            f"| Import {run['rows']:,} service rows (CSV) | {engine} | {med:.1f} s "
            f"| {min(run['seconds']):.1f}–{max(run['seconds']):.1f} s "
            f"| < {TARGETS['import_s']} s | {'yes' if med < TARGETS['import_s'] else 'NO'} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
