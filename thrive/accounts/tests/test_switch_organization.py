"""Switching organization: someone who works for two agencies acts for one at a time, and
sees only that one's survivors."""

from thrive.accounts.middleware import SESSION_MEMBERSHIP_KEY
from thrive.accounts.models import Membership, Role
from thrive.survivors.actions import survivor_create
from thrive.test import SURVIVOR_DATA, BaseTestCase

SWITCH = "/accounts/organization/"


class SwitchOrganizationTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.membership_a = Membership.objects.get(user=cls.case_manager)
        cls.membership_b = Membership.objects.create(
            user=cls.case_manager, organization=cls.agency_b, role=Role.CASE_MANAGER
        )
        cls.survivor_b = survivor_create(
            cls.agency_b,
            actor=cls.outsider,
            data=dict(
                SURVIVOR_DATA,
                legal_name="Ana Lucía Ferreira",
                preferred_name="Lucía",
                phone="+1 (510) 555-0199",
                email="lucia@example.org",
                code_word="heron",
                date_of_birth=SURVIVOR_DATA["date_of_birth"].replace(year=2001),
            ),
        )

    def setUp(self):
        self.login(self.case_manager)

    def survivor_list(self):
        response = self.client.get("/survivors/")
        self.assertEqual(response.status_code, 200)
        return response

    def test_someone_in_two_organizations_sees_a_switcher_naming_both(self):
        response = self.client.get("/")
        self.assertContains(response, f'action="{SWITCH}"')
        self.assertContains(response, f'<option value="{self.membership_a.pk}" selected>')
        self.assertContains(response, f'<option value="{self.membership_b.pk}">')
        self.assertContains(response, "Agency B · Case manager")

    def test_someone_in_one_organization_sees_no_switcher(self):
        self.login(self.supervisor)
        response = self.client.get("/")
        self.assertNotContains(response, f'action="{SWITCH}"')
        self.assertContains(response, "Agency A · Supervisor")

    def test_the_first_organization_by_name_is_active_at_first(self):
        response = self.survivor_list()
        self.assertContains(response, self.survivor.preferred_name)
        self.assertNoSurvivorData(response, self.survivor_b)

    def test_switching_shows_the_other_organizations_survivors_only(self):
        response = self.client.post(SWITCH, {"membership": self.membership_b.pk})
        self.assertRedirects(response, "/")
        self.assertEqual(self.client.session[SESSION_MEMBERSHIP_KEY], self.membership_b.pk)
        response = self.survivor_list()
        self.assertContains(response, self.survivor_b.preferred_name)
        self.assertNoSurvivorData(response)
        self.assertEqual(self.client.get(f"/survivors/{self.survivor.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/survivors/{self.survivor_b.pk}/").status_code, 200)

    def test_switching_back_restores_the_first_organization(self):
        self.client.post(SWITCH, {"membership": self.membership_b.pk})
        self.client.post(SWITCH, {"membership": self.membership_a.pk})
        response = self.survivor_list()
        self.assertContains(response, self.survivor.preferred_name)
        self.assertNoSurvivorData(response, self.survivor_b)

    def test_someone_elses_membership_changes_nothing(self):
        outsiders = Membership.objects.get(user=self.outsider)
        for value in [outsiders.pk, 999999, "", "not-a-number"]:
            with self.subTest(membership=value):
                response = self.client.post(SWITCH, {"membership": value}, follow=True)
                self.assertContains(response, "Choose one of your organizations.")
                self.assertNotIn(SESSION_MEMBERSHIP_KEY, self.client.session)
                response = self.survivor_list()
                self.assertContains(response, self.survivor.preferred_name)
                self.assertNoSurvivorData(response, self.survivor_b)

    def test_a_failed_switch_keeps_the_organization_chosen_before(self):
        self.client.post(SWITCH, {"membership": self.membership_b.pk})
        outsiders = Membership.objects.get(user=self.outsider)
        self.client.post(SWITCH, {"membership": outsiders.pk})
        self.assertEqual(self.client.session[SESSION_MEMBERSHIP_KEY], self.membership_b.pk)
        self.assertContains(self.survivor_list(), self.survivor_b.preferred_name)

    def test_a_membership_that_ends_falls_back_to_one_that_remains(self):
        self.client.post(SWITCH, {"membership": self.membership_b.pk})
        self.membership_b.delete()
        response = self.survivor_list()
        self.assertContains(response, self.survivor.preferred_name)
        self.assertNoSurvivorData(response, self.survivor_b)

    def test_switching_needs_a_post(self):
        response = self.client.get(SWITCH, {"membership": self.membership_b.pk})
        self.assertEqual(response.status_code, 405)
        self.assertNotIn(SESSION_MEMBERSHIP_KEY, self.client.session)

    def test_switching_needs_a_login(self):
        self.client.logout()
        response = self.client.post(SWITCH, {"membership": self.membership_b.pk})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/accounts/login/"))
