from thrive.audit.models import AuditEvent
from thrive.test import BaseTestCase


class AuditTrailTests(BaseTestCase):
    """Every view, change and export of a survivor is an event, with who, when and from where."""

    def events(self, action):
        return AuditEvent.objects.for_object(self.survivor).filter(action=action)

    def test_creating_a_survivor_records_the_fields_given_but_not_their_values(self):
        event = self.events(AuditEvent.Action.CREATE).get()
        self.assertEqual(event.actor, self.case_manager)
        self.assertEqual(event.organization, self.agency_a)
        self.assertIn("legal_name", event.changed_fields)
        self.assertNotIn("Castillo", str(event.changed_fields) + str(event.detail))

    def test_viewing_a_survivor_records_a_view_with_request_id_and_address(self):
        self.login(self.case_manager)
        response = self.client.get(f"/survivors/{self.survivor.pk}/", REMOTE_ADDR="203.0.113.9")
        self.assertEqual(response.status_code, 200)
        event = self.events(AuditEvent.Action.VIEW).get()
        self.assertEqual(event.actor, self.case_manager)
        self.assertEqual(event.ip, "203.0.113.9")
        self.assertEqual(event.request_id, response["X-Request-ID"])

    def test_changing_a_survivor_names_only_the_changed_fields(self):
        self.login(self.case_manager)
        self.client.get(f"/survivors/{self.survivor.pk}/edit/")
        form = self.client.get(f"/survivors/{self.survivor.pk}/edit/").context["form"]
        data = {name: form[name].value() or "" for name in form.fields}
        data["race_ethnicity"] = ["hispanic_latino"]
        data["phone"] = "+1 415 555 0199"
        data["date_of_birth"] = "1999-04-17"
        data["intake_date"] = self.survivor.intake_date.isoformat()
        response = self.client.post(f"/survivors/{self.survivor.pk}/edit/", data)
        self.assertEqual(response.status_code, 302, response.content[:2000])
        event = self.events(AuditEvent.Action.CHANGE).get()
        self.assertEqual(event.changed_fields, ["phone"])
        self.assertNotIn("0199", str(event.detail))

    def test_exporting_records_an_export_event_for_each_survivor(self):
        self.login(self.supervisor)
        response = self.client.post("/survivors/export.csv")
        self.assertEqual(response.status_code, 200)
        self.assertIn("María José Castillo", response.content.decode())
        event = self.events(AuditEvent.Action.EXPORT).get()
        self.assertEqual(event.actor, self.supervisor)
        self.assertEqual(event.detail, {"format": "csv", "records": 1})

    def test_case_managers_cannot_export(self):
        self.login(self.case_manager)
        self.assertEqual(self.client.post("/survivors/export.csv").status_code, 403)
        self.assertFalse(self.events(AuditEvent.Action.EXPORT).exists())

    def test_a_search_is_recorded_without_the_term_searched(self):
        self.login(self.case_manager)
        self.client.post("/survivors/", {"q": "maria jose castillo"})
        event = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH)
        self.assertEqual(event.detail, {"by": "name", "results": 1})
        self.assertNotIn("castillo", str(event.detail).lower())

    def test_a_supervisor_reads_the_trail_and_a_case_manager_may_not(self):
        self.login(self.case_manager)
        self.client.get(f"/survivors/{self.survivor.pk}/")
        self.assertEqual(self.client.get(f"/survivors/{self.survivor.pk}/audit/").status_code, 403)
        self.login(self.supervisor)
        response = self.client.get(f"/survivors/{self.survivor.pk}/audit/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "casemanager")
        self.assertContains(response, "Viewed")
        self.assertContains(response, "Created")
