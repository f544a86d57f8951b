"""`make bench`: Thrive's performance targets, measured on a real database behind a real server.

For each database engine (SQLite always; PostgreSQL too when DATABASE_URL is set) and each
data size (1,000 and 100,000 survivors at the lead agency by default):

1. build a fresh database: `manage.py migrate`, `init_keys`, `demo --survivors N` (timed);
2. count the queries of each page in process (Django's test Client, CaptureQueriesContext)
   and time the exact-name queryset on its own (bench/inprocess.py reads);
3. start gunicorn on 127.0.0.1 (a free port, DEBUG off, two-factor off), log in with a real
   POST, and send a bounded number of requests: each page in several rounds one at a time,
   then the list page from several logged-in clients at once, then creates through the
   "New survivor" form; every reply's client latency and the server's own time
   (`Server-Timing: app;dur=...`) are kept;
4. time the audited `survivor_create` action in process (bench/inprocess.py creates).

It prints a markdown table and writes it, with the machine and method, into
docs/benchmarks.md between the `bench:results` markers. Raw figures go to
var/bench/results.json. Nothing here runs in the test suite.

    .venv/bin/python bench/run.py                      # what `make bench` runs
    .venv/bin/python bench/run.py --sizes 1000 --rounds 2 --no-write   # a quick look
"""

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import re
import secrets
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from httpclient import Browser, csrf_token
from people import person_form_data

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PY = sys.executable
DEMO_USER, DEMO_PASSWORD = "casemanager", "thrive-demo"
TARGETS = {"list_ms": 150, "list_queries": 10, "search_ms": 20}
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"


def main():
    args = parse_args()
    engines = ["sqlite"] + (["postgresql"] if args.database_url else [])
    started = datetime.datetime.now().astimezone()
    results = {
        "started": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {k: v for k, v in vars(args).items() if k != "database_url"},
        "runs": {},
    }
    for engine in engines:
        for size in args.sizes:
            label = f"{engine}-{size}"
            say(f"== {label}")
            results["runs"][label] = run_one(engine, size, args)
            if engine == "postgresql":
                results["machine"]["postgresql"] = results["runs"][label].pop("server_version")
    results["finished"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    results["machine"]["load_average_after"] = os.getloadavg()
    report = render(results, engines, args.sizes)
    print(report)
    if not args.no_write:
        out = ROOT / "var" / "bench" / "results.json"
        out.write_text(json.dumps(results, indent=1, default=str))
        write_doc(args.output, report)
        say(f"Results written to {args.output.relative_to(ROOT)} and {out.relative_to(ROOT)}")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=lambda s: [int(n) for n in s.split(",")], default=None)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each measurement")
    parser.add_argument("--requests", type=int, default=20, help="requests per page per round")
    parser.add_argument("--creates", type=int, default=20, help="creates per client per round")
    parser.add_argument("--concurrency", type=int, default=4, help="clients in the load phases")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (nproc)")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--no-write", action="store_true", help="print, write no file")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure again on the last run's databases (which hold its creates too)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="PostgreSQL server to also run on (fresh <name>_bench_<N> databases are made there)",
    )
    args = parser.parse_args()
    args.sizes = args.sizes or [1000, 100_000]
    args.workers = args.workers or len(os.sched_getaffinity(0))
    args.output = args.output.resolve()
    return args


def say(text):
    print(text, file=sys.stderr, flush=True)


# -- one engine at one size -----------------------------------------------------------------


