"""The referral pages, both sides of the loop: drafting from a case (refusals at the field),
sending (consent checked at that moment: expiry and revocation mid-referral), the sender's
view and outbox, the recipient's inbox and view (the packet only), the recipient's moves and
own record, the printed referral for an external partner, overdue escalation, and access."""

import io
import json

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from thrive.accounts.models import Role
from thrive.audit.models import AuditEvent
from thrive.referrals import actions
from thrive.referrals.models import Consent, Referral
from thrive.referrals.tests.fixtures import SAFE_HOUSE_LOCATION, make_referral
from thrive.services.models import ServiceType
from thrive.survivors.models import Survivor
from thrive.test import DAY, SURVIVOR_DATA, CaseTestCase, make_member

# What agency A holds about the survivor and never sends unless the packet carries it.
OUTSIDE_AN_IDENTITY_PACKET = (
    SURVIVOR_DATA["phone"],
    SURVIVOR_DATA["email"],
    SURVIVOR_DATA["address"],
    SURVIVOR_DATA["code_word"],
    "Mary C",  # an alias
    "Met at the shelter; she asked about housing.",  # a case note
    "Move into a place of her own",  # a goal
    "Call the housing authority",  # a task
    "Three nights at the safe house.",  # a service's notes
    "Needs a T visa consultation.",  # the sender's reason
    SAFE_HOUSE_LOCATION,
)


class ReferralPageTestCase(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.safe_house, cls.consent, cls.referral = make_referral(cls)
        cls.legal = ServiceType.objects.get(code="immigration_relief")
        cls.c_supervisor = make_member("c_supervisor", cls.agency_c, Role.SUPERVISOR)
        cls.c_analyst = make_member("c_analyst", cls.agency_c, Role.DATA_ANALYST)

    def draft(self, categories=("identity",), partner=None, consent=None, **changes):
        data = {
            "partner": partner or self.partner_c,
            "urgency": "routine",
            "categories": list(categories),
            "consent": consent or self.consent,
            "reason": "Needs a T visa consultation.",
            **changes,
        }
        service_types = [self.legal] if data["partner"] == self.partner_c else [self.shelter]
        return actions.referral_create(
            self.case, actor=self.case_manager, data=data, service_types=service_types
        )

    def send(self, **changes):
        return actions.referral_send(self.draft(**changes), actor=self.case_manager)

    def refusals(self):
        return AuditEvent.objects.filter(action=AuditEvent.Action.REFUSE)

    def views_of(self, referral):
        return AuditEvent.objects.filter(
            action=AuditEvent.Action.VIEW,
            object_type="referrals.referral",
            object_id=str(referral.pk),
        )

    def assertOnlyThePacket(self, response):  # noqa: N802 (unittest style)
        body = response.content.decode()
        for secret in OUTSIDE_AN_IDENTITY_PACKET:
            self.assertNotIn(secret, body)
        self.assertNotIn(self.case.label, body)
        self.assertNotIn(self.survivor.record_label, body)


class ReferralDraftPageTests(ReferralPageTestCase):
    def url(self):
        return f"/referrals/cases/{self.case.pk}/new/"

    def post(self, **changes):
        data = {
            "partner": self.partner_c.pk,
            "service_types": [self.legal.pk],
            "urgency": "urgent",
            "consent": self.consent.pk,
            "mandated_exception": "",
            "categories": ["identity"],
            "reason": "Asks for help with a T visa.",
        }
        data.update(changes)
        return self.client.post(self.url(), data)

    def test_first_the_partner_then_only_its_services_and_the_consents_in_force(self):
        expired = actions.consent_record(
            self.survivor,
            actor=self.case_manager,
            data={
                "purposes": ["referral"],
                "categories": ["identity"],
                "signed_on": self.today - 40 * DAY,
                "expires_on": self.today - DAY,
                "method": "written",
            },
            recipients=[self.partner_c],
        )
        self.login(self.case_manager)
        response = self.client.get(self.url())
        self.assertIn("pick", response.context)
        self.assertContains(response, "Agency C immigration clinic")
        self.assertContains(response, "Harbor safe house")
        response = self.client.get(self.url(), {"partner": self.partner_c.pk})
        form = response.context["form"]
        self.assertEqual(list(form.fields["service_types"].queryset), [self.legal])
        offered = [value for value, _label in form.fields["consent"].choices if value]
        self.assertEqual(offered, [self.consent.pk])
        self.assertNotIn(expired.pk, offered)

    def test_a_draft_is_saved_and_the_sender_page_offers_to_send_it(self):
        self.login(self.case_manager)
        response = self.post()
        referral = Referral.objects.exclude(pk=self.referral.pk).get()
        self.assertRedirects(response, f"/referrals/{referral.pk}/")
        self.assertEqual(
            (referral.status, referral.partner, referral.recipient, referral.urgency),
            ("draft", self.partner_c, self.agency_c, "urgent"),
        )
        self.assertEqual(list(referral.service_types.all()), [self.legal])
        self.assertEqual(referral.packet, "")
        page = self.client.get(f"/referrals/{referral.pk}/")
        self.assertContains(page, f'action="/referrals/{referral.pk}/send/"')
        self.assertContains(page, "Nothing is shared until the referral is sent.")

    def test_categories_beyond_the_consent_are_refused_prominently_and_audited(self):
        self.login(self.case_manager)
        response = self.post(categories=["identity", "contact"])
        self.assertEqual(response.status_code, 200)
        self.assertIn("consent", response.context["form"].errors)
        self.assertContains(response, 'id="consent-refusal"')
        self.assertContains(response, "This consent does not release: Contact details")
        self.assertEqual(Referral.objects.count(), 1)
        self.assertEqual(self.refusals().count(), 1)

    def test_without_consent_or_a_legal_requirement_nothing_is_drafted(self):
        self.login(self.case_manager)
        response = self.post(consent="")
        self.assertContains(response, "needs the survivor&#x27;s consent")
        self.assertEqual(Referral.objects.count(), 1)
        response = self.post(consent="", mandated_exception="Child abuse reporting law.")
        referral = Referral.objects.exclude(pk=self.referral.pk).get()
        self.assertRedirects(response, f"/referrals/{referral.pk}/")
        self.assertIsNone(referral.consent)

    def test_no_service_and_an_unknown_urgency_are_refused_at_their_fields(self):
        self.login(self.case_manager)
        response = self.post(service_types=[], urgency="whenever")
        errors = response.context["form"].errors
        self.assertIn("urgency", errors)
        response = self.post(service_types=[])
        self.assertEqual(set(response.context["form"].errors), {"service_types"})
        self.assertEqual(Referral.objects.count(), 1)

    def test_a_service_the_partner_does_not_offer_cannot_be_asked_for(self):
        self.login(self.case_manager)
        response = self.post(service_types=[self.shelter.pk])
        self.assertIn("service_types", response.context["form"].errors)
        self.assertEqual(Referral.objects.count(), 1)

    def test_an_outsider_gets_404_and_an_analyst_403(self):
        for user, status in [(self.outsider, 404), (self.analyst, 403)]:
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(self.url()).status_code, status)
                self.assertEqual(self.post().status_code, status)
        self.assertEqual(Referral.objects.count(), 1)


