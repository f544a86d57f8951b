"""`make bench`, hotline part: contact creation through the API under load, and the hotline
board with 1,000,000 contacts.

For each engine (SQLite always; PostgreSQL too when DATABASE_URL is set), on a fresh database
(`migrate`, `init_keys`, `demo --survivors 100`):

1. in process (this script with --inprocess): an API token for the demo hotline advocate
   (`api_token_create`, the real action), then N logged contacts (1,000,000 by default) for
   the lead organization `harbor-light`, spread evenly over the last 3 years, bulk-inserted in
   batches of 5,000 (every summary encrypted, each on its own; 2% need a follow-up due a week
   later); then `VACUUM (ANALYZE)` on PostgreSQL, a WAL checkpoint on SQLite;
2. gunicorn started as bench/run.py does (its `Server`), then
   a. `POST /api/v1/contacts` from 8 clients at once, each request with a fresh
      Idempotency-Key, in rounds: requests per second (per round) and client latency
      (median, p95 over every request); target p95 < 100 ms;
   b. `GET /hotline/board/` logged in as the advocate, one request at a time, in rounds:
      server time (`Server-Timing`); target < 150 ms.

Results go into docs/benchmarks.md between the `bench:hotline` markers, and
var/bench/hotline.json.

    .venv/bin/python bench/hotline.py
    .venv/bin/python bench/hotline.py --contacts 100000 --rounds 2 --no-write   # a quick look
"""

import argparse
import datetime
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from httpclient import Browser, Reply  # noqa: E402
from run import (  # noqa: E402
    PY,
    Server,
    bench_database,
    bench_env,
    in_parallel,
    machine,
    manage,
    postgres_version,
    say,
    write_doc,
)

TARGETS = {"create_p95_ms": 100, "board_ms": 150}
START, END = "<!-- bench:hotline:start -->", "<!-- bench:hotline:end -->"
ADVOCATE, PASSWORD, LEAD = "advocate", "thrive-demo", "harbor-light"
CONTACT = {
    "channel": "call",
    "caller_role": "potential_victim",
    "reason": "crisis",
    "urgency": "urgent",
    "indicators": ["WithholdsDocuments", "DebtBondage"],
    "summary": "Calling from a gas station; the boss keeps her passport and her pay.",
    "caller_phone": "+1 (415) 555-0142",
    "county": "Alameda",
}


def main():
    args = parse_args()
    if args.inprocess:
        print(json.dumps(inprocess_setup(args.contacts)))
        return
    engines = ["sqlite"] + (["postgresql"] if args.database_url else [])
    results = {
        "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {k: v for k, v in vars(args).items() if k != "database_url"},
        "runs": {},
    }
    for engine in engines:
        say(f"== hotline, {engine}")
        results["runs"][engine] = run_one(engine, args)
    report = render(results)
    print(report)
    if not args.no_write:
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        (ROOT / "var" / "bench" / "hotline.json").write_text(json.dumps(results, indent=1))
        write_doc(ROOT / "docs" / "benchmarks.md", report, start=START, end=END, heading="Hotline")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--creates", type=int, default=25, help="creates per client per round")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=20, help="board requests per round")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (2 x nproc)")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--inprocess", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.workers = args.workers or 2 * len(os.sched_getaffinity(0))
    return args