def run_one(engine, size, args):
    var_dir = ROOT / "var" / "bench" / f"{engine}-{size}"
    built = var_dir / "built.json"
    reuse = args.reuse and built.exists()
    database_url = ""
    if engine == "postgresql":
        database_url = bench_database(args.database_url, size, fresh=not reuse)
    env = bench_env(var_dir, database_url)
    if reuse:
        say(f"   reusing the database built {json.loads(built.read_text())['at']}")
        run = {"survivors": size, "build": {**json.loads(built.read_text()), "reused": True}}
    else:
        run = {"survivors": size, "build": build(var_dir, env, size, engine)}
        built.write_text(json.dumps(run["build"]))
    if engine == "postgresql":
        run["server_version"] = postgres_version(database_url)
    say("   query counts and the name look-up, in process")
    run["reads"] = inprocess(env, "reads", f"--rounds={args.rounds}")
    run["load_average"] = os.getloadavg()
    with Server(env, var_dir, args.workers) as server:
        say(f"   gunicorn on {server.base_url} ({args.workers} workers)")
        run["http_reads"] = http_reads(server, run["reads"], args)
        run["http_load"] = http_load(server, args)
        run["http_creates"] = http_creates(server, args)
    say("   survivor_create action, in process")
    run["creates"] = inprocess(
        env, "creates", f"--rounds={args.rounds}", f"--per-round={args.creates * 2}"
    )
    return run


def bench_env(var_dir, database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("THRIVE_")}
    env.update(
        THRIVE_DEBUG="0",
        THRIVE_HTTPS="0",  # plain HTTP on loopback; no TLS proxy in front
        THRIVE_SECRET_KEY=secrets.token_urlsafe(50),
        THRIVE_ALLOWED_HOSTS="127.0.0.1",
        THRIVE_REQUIRE_2FA="0",  # the demo user has no authenticator; see docs/benchmarks.md
        THRIVE_VAR_DIR=str(var_dir),
        THRIVE_KEY_FILE=str(var_dir / "thrive-keys.json"),
        THRIVE_LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env, *args):
    command = [PY, "manage.py", *args]
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603


def build(var_dir, env, size, engine):
    shutil.rmtree(var_dir, ignore_errors=True)
    (var_dir / "static").mkdir(parents=True)  # STATIC_ROOT: whitenoise warns if it is missing
    say(f"   building a fresh database with {size:,} survivors at the lead agency")
    timings = {"at": datetime.datetime.now().astimezone().isoformat(timespec="seconds")}
    for step, args in [
        ("migrate", ["migrate", "--noinput"]),
        ("init_keys", ["init_keys"]),
        ("demo", ["demo", f"--survivors={size}"]),
    ]:
        started = time.perf_counter()
        manage(env, *args)
        timings[f"{step}_s"] = time.perf_counter() - started
    say(f"   demo data loaded in {timings['demo_s']:.1f} s")
    if engine == "sqlite":
        database = var_dir / "thrive.sqlite3"
        with sqlite3.connect(database) as db:  # as a running system would have by now
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        timings["database_mb"] = database.stat().st_size / 1e6
    else:
        # What autovacuum does soon after a bulk load (statistics, and the visibility map that
        # lets COUNT(*) use an index-only scan); do not race it, nor depend on it being on.
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
    return timings


def bench_database(url, size, *, fresh):
    """A database of its own on the DATABASE_URL server: <name>_bench_<size>, made afresh."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = f"{parts.path.lstrip('/')}_bench_{size}"
    if fresh:
        with psycopg.connect(url, autocommit=True) as conn:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            conn.execute(drop.format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def postgres_version(url):
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def inprocess(env, *args):
    done = subprocess.run(  # noqa: S603
        [PY, str(BENCH / "inprocess.py"), *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


class Server:
    """gunicorn serving thrive.wsgi on a free loopback port, stopped on exit."""

    def __init__(self, env, var_dir, workers):
        self.env, self.var_dir, self.workers = env, var_dir, workers

    def __enter__(self):
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.log = open(self.var_dir / "gunicorn.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603
            [PY, "-m", "gunicorn", "thrive.wsgi:application"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", str(self.workers)]
            + ["--timeout", "120", "--log-level", "warning"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped; see {self.var_dir / 'gunicorn.log'}")
            try:
                if Browser(self.base_url, timeout=5).get("/accounts/login/").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def cpu_seconds(self):
        """CPU time (user + system) the gunicorn workers have used so far, from /proc.

        Unlike wall time this hardly moves when other programs share the CPUs."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the process ended meanwhile
            if int(fields[1]) == self.process.pid:  # the parent: a worker of this server
                total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
        return total / os.sysconf("SC_CLK_TCK")

    def __exit__(self, *exc):
        self.process.terminate()  # gunicorn's graceful stop
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- HTTP measurements -------------------------------------------------------------------------


