"""MDT case conferences through their actions: the roster limited to survivors whose consent
covers the conference and names every attending organization, the summary read only by
attendees within the window while the consent is in force, and action items carried to the
case's next conference until they are closed."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from thrive.accounts.models import Organization, Role
from thrive.audit.models import AuditEvent
from thrive.referrals import actions, conferences
from thrive.referrals.models import ActionItem, ConferenceCase
from thrive.referrals.tests.fixtures import make_referral
from thrive.survivors.actions import survivor_create
from thrive.test import DAY, CaseTestCase, make_member

HOUR = datetime.timedelta(hours=1)
SUMMARY = "Safety plan in place; housing search continues."


class ConferenceTestCase(CaseTestCase):
    """Agency A facilitates; agency C (on Thrive, in the directory) attends. The survivor's
    consent covers MDT conferences and names agency C's entry."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.safe_house, cls.consent, cls.referral = make_referral(cls)
        cls.c_supervisor = make_member("c_supervisor", cls.agency_c, Role.SUPERVISOR)

    def schedule(self, held_at=None, organizations=None, attendees=None, **changes):
        held_at = held_at or timezone.now()
        data = {
            "title": "County MDT, high-risk cases",
            "held_at": held_at,
            "opens_at": held_at - DAY,
            "closes_at": held_at + DAY,
            "organizations": organizations or [self.agency_c],
            "attendees": attendees or [self.supervisor, self.case_manager, self.c_manager],
            **changes,
        }
        return conferences.conference_create(self.agency_a, actor=self.supervisor, data=data)

    def present(self, conference, consent=None, case=None):
        return conferences.roster_add(
            conference,
            case=case or self.case,
            actor=self.case_manager,
            consent=consent or self.consent,
            summary=SUMMARY,
        )

    def mdt_consent(self, **changes):
        data = {
            "purposes": ["mdt"],
            "categories": ["case_summary"],
            "signed_on": self.today - 3 * DAY,
            "method": "written",
        }
        recipients = changes.pop("recipients", [self.partner_c])
        survivor = changes.pop("survivor", self.survivor)
        data.update(changes)
        return actions.consent_record(
            survivor, actor=self.case_manager, data=data, recipients=recipients
        )

    def events(self, action, obj=None):
        found = AuditEvent.objects.filter(action=action)
        if obj is not None:
            found = found.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        return found


class ConferenceCreateTests(ConferenceTestCase):
    def test_the_facilitator_attends_and_attendees_are_named(self):
        conference = self.schedule()
        self.assertEqual(set(conference.organizations.all()), {self.agency_a, self.agency_c})
        self.assertEqual(
            set(conference.attendees.all()), {self.supervisor, self.case_manager, self.c_manager}
        )
        self.assertTrue(self.events(AuditEvent.Action.CREATE, conference).exists())

    def test_the_window_must_contain_the_meeting(self):
        now = timezone.now()
        cases = {
            "opens after": ({"opens_at": now + HOUR}, "opens_at"),
            "closes before": ({"closes_at": now - HOUR}, "closes_at"),
            "closes before it opens": (
                {"opens_at": now - HOUR, "closes_at": now - 2 * HOUR},
                "closes_at",
            ),
        }
        for name, (changes, field) in cases.items():
            with self.subTest(name):
                with self.assertRaises(ValidationError) as caught:
                    self.schedule(held_at=now, **changes)
                self.assertIn(field, caught.exception.message_dict)

    def test_attendees_must_be_case_workers_of_attending_organizations(self):
        with self.assertRaises(ValidationError) as caught:
            self.schedule(attendees=[self.supervisor, self.outsider])
        self.assertIn("outsider", caught.exception.message_dict["attendees"][0])

    def test_only_supervisors_and_program_directors_of_the_facilitator_schedule(self):
        for user in (self.case_manager, self.outsider):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                conferences.conference_create(
                    self.agency_a,
                    actor=user,
                    data={"title": "x", "held_at": timezone.now(), "attendees": [user]},
                )


