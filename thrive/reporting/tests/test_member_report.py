"""The task-force member report, built from records made by the real bulk actions.

The county example: a county task force's published 2023 table showed an agency with 185
survivors served, 177 of them sex trafficking and the labor count hidden as "<10", which
anyone recovers as 8 by subtraction. Built from records whose counts match that table, the
member report must publish nothing that subtraction (or any linear reasoning over the
published cells and totals) turns back into the 8.
"""

import datetime
import random

from thrive.accounts.management.commands.demo import SyntheticPeople
from thrive.accounts.models import Organization, Role, TaskForce
from thrive.cases.actions import cases_bulk_open, program_create
from thrive.cases.models import Case
from thrive.reporting.disclosure import Rule
from thrive.reporting.members import member_report
from thrive.reporting.periods import parse_period
from thrive.reporting.tables import publish
from thrive.reporting.tests.test_disclosure import integer_range
from thrive.services.actions import services_bulk_record
from thrive.services.models import Service, ServiceType
from thrive.survivors.actions import survivors_bulk_create
from thrive.test import BaseTestCase, make_member

YEAR = parse_period("2023")
# (member, {trafficking type: survivors served in 2023}), as the county's table had them.
COUNTY = [
    ("Harbor Light Services", {"sex": 177, "labor": 8}),
    ("Cedar County Legal Aid", {"sex": 40, "labor": 24}),
    ("Hope Clinic", {"sex": 31}),
    ("Safe Haven Shelter", {"sex": 12, "both": 3}),
]


def serve(organization, counts, *, actor, day, rng, services_each=1, earlier=0):
    """Survivors of `organization` served on `day`, `counts[type]` of each trafficking type;
    `earlier` of them also served the year before (so not new identifications)."""
    program = program_create(
        organization, actor=actor, data={"name": "Services", "kind": "case_management"}
    )
    people = SyntheticPeople(7, rng)
    kinds = [kind for kind, n in counts.items() for _ in range(n)]
    survivors = survivors_bulk_create(organization, [people.survivor() for _ in kinds], actor=actor)
    cases = cases_bulk_open(
        organization,
        [
            Case(
                survivor=survivor,
                program=program,
                trafficking_type=kind,
                opened_on=day - datetime.timedelta(days=400),
                status="active",
            )
            for survivor, kind in zip(survivors, kinds, strict=True)
        ],
        actor=actor,
    )
    service_type = ServiceType.objects.get(code="case_management")
    unit = service_type.units[0]
    services = [
        Service(
            case=case,
            survivor_id=case.survivor_id,
            service_type=service_type,
            status="delivered",
            delivered_on=on,
            quantity=1,
            unit=unit,
            funding="general",
        )
        for index, case in enumerate(cases)
        for on in [day] * services_each
        + ([day - datetime.timedelta(days=365)] if index < earlier else [])
    ]
    services_bulk_record(organization, services, actor=actor)


