"""The import page: program directors check or import one file, and download the example."""

import io
from unittest import mock

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from thrive.audit.models import AuditEvent
from thrive.cases import imports
from thrive.cases.tests.test_import_records import ImportTestCase

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportPageTests(ImportTestCase):
    def upload(self, name, data, action="import"):
        self.login(self.director)
        return self.client.post(
            "/import/", {"file": SimpleUploadedFile(name, data), "action": action}
        )

    def test_only_program_directors_may_import_or_download_the_example(self):
        for user in (
            self.advocate,
            self.case_manager,
            self.supervisor,
            self.analyst,
            self.trainer,
            self.outsider,
        ):
            self.login(user)
            for path in ["/import/", "/import/example.xlsx", "/import/example-services.csv"]:
                with self.subTest(user=user.username, path=path):
                    self.assertEqual(self.client.get(path).status_code, 403)
            data = {"file": SimpleUploadedFile("s.csv", imports.example_csv("survivors"))}
            response = self.client.post("/import/", {**data, "action": "import"})
            self.assertEqual(response.status_code, 403)
        self.assertFalse(AuditEvent.objects.filter(object_type="cases.import").exists())

    def test_anonymous_visitors_are_sent_to_log_in(self):
        response = self.client.get("/import/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])

    def test_the_page_offers_the_examples_and_lists_every_column_and_service_type(self):
        self.login(self.director)
        # Session, user, OTP device, memberships, service types; the session saved (3).
        with self.assertNumQueries(8):
            response = self.client.get("/import/")
        self.assertContains(response, 'href="/import/example.xlsx"')
        for kind in imports.KINDS:
            self.assertContains(response, f'href="/import/example-{kind}.csv"')
        for column in ("preferred_name", "survivor_external_id", "case_external_id", "grant"):
            self.assertContains(response, f"<code>{column}</code>")
        self.assertContains(response, "<code>emergency_shelter</code>")
        self.assertContains(response, '<button type="submit" name="action" value="check">')

    def test_the_examples_download_as_a_workbook_and_as_csv(self):
        self.login(self.director)
        response = self.client.get("/import/example.xlsx")
        self.assertEqual(response["Content-Type"], XLSX)
        self.assertIn("attachment", response["Content-Disposition"])
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertEqual(workbook.sheetnames, ["read me", "survivors", "cases", "services"])
        self.assertEqual(workbook["cases"]["C2"].value, imports.EXAMPLE_PROGRAM)
        response = self.client.get("/import/example-services.csv")
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        header = response.content.decode().splitlines()[0]
        self.assertTrue(header.startswith("external_id,case_external_id,service_type,"))

    def test_an_unknown_example_kind_is_not_found(self):
        self.login(self.director)
        self.assertEqual(self.client.get("/import/example-grants.csv").status_code, 404)

    def test_check_then_import_then_import_again_creates_nothing_twice(self):
        workbook = imports.example_workbook()
        before = self.counts()
        response = self.upload("example.xlsx", workbook, action="check")
        self.assertContains(response, "No problems found. Nothing has been imported yet.")
        self.assertContains(response, "<td>7</td>")  # services to import
        self.assertEqual(self.counts(), before)

        response = self.upload("example.xlsx", workbook)
        self.assertContains(response, "Imported.")
        self.assertEqual(self.counts(), (before[0] + 3, before[1] + 3, before[2] + 7))
        event = AuditEvent.objects.get(object_type="cases.import")
        self.assertEqual((event.actor, event.detail["formats"]), (self.director, ["xlsx"]))

        response = self.upload("example.xlsx", workbook)
        self.assertContains(response, "Imported.")
        rows = response.context["result"].counts()
        self.assertEqual(
            [(r["kind"], r["created"], r["skipped"]) for r in rows],
            [("survivors", 0, 3), ("cases", 0, 3), ("services", 0, 7)],
        )
        self.assertEqual(self.counts(), (before[0] + 3, before[1] + 3, before[2] + 7))
        self.assertContains(response, "read me")  # the sheet not read is named

    def test_csv_files_import_one_at_a_time(self):
        before = self.counts()
        for kind in imports.KINDS:
            response = self.upload(f"{kind}.csv", imports.example_csv(kind))
            self.assertContains(response, "Imported.")
        self.assertEqual(self.counts(), (before[0] + 3, before[1] + 3, before[2] + 7))
        response = self.upload("services.csv", imports.example_csv("services"))
        self.assertEqual(response.context["result"].skipped["services"], 7)

    def test_a_bad_row_imports_nothing_and_the_page_names_sheet_row_and_column(self):
        workbook = openpyxl.load_workbook(io.BytesIO(imports.example_workbook()))
        workbook["services"]["F4"] = "-1"  # the quantity of the third service
        out = io.BytesIO()
        workbook.save(out)
        before = self.counts()
        response = self.upload("records.xlsx", out.getvalue())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Nothing was imported: 1 problem.")
        self.assertContains(
            response,
            "<td>records.xlsx · services</td>\n      <td>4</td>\n"
            "      <td><code>quantity</code> (F)</td>",
        )
        self.assertContains(response, "Ensure this value is greater than or equal to 0.01.")
        self.assertEqual(self.counts(), before)
        self.assertFalse(AuditEvent.objects.filter(object_type="cases.import").exists())

    def test_a_service_of_an_unknown_case_is_listed(self):
        csv = "external_id,case_external_id,service_type,delivered_on,quantity,unit\n"
        csv += "SV-1,GONE,food,2026-01-05,2,items\n"
        response = self.upload("services.csv", csv.encode())
        self.assertContains(response, "No case has the external_id &#x27;GONE&#x27;")

    def test_a_file_that_is_not_csv_or_xlsx_or_too_large_is_refused_at_the_field(self):
        response = self.upload("records.pdf", b"%PDF-1.7")
        self.assertContains(response, "Give a .csv or .xlsx file")
        self.assertIsNone(response.context["result"])
        with mock.patch.object(imports, "MAX_UPLOAD_BYTES", 10):
            response = self.upload("survivors.csv", imports.example_csv("survivors"))
        self.assertContains(response, "The file is larger than 20 MB")
        response = self.upload("records.xlsx", b"not a workbook at all")
        self.assertContains(response, "This file is not a readable XLSX workbook.")

    def test_the_result_never_shows_what_was_imported(self):
        response = self.upload("survivors.csv", imports.example_csv("survivors"))
        self.assertContains(response, "Imported.")
        self.assertNotContains(response, "Example Alpha")
        self.assertNotContains(response, "alpha@example.org")
        self.assertNoSurvivorData(response)


class ImportNavigationTests(ImportTestCase):
    def test_only_program_directors_find_the_import_in_the_menu(self):
        self.login(self.director)
        self.assertContains(self.client.get("/"), 'href="/import/"')
        for user in (self.supervisor, self.case_manager):
            self.login(user)
            self.assertNotContains(self.client.get("/"), 'href="/import/"')
