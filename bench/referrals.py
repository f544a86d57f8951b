"""`make bench`, referrals part: the referral inbox with 50,000 referrals across 40
organizations.

For each engine (SQLite always; PostgreSQL too when DATABASE_URL is set), on a fresh database
(`migrate`, `init_keys`, `demo --survivors 200`):

1. in process (this script with --inprocess): 40 organizations (the demo's six, the lead
   `harbor-light` among them, and 34 more bulk-inserted, each with a case manager), a directory
   entry on Thrive for each (`Partner`, with the services it offers), and in each a survivor
   and a case made through the real actions. Then the referrals, bulk-inserted in batches of
   5,000 (`bulk_create`), each from one organization's case to another organization, spread
   evenly over the 40 as recipients and over the last year, in every status after `sent`, each
   with its packet (identity and case summary, built by `packets.build_packet` and encrypted
   row by row by its `EncryptedTextField`, as `referral_send` stores it), its acknowledgement
   time and the services requested. The query count of the inbox is taken (Django's test
   Client, the whole request) first with a small share of the referrals inserted, then with
   all of them; then `VACUUM (ANALYZE)` on PostgreSQL, a WAL checkpoint on SQLite;
2. gunicorn started as bench/run.py does (its `Server`, 2 workers), then, one request at a
   time, in rounds, after a warm-up, logged in as the demo case manager of the lead
   organization (one of the 40 recipients, so 1/40 of the referrals are in its inbox):
   a. `GET /referrals/inbox/`, the page: server time (`Server-Timing`); target < 150 ms;
   b. `GET /api/v1/referrals/inbox`, the same inbox over the API with that case manager's
      token: server time.

Results go into docs/benchmarks.md between the `bench:referrals` markers, and
var/bench/referrals.json.

    .venv/bin/python bench/referrals.py
    .venv/bin/python bench/referrals.py --referrals 5000 --rounds 2 --no-write   # a quick look
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

TARGETS = {"inbox_ms": 150}
START, END = "<!-- bench:referrals:start -->", "<!-- bench:referrals:end -->"
PASSWORD, LEAD, CASE_MANAGER = "thrive-demo", "harbor-light", "casemanager"
ORGANIZATIONS = 40
SMALL_SHARE = 0.02  # the share of referrals inserted before the first query count
# Every status a referral has once sent, in rough proportion of a running program.
STATUSES = (
    ["sent"] * 10
    + ["acknowledged"] * 15
    + ["accepted"] * 20
    + ["declined"] * 10
    + ["services_started"] * 15
    + ["completed"] * 25
    + ["withdrawn"] * 5
)
# The timestamps each status has, beside `sent_at`.
REACHED = {
    "sent": (),
    "acknowledged": ("acknowledged_at",),
    "accepted": ("acknowledged_at", "accepted_at"),
    "declined": ("acknowledged_at", "declined_at"),
    "services_started": ("acknowledged_at", "accepted_at", "started_at"),
    "completed": ("acknowledged_at", "accepted_at", "started_at", "completed_at"),
    "withdrawn": ("withdrawn_at",),
}
SERVICE_CODES = ["emergency_shelter", "immigration_relief", "legal_services", "mental_health"]


def main():
    args = parse_args()
    if args.inprocess:
        print(json.dumps(inprocess_setup(args.referrals, args.seed)))
        return
    engines = ["sqlite"] + (["postgresql"] if args.database_url else [])
    results = {
        "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {k: v for k, v in vars(args).items() if k != "database_url"},
        "runs": {},
    }
    for engine in engines:
        say(f"== referrals, {engine}")
        results["runs"][engine] = run_one(engine, args)
    report = render(results)
    print(report)
    if not args.no_write:
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        (ROOT / "var" / "bench" / "referrals.json").write_text(json.dumps(results, indent=1))
        write_doc(
            ROOT / "docs" / "benchmarks.md", report, start=START, end=END, heading="Referrals"
        )


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20, help="requests per round")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--inprocess", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def run_one(engine, args):
    var_dir = ROOT / "var" / "bench" / f"referrals-{engine}"
    database_url = (
        bench_database(args.database_url, "referrals", fresh=True) if engine == "postgresql" else ""
    )
    env = bench_env(var_dir, database_url)
    shutil.rmtree(var_dir, ignore_errors=True)
    (var_dir / "static").mkdir(parents=True)
    manage(env, "migrate", "--noinput")
    manage(env, "init_keys")
    manage(env, "demo", "--survivors=200")
    say(f"   inserting {args.referrals:,} referrals across {ORGANIZATIONS} organizations")
    done = subprocess.run(  # noqa: S603
        [PY, str(BENCH / "referrals.py"), "--inprocess", f"--referrals={args.referrals}"]
        + [f"--seed={args.seed}"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    setup = json.loads(done.stdout.strip().splitlines()[-1])
    token = setup.pop("token")
    say(
        f"   {setup['referrals']:,} referrals in {setup['insert_s']:.0f} s; "
        f"{setup['inbox']:,} in the lead organization's inbox; queries "
        f"{setup['queries_small']} / {setup['queries_full']} (page), "
        f"{setup['api_queries_small']} / {setup['api_queries_full']} (API)"
    )
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
        browser = Browser(server.base_url)
        browser.login(CASE_MANAGER, PASSWORD)
        run["inbox"] = timed(lambda: browser.get("/referrals/inbox/"), 'class="result-count"', args)
        api = Browser(server.base_url)
        auth = {"Authorization": f"Bearer {token}"}
        run["api_inbox"] = timed(
            lambda: api.get("/api/v1/referrals/inbox", headers=auth), '"results"', args
        )
    say(
        f"   inbox page median {median_of(run['inbox']['server_ms']):.1f} ms; "
        f"API median {median_of(run['api_inbox']['server_ms']):.1f} ms"
    )
    return run


def timed(get, expected, args):
    def one():
        reply = get()
        if reply.status != 200 or reply.server_ms is None or expected not in reply.body:
            raise RuntimeError(f"HTTP {reply.status}: {reply.body[:300]}")
        return reply

    for _ in range(4 * args.workers):  # every worker: imports, connections, caches
        one()
    rounds = [[one() for _ in range(args.requests)] for _ in range(args.rounds)]
    return {
        "server_ms": [[r.server_ms for r in batch] for batch in rounds],
        "client_ms": [[r.client_ms for r in batch] for batch in rounds],
        "bytes": len(rounds[0][0].body),
    }


# -- in process: the organizations, their cases and the referrals ---------------------------


def django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def inprocess_setup(count, seed):
    django_setup()
    from django.utils import timezone

    from thrive.accounts.actions import api_token_create
    from thrive.accounts.models import Membership

    rng = random.Random(seed)
    started = time.perf_counter()
    orgs = organizations()
    senders = sender_cases(orgs)
    lead = next(o for o in orgs if o["slug"] == LEAD)
    membership = Membership.objects.select_related("user", "organization").get(
        user__username=CASE_MANAGER, organization__slug=LEAD
    )
    _, token = api_token_create(membership, actor=membership.user, name="bench")
    now = timezone.now()
    small = max(ORGANIZATIONS, int(count * SMALL_SHARE))
    write_referrals(orgs, senders, 0, small, count, now, rng)
    queries_small, api_small = inbox_queries(membership.user, token)
    write_referrals(orgs, senders, small, count, count, now, rng)
    insert_s = time.perf_counter() - started
    queries_full, api_full = inbox_queries(membership.user, token)
    from thrive.referrals.models import Referral

    received = Referral.objects.filter(recipient_id=lead["id"]).exclude(status="draft")
    return {
        "token": token,
        "referrals": Referral.objects.count(),
        "organizations": len(orgs),
        "inbox_small": small // ORGANIZATIONS,
        "inbox": received.count(),
        "overdue": received.overdue().count(),
        "insert_s": insert_s,
        "queries_small": queries_small,
        "queries_full": queries_full,
        "api_queries_small": api_small,
        "api_queries_full": api_full,
    }


def organizations():
    """The demo's organizations and enough more to make 40, each with a case manager (one is
    added where the demo has none) and its directory entry; as dicts of ids."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from thrive.accounts.models import Membership, Organization, Role, User
    from thrive.referrals.models import Partner
    from thrive.services.models import ServiceType

    existing = list(Organization.objects.order_by("pk"))
    password = make_password(PASSWORD)
    with transaction.atomic():
        added = Organization.objects.bulk_create(
            Organization(
                slug=f"bench-agency-{n:02d}",
                name=f"Bench agency {n:02d}",
                kind=Organization.Kind.SERVICE_PROVIDER,
                county="Cedar",
                state="CA",
            )
            for n in range(ORGANIZATIONS - len(existing))
        )
        orgs = existing + added
        staffed = set(
            Membership.objects.filter(role=Role.CASE_MANAGER).values_list(
                "organization_id", flat=True
            )
        )
        unstaffed = [o for o in orgs if o.pk not in staffed]
        users = User.objects.bulk_create(
            User(username=f"bench-cm-{o.slug}", password=password) for o in unstaffed
        )
        Membership.objects.bulk_create(
            Membership(user=u, organization=o, role=Role.CASE_MANAGER)
            for u, o in zip(users, unstaffed, strict=True)
        )
        partners = Partner.objects.bulk_create(
            Partner(
                name=f"{o.name} (services)",
                organization=o,
                maintained_by=o,
                counties=["Cedar"],
                languages=["en", "es"],
                counties_key="|cedar|",
                languages_key="|en|es|",
            )
            for o in orgs
        )
        types = list(ServiceType.objects.filter(code__in=SERVICE_CODES))
        Partner.service_types.through.objects.bulk_create(
            Partner.service_types.through(partner_id=p.pk, servicetype_id=t.pk)
            for p in partners
            for t in types
        )
    return [
        {"id": o.pk, "slug": o.slug, "partner": p.pk, "types": [t.pk for t in types]}
        for o, p in zip(orgs, partners, strict=True)
    ]


