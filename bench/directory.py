"""`make bench`, partner directory part: a directory search over 2,000 providers.

For each engine (SQLite always; PostgreSQL too when DATABASE_URL is set), on a fresh database
(`migrate`, `init_keys`, `demo --survivors 100`):

1. in process (this script with --inprocess): N providers (2,000 by default) kept by the lead
   organization `harbor-light`, bulk-inserted with realistic spreads: 1 to 4 service types
   each (shelter and case management more common), 1 to 3 of California's counties (the
   large ones more often), English and often Spanish plus other languages, some serving one
   trafficking type or an age range, beds and waitlists for shelters, a confidential
   location for a third of them (encrypted, as `partner_save` stores it); then
   `VACUUM (ANALYZE)` on PostgreSQL, a WAL checkpoint on SQLite;
2. in process again (--measure): the query count of the search page (Django's test Client,
   the whole request) and the number of providers it finds;
3. gunicorn started as bench/run.py does (its `Server`, 2 workers), then, logged in as the
   demo case manager, `GET /referrals/directory/?service=...&county=...&language=...` one
   request at a time, in rounds: server time (`Server-Timing`); target < 50 ms.

Results go into docs/benchmarks.md between the `bench:directory` markers, and
var/bench/directory.json.

    .venv/bin/python bench/directory.py
    .venv/bin/python bench/directory.py --providers 200 --rounds 2 --no-write   # a quick look
"""

import argparse
import datetime
import json
import os
import random
import re
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

TARGETS = {"search_ms": 50}
START, END = "<!-- bench:directory:start -->", "<!-- bench:directory:end -->"
CASE_MANAGER, PASSWORD, LEAD = "casemanager", "thrive-demo", "harbor-light"
SEARCH = {"service": "emergency_shelter", "county": "Alameda", "language": "es"}
COUNTIES = (
    ["Los Angeles"] * 10
    + ["San Diego", "Orange", "Riverside", "San Bernardino", "Santa Clara", "Alameda"] * 4
    + ["Sacramento", "Contra Costa", "Fresno", "Kern", "San Francisco", "Ventura"] * 2
    + ["San Mateo", "San Joaquin", "Stanislaus", "Sonoma", "Tulare", "Solano", "Monterey"]
    + ["Santa Barbara", "Placer", "San Luis Obispo", "Santa Cruz", "Merced", "Marin", "Butte"]
    + ["Yolo", "El Dorado", "Imperial", "Shasta", "Madera", "Kings", "Napa", "Humboldt"]
)
LANGUAGES = ["vi", "cmn", "yue", "tl", "ko", "th", "ru", "uk", "ht", "pt", "fr", "ar", "hi"]
LANGUAGES += ["quc", "mam", "ase"]
COMMON_TYPES = ["emergency_shelter", "case_management", "crisis_intervention", "legal"]


def main():
    args = parse_args()
    if args.inprocess:
        print(json.dumps(inprocess_setup(args.providers, args.seed)))
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
        say(f"== directory, {engine}")
        results["runs"][engine] = run_one(engine, args)
    report = render(results)
    print(report)
    if not args.no_write:
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        (ROOT / "var" / "bench" / "directory.json").write_text(json.dumps(results, indent=1))
        write_doc(
            ROOT / "docs" / "benchmarks.md",
            report,
            start=START,
            end=END,
            heading="Partner directory",
        )


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--providers", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20, help="searches per round")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--inprocess", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def run_one(engine, args):
    var_dir = ROOT / "var" / "bench" / f"directory-{engine}"
    database_url = (
        bench_database(args.database_url, "directory", fresh=True) if engine == "postgresql" else ""
    )
    env = bench_env(var_dir, database_url)
    shutil.rmtree(var_dir, ignore_errors=True)
    (var_dir / "static").mkdir(parents=True)
    manage(env, "migrate", "--noinput")
    manage(env, "init_keys")
    manage(env, "demo", "--survivors=100")
    say(f"   inserting {args.providers:,} providers")
    setup = in_process(env, "--inprocess", f"--providers={args.providers}", f"--seed={args.seed}")
    say(f"   {setup['providers']:,} providers, inserted in {setup['insert_s']:.1f} s")
    if engine == "sqlite":
        with sqlite3.connect(var_dir / "thrive.sqlite3") as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
    run = {"setup": setup, "inprocess": in_process(env, "--measure")}
    if engine == "postgresql":
        run["server_version"] = postgres_version(database_url)
    with Server(env, var_dir, args.workers) as server:
        say(f"   gunicorn on {server.base_url} ({args.workers} workers)")
        run["search"] = search(server, args)
    flat = [x for batch in run["search"]["server_ms"] for x in batch]
    say(
        f"   search median {statistics.median(flat):.1f} ms, "
        f"{run['inprocess']['queries']} queries, {run['inprocess']['found']} found"
    )
    return run


