"""Identification: a history of determinations of trafficking status, with the HTCDS codes."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from thrive.audit.models import AuditEvent
from thrive.screening.actions import identification_record
from thrive.screening.models import Identification
from thrive.test import DAY, BaseTestCase


class IdentificationRecordTests(BaseTestCase):
    def record(self, **changes):
        data = {
            "status": "possible",
            "decided_by": "service_provider",
            "decided_on": timezone.localdate() - 10 * DAY,
            "exploitation": ["ForcedLabour"],
            "minor_when_exploited": "no",
            "notes": "Screened on the crisis line.",
        }
        return identification_record(self.survivor, actor=self.advocate, data=data | changes)

    def test_each_determination_is_kept_and_the_latest_is_current(self):
        first = self.record()
        second = self.record(
            status="confirmed",
            decided_by="law_enforcement",
            decided_on=timezone.localdate(),
            exploitation=["ForcedLabour", "ForcedCriminality"],
        )
        self.assertEqual(
            list(Identification.objects.filter(survivor=self.survivor)), [second, first]
        )
        self.assertEqual(Identification.objects.current_for(self.survivor), second)
        first.refresh_from_db()
        self.assertEqual(first.status, "possible")

    def test_the_htcds_codes_for_export(self):
        identification = self.record(
            status="confirmed",
            decided_by="court",
            exploitation=["SexualExploitation", "ForcedCriminality", "Other"],
        )
        self.assertEqual(
            identification.htcds,
            {
                "vic_TraffickingStatus": "ActualVictimOfTrafficking",
                "vic_TraffickingStatusDecisionMakingOrg": "CourtOrProsecution",
                "vic_TypeOfExploitation": ["SexualExploitation", "Other"],
            },
        )

    def test_every_status_and_decision_maker_maps_to_an_htcds_code(self):
        expected = {
            ("possible", "service_provider"): ("PossibleVictimOfTrafficking", "NGO"),
            ("confirmed", "law_enforcement"): ("ActualVictimOfTrafficking", "Police"),
            ("not_a_victim", "other_government"): (
                "NotAVictimOfTrafficking",
                "NonPoliceGovernmentalOrganization",
            ),
            ("possible", "other"): ("PossibleVictimOfTrafficking", "Other"),
        }
        for (status, decided_by), codes in expected.items():
            with self.subTest(status=status, decided_by=decided_by):
                htcds = self.record(status=status, decided_by=decided_by).htcds
                self.assertEqual(
                    (
                        htcds["vic_TraffickingStatus"],
                        htcds["vic_TraffickingStatusDecisionMakingOrg"],
                    ),
                    codes,
                )

    def test_a_decision_dated_in_the_future_is_refused(self):
        with self.assertRaises(ValidationError) as raised:
            self.record(decided_on=timezone.localdate() + DAY)
        self.assertEqual(
            raised.exception.message_dict["decided_on"],
            ["The decision cannot be dated in the future."],
        )
        self.assertFalse(Identification.objects.exists())

    def test_an_unknown_form_of_exploitation_is_refused(self):
        with self.assertRaises(ValidationError) as raised:
            self.record(exploitation=["Piracy"])
        self.assertIn("exploitation", raised.exception.message_dict)

    def test_it_is_audited_without_the_notes(self):
        identification = self.record()
        event = AuditEvent.objects.get(object_type="screening.identification")
        self.assertEqual((event.action, event.object_id), ("create", str(identification.pk)))
        self.assertNotIn("crisis line", str(event.detail))

    def test_notes_are_encrypted_in_the_database(self):
        from django.db import connection

        identification = self.record()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT notes FROM screening_identification WHERE id = %s", [identification.pk]
            )
            self.assertNotIn("crisis", cursor.fetchone()[0])


class IdentificationPageTests(BaseTestCase):
    def url(self):
        return f"/screening/identify/{self.survivor.pk}/"

    def form_data(self, **changes):
        data = {
            "status": "confirmed",
            "decided_by": "law_enforcement",
            "decided_on": timezone.localdate().isoformat(),
            "exploitation": ["SexualExploitation", "ForcedCriminality"],
            "minor_when_exploited": "yes",
            "notes": "Detective confirmed on the phone.",
        }
        return data | changes

    def test_a_case_manager_records_a_determination_and_sees_it_on_the_survivors_page(self):
        self.login(self.case_manager)
        response = self.client.post(self.url(), self.form_data())
        self.assertRedirects(
            response, f"/screening/survivor/{self.survivor.pk}/", fetch_redirect_response=False
        )
        identification = Identification.objects.get()
        self.assertEqual(identification.exploitation, ["SexualExploitation", "ForcedCriminality"])
        self.assertEqual(identification.recorded_by, self.case_manager)
        page = self.client.get(response["Location"])
        self.assertContains(page, "Confirmed victim of trafficking")
        self.assertContains(page, "Forced criminality")
        self.assertContains(page, "Detective confirmed on the phone.")

    def test_the_history_shows_earlier_determinations_under_the_current_one(self):
        self.login(self.advocate)
        yesterday = (timezone.localdate() - DAY).isoformat()
        self.client.post(self.url(), self.form_data(status="possible", decided_on=yesterday))
        self.client.post(self.url(), self.form_data())
        page = self.client.get(f"/screening/survivor/{self.survivor.pk}/")
        self.assertEqual(page.context["current"].status, "confirmed")
        self.assertContains(page, "Earlier determinations")
        self.assertContains(page, "Possible victim of trafficking")

    def test_a_future_date_is_shown_at_the_field_and_nothing_is_saved(self):
        self.login(self.case_manager)
        tomorrow = (timezone.localdate() + DAY).isoformat()
        response = self.client.post(self.url(), self.form_data(decided_on=tomorrow))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["decided_on"],
            ["The decision cannot be dated in the future."],
        )
        self.assertContains(response, "Nothing has been saved yet.")
        self.assertFalse(Identification.objects.exists())

    def test_a_missing_status_is_refused(self):
        self.login(self.case_manager)
        response = self.client.post(self.url(), self.form_data(status=""))
        self.assertIn("status", response.context["form"].errors)
        self.assertFalse(Identification.objects.exists())