class ReferralSendPageTests(ReferralPageTestCase):
    def test_sending_builds_the_packet_and_the_sender_page_shows_it_with_the_history(self):
        referral = self.draft(categories=["identity", "case_summary"])
        self.login(self.case_manager)
        response = self.client.post(f"/referrals/{referral.pk}/send/")
        self.assertRedirects(response, f"/referrals/{referral.pk}/", fetch_redirect_response=False)
        referral.refresh_from_db()
        self.assertEqual(referral.status, "sent")
        self.assertEqual(set(json.loads(referral.packet)), {"identity", "case_summary"})
        page = self.client.get(f"/referrals/{referral.pk}/")
        self.assertContains(page, "Referral sent to Agency C immigration clinic.")
        self.assertContains(page, SURVIVOR_DATA["legal_name"])  # in the packet as sent
        self.assertContains(page, "Labor trafficking")  # the case summary, readable
        self.assertEqual(
            [e.status_label for e in page.context["events"]],
            ["Draft", "Sent"],
        )
        self.assertEqual(self.views_of(referral).get().detail, {"page": "sent"})

    def test_a_consent_revoked_mid_referral_stops_the_send_with_its_reason(self):
        referral = self.draft()
        actions.consent_revoke(self.consent, actor=self.case_manager, note="By phone.")
        self.login(self.case_manager)
        response = self.client.post(f"/referrals/{referral.pk}/send/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="send-refused"')
        self.assertContains(response, "Not sent: nothing was shared.")
        self.assertContains(response, "The survivor revoked this consent on")
        referral.refresh_from_db()
        self.assertEqual((referral.status, referral.packet), ("draft", ""))
        self.assertEqual(self.refusals().get().object_id, str(referral.pk))

    def test_a_consent_expired_mid_referral_stops_the_send_with_its_reason(self):
        referral = self.draft()
        # The days pass: the consent's end is now behind us.
        Consent.objects.filter(pk=self.consent.pk).update(
            signed_on=self.today - 400 * DAY, expires_on=self.today - DAY
        )
        self.login(self.case_manager)
        response = self.client.post(f"/referrals/{referral.pk}/send/")
        self.assertContains(response, "This consent expired on")
        referral.refresh_from_db()
        self.assertEqual((referral.status, referral.packet), ("draft", ""))
        self.assertEqual(self.refusals().count(), 1)

    def test_the_sender_withdraws_a_draft_or_a_sent_referral(self):
        draft = self.draft()
        self.login(self.case_manager)
        response = self.client.post(f"/referrals/{draft.pk}/withdraw/", {"note": "Not needed."})
        self.assertRedirects(response, f"/referrals/{draft.pk}/")
        draft.refresh_from_db()
        self.assertEqual(draft.status, "withdrawn")
        self.client.post(f"/referrals/{self.referral.pk}/withdraw/")
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, "withdrawn")
        response = self.client.post(f"/referrals/{draft.pk}/withdraw/", follow=True)
        self.assertContains(response, "cannot become withdrawn")

    def test_each_side_gets_404_on_the_others_page(self):
        self.login(self.c_manager)
        for path in [
            f"/referrals/{self.referral.pk}/",
            f"/referrals/{self.referral.pk}/print/",
        ]:
            self.assertEqual(self.client.get(path).status_code, 404, path)
        for path in [
            f"/referrals/{self.referral.pk}/send/",
            f"/referrals/{self.referral.pk}/withdraw/",
        ]:
            self.assertEqual(self.client.post(path).status_code, 404, path)
        self.login(self.case_manager)
        self.assertEqual(
            self.client.get(f"/referrals/received/{self.referral.pk}/").status_code, 404
        )
        response = self.client.post(
            f"/referrals/received/{self.referral.pk}/move/", {"status": "accepted"}
        )
        self.assertEqual(response.status_code, 404)
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, "sent")

    def test_an_outsider_gets_404_and_an_analyst_403_on_every_sender_page(self):
        for user, status in [(self.outsider, 404), (self.analyst, 403)]:
            self.login(user)
            for method, path in [
                ("get", f"/referrals/{self.referral.pk}/"),
                ("get", f"/referrals/{self.referral.pk}/print/"),
                ("post", f"/referrals/{self.referral.pk}/send/"),
                ("post", f"/referrals/{self.referral.pk}/withdraw/"),
            ]:
                with self.subTest(user=user.username, path=path):
                    response = getattr(self.client, method)(path)
                    self.assertEqual(response.status_code, status)
                    self.assertNoSurvivorData(response)


