"""One service record, counted under every funder's scheme: VOCA, HTCDS and its grant."""

from decimal import Decimal

from django.core.exceptions import ValidationError

from thrive.grants.models import Grant
from thrive.services.actions import service_record
from thrive.services.models import Service, ServiceType
from thrive.test import DAY, CaseTestCase


class OneRecordEveryFunderTests(CaseTestCase):
    def test_one_shelter_stay_counts_under_its_voca_code_htcds_type_federal_category_and_grant(
        self,
    ):
        services = Service.objects.filter(organization=self.agency_a)
        self.assertEqual(services.counts_by("voca"), {"D1": (1, 1)})
        self.assertEqual(services.counts_by("htcds"), {"SocialCare": (1, 1)})
        self.assertEqual(services.counts_by("federal"), {"emergency_shelter": (1, 1)})
        self.assertEqual(services.counts_by("grant"), {self.grant.pk: (1, 1)})
        grant = Grant.objects.with_spend().get(pk=self.grant.pk)
        self.assertEqual((grant.spent, grant.remaining), (Decimal(285), Decimal(499715)))

    def test_planned_declined_and_unavailable_services_count_for_no_funder(self):
        for status in ["planned", "declined", "unavailable"]:
            service_record(
                self.case,
                actor=self.case_manager,
                data={
                    "service_type": self.shelter,
                    "status": status,
                    "delivered_on": self.today,
                    "quantity": 1,
                    "unit": "nights",
                    "cost": 95,
                    "funding": "grant",
                    "grant": self.grant,
                },
            )
        services = Service.objects.filter(organization=self.agency_a)
        self.assertEqual(services.counts_by("voca"), {"D1": (1, 1)})
        self.assertEqual(Grant.objects.with_spend().get(pk=self.grant.pk).spent, Decimal(285))

    def test_two_services_for_one_survivor_count_twice_as_services_once_as_a_survivor(self):
        food = ServiceType.objects.get(code="food")
        service_record(
            self.case,
            actor=self.case_manager,
            data={"service_type": food, "quantity": 2, "unit": "items", "delivered_on": self.today},
        )
        services = Service.objects.filter(organization=self.agency_a)
        self.assertEqual(services.counts_by("htcds"), {"SocialCare": (2, 1)})
        self.assertEqual(services.counts_by("voca"), {"C7": (1, 1), "D1": (1, 1)})

    def test_every_type_of_the_taxonomy_maps_to_an_htcds_type_and_a_federal_category(self):
        types = ServiceType.objects.all()
        self.assertGreaterEqual(types.count(), 39)
        for service_type in types:
            with self.subTest(service_type.code):
                self.assertTrue(service_type.htcds_type)
                self.assertTrue(service_type.federal_category)
                self.assertTrue(service_type.units)


class ServiceBadInputTests(CaseTestCase):
    def record(self, **changes):
        data = {
            "service_type": self.shelter,
            "delivered_on": self.today,
            "quantity": 1,
            "unit": "nights",
            "cost": 95,
            "funding": "grant",
            "grant": self.grant,
        }
        data.update(changes)
        before = Service.objects.count()
        with self.assertRaises(ValidationError) as caught:
            service_record(self.case, actor=self.case_manager, data=data)
        self.assertEqual(Service.objects.count(), before)
        return caught.exception.message_dict

    def test_a_service_before_the_case_opened(self):
        errors = self.record(delivered_on=self.opened_on - DAY)
        self.assertIn("cannot come before it", errors["delivered_on"][0])

    def test_a_delivered_service_in_the_future(self):
        errors = self.record(delivered_on=self.today + DAY)
        self.assertIn("record it as planned", errors["delivered_on"][0])

    def test_hours_of_emergency_shelter(self):
        errors = self.record(unit="hours")
        self.assertEqual(errors["unit"], ["Emergency shelter is counted in nights, dollars."])

    def test_more_than_a_day_of_hours(self):
        counselling = ServiceType.objects.get(code="crisis_intervention")
        errors = self.record(
            service_type=counselling, unit="hours", quantity=30, funding="general", grant=None
        )
        self.assertIn("at most 24", errors["quantity"][0])

    def test_a_grant_that_does_not_allow_the_service(self):
        food = ServiceType.objects.get(code="food")
        errors = self.record(service_type=food, unit="items")
        self.assertIn("does not pay for Food", errors["grant"][0])

    def test_a_grant_whose_period_excludes_the_date(self):
        self.grant.starts_on = self.today - 5 * DAY
        self.grant.save()
        errors = self.record(delivered_on=self.today - 10 * DAY)
        self.assertIn("the service is dated", errors["grant"][0])

    def test_grant_funding_without_a_grant_and_a_grant_without_grant_funding(self):
        self.assertIn("grant", self.record(grant=None))
        self.assertIn("funding", self.record(funding="general"))

    def test_a_partner_service_must_name_the_partner(self):
        errors = self.record(provided_by="partner")
        self.assertIn("partner_name", errors)
