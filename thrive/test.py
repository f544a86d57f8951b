"""The shared test base: agency A's staff in every role, and an outsider from agency B.

Test data is made through the real actions, so tests exercise what production does.
"""

import datetime
import re

from django.test import TestCase, override_settings
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from thrive.accounts.models import Membership, Organization, Role, User
from thrive.survivors.actions import survivor_create

DAY = datetime.timedelta(days=1)
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')

SURVIVOR_DATA = {
    "legal_name": "María José Castillo",
    "preferred_name": "Majo",
    "aliases": "Jo\nMary C",
    "date_of_birth": datetime.date(1999, 4, 17),
    "phone": "+1 (415) 555-0142",
    "email": "majo.castillo@example.org",
    "address": "1200 Harbor Street, Apt 4, Oakport",
    "may_call": "no",
    "may_text": "yes",
    "code_word": "marigold",
    "gender_identity": "woman",
    "race_ethnicity": ["hispanic_latino"],
    "primary_language": "es",
    "interpreter_needed": "yes",
    "country_of_birth": "MX",
    "age_first_trafficked": 16,
}


def make_member(username, organization, role):
    user = User.objects.create_user(username, password="correct horse battery staple")
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


# Real password hashing takes about half a second a user by design; tests need not wait.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class BaseTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.agency_a = Organization.objects.create(
            name="Agency A", slug="agency-a", kind=Organization.Kind.SERVICE_PROVIDER
        )
        cls.agency_b = Organization.objects.create(
            name="Agency B", slug="agency-b", kind=Organization.Kind.SERVICE_PROVIDER
        )
        cls.advocate = make_member("advocate", cls.agency_a, Role.HOTLINE_ADVOCATE)
        cls.case_manager = make_member("casemanager", cls.agency_a, Role.CASE_MANAGER)
        cls.supervisor = make_member("supervisor", cls.agency_a, Role.SUPERVISOR)
        cls.analyst = make_member("analyst", cls.agency_a, Role.DATA_ANALYST)
        cls.trainer = make_member("trainer", cls.agency_a, Role.TRAINER)
        cls.outsider = make_member("outsider", cls.agency_b, Role.SUPERVISOR)
        cls.survivor = survivor_create(
            cls.agency_a, actor=cls.case_manager, data=dict(SURVIVOR_DATA)
        )

    def login(self, user):
        """Log in with the second factor already given, as after a real TOTP check."""
        self.client.force_login(user)
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", confirmed=True)
        session = self.client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return user

    def assertNoSurvivorData(self, response, survivor=None):  # noqa: N802 (unittest style)
        survivor = survivor or self.survivor
        # A random CSRF token may spell a short name ("Majo") by chance: leave tokens out.
        body = CSRF_TOKEN.sub("", response.content.decode(errors="replace"))
        for secret in (
            survivor.legal_name,
            survivor.preferred_name,
            survivor.phone,
            survivor.email,
            survivor.code_word,
            survivor.date_of_birth.isoformat(),
        ):
            self.assertNotIn(secret, body)


class CaseTestCase(BaseTestCase):
    """Agency A with a program, a case of the shared survivor assigned to the case manager,
    a goal with a step, a note, a task, a grant and a delivered service: all made through
    the real actions. Dates are relative to today so the tests never age."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from thrive.cases import actions as cases
        from thrive.grants import actions as grants
        from thrive.outcomes.models import Domain
        from thrive.services.actions import service_record
        from thrive.services.models import ServiceType

        cls.today = timezone.localdate()
        cls.opened_on = cls.today - 30 * DAY
        cls.program = cases.program_create(
            cls.agency_a,
            actor=cls.supervisor,
            data={"name": "Comprehensive case management", "kind": "case_management"},
        )
        cls.case = cases.case_open(
            cls.survivor,
            actor=cls.case_manager,
            program=cls.program,
            data={
                "case_manager": cls.case_manager,
                "risk_level": "high",
                "trafficking_type": "labor",
                "opened_on": cls.opened_on,
            },
        )
        cls.housing = Domain.objects.get(instrument__is_default=True, code="housing")
        cls.goal = cases.goal_add(
            cls.case,
            actor=cls.case_manager,
            data={
                "domain": cls.housing,
                "description": "Move into a place of her own",
                "target_date": cls.today + 90 * DAY,
            },
        )
        cls.step = cases.action_step_add(
            cls.goal,
            actor=cls.case_manager,
            data={"description": "Visit two apartments", "owner": "survivor"},
        )
        cls.note = cases.note_add(
            cls.case,
            actor=cls.case_manager,
            data={
                "body": "Met at the shelter; she asked about housing.",
                "contact": "in_person",
                "noted_on": cls.today - 2 * DAY,
            },
        )
        cls.task = cases.task_add(
            cls.case,
            actor=cls.case_manager,
            data={
                "title": "Call the housing authority",
                "due_on": cls.today + 3 * DAY,
                "assignee": cls.case_manager,
            },
        )
        cls.shelter = ServiceType.objects.get(code="emergency_shelter")
        cls.funder = grants.funder_create(
            cls.agency_a, actor=cls.supervisor, data={"name": "OVC", "kind": "federal"}
        )
        cls.grant = grants.grant_create(
            cls.agency_a,
            actor=cls.supervisor,
            data={
                "funder": cls.funder,
                "name": "Comprehensive services for victims of trafficking",
                "amount": 500000,
                "starts_on": cls.today - 365 * DAY,
                "ends_on": cls.today + 365 * DAY,
                "allowable_types": [cls.shelter],
            },
        )
        cls.service = service_record(
            cls.case,
            actor=cls.case_manager,
            data={
                "service_type": cls.shelter,
                "delivered_on": cls.today - DAY,
                "quantity": 3,
                "unit": "nights",
                "cost": 285,
                "funding": "grant",
                "grant": cls.grant,
                "staff_member": cls.case_manager,
                "notes": "Three nights at the safe house.",
            },
        )

    def record_assessment(self, case=None, *, level=3, on=None, kind="periodic", **levels):
        """An assessment of every default domain at `level` (per-domain overrides by code;
        "na" where allowed), through the real action."""
        from thrive.outcomes.actions import assessment_record
        from thrive.outcomes.models import Instrument

        case = case or self.case
        instrument = Instrument.objects.default()
        values = {d.code: level for d in instrument.domains.all()}
        values.update(levels)
        return assessment_record(
            case,
            actor=self.case_manager,
            instrument=instrument,
            kind=kind,
            assessed_on=on or self.today,
            levels=values,
        )

    def graduate(self, case=None, *, on=None):
        """Graduate a case the way the product does: a ready assessment, the case manager's
        request, the supervisor's approval."""
        from thrive.outcomes.actions import graduation_approve, graduation_request

        case = case or self.case
        self.record_assessment(case, on=on)
        review = graduation_request(case, actor=self.case_manager)
        graduation_approve(review, actor=self.supervisor, graduated_on=on)
        case.refresh_from_db()
        return case
