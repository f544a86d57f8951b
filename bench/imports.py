"""How long `manage.py import_records` takes for N service rows from CSV, on SQLite.

Target: 100,000 service rows in under 60 s. Each round builds a fresh SQLite database in a
temporary directory (migrated once, then copied), with an organization, its staff, a program
and a grant; imports the survivors and cases the services refer to (not timed); then times
the command importing a CSV of N services: reading, checking every row, writing them with
their audit events. Nothing here runs in the test suite.

    .venv/bin/python bench/imports.py --rows 100000           # three rounds, prints the median
    .venv/bin/python bench/imports.py --rows 5000 --rounds 1   # a quick look
"""

import argparse
import csv
import datetime
import json
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES_PER_CASE = 10
SLUG = "bench-imports"
_state = {}


def _setup():
    """Django on a throwaway SQLite database (DEBUG off: no query log), migrated once."""
    if "template" in _state:
        return
    workdir = Path(tempfile.mkdtemp(prefix="thrive-bench-imports-"))
    _state["workdir"] = workdir
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="thrive.settings",
        DATABASE_URL="",
        THRIVE_DEBUG="0",
        THRIVE_SECRET_KEY=secrets.token_urlsafe(50),
        THRIVE_VAR_DIR=str(workdir),
        THRIVE_LOG_LEVEL="WARNING",
    )
    import django

    from thrive.lib.crypto import new_key

    os.environ["THRIVE_ENCRYPTION_KEYS"] = f"bench:{new_key()}"
    os.environ["THRIVE_BLIND_INDEX_KEY"] = new_key()
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    connection.close()
    _state["template"] = workdir / "thrive.sqlite3"


def _fresh_database(name):
    """Point the default connection at a copy of the migrated database."""
    from django.db import connection

    connection.close()
    path = _state["workdir"] / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(_state["template"], path)
    connection.settings_dict["NAME"] = str(path)
    return path


def _seed():
    """An organization with a director, a case manager, a program and a grant."""
    from thrive.accounts.models import Membership, Organization, Role, User
    from thrive.cases.actions import program_create
    from thrive.grants.actions import funder_create, grant_create
    from thrive.services.models import ServiceType

    organization = Organization.objects.create(
        name="Bench agency", slug=SLUG, kind=Organization.Kind.SERVICE_PROVIDER
    )
    users = {}
    for username, role in (("director", Role.PROGRAM_DIRECTOR), ("manager", Role.CASE_MANAGER)):
        users[username] = User(username=username)
        users[username].set_unusable_password()
        users[username].save()
        Membership.objects.create(user=users[username], organization=organization, role=role)
    program_create(
        organization,
        actor=users["director"],
        data={"name": "Comprehensive case management", "kind": "case_management"},
    )
    funder = funder_create(
        organization, actor=users["director"], data={"name": "Bench funder", "kind": "federal"}
    )
    today = datetime.date.today()
    grant_create(
        organization,
        actor=users["director"],
        data={
            "funder": funder,
            "name": "Bench grant",
            "amount": 10_000_000,
            "starts_on": today - datetime.timedelta(days=3 * 365),
            "ends_on": today + datetime.timedelta(days=365),
            "allowable_types": list(
                ServiceType.objects.filter(
                    code__in=["emergency_shelter", "food", "case_management", "transportation"]
                )
            ),
        },
    )
    return organization


def _write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)


def write_files(directory, rows, seed=2026):
    """survivors.csv, cases.csv and services.csv with `rows` services over rows/10 cases."""
    from thrive.services.models import ServiceType

    rng = random.Random(seed)
    today = datetime.date.today()
    cases = max(1, rows // SERVICES_PER_CASE)
    opened = {}
    survivors = []
    case_rows = []
    for i in range(cases):
        opened[i] = today - datetime.timedelta(days=rng.randint(60, 700))
        survivors.append(
            [
                f"S{i}",
                f"Bench person {i}",
                "woman" if i % 3 else "man",
                "hispanic_latino" if i % 2 else "white",
                (opened[i] - datetime.timedelta(days=3)).isoformat(),
            ]
        )
        case_rows.append(
            [f"C{i}", f"S{i}", "Comprehensive case management", "manager", "active"]
            + [opened[i].isoformat()]
        )
    _write(
        directory / "survivors.csv",
        ["external_id", "preferred_name", "gender_identity", "race_ethnicity", "intake_date"],
        survivors,
    )
    _write(
        directory / "cases.csv",
        ["external_id", "survivor_external_id", "program", "case_manager", "status", "opened_on"],
        case_rows,
    )
    types = [(t.code, t.units) for t in ServiceType.objects.filter(is_active=True)]
    granted = {"emergency_shelter", "food", "case_management", "transportation"}
    service_rows = []
    for n in range(rows):
        case = n % cases
        code, units = rng.choice(types)
        unit = rng.choice(units)
        day = opened[case] + datetime.timedelta(days=rng.randint(0, (today - opened[case]).days))
        quantity = {"hours": "1.5", "nights": "3", "items": "2", "dollars": "40"}[unit]
        funded = code in granted and rng.random() < 0.5
        partner = not funded and rng.random() < 0.1
        service_rows.append(
            [
                f"SV{n}",
                f"C{case}",
                code,
                day.isoformat(),
                quantity,
                unit,
                "25.00" if unit != "dollars" and rng.random() < 0.3 else "",
                "grant" if funded else "",
                "Bench grant" if funded else "",
                "Bench partner clinic" if partner else "",
                "Bench note: an invented service." if rng.random() < 0.1 else "",
            ]
        )
    _write(
        directory / "services.csv",
        [
            "external_id",
            "case_external_id",
            "service_type",
            "delivered_on",
            "quantity",
            "unit",
            "cost",
            "funding",
            "grant",
            "partner_name",
            "notes",
        ],
        service_rows,
    )


def measure_import(rows=100_000):
    """Seconds `import_records` takes to import `rows` service rows from CSV into a fresh
    SQLite database (their survivors and cases imported first, untimed)."""
    _setup()
    from django.core.management import call_command

    from thrive.services.models import Service

    _state["round"] = _state.get("round", 0) + 1
    _fresh_database(f"round-{_state['round']}")
    _seed()
    directory = _state["workdir"] / f"files-{_state['round']}"
    directory.mkdir()
    write_files(directory, rows)
    quiet = {"organization": SLUG, "user": "director", "stdout": open(os.devnull, "w")}  # noqa: SIM115
    call_command("import_records", directory / "survivors.csv", directory / "cases.csv", **quiet)
    started = time.perf_counter()
    call_command("import_records", directory / "services.csv", **quiet)
    seconds = time.perf_counter() - started
    imported = Service.objects.count()
    if imported != rows:
        raise RuntimeError(f"{imported} services imported, not {rows}")
    shutil.rmtree(directory)
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="end with one JSON line of times")
    args = parser.parse_args()
    try:
        times = []
        for round_number in range(1, args.rounds + 1):
            times.append(measure_import(args.rows))
            print(f"round {round_number}: {args.rows:,} service rows in {times[-1]:.1f} s")
        print(
            f"median of {len(times)}: {statistics.median(times):.1f} s "
            f"({args.rows / statistics.median(times):,.0f} rows/s; target: 100,000 in < 60 s)"
        )
        if args.json:
            print(json.dumps({"rows": args.rows, "seconds": times}))
    finally:
        shutil.rmtree(_state.get("workdir", ""), ignore_errors=True)


if __name__ == "__main__":
    main()
