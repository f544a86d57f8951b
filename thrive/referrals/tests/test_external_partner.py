"""A partner not on Thrive answers by phone or letter: the sender records its answers, so the
loop closes and the gaps report counts acceptance for external partners too."""

from thrive.referrals import actions
from thrive.referrals.tests.fixtures import make_referral
from thrive.test import CaseTestCase


class ExternalPartnerAnswerTests(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.safe_house, cls.consent, _ = make_referral(cls)
        cls.referral = actions.referral_create(
            cls.case,
            actor=cls.case_manager,
            data={
                "partner": cls.safe_house,
                "urgency": "emergency",
                "categories": ["identity"],
                "consent": cls.consent,
            },
            service_types=list(cls.safe_house.service_types.all()),
        )
        actions.referral_send(cls.referral, actor=cls.case_manager)

    def answer(self, **data):
        return self.client.post(f"/referrals/{self.referral.pk}/answer/", data)

    def test_the_sender_records_the_partners_acknowledgement_and_acceptance(self):
        self.login(self.case_manager)
        page = self.client.get(f"/referrals/{self.referral.pk}/")
        self.assertContains(page, "is not on Thrive: record their answer")
        for to in ["acknowledged", "accepted", "services_started"]:
            with self.subTest(to=to):
                self.assertRedirects(self.answer(status=to), f"/referrals/{self.referral.pk}/")
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, "services_started")
        self.assertIsNotNone(self.referral.accepted_at)

    def test_a_recorded_decline_needs_the_reason(self):
        self.login(self.case_manager)
        response = self.answer(status="declined", decline_reason="")
        self.assertContains(response, "Say why the referral is declined.")
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, "sent")

    def test_a_partner_on_thrive_answers_for_itself(self):
        on_thrive = self.referral.__class__.objects.exclude(pk=self.referral.pk).get()
        self.login(self.case_manager)
        response = self.client.post(f"/referrals/{on_thrive.pk}/answer/", {"status": "accepted"})
        self.assertEqual(response.status_code, 404)
        on_thrive.refresh_from_db()
        self.assertEqual(on_thrive.status, "sent")