class RosterTests(ConferenceTestCase):
    def test_a_case_is_presented_under_a_consent_covering_the_conference(self):
        conference = self.schedule()
        entry = self.present(conference)
        self.assertEqual((entry.organization, entry.consent), (self.agency_a, self.consent))
        self.assertEqual(ConferenceCase.objects.get().summary, SUMMARY)

    def test_a_consent_not_covering_mdt_or_an_attending_organization_is_refused_and_audited(
        self,
    ):
        conference = self.schedule()
        someone_else = survivor_create(
            self.agency_a, actor=self.case_manager, data={"preferred_name": "Ana"}
        )
        cases = {
            "referral only": (self.mdt_consent(purposes=["referral"]), "does not cover"),
            "not naming agency C": (self.mdt_consent(recipients=[self.safe_house]), "Agency C"),
            "no case summary": (self.mdt_consent(categories=["identity"]), "does not release"),
            "another survivor's": (self.mdt_consent(survivor=someone_else), "another survivor"),
        }
        for name, (consent, reason) in cases.items():
            with self.subTest(name):
                with self.assertRaises(ValidationError) as caught:
                    self.present(conference, consent=consent)
                self.assertIn(reason, caught.exception.message_dict["consent"][0])
        self.assertFalse(ConferenceCase.objects.exists())
        refusals = self.events(AuditEvent.Action.REFUSE, self.case)
        self.assertEqual(refusals.count(), 4)
        self.assertEqual(refusals.first().detail["conference"], conference.pk)

    def test_an_attending_organization_outside_the_directory_cannot_be_named_so_is_refused(self):
        conference = self.schedule(organizations=[self.agency_c, self.agency_b])
        with self.assertRaises(ValidationError) as caught:
            self.present(conference)
        self.assertIn("Agency B", caught.exception.message_dict["consent"][0])
        self.assertEqual(self.events(AuditEvent.Action.REFUSE).count(), 1)

    def test_an_expired_or_revoked_consent_is_refused(self):
        conference = self.schedule()
        expired = self.mdt_consent(signed_on=self.today - 40 * DAY, expires_on=self.today - DAY)
        actions.consent_revoke(self.consent, actor=self.case_manager)
        for consent, reason in [(expired, "expired"), (self.consent, "revoked")]:
            with self.subTest(reason), self.assertRaises(ValidationError) as caught:
                self.present(conference, consent=consent)
            self.assertIn(reason, caught.exception.message_dict["consent"][0])

    def test_the_presenting_organization_must_attend(self):
        agency_d = Organization.objects.create(name="Agency D", slug="agency-d")
        conference = conferences.conference_create(
            self.agency_a,
            actor=self.supervisor,
            data={
                "title": "Agency A alone",
                "held_at": timezone.now(),
                "opens_at": timezone.now() - HOUR,
                "closes_at": timezone.now() + HOUR,
                "attendees": [self.supervisor],
            },
        )
        conference.organizations.set([agency_d])  # agency A no longer attends
        with self.assertRaises(ValidationError) as caught:
            self.present(conference)
        self.assertIn("case", caught.exception.message_dict)