def sender_cases(orgs):
    """A survivor, a case and the survivor's consent to referrals to every other organization
    in each organization, through the real actions, with the packet each would send (identity
    and case summary)."""
    from django.utils import timezone

    from thrive.accounts.models import Membership, Organization
    from thrive.cases.actions import case_open, program_create
    from thrive.referrals.actions import consent_record
    from thrive.referrals.models import Partner
    from thrive.referrals.packets import build_packet
    from thrive.survivors.actions import survivor_create

    partners = list(Partner.objects.filter(pk__in=[o["partner"] for o in orgs]))
    cases = {}
    for n, org in enumerate(orgs):
        organization = Organization.objects.get(pk=org["id"])
        actor = (
            Membership.objects.filter(organization=organization, role="case_manager")
            .select_related("user")
            .order_by("pk")
            .first()
            .user
        )
        program = program_create(
            organization,
            actor=actor,
            data={"name": "Referral benchmark", "kind": "case_management"},
        )
        survivor = survivor_create(
            organization,
            actor=actor,
            data={
                "legal_name": f"Bench Survivor {n:02d}",
                "preferred_name": f"Bench {n:02d}",
                "date_of_birth": datetime.date(1990 + n % 15, 1 + n % 12, 1 + n % 28),
                "primary_language": "es",
            },
        )
        case = case_open(
            survivor,
            actor=actor,
            program=program,
            data={"opened_on": timezone.localdate() - datetime.timedelta(days=400)},
        )
        consent = consent_record(
            survivor,
            actor=actor,
            data={
                "purposes": ["referral"],
                "categories": ["identity", "case_summary"],
                "signed_on": timezone.localdate() - datetime.timedelta(days=30),
                "method": "written",
            },
            recipients=[p for p in partners if p.organization_id != org["id"]],
        )
        cases[org["id"]] = {
            "case": case.pk,
            "survivor": survivor.pk,
            "consent": consent.pk,
            "actor": actor.pk,
            "packet": json.dumps(build_packet(case, ["identity", "case_summary"])),
        }
    return cases


