"""Consent and closed-loop referrals through the actions: consent checked at the moment of
sharing, expiry and revocation mid-referral, the packet limited to what consent releases,
and the receiving organization's moves."""

import datetime
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from thrive.accounts.models import Role
from thrive.audit.models import AuditEvent
from thrive.referrals import actions
from thrive.referrals.models import Consent, Partner, Referral, add_business_days
from thrive.referrals.packets import PACKET_KEYS
from thrive.services.models import ServiceType
from thrive.test import DAY, CaseTestCase, make_member


class ReferralTestCase(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.legal = ServiceType.objects.get(code="immigration_relief")
        cls.partner_b = actions.partner_save(
            Partner(organization=cls.agency_b),
            actor=cls.outsider,
            organization=cls.agency_b,
            data={"name": "Agency B legal clinic", "counties": ["Alameda"], "languages": ["es"]},
            service_types=[cls.legal],
        )
        cls.b_manager = make_member("b_manager", cls.agency_b, Role.CASE_MANAGER)

    def consent(self, **changes):
        data = {
            "purposes": ["referral"],
            "categories": ["identity", "case_summary"],
            "signed_on": self.today - 10 * DAY,
            "method": "written",
        }
        data.update(changes)
        recipients = data.pop("recipients", [self.partner_b])
        return actions.consent_record(
            self.survivor, actor=self.case_manager, data=data, recipients=recipients
        )

    def draft(self, consent=None, categories=("identity",), **changes):
        data = {
            "partner": self.partner_b,
            "urgency": "urgent",
            "categories": list(categories),
            "consent": consent,
            "reason": "Needs a T visa consultation.",
        }
        data.update(changes)
        return actions.referral_create(
            self.case, actor=self.case_manager, data=data, service_types=[self.legal]
        )

    def refusals(self):
        return AuditEvent.objects.filter(action=AuditEvent.Action.REFUSE)


class ConsentTests(ReferralTestCase):
    def test_a_consent_ends_by_default_and_is_never_open_ended(self):
        consent = self.consent()
        self.assertEqual(consent.expires_on, consent.signed_on + 365 * DAY)
        with self.assertRaises(ValidationError) as caught:
            self.consent(expires_on=self.today + 1000 * DAY)
        self.assertIn("expires_on", caught.exception.message_dict)

    def test_a_verbal_consent_needs_a_witness_and_every_part_is_named(self):
        with self.assertRaises(ValidationError) as caught:
            self.consent(method="verbal_witnessed", categories=[], purposes=[], recipients=[])
        self.assertEqual(
            set(caught.exception.message_dict),
            {"witness", "categories", "purposes", "recipients"},
        )
        self.assertFalse(Consent.objects.exists())


class ReferralConsentTests(ReferralTestCase):
    def test_a_referral_is_sent_with_only_the_categories_chosen(self):
        referral = self.draft(self.consent())
        actions.referral_send(referral, actor=self.case_manager)
        referral.refresh_from_db()
        self.assertEqual(referral.status, "sent")
        self.assertEqual(referral.recipient, self.agency_b)
        packet = json.loads(referral.packet)
        self.assertEqual(set(packet), {"identity"})
        self.assertEqual(set(packet["identity"]), set(PACKET_KEYS["identity"]))
        self.assertEqual(packet["identity"]["preferred_name"], "Majo")
        self.assertNotIn(self.survivor.phone, referral.packet)
        self.assertEqual(referral.acknowledge_by, add_business_days(referral.sent_at, 2))

    def test_without_consent_categories_beyond_it_or_another_partner_are_refused_and_audited(
        self,
    ):
        consent = self.consent()
        other = actions.partner_save(
            Partner(),
            actor=self.supervisor,
            organization=self.agency_a,
            data={"name": "County clinic"},
            service_types=[self.legal],
        )
        cases = {
            "no consent": {"consent": None},
            "beyond": {"categories": ["identity", "contact"]},
            "other partner": {"partner": other},
        }
        for name, changes in cases.items():
            with self.subTest(name):
                changes = {"consent": consent, "categories": ["identity"], **changes}
                with self.assertRaises(ValidationError) as caught:
                    self.draft(**changes)
                self.assertIn("consent", caught.exception.message_dict)
        self.assertFalse(Referral.objects.exists())
        self.assertEqual(self.refusals().count(), 3)

    def test_a_documented_legal_requirement_shares_without_consent(self):
        referral = self.draft(None, mandated_exception="Mandated child-abuse report, PC 11166.")
        actions.referral_send(referral, actor=self.case_manager)
        self.assertEqual(Referral.objects.get().status, "sent")

    def test_consent_expiring_between_draft_and_send_stops_the_send(self):
        consent = self.consent(expires_on=self.today)
        referral = self.draft(consent)
        Consent.objects.filter(pk=consent.pk).update(expires_on=self.today - DAY)
        with self.assertRaises(ValidationError) as caught:
            actions.referral_send(referral, actor=self.case_manager)
        self.assertIn("expired", caught.exception.message_dict["consent"][0])
        referral.refresh_from_db()
        self.assertEqual((referral.status, referral.packet), ("draft", ""))
        self.assertEqual(self.refusals().count(), 1)

    def test_revoking_mid_referral_stops_further_sharing_and_leaves_what_was_received(self):
        consent = self.consent()
        sent = self.draft(consent)
        actions.referral_send(sent, actor=self.case_manager)
        second = self.draft(consent)
        actions.consent_revoke(consent, actor=self.case_manager, note="Asked by phone.")
        with self.assertRaises(ValidationError) as caught:
            actions.referral_send(second, actor=self.case_manager)
        self.assertIn("revoked", caught.exception.message_dict["consent"][0])
        with self.assertRaises(ValidationError):
            self.draft(consent)
        sent.refresh_from_db()
        self.assertEqual(sent.status, "sent")
        self.assertIn("Majo", sent.packet)  # already received: it stays with the recipient


class ReferralLoopTests(ReferralTestCase):
    def sent(self):
        referral = self.draft(self.consent())
        return actions.referral_send(referral, actor=self.case_manager)

    def test_the_recipient_acknowledges_accepts_and_makes_its_own_record(self):
        referral = self.sent()
        for to in ["acknowledged", "accepted"]:
            actions.referral_move(referral, actor=self.b_manager, organization=self.agency_b, to=to)
        survivor = actions.recipient_survivor_create(
            referral, actor=self.b_manager, organization=self.agency_b
        )
        self.assertEqual(survivor.organization, self.agency_b)
        self.assertEqual(survivor.preferred_name, "Majo")
        self.assertEqual(survivor.phone, "")  # contact was not in the packet
        referral.refresh_from_db()
        self.assertEqual(referral.recipient_survivor, survivor)
        self.assertEqual(
            list(referral.events.values_list("to_status", flat=True)),
            ["draft", "sent", "acknowledged", "accepted"],
        )

    def test_each_side_makes_only_its_own_moves_and_a_decline_needs_a_reason(self):
        referral = self.sent()
        with self.assertRaises(ValidationError):
            actions.referral_move(
                referral, actor=self.case_manager, organization=self.agency_a, to="accepted"
            )
        with self.assertRaises(ValidationError) as caught:
            actions.referral_move(
                referral, actor=self.b_manager, organization=self.agency_b, to="declined"
            )
        self.assertIn("decline_reason", caught.exception.message_dict)
        third = make_member(
            "third",
            self.agency_b.__class__.objects.create(name="C", slug="c", kind="other"),
            Role.CASE_MANAGER,
        )
        with self.assertRaises(PermissionDenied):
            actions.referral_move(
                referral,
                actor=third,
                organization=third.memberships.get().organization,
                to="acknowledged",
            )
        actions.referral_move(
            referral,
            actor=self.b_manager,
            organization=self.agency_b,
            to="declined",
            note="No attorney with capacity this month.",
        )
        referral.refresh_from_db()
        self.assertEqual(referral.decline_reason, "No attorney with capacity this month.")

    def test_an_unacknowledged_referral_becomes_overdue_after_two_business_days(self):
        referral = self.sent()
        later = referral.acknowledge_by + datetime.timedelta(minutes=1)
        self.assertEqual(list(Referral.objects.overdue(later)), [referral])
        self.assertEqual(actions.referrals_escalate(later), 1)
        self.assertEqual(actions.referrals_escalate(later), 0)  # once
        actions.referral_move(
            referral, actor=self.b_manager, organization=self.agency_b, to="acknowledged"
        )
        self.assertFalse(Referral.objects.overdue(later).exists())

    def test_business_days_skip_the_weekend(self):
        friday = timezone.make_aware(datetime.datetime(2026, 11, 20, 16, 0))
        self.assertEqual(add_business_days(friday, 2).date(), datetime.date(2026, 11, 24))
