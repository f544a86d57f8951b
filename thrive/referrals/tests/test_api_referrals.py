"""Consents and referrals over /api/v1: recorded and revoked, drafted, sent, moved by the
receiving organization and withdrawn by the sender, through the same actions; refusals with
their reason under `consent` and in the audit trail; each side's routes closed to the other."""

import datetime

from django.utils import timezone

from thrive.accounts.actions import api_token_create
from thrive.accounts.models import Role
from thrive.audit.models import AuditEvent
from thrive.cases.tests.test_api_cases import CaseApiTestCase
from thrive.referrals import actions
from thrive.referrals.models import Consent, Partner, Referral
from thrive.referrals.tests.fixtures import make_referral
from thrive.services.models import ServiceType
from thrive.survivors.models import Survivor
from thrive.test import DAY, make_member


class ReferralApiTestCase(CaseApiTestCase):
    """Agency A's case referred to agency C (identity only) under a consent naming C and A's
    external safe house; agency B has its own directory entry, named by no consent."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.safe_house, cls.consent, cls.referral = make_referral(cls)
        cls.legal = ServiceType.objects.get(code="immigration_relief")
        cls.partner_b = actions.partner_save(
            Partner(organization=cls.agency_b),
            actor=cls.outsider,
            organization=cls.agency_b,
            data={"name": "Agency B legal clinic"},
            service_types=[cls.legal],
        )
        cls.c_supervisor = make_member("c_supervisor", cls.agency_c, Role.SUPERVISOR)
        for user in (cls.c_manager, cls.c_supervisor):
            membership = user.memberships.get()
            cls.tokens[user.pk] = api_token_create(membership, actor=user, name="test")[1]

    def refusals(self):
        return AuditEvent.objects.filter(action=AuditEvent.Action.REFUSE)

    def draft_body(self, **changes):
        return {
            "partner_id": self.partner_c.pk,
            "service_type_ids": [self.legal.pk],
            "urgency": "routine",
            "categories": ["identity", "case_summary"],
            "consent_id": self.consent.pk,
            "reason": "Needs a lawyer for the U visa.",
            **changes,
        }

    def consent_body(self, **changes):
        return {
            "recipient_ids": [self.partner_c.pk],
            "purposes": ["referral"],
            "categories": ["identity", "contact"],
            "signed_on": (self.today - DAY).isoformat(),
            "method": "written",
            **changes,
        }


class ConsentApiTests(ReferralApiTestCase):
    def path(self):
        return f"/survivors/{self.survivor.pk}/consents"

    def test_records_a_consent_that_ends_by_default(self):
        body = self.assertJson(self.api("post", self.path(), body=self.consent_body()), 201)
        consent = Consent.objects.get(pk=body["id"])
        self.assertEqual(list(consent.recipients.all()), [self.partner_c])
        self.assertEqual(
            body["recipients"], [{"id": self.partner_c.pk, "name": self.partner_c.name}]
        )
        self.assertEqual(body["expires_on"], (self.today - DAY + 365 * DAY).isoformat())
        self.assertTrue(body["in_force"])
        self.assertTrue(self.events(consent, AuditEvent.Action.CREATE).exists())

    def test_bad_consents_are_refused_field_by_field_and_nothing_is_saved(self):
        before = Consent.objects.count()
        body = self.assertFieldError(
            self.api(
                "post",
                self.path(),
                body=self.consent_body(
                    recipient_ids=[], purposes=[], method="verbal_witnessed", witness=""
                ),
            ),
            "recipient_ids",
            "at least one organization",
        )
        self.assertEqual(set(body["errors"]), {"recipient_ids", "purposes", "witness"})
        self.assertFieldError(
            self.api("post", self.path(), body=self.consent_body(recipient_ids=[10**30])),
            "recipient_ids",
        )
        self.assertFieldError(
            self.api("post", self.path(), body=self.consent_body(recipient_ids=[987654])),
            "recipient_ids",
            "No partner",
        )
        self.assertFieldError(
            self.api(
                "post",
                self.path(),
                body=self.consent_body(expires_on=(self.today + 3000 * DAY).isoformat()),
            ),
            "expires_on",
            "at most",
        )
        self.assertFieldError(
            self.api("post", self.path(), body=self.consent_body(categories=["diary"])),
            "categories",
        )
        self.assertFieldError(
            self.api("post", self.path(), body=self.consent_body(signed_on="yesterday")),
            "signed_on",
        )
        self.assertEqual(Consent.objects.count(), before)

    def test_lists_reads_and_revokes_and_each_read_is_audited(self):
        body = self.assertJson(self.api("get", self.path()), 200)
        self.assertEqual([c["id"] for c in body], [self.consent.pk])
        self.assertEqual(body[0]["categories"], ["identity", "case_summary"])
        one = self.assertJson(self.api("get", f"/consents/{self.consent.pk}"), 200)
        self.assertEqual(one["survivor_id"], self.survivor.pk)
        views = AuditEvent.objects.for_object(self.survivor).filter(action="view")
        self.assertEqual(
            [e.detail for e in views.order_by("pk")],
            [
                {"via": "api", "part": "consents"},
                {"via": "api", "part": "consents", "consent": self.consent.pk},
            ],
        )
        path = f"/consents/{self.consent.pk}/revoke"
        revoked = self.assertJson(self.api("post", path, body={"note": "By phone."}), 200)
        self.assertFalse(revoked["in_force"])
        self.assertEqual(revoked["revocation_note"], "By phone.")
        self.assertFieldError(self.api("post", path), "consent", "already revoked")

    def test_only_case_roles_of_the_survivors_organization(self):
        consent = f"/consents/{self.consent.pk}"
        for user in (self.outsider, self.c_manager):
            self.assertJson(self.api("get", self.path(), user), 404)
            self.assertJson(self.api("post", self.path(), user, body=self.consent_body()), 404)
            self.assertJson(self.api("get", consent, user), 404)
            self.assertJson(self.api("post", f"{consent}/revoke", user), 404)
        for user in (self.analyst, self.advocate):
            self.assertJson(self.api("get", self.path(), user), 403)
            self.assertJson(self.api("get", consent, user), 403)
        self.assertIsNone(Consent.objects.get(pk=self.consent.pk).revoked_at)


class SenderApiTests(ReferralApiTestCase):
    def create(self, user=None, **changes):
        path = f"/cases/{self.case.pk}/referrals"
        return self.api("post", path, user, body=self.draft_body(**changes))

    def test_drafts_sends_and_reads_a_referral(self):
        body = self.assertJson(self.create(), 201)
        referral = Referral.objects.get(pk=body["id"])
        self.assertEqual((referral.status, referral.recipient), ("draft", self.agency_c))
        self.assertEqual(body["next_statuses"], ["sent", "withdrawn"])
        self.assertIsNone(body["packet"])
        self.assertTrue(body["on_thrive"])
        self.assertEqual([s["code"] for s in body["service_types"]], ["immigration_relief"])
        sent = self.assertJson(self.api("post", f"/referrals/{referral.pk}/send"), 200)
        self.assertEqual(sent["status"], "sent")
        self.assertEqual(set(sent["packet"]), {"identity", "case_summary"})
        self.assertEqual(sent["packet"]["case_summary"]["risk_level"], "high")
        self.assertFalse(sent["overdue"])
        self.assertTrue(sent["acknowledge_by"])
        self.assertTrue(self.events(referral, AuditEvent.Action.EXPORT).exists())
        self.assertFieldError(self.api("post", f"/referrals/{referral.pk}/send"), "status")
        self.assertJson(self.api("get", f"/referrals/{referral.pk}"), 200)
        views = AuditEvent.objects.for_object(self.case).filter(
            action="view", detail={"via": "api", "part": "referrals"}
        )
        self.assertEqual(views.count(), 1)

    def test_without_consent_or_beyond_it_a_referral_is_refused_with_an_audit_event(self):
        body = self.assertFieldError(self.create(consent_id=None), "consent", "consent")
        self.assertEqual(set(body["errors"]), {"consent"})
        self.assertFieldError(
            self.create(categories=["identity", "contact"]), "consent", "does not release"
        )
        self.assertFieldError(self.create(partner_id=self.partner_b.pk), "consent", "does not name")
        refusals = self.refusals().filter(object_type="cases.case", object_id=str(self.case.pk))
        self.assertEqual(refusals.count(), 3)
        self.assertFalse(Referral.objects.filter(partner=self.partner_b).exists())
        # A documented legal requirement to share stands in for consent.
        mandated = self.create(
            consent_id=None, categories=["identity"], mandated_exception="Court order 24-118."
        )
        self.assertJson(mandated, 201)

    def test_a_draft_is_refused_when_sent_after_the_consent_was_revoked(self):
        body = self.assertJson(self.create(), 201)
        actions.consent_revoke(self.consent, actor=self.case_manager)
        self.assertFieldError(
            self.api("post", f"/referrals/{body['id']}/send"), "consent", "revoked"
        )
        referral = Referral.objects.get(pk=body["id"])
        self.assertEqual((referral.status, referral.packet), ("draft", ""))
        self.assertTrue(self.refusals().filter(object_id=str(referral.pk)).exists())

    def test_a_draft_is_refused_when_sent_after_the_consent_expired(self):
        body = self.assertJson(self.create(), 201)
        Consent.objects.filter(pk=self.consent.pk).update(expires_on=self.today - DAY)
        self.assertFieldError(
            self.api("post", f"/referrals/{body['id']}/send"), "consent", "expired"
        )

    def test_references_outside_what_the_caller_may_choose_are_field_errors(self):
        b_consent = actions.consent_record(
            self.b_survivor,
            actor=self.outsider,
            data={
                "purposes": ["referral"],
                "categories": ["identity"],
                "signed_on": self.today,
                "method": "written",
            },
            recipients=[self.partner_c],
        )
        body = self.assertJson(
            self.create(partner_id=10**6, service_type_ids=[10**6], consent_id=b_consent.pk), 400
        )
        self.assertEqual(set(body["errors"]), {"partner_id", "service_type_ids", "consent_id"})
        self.assertFieldError(self.create(service_type_ids=[]), "service_type_ids", "at least one")
        self.assertFieldError(self.create(urgency="tomorrow"), "urgency")
        self.assertFieldError(self.create(surprise=1), "surprise")

    def test_lists_sent_referrals_with_a_status_filter_in_constant_queries(self):
        body = self.assertJson(self.create(), 201)
        page = self.assertJson(self.api("get", "/referrals/sent"), 200)
        self.assertEqual([r["id"] for r in page["results"]], [body["id"], self.referral.pk])
        drafts = self.assertJson(self.api("get", "/referrals/sent?status=draft"), 200)
        self.assertEqual([r["id"] for r in drafts["results"]], [body["id"]])
        self.assertJson(self.api("get", "/referrals/sent?status=lost"), 400)
        few, _ = self.queries("/referrals/sent")
        for _ in range(4):
            self.create()
        many, found = self.queries("/referrals/sent")
        self.assertEqual(found["count"], 6)
        self.assertEqual(few, many)

    def test_withdraws_and_only_those_who_may_change_the_case(self):
        path = f"/referrals/{self.referral.pk}/withdraw"
        self.assertJson(self.api("post", path, self.colleague), 403)
        body = self.assertJson(self.api("post", path, body={"note": "She moved away."}), 200)
        self.assertEqual((body["status"], body["next_statuses"]), ("withdrawn", []))
        self.assertFieldError(self.api("post", path), "status", "cannot become")

    def test_the_receiving_organization_and_outsiders_get_404_on_the_sender_routes(self):
        for user in (self.c_manager, self.outsider):
            self.assertJson(self.api("get", f"/referrals/{self.referral.pk}", user), 404)
            self.assertJson(self.api("post", f"/referrals/{self.referral.pk}/send", user), 404)
            self.assertJson(self.api("post", f"/referrals/{self.referral.pk}/withdraw", user), 404)
            self.assertJson(self.create(user), 404)
            page = self.assertJson(self.api("get", "/referrals/sent", user), 200)
            self.assertEqual(page["count"], 0)
        self.assertJson(self.api("get", "/referrals/sent", self.analyst), 403)


class RecipientApiTests(ReferralApiTestCase):
    def path(self, suffix=""):
        return f"/referrals/received/{self.referral.pk}{suffix}"

    def move(self, to, note="", user=None):
        return self.api(
            "post", self.path("/move"), user or self.c_manager, body={"to": to, "note": note}
        )

    def test_the_inbox_lists_what_was_sent_to_the_organization_and_nothing_else(self):
        body = self.assertJson(self.api("get", "/referrals/inbox", self.c_manager), 200)
        [item] = body["results"]
        self.assertEqual(item["id"], self.referral.pk)
        self.assertEqual((item["sender"], item["partner"]), ("Agency A", self.partner_c.name))
        self.assertEqual(item["next_statuses"], ["acknowledged", "accepted", "declined"])
        self.assertNotIn("packet", item)
        for user in (self.case_manager, self.outsider):
            self.assertEqual(
                self.assertJson(self.api("get", "/referrals/inbox", user), 200)["count"], 0
            )
        # A draft to agency C is not in its inbox, nor readable.
        draft = actions.referral_create(
            self.case,
            actor=self.case_manager,
            data={"partner": self.partner_c, "categories": ["identity"], "consent": self.consent},
            service_types=[self.legal],
        )
        body = self.assertJson(self.api("get", "/referrals/inbox", self.c_manager), 200)
        self.assertEqual(body["count"], 1)
        self.assertJson(self.api("get", f"/referrals/received/{draft.pk}", self.c_manager), 404)

    def test_the_inbox_takes_the_same_queries_for_one_referral_or_many(self):
        few, _ = self.queries("/referrals/inbox", self.c_manager)
        for _ in range(5):
            referral = actions.referral_create(
                self.case,
                actor=self.case_manager,
                data={
                    "partner": self.partner_c,
                    "categories": ["identity"],
                    "consent": self.consent,
                },
                service_types=[self.legal, self.shelter],
            )
            actions.referral_send(referral, actor=self.case_manager)
        many, body = self.queries("/referrals/inbox", self.c_manager)
        self.assertEqual(body["count"], 6)
        self.assertEqual(few, many)
        sent = self.assertJson(self.api("get", "/referrals/inbox?status=sent", self.c_manager), 200)
        self.assertEqual(sent["count"], 6)

    def test_reads_the_packet_and_the_read_is_audited_as_the_recipients(self):
        body = self.assertJson(self.api("get", self.path(), self.c_manager), 200)
        self.assertEqual(set(body["packet"]), {"identity"})
        self.assertEqual(body["packet"]["identity"]["legal_name"], self.survivor.legal_name)
        event = self.events(self.referral, AuditEvent.Action.VIEW).get()
        self.assertEqual(
            (event.actor, event.organization, event.detail),
            (self.c_manager, self.agency_c, {"via": "api", "side": "recipient"}),
        )

    def test_acknowledges_accepts_and_makes_its_own_record_from_the_packet(self):
        self.assertFieldError(
            self.api("post", self.path("/record"), self.c_manager), "referral", "Accept"
        )
        self.assertEqual(self.assertJson(self.move("acknowledged"), 200)["status"], "acknowledged")
        self.assertFieldError(self.move("acknowledged"), "to", "cannot become")
        body = self.assertJson(self.move("accepted"), 200)
        self.assertEqual(body["next_statuses"], ["services_started", "completed"])
        made = self.assertJson(self.api("post", self.path("/record"), self.c_manager), 201)
        survivor = Survivor.objects.get(pk=made["id"])
        self.assertEqual(survivor.organization, self.agency_c)
        self.assertEqual(survivor.legal_name, self.survivor.legal_name)
        self.assertEqual((survivor.phone, survivor.email, survivor.code_word), ("", "", ""))
        self.assertEqual(
            self.assertJson(self.api("get", self.path(), self.c_manager), 200)["record_id"],
            survivor.pk,
        )
        self.assertFieldError(
            self.api("post", self.path("/record"), self.c_manager), "referral", "already"
        )
        sender_view = self.assertJson(self.api("get", f"/referrals/{self.referral.pk}"), 200)
        self.assertTrue(sender_view["recipient_record_made"])
        self.assertEqual(self.assertJson(self.move("completed"), 200)["status"], "completed")

    def test_declining_needs_a_reason(self):
        self.assertFieldError(self.move("declined"), "note", "Say why")
        body = self.assertJson(self.move("declined", "No attorney free until spring."), 200)
        self.assertEqual(
            (body["status"], body["decline_reason"]), ("declined", "No attorney free until spring.")
        )
        sender_view = self.assertJson(self.api("get", f"/referrals/{self.referral.pk}"), 200)
        self.assertEqual(sender_view["decline_reason"], "No attorney free until spring.")
        self.assertFieldError(self.move("withdrawn"), "to")

    def test_the_sender_and_outsiders_get_404_on_the_received_routes(self):
        for user in (self.case_manager, self.supervisor, self.outsider):
            self.assertJson(self.api("get", self.path(), user), 404)
            self.assertJson(self.move("accepted", user=user), 404)
            self.assertJson(self.api("post", self.path("/record"), user), 404)
        self.assertJson(self.api("get", self.path(), self.analyst), 403)
        self.assertEqual(Referral.objects.get(pk=self.referral.pk).status, "sent")

    def test_ids_that_name_nothing_are_404_on_both_sides(self):
        for bad in (10**30, 0, "S-1"):
            for path in (f"/referrals/received/{bad}", f"/referrals/{bad}", f"/consents/{bad}"):
                self.assertJson(self.api("get", path, self.c_manager), 404)

    def test_an_overdue_referral_says_so_on_both_sides(self):
        Referral.objects.filter(pk=self.referral.pk).update(
            acknowledge_by=timezone.now() - datetime.timedelta(hours=1)
        )
        inbox = self.assertJson(self.api("get", "/referrals/inbox", self.c_manager), 200)
        self.assertTrue(inbox["results"][0]["overdue"])
        sent = self.assertJson(self.api("get", "/referrals/sent"), 200)
        self.assertTrue(sent["results"][0]["overdue"])
        self.assertFalse(self.assertJson(self.move("acknowledged"), 200)["overdue"])
