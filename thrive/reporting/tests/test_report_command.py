import io
import json
import tempfile
from pathlib import Path

from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from thrive.audit.models import AuditEvent
from thrive.reporting.models import ReportRun
from thrive.reporting.tests.test_member_report import CountyData


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class ReportCommandTests(CountyData):
    ARGS = ("members", "--task-force", "county", "--period", "2023", "--user", "analyst")

    def test_json_has_each_table_with_suppressed_cells_as_text_and_the_audit(self):
        out, _ = run(*self.ARGS)
        body = json.loads(out)
        table = body["tables"][0]
        self.assertEqual(set(table), {"title", "columns", "rows", "total_row"})
        harbor = next(row for row in table["rows"] if row[0] == "Harbor Light Services")
        self.assertEqual(harbor[3], "<10")
        self.assertEqual(table["total_row"][0], "All members")
        self.assertTrue(body["audit"]["passed"])
        self.assertEqual(body["audit"]["k"], 10)
        self.assertEqual((body["start"], body["end"]), ("2023-01-01", "2023-12-31"))

    def test_each_run_is_stored_with_its_audit_and_is_an_audit_event(self):
        run(*self.ARGS, "--format", "csv")
        stored = ReportRun.objects.get()
        self.assertEqual(
            (stored.report, stored.format, stored.actor), ("members", "csv", self.analyst)
        )
        self.assertTrue(stored.audit["passed"])
        self.assertIn("protects members / member-0 / labor", json.dumps(stored.audit))
        event = AuditEvent.objects.get(object_type="reporting.reportrun")
        self.assertEqual(event.action, AuditEvent.Action.EXPORT)
        self.assertEqual(event.detail["format"], "csv")

    def test_csv_and_xlsx_publish_the_same_cells(self):
        out, _ = run(*self.ARGS, "--format", "csv")
        harbor_csv = next(line for line in out.splitlines() if line.startswith("Harbor Light"))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "members.xlsx"
            run(*self.ARGS, "--format", "xlsx", "--output", str(path))
            sheet = load_workbook(path).worksheets[0]
            harbor_xlsx = next(
                row
                for row in sheet.iter_rows(values_only=True)
                if row[0] == "Harbor Light Services"
            )
        self.assertEqual(harbor_csv.split(","), [str(v) for v in harbor_xlsx])
        self.assertIn("<10", harbor_csv.split(","))

    def test_bad_input_says_what_is_wrong(self):
        cases = {
            ("--period", "2023-12-31..2023-01-01"): "ends (2023-01-01) before it starts",
            ("--period", ""): "Give a period",
            ("--k", "1"): "k must be at least 2",
        }
        for extra, message in cases.items():
            with self.subTest(extra), self.assertRaisesMessage(CommandError, message):
                args = list(self.ARGS)
                index = args.index(extra[0]) if extra[0] in args else None
                if index is not None:
                    args[index + 1] = extra[1]
                else:
                    args += list(extra)
                run(*args)
        self.assertFalse(ReportRun.objects.exists())

    def test_only_the_coordinators_aggregate_readers_run_it(self):
        for username, message in [
            ("casemanager", "for supervisors, program directors and data analysts"),
            ("advocate", "for supervisors, program directors and data analysts"),
            ("outsider", "is not a member of Agency A, which coordinates County task force"),
        ]:
            with self.subTest(username), self.assertRaisesMessage(CommandError, message):
                run("members", "--task-force", "county", "--period", "2023", "--user", username)

    def test_an_empty_period_says_so(self):
        out, err = run("members", "--task-force", "county", "--period", "2019", "--user", "analyst")
        self.assertTrue(json.loads(out)["empty"])
        self.assertIn("the report is empty", err)
