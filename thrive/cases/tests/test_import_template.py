"""The import template: its columns follow the models, docs/import.md follows the columns, and
cells are read the way people type them."""

import datetime
from decimal import Decimal

from django.test import SimpleTestCase

from thrive.cases import imports
from thrive.cases.models import Case
from thrive.services.taxonomy import read_taxonomy
from thrive.survivors.actions import EDITABLE_FIELDS

COLUMN = {kind: imports.COLUMNS_BY_NAME[kind] for kind in imports.KINDS}


def documented_tables():
    text = imports.REFERENCE_DOC.read_text(encoding="utf-8")
    return text.split(imports.REFERENCE_START, 1)[1].split(imports.REFERENCE_END, 1)[0]


class TemplateDocumentTests(SimpleTestCase):
    def test_the_document_holds_exactly_the_column_tables_the_code_generates(self):
        self.assertEqual(
            documented_tables().strip(),
            imports.reference_markdown().strip(),
            "docs/import.md is out of date: run .venv/bin/python manage.py shell -c "
            '"from thrive.cases import imports; imports.write_reference_doc()"',
        )

    def test_the_document_lists_every_allowed_code_and_service_type(self):
        tables = documented_tables()
        for kind in imports.KINDS:
            for column in imports.COLUMNS[kind]:
                for code, _label in column.choices:
                    with self.subTest(kind=kind, column=column.name, code=code):
                        self.assertIn(f"`{code}`", tables)
        for category in read_taxonomy()["categories"]:
            for service_type in category["types"]:
                self.assertIn(f"`{service_type['code']}`", tables)

    def test_the_survivor_columns_are_every_field_of_the_record_form(self):
        self.assertEqual(set(imports.SURVIVOR_FIELDS), set(EDITABLE_FIELDS))

    def test_every_column_fills_a_field_of_its_model_or_names_a_record(self):
        for kind, columns in imports.COLUMNS.items():
            for column in columns:
                with self.subTest(kind=kind, column=column.name):
                    if column.field:
                        imports.MODELS[kind]._meta.get_field(column.field)
                    else:
                        self.assertEqual(column.kind, "ref")

    def test_choice_columns_take_the_models_own_choices(self):
        for kind, columns in imports.COLUMNS.items():
            for column in columns:
                if column.kind != "choice":
                    continue
                model_choices = imports.MODELS[kind]._meta.get_field(column.field).choices
                codes = {code for code, _label in column.choices}
                with self.subTest(kind=kind, column=column.name):
                    if (kind, column.name) == ("cases", "status"):
                        # An imported case is not 'reopened': it has no earlier closure here.
                        self.assertEqual(codes, set(Case.Status.values) - {"reopened"})
                    else:
                        self.assertEqual(codes, {code for code, _label in model_choices})

    def test_the_example_files_use_template_columns_only(self):
        for kind in imports.KINDS:
            header = imports.example_csv(kind).decode().splitlines()[0].split(",")
            with self.subTest(kind=kind):
                self.assertTrue(set(header) <= set(COLUMN[kind]))
                self.assertEqual(imports.kind_of_header(header), kind)
                required = {c.name for c in imports.COLUMNS[kind] if c.required}
                self.assertTrue(required <= set(header))


class CellReadingTests(SimpleTestCase):
    def parse(self, kind, column, value):
        return COLUMN[kind][column].parse(value)

    def refused(self, kind, column, value):
        with self.assertRaises(ValueError) as raised:
            self.parse(kind, column, value)
        return str(raised.exception)

    def test_dates_are_iso_or_spreadsheet_date_cells(self):
        self.assertEqual(self.parse("cases", "opened_on", "2026-03-31"), datetime.date(2026, 3, 31))
        self.assertEqual(
            self.parse("cases", "opened_on", datetime.datetime(2026, 3, 31)),
            datetime.date(2026, 3, 31),
        )
        self.assertEqual(
            self.parse("cases", "opened_on", "2026-03-31 00:00:00"), datetime.date(2026, 3, 31)
        )
        for typed in ("03/31/2026", "2026-02-30", "yesterday", 45000):
            self.assertIn("YYYY-MM-DD", self.refused("cases", "opened_on", typed))

    def test_numbers_take_a_decimal_point_a_dollar_sign_and_thousands_commas(self):
        for typed, read in [
            ("12.50", Decimal("12.50")),
            ("$1,250.00", Decimal("1250.00")),
            (".5", Decimal("0.5")),
            (3.0, Decimal("3.0")),
            (2, Decimal(2)),
            ("-2", Decimal(-2)),  # read, and then refused by the model's minimum
        ]:
            self.assertEqual(self.parse("services", "quantity", typed), read)
        for typed in ("12,5", "two", "1.2.3", "$"):
            self.assertIn("Write a number", self.refused("services", "quantity", typed))
        self.assertEqual(self.parse("survivors", "age_at_intake", 31.0), 31)
        self.assertIn("whole number", self.refused("survivors", "age_at_intake", "31.5"))

    def test_choices_take_the_code_or_the_english_or_spanish_label(self):
        for typed in ("on_hold", "ON_HOLD", "On hold", "en pausa"):
            self.assertEqual(self.parse("cases", "status", typed), "on_hold")
        message = self.refused("cases", "status", "paused")
        self.assertEqual(
            message, "'paused' is not one of: intake, active, on_hold, graduated, closed."
        )
        long_list = self.refused("survivors", "primary_language", "Klingon")
        self.assertIn("the template lists", long_list)

    def test_several_codes_are_separated_by_semicolons(self):
        self.assertEqual(
            self.parse("survivors", "race_ethnicity", "Black; white;black"), ["black", "white"]
        )
        self.assertIn("'martian'", self.refused("survivors", "race_ethnicity", "asian;martian"))
        self.assertEqual(self.parse("survivors", "aliases", "Jo; Mary C\nJJ"), "Jo\nMary C\nJJ")

    def test_countries_take_the_code_or_the_english_name(self):
        self.assertEqual(self.parse("survivors", "country_of_birth", "mx"), "MX")
        self.assertEqual(self.parse("survivors", "country_of_birth", "Guatemala"), "GT")
        self.assertEqual(self.parse("survivors", "country_of_birth", "Declined"), "declined")
        self.assertIn("ISO 3166", self.refused("survivors", "country_of_birth", "Atlantis"))

    def test_numbers_in_text_columns_read_as_typed(self):
        self.assertEqual(self.parse("services", "external_id", 1001.0), "1001")
        self.assertEqual(self.parse("survivors", "phone", 5550100123), "5550100123")
