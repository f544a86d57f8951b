"""The recipient never receives a field outside the packet: not through the pages, the API,
search or export.

Agency A refers its survivor's case to agency C with a packet of identity only (name, date of
birth, gender, language). Everything else agency A holds about her (her phone, e-mail,
address, code word, aliases, country of birth, the case's notes, plan, tasks and services,
the reason for the referral) must never reach agency C's case manager, supervisor or API token,
before or after agency C makes its own record from the packet, and after the survivor revokes
her consent (what C already received stays readable by C; nothing new is sent)."""

import csv
import io
import json
import re

from django.urls import reverse

from thrive.audit.models import AuditEvent
from thrive.referrals import actions
from thrive.referrals.models import Referral
from thrive.referrals.tests.fixtures import SAFE_HOUSE_LOCATION
from thrive.referrals.tests.test_api_referrals import ReferralApiTestCase
from thrive.test import SURVIVOR_DATA

# What agency C may read: the identity category of the packet, and nothing else of hers.
IDENTITY = ("legal_name", "preferred_name", "date_of_birth", "gender_identity", "primary_language")
# Fields of the survivor that are not identity, as JSON keys: none may appear in C's answers.
OUTSIDE_KEYS = (
    "phone",
    "email",
    "address",
    "code_word",
    "aliases",
    "country_of_birth",
    "race_ethnicity",
    "age_first_trafficked",
    "may_call",
    "may_text",
    "risk_level",
    "trafficking_type",
    "reason",
    "case",
    "survivor",
    "consent_id",
    "categories",
)


