"""The hotline board (no names, constant queries) and the on-call roster."""

import datetime
import uuid

from django.urls import reverse
from django.utils import timezone

from thrive.hotline import actions
from thrive.hotline.models import OnCallShift
from thrive.test import BaseTestCase

HOUR = datetime.timedelta(hours=1)
BOARD = reverse("hotline:board")
ROSTER = reverse("hotline:roster")


class BoardTests(BaseTestCase):
    def log(self, n, **changes):
        for _ in range(n):
            actions.contact_log(
                self.agency_a,
                actor=self.advocate,
                key=uuid.uuid4(),
                data={
                    "channel": "text",
                    "reason": "crisis",
                    "received_at": timezone.now(),
                    "summary": "Secret summary",
                    **changes,
                },
            )

    def setUp(self):
        now = timezone.now()
        OnCallShift.objects.create(
            organization=self.agency_a,
            responder=self.case_manager,
            queue="youth",
            starts_at=now - HOUR,
            ends_at=now + HOUR,
        )
        self.login(self.advocate)

    def test_the_board_shows_recent_contacts_responses_and_who_is_on_call_without_names(self):
        self.log(1)
        self.log(1, received_at=timezone.now() - 3 * 24 * HOUR)  # old, no follow-up
        self.log(
            1,
            received_at=timezone.now() - 3 * 24 * HOUR,
            follow_up_needed=True,
            follow_up_due=timezone.localdate(),
        )
        contact, _ = actions.contact_log(
            self.agency_a,
            actor=self.advocate,
            key=uuid.uuid4(),
            data={"channel": "call", "reason": "crisis", "received_at": timezone.now()},
        )
        actions.contact_link_survivor(contact, actor=self.advocate, survivor=self.survivor)
        actions.response_dispatch(contact, actor=self.advocate, responder=self.case_manager)
        response = self.client.get(BOARD)
        self.assertEqual(len(response.context["contacts"]), 3)
        self.assertContains(response, "Follow-up due")
        self.assertContains(response, "Youth (under 24): casemanager")
        self.assertEqual(len(response.context["responses"]), 1)
        self.assertContains(response, "0 h 0")
        self.assertNotContains(response, "Secret summary")
        self.assertNoSurvivorData(response)

    def test_the_board_costs_the_same_queries_for_2_or_10_contacts(self):
        self.log(2)
        self.client.get(BOARD)  # warm the session and the membership
        with self.assertNumQueries(10):
            self.client.get(BOARD)
        self.log(8)
        with self.assertNumQueries(10):
            response = self.client.get(BOARD)
        self.assertEqual(len(response.context["contacts"]), 10)

    def test_the_board_is_closed_to_analysts_and_shows_outsiders_only_their_own(self):
        self.log(2)
        self.login(self.analyst)
        self.assertEqual(self.client.get(BOARD).status_code, 403)
        self.login(self.outsider)
        response = self.client.get(BOARD)
        self.assertEqual(list(response.context["contacts"]), [])
        self.assertNotContains(response, "casemanager")


class RosterTests(BaseTestCase):
    def test_a_supervisor_adds_a_shift_and_everyone_sees_the_week(self):
        self.login(self.supervisor)
        start = timezone.localtime() + HOUR
        response = self.client.post(
            ROSTER,
            {
                "responder": self.case_manager.pk,
                "queue": "youth",
                "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (start + 8 * HOUR).strftime("%Y-%m-%dT%H:%M"),
            },
        )
        self.assertRedirects(response, ROSTER)
        shift = OnCallShift.objects.get()
        self.assertEqual((shift.responder, shift.queue), (self.case_manager, "youth"))
        self.login(self.advocate)
        page = self.client.get(ROSTER)
        self.assertContains(page, "casemanager")
        self.assertNotContains(page, "Add a shift")

    def test_a_shift_ending_before_it_starts_or_for_an_advocate_is_refused(self):
        self.login(self.supervisor)
        start = timezone.localtime() + HOUR
        response = self.client.post(
            ROSTER,
            {
                "responder": self.advocate.pk,
                "queue": "adult",
                "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (start - HOUR).strftime("%Y-%m-%dT%H:%M"),
            },
        )
        self.assertEqual(set(response.context["form"].errors), {"responder", "ends_at"})
        self.assertFalse(OnCallShift.objects.exists())

    def test_only_supervisors_and_directors_change_the_roster(self):
        self.login(self.case_manager)
        response = self.client.post(ROSTER, {"queue": "adult"})
        self.assertEqual(response.status_code, 403)
        self.login(self.trainer)
        self.assertEqual(self.client.get(ROSTER).status_code, 403)
