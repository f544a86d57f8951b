"""Importing survivors, cases and services with `manage.py import_records`: all or nothing,
never twice, every problem named by file, row and column."""

import io
import tempfile
from pathlib import Path
from unittest import mock

import openpyxl
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thrive.accounts.models import Role
from thrive.audit.models import AuditEvent
from thrive.cases import imports
from thrive.cases.models import Case, CaseEvent
from thrive.grants import actions as grants
from thrive.services.models import Service, ServiceType
from thrive.survivors.models import Survivor
from thrive.test import DAY, CaseTestCase, make_member

EXAMPLE_TYPES = ["emergency_shelter", "food", "case_management", "crisis_intervention"]


class ImportTestCase(CaseTestCase):
    """CaseTestCase (which has the example's program and case manager) plus the example's
    grant and a program director. No tests of its own: other modules build on it."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.director = make_member("director", cls.agency_a, Role.PROGRAM_DIRECTOR)
        cls.example_grant = grants.grant_create(
            cls.agency_a,
            actor=cls.supervisor,
            data={
                "funder": cls.funder,
                "name": imports.EXAMPLE_GRANT,
                "amount": 250000,
                "starts_on": cls.today - 365 * DAY,
                "ends_on": cls.today + 365 * DAY,
                "allowable_types": list(ServiceType.objects.filter(code__in=EXAMPLE_TYPES)),
            },
        )

    def setUp(self):
        super().setUp()
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)

    def file(self, name, data):
        path = self.directory / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return str(path)

    def example_csv_files(self):
        return [self.file(f"{kind}.csv", imports.example_csv(kind)) for kind in imports.KINDS]

    def import_records(self, *paths, **options):
        out = io.StringIO()
        call_command("import_records", *paths, organization="agency-a", stdout=out, **options)
        return out.getvalue()

    def failed_import(self, *paths, **options):
        with self.assertRaises(CommandError) as raised:
            self.import_records(*paths, **options)
        return str(raised.exception)

    def counts(self):
        return (
            Survivor.objects.filter(organization=self.agency_a).count(),
            Case.objects.filter(organization=self.agency_a).count(),
            Service.objects.filter(organization=self.agency_a).count(),
        )


def workbook_bytes(sheets):
    """An XLSX file with a sheet per kind: {"services": [header, row, ...]}."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


SERVICE_HEADER = "external_id,case_external_id,service_type,delivered_on,quantity,unit"


