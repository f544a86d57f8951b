"""The grant report (VOCA performance measures) on the shared test data: one grant-funded
stay of three nights at the emergency shelter (VOCA D1), $285."""

import csv
import io

from thrive.reporting.disclosure import Rule
from thrive.reporting.grant import grant_report
from thrive.reporting.models import ReportRun
from thrive.reporting.periods import parse_period
from thrive.reporting.tables import publish
from thrive.test import CaseTestCase


class GrantReportTests(CaseTestCase):
    def period(self):
        return parse_period(f"{self.grant.starts_on}..{self.grant.ends_on}")

    def test_exact_figures_by_voca_code(self):
        figures = grant_report(self.grant, self.period())
        published = publish(figures, rule=Rule(k=2), suppress=False)
        services = next(t for t in published.tables if t["title"].startswith("Services funded"))
        d1 = next(row for row in services["rows"] if row[0].startswith("D1 "))
        self.assertEqual(d1[1:], [1, 1, "285.00"])
        self.assertEqual(figures.cells[("people", "all")], 1)
        self.assertEqual(figures.cells[("voca", "D", "times")], 1)

    def test_published_with_k_10_the_one_stay_and_its_cost_are_hidden(self):
        published = publish(grant_report(self.grant, self.period()))
        services = next(t for t in published.tables if t["title"].startswith("Services funded"))
        d1 = next(row for row in services["rows"] if row[0].startswith("D1 "))
        self.assertEqual(d1[1:], ["<10", "<10", "—"])
        self.assertTrue(published.audit["passed"])

    def test_the_page_and_its_pmt_csv(self):
        self.login(self.analyst)
        url = f"/reports/grants/{self.grant.pk}/"
        self.assertContains(self.client.get(url), "Grant report: Comprehensive services")
        response = self.client.get(url, {"format": "csv"})
        self.assertEqual(response.status_code, 200)
        lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual(lines[0], ["grant", "Comprehensive services for victims of trafficking"])
        self.assertIn(["section", "item", "column", "value"], lines)
        d1 = [line for line in lines if line[1].startswith("D1 ")]
        self.assertEqual([line[3] for line in d1], ["<10", "<10", "—"])
        self.assertEqual(ReportRun.objects.order_by("pk").last().format, "csv")

    def test_other_roles_and_organizations_are_refused(self):
        url = f"/reports/grants/{self.grant.pk}/"
        self.login(self.case_manager)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.login(self.outsider)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_the_api(self):
        from thrive.accounts.actions import api_token_create

        _, token = api_token_create(self.analyst.memberships.get(), actor=self.analyst, name="t")
        response = self.client.get(
            f"/api/v1/reports/grants/{self.grant.pk}",
            {"period": "2020-01-01..2019-01-01"},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("period", response.json()["errors"])
