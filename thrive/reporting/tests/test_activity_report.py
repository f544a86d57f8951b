"""The program activity report against hand-counted records made by the real actions."""

import datetime
import random
import uuid

from django.utils import timezone

from thrive.accounts.management.commands.demo import SyntheticPeople
from thrive.cases.actions import cases_bulk_open, program_create
from thrive.cases.models import Case
from thrive.hotline import actions as hotline
from thrive.reporting.activity import program_activity
from thrive.reporting.disclosure import Rule
from thrive.reporting.periods import parse_period
from thrive.reporting.tables import publish
from thrive.services.actions import services_bulk_record
from thrive.services.models import Service, ServiceType
from thrive.survivors.actions import survivors_bulk_create
from thrive.test import BaseTestCase

D = datetime.date
FFY2024 = parse_period("FFY2024")  # 1 October 2023 – 30 September 2024


class ActivityReportTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        people = SyntheticPeople(3, random.Random(3))
        # (age at intake, race and ethnicity, trafficking type, service dates)
        plan = [
            (16, ["black"], "sex", [D(2024, 2, 1)]),  # new in FFY2024
            (22, ["black", "white"], "labor", [D(2023, 9, 30), D(2023, 10, 1)]),  # continuing
            (40, [], "both", [D(2024, 9, 30)]),  # new
            (None, ["hispanic_latino"], "unknown", [D(2023, 11, 5), D(2024, 1, 9)]),  # new
            (30, ["asian"], "sex", [D(2022, 5, 1)]),  # not served in FFY2024
        ]
        survivors = []
        for age, race, _kind, _dates in plan:
            survivor = people.survivor()
            survivor.date_of_birth = None  # else the age at intake is worked out from it
            survivor.age_at_intake = age
            survivor.age_at_intake_missing = "" if age is not None else "unknown"
            survivor.age_first_trafficked, survivor.age_first_trafficked_missing = None, "unknown"
            survivor.race_ethnicity = race
            survivor.gender_identity = "woman"
            survivor.primary_language = "es"
            survivors.append(survivor)
        survivors = survivors_bulk_create(cls.agency_a, survivors, actor=cls.case_manager)
        program = program_create(
            cls.agency_a, actor=cls.supervisor, data={"name": "CM", "kind": "case_management"}
        )
        cases = cases_bulk_open(
            cls.agency_a,
            [
                Case(survivor=s, program=program, trafficking_type=kind, opened_on=D(2022, 1, 1))
                for s, (_a, _r, kind, _d) in zip(survivors, plan, strict=True)
            ],
            actor=cls.case_manager,
        )
        shelter = ServiceType.objects.get(code="emergency_shelter")
        legal = ServiceType.objects.get(code="immigration_relief")
        services = []
        for case, (_a, _r, _k, dates) in zip(cases, plan, strict=True):
            for index, day in enumerate(dates):
                kind = shelter if index == 0 else legal
                services.append(
                    Service(
                        case=case,
                        survivor_id=case.survivor_id,
                        service_type=kind,
                        status="delivered",
                        delivered_on=day,
                        quantity=1,
                        unit=kind.units[0],
                        funding="general",
                    )
                )
        services_bulk_record(cls.agency_a, services, actor=cls.case_manager)
        zone = timezone.get_current_timezone()
        for reason, channel in [("crisis", "call"), ("crisis", "text"), ("tip", "call")]:
            received = datetime.datetime(2024, 3, 1, 12, 0, tzinfo=zone)
            hotline.contact_log(
                cls.agency_a,
                actor=cls.advocate,
                key=uuid.uuid4(),
                data={"channel": channel, "reason": reason, "received_at": received},
            )

    def exact(self, k=2):
        figures = program_activity(self.agency_a, FFY2024)
        return figures, publish(figures, rule=Rule(k=k), suppress=False)

    def test_new_and_continuing_by_trafficking_type(self):
        figures, _ = self.exact()
        cells = figures.cells
        self.assertEqual(cells[("served", "new", "sex")], 1)
        self.assertEqual(cells[("served", "continuing", "labor")], 1)
        self.assertEqual(cells[("served", "new", "both")], 1)
        self.assertEqual(cells[("served", "new", "unknown")], 1)
        self.assertEqual(cells[("served", "all", "total")], 4)
        self.assertEqual(cells[("served", "new", "total")], 3)

    def test_age_race_and_language_break_down_the_same_totals(self):
        figures, _ = self.exact()
        cells = figures.cells
        self.assertEqual(cells[("age", "minor", "new")], 1)
        self.assertEqual(cells[("age", "18_24", "continuing")], 1)
        self.assertEqual(cells[("age", "25_plus", "total")], 1)
        self.assertEqual(cells[("age", "not_recorded", "total")], 1)
        self.assertEqual(cells[("race", "two_or_more", "continuing")], 1)
        self.assertEqual(cells[("race", "not_recorded", "total")], 1)
        self.assertEqual(cells[("language", "es", "total")], 4)
        for dimension in ("age", "gender", "race", "language"):
            with self.subTest(dimension):
                total = sum(v for k, v in cells.items() if k[0] == dimension and k[2] == "total")
                self.assertEqual(total, cells[("served", "all", "total")])

    def test_services_contacts_and_the_published_tables(self):
        figures, published = self.exact()
        cells = figures.cells
        self.assertEqual(cells[("services", "all", "services")], 5)
        self.assertEqual(cells[("contacts", "crisis", "total")], 2)
        self.assertEqual(cells[("contacts", "all", "call")], 2)
        titles = [t["title"] for t in published.tables]
        self.assertIn("Survivors served, by age group at intake", titles)
        self.assertIn("Hotline contacts, by reason and channel", titles)

    def test_with_k_10_every_small_count_is_hidden_and_the_headline_kept_if_it_may_be(self):
        figures = program_activity(self.agency_a, FFY2024)
        published = publish(figures, rule=Rule(k=10))
        self.assertTrue(published.audit["passed"])
        served = published.tables[0]
        self.assertEqual(served["total_row"][-1], "<10")  # 4 is small itself
        for table in published.tables:
            for row in table["rows"]:
                for cell in row[1:]:
                    self.assertFalse(isinstance(cell, int) and 0 < cell < 10, (table["title"], row))

    def test_a_period_before_any_record_is_empty(self):
        self.assertTrue(publish(program_activity(self.agency_a, parse_period("2019"))).empty)


