"""The contact page: everything logged, the repeat caller, and 'who is this?'."""

import uuid

from django.urls import reverse
from django.utils import timezone

from thrive.audit.models import AuditEvent
from thrive.hotline import actions
from thrive.hotline.models import Contact
from thrive.survivors.models import Survivor
from thrive.test import BaseTestCase

CALL = {
    "channel": "call",
    "caller_role": "potential_victim",
    "reason": "crisis",
    "urgency": "immediate",
    "indicators": ["WithholdsDocuments", "minor_involved"],
    "summary": "Boss keeps her passport.",
    "caller_phone": "+1 (415) 555-0142",
}


def log_contact(test, **changes):
    contact, _ = actions.contact_log(
        test.agency_a,
        actor=test.advocate,
        key=uuid.uuid4(),
        data={**CALL, "received_at": timezone.now(), **changes},
    )
    return contact


class ContactPageTests(BaseTestCase):
    def setUp(self):
        self.contact = log_contact(self)
        self.url = reverse("hotline:detail", args=[self.contact.pk])
        self.login(self.advocate)

    def test_the_page_shows_the_contact_with_indicators_as_labels_and_is_audited(self):
        response = self.client.get(self.url)
        self.assertContains(response, self.contact.label)
        self.assertContains(response, "Boss keeps her passport.")
        self.assertContains(response, '<span class="badge">Withholds documents</span>', html=True)
        self.assertContains(response, "A minor is involved")
        self.assertTrue(
            AuditEvent.objects.filter(action="view", object_id=str(self.contact.pk)).exists()
        )

    def test_a_repeat_caller_is_recognized_by_phone(self):
        log_contact(self, caller_phone="415 555 0142")
        log_contact(self, caller_phone="(415) 555-0142")
        log_contact(self, caller_phone="+1 212 555 0100")
        response = self.client.get(self.url)
        self.assertContains(response, "2 earlier contacts from this phone")

    def test_a_first_caller_shows_no_count(self):
        self.assertNotContains(self.client.get(self.url), "earlier contact")

    def test_a_search_by_exact_name_is_posted_audited_and_links_the_survivor(self):
        response = self.client.post(self.url, {"q": "María José Castillo"})
        self.assertContains(response, self.survivor.record_label)
        search = AuditEvent.objects.get(action="search")
        self.assertEqual(search.detail, {"by": "name", "results": 1})
        self.assertNotIn("Castillo", str(search.detail))
        linked = self.client.post(
            reverse("hotline:link", args=[self.contact.pk]), {"survivor": self.survivor.pk}
        )
        self.assertRedirects(linked, self.url)
        self.contact.refresh_from_db()
        self.assertEqual(self.contact.survivor, self.survivor)

    def test_a_search_by_phone_finds_the_survivor_too(self):
        response = self.client.post(self.url, {"q": "415-555-0142"})
        self.assertEqual(list(response.context["matches"]), [self.survivor])

    def test_a_survivor_of_another_agency_cannot_be_linked(self):
        other = Survivor.objects.create(
            organization=self.agency_b, record_number=1, preferred_name="Elsewhere"
        )
        response = self.client.post(
            reverse("hotline:link", args=[self.contact.pk]), {"survivor": other.pk}
        )
        self.assertEqual(response.status_code, 404)
        self.contact.refresh_from_db()
        self.assertIsNone(self.contact.survivor)

    def test_the_survivor_is_created_from_the_contact_with_an_age(self):
        url = reverse("hotline:create_survivor", args=[self.contact.pk])
        self.assertContains(self.client.get(url), "Preferred name")
        response = self.client.post(url, {"preferred_name": "Dani", "age_at_intake": "17"})
        self.assertRedirects(response, self.url)
        self.contact.refresh_from_db()
        survivor = self.contact.survivor
        self.assertEqual((survivor.preferred_name, survivor.current_age), ("Dani", 17))
        self.assertEqual(survivor.phone, CALL["caller_phone"])
        self.assertEqual(actions.queue_for(survivor), "youth")

    def test_a_survivor_without_a_name_or_with_a_future_birth_is_refused_at_the_field(self):
        url = reverse("hotline:create_survivor", args=[self.contact.pk])
        response = self.client.post(url, {"preferred_name": ""})
        self.assertIn("preferred_name", response.context["form"].errors)
        response = self.client.post(url, {"preferred_name": "Dani", "date_of_birth": "2999-01-01"})
        self.assertIn("date_of_birth", response.context["form"].errors)
        self.assertEqual(Survivor.objects.count(), 1)

    def test_a_draft_is_not_shown_as_a_contact(self):
        draft = actions.contact_draft_save(
            self.agency_a, actor=self.advocate, key=uuid.uuid4(), data={"summary": "x"}
        )
        url = reverse("hotline:detail", args=[draft.pk])
        self.assertRedirects(self.client.get(url), reverse("hotline:resume", args=[draft.pk]))
        self.login(self.supervisor)
        self.assertEqual(self.client.get(url).status_code, 403)

    def test_every_person_level_role_sees_it_analysts_do_not_outsiders_get_404(self):
        for user in (self.case_manager, self.supervisor):
            self.login(user)
            self.assertEqual(self.client.get(self.url).status_code, 200)
        for user in (self.analyst, self.trainer):
            self.login(user)
            self.assertEqual(self.client.get(self.url).status_code, 403)
        self.login(self.outsider)
        for url in (
            self.url,
            reverse("hotline:link", args=[self.contact.pk]),
            reverse("hotline:create_survivor", args=[self.contact.pk]),
        ):
            self.assertEqual(self.client.post(url, {"q": "Majo"}).status_code, 404)
        self.assertEqual(Contact.objects.filter(survivor__isnull=False).count(), 0)
