import hashlib
from datetime import date, timedelta

from django.db import connection
from django.test import override_settings
from django.utils import timezone

from thrive.accounts.actions import api_token_create, api_token_revoke
from thrive.accounts.models import ApiToken, Membership, Role
from thrive.audit.models import AuditEvent
from thrive.survivors.actions import survivor_create
from thrive.survivors.models import Survivor
from thrive.test import BaseTestCase

UNAUTHENTICATED = {"detail": "A valid API token is required."}


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])  # speed only
class ApiTokenTestCase(BaseTestCase):
    def create_token(self, user, organization=None):
        membership = user.memberships.get(organization=organization or self.agency_a)
        return api_token_create(membership, actor=user, name="telephony")

    def get(self, path, authorization=None):
        headers = {"authorization": authorization} if authorization is not None else {}
        return self.client.get(f"/api/v1{path}", headers=headers)

    def assertUnauthenticated(self, response):  # noqa: N802 (unittest style)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json(), UNAUTHENTICATED)
        self.assertEqual(response["WWW-Authenticate"], 'Bearer realm="thrive"')
        self.assertNoSurvivorData(response)


class ApiTokenCreateTests(ApiTokenTestCase):
    def test_gives_the_raw_token_once_and_stores_only_its_digest(self):
        token, raw = self.create_token(self.case_manager)
        self.assertTrue(raw.startswith("thr_"))
        self.assertGreaterEqual(len(raw), 40)
        self.assertEqual(token.digest, hashlib.sha256(raw.encode()).hexdigest())
        self.assertEqual(token.hint, raw[:8])
        secret = raw[len("thr_") :]
        with connection.cursor() as cursor:
            for table in ("accounts_apitoken", "audit_auditevent"):
                cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (table names are ours)
                for row in cursor.fetchall():
                    text = " | ".join(str(value) for value in row)
                    self.assertNotIn(secret, text, table)
                    self.assertNotIn(secret[4:], text, table)

    def test_binds_the_token_to_the_user_and_the_membership_organization(self):
        token, _raw = self.create_token(self.case_manager)
        self.assertEqual((token.user, token.organization), (self.case_manager, self.agency_a))
        self.assertEqual(token.name, "telephony")
        self.assertIsNone(token.last_used_at)
        self.assertIsNone(token.revoked_at)

    def test_every_token_is_different(self):
        raws = {self.create_token(self.case_manager)[1] for _ in range(5)}
        self.assertEqual(len(raws), 5)

    def test_creating_a_token_is_audited(self):
        token, _raw = self.create_token(self.case_manager)
        event = AuditEvent.objects.for_object(token).get()
        self.assertEqual(event.action, AuditEvent.Action.CREATE)
        self.assertEqual((event.actor, event.organization), (self.case_manager, self.agency_a))


class ApiTokenRevokeTests(ApiTokenTestCase):
    def test_a_revoked_token_no_longer_authenticates(self):
        token, raw = self.create_token(self.case_manager)
        self.assertEqual(self.get("/survivors", f"Bearer {raw}").status_code, 200)
        api_token_revoke(token, actor=self.case_manager)
        self.assertUnauthenticated(self.get("/survivors", f"Bearer {raw}"))
        self.assertUnauthenticated(self.get(f"/survivors/{self.survivor.pk}", f"Bearer {raw}"))

    def test_revoking_is_audited_once(self):
        token, _raw = self.create_token(self.case_manager)
        api_token_revoke(token, actor=self.case_manager)
        api_token_revoke(token, actor=self.case_manager)
        event = AuditEvent.objects.for_object(token).get(action=AuditEvent.Action.CHANGE)
        self.assertEqual(event.changed_fields, ["revoked_at"])


