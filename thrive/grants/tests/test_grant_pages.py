"""The grants pages: the list with always-current spend, a grant's delivered services counted
under each funder's scheme, and recording funders and grants. Supervisors and program
directors only."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from thrive.audit.models import AuditEvent
from thrive.cases.actions import case_open
from thrive.grants.actions import grant_create
from thrive.grants.models import Funder, Grant
from thrive.services.actions import service_record
from thrive.services.models import ServiceType
from thrive.survivors.actions import survivor_create
from thrive.test import DAY, CaseTestCase


class GrantListTests(CaseTestCase):
    def add_grants(self, n):
        for i in range(n):
            grant_create(
                self.agency_a,
                actor=self.supervisor,
                data={
                    "funder": self.funder,
                    "name": f"Grant {i}",
                    "amount": 1000,
                    "starts_on": self.today - DAY,
                    "ends_on": self.today + DAY,
                    "allowable_types": [self.shelter],
                },
            )

    def test_the_list_shows_each_grant_with_its_spend(self):
        self.login(self.supervisor)
        response = self.client.get("/grants/")
        self.assertContains(response, "OVC")
        self.assertContains(response, "Comprehensive services for victims of trafficking")
        self.assertContains(response, "500000.00")
        self.assertContains(response, "285.00")
        self.assertContains(response, "499715.00")
        self.assertContains(response, 'max="500000.00" value="285')

    def test_spend_is_always_current_a_service_recorded_on_the_page_shows_at_once(self):
        self.login(self.case_manager)
        response = self.client.post(
            f"/services/new/{self.case.pk}/",
            {
                "service_type": self.shelter.pk,
                "status": "delivered",
                "delivered_on": self.today.isoformat(),
                "provided_by": "staff",
                "staff_member": self.case_manager.pk,
                "quantity": "1",
                "unit": "nights",
                "cost": "95",
                "funding": "grant",
                "grant": self.grant.pk,
            },
        )
        self.assertEqual(response.status_code, 302)
        self.login(self.supervisor)
        response = self.client.get("/grants/")
        self.assertContains(response, "380.00")
        self.assertContains(response, "499620.00")

    def test_planned_services_are_not_spend(self):
        service_record(
            self.case,
            actor=self.case_manager,
            data={
                "service_type": self.shelter,
                "status": "planned",
                "delivered_on": self.today + 5 * DAY,
                "quantity": 2,
                "unit": "nights",
                "cost": 190,
                "funding": "grant",
                "grant": self.grant,
            },
        )
        self.login(self.supervisor)
        self.assertContains(self.client.get("/grants/"), "499715.00")

    def test_the_query_count_does_not_grow_with_the_number_of_grants(self):
        self.login(self.supervisor)
        self.client.get("/grants/")
        with CaptureQueriesContext(connection) as few:
            self.client.get("/grants/")
        self.add_grants(6)
        with self.assertNumQueries(len(few)):
            response = self.client.get("/grants/")
        self.assertContains(response, "Grant 5")

    def test_spanish_amounts_use_a_decimal_comma_and_the_bar_stays_machine_readable(self):
        self.login(self.supervisor)
        self.client.cookies["django_language"] = "es"
        response = self.client.get("/grants/", HTTP_ACCEPT_LANGUAGE="es")
        self.assertContains(response, "285,00")
        self.assertContains(response, 'max="500000.00" value="285')

    def test_another_organizations_grants_never_show(self):
        self.login(self.outsider)
        response = self.client.get("/grants/")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Comprehensive services")


class GrantDetailTests(CaseTestCase):
    def url(self):
        return f"/grants/{self.grant.pk}/"

    def record(self, case, service_type, **data):
        return service_record(
            case,
            actor=self.case_manager,
            data={
                "service_type": service_type,
                "delivered_on": self.today,
                "quantity": 1,
                "unit": "nights",
                "cost": 100,
                "funding": "grant",
                "grant": self.grant,
                **data,
            },
        )

    def test_delivered_services_are_counted_by_type_voca_htcds_and_federal_category(self):
        transitional = ServiceType.objects.get(code="transitional_housing")
        self.grant.allowable_types.add(transitional)
        self.grant = Grant.objects.get(pk=self.grant.pk)  # allows() caches the old list
        self.record(self.case, self.shelter)
        second = survivor_create(
            self.agency_a,
            actor=self.case_manager,
            data={"preferred_name": "Bee", "legal_name": "B"},
        )
        other_case = case_open(
            second,
            actor=self.case_manager,
            program=self.program,
            data={"case_manager": self.case_manager, "opened_on": self.opened_on},
        )
        self.record(other_case, self.shelter)
        self.record(other_case, transitional)
        self.record(self.case, self.shelter, status="planned", delivered_on=self.today + DAY)

        self.login(self.supervisor)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        counts = dict(response.context["counts"])
        self.assertEqual(
            counts["By service"], [("Emergency shelter", 3, 2), ("Transitional housing", 1, 1)]
        )
        self.assertEqual(
            counts["By VOCA service code"],
            [("D1 · Emergency shelter or safe house", 3, 2), ("D2 · Transitional housing", 1, 1)],
        )
        self.assertEqual(counts["By HTCDS support plan type"], [("SocialCare", 4, 2)])
        self.assertEqual(
            counts["By federal trafficking-grant category"],
            [("Emergency shelter", 3, 2), ("Transitional housing", 1, 1)],
        )
        self.assertNoSurvivorData(response)

    def test_spend_by_month_and_what_remains(self):
        self.record(self.case, self.shelter, delivered_on=self.opened_on, cost=50)
        self.login(self.supervisor)
        response = self.client.get(self.url())
        months = response.context["months"]
        self.assertEqual(sum(m["services"] for m in months), 2)
        self.assertEqual(sum(m["spent"] for m in months), 335)
        self.assertEqual(response.context["remaining"], 500000 - 335)
        self.assertContains(response, "Emergency shelter")  # an allowable service

    def test_only_supervisors_and_program_directors_see_a_grant(self):
        for user, status in [
            (self.case_manager, 403),
            (self.advocate, 403),
            (self.analyst, 403),
            (self.trainer, 403),
            (self.outsider, 404),
        ]:
            with self.subTest(user=user.username):
                self.login(user)
                for path in [self.url(), f"{self.url()}edit/"]:
                    self.assertEqual(self.client.get(path).status_code, status, path)

    def test_a_grant_id_that_does_not_exist_is_404(self):
        self.login(self.supervisor)
        self.assertEqual(self.client.get("/grants/999999/").status_code, 404)


class GrantCreateTests(CaseTestCase):
    def form_data(self, **changes):
        food = ServiceType.objects.get(code="food")
        data = {
            "funder": self.funder.pk,
            "name": "Basic needs for survivors",
            "award_number": "15POVC-25-GG-00123",
            "amount": "25000",
            "starts_on": self.today.isoformat(),
            "ends_on": (self.today + 365 * DAY).isoformat(),
            "allowable_types": [food.pk, self.shelter.pk],
        }
        return {**data, **changes}

    def test_the_form_offers_allowable_services_as_checkboxes_grouped_by_category(self):
        self.login(self.supervisor)
        response = self.client.get("/grants/new/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'type="checkbox" name="allowable_types"')
        self.assertContains(response, "Crisis and safety")
        self.assertEqual(
            [funder for funder in response.context["form"].fields["funder"].queryset],
            [self.funder],
        )

    def test_a_new_grant_is_recorded_with_its_allowable_services_and_audited(self):
        self.login(self.supervisor)
        response = self.client.post("/grants/new/", self.form_data())
        grant = Grant.objects.get(name="Basic needs for survivors")
        self.assertRedirects(response, f"/grants/{grant.pk}/")
        self.assertEqual(
            sorted(grant.allowable_types.values_list("code", flat=True)),
            ["emergency_shelter", "food"],
        )
        self.assertEqual(grant.organization, self.agency_a)
        self.assertTrue(AuditEvent.objects.filter(object_type="grants.grant", action="create"))

    def test_bad_input_is_shown_on_its_field_and_nothing_is_saved(self):
        self.login(self.supervisor)
        cases = [
            ({"ends_on": (self.today - DAY).isoformat()}, "ends_on", "ends before it starts"),
            ({"name": "comprehensive services for victims of trafficking"}, "name", "already"),
            ({"amount": "0"}, "amount", "greater than or equal to 0.01"),
            ({"funder": "999999"}, "funder", "Select a valid choice"),
        ]
        for changes, field, words in cases:
            with self.subTest(changes=changes):
                response = self.client.post("/grants/new/", self.form_data(**changes))
                self.assertEqual(response.status_code, 200)
                self.assertIn(words, " ".join(response.context["form"].errors[field]))
        self.assertEqual(Grant.objects.count(), 1)

    def test_a_funder_of_another_organization_cannot_be_chosen(self):
        funder_b = Funder.objects.create(organization=self.agency_b, name="B", kind="state")
        self.login(self.supervisor)
        response = self.client.post("/grants/new/", self.form_data(funder=funder_b.pk))
        self.assertIn("funder", response.context["form"].errors)
        self.assertEqual(Grant.objects.count(), 1)

    def test_a_new_funder_is_recorded_and_leads_to_the_grant_form(self):
        self.login(self.supervisor)
        response = self.client.post("/grants/funders/new/", {"name": "State OVS", "kind": "state"})
        self.assertRedirects(response, "/grants/new/")
        self.assertTrue(Funder.objects.filter(organization=self.agency_a, name="State OVS"))
        response = self.client.post("/grants/funders/new/", {"name": "ovc", "kind": "federal"})
        self.assertIn("already", " ".join(response.context["form"].errors["name"]))
        self.assertEqual(Funder.objects.count(), 2)

    def test_only_supervisors_and_program_directors_record_grants_and_funders(self):
        for user in [self.case_manager, self.advocate, self.analyst, self.trainer]:
            for path in ["/grants/", "/grants/new/", "/grants/funders/new/"]:
                with self.subTest(user=user.username, path=path):
                    self.login(user)
                    self.assertEqual(self.client.get(path).status_code, 403)
                    response = self.client.post(path, self.form_data())
                    self.assertEqual(response.status_code, 405 if path == "/grants/" else 403)
        self.assertEqual(Grant.objects.count(), 1)
        self.assertEqual(Funder.objects.count(), 1)


class GrantEditTests(CaseTestCase):
    def url(self):
        return f"/grants/{self.grant.pk}/edit/"

    def form_data(self, **changes):
        form = self.client.get(self.url()).context["form"]
        data = {name: form[name].value() for name in form.fields}
        data = {k: ("" if v is None else v) for k, v in data.items()}
        data["starts_on"] = self.grant.starts_on.isoformat()
        data["ends_on"] = self.grant.ends_on.isoformat()
        return {**data, **changes}

    def test_a_change_is_saved_and_audited(self):
        self.login(self.supervisor)
        response = self.client.post(self.url(), self.form_data(award_number="AW-1"))
        self.assertRedirects(response, f"/grants/{self.grant.pk}/")
        self.grant.refresh_from_db()
        self.assertEqual(self.grant.award_number, "AW-1")
        event = AuditEvent.objects.get(object_type="grants.grant", action="change")
        self.assertEqual(event.changed_fields, ["award_number"])

    def test_the_period_must_still_cover_the_services_charged_to_the_grant(self):
        self.login(self.supervisor)
        data = self.form_data(starts_on=self.today.isoformat())
        response = self.client.post(self.url(), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("the period must cover it", response.context["form"].errors["starts_on"][0])
        self.grant.refresh_from_db()
        self.assertEqual(self.grant.starts_on, self.today - 365 * DAY)

    def test_a_service_type_charged_to_the_grant_must_stay_allowable(self):
        food = ServiceType.objects.get(code="food")
        self.login(self.supervisor)
        response = self.client.post(self.url(), self.form_data(allowable_types=[food.pk]))
        self.assertIn("Emergency shelter", response.context["form"].errors["allowable_types"][0])
        self.assertEqual(list(self.grant.allowable_types.all()), [self.shelter])