class RecipientScopeTests(ReferralApiTestCase):
    def setUp(self):
        # The survivor's values outside the identity category, and the case's words. "Jo", her
        # short alias, is checked as a JSON value only: two letters occur in any page.
        self.outside = [
            SURVIVOR_DATA["phone"],
            "555-0142",
            SURVIVOR_DATA["email"],
            SURVIVOR_DATA["address"],
            "Harbor Street",
            SURVIVOR_DATA["code_word"],
            SURVIVOR_DATA["aliases"],
            "Mary C",
            self.note.body,
            self.goal.description,
            self.step.description,
            self.task.title,
            self.service.notes,
            "Needs a T visa consultation.",  # the sender's reason for the referral
            SAFE_HOUSE_LOCATION,
            self.case.label,
        ]
        self.country = SURVIVOR_DATA["country_of_birth"]  # "MX": a whole word only

    # -- checks ---------------------------------------------------------------------------

    def assertNothingOutside(self, response, *, survivor_label=True, keys=True):  # noqa: N802
        """No value outside the packet in a page, a CSV or a JSON answer (nor, with `keys`,
        a JSON key naming a field outside it)."""
        self.assertLess(response.status_code, 500)
        if response["Content-Type"].startswith("application/json"):
            body = json.dumps(response.json(), ensure_ascii=False)
            for key in OUTSIDE_KEYS if keys else ():
                self.assertNotIn(f'"{key}"', body, key)
            self.assertNotIn('"Jo"', body)
        else:
            body = response.content.decode()
        for value in self.outside + ([self.survivor.record_label] if survivor_label else []):
            self.assertNotIn(value, body)
        self.assertIsNone(re.search(rf"\b{self.country}\b", body))
        return body

    def assertIdentityOnly(self, packet):  # noqa: N802
        self.assertEqual(set(packet), {"identity"})
        identity = packet["identity"]
        for field in IDENTITY:
            self.assertEqual(identity[field], str(getattr(self.survivor, field)), field)

    def c_pages(self):
        self.login(self.c_manager)
        inbox = self.client.get(reverse("referrals:inbox"))
        received = self.client.get(
            reverse("referrals:received", kwargs={"referral_id": self.referral.pk})
        )
        self.assertEqual((inbox.status_code, received.status_code), (200, 200))
        return inbox, received

    def c_searches(self, user):
        """Agency C looks her up by name, phone and agency A's record number, on the page
        and over the API. The page is asked for its results only (as htmx does), since the
        whole page repeats the term typed into its search box."""
        self.login(user)
        terms = [self.survivor.legal_name, SURVIVOR_DATA["phone"], self.survivor.record_label]
        found = []
        for term in terms:
            page = self.client.post(reverse("survivors:list"), {"q": term}, HTTP_HX_REQUEST="true")
            self.assertContains(page, 'class="result-count"')
            found.append((page, [s.pk for s in page.context["page"]]))
            api = self.api("post", "/survivors/search", user, body={"q": term})
            body = self.assertJson(api, 200)
            found.append((api, [s["id"] for s in body["results"]]))
        return found

    def c_export(self):
        self.login(self.c_supervisor)
        response = self.client.post(reverse("survivors:export"), {"q": ""})
        self.assertEqual(response.status_code, 200)
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        return response, rows

    # -- the tests ------------------------------------------------------------------------

    def test_the_api_gives_agency_c_the_packet_and_nothing_else(self):
        received = self.api("get", f"/referrals/received/{self.referral.pk}", self.c_manager)
        self.assertJson(received, 200)
        self.assertNothingOutside(received)
        self.assertIdentityOnly(received.json()["packet"])
        inbox = self.api("get", "/referrals/inbox", self.c_manager)
        self.assertEqual(self.assertJson(inbox, 200)["count"], 1)
        body = self.assertNothingOutside(inbox)
        self.assertNotIn(self.survivor.legal_name, body)  # the inbox holds no packet
        for user in (self.c_manager, self.c_supervisor):
            self.assertJson(self.api("get", f"/referrals/{self.referral.pk}", user), 404)
            self.assertJson(self.api("get", f"/cases/{self.case.pk}", user), 404)
            self.assertJson(self.api("get", f"/survivors/{self.survivor.pk}", user), 404)
            consents = self.api("get", f"/survivors/{self.survivor.pk}/consents", user)
            self.assertJson(consents, 404)

    def test_the_pages_give_agency_c_the_packet_and_nothing_else(self):
        inbox, received = self.c_pages()
        self.assertNothingOutside(inbox)
        body = self.assertNothingOutside(received)
        self.assertIn(self.survivor.legal_name, body)  # the packet is shown
        for path in (
            reverse("referrals:referral", kwargs={"referral_id": self.referral.pk}),
            reverse("survivors:detail", args=[self.survivor.pk]),
            reverse("cases:detail", args=[self.case.pk]),
        ):
            response = self.client.get(path)
            self.assertEqual(response.status_code, 404, path)
            self.assertNothingOutside(response)

    def test_search_and_export_by_agency_c_find_nothing_of_agency_as_survivor(self):
        for response, ids in self.c_searches(self.c_manager):
            self.assertEqual(ids, [])
            self.assertNothingOutside(response)
            self.assertNotIn(self.survivor.legal_name, response.content.decode())
        response, rows = self.c_export()
        self.assertEqual(rows, [])
        self.assertNothingOutside(response)

    def test_agency_cs_own_record_holds_the_packet_only_and_is_all_it_finds(self):
        self.assertJson(
            self.api(
                "post",
                f"/referrals/received/{self.referral.pk}/move",
                self.c_manager,
                body={"to": "accepted"},
            ),
            200,
        )
        made = self.api("post", f"/referrals/received/{self.referral.pk}/record", self.c_manager)
        own = self.assertJson(made, 201)["id"]
        self.assertNotEqual(own, self.survivor.pk)
        record = self.api("get", f"/survivors/{own}", self.c_manager)
        self.assertEqual(self.assertJson(record, 200)["legal_name"], self.survivor.legal_name)
        # C's own record may carry its own record number, whatever A's is.
        self.assertNothingOutside(record, survivor_label=False, keys=False)
        self.assertEqual(record.json()["country_of_birth"], "")
        self.assertEqual(record.json()["phone"], "")
        for response, ids in self.c_searches(self.c_manager):
            self.assertIn(ids, ([], [own]))
            self.assertNothingOutside(response, survivor_label=False)
        response, rows = self.c_export()
        self.assertEqual([row["legal_name"] for row in rows], [self.survivor.legal_name])
        self.assertNothingOutside(response, survivor_label=False)
        inbox, received = self.c_pages()
        self.assertNothingOutside(inbox, survivor_label=False)
        self.assertNothingOutside(received, survivor_label=False)

    def test_after_revocation_what_c_received_stays_and_nothing_new_is_sent(self):
        draft = actions.referral_create(
            self.case,
            actor=self.case_manager,
            data={"partner": self.partner_c, "categories": ["identity"], "consent": self.consent},
            service_types=[self.legal],
        )
        path = f"/consents/{self.consent.pk}/revoke"
        self.assertJson(self.api("post", path, body={"note": "Asked in person."}), 200)
        received = self.api("get", f"/referrals/received/{self.referral.pk}", self.c_manager)
        self.assertJson(received, 200)
        self.assertIdentityOnly(received.json()["packet"])
        self.assertNothingOutside(received)
        _, page = self.c_pages()
        self.assertIn(self.survivor.legal_name, self.assertNothingOutside(page))
        # A new referral is refused, and so is sending the draft made before the revocation;
        # each refusal is in the audit trail.
        refused = self.api(
            "post",
            f"/cases/{self.case.pk}/referrals",
            body=self.draft_body(categories=["identity"]),
        )
        self.assertFieldError(refused, "consent", "revoked")
        self.assertFieldError(self.api("post", f"/referrals/{draft.pk}/send"), "consent", "revoked")
        refusals = AuditEvent.objects.filter(action=AuditEvent.Action.REFUSE).order_by("pk")
        self.assertEqual(
            [(e.object_type, e.object_id, e.actor) for e in refusals],
            [
                ("cases.case", str(self.case.pk), self.case_manager),
                ("referrals.referral", str(draft.pk), self.case_manager),
            ],
        )
        draft.refresh_from_db()
        self.assertEqual((draft.status, draft.packet), ("draft", ""))
        inbox = self.assertJson(self.api("get", "/referrals/inbox", self.c_manager), 200)
        self.assertEqual([r["id"] for r in inbox["results"]], [self.referral.pk])
        self.assertFalse(Referral.objects.filter(status="sent").exclude(pk=self.referral.pk))
