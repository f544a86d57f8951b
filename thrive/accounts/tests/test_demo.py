"""`manage.py demo`: the demo organization with casework and crisis-line activity, once."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase, override_settings

from thrive.cases.models import Case
from thrive.hotline.models import Contact, EmergencyResponse, OnCallShift
from thrive.outcomes.models import Assessment, OutcomeEvent
from thrive.services.models import Service


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class DemoCommandTests(TestCase):
    def run_demo(self):
        out = StringIO()
        call_command("demo", survivors=20, cases=12, stdout=out)
        return out.getvalue()

    def test_loads_casework_and_hotline_activity_that_pass_validation(self):
        output = self.run_demo()
        self.assertIn("12 cases", output)
        self.assertTrue(Case.objects.filter(program__kind="case_management").exists())
        self.assertEqual(Contact.objects.logged().count(), 40)
        self.assertEqual(EmergencyResponse.objects.count(), 3)
        self.assertEqual(OnCallShift.objects.count(), 6)
        for service in Service.objects.select_related("case", "service_type", "grant")[:50]:
            service.full_clean()  # the demo makes only what the pages would accept
        for contact in Contact.objects.all():
            contact.full_clean()

    def test_outcome_assessments_agree_with_their_scores_and_graduations_were_approved(self):
        self.run_demo()
        assessments = Assessment.objects.prefetch_related("scores__domain")
        self.assertTrue(assessments.exists())
        for assessment in assessments:
            scores = sorted(assessment.scores.all(), key=lambda s: s.domain.order)
            self.assertEqual(assessment.vector, Assessment.vector_of(scores))
            self.assertGreaterEqual(assessment.assessed_on, assessment.case.opened_on)
        for case in Case.objects.filter(status="graduated", assessments__isnull=False).distinct():
            review = case.graduation_reviews.get()
            self.assertEqual(review.status, "approved")
            self.assertTrue(
                all(s.level is None or s.level >= 3 for s in review.assessment.scores.all())
            )
        for event in OutcomeEvent.objects.all():
            event.full_clean()

    def test_a_second_run_changes_nothing(self):
        self.run_demo()
        counts = (Case.objects.count(), Contact.objects.count(), Service.objects.count())
        self.assertIn("already loaded", self.run_demo())
        self.assertEqual(
            (Case.objects.count(), Contact.objects.count(), Service.objects.count()), counts
        )