class CountyData(BaseTestCase):
    """The county's four members and their 2023 survivors, as in its published table."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        rng = random.Random(2023)
        cls.task_force = TaskForce.objects.create(
            name="County task force", slug="county", coordinator=cls.agency_a
        )
        day = datetime.date(2023, 6, 15)
        for index, (name, counts) in enumerate(COUNTY):
            organization = Organization.objects.create(
                name=name, slug=f"member-{index}", kind=Organization.Kind.SERVICE_PROVIDER
            )
            cls.task_force.members.add(organization)
            staff = make_member(f"staff-{index}", organization, Role.CASE_MANAGER)
            serve(organization, counts, actor=staff, day=day, rng=rng, services_each=2, earlier=5)


class CountyExampleTests(CountyData):
    def test_the_records_give_the_county_table(self):
        figures = member_report(self.task_force, YEAR)
        harbor = ("members", "member-0")
        self.assertEqual(figures.cells[(*harbor, "served")], 185)
        self.assertEqual(figures.cells[(*harbor, "sex")], 177)
        self.assertEqual(figures.cells[(*harbor, "labor")], 8)
        self.assertEqual(figures.cells[(*harbor, "contacts")], 370)
        self.assertEqual(figures.cells[(*harbor, "new")], 180)
        self.assertEqual(figures.cells[("members", "total", "served")], 185 + 64 + 31 + 15)

    def test_the_published_table_gives_no_hidden_count_away(self):
        figures = member_report(self.task_force, YEAR)
        published = publish(figures, rule=Rule(k=10))
        table = published.tables[0]
        harbor = next(row for row in table["rows"] if row[0] == "Harbor Light Services")
        # The labor count is hidden, and so is a second figure of its row: 185 − 177 is gone.
        served, sex, labor = harbor[1], harbor[2], harbor[3]
        self.assertEqual(labor, "<10")
        self.assertTrue("<10" in (served, sex), harbor)
        self.assertTrue(published.audit["passed"])
        # Independently of the audit: every small count, as an integer program over every
        # published cell and total, can still be anything from 1 to 9.
        hidden = {key for key in figures.cells if _shown(published, figures, key) == "<10"}
        for key in hidden:
            value = figures.cells[key]
            if 0 < value < 10:
                low, high = integer_range(figures.cells, figures.totals, hidden, key, 1)
                self.assertLessEqual(low, 1, key)
                self.assertGreaterEqual(high, 9, key)

    def test_a_period_with_no_service_says_so(self):
        figures = member_report(self.task_force, parse_period("2019"))
        self.assertTrue(publish(figures).empty)


def _shown(published, figures, key):
    """How `key` was published: found through the table layout."""
    for table, layout in zip(published.tables, figures.tables, strict=True):
        for row, (_label, keys) in zip(table["rows"], layout.rows, strict=True):
            if key in keys:
                return row[1 + keys.index(key)]
        if key in layout.total_row[1]:
            return table["total_row"][1 + layout.total_row[1].index(key)]
    raise KeyError(key)


class MemberFiguresTests(CountyData):
    """A member not yet on Thrive: its reported aggregates become its row."""

    def url(self):
        return f"/reports/task-forces/{self.task_force.pk}/figures/"

    def post(self, **changes):
        data = {
            "organization_name": "Far County Clinic",
            "period": "2023",
            "served": 12,
            "sex": 4,
            "labor": 8,
            "both": 0,
            "unknown": 0,
            "contacts": 30,
            "new": 12,
            **changes,
        }
        return self.client.post(self.url(), data)

    def test_entered_figures_are_a_protected_row_of_that_periods_report(self):
        self.login(self.analyst)
        self.assertRedirects(self.post(), self.url())
        figures = member_report(self.task_force, YEAR)
        table = figures.tables[0]
        self.assertIn("Far County Clinic *", [label for label, _keys in table.rows])
        self.assertEqual(figures.cells[("members", "total", "served")], 185 + 64 + 31 + 15 + 12)
        published = publish(figures)
        clinic = next(r for r in published.tables[0]["rows"] if r[0] == "Far County Clinic *")
        self.assertEqual(clinic[2:4], ["<10", "<10"])  # 4 and 8: neither recoverable from 12
        self.assertTrue(published.audit["passed"])
        # Another period's report does not show them.
        other = member_report(self.task_force, parse_period("2024"))
        self.assertNotIn("Far County Clinic *", [label for label, _k in other.tables[0].rows])

    def test_figures_that_do_not_add_up_are_refused_at_the_field_and_nothing_is_saved(self):
        self.login(self.analyst)
        response = self.post(served=13)
        self.assertContains(response, "must equal the four trafficking types added up (12)")
        response = self.post(new=20)
        self.assertContains(response, "cannot be more than the survivors served")
        response = self.post(period="2023-12-31..2023-01-01")
        self.assertContains(response, "before it starts")
        from thrive.reporting.models import MemberFigures

        self.assertFalse(MemberFigures.objects.exists())

    def test_entering_again_replaces_and_other_roles_are_refused(self):
        self.login(self.analyst)
        self.post()
        self.post(served=13, unknown=1)
        from thrive.reporting.models import MemberFigures

        self.assertEqual(MemberFigures.objects.get().served, 13)
        self.login(self.case_manager)
        self.assertEqual(self.post().status_code, 403)
        self.login(self.outsider)
        self.assertEqual(self.post().status_code, 404)