class OutboxTests(ReferralPageTestCase):
    def test_the_outbox_lists_sent_and_drafts_filters_by_status_and_marks_overdue(self):
        draft = self.draft()
        Referral.objects.filter(pk=self.referral.pk).update(
            acknowledge_by=timezone.now() - DAY, escalated_at=timezone.now()
        )
        self.login(self.supervisor)
        response = self.client.get("/referrals/sent/")
        self.assertEqual({r.pk for r in response.context["page"]}, {draft.pk, self.referral.pk})
        self.assertEqual([r.pk for r in response.context["overdue"]], [self.referral.pk])
        self.assertContains(response, "Escalated")
        response = self.client.get("/referrals/sent/", {"status": "draft"})
        self.assertEqual([r.pk for r in response.context["page"]], [draft.pk])

    def test_the_recipient_sees_nothing_of_the_senders_outbox(self):
        self.login(self.c_manager)
        response = self.client.get("/referrals/sent/")
        self.assertEqual(list(response.context["page"]), [])
        self.assertOnlyThePacket(response)


class InboxTests(ReferralPageTestCase):
    def test_the_inbox_lists_received_referrals_never_a_draft_and_no_survivor_data(self):
        draft = self.draft()
        self.login(self.c_manager)
        response = self.client.get("/referrals/inbox/")
        self.assertEqual([r.pk for r in response.context["page"]], [self.referral.pk])
        self.assertNotIn(draft.pk, [r.pk for r in response.context["page"]])
        self.assertContains(response, "Agency A")
        self.assertContains(response, "Immigration")
        self.assertContains(response, f'href="/referrals/received/{self.referral.pk}/"')
        self.assertOnlyThePacket(response)
        self.assertNotContains(response, SURVIVOR_DATA["legal_name"])

    def test_overdue_referrals_are_listed_and_escalated_ones_highlighted_for_supervisors(self):
        Referral.objects.filter(pk=self.referral.pk).update(
            acknowledge_by=timezone.now() - DAY, escalated_at=timezone.now()
        )
        self.login(self.c_manager)
        response = self.client.get("/referrals/inbox/")
        self.assertEqual([r.pk for r in response.context["overdue"]], [self.referral.pk])
        self.assertContains(response, 'id="overdue"')
        self.assertNotContains(response, "Escalated")
        self.login(self.c_supervisor)
        response = self.client.get("/referrals/inbox/")
        self.assertContains(response, 'class="escalated"', count=2)  # overdue list and page

    def test_the_inbox_takes_the_same_queries_for_one_referral_or_many(self):
        self.login(self.c_manager)

        def queries():
            with CaptureQueriesContext(connection) as captured:
                response = self.client.get("/referrals/inbox/")
            self.assertEqual(response.status_code, 200)
            return len(captured), len(response.context["page"])

        few, shown = queries()
        self.assertEqual(shown, 1)
        for _ in range(6):
            sent = self.send()
            Referral.objects.filter(pk=sent.pk).update(acknowledge_by=timezone.now() - DAY)
        many, shown = queries()
        self.assertEqual(shown, 7)
        self.assertEqual(few + 1, many)  # the overdue list's services, once it has rows
        more, _shown = queries()
        self.assertEqual(more, many)
        self.send()
        self.assertEqual(queries()[0], many)

    def test_an_analyst_of_the_recipient_gets_403(self):
        self.login(self.c_analyst)
        self.assertEqual(self.client.get("/referrals/inbox/").status_code, 403)
        self.assertEqual(
            self.client.get(f"/referrals/received/{self.referral.pk}/").status_code, 403
        )