def write_referrals(orgs, senders, first, last, total, now, rng):
    """Referrals number `first` to `last - 1` of `total`: the recipient turns through the 40
    organizations; the sender is another one; sent over the last year, newest last. A referral
    older than ten days is mostly answered by now; some are left overdue, the first to each
    organization among them (so both query counts include the inbox's overdue list)."""
    from django.db import transaction

    from thrive.referrals.models import Referral, add_business_days

    year = datetime.timedelta(days=365)
    for start in range(first, last, 5000):
        batch, wanted = [], []
        for i in range(start, min(last, start + 5000)):
            recipient = orgs[i % len(orgs)]
            sender = orgs[(i % len(orgs) + 1 + rng.randrange(len(orgs) - 1)) % len(orgs)]
            case = senders[sender["id"]]
            sent_at = now - year + year * (i / total) * rng.uniform(0.999, 1.0)
            status = rng.choice(STATUSES)
            if status == "sent" and now - sent_at > datetime.timedelta(days=10):
                status = "sent" if rng.random() < 0.05 else "completed"
            if i < len(orgs):
                status = "sent"
            referral = Referral(
                organization_id=sender["id"],
                case_id=case["case"],
                survivor_id=case["survivor"],
                partner_id=recipient["partner"],
                recipient_id=recipient["id"],
                urgency=rng.choice(["routine", "routine", "urgent", "emergency"]),
                categories=["identity", "case_summary"],
                consent_id=case["consent"],
                reason="Needs legal help with a visa application.",
                packet=case["packet"],
                status=status,
                created_by_id=case["actor"],
                created_at=sent_at - datetime.timedelta(hours=2),
                sent_at=sent_at,
                acknowledge_by=add_business_days(sent_at, 2),
            )
            moment = sent_at
            for field in REACHED[status]:
                moment += datetime.timedelta(hours=rng.randint(2, 72))
                setattr(referral, field, min(moment, now))
            if status == "declined":
                referral.decline_reason = "No capacity this month."
            batch.append(referral)
            wanted.append(rng.sample(recipient["types"], k=rng.randint(1, 2)))
        with transaction.atomic():
            made = Referral.objects.bulk_create(batch)
            Referral.service_types.through.objects.bulk_create(
                Referral.service_types.through(referral_id=r.pk, servicetype_id=t)
                for r, types in zip(made, wanted, strict=True)
                for t in types
            )


