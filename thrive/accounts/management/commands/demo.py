"""Synthetic demo data: a county task force of six organizations, staff in every role, and
survivors with English and Spanish names. Idempotent: a second run changes nothing.

    manage.py demo                       about 300 survivors at the lead agency, 180 cases
    manage.py demo --survivors 100000    scale test: 100,000 at the lead agency, bulk inserts
    manage.py demo --cases 10000         as many cases (with plans, tasks, services, notes)
"""

import datetime
import random

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from faker import Faker

from thrive.accounts.models import Membership, Organization, Role, TaskForce, User
from thrive.cases.demo import load_casework
from thrive.hotline.demo import load_hotline
from thrive.lib.choices import DECLINED, UNKNOWN
from thrive.lib.crypto import normalize_name
from thrive.outcomes.demo import load_outcomes
from thrive.survivors.actions import survivors_bulk_create
from thrive.survivors.models import (
    Citizenship,
    Education,
    Gender,
    HousingStatus,
    IncomeBand,
    Language,
    PriorServices,
    RaceEthnicity,
    ReferralSource,
    Survivor,
)

DEMO_PASSWORD = "thrive-demo"
LEAD = "harbor-light"
ORGANIZATIONS = [
    (LEAD, "Harbor Light Anti-Trafficking Program", Organization.Kind.SERVICE_PROVIDER),
    ("cedar-legal-aid", "Cedar County Legal Aid", Organization.Kind.LEGAL_AID),
    ("bayview-health", "Bayview Community Health Center", Organization.Kind.HEALTH),
    ("cedar-sheriff", "Cedar County Sheriff's Office", Organization.Kind.LAW_ENFORCEMENT),
    ("cedar-da", "Cedar County District Attorney", Organization.Kind.PROSECUTOR),
    ("cedar-dcfs", "Cedar County Children and Family Services", Organization.Kind.COUNTY_AGENCY),
]
# username, organization, role, name
STAFF = [
    ("advocate", LEAD, Role.HOTLINE_ADVOCATE, "Ana Flores"),
    ("casemanager", LEAD, Role.CASE_MANAGER, "Carlos Medina"),
    ("supervisor", LEAD, Role.SUPERVISOR, "Sam Okafor"),
    ("director", LEAD, Role.PROGRAM_DIRECTOR, "Dana Whitfield"),
    ("analyst", LEAD, Role.DATA_ANALYST, "Alex Chen"),
    ("trainer", LEAD, Role.TRAINER, "Tara Nguyen"),
    ("legal", "cedar-legal-aid", Role.CASE_MANAGER, "Lee Ramírez"),
    ("health", "bayview-health", Role.CASE_MANAGER, "Hana Park"),
    ("detective", "cedar-sheriff", Role.DATA_ANALYST, "Jordan Reyes"),
    ("coordinator", "cedar-dcfs", Role.DATA_ANALYST, "Cora Jackson"),
    ("multi", LEAD, Role.CASE_MANAGER, "Morgan Ellis"),
    ("multi", "cedar-legal-aid", Role.SUPERVISOR, "Morgan Ellis"),
]
# Survivors at each organization that serves people, as a share of --survivors.
SURVIVOR_SHARE = {LEAD: 1.0, "cedar-legal-aid": 0.1, "bayview-health": 0.1}
# Choice values picked from, built once: `Enum.values` builds a new list on every access,
# which at --survivors 100000 cost seconds.
OTHER_LANGUAGES = Language.values[2:18]
CITIZENSHIPS = Citizenship.values[:7]
REFERRAL_SOURCES = ReferralSource.values[:11]
PRIOR_SERVICES = PriorServices.values[:4]
EDUCATION_LEVELS = Education.values[:7]
INCOME_BANDS = IncomeBand.values[:5]
HOUSING_STATUSES = HousingStatus.values[:8]


class Command(BaseCommand):
    help = "Load synthetic demo data once (a task force, staff in every role, survivors)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--survivors",
            type=int,
            default=300,
            help="survivors at the lead agency (partners get a tenth each)",
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=None,
            help="cases at the lead agency (default: 60%% of its survivors, at most 600)",
        )

    def handle(self, *args, seed, survivors, cases, **options):
        if Organization.objects.filter(slug=LEAD).exists():
            self.stdout.write("Demo data is already loaded.")
        else:
            started = timezone.now()
            if cases is None:
                cases = min(600, int(survivors * 0.6))
            self.load(seed, survivors, min(cases, survivors))
            seconds = (timezone.now() - started).total_seconds()
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {seconds:.1f} s."))
        self.print_logins()

    @transaction.atomic
    def load(self, seed, count, case_count):
        rng = random.Random(seed)
        orgs = {}
        for slug, name, kind in ORGANIZATIONS:
            orgs[slug] = Organization.objects.create(
                slug=slug, name=name, kind=kind, county="Cedar", state="CA"
            )
        task_force = TaskForce.objects.create(
            name="Cedar County Anti-Human Trafficking Task Force",
            slug="cedar-task-force",
            coordinator=orgs["cedar-dcfs"],
        )
        task_force.members.set(orgs.values())
        password = make_password(DEMO_PASSWORD)  # hashed once: each hash takes ~0.5 s by design
        for username, slug, role, full_name in STAFF:
            first, last = full_name.split(" ", 1)
            user, _created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "password": password},
            )
            Membership.objects.create(user=user, organization=orgs[slug], role=role)
        User.objects.create(username="admin", password=password, is_staff=True, is_superuser=True)
        for slug, share in SURVIVOR_SHARE.items():
            n = max(10, int(count * share))
            people = SyntheticPeople(seed + len(slug), rng)
            for start in range(0, n, 5000):
                batch = [people.survivor() for _ in range(min(5000, n - start))]
                survivors_bulk_create(orgs[slug], batch, actor=None)
            self.stdout.write(f"  {orgs[slug].name}: {n} survivors")
        made = (
            load_casework(orgs[LEAD], case_count, rng)
            + load_outcomes(orgs[LEAD], rng)
            + load_hotline(orgs[LEAD], rng)
        )
        self.stdout.write(f"  {orgs[LEAD].name}: " + ", ".join(f"{n} {what}" for what, n in made))

    def print_logins(self):
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for username, slug, role, _name in STAFF:
            self.stdout.write(f"  {username:<12} {role.label:<18} {slug}")
        self.stdout.write(f"  {'admin':<12} {'site administrator':<18} /admin/")


