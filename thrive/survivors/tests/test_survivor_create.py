import datetime

from django.utils import timezone

from thrive.audit.models import AuditEvent
from thrive.survivors.models import Survivor
from thrive.test import BaseTestCase

VALID = {
    "preferred_name": "Lupe",
    "legal_name": "Guadalupe Ortiz",
    "date_of_birth": "2001-02-03",
    "intake_date": "2026-01-15",
    "phone": "(510) 555-0101",
    "may_call": "yes",
    "may_text": "no",
    "race_ethnicity": ["hispanic_latino", "white"],
    "country_of_birth": "GT",
    "age_first_trafficked": "17",
    "prior_arrests_missing": "declined",
}


class SurvivorCreateTests(BaseTestCase):
    def post(self, **changes):
        self.login(self.case_manager)
        return self.client.post("/survivors/new/", {**VALID, **changes})

    def test_a_case_manager_creates_a_survivor_with_the_next_record_number(self):
        response = self.post()
        survivor = Survivor.objects.get(record_number=self.survivor.record_number + 1)
        self.assertRedirects(response, f"/survivors/{survivor.pk}/")
        self.assertEqual(survivor.organization, self.agency_a)
        self.assertEqual(survivor.legal_name, "Guadalupe Ortiz")
        self.assertEqual(survivor.age_at_intake, 24)
        self.assertEqual(survivor.prior_arrests_missing, "declined")
        self.assertEqual(Survivor.objects.with_name("guadalupe ortiz").get(), survivor)
        self.assertEqual(Survivor.objects.with_phone("510 555 0101").get(), survivor)

    def test_unknown_and_declined_are_kept_apart_from_blank(self):
        self.post(gender_identity="declined", citizenship="unknown")
        survivor = Survivor.objects.get(record_number=self.survivor.record_number + 1)
        self.assertEqual(survivor.gender_identity, "declined")
        self.assertEqual(survivor.citizenship, "unknown")
        self.assertEqual(survivor.education_level, "")

    def assertRejected(self, response, field, fragment):  # noqa: N802
        self.assertEqual(response.status_code, 200)
        self.assertIn(field, response.context["form"].errors)
        self.assertIn(fragment, " ".join(response.context["form"].errors[field]))
        self.assertContains(response, "Nothing has been saved yet")
        self.assertContains(response, 'aria-invalid="true"')
        self.assertEqual(Survivor.objects.count(), 1)
        self.assertEqual(AuditEvent.objects.filter(action="create").count(), 1)

    def test_a_birth_date_in_the_future_is_refused_and_nothing_saved(self):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        self.assertRejected(
            self.post(date_of_birth=tomorrow.isoformat()), "date_of_birth", "future"
        )

    def test_an_age_first_trafficked_above_the_current_age_is_refused(self):
        self.assertRejected(
            self.post(age_first_trafficked="40"), "age_first_trafficked", "above the current age"
        )

    def test_a_malformed_phone_or_email_is_refused(self):
        self.assertRejected(self.post(phone="call me maybe"), "phone", "phone number")
        self.assertRejected(self.post(email="not-an-email"), "email", "valid email")

    def test_declined_cannot_be_combined_with_a_race_category(self):
        self.assertRejected(
            self.post(race_ethnicity=["white", "declined"]), "race_ethnicity", "cannot be combined"
        )

    def test_a_number_and_a_reason_it_is_missing_cannot_both_be_given(self):
        self.assertRejected(self.post(prior_arrests="2"), "prior_arrests_missing", "not both")

    def test_a_name_is_required(self):
        self.assertRejected(
            self.post(preferred_name="", legal_name=""), "preferred_name", "required"
        )

    def test_the_typed_values_stay_in_the_form_after_an_error(self):
        response = self.post(phone="nope")
        self.assertContains(response, 'value="Guadalupe Ortiz"')
