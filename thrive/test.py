"""The shared test base: agency A's staff in every role, and an outsider from agency B.

Test data is made through the real actions, so tests exercise what production does.
"""

import datetime

from django.test import TestCase, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from thrive.accounts.models import Membership, Organization, Role, User
from thrive.survivors.actions import survivor_create

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
        body = response.content.decode(errors="replace")
        for secret in (
            survivor.legal_name,
            survivor.preferred_name,
            survivor.phone,
            survivor.email,
            survivor.code_word,
            survivor.date_of_birth.isoformat(),
        ):
            self.assertNotIn(secret, body)