def logged_in(base_url):
    browser = Browser(base_url)
    browser.login(DEMO_USER, DEMO_PASSWORD)
    return browser


def http_reads(server, reads, args):
    """Each page, one request at a time, in rounds that interleave the pages. Searches are
    POSTs of the list page's search form (a searched name never enters a URL)."""
    names = reads["names"]
    browser = logged_in(server.base_url)
    token = csrf_token(browser.get("/survivors/"))

    def search(i, headers):
        data = {"q": names[i % len(names)], "csrfmiddlewaretoken": token}
        return check_page(browser.request("/survivors/", data=data, headers=headers), True)

    htmx = {"HX-Request": "true"}
    pages = {
        "list": lambda i: check_page(browser.get("/survivors/")),
        "list_htmx": lambda i: check_page(browser.get("/survivors/", headers=htmx)),
        "list_last_page": lambda i: check_page(
            browser.get(f"/survivors/?page={reads['last_page']}")
        ),
        "search_name": lambda i: search(i, {}),
        "search_name_htmx": lambda i: search(i, htmx),
    }
    say(f"   {len(pages)} pages x {args.rounds} rounds x {args.requests} requests")
    for page in pages.values():  # warm each worker's caches and connections
        for i in range(2 * args.workers):
            page(i)
    found = {key: new_samples(args.rounds) for key in pages}
    for r in range(args.rounds):
        for key, page in pages.items():
            cpu_before = server.cpu_seconds()
            for i in range(args.requests):
                add_sample(found[key], r, page(r * args.requests + i))
            cpu = server.cpu_seconds() - cpu_before
            found[key]["server_cpu_ms"].append(cpu * 1000 / args.requests)
    return found


def check_page(reply, searched=False):
    if reply.status != 200 or reply.server_ms is None or 'class="list"' not in reply.body:
        raise RuntimeError(f"unexpected reply: HTTP {reply.status}")
    if searched and 'class="result-count"' not in reply.body:
        raise RuntimeError("a search was answered with the unsearched list")
    if searched and re.search(r">\s*0 survivors found", reply.body):
        raise RuntimeError("a name search found no one: the blind index does not match")
    return reply


def new_samples(rounds):
    return {
        "server_ms": [],
        "client_ms": [],
        "rounds": [[] for _ in range(rounds)],
        "server_cpu_ms": [],  # per request, one figure per round
    }


def add_sample(samples, round_index, reply):
    samples["server_ms"].append(reply.server_ms)
    samples["client_ms"].append(reply.client_ms)
    samples["rounds"][round_index].append(reply.server_ms)


def in_parallel(count, work):
    """Run work(i) on `count` threads at once; returns their results and the wall time."""
    results = [None] * count
    errors = []
    gate = threading.Barrier(count + 1)

    def one(i):
        try:
            gate.wait()
            results[i] = work(i)
        except Exception as error:  # re-raised below, in the main thread
            errors.append(error)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results, time.perf_counter() - started


def http_load(server, args):
    """The list page from `concurrency` logged-in clients at once, in rounds."""
    browsers = [logged_in(server.base_url) for _ in range(args.concurrency)]
    found = {**new_samples(args.rounds), "per_second": []}
    say(f"   list page under load: {args.concurrency} clients x {args.rounds} rounds")
    for r in range(args.rounds):

        def work(i):
            return [check_page(browsers[i].get("/survivors/")) for _ in range(args.requests)]

        concurrent_round(server, args.concurrency, work, found, r)
    return found


