"""Dispatch from a contact, and the emergency response with its immediate needs."""

import datetime
import uuid

from django.urls import reverse
from django.utils import timezone

from thrive.accounts.models import Role
from thrive.hotline import actions
from thrive.hotline.models import EmergencyResponse, OnCallShift
from thrive.services.models import Service
from thrive.survivors.actions import survivor_create
from thrive.test import BaseTestCase, make_member

HOUR = datetime.timedelta(hours=1)


class DispatchPageTests(BaseTestCase):
    def setUp(self):
        self.youth = survivor_create(
            self.agency_a, actor=self.advocate, data={"preferred_name": "Dani", "age_at_intake": 17}
        )
        self.contact, _ = actions.contact_log(
            self.agency_a,
            actor=self.advocate,
            key=uuid.uuid4(),
            data={"channel": "call", "reason": "crisis", "received_at": timezone.now()},
        )
        self.url = reverse("hotline:dispatch", args=[self.contact.pk])
        self.youth_responder = make_member("youthercm", self.agency_a, Role.CASE_MANAGER)
        now = timezone.now()
        OnCallShift.objects.create(
            organization=self.agency_a,
            responder=self.youth_responder,
            queue="youth",
            starts_at=now - HOUR,
            ends_at=now + 8 * HOUR,
        )
        self.login(self.advocate)

    def test_the_youth_queue_puts_its_on_call_responder_first(self):
        actions.contact_link_survivor(self.contact, actor=self.advocate, survivor=self.youth)
        response = self.client.get(self.url)
        self.assertContains(response, "Youth (under 24)")
        choices = response.context["form"].fields["responder"].choices
        self.assertEqual(choices[0][0], self.youth_responder.pk)
        self.assertIn("on call until", str(choices[0][1]))
        self.assertIn(self.case_manager.pk, [pk for pk, _ in choices])
        self.assertNotIn(self.advocate.pk, [pk for pk, _ in choices])

    def test_dispatching_opens_the_response_and_redirects_to_it(self):
        actions.contact_link_survivor(self.contact, actor=self.advocate, survivor=self.youth)
        response = self.client.post(self.url, {"responder": self.youth_responder.pk})
        dispatched = EmergencyResponse.objects.get()
        self.assertRedirects(response, reverse("hotline:response", args=[dispatched.pk]))
        self.assertEqual((dispatched.queue, dispatched.responder), ("youth", self.youth_responder))
        # A second visit to dispatch goes to the response already under way.
        self.assertRedirects(
            self.client.get(self.url), reverse("hotline:response", args=[dispatched.pk])
        )

    def test_no_responder_or_no_survivor_is_a_message_at_the_field_and_saves_nothing(self):
        response = self.client.post(self.url, {"responder": self.youth_responder.pk})
        self.assertContains(response, "Link the contact to a survivor")
        actions.contact_link_survivor(self.contact, actor=self.advocate, survivor=self.youth)
        response = self.client.post(self.url, {})
        self.assertIn("responder", response.context["form"].errors)
        response = self.client.post(self.url, {"responder": "not-a-number"})
        self.assertIn("responder", response.context["form"].errors)
        self.assertFalse(EmergencyResponse.objects.exists())

    def test_analysts_get_403_and_outsiders_404(self):
        self.login(self.analyst)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.login(self.outsider)
        self.assertEqual(self.client.post(self.url, {"responder": 1}).status_code, 404)


class ResponsePageTests(BaseTestCase):
    def setUp(self):
        contact, _ = actions.contact_log(
            self.agency_a,
            actor=self.advocate,
            key=uuid.uuid4(),
            data={"channel": "call", "reason": "crisis", "received_at": timezone.now()},
        )
        actions.contact_link_survivor(contact, actor=self.advocate, survivor=self.survivor)
        self.response = actions.response_dispatch(
            contact, actor=self.advocate, responder=self.case_manager
        )
        self.url = reverse("hotline:response", args=[self.response.pk])
        self.mark = reverse("hotline:response_mark", args=[self.response.pk])
        self.login(self.case_manager)

    def test_the_responder_marks_first_contact_then_safe_placement_once_each(self):
        page = self.client.get(self.url)
        self.assertContains(page, "With the survivor now")
        self.assertContains(page, "0 h 0")
        self.assertRedirects(self.client.post(self.mark, {"step": "first_contact"}), self.url)
        self.assertRedirects(self.client.post(self.mark, {"step": "safe"}), self.url)
        self.response.refresh_from_db()
        self.assertEqual(self.response.status, "safe")
        again = self.client.post(self.mark, {"step": "safe"}, follow=True)
        self.assertContains(again, "This was already recorded.")
        self.assertEqual(self.client.post(self.mark, {"step": "explode"}).status_code, 400)

    def test_immediate_needs_are_recorded_as_services_on_the_case_all_at_once(self):
        response = self.client.post(
            self.url,
            {"need_food": "3", "need_clothing_toiletries": "2", "need_emergency_shelter": "1"},
        )
        self.assertRedirects(response, self.url)
        services = Service.objects.filter(case=self.response.case)
        self.assertEqual(
            sorted((s.service_type.code, s.unit, int(s.quantity)) for s in services),
            [
                ("clothing_toiletries", "items", 2),
                ("emergency_shelter", "nights", 1),
                ("food", "items", 3),
            ],
        )
        self.assertContains(self.client.get(self.url), "Emergency shelter")

    def test_one_refused_need_saves_none_of_them(self):
        response = self.client.post(self.url, {"need_food": "3", "need_emergency_shelter": "900"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("need_emergency_shelter", response.context["form"].errors)
        self.assertFalse(Service.objects.exists())
        response = self.client.post(self.url, {"need_food": "", "need_clothing_toiletries": "-1"})
        self.assertTrue(response.context["form"].errors)
        response = self.client.post(self.url, {})
        self.assertContains(response, "Give a quantity for at least one need.")
        self.assertFalse(Service.objects.exists())

    def test_an_advocate_sees_the_response_but_records_no_services(self):
        self.login(self.advocate)
        page = self.client.get(self.url)
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "Record needs met")
        self.assertEqual(self.client.post(self.url, {"need_food": "1"}).status_code, 403)
        self.assertFalse(Service.objects.exists())

    def test_analysts_get_403_and_outsiders_404(self):
        self.login(self.trainer)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.mark, {"step": "safe"}).status_code, 404)
        self.response.refresh_from_db()
        self.assertIsNone(self.response.safe_at)
