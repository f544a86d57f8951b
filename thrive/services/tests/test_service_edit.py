"""Reading and changing one service: the audited detail page, the edit form, and two people
editing the same service at once (optimistic locking)."""

from thrive.audit.models import AuditEvent
from thrive.services.models import Service
from thrive.test import DAY, CaseTestCase


class ServiceDetailTests(CaseTestCase):
    def url(self):
        return f"/services/{self.service.pk}/"

    def test_the_detail_shows_the_service_and_what_it_counts_as(self):
        self.login(self.case_manager)
        response = self.client.get(self.url())
        self.assertContains(response, "Emergency shelter")
        self.assertContains(response, "Three nights at the safe house.")
        self.assertContains(response, "D1 · Emergency shelter or safe house")
        self.assertContains(response, "SocialCare")
        self.assertContains(response, f"/services/{self.service.pk}/edit/")

    def test_reading_a_service_is_recorded_as_a_view_of_its_case(self):
        self.login(self.supervisor)
        self.client.get(self.url())
        event = AuditEvent.objects.get(action="view", object_type="cases.case")
        self.assertEqual(
            (event.object_id, event.detail, event.actor),
            (str(self.case.pk), {"service": self.service.pk}, self.supervisor),
        )

    def test_other_roles_get_403_and_other_organizations_404(self):
        for user, status in [(self.advocate, 403), (self.analyst, 403), (self.outsider, 404)]:
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get(self.url())
                self.assertEqual(response.status_code, status)
                self.assertNotContains(response, "Three nights", status_code=status)


class ServiceEditTests(CaseTestCase):
    def url(self):
        return f"/services/{self.service.pk}/edit/"

    def client_for(self, user):
        """A second browser, logged in as `user`."""
        first = self.client
        self.client = self.client_class()
        self.login(user)
        second, self.client = self.client, first
        return second

    def form_data(self, client, **changes):
        form = client.get(self.url()).context["form"]
        data = {name: form[name].value() for name in form.fields}
        data = {k: ("" if v is None else v) for k, v in data.items()}
        data["delivered_on"] = form["delivered_on"].value().isoformat()
        return {**data, **changes}

    def stored(self):
        return Service.objects.get(pk=self.service.pk)

    def test_the_form_carries_the_version_it_started_from(self):
        self.login(self.case_manager)
        response = self.client.get(self.url())
        self.assertContains(response, 'name="version" value="1"', html=False)
        event = AuditEvent.objects.get(action="view", object_type="cases.case")
        self.assertEqual(event.detail, {"service": self.service.pk, "page": "edit"})

    def test_a_change_is_saved_with_the_next_version_and_audited(self):
        self.login(self.case_manager)
        data = self.form_data(self.client, quantity="4", cost="380")
        response = self.client.post(self.url(), data)
        self.assertRedirects(response, f"/services/{self.service.pk}/")
        service = self.stored()
        self.assertEqual((service.quantity, service.cost, service.version), (4, 380, 2))
        event = AuditEvent.objects.get(action="change", object_type="services.service")
        self.assertEqual(event.changed_fields, ["cost", "quantity"])

    def test_bad_input_is_shown_on_its_field_and_nothing_is_saved(self):
        self.login(self.case_manager)
        cases = [
            ({"unit": "hours"}, "unit", "counted in nights"),
            ({"delivered_on": (self.opened_on - DAY).isoformat()}, "delivered_on", "before it"),
            ({"provided_by": "partner"}, "partner_name", "Name the partner"),
            ({"quantity": "0"}, "quantity", "greater than or equal to 0.01"),
        ]
        for changes, field, words in cases:
            with self.subTest(changes=changes):
                response = self.client.post(self.url(), self.form_data(self.client, **changes))
                self.assertEqual(response.status_code, 200)
                errors = response.context["form"].errors
                self.assertIn(field, errors)
                self.assertIn(words, " ".join(errors[field]))
                self.assertEqual(self.stored().version, 1)
        self.assertFalse(AuditEvent.objects.filter(action="change").exists())

    def test_a_grant_that_ended_before_the_new_date_is_refused_on_the_grant(self):
        self.login(self.case_manager)
        self.grant.starts_on = self.today - 5 * DAY
        self.grant.save()
        data = self.form_data(self.client, delivered_on=(self.today - 10 * DAY).isoformat())
        response = self.client.post(self.url(), data)
        self.assertIn("runs from", " ".join(response.context["form"].errors["grant"]))
        self.assertEqual(self.stored().delivered_on, self.today - DAY)

    def test_a_stale_edit_shows_who_changed_what_and_saves_nothing(self):
        self.login(self.case_manager)
        mine = self.form_data(self.client, quantity="2", notes="Two nights, not three.")
        supervisor = self.client_for(self.supervisor)
        theirs = self.form_data(supervisor, quantity="5", cost="475")
        self.assertEqual(supervisor.post(self.url(), theirs).status_code, 302)

        response = self.client.post(self.url(), mine)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Someone else saved this record after you opened it.")
        self.assertContains(response, "supervisor changed Cost (USD), Units.")
        conflict = response.context["conflict"]
        rows = {row["name"]: row for row in conflict["rows"]}
        self.assertEqual(set(rows), {"quantity", "cost"})
        self.assertEqual(rows["quantity"]["label"], "Units")
        self.assertEqual((rows["quantity"]["current"], rows["quantity"]["yours"]), ("5.00", "2.00"))
        self.assertEqual((rows["cost"]["current"], rows["cost"]["yours"]), ("475.00", "285.00"))
        # Nothing of the case manager's was saved; what they typed is still in the form.
        service = self.stored()
        self.assertEqual(
            (service.quantity, service.notes, service.version),
            (5, "Three nights at the safe house.", 2),
        )
        self.assertContains(response, "Two nights, not three.")
        self.assertContains(response, 'name="version" value="2"', html=False)

    def test_after_reading_the_conflict_saving_again_is_a_deliberate_overwrite(self):
        self.login(self.case_manager)
        mine = self.form_data(self.client, quantity="2")
        supervisor = self.client_for(self.supervisor)
        supervisor.post(self.url(), self.form_data(supervisor, quantity="5"))
        self.client.post(self.url(), mine)
        response = self.client.post(self.url(), {**mine, "version": "2"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual((self.stored().quantity, self.stored().version), (2, 3))

    def test_saving_without_a_change_writes_nothing(self):
        self.login(self.case_manager)
        response = self.client.post(self.url(), self.form_data(self.client))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.stored().version, 1)
        self.assertFalse(AuditEvent.objects.filter(action="change").exists())

    def test_only_those_who_may_change_the_case_may_edit(self):
        for user, status in [
            (self.advocate, 403),
            (self.analyst, 403),
            (self.trainer, 403),
            (self.outsider, 404),
        ]:
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(self.url()).status_code, status)
                response = self.client.post(self.url(), {"quantity": "9", "version": "1"})
                self.assertEqual(response.status_code, status)
        self.assertEqual(self.stored().version, 1)