class ActivityPageAndApiTests(ActivityReportTests):
    """The same records through the page, the API and the command line."""

    def test_the_page_shows_every_table_hidden_cells_and_charts(self):
        self.login(self.analyst)
        response = self.client.get("/reports/activity/?period=FFY2024")
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertIn("Program activity: Agency A", body)
        self.assertIn("Survivors served, by race and ethnicity", body)
        self.assertIn('class="num suppressed"', body)
        self.assertIn("<svg", body)

    def test_the_api_gives_the_same_tables(self):
        from thrive.accounts.actions import api_token_create

        _, token = api_token_create(self.analyst.memberships.get(), actor=self.analyst, name="t")
        response = self.client.get(
            "/api/v1/reports/activity", {"period": "FFY2024"}, HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["scope_id"], self.agency_a.pk)
        self.assertEqual(body["tables"][0]["total_row"][-1], "<10")
        self.assertTrue(body["audit"]["passed"])

    def test_roles_without_aggregates_are_refused(self):
        for user in (self.case_manager, self.advocate, self.trainer):
            with self.subTest(user.username):
                self.login(user)
                self.assertEqual(self.client.get("/reports/activity/").status_code, 403)

    def test_the_command_refuses_another_organizations_report(self):
        from django.core.management import CommandError, call_command

        with self.assertRaisesMessage(CommandError, "is not a member of Agency A"):
            call_command(
                "report",
                "activity",
                "--organization",
                "agency-a",
                "--period",
                "FFY2024",
                "--user",
                "outsider",
            )

    def test_the_demographics_dashboard_has_the_age_distribution_with_charts(self):
        from thrive.reporting.activity import demographics

        figures = demographics(self.agency_a, FFY2024)
        cells = figures.cells
        self.assertEqual(cells[("age_band", "15_17", "total")], 1)
        self.assertEqual(cells[("age_band", "21_24", "total")], 1)
        self.assertEqual(cells[("age_band", "35_44", "total")], 1)
        self.assertEqual(cells[("age_band", "not_recorded", "total")], 1)
        self.login(self.analyst)
        response = self.client.get("/reports/demographics/?period=FFY2024")
        self.assertContains(response, "Survivors served, by age at intake")
        self.assertContains(response, "<svg", count=6)

    def test_the_command_runs_the_grant_and_demographics_reports(self):
        import io
        import json

        from django.core.management import call_command

        from thrive.grants.models import Funder, Grant

        funder = Funder.objects.create(organization=self.agency_a, name="OVC", kind="federal")
        grant = Grant.objects.create(
            organization=self.agency_a,
            funder=funder,
            name="G",
            amount=1000,
            starts_on=D(2023, 10, 1),
            ends_on=D(2024, 9, 30),
        )
        out = io.StringIO()
        call_command(
            "report",
            "grant",
            "--grant",
            str(grant.pk),
            "--period",
            "FFY2024",
            "--user",
            "analyst",
            stdout=out,
        )
        self.assertEqual(json.loads(out.getvalue())["grant"], grant.pk)
        out = io.StringIO()
        call_command(
            "report",
            "demographics",
            "--organization",
            "agency-a",
            "--period",
            "FFY2024",
            "--user",
            "analyst",
            stdout=out,
        )
        titles = [t["title"] for t in json.loads(out.getvalue())["tables"]]
        self.assertIn("Survivors served, by age at intake", titles)

    # The figures themselves are checked once, in ActivityReportTests.
    test_new_and_continuing_by_trafficking_type = None
    test_age_race_and_language_break_down_the_same_totals = None
    test_services_contacts_and_the_published_tables = None
    test_with_k_10_every_small_count_is_hidden_and_the_headline_kept_if_it_may_be = None
    test_a_period_before_any_record_is_empty = None
