"""The consent pages: a survivor's consents with their status, recording one (its end date by
default, mistakes at the field), revoking one with a note, the printable form in English and
Spanish, every view audited, and who may reach them."""

from django.test import override_settings

from thrive.audit.models import AuditEvent
from thrive.referrals import actions
from thrive.referrals.models import Consent, Partner
from thrive.services.models import ServiceType
from thrive.test import DAY, SURVIVOR_DATA, CaseTestCase


class ConsentPageTestCase(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.clinic = actions.partner_save(
            Partner(),
            actor=cls.supervisor,
            organization=cls.agency_a,
            data={"name": "Bayside immigration clinic", "counties": ["Alameda"]},
            service_types=[ServiceType.objects.get(code="immigration_relief")],
        )

    def record(self, **changes):
        data = {
            "purposes": ["referral"],
            "categories": ["identity"],
            "signed_on": self.today - 10 * DAY,
            "method": "written",
        }
        data.update(changes)
        return actions.consent_record(
            self.survivor, actor=self.case_manager, data=data, recipients=[self.clinic]
        )

    def views_of(self, obj):
        return AuditEvent.objects.filter(
            action=AuditEvent.Action.VIEW,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
        )


class ConsentListTests(ConsentPageTestCase):
    def url(self):
        return f"/referrals/survivors/{self.survivor.pk}/consents/"

    def test_each_consent_shows_whether_it_is_in_force_expired_or_revoked(self):
        in_force = self.record()
        expired = self.record(signed_on=self.today - 40 * DAY, expires_on=self.today - DAY)
        revoked = actions.consent_revoke(self.record(), actor=self.case_manager, note="By phone.")
        self.login(self.case_manager)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        states = {c.pk: c.state for c in response.context["consents"]}
        self.assertEqual(
            states, {in_force.pk: "in_force", expired.pk: "expired", revoked.pk: "revoked"}
        )
        self.assertContains(response, "Bayside immigration clinic", count=3)
        self.assertContains(response, f"/referrals/consents/{in_force.pk}/revoke/")
        self.assertNotContains(response, f"/referrals/consents/{revoked.pk}/revoke/")
        self.assertNotContains(response, f"/referrals/consents/{expired.pk}/revoke/")

    def test_reading_the_consents_is_an_audit_event_without_person_data(self):
        self.login(self.case_manager)
        self.client.get(self.url())
        event = self.views_of(self.survivor).get()
        self.assertEqual(event.detail, {"page": "consents"})

    def test_an_outsider_gets_404_an_analyst_403_and_a_hotline_advocate_403(self):
        for user, status in [(self.outsider, 404), (self.analyst, 403), (self.advocate, 403)]:
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get(self.url())
                self.assertEqual(response.status_code, status)
                self.assertNoSurvivorData(response)


class ConsentRecordTests(ConsentPageTestCase):
    def url(self):
        return f"/referrals/survivors/{self.survivor.pk}/consents/new/"

    def post(self, **changes):
        data = {
            "recipients": [self.clinic.pk],
            "purposes": ["referral", "mdt"],
            "categories": ["identity", "case_summary"],
            "signed_on": (self.today - 2 * DAY).isoformat(),
            "method": "written",
            "witness": "",
            "expires_on": "",
            "note": "",
        }
        data.update(changes)
        return self.client.post(self.url(), data)

    @override_settings(THRIVE_CONSENT_DAYS=90)
    def test_a_consent_ends_after_the_configured_days_unless_a_date_is_given(self):
        self.login(self.case_manager)
        form = self.client.get(self.url()).context["form"]
        self.assertEqual(form["signed_on"].value(), self.today)
        self.assertIn("90 days", str(form["expires_on"].help_text))
        response = self.post()
        self.assertRedirects(response, f"/referrals/survivors/{self.survivor.pk}/consents/")
        consent = Consent.objects.get()
        self.assertEqual(consent.expires_on, self.today - 2 * DAY + 90 * DAY)
        self.assertEqual(list(consent.recipients.all()), [self.clinic])
        self.assertEqual(consent.purposes, ["referral", "mdt"])
        self.assertEqual(consent.recorded_by, self.case_manager)

    def test_a_verbal_consent_without_witness_and_nothing_chosen_is_refused_at_each_field(self):
        self.login(self.case_manager)
        response = self.post(method="verbal_witnessed", recipients=[], purposes=[], categories=[])
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertEqual(set(errors), {"witness", "recipients", "purposes", "categories"})
        self.assertContains(response, "A verbal consent needs the name of its witness.")
        self.assertFalse(Consent.objects.exists())

    def test_a_consent_longer_than_allowed_or_given_in_the_future_is_refused_at_the_field(self):
        self.login(self.case_manager)
        response = self.post(expires_on=(self.today + 5000 * DAY).isoformat())
        self.assertIn("expires_on", response.context["form"].errors)
        response = self.post(signed_on=(self.today + DAY).isoformat())
        self.assertIn("signed_on", response.context["form"].errors)
        self.assertFalse(Consent.objects.exists())

    def test_an_outsider_gets_404_and_an_analyst_403_and_nothing_is_recorded(self):
        for user, status in [(self.outsider, 404), (self.analyst, 403)]:
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(self.url()).status_code, status)
                self.assertEqual(self.post().status_code, status)
        self.assertFalse(Consent.objects.exists())