def concurrent_round(server, clients, work, samples, round_index):
    """Run `work(i)` for each of `clients` at once; record replies, rate and server CPU."""
    cpu_before = server.cpu_seconds()
    replies, wall = in_parallel(clients, work)
    cpu = server.cpu_seconds() - cpu_before
    flat = [reply for batch in replies for reply in batch]
    for reply in flat:
        add_sample(samples, round_index, reply)
    samples["per_second"].append(len(flat) / wall)
    samples["server_cpu_ms"].append(cpu * 1000 / len(flat))


def http_creates(server, args):
    """POSTs of the "New survivor" form: one client, then `concurrency` clients at once."""
    counter = iter(range(10**9))
    lock = threading.Lock()

    def next_person():
        with lock:
            return person_form_data(next(counter))

    def create(browser, token):
        reply = browser.request(
            "/survivors/new/", data={**next_person(), "csrfmiddlewaretoken": token}
        )
        if reply.status != 302 or not re.match(r"/survivors/\d+/$", reply.location):
            problems = re.findall(r'<li><a href="#[^"]*">([^<]*)</a></li>', reply.body)
            raise RuntimeError(f"create failed: HTTP {reply.status} {problems}")
        return reply

    clients = []
    for _ in range(args.concurrency):
        browser = logged_in(server.base_url)
        clients.append((browser, csrf_token(browser.get("/survivors/new/"))))
    say(f"   creates through the form: 1 client, then {args.concurrency}, x {args.rounds} rounds")
    single = {**new_samples(args.rounds), "per_second": []}
    loaded = {**new_samples(args.rounds), "per_second": []}
    for r in range(args.rounds):
        browser, token = clients[0]
        started, cpu_before = time.perf_counter(), server.cpu_seconds()
        for _ in range(args.creates):
            add_sample(single, r, create(browser, token))
        single["per_second"].append(args.creates / (time.perf_counter() - started))
        single["server_cpu_ms"].append((server.cpu_seconds() - cpu_before) * 1000 / args.creates)

        def work(i):
            return [create(*clients[i]) for _ in range(args.creates)]

        concurrent_round(server, args.concurrency, work, loaded, r)
    return {"single": single, "concurrent": loaded}


# -- the report --------------------------------------------------------------------------------


def median(values):
    return statistics.median(values)


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def ms(samples, key="server_ms"):
    return f"{median(samples[key]):.1f} ({p95(samples[key]):.1f})"


def rate(rates):
    return f"{median(rates):.0f} ({min(rates):.0f}–{max(rates):.0f})"


def spread(samples):
    """Lowest and highest of the per-round medians: how much the machine's noise moved it."""
    medians = [median(r) for r in samples["rounds"] if r]
    return f"{min(medians):.1f}–{max(medians):.1f}"


def summary(figures, digits=1):
    return f"{figures['median']:.{digits}f} ({figures['p95']:.{digits}f})"


def cpu_of(samples):
    """Median over rounds of the workers' CPU ms per request."""
    return f"{median(samples['server_cpu_ms']):.1f}"