def _maybe(rng, value, *, unknown=0.08, declined=0.04):
    roll = rng.random()
    if roll < unknown:
        return UNKNOWN
    if roll < unknown + declined:
        return DECLINED
    return value


class SyntheticPeople:
    """Plausible, entirely invented people: names in English and Spanish."""

    def __init__(self, seed, rng):
        self.rng = rng
        self.fakers = {"en": Faker("en_US"), "es": Faker("es_MX")}
        for faker in self.fakers.values():
            faker.seed_instance(seed)
        self.today = timezone.localdate()

    def survivor(self):
        rng = self.rng
        spanish = rng.random() < 0.45
        fake = self.fakers["es" if spanish else "en"]
        gender = rng.choices(
            [Gender.WOMAN, Gender.MAN, Gender.TRANS_WOMAN, Gender.NON_BINARY, UNKNOWN],
            weights=[70, 20, 4, 2, 4],
        )[0]
        first = fake.first_name_male() if gender == Gender.MAN else fake.first_name_female()
        legal = f"{first} {fake.last_name()}"
        intake = self.today - datetime.timedelta(days=rng.randint(0, 3 * 365))
        age = rng.choices(
            [rng.randint(13, 17), rng.randint(18, 24), rng.randint(25, 58)], weights=[15, 35, 50]
        )[0]
        known_birth = rng.random() < 0.75
        birth = intake - datetime.timedelta(days=age * 365 + rng.randint(0, 364))
        first_trafficked = rng.randint(max(8, age - 12), age) if rng.random() < 0.7 else None
        arrests = rng.choices([0, 1, 2, 3, 5, 8], weights=[45, 20, 12, 10, 8, 5])[0]
        race = (
            [RaceEthnicity.HISPANIC]
            if spanish
            else rng.choice(
                [
                    [RaceEthnicity.WHITE],
                    [RaceEthnicity.BLACK],
                    [RaceEthnicity.ASIAN],
                    [RaceEthnicity.BLACK, RaceEthnicity.WHITE],
                    [RaceEthnicity.AMERICAN_INDIAN],
                    [DECLINED],
                ]
            )
        )
        language = (
            Language.SPANISH
            if spanish and rng.random() < 0.7
            else (Language.ENGLISH if rng.random() < 0.85 else rng.choice(OTHER_LANGUAGES))
        )
        may_call = rng.choice(["yes", "yes", "no", ""])
        return Survivor(
            legal_name=legal,
            preferred_name=first if rng.random() < 0.8 else fake.first_name_female(),
            aliases=fake.first_name_female() if rng.random() < 0.25 else "",
            date_of_birth=birth if known_birth else None,
            age_at_intake=None if known_birth else age,
            intake_date=intake,
            phone=fake.numerify("(###) 555-01##") if rng.random() < 0.8 else "",
            email=f"{normalize_name(first).replace(' ', '')}.{rng.randint(10, 999)}@example.org"
            if rng.random() < 0.4
            else "",
            address=fake.street_address() + ", " + fake.city() if rng.random() < 0.5 else "",
            may_call=may_call,
            may_text=rng.choice(["yes", "yes", "no", ""]),
            may_leave_voicemail=rng.choice(["no", "no", "yes", ""]),
            may_email=rng.choice(["yes", "no", ""]),
            safe_times=rng.choice(["", "Weekdays 10am-2pm", "Evenings after 7pm", "Mornings"]),
            code_word=rng.choice(["", "", "sunflower", "blue jay", "marigold", "river"]),
            gender_identity=gender,
            race_ethnicity=race,
            primary_language=language,
            interpreter_needed="yes" if language not in ("en",) and rng.random() < 0.6 else "no",
            country_of_birth=_maybe(rng, rng.choice(["US", "US", "MX", "GT", "HN", "PH", "CN"])),
            citizenship=_maybe(rng, rng.choice(CITIZENSHIPS)),
            age_first_trafficked=first_trafficked,
            age_first_trafficked_missing=""
            if first_trafficked
            else rng.choice([UNKNOWN, DECLINED]),
            referral_source=_maybe(rng, rng.choice(REFERRAL_SOURCES)),
            prior_services=_maybe(rng, rng.choice(PRIOR_SERVICES)),
            education_level=_maybe(rng, rng.choice(EDUCATION_LEVELS)),
            income_at_intake=_maybe(rng, rng.choice(INCOME_BANDS)),
            housing_at_intake=_maybe(rng, rng.choice(HOUSING_STATUSES)),
            prior_arrests=arrests,
            foster_care_history=_maybe(rng, rng.choice(["yes", "no", "no"])),
            homelessness_history=_maybe(rng, rng.choice(["yes", "yes", "no"])),
        )