def inbox_queries(user, token):
    """The queries of the whole inbox request, the page and the API (second request: the
    session, the token's first use and per-process caches already there)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    counts = []
    for path, headers in [
        ("/referrals/inbox/", {}),
        ("/api/v1/referrals/inbox", {"authorization": f"Bearer {token}"}),
    ]:
        client.get(path, headers=headers)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status_code}")
        counts.append(len(captured))
    return counts


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
                "inbox",
                f"`GET /referrals/inbox/`, {s['inbox']:,} of {s['referrals']:,} referrals, "
                "server time",
                TARGETS["inbox_ms"],
            ),
            ("api_inbox", "`GET /api/v1/referrals/inbox`, the same inbox, server time", None),
        ]:
            rounds = run[key]["server_ms"]
            flat = [x for batch in rounds for x in batch]
            med = statistics.median(flat)
            medians = [statistics.median(batch) for batch in rounds]
            verdict = (
                f"| < {target} ms | {'yes' if med < target else 'NO'} |"
                if target
                else "| (stated) | |"
            )
            lines.append(
                f"| {label} | {name} | {med:.1f} ms | {p95(flat):.1f} ms "
                f"| {min(medians):.1f}–{max(medians):.1f} ms {verdict}"
            )
        constant = (s["queries_small"], s["api_queries_small"]) == (
            s["queries_full"],
            s["api_queries_full"],
        )
        lines.append(
            f"| … queries of the page / the API with {s['inbox_small']:,} and "
            f"{s['inbox']:,} in the inbox | {name} | {s['queries_small']} → "
            f"{s['queries_full']} / {s['api_queries_small']} → {s['api_queries_full']} | | "
            f"| constant | {'yes' if constant else 'NO'} |"
        )
    lines += ["", "Data per engine:", ""]
    for engine, run in results["runs"].items():
        s = run["setup"]
        lines.append(
            f"- {ENGINE_NAMES[engine]}: {s['referrals']:,} referrals across "
            f"{s['organizations']} organizations, bulk-inserted with their organizations, "
            f"cases and packets in {s['insert_s']:.0f} s; the lead organization's inbox holds "
            f"{s['inbox']:,} ({s['overdue']:,} overdue); {args['rounds']} rounds of "
            f"{args['requests']} requests each."
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