def rows_for(run):
    r, h, load, creates = run["reads"], run["http_reads"], run["http_load"], run["creates"]
    q, cpu = r["queries"], r["cpu_ms"]
    return {
        "list_server": ms(h["list"]),
        "list_rounds": spread(h["list"]),
        "list_client": ms(h["list"], "client_ms"),
        "list_server_cpu": cpu_of(h["list"]),
        "list_cpu": summary(cpu["list"]),
        "list_queries": str(q["list"]["count"]),
        "htmx_server": ms(h["list_htmx"]),
        "htmx_queries": str(q["list_htmx"]["count"]),
        "last_server": ms(h["list_last_page"]),
        "last_server_cpu": cpu_of(h["list_last_page"]),
        "last_cpu": summary(cpu["list_last_page"]),
        "last_queries": str(q["list_last_page"]["count"]),
        "load_server": ms(load),
        "load_client": ms(load, "client_ms"),
        "load_rate": rate(load["per_second"]),
        "load_server_cpu": cpu_of(load),
        "search_server": ms(h["search_name"]),
        "search_rounds": spread(h["search_name"]),
        "search_client": ms(h["search_name"], "client_ms"),
        "search_server_cpu": cpu_of(h["search_name"]),
        "search_cpu": summary(cpu["search_name"]),
        "search_queries": str(q["search_name"]["count"]),
        "search_htmx_server": ms(h["search_name_htmx"]),
        "search_htmx_rounds": spread(h["search_name_htmx"]),
        "search_htmx_server_cpu": cpu_of(h["search_name_htmx"]),
        "search_htmx_cpu": summary(cpu["search_name_htmx"]),
        "search_htmx_queries": str(q["search_name_htmx"]["count"]),
        "search_qs": summary(r["search_queryset_ms"], 2),
        "search_matches": f"{r['search_matches']['median']:.0f} (max {r['search_matches']['max']})",
        "action_rate": rate(creates["action_per_second"]),
        "action_ms": summary(creates["action_ms"]),
        "action_cpu": summary(creates["action_cpu_ms"]),
        "action_queries": str(creates["action_queries"]["count"]),
        "post_rate": rate(run["http_creates"]["single"]["per_second"]),
        "post_server": ms(run["http_creates"]["single"]),
        "post_client": ms(run["http_creates"]["single"], "client_ms"),
        "post_server_cpu": cpu_of(run["http_creates"]["single"]),
        "post_load_rate": rate(run["http_creates"]["concurrent"]["per_second"]),
        "post_load_server": ms(run["http_creates"]["concurrent"]),
        "post_queries": str(creates["http_post_queries"]["count"]),
        "demo": f"{run['build']['demo_s']:.0f} s"
        + (" (earlier)" if run["build"].get("reused") else ""),
        "load_average": fmt_load(run["load_average"]),
    }


ROWS = [
    ("list_server", "`/survivors/` server time, ms", "< 150"),
    ("list_rounds", "… lowest–highest round median, ms", ""),
    ("list_client", "… client latency, ms", ""),
    ("list_server_cpu", "… server CPU time per request, ms", ""),
    ("list_cpu", "… CPU time in process (test Client), ms", ""),
    ("list_queries", "… queries per request", "≤ 10, flat"),
    ("htmx_server", "… htmx partial (`HX-Request`), server ms", ""),
    ("htmx_queries", "… htmx partial, queries", ""),
    ("last_server", "… last page (`?page=N`), server ms", ""),
    ("last_server_cpu", "… last page, server CPU ms", ""),
    ("last_cpu", "… last page, CPU time in process, ms", ""),
    ("last_queries", "… last page, queries", ""),
    ("load_server", "`/survivors/` with {c} clients at once, server ms", ""),
    ("load_client", "… client latency, ms", ""),
    ("load_rate", "… requests/s (lowest–highest round)", ""),
    ("load_server_cpu", "… server CPU ms per request", ""),
    ("search_server", "search by full name, `POST /survivors/`, server ms", "< 20"),
    ("search_rounds", "… lowest–highest round median, ms", ""),
    ("search_client", "… client latency, ms", ""),
    ("search_server_cpu", "… server CPU time per request, ms", ""),
    ("search_cpu", "… CPU time in process (test Client), ms", ""),
    ("search_queries", "… queries per request", ""),
    ("search_htmx_server", "… htmx partial (what the search box sends), server ms", "< 20"),
    ("search_htmx_rounds", "… lowest–highest round median, ms", ""),
    ("search_htmx_server_cpu", "… htmx partial, server CPU ms", ""),
    ("search_htmx_cpu", "… htmx partial, CPU time in process, ms", ""),
    ("search_htmx_queries", "… htmx partial, queries", ""),
    ("search_qs", "`visible_to(user).search(name)` evaluated, ms", "< 20"),
    ("search_matches", "… survivors matched per name", ""),
    ("action_rate", "`survivor_create` action, creates/s (lowest–highest round)", ""),
    ("action_ms", "… ms per create", ""),
    ("action_cpu", "… CPU ms per create", ""),
    ("action_queries", "… queries per create", ""),
    ("post_rate", "POST `/survivors/new/`, 1 client, creates/s", ""),
    ("post_server", "… server ms", ""),
    ("post_client", "… client latency, ms", ""),
    ("post_server_cpu", "… server CPU ms per create", ""),
    ("post_load_rate", "POST `/survivors/new/`, {c} clients, creates/s", ""),
    ("post_load_server", "… server ms", ""),
    ("post_queries", "… queries per request", ""),
    ("demo", "`manage.py demo --survivors N` load time", ""),
    ("load_average", "machine load average when the requests began (1/5/15 min)", ""),
]


