"""Response times by month: contacts by channel and reason, and the median and 90th
percentile (nearest rank) minutes to dispatch and to first contact, youth versus adult,
against figures worked out by hand."""

import datetime
import uuid

from django.utils import timezone

from thrive.hotline import actions
from thrive.hotline.models import Contact, EmergencyResponse
from thrive.hotline.reports import nearest_rank, response_times
from thrive.survivors.actions import survivor_create
from thrive.test import BaseTestCase

MINUTE = datetime.timedelta(minutes=1)


def local(day, hour=12, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class ResponseTimesTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.today = timezone.localdate()
        this_month = cls.today.replace(day=1)
        cls.last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
        cls.month_before = (cls.last_month - datetime.timedelta(days=1)).replace(day=1)
        born_youth = cls.today - datetime.timedelta(days=19 * 365)
        born_adult = cls.today - datetime.timedelta(days=40 * 365)
        # Last month: (queue, minutes to dispatch, minutes from dispatch to first contact)
        for day, (queue, to_dispatch, to_first) in enumerate(
            [
                ("adult", 10, 30),
                ("adult", 40, None),
                ("adult", 20, 60),
                ("adult", 30, 90),
                ("youth", 45, 24),
                ("youth", 5, 12),
                ("youth", 15, 18),
            ],
            start=2,
        ):
            born = born_youth if queue == "youth" else born_adult
            cls.respond(local(cls.last_month.replace(day=day)), born, to_dispatch, to_first)
        # The month before: counts only, one of them late on its last evening (the next
        # day in UTC), which still belongs to that month here.
        last_evening = local(cls.last_month - datetime.timedelta(days=1), 23, 30)
        cls.log(local(cls.month_before.replace(day=3)), channel="text", reason="tip")
        cls.log(local(cls.month_before.replace(day=4)))
        cls.log(last_evening)
        # Not counted: a draft, another organization's contact, one before the window.
        actions.contact_draft_save(
            cls.agency_a, actor=cls.advocate, key=uuid.uuid4(), data={"channel": "call"}
        )
        actions.contact_log(
            cls.agency_b,
            actor=cls.outsider,
            key=uuid.uuid4(),
            data={"received_at": last_evening, "channel": "call", "reason": "crisis"},
        )
        cls.log(local(cls.month_before - datetime.timedelta(days=40)))

    @classmethod
    def log(cls, received_at, *, channel="call", reason="crisis"):
        contact, _ = actions.contact_log(
            cls.agency_a,
            actor=cls.advocate,
            key=uuid.uuid4(),
            data={"received_at": received_at, "channel": channel, "reason": reason},
        )
        return contact

    @classmethod
    def respond(cls, received_at, born, to_dispatch, to_first):
        contact = cls.log(received_at)
        survivor = survivor_create(
            cls.agency_a, actor=cls.advocate, data={"preferred_name": "R", "date_of_birth": born}
        )
        actions.contact_link_survivor(contact, actor=cls.advocate, survivor=survivor)
        response = actions.response_dispatch(
            contact, actor=cls.advocate, responder=cls.case_manager
        )
        # The action stamps the present; the history is set to the minutes worked out above.
        dispatched_at = received_at + to_dispatch * MINUTE
        EmergencyResponse.objects.filter(pk=response.pk).update(
            dispatched_at=dispatched_at,
            first_contact_at=dispatched_at + to_first * MINUTE if to_first is not None else None,
        )

    def report(self):
        with self.assertNumQueries(3):
            return response_times(self.agency_a, months=3, today=self.today)

    def test_one_row_per_month_oldest_first_ending_this_month(self):
        rows = self.report()
        self.assertEqual(
            [row["month"] for row in rows],
            [self.month_before, self.last_month, self.today.replace(day=1)],
        )

    def test_logged_contacts_of_the_organization_by_channel_and_reason(self):
        before, last, current = self.report()
        self.assertEqual(before["contacts"], 3)
        self.assertEqual(before["by_channel"], {"call": 2, "text": 1})
        self.assertEqual(before["by_reason"], {"crisis": 2, "tip": 1})
        self.assertEqual((last["contacts"], last["by_channel"]), (7, {"call": 7}))
        self.assertEqual((current["contacts"], current["by_channel"]), (0, {}))

    def test_minutes_to_dispatch_median_of_an_even_count_and_nearest_rank_p90(self):
        to_dispatch = self.report()[1]["to_dispatch"]
        # adult 10, 20, 30, 40: median (20 + 30) / 2; p90 rank ceil(3.6) = 4 → 40
        self.assertEqual(to_dispatch["adult"], {"count": 4, "median": 25.0, "p90": 40.0})
        # youth 5, 15, 45: median 15; p90 rank ceil(2.7) = 3 → 45
        self.assertEqual(to_dispatch["youth"], {"count": 3, "median": 15.0, "p90": 45.0})
        # all 5, 10, 15, 20, 30, 40, 45: median 20; p90 rank ceil(6.3) = 7 → 45
        self.assertEqual(to_dispatch["all"], {"count": 7, "median": 20.0, "p90": 45.0})

    def test_minutes_from_dispatch_to_first_contact_only_for_responses_that_reached_someone(self):
        to_first = self.report()[1]["to_first_contact"]
        self.assertEqual(to_first["adult"], {"count": 3, "median": 60.0, "p90": 90.0})
        self.assertEqual(to_first["youth"], {"count": 3, "median": 18.0, "p90": 24.0})
        # all 12, 18, 24, 30, 60, 90: median (24 + 30) / 2; p90 rank ceil(5.4) = 6 → 90
        self.assertEqual(to_first["all"], {"count": 6, "median": 27.0, "p90": 90.0})

    def test_a_month_without_responses_has_no_times(self):
        current = self.report()[2]
        empty = {"count": 0, "median": None, "p90": None}
        self.assertEqual(current["to_dispatch"], {"youth": empty, "adult": empty, "all": empty})
        self.assertEqual(self.report()[0]["to_first_contact"]["all"], empty)

    def test_a_window_of_twelve_months_by_default(self):
        rows = response_times(self.agency_a, today=self.today)
        self.assertEqual(len(rows), 12)
        self.assertEqual(sum(row["contacts"] for row in rows), 11)
        self.assertEqual(Contact.objects.filter(organization=self.agency_a).count(), 12)


class NearestRankTests(BaseTestCase):
    def test_is_the_value_at_rank_ceil_of_p_times_n(self):
        self.assertEqual(nearest_rank(range(1, 21), 0.9), 18)  # ceil(18.0) = 18
        self.assertEqual(nearest_rank(range(1, 12), 0.9), 10)  # ceil(9.9) = 10
        self.assertEqual(nearest_rank([7], 0.9), 7)
        self.assertEqual(nearest_rank([3, 1, 2], 0.5), 2)
        self.assertIsNone(nearest_rank([], 0.9))
