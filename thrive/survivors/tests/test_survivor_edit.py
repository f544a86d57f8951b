from thrive.audit.models import AuditEvent
from thrive.survivors.actions import survivor_update
from thrive.survivors.models import Survivor
from thrive.test import BaseTestCase


class SurvivorEditTests(BaseTestCase):
    def form_data(self, **changes):
        self.login(self.case_manager)
        form = self.client.get(f"/survivors/{self.survivor.pk}/edit/").context["form"]
        data = {name: form[name].value() for name in form.fields}
        data = {k: ("" if v is None else v) for k, v in data.items()}
        data["date_of_birth"] = self.survivor.date_of_birth.isoformat()
        data["intake_date"] = self.survivor.intake_date.isoformat()
        return {**data, **changes}

    def test_a_new_legal_name_is_found_and_the_old_one_no_longer(self):
        response = self.client.post(
            f"/survivors/{self.survivor.pk}/edit/",
            self.form_data(legal_name="María José Herrera"),
        )
        self.assertRedirects(response, f"/survivors/{self.survivor.pk}/")
        self.assertEqual(Survivor.objects.with_name("maria jose herrera").get(), self.survivor)
        self.assertFalse(Survivor.objects.with_name("maria jose castillo").exists())
        self.assertEqual(Survivor.objects.with_name("majo").get(), self.survivor)

    def test_an_invalid_change_saves_nothing_and_keeps_what_was_typed(self):
        response = self.client.post(
            f"/survivors/{self.survivor.pk}/edit/",
            self.form_data(legal_name="New Name", email="broken@"),
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("email", response.context["form"].errors)
        self.assertContains(response, 'value="New Name"')
        self.assertEqual(
            Survivor.objects.get(pk=self.survivor.pk).legal_name, "María José Castillo"
        )

    def test_an_update_that_changes_nothing_writes_no_event(self):
        survivor = Survivor.objects.get(pk=self.survivor.pk)
        survivor_update(survivor, actor=self.case_manager, data={"preferred_name": "Majo"})
        self.assertFalse(AuditEvent.objects.filter(action="change").exists())

    def test_the_outsider_cannot_edit(self):
        self.login(self.outsider)
        response = self.client.post(f"/survivors/{self.survivor.pk}/edit/", {"legal_name": "X"})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(
            Survivor.objects.get(pk=self.survivor.pk).legal_name, "María José Castillo"
        )


class SurvivorDetailTests(BaseTestCase):
    def test_the_safe_contact_plan_is_shown_with_the_contact_details(self):
        self.login(self.advocate)
        response = self.client.get(f"/survivors/{self.survivor.pk}/")
        body = response.content.decode()
        self.assertIn("Safe-contact plan", body)
        self.assertLess(body.index("Safe-contact plan"), body.index("+1 (415) 555-0142"))
        self.assertContains(response, "Call: No")
        self.assertContains(response, "marigold")
