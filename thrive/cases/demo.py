"""Synthetic casework for the demo: programs, funders and grants, and cases with service
plans, tasks, notes and services, all invented. Bulk inserts, so 10,000 cases take seconds."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from thrive.accounts.models import Membership, Role
from thrive.cases import actions
from thrive.cases.models import ActionStep, Case, CaseNote, Goal, Task
from thrive.grants.actions import funder_create, grant_create
from thrive.outcomes.models import Instrument
from thrive.services.actions import services_bulk_record
from thrive.services.models import Service, ServiceType

DAY = datetime.timedelta(days=1)
PROGRAMS = [
    ("Comprehensive case management", "case_management", 55),
    ("Emergency response", "emergency_response", 20),
    ("Youth", "youth", 15),
    ("Legal services", "legal", 10),
]
# type code, weight, (low, high) quantity
SERVICES = [
    ("case_management", 30, (1, 3)),
    ("crisis_intervention", 10, (1, 3)),
    ("safety_planning", 8, (1, 2)),
    ("food", 10, (1, 20)),
    ("clothing_toiletries", 8, (1, 10)),
    ("emergency_shelter", 8, (1, 14)),
    ("transportation", 8, (1, 6)),
    ("mental_health", 6, (1, 2)),
    ("medical_treatment", 4, (1, 3)),
    ("immigration_relief", 4, (1, 6)),
    ("interpretation", 4, (1, 3)),
    ("financial_assistance", 3, (50, 600)),
    ("job_training", 3, (2, 8)),
    ("court_accompaniment", 3, (1, 5)),
]
GOALS = {
    "housing": ["Find a safe, stable place to live", "Sign a lease in her own name"],
    "safety": ["Keep the safety plan current", "Change phone number and accounts"],
    "income": ["Open a bank account", "Apply for victim compensation"],
    "employment": ["Find steady work with fair pay", "Finish the job-training course"],
    "immigration": ["File the T visa application", "Get a work permit"],
    "mental_health": ["Start regular counselling", "Join the peer support group"],
    "legal": ["Vacate the old convictions", "Resolve the unpaid fines"],
}
TASKS = [
    "Call about the housing application",
    "Follow up with the immigration attorney",
    "Check in after the court date",
    "Bring bus passes to the next meeting",
    "Send the victim compensation form",
    "Schedule the medical appointment",
]
NOTES = [
    "Met at the office; reviewed the safety plan together.",
    "Phone check-in: doing better this week, asked about classes.",
    "Accompanied to the clinic appointment.",
    "Text check-in; rescheduled to Thursday.",
]


def load_casework(organization, count, rng=None):
    """Programs, grants and `count` cases for `organization`, spread over its case staff."""
    rng = rng or random.Random(2026)
    today = timezone.localdate()
    programs = [
        (actions.program_create(organization, actor=None, data={"name": n, "kind": k}), w)
        for n, k, w in PROGRAMS
    ]
    types = {t.code: t for t in ServiceType.objects.all()}
    grants = _grants(organization, types, today)
    staff = [
        m.user
        for m in Membership.objects.filter(
            organization=organization, role__in=[Role.CASE_MANAGER, Role.SUPERVISOR]
        ).select_related("user")
    ]
    weights = [5 if u.username == "casemanager" else 2 for u in staff]
    survivors = list(organization.survivors.order_by("pk").only("pk", "intake_date")[:count])
    cases = [_case(rng, s, programs, staff, weights, today) for s in survivors]
    cases = actions.cases_bulk_open(organization, cases, actor=None)
    domains = {d.code: d for d in Instrument.objects.default().domains.all()}
    goals, tasks, notes, services = [], [], [], []
    for case in cases:
        ended = case.ended_on or today
        for code in rng.sample(sorted(GOALS), rng.randint(1, 3)):
            goals.append(
                Goal(
                    organization=organization,
                    case=case,
                    domain=domains[code],
                    description=rng.choice(GOALS[code]),
                    target_date=case.opened_on + rng.randint(30, 240) * DAY,
                    status=rng.choice(["not_started", "in_progress", "in_progress", "achieved"]),
                )
            )
        if case.is_open:
            for _ in range(rng.randint(0, 3)):
                tasks.append(
                    Task(
                        organization=organization,
                        case=case,
                        title=rng.choice(TASKS),
                        due_on=today + rng.randint(-10, 30) * DAY,
                        assignee=case.case_manager,
                        created_by=case.case_manager,
                    )
                )
        for _ in range(rng.randint(1, 6)):
            day = case.opened_on + rng.randint(0, max(0, (ended - case.opened_on).days)) * DAY
            services.append(_service(rng, case, day, types, grants))
        notes.append(
            CaseNote(
                organization=organization,
                case=case,
                author=case.case_manager,
                contact=rng.choice(["in_person", "phone", "text"]),
                noted_on=min(ended, case.opened_on + rng.randint(0, 20) * DAY),
                body=rng.choice(NOTES),
            )
        )
    goals = Goal.objects.bulk_create(goals, batch_size=2000)
    ActionStep.objects.bulk_create(
        [
            ActionStep(goal=g, description="Gather the documents needed", owner="survivor")
            for g in goals[::2]
        ],
        batch_size=2000,
    )
    Task.objects.bulk_create(tasks, batch_size=2000)
    CaseNote.objects.bulk_create(notes, batch_size=2000)
    services_bulk_record(organization, services, actor=None)
    last_contact = {}
    for s in services:
        if s.status == "delivered":
            last_contact[s.case_id] = max(
                s.delivered_on, last_contact.get(s.case_id, s.delivered_on)
            )
    for case in cases:
        case.last_contact_on = last_contact.get(case.pk, case.opened_on)
    Case.objects.bulk_update(cases, ["last_contact_on"], batch_size=2000)
    return [
        ("cases", len(cases)),
        ("goals", len(goals)),
        ("tasks", len(tasks)),
        ("services", len(services)),
        ("grants", len(grants)),
    ]


def _grants(organization, types, today):
    ovc = funder_create(organization, actor=None, data={"name": "OVC", "kind": "federal"})
    state = funder_create(
        organization,
        actor=None,
        data={"name": "State Office of Emergency Services", "kind": "state"},
    )
    year = today.year
    return [
        grant_create(
            organization,
            actor=None,
            data={
                "funder": ovc,
                "name": f"OVC comprehensive services {year}",
                "award_number": f"15POVC-{year % 100}-GG-00123-HT",
                "amount": Decimal(750000),
                "starts_on": today - 400 * DAY,
                "ends_on": today + 330 * DAY,
                "allowable_types": [
                    types[c]
                    for c in [
                        "emergency_shelter",
                        "food",
                        "case_management",
                        "crisis_intervention",
                        "transportation",
                        "clothing_toiletries",
                        "immigration_relief",
                    ]
                ],
            },
        ),
        grant_create(
            organization,
            actor=None,
            data={
                "funder": state,
                "name": f"State victim services {year}",
                "amount": Decimal(200000),
                "starts_on": today - 300 * DAY,
                "ends_on": today + 60 * DAY,
                "allowable_types": [
                    types[c] for c in ["mental_health", "medical_treatment", "financial_assistance"]
                ],
            },
        ),
    ]


def _case(rng, survivor, programs, staff, weights, today):
    program = rng.choices([p for p, _ in programs], weights=[w for _, w in programs])[0]
    opened = min(today, survivor.intake_date + rng.randint(0, 20) * DAY)
    status = rng.choices(
        ["intake", "active", "on_hold", "graduated", "closed"], weights=[10, 60, 8, 12, 10]
    )[0]
    ended = None
    reason = ""
    if status in ("graduated", "closed"):
        ended = min(today, opened + rng.randint(30, 400) * DAY)
        reason = (
            rng.choice(["goals_met", "lost_contact", "moved_away"]) if status == "closed" else ""
        )
    return Case(
        survivor=survivor,
        program=program,
        case_manager=rng.choices(staff, weights=weights)[0],
        risk_level=rng.choices(["low", "medium", "high"], weights=[30, 50, 20])[0],
        trafficking_type=rng.choices(["sex", "labor", "both", "unknown"], weights=[50, 30, 10, 10])[
            0
        ],
        status=status,
        opened_on=opened,
        ended_on=ended,
        closure_reason=reason,
    )


def _service(rng, case, day, types, grants):
    code, _weight, (low, high) = rng.choices(SERVICES, weights=[s[1] for s in SERVICES])[0]
    service_type = types[code]
    unit = service_type.units[0]
    quantity = Decimal(rng.randint(low, high))
    cost = quantity if unit == "dollars" else Decimal(rng.randint(0, 120)) * quantity
    grant = next(
        (g for g in grants if g.starts_on <= day <= g.ends_on and g.allows(service_type.pk)),
        None,
    )
    return Service(
        case=case,
        survivor_id=case.survivor_id,
        service_type=service_type,
        status=rng.choices(["delivered", "planned", "unavailable"], weights=[90, 6, 4])[0]
        if day >= case.opened_on
        else "delivered",
        delivered_on=day,
        quantity=quantity,
        unit=unit,
        cost=cost,
        funding="grant" if grant else "general",
        grant=grant,
        staff_member=case.case_manager,
        recorded_by=case.case_manager,
    )