def run_one(engine, args):
    var_dir = ROOT / "var" / "bench" / f"hotline-{engine}"
    database_url = (
        bench_database(args.database_url, "hotline", fresh=True) if engine == "postgresql" else ""
    )
    env = bench_env(var_dir, database_url)
    shutil.rmtree(var_dir, ignore_errors=True)
    (var_dir / "static").mkdir(parents=True)
    manage(env, "migrate", "--noinput")
    manage(env, "init_keys")
    manage(env, "demo", "--survivors=100")
    say(f"   inserting {args.contacts:,} contacts")
    done = subprocess.run(  # noqa: S603
        [PY, str(BENCH / "hotline.py"), "--inprocess", f"--contacts={args.contacts}"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    setup = json.loads(done.stdout.strip().splitlines()[-1])
    token = setup.pop("token")
    say(f"   {setup['contacts_in_org']:,} contacts, inserted in {setup['insert_s']:.0f} s")
    if engine == "sqlite":
        with sqlite3.connect(var_dir / "thrive.sqlite3") as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
    run = {"setup": setup}
    if engine == "postgresql":
        run["server_version"] = postgres_version(database_url)
    with Server(env, var_dir, args.workers) as server:
        say(f"   gunicorn on {server.base_url} ({args.workers} workers)")
        run["creates"] = api_creates(server, token, args)
        run["board"] = board(server, args)
    c, flat = run["creates"], [x for batch in run["board"]["server_ms"] for x in batch]
    say(
        f"   creates: p95 {p95(c['client_ms']):.1f} ms client, "
        f"{statistics.median(c['per_second']):.0f}/s; board median {statistics.median(flat):.1f} ms"
    )
    return run


# -- in process: the token and the contacts ------------------------------------------------


def inprocess_setup(count):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from thrive.accounts.actions import api_token_create
    from thrive.accounts.models import Membership
    from thrive.hotline.models import Contact

    membership = Membership.objects.select_related("user", "organization").get(
        user__username=ADVOCATE, organization__slug=LEAD
    )
    user, organization = membership.user, membership.organization
    _, raw = api_token_create(membership, actor=user, name="bench")
    now = timezone.now()
    span = datetime.timedelta(days=3 * 365)
    step = span / max(count, 1)
    channels, reasons = ["call", "text", "chat", "call", "web_form"], ["crisis", "services", "tip"]
    started = time.perf_counter()
    batch = []
    for i in range(count):
        received_at = now - span + step * i
        follow_up = i % 50 == 0
        batch.append(
            Contact(
                organization=organization,
                key=uuid.uuid4(),
                status=Contact.Status.LOGGED,
                received_at=received_at,
                handled_by=user,
                channel=channels[i % len(channels)],
                caller_role="potential_victim",
                reason=reasons[i % len(reasons)],
                county="Alameda",
                summary=f"Contact {i}: the caller described the situation at work.",
                follow_up_needed=follow_up,
                follow_up_due=(received_at + datetime.timedelta(days=7)).date()
                if follow_up
                else None,
                logged_at=received_at,
                created_at=received_at,
                updated_at=received_at,
            )
        )
        if len(batch) == 5000:
            with transaction.atomic():
                Contact.objects.bulk_create(batch)
            batch = []
    if batch:
        with transaction.atomic():
            Contact.objects.bulk_create(batch)
    return {
        "token": raw,
        "insert_s": time.perf_counter() - started,
        "contacts_in_org": Contact.objects.filter(organization=organization).count(),
        "contacts_last_24h": Contact.objects.filter(
            organization=organization, received_at__gte=now - datetime.timedelta(days=1)
        ).count(),
    }


# -- over HTTP ------------------------------------------------------------------------------


def post_json(base_url, path, body, headers):
    request = urllib.request.Request(  # noqa: S310 (always http://127.0.0.1:<port>)
        base_url + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **headers},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            text, status, raw_headers = response.read().decode(), response.status, response.headers
    except urllib.error.HTTPError as error:
        text, status, raw_headers = error.read().decode(errors="replace"), error.code, error.headers
    client_ms = (time.perf_counter() - started) * 1000
    timing = raw_headers.get("Server-Timing", "")
    server_ms = float(timing.split("dur=")[1].split(",")[0]) if "dur=" in timing else None
    return Reply(status, text, dict(raw_headers), client_ms, server_ms)


def api_creates(server, token, args):
    """`clients` threads at once, each posting `creates` new contacts per round."""
    auth = {"Authorization": f"Bearer {token}"}

    def create():
        reply = post_json(
            server.base_url,
            "/api/v1/contacts",
            CONTACT,
            {**auth, "Idempotency-Key": str(uuid.uuid4())},
        )
        if reply.status != 201:
            raise RuntimeError(f"POST /api/v1/contacts: HTTP {reply.status} {reply.body[:300]}")
        return reply

    for _ in range(10):  # warm every worker
        create()
    samples = {"client_ms": [], "server_ms": [], "per_second": [], "errors": 0}
    lock = threading.Lock()
    say(f"   API creates: {args.clients} clients x {args.creates} x {args.rounds} rounds")
    for _ in range(args.rounds):

        def work(i):
            return [create() for _ in range(args.creates)]

        replies, wall = in_parallel(args.clients, work)
        flat = [reply for batch in replies for reply in batch]
        with lock:
            samples["client_ms"] += [r.client_ms for r in flat]
            samples["server_ms"] += [r.server_ms for r in flat if r.server_ms is not None]
            samples["per_second"].append(len(flat) / wall)
    return samples


def board(server, args):
    browser = Browser(server.base_url)
    browser.login(ADVOCATE, PASSWORD)

    def get():
        reply = browser.get("/hotline/board/")
        if reply.status != 200 or reply.server_ms is None:
            raise RuntimeError(f"GET /hotline/board/: HTTP {reply.status}")
        return reply

    for _ in range(10):
        get()
    rounds = [[get() for _ in range(args.requests)] for _ in range(args.rounds)]
    return {
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
        f"gunicorn with {args['workers']} sync workers.",
        "",
        "| measurement | engine | median | p95 | spread | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for engine, run in results["runs"].items():
        name = ENGINE_NAMES[engine]
        c = run["creates"]
        create_p95 = p95(c["client_ms"])
        rates = c["per_second"]
        lines += [
            f"| `POST /api/v1/contacts`, {args['clients']} clients at once, client latency "
            f"| {name} | {statistics.median(c['client_ms']):.1f} ms | {create_p95:.1f} ms "
            f"| | p95 < {TARGETS['create_p95_ms']} ms "
            f"| {'yes' if create_p95 < TARGETS['create_p95_ms'] else 'NO'} |",
            f"| … server time | {name} | {statistics.median(c['server_ms']):.1f} ms "
            f"| {p95(c['server_ms']):.1f} ms | | | |",
            f"| … contacts created per second (rounds) | {name} | {statistics.median(rates):.0f} "
            f"| | {min(rates):.0f}–{max(rates):.0f} | | |",
        ]
        b = run["board"]["server_ms"]
        flat = [x for batch in b for x in batch]
        board_median = statistics.median(flat)
        round_medians = [statistics.median(batch) for batch in b]
        lines.append(
            f"| `GET /hotline/board/`, {run['setup']['contacts_in_org']:,} contacts, server time "
            f"| {name} | {board_median:.1f} ms | {p95(flat):.1f} ms "
            f"| {min(round_medians):.1f}–{max(round_medians):.1f} ms "
            f"| < {TARGETS['board_ms']} ms "
            f"| {'yes' if board_median < TARGETS['board_ms'] else 'NO'} |"
        )
    lines += ["", "Data per engine:", ""]
    for engine, run in results["runs"].items():
        s = run["setup"]
        lines.append(
            f"- {ENGINE_NAMES[engine]}: {s['contacts_in_org']:,} contacts at the lead "
            f"organization ({s['contacts_last_24h']:,} in the last 24 hours), bulk-inserted "
            f"in {s['insert_s']:.0f} s; creates: {args['rounds']} rounds of "
            f"{args['clients']} × {args['creates']}; board: {args['rounds']} rounds of "
            f"{args['requests']} requests"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
