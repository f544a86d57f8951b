"""Synthetic crisis-line activity for the demo: an on-call roster around now, contacts of the
last few days, and emergency responses under way. All invented."""

import datetime
import random
import uuid

from django.utils import timezone

from thrive.accounts.models import User
from thrive.audit.actions import audit_record_many
from thrive.audit.models import AuditEvent
from thrive.hotline import actions
from thrive.hotline.models import Contact, Indicator, OnCallShift
from thrive.survivors.models import phone_digest

HOUR = datetime.timedelta(hours=1)
SUMMARIES = [
    "Caller works at a restaurant; the owner keeps her passport and her pay.",
    "Teacher worried about a student who is picked up by an older man after school.",
    "Asked what help is available for someone who owes a recruiter money.",
    "Tip about a massage business open all night; workers seem to live there.",
    "Called from a bus station, no money, was promised a job that did not exist.",
    "Detective asking for an advocate for a young woman found at a motel.",
    "Requested a training for hotel staff next month.",
]


def load_hotline(organization, rng=None, contacts=40):
    rng = rng or random.Random(2026)
    now = timezone.now()
    people = {u.username: u for u in User.objects.filter(memberships__organization=organization)}
    advocate = people["advocate"]
    shifts = [
        OnCallShift(
            organization=organization,
            responder=people[name],
            queue=queue,
            starts_at=now - 12 * HOUR + day * 24 * HOUR,
            ends_at=now + 12 * HOUR + day * 24 * HOUR,
        )
        for day in range(3)
        for name, queue in (("casemanager", "adult"), ("multi", "youth"))
    ]
    OnCallShift.objects.bulk_create(shifts)
    made = []
    for n in range(contacts):
        received = now - datetime.timedelta(minutes=rng.randint(5, 72 * 60))
        reason = rng.choices(
            ["crisis", "services", "tip", "information", "not_trafficking"], weights=[4, 3, 2, 2, 1]
        )[0]
        phone = f"(510) 555-01{rng.randint(10, 40)}" if rng.random() < 0.6 else ""
        made.append(
            Contact(
                organization=organization,
                key=uuid.uuid4(),
                status=Contact.Status.LOGGED,
                received_at=received,
                logged_at=received + datetime.timedelta(minutes=rng.randint(2, 9)),
                handled_by=advocate,
                channel=rng.choices(["call", "text", "chat", "agency", "walk_in"], [6, 3, 1, 2, 1])[
                    0
                ],
                caller_role=rng.choice(
                    ["potential_victim", "family_friend", "community", "professional"]
                ),
                caller_sector="",
                caller_phone=phone,
                caller_phone_digest=phone_digest(phone),
                reason=reason,
                urgency="immediate" if reason == "crisis" and rng.random() < 0.5 else "routine",
                indicators=rng.sample(Indicator.values[:16], rng.randint(0, 3))
                if reason in ("crisis", "tip")
                else [],
                summary=rng.choice(SUMMARIES),
                disposition=rng.choice(["information", "referred", "none"]),
                follow_up_needed=n % 7 == 0,
                follow_up_due=timezone.localdate() + datetime.timedelta(days=1)
                if n % 7 == 0
                else None,
            )
        )
    for contact in made:
        if contact.caller_role == "professional":
            contact.caller_sector = rng.choice(["law_enforcement", "education", "health"])
    created = Contact.objects.bulk_create(made)
    audit_record_many(
        created,
        actor=advocate,
        organization=organization,
        action=AuditEvent.Action.CREATE,
        detail={"bulk": True},
    )
    # Three crisis calls of today, each with a response under way.
    survivors = list(organization.survivors.order_by("pk")[:3])
    crises = sorted(
        (c for c in created if c.reason == "crisis"), key=lambda c: c.received_at, reverse=True
    )[:3]
    for contact, survivor in zip(crises, survivors, strict=False):
        actions.contact_link_survivor(contact, actor=advocate, survivor=survivor)
        responder = (
            people["multi"] if actions.queue_for(survivor) == "youth" else people["casemanager"]
        )
        actions.response_dispatch(contact, actor=advocate, responder=responder)
    return [("contacts", len(created)), ("on-call shifts", len(shifts)), ("responses", len(crises))]
