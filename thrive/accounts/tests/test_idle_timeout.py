"""Idle timeout: a session ends fifteen minutes after its last request, not after its first."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from thrive.test import BaseTestCase

FIFTEEN_MINUTES = timedelta(minutes=15)


class IdleTimeoutTests(BaseTestCase):
    def stored_session(self):
        return Session.objects.get(session_key=self.client.session.session_key)

    def idle(self, duration):
        """Pretend the last request was `duration` ago, as the database sees it."""
        Session.objects.filter(session_key=self.client.session.session_key).update(
            expire_date=timezone.now() + FIFTEEN_MINUTES - duration
        )

    def test_sessions_last_fifteen_minutes_counted_from_each_request(self):
        self.assertEqual(settings.SESSION_COOKIE_AGE, 15 * 60)
        self.assertTrue(settings.SESSION_SAVE_EVERY_REQUEST)

    def test_a_request_moves_the_expiry_fifteen_minutes_ahead(self):
        self.login(self.case_manager)
        self.idle(timedelta(minutes=10))
        before = timezone.now()
        response = self.client.get("/survivors/")
        self.assertEqual(response.status_code, 200)
        expires = self.stored_session().expire_date
        self.assertGreaterEqual(expires, before + FIFTEEN_MINUTES)
        self.assertLessEqual(expires, timezone.now() + FIFTEEN_MINUTES)

    def test_fourteen_idle_minutes_keep_the_session(self):
        self.login(self.case_manager)
        self.idle(timedelta(minutes=14))
        response = self.client.get("/survivors/")
        self.assertEqual(response.status_code, 200)

    def test_sixteen_idle_minutes_send_the_user_back_to_login(self):
        self.login(self.case_manager)
        self.client.get("/survivors/")
        self.idle(timedelta(minutes=16))
        response = self.client.get("/survivors/")
        self.assertRedirects(
            response, "/accounts/login/?next=/survivors/", fetch_redirect_response=False
        )
        self.assertNoSurvivorData(response)

    def test_an_expired_session_also_forgets_the_second_factor(self):
        self.login(self.case_manager)
        self.idle(timedelta(minutes=16))
        self.client.get("/survivors/")
        self.assertNotIn("otp_device_id", self.client.session)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_session_cookie_ends_with_the_browser(self):
        self.login(self.case_manager)
        response = self.client.get("/survivors/")
        cookie = response.cookies[settings.SESSION_COOKIE_NAME]
        self.assertEqual(cookie["max-age"], "")
        self.assertEqual(cookie["expires"], "")
        self.assertTrue(cookie["httponly"])


class HtmxAfterIdleTimeoutTests(BaseTestCase):
    def test_an_htmx_search_after_the_timeout_navigates_the_whole_page_to_login(self):
        response = self.client.post("/survivors/", {"q": "majo"}, headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 204)
        self.assertTrue(response["HX-Redirect"].startswith("/accounts/login/"))
        self.assertNoSurvivorData(response)