def in_process(env, *args):
    done = subprocess.run(  # noqa: S603
        [PY, str(BENCH / "directory.py"), *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# -- in process: the providers and the query count ---------------------------------------------


def inprocess_setup(count, seed):
    django_setup()
    from django.db import transaction
    from django.utils import timezone

    from thrive.accounts.models import Organization
    from thrive.referrals.models import Partner, _delimited
    from thrive.services.models import ServiceType

    rng = random.Random(seed)
    lead = Organization.objects.get(slug=LEAD)
    types = list(ServiceType.objects.filter(is_active=True).values_list("pk", "code"))
    common = [pk for pk, code in types if code in COMMON_TYPES]
    shelter = next(pk for pk, code in types if code == "emergency_shelter")
    now = timezone.now()
    started = time.perf_counter()
    partners, offered = [], []
    for i in range(count):
        chosen = set(rng.sample([pk for pk, _code in types], rng.randint(1, 3)))
        if rng.random() < 0.5:
            chosen.add(rng.choice(common))
        counties = sorted({rng.choice(COUNTIES) for _ in range(rng.randint(1, 3))})
        languages = ["en"] + (["es"] if rng.random() < 0.6 else [])
        languages += rng.sample(LANGUAGES, rng.choice([0, 0, 1, 2]))
        populations = rng.choice([[], [], [], ["sex"], ["labor"]])
        youth = rng.random() < 0.15
        is_shelter = shelter in chosen
        partners.append(
            Partner(
                name=f"Provider {i:04d} {counties[0]}",
                maintained_by=lead,
                counties=counties,
                languages=languages,
                populations=populations,
                age_min=12 if youth else (18 if rng.random() < 0.5 else None),
                age_max=24 if youth else None,
                serves_foreign_nationals=rng.random() < 0.9,
                eligibility="Adults and youth who experienced trafficking.",
                beds_available=rng.randint(0, 12) if is_shelter else None,
                waitlist=rng.randint(0, 30) if is_shelter else None,
                availability_updated_at=now - datetime.timedelta(hours=rng.randint(1, 500))
                if is_shelter
                else None,
                phone=f"+1 (510) 555-{i % 10000:04d}",
                email=f"intake{i}@provider.example.org",
                location=f"{100 + i} Quiet Street" if is_shelter and rng.random() < 0.6 else "",
                counties_key=_delimited(counties),
                languages_key=_delimited(languages),
                populations_key=_delimited(populations),
            )
        )
        offered.append(chosen)
    through = Partner.service_types.through
    with transaction.atomic():
        created = Partner.objects.bulk_create(partners, batch_size=500)
        through.objects.bulk_create(
            [
                through(partner_id=partner.pk, servicetype_id=type_id)
                for partner, chosen in zip(created, offered, strict=True)
                for type_id in chosen
            ],
            batch_size=2000,
        )
    return {
        "providers": Partner.objects.count(),
        "service_links": through.objects.count(),
        "insert_s": time.perf_counter() - started,
    }


def inprocess_measure():
    django_setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from thrive.accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(
        User.objects.get(username=CASE_MANAGER),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    client.get("/referrals/directory/", SEARCH)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/referrals/directory/", SEARCH)
    if response.status_code != 200:
        raise RuntimeError(f"GET /referrals/directory/: HTTP {response.status_code}")
    body = response.content.decode()
    found = re.search(r'class="result-count">([0-9,]+) provider', body)
    return {
        "queries": len(captured),
        "found": int(found.group(1).replace(",", "")) if found else None,
        "shown": len(re.findall(r'href="/referrals/directory/\d+/"', body)),
    }


# -- over HTTP ------------------------------------------------------------------------------


def search(server, args):
    browser = Browser(server.base_url)
    browser.login(CASE_MANAGER, PASSWORD)
    path = "/referrals/directory/?" + "&".join(f"{k}={v}" for k, v in SEARCH.items())

    def get():
        reply = browser.get(path)
        if reply.status != 200 or reply.server_ms is None or 'class="list"' not in reply.body:
            raise RuntimeError(f"GET {path}: HTTP {reply.status}")
        return reply

    for _ in range(10):  # warm every worker
        get()
    rounds = [[get() for _ in range(args.requests)] for _ in range(args.rounds)]
    return {
        "path": path,
        "server_ms": [[r.server_ms for r in batch] for batch in rounds],
        "client_ms": [[r.client_ms for r in batch] for batch in rounds],
    }


# -- the report -----------------------------------------------------------------------------


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
        name = ENGINE_NAMES[engine]
        rounds = run["search"]["server_ms"]
        flat = [x for batch in rounds for x in batch]
        med = statistics.median(flat)
        medians = [statistics.median(batch) for batch in rounds]
        lines += [
            f"| `GET {run['search']['path']}`, {run['setup']['providers']:,} providers, "
            f"server time | {name} | {med:.1f} ms | {p95(flat):.1f} ms "
            f"| {min(medians):.1f}–{max(medians):.1f} ms | < {TARGETS['search_ms']} ms "
            f"| {'yes' if med < TARGETS['search_ms'] else 'NO'} |",
            f"| … queries of the whole request | {name} | {run['inprocess']['queries']} | | | | |",
        ]
    lines += ["", "Data per engine:", ""]
    for engine, run in results["runs"].items():
        s, q = run["setup"], run["inprocess"]
        lines.append(
            f"- {ENGINE_NAMES[engine]}: {s['providers']:,} providers with "
            f"{s['service_links']:,} offered services, bulk-inserted in {s['insert_s']:.1f} s; "
            f"the search finds {q['found']:,} (a page shows {q['shown']}); "
            f"{args['rounds']} rounds of {args['requests']} requests."
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
