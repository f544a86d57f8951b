"""Referral records for tests, made through the real actions: agency A's directory entry of
an external safe house, agency C on Thrive as a partner, a consent naming both, a referral
sent to agency C, and a case conference facilitated by agency A with the case on its roster.

`holder` is a thrive.test.CaseTestCase (class or instance) with agency A and its staff."""

import datetime

from django.utils import timezone

from thrive.accounts.models import Organization, Role
from thrive.referrals import actions
from thrive.referrals.models import ActionItem, Conference, ConferenceCase, Partner
from thrive.services.models import ServiceType
from thrive.test import make_member

SAFE_HOUSE_LOCATION = "14 Quiet Orchard Lane, Oakport"


def make_referral(holder):
    shelter = ServiceType.objects.get(code="emergency_shelter")
    legal = ServiceType.objects.get(code="immigration_relief")
    agency_c = Organization.objects.create(
        name="Agency C", slug="agency-c", kind=Organization.Kind.LEGAL_AID
    )
    holder.agency_c = agency_c
    holder.c_manager = make_member("c_manager", agency_c, Role.CASE_MANAGER)
    safe_house = actions.partner_save(
        Partner(),
        actor=holder.supervisor,
        organization=holder.agency_a,
        data={
            "name": "Harbor safe house",
            "counties": ["Alameda"],
            "languages": ["en", "es"],
            "location": SAFE_HOUSE_LOCATION,
            "beds_available": 2,
        },
        service_types=[shelter],
    )
    partner_c = actions.partner_save(
        Partner(organization=agency_c),
        actor=holder.c_manager,
        organization=agency_c,
        data={"name": "Agency C immigration clinic", "counties": ["Alameda"]},
        service_types=[legal],
    )
    holder.partner_c = partner_c
    consent = actions.consent_record(
        holder.survivor,
        actor=holder.case_manager,
        data={
            "purposes": ["referral", "mdt"],
            "categories": ["identity", "case_summary"],
            "signed_on": timezone.localdate() - datetime.timedelta(days=5),
            "method": "written",
        },
        recipients=[partner_c, safe_house],
    )
    referral = actions.referral_create(
        holder.case,
        actor=holder.case_manager,
        data={
            "partner": partner_c,
            "urgency": "urgent",
            "categories": ["identity"],
            "consent": consent,
            "reason": "Needs a T visa consultation.",
        },
        service_types=[legal],
    )
    actions.referral_send(referral, actor=holder.case_manager)
    return safe_house, consent, referral


def make_conference(holder):
    now = timezone.now()
    conference = Conference.objects.create(
        facilitator=holder.agency_a,
        title="County MDT, high-risk cases",
        held_at=now,
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=1),
        created_by=holder.supervisor,
    )
    conference.organizations.set([holder.agency_a, holder.agency_c])
    conference.attendees.set([holder.supervisor, holder.case_manager])
    roster = ConferenceCase.objects.create(
        conference=conference,
        organization=holder.agency_a,
        case=holder.case,
        consent=holder.consent,
        summary="Safety plan in place; housing search continues.",
        added_by=holder.case_manager,
    )
    item = ActionItem.objects.create(
        conference_case=roster,
        case=holder.case,
        text="Agency C to schedule the T visa interview.",
        owner=holder.agency_c,
        due_on=timezone.localdate() + datetime.timedelta(days=14),
    )
    return conference, roster, item