class ApiTokenAuthTests(ApiTokenTestCase):
    def test_a_valid_token_authenticates_its_user(self):
        _token, raw = self.create_token(self.case_manager)
        response = self.get(f"/survivors/{self.survivor.pk}", f"Bearer {raw}")
        self.assertEqual(response.status_code, 200)
        event = AuditEvent.objects.for_object(self.survivor).get(action="view")
        self.assertEqual(event.actor, self.case_manager)

    def test_a_missing_token_is_a_json_401(self):
        self.assertUnauthenticated(self.get("/survivors"))
        self.assertUnauthenticated(self.get(f"/survivors/{self.survivor.pk}"))
        response = self.client.post(
            "/api/v1/survivors", data={"preferred_name": "Ana"}, content_type="application/json"
        )
        self.assertUnauthenticated(response)
        self.assertEqual(Survivor.objects.count(), 1)

    def test_a_malformed_authorization_header_is_a_json_401(self):
        _token, raw = self.create_token(self.case_manager)
        for header in (
            "",
            "Bearer",
            "Bearer ",
            raw,
            f"Token {raw}",
            f"Basic {raw}",
            f"Bearer  {raw}",
            f"Bearer {raw} extra",
            f"Bearer {raw[len('thr_') :]}",
            f"Bearer {raw.upper()}",
            "Bearer thr_",
            "Bearer thr_\t",
        ):
            with self.subTest(header=header):
                self.assertUnauthenticated(self.get("/survivors", header))

    def test_an_unknown_token_is_a_json_401(self):
        raw, _digest = ApiToken.generate()
        self.assertUnauthenticated(self.get("/survivors", f"Bearer {raw}"))

    def test_the_token_of_someone_who_left_the_organization_is_a_json_401(self):
        _token, raw = self.create_token(self.case_manager)
        Membership.objects.filter(user=self.case_manager).delete()
        self.assertUnauthenticated(self.get("/survivors", f"Bearer {raw}"))
        self.assertUnauthenticated(self.get(f"/survivors/{self.survivor.pk}", f"Bearer {raw}"))

    def test_the_token_of_a_deactivated_user_is_a_json_401(self):
        _token, raw = self.create_token(self.case_manager)
        self.case_manager.is_active = False
        self.case_manager.save(update_fields=["is_active"])
        self.assertUnauthenticated(self.get("/survivors", f"Bearer {raw}"))

    def test_the_role_is_read_at_each_call(self):
        _token, raw = self.create_token(self.case_manager)
        Membership.objects.filter(user=self.case_manager).update(role=Role.TRAINER)
        response = self.get("/survivors", f"Bearer {raw}")
        self.assertEqual(response.status_code, 403)
        self.assertNoSurvivorData(response)

    def test_the_first_use_and_then_one_use_in_five_minutes_are_recorded(self):
        token, raw = self.create_token(self.case_manager)
        self.get("/survivors", f"Bearer {raw}")
        token.refresh_from_db()
        first = token.last_used_at
        self.assertLess(timezone.now() - first, timedelta(seconds=30))
        self.get("/survivors", f"Bearer {raw}")
        token.refresh_from_db()
        self.assertEqual(token.last_used_at, first, "not rewritten on every call")
        an_hour_ago = timezone.now() - timedelta(hours=1)
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=an_hour_ago)
        self.get("/survivors", f"Bearer {raw}")
        token.refresh_from_db()
        self.assertGreater(token.last_used_at, an_hour_ago + timedelta(minutes=59))

    def test_a_failed_call_does_not_touch_last_used(self):
        token, raw = self.create_token(self.case_manager)
        api_token_revoke(token, actor=self.case_manager)
        self.get("/survivors", f"Bearer {raw}")
        token.refresh_from_db()
        self.assertIsNone(token.last_used_at)


class ApiTokenOrganizationTests(ApiTokenTestCase):
    """A person in two organizations acts, through a token, for the token's one only."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Membership.objects.create(
            user=cls.case_manager, organization=cls.agency_b, role=Role.DATA_ANALYST
        )
        Membership.objects.create(
            user=cls.supervisor, organization=cls.agency_b, role=Role.CASE_MANAGER
        )
        cls.survivor_b = survivor_create(
            cls.agency_b,
            actor=cls.outsider,
            data={
                "preferred_name": "Bea",
                "legal_name": "Beatriz Oyelaran",
                "date_of_birth": date(1990, 8, 9),
                "phone": "555 010 0177",
                "email": "bea.o@example.net",
                "code_word": "lantern",
            },
        )

    def test_a_token_for_agency_b_sees_agency_bs_survivors_only(self):
        _token, raw = self.create_token(self.supervisor, self.agency_b)
        body = self.get("/survivors", f"Bearer {raw}").json()
        self.assertEqual([r["id"] for r in body["results"]], [self.survivor_b.pk])
        response = self.get(f"/survivors/{self.survivor.pk}", f"Bearer {raw}")
        self.assertEqual(response.status_code, 404)
        self.assertNoSurvivorData(response)
        response = self.client.post(
            "/api/v1/survivors/search",
            data={"q": "Majo"},
            content_type="application/json",
            headers={"authorization": f"Bearer {raw}"},
        )
        self.assertEqual(response.json()["count"], 0)

    def test_a_token_for_agency_a_sees_agency_as_survivors_only(self):
        _token, raw = self.create_token(self.supervisor, self.agency_a)
        body = self.get("/survivors", f"Bearer {raw}").json()
        self.assertEqual([r["id"] for r in body["results"]], [self.survivor.pk])
        response = self.get(f"/survivors/{self.survivor_b.pk}", f"Bearer {raw}")
        self.assertEqual(response.status_code, 404)
        self.assertNoSurvivorData(response, self.survivor_b)

    def test_a_new_record_goes_to_the_tokens_organization(self):
        _token, raw = self.create_token(self.supervisor, self.agency_b)
        response = self.client.post(
            "/api/v1/survivors",
            data={"preferred_name": "Cris"},
            content_type="application/json",
            headers={"authorization": f"Bearer {raw}"},
        )
        self.assertEqual(response.status_code, 201)
        created = Survivor.objects.get(pk=response.json()["id"])
        self.assertEqual(created.organization, self.agency_b)
        event = AuditEvent.objects.for_object(created).get()
        self.assertEqual(event.organization, self.agency_b)

    def test_the_role_comes_from_the_tokens_organization(self):
        _token, raw_a = self.create_token(self.case_manager, self.agency_a)
        _token, raw_b = self.create_token(self.case_manager, self.agency_b)
        self.assertEqual(self.get("/survivors", f"Bearer {raw_a}").status_code, 200)
        response = self.get("/survivors", f"Bearer {raw_b}")
        self.assertEqual(response.status_code, 403, "an analyst in agency B")
        self.assertNoSurvivorData(response, self.survivor_b)

    def test_leaving_one_organization_ends_only_that_organizations_tokens(self):
        _token, raw_a = self.create_token(self.supervisor, self.agency_a)
        _token, raw_b = self.create_token(self.supervisor, self.agency_b)
        Membership.objects.filter(user=self.supervisor, organization=self.agency_b).delete()
        self.assertUnauthenticated(self.get("/survivors", f"Bearer {raw_b}"))
        self.assertEqual(self.get("/survivors", f"Bearer {raw_a}").status_code, 200)
