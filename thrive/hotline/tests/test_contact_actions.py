"""Contacts through the actions: drafts that lose nothing, one contact per key, dispatch."""

import datetime
import threading
import uuid

from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.test import TransactionTestCase
from django.utils import timezone

from thrive.accounts.models import Organization, Role
from thrive.hotline import actions
from thrive.hotline.models import Contact, EmergencyResponse
from thrive.hotline.tests.test_api_contacts import SqliteFile
from thrive.survivors.actions import survivor_create
from thrive.test import BaseTestCase, make_member

CALL = {
    "channel": "call",
    "caller_role": "potential_victim",
    "reason": "crisis",
    "urgency": "immediate",
    "indicators": ["WithholdsDocuments", "DebtBondage"],
    "summary": "Calling from a gas station; the boss keeps her passport.",
    "caller_phone": "+1 (415) 555-0142",
}


class ContactTests(BaseTestCase):
    def setUp(self):
        self.key = uuid.uuid4()

    def log(self, **changes):
        data = {**CALL, "received_at": timezone.now(), **changes}
        return actions.contact_log(self.agency_a, actor=self.advocate, key=self.key, data=data)

    def test_a_draft_grows_as_typed_then_is_logged_once(self):
        actions.contact_draft_save(
            self.agency_a, actor=self.advocate, key=self.key, data={"channel": "call"}
        )
        draft = actions.contact_draft_save(
            self.agency_a, actor=self.advocate, key=self.key, data={"summary": "Boss keeps"}
        )
        self.assertEqual(
            (draft.status, draft.channel, draft.summary), ("draft", "call", "Boss keeps")
        )
        contact, created = self.log()
        self.assertTrue(created)
        self.assertEqual((contact.pk, contact.status), (draft.pk, "logged"))
        again, created = self.log(summary="A second submit")
        self.assertFalse(created)
        self.assertEqual(again.pk, contact.pk)
        self.assertEqual(Contact.objects.count(), 1)
        self.assertEqual(Contact.objects.get().summary, CALL["summary"])

    def test_autosave_never_changes_a_logged_contact(self):
        contact, _ = self.log()
        actions.contact_draft_save(
            self.agency_a, actor=self.advocate, key=self.key, data={"summary": "late autosave"}
        )
        contact.refresh_from_db()
        self.assertEqual(contact.summary, CALL["summary"])

    def test_a_contact_needs_a_channel_a_time_and_a_reason(self):
        with self.assertRaises(ValidationError) as caught:
            self.log(channel="", received_at=None, reason="")
        self.assertEqual(set(caught.exception.message_dict), {"channel", "received_at", "reason"})
        self.assertFalse(Contact.objects.logged().exists())

    def test_a_mandated_report_needs_a_minor(self):
        with self.assertRaises(ValidationError) as caught:
            self.log(disposition="mandated_report")
        self.assertIn("disposition", caught.exception.message_dict)
        contact, _ = self.log(disposition="mandated_report", indicators=["minor_involved"])
        self.assertEqual(contact.disposition, "mandated_report")

    def test_a_repeat_caller_is_found_by_phone_without_storing_it_in_plaintext(self):
        self.log()
        self.key = uuid.uuid4()
        self.log(caller_phone="415-555-0142")
        self.assertEqual(Contact.objects.from_phone("(415) 555 0142").count(), 2)
        with connection.cursor() as cursor:
            cursor.execute("SELECT caller_phone, summary FROM hotline_contact")
            for phone, summary in cursor.fetchall():
                self.assertNotIn("555", phone)
                self.assertNotIn("passport", summary)


class DispatchTests(BaseTestCase):
    def logged_contact(self, survivor):
        contact, _ = actions.contact_log(
            self.agency_a,
            actor=self.advocate,
            key=uuid.uuid4(),
            data={**CALL, "received_at": timezone.now()},
        )
        if survivor is not None:
            actions.contact_link_survivor(contact, actor=self.advocate, survivor=survivor)
        return contact

    def test_a_survivor_under_24_goes_to_the_youth_queue_with_an_emergency_case(self):
        youth = survivor_create(
            self.agency_a,
            actor=self.advocate,
            data={
                "preferred_name": "Dani",
                "date_of_birth": timezone.localdate() - datetime.timedelta(days=19 * 365),
            },
        )
        response = actions.response_dispatch(
            self.logged_contact(youth), actor=self.advocate, responder=self.case_manager
        )
        self.assertEqual(response.queue, "youth")
        self.assertEqual(response.case.program.kind, "emergency_response")
        self.assertEqual(response.case.case_manager, self.case_manager)
        self.assertEqual(response.contact.disposition, "dispatched")

    def test_an_adult_goes_to_the_adult_queue(self):
        response = actions.response_dispatch(
            self.logged_contact(self.survivor), actor=self.advocate, responder=self.case_manager
        )
        self.assertEqual(response.queue, "adult")

    def test_no_dispatch_without_a_survivor_or_a_responder(self):
        with self.assertRaises(ValidationError) as caught:
            actions.response_dispatch(
                self.logged_contact(None), actor=self.advocate, responder=self.case_manager
            )
        self.assertIn("survivor", caught.exception.message_dict)
        with self.assertRaises(ValidationError) as caught:
            actions.response_dispatch(
                self.logged_contact(self.survivor), actor=self.advocate, responder=None
            )
        self.assertIn("responder", caught.exception.message_dict)
        self.assertFalse(EmergencyResponse.objects.exists())

    def test_first_contact_and_safe_placement_are_timed_once_each(self):
        response = actions.response_dispatch(
            self.logged_contact(self.survivor), actor=self.advocate, responder=self.case_manager
        )
        actions.response_mark(response, actor=self.case_manager, step="first_contact")
        actions.response_mark(response, actor=self.case_manager, step="safe")
        response.refresh_from_db()
        self.assertEqual(response.status, "safe")
        self.assertLessEqual(response.first_contact_at, response.safe_at)
        with self.assertRaises(ValidationError):
            actions.response_mark(response, actor=self.case_manager, step="safe")


class ConcurrentLogTests(TransactionTestCase):
    """Eight threads log the same key at once: one contact, on SQLite (as a file, as in
    production) and PostgreSQL."""

    def test_concurrent_submits_of_one_key_make_one_contact(self):
        with SqliteFile():
            self.submit_eight_at_once()

    def submit_eight_at_once(self):
        agency = Organization.objects.create(name="A", slug="a", kind="service_provider")
        advocate = make_member("advocate", agency, Role.HOTLINE_ADVOCATE)
        key = uuid.uuid4()
        barrier = threading.Barrier(8)
        results = []

        def submit():
            try:
                barrier.wait()
                contact, created = actions.contact_log(
                    agency, actor=advocate, key=key, data={**CALL, "received_at": timezone.now()}
                )
                results.append((contact.pk, created))
            finally:
                close_old_connections()

        threads = [threading.Thread(target=submit) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(Contact.objects.count(), 1)
        self.assertEqual(len({pk for pk, _ in results}), 1)
        self.assertEqual(sum(created for _, created in results), 1)
