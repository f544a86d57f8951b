"""Recording a service for a case through the page: the form, its checks, the redirect."""

from thrive.audit.models import AuditEvent
from thrive.grants.actions import grant_create
from thrive.services.models import Service, ServiceType
from thrive.services.views import case_url
from thrive.test import DAY, CaseTestCase


class ServiceRecordTests(CaseTestCase):
    def url(self, case=None):
        return f"/services/new/{(case or self.case).pk}/"

    def form_data(self, **changes):
        data = {
            "service_type": self.shelter.pk,
            "status": "delivered",
            "delivered_on": self.today.isoformat(),
            "provided_by": "staff",
            "staff_member": self.case_manager.pk,
            "partner": "",
            "partner_name": "",
            "goal": self.goal.pk,
            "quantity": "2",
            "unit": "nights",
            "cost": "190",
            "funding": "grant",
            "grant": self.grant.pk,
            "notes": "Two more nights while the lease is signed.",
        }
        return {**data, **changes}

    def post(self, **changes):
        self.login(self.case_manager)
        return self.client.post(self.url(), self.form_data(**changes))

    def assertRefused(self, response, field, words):  # noqa: N802 (unittest style)
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertIn(field, errors, errors)
        self.assertIn(words, " ".join(errors[field]))
        self.assertContains(response, "Nothing has been saved yet.")
        self.assertEqual(Service.objects.count(), 1)

    def test_the_form_groups_service_types_by_category_and_defaults_to_the_user(self):
        self.login(self.case_manager)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<optgroup label="Basic needs">', html=False)
        self.assertContains(response, '<optgroup label="Legal">', html=False)
        self.assertEqual(response.context["form"]["staff_member"].value(), self.case_manager.pk)
        self.assertEqual(response.context["form"]["delivered_on"].value(), self.today)
        self.assertContains(response, 'hx-get="/services/units/"')

    def test_service_type_groups_and_names_follow_the_readers_language(self):
        self.login(self.case_manager)
        self.client.cookies["django_language"] = "es"
        response = self.client.get(self.url(), HTTP_ACCEPT_LANGUAGE="es")
        self.assertContains(response, '<optgroup label="Necesidades básicas">', html=False)
        self.assertContains(response, "Refugio de emergencia")

    def test_opening_the_form_is_recorded_as_a_view_of_the_case(self):
        self.login(self.case_manager)
        self.client.get(self.url())
        event = AuditEvent.objects.filter(action="view", object_type="cases.case").get()
        self.assertEqual(event.object_id, str(self.case.pk))
        self.assertEqual(event.detail, {"page": "service_new"})

    def test_a_recorded_service_is_saved_and_the_case_manager_returns_to_the_case(self):
        response = self.post()
        self.assertRedirects(response, case_url(self.case), fetch_redirect_response=False)
        service = Service.objects.exclude(pk=self.service.pk).get()
        self.assertEqual(
            (service.service_type, service.quantity, service.unit, service.grant, service.goal),
            (self.shelter, 2, "nights", self.grant, self.goal),
        )
        self.assertEqual(service.staff_member, self.case_manager)
        self.assertEqual(service.recorded_by, self.case_manager)
        self.assertEqual(service.survivor, self.survivor)
        self.assertEqual(service.notes, "Two more nights while the lease is signed.")
        self.assertTrue(
            AuditEvent.objects.filter(
                action="create", object_type="services.service", object_id=str(service.pk)
            ).exists()
        )

    def test_a_service_by_a_partner_in_thrive_keeps_no_staff_member(self):
        response = self.post(
            provided_by="partner", partner=self.agency_b.pk, funding="partner", grant=""
        )
        self.assertEqual(response.status_code, 302)
        service = Service.objects.exclude(pk=self.service.pk).get()
        self.assertEqual((service.partner, service.staff_member), (self.agency_b, None))
        self.assertEqual(service.provider_label, "Agency B")

    def test_a_service_by_a_partner_outside_thrive_keeps_its_name(self):
        response = self.post(
            provided_by="partner", partner_name="Harbor Free Clinic", funding="none", grant=""
        )
        self.assertEqual(response.status_code, 302)
        service = Service.objects.exclude(pk=self.service.pk).get()
        self.assertEqual(service.provider_label, "Harbor Free Clinic")

    def test_a_partner_service_must_name_the_partner(self):
        response = self.post(provided_by="partner", funding="none", grant="")
        self.assertRefused(response, "partner_name", "Name the partner organization")

    def test_a_service_before_the_case_opened_is_refused(self):
        response = self.post(delivered_on=(self.opened_on - DAY).isoformat())
        self.assertRefused(response, "delivered_on", "a service cannot come before it")

    def test_hours_of_emergency_shelter_are_refused_on_the_unit(self):
        response = self.post(unit="hours", quantity="3")
        self.assertRefused(response, "unit", "Emergency shelter is counted in nights, dollars")
        # The rejected choice stays visible next to its message.
        self.assertContains(response, '<option value="hours" selected>', html=False)

    def test_a_grant_that_does_not_pay_for_the_service_is_refused_on_the_grant(self):
        food = ServiceType.objects.get(code="food")
        response = self.post(service_type=food.pk, unit="items")
        self.assertRefused(response, "grant", "does not pay for Food")

    def test_a_grant_whose_period_excludes_the_date_is_refused_on_the_grant(self):
        ended = grant_create(
            self.agency_a,
            actor=self.supervisor,
            data={
                "funder": self.funder,
                "name": "Last year's shelter grant",
                "amount": 1000,
                "starts_on": self.today - 400 * DAY,
                "ends_on": self.today - 10 * DAY,
                "allowable_types": [self.shelter],
            },
        )
        response = self.post(grant=ended.pk)
        self.assertRefused(response, "grant", "runs from")

    def test_a_grant_must_be_named_when_a_grant_pays(self):
        response = self.post(grant="")
        self.assertRefused(response, "grant", "Choose the grant")

    def test_the_grant_list_offers_only_grants_that_can_pay(self):
        ServiceType.objects.get(code="food")
        self.login(self.case_manager)
        form = self.client.get(self.url()).context["form"]
        offered = [value for value, _label in form.fields["grant"].choices if value]
        self.assertEqual(offered, [self.grant.pk])

    def test_the_other_roles_and_organizations_cannot_record(self):
        for user, status in [
            (self.advocate, 403),
            (self.analyst, 403),
            (self.trainer, 403),
            (self.outsider, 404),
        ]:
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(self.url()).status_code, status)
                response = self.client.post(self.url(), self.form_data())
                self.assertEqual(response.status_code, status)
                self.assertNoSurvivorData(response)
        self.assertEqual(Service.objects.count(), 1)

    def test_an_empty_submission_shows_messages_and_saves_nothing(self):
        self.login(self.case_manager)
        response = self.client.post(self.url(), {})
        self.assertEqual(response.status_code, 200)
        self.assertIn("service_type", response.context["form"].errors)
        self.assertEqual(Service.objects.count(), 1)
