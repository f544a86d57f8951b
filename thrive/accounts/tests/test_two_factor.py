"""Two-factor login: everyone whose role sees survivors passes a TOTP check in each session.

Logins go through the real login view (django-axes watches it), never `client.login`.
"""

from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from thrive.accounts.models import User
from thrive.test import BaseTestCase

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"
SETUP = "/accounts/two-factor/setup/"
VERIFY = "/accounts/two-factor/"


def code_for(device):
    device.refresh_from_db()
    number = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(number).zfill(device.digits)


# Hashing is not under test; PBKDF2 would spend most of the run on it.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class TwoFactorLoginTests(BaseTestCase):
    def log_in(self, user, **extra):
        return self.client.post(
            LOGIN, {"username": user.username, "password": PASSWORD, **extra}, follow=True
        )

    def final_path(self, response):
        self.assertTrue(response.redirect_chain, "expected at least one redirect")
        return response.redirect_chain[-1][0]

    def confirmed_device(self, user):
        return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    def test_a_case_manager_without_a_device_is_sent_to_set_one_up(self):
        response = self.log_in(self.case_manager)
        self.assertTrue(self.final_path(response).startswith(SETUP))
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "accounts/two_factor_setup.html")

    def test_the_setup_page_shows_a_qr_code_and_the_key_to_type(self):
        self.log_in(self.case_manager)
        response = self.client.get(SETUP)
        body = response.content.decode()
        self.assertIn("<svg", body)
        self.assertNotIn("<img", body)  # inline, so the secret never leaves in a URL
        secret = response.context["secret"]
        self.assertRegex(secret, r"^[A-Z2-7]+=*$")
        self.assertIn(secret, body)
        self.assertEqual(response["Cache-Control"], "no-store")

    def test_the_setup_page_keeps_one_key_across_reloads(self):
        self.log_in(self.case_manager)
        first = self.client.get(SETUP).context["secret"]
        second = self.client.get(SETUP).context["secret"]
        self.assertEqual(first, second)
        self.assertEqual(TOTPDevice.objects.filter(user=self.case_manager).count(), 1)

    def test_a_setup_begun_twice_does_not_break_the_page(self):
        # Two tabs opened at once, or an administrator adding a device, leave two unconfirmed.
        for name in ("first", "second"):
            TOTPDevice.objects.create(user=self.case_manager, name=name, confirmed=False)
        self.log_in(self.case_manager)
        response = self.client.get(SETUP)
        self.assertEqual(response.status_code, 200)
        device = TOTPDevice.objects.filter(user=self.case_manager).order_by("pk").first()
        response = self.client.post(SETUP, {"token": code_for(device)})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        device.refresh_from_db()
        self.assertTrue(device.confirmed)

    def test_a_wrong_code_does_not_confirm_the_device(self):
        self.log_in(self.case_manager)
        self.client.get(SETUP)
        device = TOTPDevice.objects.get(user=self.case_manager)
        wrong = str((int(code_for(device)) + 1) % 1000000).zfill(6)
        response = self.client.post(SETUP, {"token": wrong})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["token"])
        device.refresh_from_db()
        self.assertFalse(device.confirmed)
        self.assertEqual(self.client.get("/survivors/").status_code, 302)

    def test_the_right_code_confirms_the_device_and_opens_the_survivor_list(self):
        self.log_in(self.case_manager, next="/survivors/")
        self.client.get(SETUP)
        device = TOTPDevice.objects.get(user=self.case_manager)
        response = self.client.post(SETUP, {"token": code_for(device), "next": "/survivors/"})
        self.assertRedirects(response, "/survivors/")
        device.refresh_from_db()
        self.assertTrue(device.confirmed)
        response = self.client.get("/survivors/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, self.survivor.record_label)

    def test_a_user_with_a_device_is_asked_for_a_code(self):
        self.confirmed_device(self.case_manager)
        response = self.log_in(self.case_manager)
        self.assertTrue(self.final_path(response).startswith(VERIFY))
        self.assertTemplateUsed(response, "accounts/two_factor_verify.html")

    def test_the_setup_page_cannot_replace_a_confirmed_device(self):
        self.confirmed_device(self.case_manager)
        self.log_in(self.case_manager)
        response = self.client.get(SETUP)
        self.assertRedirects(response, VERIFY, fetch_redirect_response=False)
        self.assertEqual(TOTPDevice.objects.filter(user=self.case_manager).count(), 1)

    def test_nothing_opens_before_the_code_is_given(self):
        self.confirmed_device(self.case_manager)
        self.log_in(self.case_manager)
        for path in [
            "/",
            "/survivors/",
            f"/survivors/{self.survivor.pk}/",
            "/accounts/api-tokens/",
        ]:
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(VERIFY))
                self.assertNoSurvivorData(response)

    def test_a_wrong_code_on_the_verify_page_is_refused(self):
        device = self.confirmed_device(self.case_manager)
        self.log_in(self.case_manager)
        wrong = str((int(code_for(device)) + 1) % 1000000).zfill(6)
        response = self.client.post(VERIFY, {"token": wrong})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["token"])
        self.assertEqual(self.client.get("/survivors/").status_code, 302)

    def test_the_right_code_opens_the_page_first_asked_for(self):
        device = self.confirmed_device(self.case_manager)
        response = self.log_in(self.case_manager, next="/survivors/")
        self.assertEqual(self.final_path(response), f"{VERIFY}?next=%2Fsurvivors%2F")
        self.assertEqual(response.context["next"], "/survivors/")
        response = self.client.post(VERIFY, {"token": code_for(device), "next": "/survivors/"})
        self.assertRedirects(response, "/survivors/")
        self.assertEqual(self.client.get("/accounts/api-tokens/").status_code, 200)

    def test_a_code_is_good_only_once(self):
        device = self.confirmed_device(self.case_manager)
        self.log_in(self.case_manager)
        code = code_for(device)
        self.client.post(VERIFY, {"token": code})
        self.client.post("/accounts/logout/")
        self.log_in(self.case_manager)
        response = self.client.post(VERIFY, {"token": code})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["token"])

    def test_a_data_analyst_and_a_trainer_are_not_asked_for_a_second_factor(self):
        for user in (self.analyst, self.trainer):
            with self.subTest(user=user.username):
                response = self.log_in(user)
                self.assertEqual(self.final_path(response), "/")
                self.assertEqual(response.status_code, 200)
                self.assertTemplateUsed(response, "home.html")
                self.client.post("/accounts/logout/")

    def test_a_staff_user_is_asked_for_a_second_factor(self):
        staff = User.objects.create_user("staff", password=PASSWORD, is_staff=True)
        response = self.log_in(staff)
        self.assertTrue(self.final_path(response).startswith(SETUP))
        response = self.client.get("/admin/")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(SETUP))

    def test_a_staff_user_reaches_the_admin_after_both_steps(self):
        staff = User.objects.create_user("staff", password=PASSWORD, is_staff=True)
        response = self.client.post(
            "/admin/login/?next=/admin/",
            {"username": "staff", "password": PASSWORD, "next": "/admin/"},
            follow=True,
        )
        self.assertTrue(self.final_path(response).startswith(SETUP))
        device = TOTPDevice.objects.get(user=staff)
        response = self.client.post(SETUP, {"token": code_for(device), "next": "/admin/"})
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/admin/").status_code, 200)

    def test_someone_without_admin_access_is_not_sent_round_in_circles(self):
        self.login(self.case_manager)
        response = self.client.get("/admin/", follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.final_path(response), "/")
        self.assertTemplateUsed(response, "home.html")

    def test_the_login_page_says_nothing_of_demo_mode_when_two_factor_is_on(self):
        response = self.client.get(LOGIN)
        self.assertNotContains(response, "two-factor login is turned off")

    @override_settings(THRIVE_REQUIRE_2FA=False)
    def test_with_two_factor_off_login_goes_straight_through(self):
        response = self.log_in(self.case_manager, next="/survivors/")
        self.assertEqual(self.final_path(response), "/survivors/")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(TOTPDevice.objects.filter(user=self.case_manager).exists())

    @override_settings(THRIVE_REQUIRE_2FA=False)
    def test_with_two_factor_off_the_login_page_warns_of_demo_mode(self):
        response = self.client.get(LOGIN)
        self.assertContains(response, "two-factor login is turned off")

    def test_login_refuses_to_redirect_to_another_site(self):
        for target in ("https://evil.example/", "//evil.example/", "https:evil.example"):
            with self.subTest(next=target):
                response = self.client.post(
                    LOGIN, {"username": "trainer", "password": PASSWORD, "next": target}
                )
                self.assertRedirects(response, "/", fetch_redirect_response=False)
                self.client.post("/accounts/logout/")

    def test_the_second_step_refuses_to_redirect_to_another_site(self):
        device = self.confirmed_device(self.case_manager)
        self.log_in(self.case_manager, next="https://evil.example/")
        for target in ("https://evil.example/", "//evil.example/"):
            with self.subTest(next=target):
                response = self.client.get(VERIFY, {"next": target})
                self.assertNotIn("evil.example", response.context["next"])
        response = self.client.post(
            VERIFY, {"token": code_for(device), "next": "https://evil.example/"}
        )
        self.assertRedirects(response, "/", fetch_redirect_response=False)

    def test_setup_refuses_to_redirect_to_another_site(self):
        self.log_in(self.case_manager)
        self.client.get(SETUP)
        device = TOTPDevice.objects.get(user=self.case_manager)
        response = self.client.post(SETUP, {"token": code_for(device), "next": "//evil.example/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
