"""Lockout: after AXES_FAILURE_LIMIT wrong passwords for one username from one address, that
login is refused, even with the right password, until the cool-off ends."""

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.test import override_settings

from thrive.audit.models import AuditEvent
from thrive.test import BaseTestCase

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"
ATTACKER = "198.51.100.7"
PROXY = "127.0.0.1"


# Hashing is not under test; PBKDF2 would spend most of the run on it.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class LockoutTests(BaseTestCase):
    def attempt(self, password, *, username="casemanager", ip=ATTACKER, path=LOGIN, **headers):
        data = {"username": username, "password": password}
        return self.client.post(path, data, REMOTE_ADDR=ip, **headers)

    def fail_until_locked(self, **kwargs):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.attempt("not the password", **kwargs)

    def assertLockedOut(self, response):  # noqa: N802 (unittest style)
        self.assertEqual(response.status_code, 429)
        self.assertTemplateUsed(response, "accounts/locked_out.html")
        self.assertContains(response, "Too many failed attempts", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertIn("script-src 'self'", response["Content-Security-Policy"])
        self.assertEqual(response["X-Frame-Options"], "DENY")

    def test_the_limit_is_five_wrong_passwords(self):
        self.assertEqual(settings.AXES_FAILURE_LIMIT, 5)

    def test_wrong_passwords_below_the_limit_show_the_login_form_again(self):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            response = self.attempt("not the password")
            self.assertEqual(response.status_code, 200)
            self.assertTemplateUsed(response, "accounts/login.html")
            self.assertTrue(response.context["form"].non_field_errors())
        response = self.attempt(PASSWORD)
        self.assertEqual(response.status_code, 302)
        self.assertIn("_auth_user_id", self.client.session)

    def test_after_five_wrong_passwords_the_right_one_is_refused(self):
        self.fail_until_locked()
        response = self.attempt(PASSWORD)
        self.assertLockedOut(response)
        self.assertEqual(self.client.get("/").status_code, 302)

    def test_the_fifth_wrong_password_already_shows_the_lockout_page(self):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.attempt("not the password")
        self.assertLockedOut(self.attempt("not the password"))

    def test_the_lockout_page_does_not_echo_the_password(self):
        self.fail_until_locked()
        response = self.attempt(PASSWORD)
        self.assertNotContains(response, PASSWORD, status_code=429)

    def test_the_lockout_is_for_that_username_from_that_address(self):
        self.fail_until_locked()
        other_address = self.attempt(PASSWORD, ip="203.0.113.50")
        self.assertEqual(other_address.status_code, 302)
        self.client.post("/accounts/logout/")
        other_user = self.attempt(PASSWORD, username="trainer")
        self.assertEqual(other_user.status_code, 302)

    def test_a_successful_login_clears_earlier_failures(self):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.attempt("not the password")
        self.assertEqual(self.attempt(PASSWORD).status_code, 302)
        self.client.post("/accounts/logout/")
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.attempt("not the password")
        self.assertEqual(self.attempt(PASSWORD).status_code, 302)

    def test_an_administrator_can_lift_the_lockout(self):
        self.fail_until_locked()
        self.assertTrue(AccessAttempt.objects.filter(username="casemanager").exists())
        reset(username="casemanager")
        self.assertEqual(self.attempt(PASSWORD).status_code, 302)

    def test_the_admin_login_shares_the_lockout(self):
        self.fail_until_locked()
        self.assertLockedOut(self.attempt(PASSWORD, path="/admin/login/"))


@override_settings(
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], THRIVE_BEHIND_PROXY=True
)
class LockoutBehindAProxyTests(LockoutTests):
    """Behind the TLS proxy every request comes from the proxy's address; the client's is the
    one the proxy appended to X-Forwarded-For."""

    def attempt(self, password, *, ip=ATTACKER, **kwargs):
        kwargs.setdefault("HTTP_X_FORWARDED_FOR", ip)
        return super().attempt(password, ip=PROXY, **kwargs)

    def test_a_lockout_from_one_client_leaves_others_behind_the_proxy_alone(self):
        self.fail_until_locked()
        self.assertEqual(self.attempt(PASSWORD, ip="203.0.113.50").status_code, 302)

    def test_a_forged_forwarded_address_does_not_escape_the_lockout(self):
        self.fail_until_locked()
        forged = {"HTTP_X_FORWARDED_FOR": f"192.0.2.99, {ATTACKER}"}
        self.assertLockedOut(self.attempt(PASSWORD, **forged))

    def audited_address(self, forwarded_for):
        self.login(self.case_manager)
        response = self.client.get(
            f"/survivors/{self.survivor.pk}/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for
        )
        self.assertEqual(response.status_code, 200)
        event = AuditEvent.objects.for_object(self.survivor).get(action=AuditEvent.Action.VIEW)
        return event.ip

    def test_the_audit_trail_records_the_clients_address(self):
        self.assertEqual(self.audited_address(f"192.0.2.99, {ATTACKER}"), ATTACKER)

    def test_a_malformed_forwarded_address_falls_back_to_the_proxys(self):
        self.assertEqual(self.audited_address("not an address"), PROXY)
