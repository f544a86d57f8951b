"""The contact entry screen: autosaved drafts that survive a closed tab, one contact per key."""

import uuid

from django.urls import reverse
from django.utils import timezone

from thrive.hotline import actions
from thrive.hotline.models import Contact
from thrive.test import BaseTestCase

NEW = reverse("hotline:new")
AUTOSAVE = reverse("hotline:autosave")


def typed(key, **changes):
    data = {
        "key": str(key),
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "channel": "call",
        "caller_role": "potential_victim",
        "caller_phone": "+1 (415) 555-0142",
        "language": "es",
        "reason": "crisis",
        "urgency": "immediate",
        "indicators": ["DebtBondage", "minor_involved"],
        "suspected_type": "labor",
        "summary": "The boss keeps her passport; calling from a gas station.",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


class EntryPageTests(BaseTestCase):
    def setUp(self):
        self.login(self.advocate)
        self.key = uuid.uuid4()

    def test_the_form_opens_with_a_fresh_key_the_time_now_and_focus_on_the_first_field(self):
        response = self.client.get(NEW)
        self.assertContains(response, 'name="key"')
        self.assertContains(response, "autofocus")
        self.assertContains(response, timezone.localtime().strftime("%Y-%m-%dT"))
        self.assertContains(response, f'hx-post="{AUTOSAVE}"')
        first = response.context["form"].initial["key"]
        second = self.client.get(NEW).context["form"].initial["key"]
        self.assertNotEqual(first, second)

    def test_logging_a_contact_redirects_to_it_and_a_double_submit_lands_on_the_same_one(self):
        response = self.client.post(NEW, typed(self.key))
        contact = Contact.objects.get()
        self.assertRedirects(response, reverse("hotline:detail", args=[contact.pk]))
        self.assertEqual(contact.status, "logged")
        self.assertEqual(contact.indicators, ["DebtBondage", "minor_involved"])
        again = self.client.post(NEW, typed(self.key, summary="second click"))
        self.assertRedirects(again, reverse("hotline:detail", args=[contact.pk]))
        self.assertEqual(Contact.objects.count(), 1)

    def test_a_contact_without_channel_or_reason_shows_the_errors_and_keeps_what_was_typed(self):
        response = self.client.post(NEW, typed(self.key, channel=None, reason=None))
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertIn("channel", form.errors)
        self.assertIn("reason", form.errors)
        self.assertContains(response, "The boss keeps her passport")
        self.assertFalse(Contact.objects.logged().exists())

    def test_a_bad_date_is_an_error_at_the_field_not_a_500(self):
        response = self.client.post(NEW, typed(self.key, received_at="yesterday-ish"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("received_at", response.context["form"].errors)
        self.assertFalse(Contact.objects.exists())

    def test_autosave_keeps_what_parses_and_answers_a_status(self):
        response = self.client.post(
            AUTOSAVE,
            typed(self.key, received_at="not a time", follow_up_due="31/31"),
            headers={"HX-Request": "true"},
        )
        self.assertContains(response, "Draft saved")
        draft = Contact.objects.get()
        self.assertEqual((draft.status, draft.channel, draft.received_at), ("draft", "call", None))
        self.assertIn("passport", draft.summary)

    def test_autosave_without_a_key_is_refused_quietly(self):
        response = self.client.post(AUTOSAVE, {"summary": "x"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Contact.objects.exists())

    def test_closing_the_page_mid_entry_and_coming_back_restores_the_draft(self):
        # Typing: the form autosaves (as htmx would), then the tab is closed.
        self.client.post(
            AUTOSAVE, typed(self.key, reason=None, urgency=None), headers={"HX-Request": "true"}
        )
        draft = Contact.objects.get()
        # Coming back: a fresh entry form lists the unfinished draft...
        page = self.client.get(NEW)
        resume_url = reverse("hotline:resume", args=[draft.pk])
        self.assertContains(page, resume_url)
        self.assertContains(page, "Phone call")
        # ...which opens filled in, with the draft's own key.
        resumed = self.client.get(resume_url)
        self.assertContains(resumed, "The boss keeps her passport")
        self.assertContains(resumed, str(self.key))
        self.assertContains(resumed, 'value="DebtBondage" id="id_indicators_3" checked')
        form = resumed.context["form"]
        self.assertEqual(form.initial["channel"], "call")
        # Finishing it logs that same contact: one row.
        response = self.client.post(NEW, typed(self.key, reason="crisis"))
        self.assertRedirects(response, reverse("hotline:detail", args=[draft.pk]))
        self.assertEqual(Contact.objects.count(), 1)
        self.assertEqual(Contact.objects.get().status, "logged")
        self.assertNotContains(self.client.get(NEW), resume_url)

    def test_a_draft_is_only_for_its_own_advocate(self):
        draft = actions.contact_draft_save(
            self.agency_a, actor=self.advocate, key=self.key, data={"summary": "mine"}
        )
        url = reverse("hotline:resume", args=[draft.pk])
        self.login(self.supervisor)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertNotContains(self.client.get(NEW), url)
        # Nor can anyone else's autosave write into it.
        self.client.post(AUTOSAVE, {"key": str(self.key), "summary": "theirs"})
        draft.refresh_from_db()
        self.assertEqual(draft.summary, "mine")

    def test_analysts_and_trainers_are_refused_and_outsiders_see_nothing(self):
        for user in (self.analyst, self.trainer):
            self.login(user)
            self.assertEqual(self.client.get(NEW).status_code, 403)
            self.assertEqual(self.client.post(AUTOSAVE, typed(self.key)).status_code, 403)
        draft = actions.contact_draft_save(
            self.agency_a, actor=self.advocate, key=self.key, data={"summary": "mine"}
        )
        self.login(self.outsider)
        self.assertEqual(
            self.client.get(reverse("hotline:resume", args=[draft.pk])).status_code, 404
        )
