"""The case conference pages: the list of conferences an organization attends, scheduling
one, a conference with its roster (summaries only for attendees within the window, otherwise
a notice saying why), presenting a case, action items carried forward until closed, and who
reaches each page."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from thrive.accounts.models import Role
from thrive.audit.models import AuditEvent
from thrive.referrals import actions, conferences
from thrive.referrals.models import ActionItem, Conference, ConferenceCase
from thrive.referrals.tests.fixtures import make_referral
from thrive.test import DAY, CaseTestCase, make_member

SUMMARY = "Safety plan in place; housing search continues."


class ConferencePageTestCase(CaseTestCase):
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

    def schedule(self, held_at, *, opens_at=None, closes_at=None, title="County MDT"):
        return conferences.conference_create(
            self.agency_a,
            actor=self.supervisor,
            data={
                "title": title,
                "held_at": held_at,
                "opens_at": opens_at or held_at - DAY,
                "closes_at": closes_at or held_at + DAY,
                "organizations": [self.agency_c],
                "attendees": [self.supervisor, self.case_manager, self.c_manager],
            },
        )

    def url(self, conference=None):
        return f"/referrals/conferences/{(conference or self.conference).pk}/"


class ConferenceListTests(ConferencePageTestCase):
    def test_members_of_attending_organizations_see_the_conference_and_others_do_not(self):
        for user, seen in [
            (self.case_manager, True),
            (self.c_supervisor, True),
            (self.outsider, False),
        ]:
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get("/referrals/conferences/")
                self.assertEqual(response.status_code, 200)
                if seen:
                    self.assertContains(response, self.url())
                else:
                    self.assertNotContains(response, self.url())
                self.assertNotContains(response, SUMMARY)

    def test_the_list_takes_the_same_number_of_queries_however_many_conferences(self):
        self.login(self.case_manager)
        with CaptureQueriesContext(connection) as one:
            self.client.get("/referrals/conferences/")
        for days in (3, 6, 9):
            self.schedule(timezone.now() - days * DAY)
        with CaptureQueriesContext(connection) as four:
            response = self.client.get("/referrals/conferences/")
        self.assertEqual(len(response.context["page"]), 4)
        self.assertEqual(len(one), len(four))

    def test_a_data_analyst_gets_403(self):
        self.login(self.analyst)
        for path in ["/referrals/conferences/", "/referrals/conferences/new/", self.url()]:
            with self.subTest(path):
                self.assertEqual(self.client.get(path).status_code, 403)


class ConferenceNewPageTests(ConferencePageTestCase):
    def form(self, **changes):
        now = timezone.localtime().replace(second=0, microsecond=0)
        data = {
            "title": "Youth MDT",
            "held_at": now.strftime("%Y-%m-%dT%H:%M"),
            "opens_at": (now - DAY).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + DAY).strftime("%Y-%m-%dT%H:%M"),
            "organizations": [self.agency_c.pk],
            "attendees": [self.supervisor.pk, self.c_manager.pk],
        }
        data.update(changes)
        return data

    def test_a_supervisor_schedules_a_conference_their_organization_facilitates(self):
        self.login(self.supervisor)
        response = self.client.post("/referrals/conferences/new/", self.form())
        conference = Conference.objects.get(title="Youth MDT")
        self.assertRedirects(response, self.url(conference))
        self.assertEqual(conference.facilitator, self.agency_a)
        self.assertEqual(set(conference.organizations.all()), {self.agency_a, self.agency_c})

    def test_a_window_that_does_not_contain_the_meeting_is_refused_at_the_field(self):
        self.login(self.supervisor)
        later = (timezone.localtime() + 3 * DAY).strftime("%Y-%m-%dT%H:%M")
        response = self.client.post("/referrals/conferences/new/", self.form(held_at=later))
        self.assertEqual(response.status_code, 200)
        self.assertIn("closes_at", response.context["form"].errors)
        self.assertFalse(Conference.objects.filter(title="Youth MDT").exists())

    def test_a_case_manager_may_not_schedule(self):
        self.login(self.case_manager)
        self.assertEqual(self.client.get("/referrals/conferences/new/").status_code, 403)


class ConferenceDetailTests(ConferencePageTestCase):
    def test_an_attendee_reads_the_summary_within_the_window_and_the_read_is_audited(self):
        for user in (self.case_manager, self.c_manager):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get(self.url())
                self.assertContains(response, SUMMARY)
                self.assertContains(response, self.case.label)
                self.assertNoSurvivorData(response)
        views = AuditEvent.objects.filter(
            action=AuditEvent.Action.VIEW, object_id=str(self.entry.pk)
        )
        self.assertEqual(views.count(), 2)

    def test_outside_the_window_an_attendee_sees_a_notice_saying_when_and_the_refusal_is_audited(
        self,
    ):
        now = timezone.now()
        cases = {
            "before": self.schedule(now + 3 * DAY, title="Next month"),
            "after": self.schedule(now - 3 * DAY, title="Last month"),
        }
        self.login(self.c_manager)
        for name, conference in cases.items():
            with self.subTest(name):
                conferences.roster_add(
                    conference,
                    case=self.case,
                    actor=self.case_manager,
                    consent=self.consent,
                    summary=f"{name}: {SUMMARY}",
                )
                response = self.client.get(self.url(conference))
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, SUMMARY)
                self.assertContains(response, "Summaries are readable from")
        refusals = AuditEvent.objects.filter(action=AuditEvent.Action.REFUSE, actor=self.c_manager)
        self.assertEqual(refusals.count(), 2)

    def test_a_non_attendee_of_an_attending_organization_sees_the_roster_without_summaries(self):
        self.login(self.c_supervisor)
        response = self.client.get(self.url())
        self.assertContains(response, self.case.label)
        self.assertNotContains(response, SUMMARY)
        self.assertContains(response, "Only the people named as attendees")

    def test_a_revoked_consent_hides_the_summary(self):
        actions.consent_revoke(self.consent, actor=self.case_manager)
        self.login(self.c_manager)
        response = self.client.get(self.url())
        self.assertNotContains(response, SUMMARY)
        self.assertContains(response, "revoked this consent")

    def test_an_outsider_gets_404_on_every_conference_page(self):
        item = ActionItem.objects.create(
            conference_case=self.entry,
            case=self.case,
            text="Agency C to schedule the T visa interview.",
            owner=self.agency_c,
            due_on=self.today + 7 * DAY,
        )
        self.login(self.outsider)
        base = self.url()
        for method, path in [
            ("get", base),
            ("get", f"{base}roster/new/"),
            ("post", f"{base}roster/new/"),
            ("get", f"{base}roster/{self.entry.pk}/items/new/"),
            ("post", f"{base}roster/{self.entry.pk}/items/new/"),
            ("post", f"/referrals/items/{item.pk}/close/"),
        ]:
            with self.subTest(method=method, path=path):
                response = getattr(self.client, method)(path)
                self.assertEqual(response.status_code, 404)
                self.assertNotContains(response, SUMMARY, status_code=404)
        item.refresh_from_db()
        self.assertEqual(item.status, ActionItem.Status.OPEN)


class RosterPageTests(ConferencePageTestCase):
    def test_a_case_is_presented_with_a_consent_covering_the_conference(self):
        conference = self.schedule(timezone.now() + 7 * DAY)
        self.login(self.case_manager)
        response = self.client.post(
            f"{self.url(conference)}roster/new/",
            {"case": self.case.pk, "consent": self.consent.pk, "summary": SUMMARY},
        )
        self.assertRedirects(response, self.url(conference))
        self.assertTrue(ConferenceCase.objects.filter(conference=conference).exists())

    def test_a_consent_not_naming_an_attending_organization_is_refused_at_the_field(self):
        conference = self.schedule(timezone.now() + 7 * DAY)
        narrow = actions.consent_record(
            self.survivor,
            actor=self.case_manager,
            data={
                "purposes": ["mdt"],
                "categories": ["case_summary"],
                "signed_on": self.today,
                "method": "written",
            },
            recipients=[self.safe_house],
        )
        self.login(self.case_manager)
        response = self.client.post(
            f"{self.url(conference)}roster/new/",
            {"case": self.case.pk, "consent": narrow.pk, "summary": SUMMARY},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Agency C", response.context["form"].errors["consent"][0])
        self.assertFalse(ConferenceCase.objects.filter(conference=conference).exists())
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.REFUSE).exists())

    def test_another_organizations_attendee_cannot_present_agency_as_case(self):
        self.login(self.c_manager)
        response = self.client.post(
            f"{self.url()}roster/new/",
            {"case": self.case.pk, "consent": self.consent.pk, "summary": SUMMARY},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("case", response.context["form"].errors)
        self.assertIn("consent", response.context["form"].errors)


class ActionItemPageTests(ConferencePageTestCase):
    def add_item(self, user):
        self.login(user)
        return self.client.post(
            f"{self.url()}roster/{self.entry.pk}/items/new/",
            {
                "text": "Agency C to schedule the T visa interview.",
                "owner": self.agency_c.pk,
                "due_on": (self.today + 7 * DAY).isoformat(),
            },
        )

    def test_an_item_is_carried_to_the_next_conference_until_closed(self):
        response = self.add_item(self.c_manager)
        self.assertRedirects(response, self.url())
        item = ActionItem.objects.get()
        later = self.schedule(timezone.now() + 14 * DAY, title="Next MDT")
        conferences.roster_add(
            later, case=self.case, actor=self.case_manager, consent=self.consent, summary="Next."
        )
        response = self.client.get(self.url(later))
        self.assertContains(response, "carried forward")
        self.assertContains(response, item.text)
        response = self.client.post(f"/referrals/items/{item.pk}/close/", {"status": "done"})
        self.assertRedirects(response, self.url())
        item.refresh_from_db()
        self.assertEqual(item.status, ActionItem.Status.DONE)
        response = self.client.get(self.url(later))
        self.assertNotContains(response, "carried forward")
        self.assertNotContains(response, item.text)

    def test_only_attendees_add_items(self):
        response = self.add_item(self.c_supervisor)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(ActionItem.objects.exists())
