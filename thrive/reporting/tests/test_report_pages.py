import io

from openpyxl import load_workbook

from thrive.accounts.actions import api_token_create
from thrive.audit.models import AuditEvent
from thrive.reporting.models import ReportRun
from thrive.reporting.tests.test_member_report import CountyData


class MemberReportPageTests(CountyData):
    def url(self, **query):
        base = f"/reports/task-forces/{self.task_force.pk}/members/"
        return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")

    def test_the_analyst_sees_hidden_cells_a_chart_and_the_footnote(self):
        self.login(self.analyst)
        response = self.client.get(self.url(period="2023"))
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertIn('<td class="num suppressed">&lt;10</td>', body)
        self.assertIn("<svg", body)
        self.assertIn("the disclosure audit passed", body)
        self.assertNotIn('name="exact"', body)  # never exact figures for an analyst
        run = ReportRun.objects.get()
        self.assertEqual((run.format, run.actor, run.suppressed), ("page", self.analyst, True))
        self.assertTrue(
            AuditEvent.objects.filter(object_type="reporting.reportrun", action="view").exists()
        )

    def test_an_analyst_asking_for_exact_figures_still_gets_them_hidden(self):
        self.login(self.analyst)
        body = self.client.get(self.url(period="2023", exact="on")).content.decode()
        self.assertIn("&lt;10", body)
        self.assertTrue(ReportRun.objects.get().suppressed)

    def test_a_supervisor_may_see_exact_figures_marked_not_for_publication(self):
        self.login(self.supervisor)
        body = self.client.get(self.url(period="2023", exact="on")).content.decode()
        self.assertNotIn("&lt;10", body)
        self.assertIn("Do not publish this table", body)
        self.assertFalse(ReportRun.objects.get().suppressed)

    def test_the_xlsx_download_holds_the_pages_cells_and_is_an_export(self):
        self.login(self.analyst)
        response = self.client.get(self.url(period="2023", format="xlsx"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment;", response["Content-Disposition"])
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        harbor = next(
            r for r in sheet.iter_rows(values_only=True) if r[0] == "Harbor Light Services"
        )
        self.assertEqual(harbor[3], "<10")
        self.assertTrue(AuditEvent.objects.filter(action="export", detail__format="xlsx").exists())

    def test_bad_input_is_refused_at_its_field_and_nothing_is_run(self):
        self.login(self.analyst)
        for query, message in [
            ({"period": "2023-12-31..2023-01-01"}, "before it starts"),
            ({"period": "soon"}, "is not a period"),
            ({"period": "2023", "k": "1"}, "greater than or equal to 2"),
        ]:
            with self.subTest(query):
                response = self.client.get(self.url(**query))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
        self.assertFalse(ReportRun.objects.exists())

    def test_an_empty_period_says_so(self):
        self.login(self.analyst)
        self.assertContains(self.client.get(self.url(period="2019")), "nothing to report")

    def test_other_roles_and_organizations_are_refused(self):
        self.login(self.case_manager)
        self.assertEqual(self.client.get(self.url(period="2023")).status_code, 403)
        self.login(self.outsider)
        self.assertEqual(self.client.get(self.url(period="2023")).status_code, 404)

    def test_the_index_lists_the_task_forces_the_organization_coordinates(self):
        self.login(self.analyst)
        self.assertContains(self.client.get("/reports/"), "County task force")
        self.login(self.case_manager)
        self.assertNotContains(self.client.get("/reports/"), "County task force")


class MemberReportApiTests(CountyData):
    def get(self, user, **query):
        membership = user.memberships.get()
        _, token = api_token_create(membership, actor=user, name="t")
        path = f"/api/v1/reports/task-forces/{self.task_force.pk}/members"
        return self.client.get(path, query, HTTP_AUTHORIZATION=f"Bearer {token}")

    def test_json_tables_with_hidden_cells_as_text_and_the_audit(self):
        response = self.get(self.analyst, period="FFY2023")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        table = body["tables"][0]
        self.assertEqual(set(table), {"title", "columns", "rows", "total_row"})
        harbor = next(r for r in table["rows"] if r[0] == "Harbor Light Services")
        self.assertEqual(harbor[3], "<10")
        self.assertTrue(body["audit"]["passed"])
        self.assertEqual((body["start"], body["end"]), ("2022-10-01", "2023-09-30"))

    def test_bad_input_is_a_400_by_field(self):
        response = self.get(self.analyst, period="2023-05-01..2023-01-01", k=1, exact="true")
        self.assertEqual(response.status_code, 400)
        errors = response.json()["errors"]
        self.assertEqual(set(errors), {"period", "k", "exact"})
        self.assertFalse(ReportRun.objects.exists())

    def test_other_roles_and_organizations_are_refused(self):
        self.assertEqual(self.get(self.case_manager, period="2023").status_code, 403)
        self.assertEqual(self.get(self.outsider, period="2023").status_code, 404)