class ImportRecordsCommandTests(ImportTestCase):
    def test_the_example_csv_files_import_and_a_second_import_creates_nothing(self):
        before = self.counts()
        out = self.import_records(*self.example_csv_files())
        self.assertIn("Survivors: 3 created, 0 already imported.", out)
        self.assertIn("Cases: 3 created, 0 already imported.", out)
        self.assertIn("Services: 7 created, 0 already imported.", out)
        self.assertEqual(self.counts(), (before[0] + 3, before[1] + 3, before[2] + 7))

        again = self.import_records(*self.example_csv_files())
        self.assertIn("Survivors: 0 created, 3 already imported.", again)
        self.assertIn("Cases: 0 created, 3 already imported.", again)
        self.assertIn("Services: 0 created, 7 already imported.", again)
        self.assertEqual(self.counts(), (before[0] + 3, before[1] + 3, before[2] + 7))

    def test_the_example_workbook_imports_the_same_records(self):
        before = self.counts()
        out = self.import_records(self.file("example.xlsx", imports.example_workbook()))
        self.assertIn("Services: 7 created", out)
        self.assertIn("Not read (not a sheet of the template): example.xlsx · read me", out)
        self.assertEqual(self.counts(), (before[0] + 3, before[1] + 3, before[2] + 7))
        again = self.import_records(self.file("example.xlsx", imports.example_workbook()))
        self.assertIn("Services: 0 created, 7 already imported.", again)
        self.assertEqual(self.counts(), (before[0] + 3, before[1] + 3, before[2] + 7))

    def test_imported_records_hold_the_values_of_the_file(self):
        self.import_records(*self.example_csv_files())
        alpha = Survivor.objects.get(organization=self.agency_a, external_id="EX-S-001")
        self.assertEqual(alpha.preferred_name, "Example Alpha")
        self.assertEqual(alpha.race_ethnicity, ["hispanic_latino"])
        self.assertEqual(alpha.country_of_birth, "MX")
        self.assertEqual(alpha.record_number, self.survivor.record_number + 1)
        self.assertEqual(Survivor.objects.with_name("example person alpha").get(), alpha)
        charlie = Survivor.objects.get(external_id="EX-S-003")
        self.assertEqual(charlie.alias_list, ["Sample C", "Test Charlie"])
        case = Case.objects.get(external_id="EX-C-001")
        self.assertEqual(
            (case.survivor, case.program, case.case_manager, case.status, case.risk_level),
            (alpha, self.program, self.case_manager, "active", "high"),
        )
        shelter = Service.objects.get(external_id="EX-SV-001")
        self.assertEqual(
            (shelter.case, shelter.survivor, shelter.grant, shelter.funding, shelter.recorded_by),
            (case, alpha, self.example_grant, "grant", self.director),
        )
        self.assertEqual(shelter.notes, "Example note: three nights at the safe house.")
        clinic = Service.objects.get(external_id="EX-SV-005")
        self.assertEqual((clinic.provided_by, clinic.funding), ("partner", "partner"))
        # The latest service our staff delivered is the case's last contact.
        self.assertEqual(case.last_contact_on, self.today - 30 * DAY)

    def test_a_closed_case_keeps_its_end_date_reason_and_a_dated_history(self):
        self.import_records(*self.example_csv_files())
        closed = Case.objects.get(external_id="EX-C-003")
        self.assertEqual(
            (closed.status, closed.ended_on, closed.closure_reason),
            ("closed", self.today - 20 * DAY, "moved_away"),
        )
        event = CaseEvent.objects.get(case=closed)
        self.assertEqual((event.to_status, event.reason), ("closed", "moved_away"))
        self.assertEqual(event.at.date(), self.today - 20 * DAY)
        opened = CaseEvent.objects.get(case__external_id="EX-C-001")
        self.assertEqual((opened.to_status, opened.at.date()), ("active", self.today - 95 * DAY))

    def test_every_record_and_the_import_itself_are_audited_without_names(self):
        self.import_records(*self.example_csv_files(), user="director")
        created = AuditEvent.objects.filter(action="create", actor=self.director)
        self.assertEqual(created.filter(object_type="survivors.survivor").count(), 3)
        self.assertEqual(created.filter(object_type="cases.case").count(), 3)
        self.assertEqual(created.filter(object_type="services.service").count(), 7)
        event = created.get(object_type="cases.import")
        self.assertEqual(event.organization, self.agency_a)
        self.assertEqual(event.detail["created"], {"survivors": 3, "cases": 3, "services": 7})
        self.assertEqual(event.detail["formats"], ["csv"])
        self.assertNotIn("Example", str(event.detail))

    def test_one_bad_row_imports_nothing_and_names_the_row_and_column(self):
        before = self.counts()
        services = imports.example_csv("services").decode().splitlines()
        services[3] = services[3].replace("case_management", "case_managment")
        paths = self.example_csv_files()[:2] + [self.file("services.csv", "\n".join(services))]
        message = self.failed_import(*paths)
        self.assertIn("Nothing was imported: 1 problem.", message)
        self.assertIn(
            "services.csv, row 4, column service_type (C): 'case_managment' is not a service "
            "type code",
            message,
        )
        self.assertEqual(self.counts(), before)
        self.assertFalse(AuditEvent.objects.filter(object_type="cases.import").exists())

    def test_a_bad_row_in_a_workbook_is_named_by_sheet_row_and_column(self):
        before = self.counts()
        workbook = openpyxl.load_workbook(io.BytesIO(imports.example_workbook()))
        workbook["cases"]["E3"] = "finished"  # the status of the second case
        out = io.BytesIO()
        workbook.save(out)
        message = self.failed_import(self.file("records.xlsx", out.getvalue()))
        self.assertIn(
            "records.xlsx · cases, row 3, column status (E): 'finished' is not one of: "
            "intake, active, on_hold, graduated, closed.",
            message,
        )
        self.assertEqual(self.counts(), before)

    def test_a_service_of_an_unknown_case_is_refused(self):
        path = self.file(
            "services.csv", f"{SERVICE_HEADER}\nSV-1,NO-SUCH-CASE,food,2026-01-05,2,items\n"
        )
        message = self.failed_import(path)
        self.assertIn(
            "services.csv, row 2, column case_external_id (B): No case has the external_id "
            "'NO-SUCH-CASE', in this import or imported before.",
            message,
        )

    def test_a_case_in_an_unknown_program_is_refused_with_the_programs_there(self):
        cases = (
            imports.example_csv("cases")
            .decode()
            .replace("Comprehensive case management", "Housing first", 1)
        )
        paths = [
            self.file("survivors.csv", imports.example_csv("survivors")),
            self.file("cases.csv", cases),
        ]
        message = self.failed_import(*paths)
        self.assertIn(
            "cases.csv, row 2, column program (C): There is no program named 'Housing first' "
            "here. Programs: Comprehensive case management.",
            message,
        )

    def test_the_example_without_its_grant_says_so_on_each_grant_funded_row(self):
        self.example_grant.services.all().delete()
        self.example_grant.delete()
        message = self.failed_import(*self.example_csv_files())
        self.assertIn("Nothing was imported: 3 problems.", message)
        self.assertIn(
            "services.csv, row 2, column grant (J): There is no grant named "
            "'OVC comprehensive services 2026' here.",
            message,
        )

    def test_services_may_refer_to_cases_imported_before(self):
        self.import_records(*self.example_csv_files()[:2])
        path = self.file(
            "more-services.csv",
            f"{SERVICE_HEADER}\nSV-9,EX-C-002,case_management,{self.today - DAY},1,hours\n",
        )
        out = self.import_records(path)
        self.assertIn("Services: 1 created, 0 already imported.", out)
        service = Service.objects.get(external_id="SV-9")
        self.assertEqual(service.case.external_id, "EX-C-002")
        self.assertEqual(service.survivor.external_id, "EX-S-002")
        self.assertEqual(service.case.last_contact_on, self.today - DAY)

    def test_the_models_rules_apply_to_services_of_new_and_earlier_cases(self):
        self.import_records(*self.example_csv_files())
        rows = [
            SERVICE_HEADER + ",funding,grant",
            # Before the earlier case opened (95 days ago).
            f"A,EX-C-001,food,{self.today - 200 * DAY},2,items,,",
            # After the closed case ended (20 days ago).
            f"B,EX-C-003,food,{self.today - 5 * DAY},2,items,,",
            # A unit the type is not counted in.
            f"C,EX-C-001,crisis_intervention,{self.today - 5 * DAY},2,nights,,",
            # A grant that does not pay for this type.
            f"D,EX-C-001,dental,{self.today - 5 * DAY},1,hours,grant,{imports.EXAMPLE_GRANT}",
            # Delivered in the future.
            f"E,EX-C-001,food,{self.today + 5 * DAY},2,items,,",
            # Grant named, but funding says otherwise.
            f"F,EX-C-001,food,{self.today - 5 * DAY},2,items,general,{imports.EXAMPLE_GRANT}",
        ]
        message = self.failed_import(self.file("services.csv", "\n".join(rows)))
        self.assertIn("row 2, column delivered_on (D): The case opened on", message)
        self.assertIn("row 3, column delivered_on (D): The case ended on", message)
        self.assertIn("row 4, column unit (F): Crisis intervention is counted in hours.", message)
        self.assertIn(
            "row 5, column grant (H): OVC comprehensive services 2026 does not pay", message
        )
        self.assertIn(
            "row 6, column delivered_on (D): A delivered service cannot be dated", message
        )
        self.assertIn("row 7, column funding (G): Choose 'A grant'", message)

    def test_new_cases_bound_the_dates_of_their_services_in_the_same_import(self):
        services = (
            imports.example_csv("services")
            .decode()
            .replace(str(self.today - 100 * DAY), str(self.today - 300 * DAY))
        )
        paths = self.example_csv_files()[:2] + [self.file("services.csv", services)]
        message = self.failed_import(*paths)
        self.assertIn(
            f"services.csv, row 8, column delivered_on (E): The case opened on "
            f"{self.today - 190 * DAY}: a service cannot come before it.",
            message,
        )

    def test_case_rules_status_end_date_and_closure_reason(self):
        header = "external_id,survivor_external_id,program,status,opened_on,ended_on,closure_reason"
        program = self.program.name
        rows = [
            header,
            f"C1,EX-S-001,{program},graduated,2026-01-02,,",
            f"C2,EX-S-001,{program},active,2026-01-02,2026-02-02,",
            f"C3,EX-S-001,{program},closed,2026-01-02,2026-02-02,",
            f"C4,EX-S-001,{program},reopened,2026-01-02,,",
            f"C5,EX-S-001,{program},closed,2026-03-02,2026-02-02,declined_services",
            f"C6,NOBODY,{program},intake,2026-01-02,,",
            f"C7,EX-S-001,{program},graduated,last spring,2026-02-02,",
            f"C8,EX-S-001,{program},intake,,,",
        ]
        paths = [
            self.file("survivors.csv", imports.example_csv("survivors")),
            self.file("cases.csv", "\n".join(rows)),
        ]
        message = self.failed_import(*paths)
        self.assertIn(
            "row 2, column ended_on (F): Give the day the case graduated or closed.", message
        )
        self.assertIn("row 3, column ended_on (F): Only a graduated or closed case has an", message)
        self.assertIn("row 4, column closure_reason (G): Say why the case is closed.", message)
        self.assertIn("row 5, column status (D): 'reopened' is not one of", message)
        self.assertIn("row 6, column ended_on (F): The case cannot close or graduate", message)
        self.assertIn("row 7, column survivor_external_id (B): No survivor has", message)
        self.assertIn("row 8, column opened_on (E): Write the date as YYYY-MM-DD", message)
        self.assertNotIn("row 8, column ended_on", message)
        self.assertIn("row 9, column opened_on (E): This column is required.", message)

    def test_a_case_manager_must_work_in_a_case_role_here(self):
        rows = [
            "external_id,survivor_external_id,program,case_manager,opened_on",
            f"C1,EX-S-001,{self.program.name},advocate,2026-01-02",
            f"C2,EX-S-001,{self.program.name},outsider,2026-01-02",
            f"C3,EX-S-001,{self.program.name},SUPERVISOR,2026-01-02",
        ]
        paths = [
            self.file("survivors.csv", imports.example_csv("survivors")),
            self.file("cases.csv", "\n".join(rows)),
        ]
        message = self.failed_import(*paths)
        self.assertIn("Nothing was imported: 2 problems.", message)
        self.assertIn("row 2, column case_manager (D): No case manager", message)
        self.assertIn("row 3, column case_manager (D): No case manager", message)

    def test_survivor_rules_and_required_columns(self):
        rows = [
            "external_id,preferred_name,date_of_birth,phone,gender_identity,race_ethnicity",
            "S1,Example One,1990-02-31,,,",
            "S2,,,,,",
            "S3,Example Three,,12,,",
            "S4,Example Four,,,robot,",
            "S5,Example Five,,,,asian;unknown",
            "S1,Example Again,,,,",
            ",Example Six,,,,",
        ]
        rows = [row + ",,," for row in rows]
        rows[0] = rows[0][:-3] + ",age_at_intake,intake_date,age_first_trafficked"
        rows.append("S9,Example Nine,,,,,30,someday,16")
        message = self.failed_import(self.file("people.csv", "\n".join(rows)))
        self.assertIn("row 2, column date_of_birth (C): Write the date as YYYY-MM-DD", message)
        self.assertIn("row 3, column preferred_name (B): This column is required.", message)
        self.assertIn("row 4, column phone (D): Enter a phone number", message)
        self.assertIn("row 5, column gender_identity (E): 'robot' is not one of", message)
        self.assertIn("row 6, column race_ethnicity (F): 'Unknown' and 'declined", message)
        self.assertIn(
            "row 7, column external_id (A): 'S1' is also the external_id of people.csv row 2.",
            message,
        )
        self.assertIn("row 8, column external_id (A): Each row needs an external_id.", message)
        self.assertIn("row 9, column intake_date (H): Write the date as YYYY-MM-DD", message)
        self.assertNotIn("Example", message)  # names are never repeated back

    def test_choices_take_the_code_or_the_label_in_any_case(self):
        rows = [
            "External ID,Preferred Name,gender_identity,primary_language,race_ethnicity,may_call",
            "S1,Example One,Woman or girl,SPANISH,Asian; white,Yes",
        ]
        self.import_records(self.file("people.csv", "\n".join(rows)))
        survivor = Survivor.objects.get(external_id="S1")
        self.assertEqual(
            (survivor.gender_identity, survivor.primary_language, survivor.race_ethnicity),
            ("woman", "es", ["asian", "white"]),
        )
        self.assertEqual(survivor.may_call, "yes")

    def test_a_header_with_an_unknown_or_missing_column_is_refused(self):
        path = self.file("services.csv", "external_id,case_external_id,colour\nS,C,red\n")
        message = self.failed_import(path)
        self.assertIn("services.csv, row 1, column colour (C): Unknown column", message)
        self.assertIn("services.csv, row 1, column service_type: This required column", message)

    def test_a_csv_whose_kind_cannot_be_told_needs_kind(self):
        path = self.file("mystery.csv", "external_id,notes\nX,hello\n")
        self.assertIn("Cannot tell which records", self.failed_import(path))
        message = self.failed_import(path, kind="services")
        self.assertIn("column case_external_id: This required column is missing.", message)

    def test_semicolon_separated_windows_csv_from_a_spanish_excel_is_read(self):
        rows = "external_id;preferred_name;legal_name\r\nS1;Example Muñoz;Example Peña\r\n"
        self.import_records(self.file("personas.csv", rows.encode("cp1252")))
        self.assertEqual(Survivor.objects.get(external_id="S1").legal_name, "Example Peña")

    def test_workbook_cells_may_be_dates_and_numbers(self):
        import datetime

        rows = [
            ["external_id", "preferred_name", "intake_date", "age_at_intake", "phone"],
            [1001, "Example Cell", datetime.datetime(2026, 1, 5), 30.0, 5550100123],
        ]
        self.import_records(self.file("people.xlsx", workbook_bytes({"Survivors": rows})))
        survivor = Survivor.objects.get(external_id="1001")
        self.assertEqual(
            (survivor.intake_date.isoformat(), survivor.age_at_intake, survivor.phone),
            ("2026-01-05", 30, "5550100123"),
        )

    def test_a_file_that_is_not_a_spreadsheet_is_refused(self):
        message = self.failed_import(self.file("notes.xlsx", b"PK\x03\x04 not really a zip"))
        self.assertIn("notes.xlsx: This file is not a readable XLSX workbook.", message)
        message = self.failed_import(self.file("notes.pdf", b"%PDF-1.7"))
        self.assertIn("notes.pdf: Give a .csv or .xlsx file", message)

    def test_check_only_imports_nothing(self):
        before = self.counts()
        out = self.import_records(*self.example_csv_files(), check=True)
        self.assertIn("Services: 7 to import, 0 already imported.", out)
        self.assertEqual(self.counts(), before)

    def test_the_organization_and_user_must_exist(self):
        with self.assertRaisesMessage(CommandError, "No organization has the short name"):
            call_command("import_records", "x.csv", organization="nowhere")
        message = self.failed_import("x.csv", user="analyst")
        self.assertIn("'analyst' is not a case manager, supervisor or program director", message)
        self.assertIn("x.csv", self.failed_import(str(self.directory / "x.csv")))

    def test_checking_costs_the_same_queries_for_ten_rows_as_for_two_hundred(self):
        self.import_records(*self.example_csv_files())

        def queries(count):
            rows = [SERVICE_HEADER + ",grant"] + [
                f"N{count}-{i},EX-C-00{1 + i % 2},emergency_shelter,{self.today - 10 * DAY},"
                f"1,nights,{imports.EXAMPLE_GRANT}"
                for i in range(count)
            ]
            sheets, _errors, _ignored = imports.read_files([("s.csv", "\n".join(rows).encode())])
            with CaptureQueriesContext(connection) as captured:
                result = imports.records_import(
                    self.agency_a, sheets, actor=self.director, commit=False
                )
            self.assertEqual(result.errors, [])
            return len(captured)

        self.assertEqual(queries(10), queries(200))
        self.assertLessEqual(queries(10), 8)


class ImportRaceTests(ImportTestCase):
    def test_records_imported_by_someone_else_meanwhile_roll_the_whole_import_back(self):
        self.import_records(*self.example_csv_files())
        before = self.counts()
        people = self.file("people.csv", "external_id,preferred_name\nS-NEW,Example New\n")
        services = self.example_csv_files()[2]
        checked = imports._Import.existing_ids

        def as_if_not_yet_imported(run, kind):
            # What a check finds when another import writes the same services just after it.
            return set() if kind == "services" else checked(run, kind)

        with mock.patch.object(imports._Import, "existing_ids", as_if_not_yet_imported):
            message = self.failed_import(people, services)
        self.assertIn("imported by someone else at the same time. Nothing was imported", message)
        self.assertEqual(self.counts(), before)
        self.assertFalse(Survivor.objects.filter(external_id="S-NEW").exists())