def verdicts(results, engines, sizes):
    """Each target, judged at the largest size on every engine."""
    largest = max(sizes)
    checks = []
    for engine in engines:
        run = results["runs"][f"{engine}-{largest}"]
        small = results["runs"].get(f"{engine}-{min(sizes)}", run)
        list_q = run["reads"]["queries"]["list"]["count"]
        flat = list_q == small["reads"]["queries"]["list"]["count"]
        checks += [
            (
                f"{engine}: list page server time < {TARGETS['list_ms']} ms at {largest:,} "
                f"(server CPU {cpu_of(run['http_reads']['list'])} ms per request)",
                median(run["http_reads"]["list"]["server_ms"]) < TARGETS["list_ms"],
            ),
            (
                f"{engine}: list page ≤ {TARGETS['list_queries']} queries, same at "
                f"{min(sizes):,} and {largest:,}",
                list_q <= TARGETS["list_queries"] and flat,
            ),
            (
                f"{engine}: name search page server time < {TARGETS['search_ms']} ms "
                f"(server CPU {cpu_of(run['http_reads']['search_name'])} ms per request)",
                median(run["http_reads"]["search_name"]["server_ms"]) < TARGETS["search_ms"],
            ),
            (
                f"{engine}: name search, htmx partial, server time < {TARGETS['search_ms']} ms "
                f"(server CPU {cpu_of(run['http_reads']['search_name_htmx'])} ms per request)",
                median(run["http_reads"]["search_name_htmx"]["server_ms"]) < TARGETS["search_ms"],
            ),
            (
                f"{engine}: name search queryset < {TARGETS['search_ms']} ms",
                run["reads"]["search_queryset_ms"]["median"] < TARGETS["search_ms"],
            ),
        ]
    return checks


ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def render(results, engines, sizes):
    args = results["settings"]
    columns = [(e, s) for e in engines for s in sizes]
    cells = {col: rows_for(results["runs"][f"{col[0]}-{col[1]}"]) for col in columns}
    head = ["Measure, median (p95)", "Target"]
    head += [f"{ENGINE_NAMES[e]} {s:,}" for e, s in columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, label, target in ROWS:
        label = label.format(c=args["concurrency"])
        lines.append("| " + " | ".join([label, target] + [cells[c][key] for c in columns]) + " |")
    m = results["machine"]
    out = [
        f"Run {results['started']} to {results['finished']} by `make bench` (bench/run.py).",
        "",
        "\n".join(lines),
        "",
        "Targets, judged at the largest size by the median server time (`Server-Timing`):",
        "",
    ]
    out += [
        f"- {'met' if ok else '**MISSED**'}: {text}"
        for text, ok in verdicts(results, engines, sizes)
    ]
    out += [
        "",
        "Machine:",
        "",
        f"- {m['nproc']} CPUs available (`nproc`), {m['cpu']}; {m['ram_gb']:.1f} GB RAM; {m['os']}",
        f"- load average before {fmt_load(m['load_average_before'])}, "
        f"after {fmt_load(m['load_average_after'])} (a shared machine: other work ran too)",
        f"- Python {m['python']}, Django {m['django']}, gunicorn {m['gunicorn']}, "
        f"SQLite {m['sqlite']}" + (f", PostgreSQL {m['postgresql']}" if "postgresql" in m else ""),
        f"- Thrive at commit {m['commit']}",
        "",
        "Data per run:",
        "",
    ]
    for e, s in columns:
        run = results["runs"][f"{e}-{s}"]
        size = f", {run['build']['database_mb']:.0f} MB database file" if e == "sqlite" else ""
        out.append(
            f"- {ENGINE_NAMES[e]} {s:,}: {run['reads']['survivors_in_org']:,} survivors in the "
            f"user's organization, {run['reads']['survivors_all']:,} in all; "
            f"`migrate` {run['build']['migrate_s']:.0f} s, `demo` {run['build']['demo_s']:.0f} s"
            f"{size}"
        )
    out += [
        "",
        f"Requests: {args['rounds']} rounds; per round {args['requests']} requests of each page "
        f"from one client, {args['concurrency']} clients × {args['requests']} list requests, "
        f"{args['creates']} creates from one client and {args['concurrency']} × "
        f"{args['creates']} from {args['concurrency']} clients; gunicorn with "
        f"{args['workers']} sync workers.",
    ]
    for engine in engines:
        reads = results["runs"][f"{engine}-{max(sizes)}"]["reads"]
        out += [
            "",
            f"Queries of `/survivors/` ({ENGINE_NAMES[engine]}, {max(sizes):,} survivors):",
            "",
        ]
        out += [
            f"{i}. `{shorten(sql)}`" for i, sql in enumerate(reads["queries"]["list"]["sql"], 1)
        ]
        out += [
            "",
            f"{ENGINE_NAMES[engine]} query plans at that size:",
            "",
            "```",
            "-- the list page's rows",
            reads["list_explain"],
            "-- exact-name search",
            reads["search_explain"],
            "```",
        ]
    return "\n".join(out)


def shorten(sql, width=110):
    sql = re.sub(r"'\.eJ[^']*'", "'<session data>'", sql)
    sql = re.sub(r'SELECT ("[a-z_]+"\."[a-z_]+", )+("[a-z_]+"\."[a-z_]+")', "SELECT …", sql)
    return sql if len(sql) <= width else sql[: width - 1] + "…"


def fmt_load(load):
    return " / ".join(f"{x:.1f}" for x in load)


def machine():
    cpuinfo = Path("/proc/cpuinfo").read_text()
    meminfo = Path("/proc/meminfo").read_text()
    import django

    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": next(
            (
                line.split(":", 1)[1].strip()
                for line in cpuinfo.splitlines()
                if "model name" in line
            ),
            platform.processor() or "unknown CPU",
        ),
        "ram_gb": int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1)) / 1024**2,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": importlib.metadata.version("gunicorn"),
        "sqlite": sqlite3.sqlite_version,
        "load_average_before": os.getloadavg(),
        "commit": git_commit(),
    }


def git_commit():
    """The commit measured, marked if the working tree differed from it."""

    def git(*args):
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)  # noqa: S603, S607
        return done.stdout.strip()

    changed = git("status", "--porcelain", "--untracked-files=no")
    return git("rev-parse", "--short", "HEAD") + (" with uncommitted changes" if changed else "")


def write_doc(path, report, *, start=START, end=END, heading="Results"):
    """Put `report` between the `start` and `end` markers of docs/benchmarks.md, adding a
    section `heading` with the markers at the end if they are not there yet."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if start not in text or end not in text:
        text = text.rstrip() + f"\n\n## {heading}\n\n{start}\n{end}\n"
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    path.write_text(f"{before}{start}\n{report}\n{end}{after}")


if __name__ == "__main__":
    main()