class RecipientPageTests(ReferralPageTestCase):
    def url(self, referral=None):
        return f"/referrals/received/{(referral or self.referral).pk}/"

    def move(self, status, **data):
        return self.client.post(self.url() + "move/", {"status": status, **data})

    def test_the_recipient_sees_the_packet_and_the_request_and_nothing_else(self):
        self.login(self.c_manager)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Referral from Agency A")
        self.assertContains(response, SURVIVOR_DATA["legal_name"])  # identity is in the packet
        self.assertContains(response, "Immigration")
        self.assertOnlyThePacket(response)
        self.assertEqual(self.views_of(self.referral).get().detail, {"page": "received"})

    def test_a_richer_case_still_gives_the_recipient_only_the_categories_sent(self):
        referral = self.send(categories=["case_summary"])
        self.login(self.c_manager)
        response = self.client.get(self.url(referral))
        self.assertContains(response, "Labor trafficking")
        self.assertOnlyThePacket(response)
        for secret in (SURVIVOR_DATA["legal_name"], SURVIVOR_DATA["preferred_name"], "1999"):
            self.assertNotContains(response, secret)

    def test_the_recipient_acknowledges_accepts_and_makes_its_own_record_from_the_packet(self):
        self.login(self.c_manager)
        self.assertRedirects(self.move("acknowledged"), self.url())
        self.assertRedirects(self.move("accepted"), self.url())
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, "accepted")
        page = self.client.get(self.url())
        self.assertContains(page, "Create our record from this referral")
        response = self.client.post(self.url() + "record/")
        survivor = Survivor.objects.get(organization=self.agency_c)
        self.assertRedirects(response, f"/survivors/{survivor.pk}/")
        self.assertEqual(
            (survivor.legal_name, survivor.preferred_name, survivor.primary_language),
            (SURVIVOR_DATA["legal_name"], SURVIVOR_DATA["preferred_name"], "es"),
        )
        self.assertEqual(
            (survivor.phone, survivor.email, survivor.address, survivor.code_word),
            ("", "", "", ""),
        )
        page = self.client.get(self.url())
        self.assertContains(page, f'href="/survivors/{survivor.pk}/"')
        self.assertNotContains(page, "Create our record from this referral")
        response = self.client.post(self.url() + "record/", follow=True)
        self.assertContains(response, "A record was already made from this referral.")
        self.assertEqual(Survivor.objects.filter(organization=self.agency_c).count(), 1)

    def test_declining_needs_a_reason_at_the_field(self):
        self.login(self.c_manager)
        response = self.move("declined", decline_reason="  ")
        self.assertEqual(response.status_code, 200)
        self.assertIn("decline_reason", response.context["decline_form"].errors)
        self.assertOnlyThePacket(response)
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, "sent")
        self.assertRedirects(self.move("declined", decline_reason="No capacity."), self.url())
        self.referral.refresh_from_db()
        self.assertEqual(
            (self.referral.status, self.referral.decline_reason), ("declined", "No capacity.")
        )

    def test_a_move_out_of_turn_is_refused_with_a_reason(self):
        self.login(self.c_manager)
        response = self.move("completed")
        self.assertContains(response, "cannot become completed")
        response = self.client.post(self.url() + "record/", follow=True)
        self.assertContains(response, "Accept the referral before making a record.")
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, "sent")

    def test_what_was_received_stays_with_the_recipient_after_revocation(self):
        actions.consent_revoke(self.consent, actor=self.case_manager, note="In writing.")
        self.login(self.c_manager)
        response = self.client.get(self.url())
        self.assertContains(response, SURVIVOR_DATA["legal_name"])

    def test_an_outsider_gets_404_on_every_recipient_page(self):
        self.login(self.outsider)
        for method, path in [
            ("get", self.url()),
            ("post", self.url() + "move/"),
            ("post", self.url() + "record/"),
        ]:
            with self.subTest(path=path):
                response = getattr(self.client, method)(path, {"status": "accepted"})
                self.assertEqual(response.status_code, 404)
                self.assertNoSurvivorData(response)


