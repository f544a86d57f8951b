"""The service taxonomy as staff read it, and the small endpoints the service form calls when
the service type or the date changes (unit options, grant options)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from thrive.grants.actions import grant_create
from thrive.services.models import ServiceType
from thrive.test import DAY, CaseTestCase


class TaxonomyPageTests(CaseTestCase):
    def test_every_category_and_type_is_listed_with_units_and_what_it_counts_as(self):
        self.login(self.case_manager)
        response = self.client.get("/services/types/")
        self.assertEqual(response.status_code, 200)
        for service_type in ServiceType.objects.select_related("category"):
            self.assertContains(response, service_type.category.name)
            self.assertContains(response, service_type.name.replace("'", "&#x27;"))
        self.assertContains(response, "<strong>D1</strong> Emergency shelter or safe house")
        self.assertContains(response, "<strong>E7</strong> Immigration assistance")
        self.assertContains(response, "LabourExploitationRehabilitation", count=0)
        self.assertContains(response, "Livelihood")
        self.assertContains(response, "Criminal legal assistance (vacatur, expungement)")
        self.assertContains(response, "nights, dollars")

    def test_a_type_no_longer_offered_is_still_listed_and_marked(self):
        ServiceType.objects.filter(code="alcohol").update(is_active=False)
        self.login(self.supervisor)
        response = self.client.get("/services/types/")
        self.assertContains(response, "Alcohol treatment")
        self.assertContains(response, "no longer offered", count=1)

    def test_the_page_takes_the_same_few_queries_however_large_the_taxonomy(self):
        self.login(self.case_manager)
        self.client.get("/services/types/")  # warm the session
        with CaptureQueriesContext(connection) as queries:
            self.client.get("/services/types/")
        for n in range(5):
            ServiceType.objects.create(
                category=self.shelter.category,
                code=f"extra_{n}",
                name=f"Extra {n}",
                order=100 + n,
                units=["hours"],
                htcds_type="SocialCare",
            )
        with self.assertNumQueries(len(queries)):
            response = self.client.get("/services/types/")
        self.assertContains(response, "Extra 4")
        self.assertLessEqual(len(queries), 10)  # session, user, device, membership: then 2

    def test_any_case_role_may_read_it_and_no_other_role(self):
        for user, status in [
            (self.case_manager, 200),
            (self.supervisor, 200),
            (self.outsider, 200),
            (self.advocate, 403),
            (self.analyst, 403),
            (self.trainer, 403),
        ]:
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get("/services/types/").status_code, status)


class UnitOptionsTests(CaseTestCase):
    def options(self, **params):
        self.login(self.case_manager)
        return self.client.get("/services/units/", params, HTTP_HX_REQUEST="true")

    def test_the_units_follow_the_chosen_type(self):
        response = self.options(service_type=self.shelter.pk)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<option value="nights">')
        self.assertContains(response, '<option value="dollars">')
        self.assertNotContains(response, 'value="hours"')

    def test_the_answer_also_says_what_the_type_counts_as(self):
        response = self.options(service_type=self.shelter.pk)
        self.assertContains(response, 'id="service-type-mapping"')
        self.assertContains(response, 'hx-swap-oob="true"')
        self.assertContains(response, "D1 · Emergency shelter or safe house")

    def test_a_unit_still_allowed_stays_chosen_and_one_no_longer_allowed_is_dropped(self):
        response = self.options(service_type=self.shelter.pk, unit="dollars")
        self.assertContains(response, '<option value="dollars" selected>')
        response = self.options(service_type=self.shelter.pk, unit="hours")
        self.assertNotContains(response, "selected")
        self.assertNotContains(response, 'value="hours"')

    def test_a_type_counted_one_way_only_chooses_that_unit(self):
        crisis = ServiceType.objects.get(code="crisis_intervention")
        response = self.options(service_type=crisis.pk, unit="nights")
        self.assertContains(response, '<option value="hours" selected>')
        self.assertNotContains(response, 'value="nights"')

    def test_no_type_or_a_garbled_one_offers_every_unit(self):
        for value in ["", "abc", "999999"]:
            with self.subTest(service_type=value):
                response = self.options(service_type=value)
                self.assertEqual(response.status_code, 200)
                for unit in ["hours", "nights", "items", "dollars"]:
                    self.assertContains(response, f'value="{unit}"')
                self.assertNotContains(response, "counts as")

    def test_the_endpoint_takes_one_query_beyond_the_session(self):
        self.options(service_type="")
        with CaptureQueriesContext(connection) as without_type:
            self.client.get("/services/units/", {"service_type": ""})
        with self.assertNumQueries(len(without_type) + 1):
            self.client.get("/services/units/", {"service_type": self.shelter.pk})

    def test_roles_without_cases_are_refused(self):
        for user in [self.advocate, self.analyst, self.trainer]:
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get("/services/units/", {"service_type": self.shelter.pk})
                self.assertEqual(response.status_code, 403)


class GrantOptionsTests(CaseTestCase):
    def options(self, **params):
        self.login(self.case_manager)
        return self.client.get("/services/grant-options/", params, HTTP_HX_REQUEST="true")

    def test_grants_that_pay_for_the_type_on_the_day_are_offered(self):
        grant = f'<option value="{self.grant.pk}"'
        food = ServiceType.objects.get(code="food")
        cases = [
            ({"service_type": self.shelter.pk, "delivered_on": self.today.isoformat()}, True),
            ({"service_type": food.pk, "delivered_on": self.today.isoformat()}, False),
            ({"service_type": self.shelter.pk, "delivered_on": "1999-01-01"}, False),
            ({"service_type": self.shelter.pk, "delivered_on": "not a date"}, True),
        ]
        for params, offered in cases:
            with self.subTest(params=params):
                response = self.options(**params)
                self.assertEqual(response.status_code, 200)
                (self.assertContains if offered else self.assertNotContains)(response, grant)

    def test_the_chosen_grant_stays_chosen_and_other_organizations_grants_never_show(self):
        from thrive.grants.actions import funder_create

        funder_b = funder_create(
            self.agency_b, actor=self.outsider, data={"name": "OVC", "kind": "federal"}
        )
        grant_create(
            self.agency_b,
            actor=self.outsider,
            data={
                "funder": funder_b,
                "name": "Agency B shelter grant",
                "amount": 1000,
                "starts_on": self.today - DAY,
                "ends_on": self.today + DAY,
                "allowable_types": [self.shelter],
            },
        )
        response = self.options(service_type=self.shelter.pk, grant=self.grant.pk)
        self.assertContains(response, f'<option value="{self.grant.pk}" selected>')
        self.assertNotContains(response, "Agency B shelter grant")

    def test_roles_without_cases_are_refused(self):
        self.login(self.analyst)
        self.assertEqual(self.client.get("/services/grant-options/").status_code, 403)
