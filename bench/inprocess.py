"""In-process measurements against the benchmark database; run by bench/run.py, prints JSON.

    python bench/inprocess.py reads   query counts of each page, timing of the name look-up
    python bench/inprocess.py creates throughput of the audited survivor_create action

The environment (THRIVE_VAR_DIR, DATABASE_URL, keys...) is the one the benchmark server runs
with, so this reads and writes the same database. Query counts come from Django's test
Client under CaptureQueriesContext: the full request, middleware and session included.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from people import person_form_data  # noqa: E402

from thrive.accounts.access import attach_membership  # noqa: E402
from thrive.accounts.models import User  # noqa: E402
from thrive.survivors.actions import survivor_create  # noqa: E402
from thrive.survivors.forms import SurvivorForm  # noqa: E402
from thrive.survivors.models import Survivor  # noqa: E402

USERNAME = "casemanager"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PAGE_SIZE = settings.THRIVE_PAGE_SIZE


def the_user():
    user = User.objects.get(username=USERNAME)
    attach_membership(user)
    return user


def logged_in_client(user):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def count_queries(client, path, *, method="get", data=None, headers=None, expect=200):
    client.get("/")  # warm: the first request of a process loads caches nobody else pays for
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(path, data=data, headers=headers or {})
    if response.status_code != expect:
        raise RuntimeError(f"{method.upper()} {path}: HTTP {response.status_code}, not {expect}")
    if method == "post" and expect == 200 and b'class="result-count"' not in response.content:
        raise RuntimeError(f"POST {path} did not search")
    return {"count": len(captured), "sql": [q["sql"] for q in captured.captured_queries]}


def sample_names(user, how_many, seed):
    """Full legal names of random survivors of the user's organization (decrypted here)."""
    rng = random.Random(seed)
    mine = Survivor.objects.visible_to(user)
    numbers = list(mine.values_list("record_number", flat=True))
    picked = rng.sample(numbers, min(how_many, len(numbers)))
    return [s.legal_name for s in mine.filter(record_number__in=picked).only("legal_name")]


def summarize(samples):
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "median": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "min": ordered[0],
        "max": ordered[-1],
    }


def cpu_ms(client, requests, *, headers=None, repeat=1):
    """CPU time of this thread per request (the test Client runs the whole request here; with
    SQLite the database work is in it too, with PostgreSQL the server's part is not)."""
    samples = []
    for _round in range(repeat):
        for method, path, data in requests:
            started = time.thread_time()
            getattr(client, method)(path, data, headers=headers or {})
            samples.append((time.thread_time() - started) * 1000)
    return summarize(samples)


def reads(args):
    user = the_user()
    client = logged_in_client(user)
    total = Survivor.objects.visible_to(user).count()
    names = sample_names(user, args.names, args.seed)
    last_page = max(1, -(-total // PAGE_SIZE))
    htmx = {"HX-Request": "true"}
    queries = {
        "list": count_queries(client, "/survivors/"),
        "list_htmx": count_queries(client, "/survivors/", headers=htmx),
        "list_last_page": count_queries(client, f"/survivors/?page={last_page}"),
        # Searches are POSTed: a searched name never enters a URL.
        "search_name": count_queries(client, "/survivors/", method="post", data={"q": names[0]}),
        "search_name_htmx": count_queries(
            client, "/survivors/", method="post", data={"q": names[0]}, headers=htmx
        ),
    }
    searches = [("post", "/survivors/", {"q": name}) for name in names]
    cpu = {
        "list": cpu_ms(client, [("get", "/survivors/", {})] * 10, repeat=args.rounds),
        "list_last_page": cpu_ms(
            client, [("get", "/survivors/", {"page": last_page})] * 10, repeat=args.rounds
        ),
        "search_name": cpu_ms(client, searches, repeat=args.rounds),
        "search_name_htmx": cpu_ms(client, searches, headers=htmx, repeat=args.rounds),
    }
    # The queryset behind an exact-name search, alone: blind index, SQL, decryption.
    timings, matches = [], []
    for _round in range(args.rounds):
        for name in names:
            started = time.perf_counter()
            found, _by = Survivor.objects.visible_to(user).search(name)
            rows = list(found)
            timings.append((time.perf_counter() - started) * 1000)
            matches.append(len(rows))
    found, _by = Survivor.objects.visible_to(user).search(names[0])
    return {
        "survivors_in_org": total,
        "survivors_all": Survivor.objects.count(),
        "names": names,
        "last_page": last_page,
        "queries": queries,
        "cpu_ms": cpu,
        "search_queryset_ms": summarize(timings),
        "search_matches": summarize(matches),
        "search_explain": found.explain(),
        "list_explain": Survivor.objects.visible_to(user)[:PAGE_SIZE].explain(),
    }


def creates(args):
    user = the_user()
    organization = user.membership.organization
    start = Survivor.objects.count() + 1_000_000  # distinct from the HTTP run's people
    # Validated by the same form the view uses, outside the timed part.
    prepared = []
    for i in range(args.rounds * args.per_round + 1):
        form = SurvivorForm(person_form_data(start + i))
        if not form.is_valid():
            raise RuntimeError(f"the benchmark's survivor does not validate: {form.errors}")
        prepared.append(form.cleaned_data)
    with CaptureQueriesContext(connection) as captured:
        survivor_create(organization, actor=user, data=prepared.pop())
    action_queries = {"count": len(captured), "sql": [q["sql"] for q in captured]}
    client = logged_in_client(user)
    post_queries = count_queries(
        client, "/survivors/new/", method="post", data=person_form_data(start - 1), expect=302
    )
    latencies, cpu, rates = [], [], []
    for r in range(args.rounds):
        batch = prepared[r * args.per_round : (r + 1) * args.per_round]
        started = time.perf_counter()
        for data in batch:
            one, one_cpu = time.perf_counter(), time.thread_time()
            survivor_create(organization, actor=user, data=data)
            latencies.append((time.perf_counter() - one) * 1000)
            cpu.append((time.thread_time() - one_cpu) * 1000)
        rates.append(len(batch) / (time.perf_counter() - started))
    return {
        "action_queries": action_queries,
        "http_post_queries": post_queries,
        "action_ms": summarize(latencies),
        "action_cpu_ms": summarize(cpu),
        "action_per_second": rates,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["reads", "creates"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--names", type=int, default=20)
    parser.add_argument("--per-round", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    result = reads(args) if args.what == "reads" else creates(args)
    json.dump(result, sys.stdout, indent=1, default=str)


if __name__ == "__main__":
    main()