class ReferralPrintTests(ReferralPageTestCase):
    def test_an_external_partner_gets_a_printed_referral_with_the_packet_only(self):
        referral = self.send(partner=self.safe_house)
        self.login(self.case_manager)
        page = self.client.get(f"/referrals/{referral.pk}/")
        self.assertContains(page, f'href="/referrals/{referral.pk}/print/"')
        response = self.client.get(f"/referrals/{referral.pk}/print/")
        self.assertContains(response, "Referral to Harbor safe house")
        self.assertContains(response, "css/print-forms.css")
        self.assertContains(response, SURVIVOR_DATA["legal_name"])
        self.assertOnlyThePacket(response)
        self.assertEqual(self.views_of(referral).filter(detail__page="referral_print").count(), 1)

    def test_no_printing_after_revocation_or_before_sending(self):
        referral = self.send(partner=self.safe_house)
        draft = self.draft(partner=self.safe_house)
        actions.consent_revoke(self.consent, actor=self.case_manager)
        self.login(self.case_manager)
        response = self.client.get(f"/referrals/{referral.pk}/print/")
        self.assertRedirects(response, f"/referrals/{referral.pk}/", fetch_redirect_response=False)
        page = self.client.get(f"/referrals/{referral.pk}/")
        self.assertContains(page, "The survivor revoked this consent on")
        self.assertEqual(self.refusals().get().detail["page"], "referral_print")
        response = self.client.get(f"/referrals/{draft.pk}/print/", follow=True)
        self.assertContains(response, "Only a sent referral that is still open can be printed.")


class OverdueCommandTests(ReferralPageTestCase):
    def test_overdue_referrals_are_escalated_once_and_counted_per_organization(self):
        Referral.objects.filter(pk=self.referral.pk).update(acknowledge_by=timezone.now() - DAY)
        out = io.StringIO()
        call_command("referrals_overdue", stdout=out)
        self.referral.refresh_from_db()
        self.assertIsNotNone(self.referral.escalated_at)
        output = out.getvalue()
        self.assertIn("agency-a: 0 received and not yet acknowledged, 1 sent", output)
        self.assertIn("agency-c: 1 received and not yet acknowledged, 0 sent", output)
        self.assertIn("1 overdue referral, 1 newly escalated.", output)
        for secret in (SURVIVOR_DATA["legal_name"], SURVIVOR_DATA["preferred_name"]):
            self.assertNotIn(secret, output)
        out = io.StringIO()
        call_command("referrals_overdue", stdout=out)
        self.assertIn("1 overdue referral, 0 newly escalated.", out.getvalue())
