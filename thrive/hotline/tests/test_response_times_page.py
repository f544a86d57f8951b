"""The response-times page: counts and minutes, never a person; supervisors only."""

import datetime
import uuid

from django.utils import timezone

from thrive.hotline import actions
from thrive.test import BaseTestCase


class ResponseTimesPageTests(BaseTestCase):
    def test_a_supervisor_sees_this_months_dispatch_minutes(self):
        contact, _ = actions.contact_log(
            self.agency_a,
            actor=self.advocate,
            key=uuid.uuid4(),
            data={
                "channel": "text",
                "reason": "crisis",
                "received_at": timezone.now() - datetime.timedelta(minutes=12),
            },
        )
        actions.contact_link_survivor(contact, actor=self.advocate, survivor=self.survivor)
        actions.response_dispatch(contact, actor=self.advocate, responder=self.case_manager)
        self.login(self.supervisor)
        response = self.client.get("/hotline/response-times/")
        self.assertEqual(response.status_code, 200)
        this_month = response.context["rows"][-1]
        self.assertEqual(this_month["contacts"], 1)
        self.assertEqual(this_month["to_dispatch"]["adult"]["count"], 1)
        self.assertAlmostEqual(this_month["to_dispatch"]["adult"]["median"], 12, delta=1)
        self.assertNoSurvivorData(response)

    def test_case_managers_advocates_analysts_and_the_trainer_are_refused(self):
        for user in (self.case_manager, self.advocate, self.analyst, self.trainer):
            self.login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get("/hotline/response-times/").status_code, 403)
