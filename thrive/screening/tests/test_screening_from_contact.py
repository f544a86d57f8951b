"""A screening given during a hotline call is linked to that contact."""

import uuid

from django.utils import timezone

from thrive.hotline import actions as hotline
from thrive.screening.models import Screening, ScreeningInstrument
from thrive.test import BaseTestCase


class ScreeningFromContactTests(BaseTestCase):
    def setUp(self):
        self.contact, _ = hotline.contact_log(
            self.agency_a,
            actor=self.advocate,
            key=uuid.uuid4(),
            data={"channel": "call", "reason": "crisis", "received_at": timezone.now()},
        )
        hotline.contact_link_survivor(self.contact, actor=self.advocate, survivor=self.survivor)
        self.tool = ScreeningInstrument.objects.get(code="thrive-indicators", version=1)
        self.url = f"/screening/new/{self.survivor.pk}/?contact={self.contact.pk}"

    def answers(self):
        return {f"answer_{item['id']}": "no" for item in self.tool.items}

    def test_the_screening_is_linked_to_the_call_and_leads_back_to_it(self):
        self.login(self.advocate)
        self.assertContains(self.client.get(f"/hotline/contacts/{self.contact.pk}/"), self.url)
        response = self.client.post(self.url, {"instrument": self.tool.pk, **self.answers()})
        self.assertRedirects(response, f"/hotline/contacts/{self.contact.pk}/")
        self.assertEqual(Screening.objects.get().contact, self.contact)

    def test_a_contact_of_another_survivor_or_organization_is_not_found(self):
        self.login(self.advocate)
        other, _ = hotline.contact_log(
            self.agency_a,
            actor=self.advocate,
            key=uuid.uuid4(),
            data={"channel": "text", "reason": "tip", "received_at": timezone.now()},
        )
        url = f"/screening/new/{self.survivor.pk}/?contact={other.pk}"
        self.assertEqual(self.client.get(url).status_code, 404)
        self.login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)