class SummaryTests(ConferenceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.conference = cls.schedule(cls)
        cls.entry = cls.present(cls, cls.conference)

    def read(self, user, now=None):
        entry = ConferenceCase.objects.get(pk=self.entry.pk)
        return conferences.summary_read(entry, user=user, now=now)

    def test_attendees_of_each_organization_read_it_within_the_window_and_each_read_is_audited(
        self,
    ):
        for user in (self.case_manager, self.c_manager):
            with self.subTest(user=user.username):
                self.assertEqual(self.read(user), SUMMARY)
        views = self.events(AuditEvent.Action.VIEW, self.entry)
        self.assertEqual(
            {(e.actor, e.organization) for e in views},
            {(self.case_manager, self.agency_a), (self.c_manager, self.agency_c)},
        )

    def test_an_attendee_before_or_after_the_window_is_refused_with_the_window_and_audited(self):
        for name, now in {
            "before": self.conference.opens_at - HOUR,
            "after": self.conference.closes_at + HOUR,
        }.items():
            with self.subTest(name), self.assertRaises(PermissionDenied) as caught:
                self.read(self.c_manager, now=now)
            self.assertIn("Summaries are readable from", str(caught.exception))
        self.assertEqual(self.read(self.c_manager, now=self.conference.opens_at + HOUR), SUMMARY)
        refusals = self.events(AuditEvent.Action.REFUSE, self.entry)
        self.assertEqual(refusals.count(), 2)
        self.assertIn("Summaries are readable from", refusals.first().detail["reason"])
        self.assertEqual(self.events(AuditEvent.Action.VIEW, self.entry).count(), 1)

    def test_a_non_attendee_of_an_attending_organization_is_refused(self):
        for user in (self.c_supervisor, self.outsider):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied) as caught:
                self.read(user)
            self.assertIn("attendees", str(caught.exception))
        self.assertEqual(self.events(AuditEvent.Action.REFUSE, self.entry).count(), 2)

    def test_a_revoked_consent_hides_the_summary_from_every_attendee(self):
        actions.consent_revoke(self.consent, actor=self.case_manager, note="By phone")
        for user in (self.case_manager, self.c_manager):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied) as caught:
                self.read(user)
            self.assertIn("revoked", str(caught.exception))
        self.assertFalse(self.events(AuditEvent.Action.VIEW, self.entry).exists())

    def test_a_consent_no_longer_naming_the_readers_organization_hides_it_from_them(self):
        self.consent.recipients.remove(self.partner_c)
        with self.assertRaises(PermissionDenied) as caught:
            self.read(self.c_manager)
        self.assertIn("Agency C", str(caught.exception))
        self.assertEqual(self.read(self.case_manager), SUMMARY)


class ActionItemTests(ConferenceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        now = timezone.now()
        cls.first = cls.schedule(cls, held_at=now - 14 * DAY)
        cls.first_entry = cls.present(cls, cls.first)
        cls.second = cls.schedule(cls, held_at=now)
        cls.second_entry = cls.present(cls, cls.second)

    def add(self, entry=None, actor=None, **changes):
        data = {
            "text": "Agency C to schedule the T visa interview.",
            "owner": self.agency_c,
            "due_on": self.today + 7 * DAY,
            **changes,
        }
        return conferences.action_item_add(
            entry or self.first_entry, actor=actor or self.supervisor, data=data
        )

    def test_an_open_item_is_carried_to_the_next_conference_until_closed(self):
        item = self.add()
        self.assertEqual(
            conferences.carried_items(self.second, [self.case.pk]), {self.case.pk: [item]}
        )
        self.assertEqual(conferences.carried_items(self.first, [self.case.pk]), {})
        conferences.action_item_close(item, actor=self.c_manager)
        item.refresh_from_db()
        self.assertEqual(item.status, ActionItem.Status.DONE)
        self.assertIsNotNone(item.closed_at)
        self.assertEqual(conferences.carried_items(self.second, [self.case.pk]), {})
        self.assertTrue(self.events(AuditEvent.Action.CHANGE, item).exists())

    def test_the_owner_must_attend_and_only_attendees_add_items(self):
        with self.assertRaises(ValidationError) as caught:
            self.add(owner=self.agency_b, text="", due_on=None)
        self.assertEqual(set(caught.exception.message_dict), {"owner", "text", "due_on"})
        with self.assertRaises(PermissionDenied):
            self.add(actor=self.c_supervisor)
        self.assertFalse(ActionItem.objects.exists())

    def test_an_item_is_closed_once_by_its_owner_the_survivors_organization_or_the_facilitator(
        self,
    ):
        agency_d = Organization.objects.create(name="Agency D", slug="agency-d")
        d_manager = make_member("d_manager", agency_d, Role.CASE_MANAGER)
        self.first.organizations.add(agency_d)
        item = self.add()
        with self.assertRaises(PermissionDenied):
            conferences.action_item_close(item, actor=d_manager)
        conferences.action_item_close(item, actor=self.case_manager, status="dropped")
        with self.assertRaises(ValidationError) as caught:
            conferences.action_item_close(item, actor=self.c_manager)
        self.assertIn("already closed", caught.exception.message_dict["status"][0])