class ConsentRevokeTests(ConsentPageTestCase):
    def test_a_consent_is_revoked_with_a_note_saying_how(self):
        consent = self.record()
        self.login(self.case_manager)
        url = f"/referrals/consents/{consent.pk}/revoke/"
        response = self.client.post(url, {"note": ""})
        self.assertIn("note", response.context["form"].errors)
        consent.refresh_from_db()
        self.assertIsNone(consent.revoked_at)
        response = self.client.post(url, {"note": "She called to withdraw it."})
        self.assertRedirects(response, f"/referrals/survivors/{self.survivor.pk}/consents/")
        consent.refresh_from_db()
        self.assertIsNotNone(consent.revoked_at)
        self.assertEqual(consent.revocation_note, "She called to withdraw it.")
        self.assertEqual(consent.revoked_by, self.case_manager)

    def test_revoking_twice_is_refused_with_a_reason(self):
        consent = actions.consent_revoke(self.record(), actor=self.case_manager)
        self.login(self.case_manager)
        response = self.client.post(f"/referrals/consents/{consent.pk}/revoke/", {"note": "x"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This consent was already revoked.")

    def test_an_outsider_gets_404_and_an_analyst_403(self):
        consent = self.record()
        for user, status in [(self.outsider, 404), (self.analyst, 403)]:
            with self.subTest(user=user.username):
                self.login(user)
                url = f"/referrals/consents/{consent.pk}/revoke/"
                self.assertEqual(self.client.post(url, {"note": "x"}).status_code, status)
        consent.refresh_from_db()
        self.assertIsNone(consent.revoked_at)


class ConsentPrintTests(ConsentPageTestCase):
    def test_the_printable_form_is_in_english_or_spanish_with_a_print_stylesheet(self):
        consent = self.record(categories=["identity", "contact"])
        self.login(self.case_manager)
        url = f"/referrals/consents/{consent.pk}/print/"
        english = self.client.get(url + "?lang=en")
        self.assertContains(english, '<html lang="en">')
        self.assertContains(english, "Consent to release information")
        self.assertContains(english, "css/print-forms.css")
        self.assertContains(english, "Bayside immigration clinic")
        self.assertContains(english, SURVIVOR_DATA["preferred_name"])
        self.assertContains(english, 'class="checked"', count=2)
        spanish = self.client.get(url + "?lang=es")
        self.assertContains(spanish, '<html lang="es">')
        # Labels the project already translates (this page's own sentences follow once the
        # catalogue is compiled).
        self.assertContains(spanish, "Identidad (nombre, fecha de nacimiento")
        self.assertContains(spanish, "Por escrito y firmado")
        self.assertEqual(spanish["Content-Language"], "es")
        # The page after it is back in the user's language.
        self.assertContains(self.client.get(url), '<html lang="en">')

    def test_the_users_language_is_the_default_and_printing_is_audited(self):
        consent = self.record()
        self.login(self.case_manager)
        self.client.post("/i18n/setlang/", {"language": "es"})
        response = self.client.get(f"/referrals/consents/{consent.pk}/print/")
        self.assertContains(response, '<html lang="es">')
        self.assertEqual(self.views_of(consent).get().detail, {"page": "consent_print"})

    def test_an_outsider_gets_404_and_an_analyst_403(self):
        consent = self.record()
        for user, status in [(self.outsider, 404), (self.analyst, 403)]:
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get(f"/referrals/consents/{consent.pk}/print/")
                self.assertEqual(response.status_code, status)
                self.assertNoSurvivorData(response)
