"""Case conferences over /api/v1: the list and a conference with its roster, summaries under
the pages' rule (attendees, within the window, while the consent allows), presenting a case,
and action items added and closed."""

import json

from django.utils import timezone

from thrive.accounts.actions import api_token_create
from thrive.accounts.models import Role
from thrive.audit.models import AuditEvent
from thrive.referrals import actions, conferences
from thrive.referrals.models import ActionItem, ConferenceCase
from thrive.referrals.tests.fixtures import make_referral
from thrive.test import DAY, CaseTestCase, make_member

SUMMARY = "Safety plan in place; housing search continues."


class ConferenceApiTests(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.safe_house, cls.consent, cls.referral = make_referral(cls)
        cls.c_supervisor = make_member("c_supervisor", cls.agency_c, Role.SUPERVISOR)
        cls.conference = cls.schedule(cls, timezone.now())
        cls.entry = conferences.roster_add(
            cls.conference,
            case=cls.case,
            actor=cls.case_manager,
            consent=cls.consent,
            summary=SUMMARY,
        )
        cls.tokens = {}
        for user in (
            cls.case_manager,
            cls.supervisor,
            cls.c_manager,
            cls.c_supervisor,
            cls.analyst,
            cls.outsider,
        ):
            membership = user.memberships.get()
            cls.tokens[user.pk] = api_token_create(membership, actor=user, name="test")[1]

    def schedule(self, held_at, title="County MDT"):
        return conferences.conference_create(
            self.agency_a,
            actor=self.supervisor,
            data={
                "title": title,
                "held_at": held_at,
                "opens_at": held_at - DAY,
                "closes_at": held_at + DAY,
                "organizations": [self.agency_c],
                "attendees": [self.supervisor, self.case_manager, self.c_manager],
            },
        )

    def api(self, method, path, user, body=None):
        headers = {"authorization": f"Bearer {self.tokens[user.pk]}"}
        if method == "get":
            return self.client.get(f"/api/v1{path}", headers=headers)
        return getattr(self.client, method)(
            f"/api/v1{path}",
            data=json.dumps(body or {}),
            content_type="application/json",
            headers=headers,
        )

    def assertJson(self, response, status):  # noqa: N802 (unittest style)
        self.assertEqual(response.status_code, status, response.content[:800])
        self.assertTrue(response["Content-Type"].startswith("application/json"))
        return response.json()

    def test_the_list_holds_the_conferences_an_organization_attends(self):
        for user, count in [(self.c_supervisor, 1), (self.outsider, 0)]:
            with self.subTest(user=user.username):
                body = self.assertJson(self.api("get", "/conferences", user), 200)
                self.assertEqual(body["count"], count)
        body = self.assertJson(self.api("get", "/conferences", self.case_manager), 200)
        self.assertEqual(body["results"][0]["cases"], 1)

    def test_an_attendee_reads_the_summary_within_the_window_and_others_see_why_not(self):
        path = f"/conferences/{self.conference.pk}"
        body = self.assertJson(self.api("get", path, self.c_manager), 200)
        self.assertTrue(body["you_attend"])
        self.assertEqual(body["roster"][0]["summary"], SUMMARY)
        self.assertEqual(body["roster"][0]["summary_withheld"], "")
        body = self.assertJson(self.api("get", path, self.c_supervisor), 200)
        self.assertIsNone(body["roster"][0]["summary"])
        self.assertIn("attendees", body["roster"][0]["summary_withheld"])
        self.assertNotIn(SUMMARY, json.dumps(body))
        self.assertEqual(
            AuditEvent.objects.filter(object_id=str(self.entry.pk))
            .values_list("action", flat=True)
            .order_by("pk")
            .last(),
            AuditEvent.Action.REFUSE,
        )

    def test_outside_the_window_or_after_revocation_the_summary_is_withheld(self):
        past = self.schedule(timezone.now() - 5 * DAY, title="Last week")
        entry = conferences.roster_add(
            past, case=self.case, actor=self.case_manager, consent=self.consent, summary=SUMMARY
        )
        body = self.assertJson(
            self.api("get", f"/conferences/{past.pk}/roster/{entry.pk}", self.c_manager), 200
        )
        self.assertIsNone(body["summary"])
        self.assertIn("Summaries are readable from", body["summary_withheld"])
        actions.consent_revoke(self.consent, actor=self.case_manager)
        body = self.assertJson(
            self.api(
                "get", f"/conferences/{self.conference.pk}/roster/{self.entry.pk}", self.c_manager
            ),
            200,
        )
        self.assertIsNone(body["summary"])
        self.assertIn("revoked", body["summary_withheld"])

    def test_a_case_is_presented_only_under_a_consent_covering_the_conference(self):
        later = self.schedule(timezone.now() + 7 * DAY, title="Next week")
        referral_only = actions.consent_record(
            self.survivor,
            actor=self.case_manager,
            data={
                "purposes": ["referral"],
                "categories": ["case_summary"],
                "signed_on": self.today,
                "method": "written",
            },
            recipients=[self.partner_c],
        )
        path = f"/conferences/{later.pk}/roster"
        body = self.assertJson(
            self.api(
                "post",
                path,
                self.case_manager,
                {"case_id": self.case.pk, "consent_id": referral_only.pk, "summary": SUMMARY},
            ),
            400,
        )
        self.assertIn("does not cover", body["errors"]["consent_id"][0])
        self.assertTrue(
            AuditEvent.objects.filter(
                action=AuditEvent.Action.REFUSE, object_id=str(self.case.pk)
            ).exists()
        )
        body = self.assertJson(
            self.api(
                "post",
                path,
                self.case_manager,
                {"case_id": self.case.pk, "consent_id": self.consent.pk, "summary": SUMMARY},
            ),
            201,
        )
        self.assertEqual(body["organization"]["name"], "Agency A")
        self.assertTrue(ConferenceCase.objects.filter(conference=later).exists())

    def test_action_items_are_added_by_attendees_carried_forward_and_closed(self):
        path = f"/conferences/{self.conference.pk}/roster/{self.entry.pk}/items"
        item_body = {
            "text": "Agency C to schedule the T visa interview.",
            "owner_id": self.agency_c.pk,
            "due_on": (self.today + 7 * DAY).isoformat(),
        }
        self.assertJson(self.api("post", path, self.c_supervisor, item_body), 403)
        body = self.assertJson(
            self.api("post", path, self.c_manager, {**item_body, "owner_id": self.agency_b.pk}),
            400,
        )
        self.assertIn("owner_id", body["errors"])
        item = self.assertJson(self.api("post", path, self.c_manager, item_body), 201)
        self.assertEqual((item["owner"]["name"], item["status"]), ("Agency C", "open"))

        later = self.schedule(timezone.now() + 14 * DAY, title="Next MDT")
        conferences.roster_add(
            later, case=self.case, actor=self.case_manager, consent=self.consent, summary="Next."
        )
        body = self.assertJson(self.api("get", f"/conferences/{later.pk}", self.c_manager), 200)
        self.assertEqual([i["id"] for i in body["roster"][0]["carried_items"]], [item["id"]])

        closed = self.assertJson(
            self.api("post", f"/action-items/{item['id']}/close", self.c_manager), 200
        )
        self.assertEqual(closed["status"], ActionItem.Status.DONE)
        body = self.assertJson(self.api("get", f"/conferences/{later.pk}", self.c_manager), 200)
        self.assertEqual(body["roster"][0]["carried_items"], [])
        again = self.assertJson(
            self.api("post", f"/action-items/{item['id']}/close", self.c_manager), 400
        )
        self.assertIn("already closed", again["errors"]["status"][0])

    def test_outsiders_get_404_and_data_analysts_403(self):
        item = ActionItem.objects.create(
            conference_case=self.entry,
            case=self.case,
            text="Agency C to schedule the T visa interview.",
            owner=self.agency_c,
            due_on=self.today + 7 * DAY,
        )
        base = f"/conferences/{self.conference.pk}"
        calls = [
            ("get", base),
            ("get", f"{base}/roster/{self.entry.pk}"),
            ("post", f"{base}/roster"),
            ("post", f"{base}/roster/{self.entry.pk}/items"),
            ("post", f"/action-items/{item.pk}/close"),
        ]
        for user, status in [(self.outsider, 404), (self.analyst, 403)]:
            for method, path in calls:
                with self.subTest(user=user.username, method=method, path=path):
                    response = self.api(method, path, user)
                    self.assertJson(response, status)
                    self.assertNotIn(SUMMARY, response.content.decode())
        self.assertJson(self.api("get", "/conferences", self.analyst), 403)

    def test_a_supervisor_schedules_a_conference_and_a_bad_window_is_a_field_error(self):
        now = timezone.now()
        body = {
            "title": "Youth MDT",
            "held_at": now.isoformat(),
            "opens_at": (now - DAY).isoformat(),
            "closes_at": (now + DAY).isoformat(),
            "organization_ids": [self.agency_c.pk],
            "attendee_ids": [self.supervisor.pk, self.c_manager.pk],
        }
        self.assertJson(self.api("post", "/conferences", self.case_manager, body), 403)
        late = {
            **body,
            "opens_at": (now + DAY).isoformat(),
            "closes_at": (now + 2 * DAY).isoformat(),
        }
        errors = self.assertJson(self.api("post", "/conferences", self.supervisor, late), 400)
        self.assertIn("opens_at", errors["errors"])
        stranger = {**body, "attendee_ids": [self.outsider.pk]}
        errors = self.assertJson(self.api("post", "/conferences", self.supervisor, stranger), 400)
        self.assertIn("attendee_ids", errors["errors"])
        created = self.assertJson(self.api("post", "/conferences", self.supervisor, body), 201)
        self.assertEqual({o["name"] for o in created["organizations"]}, {"Agency A", "Agency C"})
        self.assertEqual(created["roster"], [])
