"""Bringing in existing records: survivors, cases and services from CSV or XLSX files.

Programs arrive with spreadsheets. The template (docs/import.md) has one sheet, or one CSV file,
per kind of record, and every row carries the record's id in the system it comes from
(`external_id`): importing the same file twice creates nothing twice, and a record already
here is never changed by an import.

All or nothing: every row of every file is checked before anything is written, and one bad
row means nothing is imported; each problem is reported by file, row (as the spreadsheet
numbers it), column and reason. A clean import is written in one transaction through the bulk
actions, which audit every record, plus one event for the import itself.

Checking costs a constant number of queries whatever the number of rows: programs, staff,
service types, grants and the records already imported are read once into dictionaries, and
each new record is checked with those objects attached, so the models' own rules (the ones
the pages apply, in clean()) run without touching the database.
"""

import csv
import datetime
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import openpyxl
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from thrive.accounts.models import Membership
from thrive.audit.actions import audit_record
from thrive.audit.models import AuditEvent
from thrive.cases.actions import cases_bulk_open
from thrive.cases.models import CASE_ROLES, Case, CaseEvent, Program
from thrive.grants.models import Grant
from thrive.lib.choices import DECLINED, UNKNOWN
from thrive.services.actions import services_bulk_record
from thrive.services.models import Service, ServiceType, Unit
from thrive.services.taxonomy import read_taxonomy
from thrive.survivors.actions import survivors_bulk_create
from thrive.survivors.models import RaceEthnicity, Survivor

KINDS = ("survivors", "cases", "services")
KIND_LABELS = {
    "survivors": gettext_lazy("Survivors"),
    "cases": gettext_lazy("Cases"),
    "services": gettext_lazy("Services"),
}
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# An XLSX file is a zip archive: refuse one that would unpack to more than this.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024


class ImportFileError(Exception):
    """The file cannot be read at all (not CSV or XLSX, or damaged)."""


# -- the template ------------------------------------------------------------------------------


class Column:
    """One column of the template: its header, how its cells are read, the field it fills."""

    def __init__(
        self,
        name,
        kind="text",
        *,
        field=None,
        required=False,
        choices=None,
        description="",
    ):
        self.name = name
        self.kind = kind  # text, lines, date, int, decimal, choice, codes, country, ref
        self.field = field  # the model attribute it sets; None for references resolved later
        self.required = required
        self.choices = list(choices or [])
        self.description = description
        self._lookup = None

    def __repr__(self):
        return f"<Column {self.name}>"

    def lookup(self):
        """Code by casefolded code, English label or Spanish label (codes win)."""
        if self._lookup is None:
            table = {str(code).casefold(): code for code, _label in self.choices}
            for language in ("en", "es"):
                with translation.override(language):
                    for code, label in self.choices:
                        table.setdefault(str(label).casefold(), code)
            self._lookup = table
        return self._lookup

    def allowed_values(self):
        """(code, label) pairs to list for this column, or [] when it takes free values."""
        return [(code, str(label)) for code, label in self.choices]

    def parse(self, value):
        """The cell's value for the model, or ValueError with the reason."""
        return PARSERS[self.kind](self, value)


def _text(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_WHOLE = re.compile(r"^\d{1,9}$")
_AMOUNT = re.compile(r"^(-?)\$?\s*(\d{1,3}(?:,\d{3})+|\d*)(\.\d+)?$")


def _parse_text(column, value):
    return _text(value)


def _parse_lines(column, value):
    parts = re.split(r"[;\n]", _text(value))
    return "\n".join(part.strip() for part in parts if part.strip())


def _parse_date(column, value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    match = _ISO_DATE.match(_text(value))
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise ValueError(_("Write the date as YYYY-MM-DD, for example 2026-03-31."))


def _parse_int(column, value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value)
    if _WHOLE.match(text):
        return int(text)
    raise ValueError(_("Write a whole number, for example 12."))


def _parse_decimal(column, value):
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    match = _AMOUNT.match(_text(value))
    if match and (match.group(2) or match.group(3)):
        sign, whole, fraction = match.groups()
        return Decimal(sign + (whole.replace(",", "") or "0") + (fraction or ""))
    raise ValueError(_("Write a number, for example 2 or 12.50."))


def _unknown_choice(column, text):
    codes = [str(code) for code, _label in column.choices]
    if len(codes) <= 12:
        return _("'%(value)s' is not one of: %(codes)s.") % {
            "value": text[:40],
            "codes": ", ".join(codes),
        }
    return _("'%(value)s' is not one of the values the template lists for this column.") % {
        "value": text[:40]
    }


def _parse_choice(column, value):
    text = _text(value)
    code = column.lookup().get(text.casefold())
    if code is None:
        raise ValueError(_unknown_choice(column, text))
    return code


def _parse_codes(column, value):
    codes = []
    for part in re.split(r"[;,]", _text(value)):
        if part.strip():
            code = column.lookup().get(part.strip().casefold())
            if code is None:
                raise ValueError(_unknown_choice(column, part.strip()))
            if code not in codes:
                codes.append(code)
    return codes


def _parse_country(column, value):
    text = _text(value)
    if text.casefold() in (UNKNOWN, DECLINED):
        return text.casefold()
    if text.upper() in countries.countries:
        return text.upper()
    code = countries.by_name(text, language="en") if len(text) > 2 else ""
    if code:
        return code
    raise ValueError(
        _("Write a two-letter ISO 3166 country code (for example MX), 'unknown' or 'declined'.")
    )


PARSERS = {
    "text": _parse_text,
    "ref": _parse_text,
    "lines": _parse_lines,
    "date": _parse_date,
    "int": _parse_int,
    "decimal": _parse_decimal,
    "choice": _parse_choice,
    "codes": _parse_codes,
    "country": _parse_country,
}


def _external_id(what):
    return Column(
        "external_id",
        field="external_id",
        required=True,
        description=format_lazy(
            "{} {}",
            what,
            gettext_lazy(
                "At most 100 characters. A row whose id was imported before is skipped, "
                "never imported twice nor changed."
            ),
        ),
    )


def _model_column(model, name, *, required=False, description=None):
    """A column filling the model field of the same name, read the way the field needs."""
    model_field = model._meta.get_field(name)
    choices = model_field.choices
    if name == "race_ethnicity":
        kind, choices = "codes", RaceEthnicity.choices
    elif name == "aliases":
        kind = "lines"
    elif name == "country_of_birth":
        kind = "country"
    elif choices:
        kind = "choice"
    elif isinstance(model_field, models.DateField):
        kind = "date"
    elif isinstance(model_field, models.IntegerField):
        kind = "int"
    elif isinstance(model_field, models.DecimalField):
        kind = "decimal"
    else:
        kind = "text"
    if description is None:
        description = capfirst(model_field.verbose_name)
        if model_field.help_text:
            description = format_lazy("{}. {}", description, model_field.help_text)
    return Column(
        name, kind, field=name, required=required, choices=choices, description=description
    )


# Every field a person's record form has: a program moving to Thrive brings all it kept.
# (A test checks this stays in step with survivors.actions.EDITABLE_FIELDS.)
SURVIVOR_FIELDS = (
    "preferred_name",
    "legal_name",
    "aliases",
    "date_of_birth",
    "age_at_intake",
    "age_at_intake_missing",
    "intake_date",
    "phone",
    "email",
    "address",
    "may_call",
    "may_text",
    "may_leave_voicemail",
    "may_email",
    "safe_times",
    "code_word",
    "safety_notes",
    "gender_identity",
    "sexual_orientation",
    "race_ethnicity",
    "primary_language",
    "interpreter_needed",
    "country_of_birth",
    "citizenship",
    "age_first_trafficked",
    "age_first_trafficked_missing",
    "referral_source",
    "prior_services",
    "education_level",
    "income_at_intake",
    "housing_at_intake",
    "prior_arrests",
    "prior_arrests_missing",
    "foster_care_history",
    "homelessness_history",
)
SURVIVOR_DESCRIPTIONS = {
    "aliases": gettext_lazy("Other names used, separated by semicolons."),
    "race_ethnicity": gettext_lazy(
        "Race and ethnicity: one or more codes separated by semicolons."
    ),
    "country_of_birth": gettext_lazy(
        "Country of birth: a two-letter ISO 3166 code (for example MX) or the English name, "
        "'unknown' or 'declined'."
    ),
    "intake_date": gettext_lazy("Intake date. Blank: the day of the import."),
}
CASE_STATUSES = [
    (status.value, status.label)
    for status in (
        Case.Status.INTAKE,
        Case.Status.ACTIVE,
        Case.Status.ON_HOLD,
        Case.Status.GRADUATED,
        Case.Status.CLOSED,
    )
]

COLUMNS = {
    "survivors": [
        _external_id(gettext_lazy("The survivor's id in the system the records come from.")),
        *(
            _model_column(
                Survivor,
                name,
                required=name == "preferred_name",
                description=SURVIVOR_DESCRIPTIONS.get(name),
            )
            for name in SURVIVOR_FIELDS
        ),
    ],
    "cases": [
        _external_id(gettext_lazy("The case's id in the system the records come from.")),
        Column(
            "survivor_external_id",
            "ref",
            required=True,
            description=gettext_lazy(
                "The external_id of the survivor: a row of the survivors sheet of this import, "
                "or a survivor imported before."
            ),
        ),
        Column(
            "program",
            "ref",
            required=True,
            description=gettext_lazy("The program's name, as in Thrive (capitals aside)."),
        ),
        Column(
            "case_manager",
            "ref",
            description=gettext_lazy(
                "The username of a case manager, supervisor or program director of the "
                "organization. Blank: no case manager yet."
            ),
        ),
        Column(
            "status",
            "choice",
            field="status",
            choices=CASE_STATUSES,
            description=gettext_lazy("Status. Blank: intake."),
        ),
        Column(
            "risk_level",
            "choice",
            field="risk_level",
            choices=Case.Risk.choices,
            description=gettext_lazy("Risk level. Blank: medium."),
        ),
        Column(
            "trafficking_type",
            "choice",
            field="trafficking_type",
            choices=Case.TraffickingType.choices,
            description=gettext_lazy("Trafficking type. Blank: unknown."),
        ),
        Column(
            "opened_on",
            "date",
            field="opened_on",
            required=True,
            description=gettext_lazy("The day the case opened; not in the future."),
        ),
        Column(
            "ended_on",
            "date",
            field="ended_on",
            description=gettext_lazy(
                "The day the case graduated or closed: required for those statuses, "
                "left blank for the others."
            ),
        ),
        Column(
            "closure_reason",
            "choice",
            field="closure_reason",
            choices=Case.ClosureReason.choices,
            description=gettext_lazy("Why the case closed: required when closed, blank otherwise."),
        ),
    ],
    "services": [
        _external_id(gettext_lazy("The service's id in the system the records come from.")),
        Column(
            "case_external_id",
            "ref",
            required=True,
            description=gettext_lazy(
                "The external_id of the case: a row of the cases sheet of this import, "
                "or a case imported before."
            ),
        ),
        Column(
            "service_type",
            "ref",
            required=True,
            description=gettext_lazy(
                "The service's code in the taxonomy (the list of service types below), or its name."
            ),
        ),
        Column(
            "status",
            "choice",
            field="status",
            choices=Service.Status.choices,
            description=gettext_lazy("Status. Blank: delivered."),
        ),
        Column(
            "delivered_on",
            "date",
            field="delivered_on",
            required=True,
            description=gettext_lazy(
                "The day of the service: within the case's dates, and not in the future "
                "for a delivered service."
            ),
        ),
        Column(
            "quantity",
            "decimal",
            field="quantity",
            required=True,
            description=gettext_lazy("How many units, more than 0, at most 2 decimals."),
        ),
        Column(
            "unit",
            "choice",
            field="unit",
            required=True,
            choices=Unit.choices,
            description=gettext_lazy(
                "What the quantity counts: one of the units the service type allows (listed below)."
            ),
        ),
        Column(
            "cost",
            "decimal",
            field="cost",
            description=gettext_lazy(
                "Cost in US dollars, at most 2 decimals. Blank: unknown (the quantity, "
                "when the unit is dollars)."
            ),
        ),
        Column(
            "funding",
            "choice",
            field="funding",
            choices=Service.Funding.choices,
            description=gettext_lazy(
                "What paid for it. Blank: a grant when the grant column names one, general "
                "funds otherwise."
            ),
        ),
        Column(
            "grant",
            "ref",
            description=gettext_lazy(
                "The grant's name, as in Thrive (capitals aside): the grant must allow the "
                "service type and its period must include the date."
            ),
        ),
        Column(
            "provided_by",
            "choice",
            field="provided_by",
            choices=Service.Provider.choices,
            description=gettext_lazy(
                "Who provided it. Blank: a partner when partner_name is given, our staff otherwise."
            ),
        ),
        Column(
            "partner_name",
            field="partner_name",
            description=gettext_lazy("The partner organization that provided it, if a partner."),
        ),
        Column("notes", field="notes", description=gettext_lazy("Notes (stored encrypted).")),
    ],
}
COLUMNS_BY_NAME = {kind: {c.name: c for c in columns} for kind, columns in COLUMNS.items()}
MODELS = {"survivors": Survivor, "cases": Case, "services": Service}
# Fields no column fills are left out of clean_fields(): foreign keys (whose check is a query
# per row; the importer resolves them from dictionaries) and values the import sets itself.
UNCHECKED_FIELDS = {
    kind: [
        f.name
        for f in MODELS[kind]._meta.concrete_fields
        if f.name not in {c.field for c in COLUMNS[kind]}
    ]
    for kind in KINDS
}
# The column to blame for a model error on a field no column fills.
FIELD_COLUMNS = {
    "survivors": {},
    "cases": {"survivor": "survivor_external_id"},
    "services": {"case": "case_external_id", "survivor": "case_external_id"},
}


def _header_key(text):
    return re.sub(r"[\s\-]+", "_", _text(text).casefold())


def kind_of_header(header):
    """Which kind of records a CSV header is for, or None."""
    names = {_header_key(cell) for cell in header if cell not in (None, "")}
    if "case_external_id" in names:
        return "services"
    if "survivor_external_id" in names:
        return "cases"
    if "preferred_name" in names:
        return "survivors"
    return None


def service_type_rows():
    """The taxonomy's types for the template's list: code, name, units."""
    return [
        (t.code, t.label, [str(Unit(u).label) for u in t.units])
        for t in ServiceType.objects.filter(is_active=True).select_related("category")
    ]


def column_reference():
    """The template, kind by kind, for the upload page: each column with what it takes."""
    return [{"kind": kind, "label": KIND_LABELS[kind], "columns": COLUMNS[kind]} for kind in KINDS]


def reference_markdown():
    """The column tables of docs/import.md, in English, generated from COLUMNS and the
    taxonomy file (a test checks the document holds exactly this)."""
    service_types = [
        (t["code"], t["name"], [str(Unit(unit).label) for unit in t["units"]])
        for category in read_taxonomy()["categories"]
        for t in category["types"]
    ]

    def cell(text):
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = []
    with translation.override("en"):
        for kind in KINDS:
            lines += [
                f"### `{kind}`",
                "",
                "| column | required | what it holds | allowed values |",
                "|---|---|---|---|",
            ]
            for column in COLUMNS[kind]:
                allowed = ", ".join(
                    f"`{code}` ({cell(label)})" for code, label in column.allowed_values()
                )
                if not allowed:
                    allowed = {
                        "date": "YYYY-MM-DD",
                        "int": "a whole number",
                        "decimal": "a number",
                        "country": "ISO 3166 code, `unknown`, `declined`",
                    }.get(column.kind, "text")
                required = "**yes**" if column.required else ""
                lines.append(
                    f"| `{column.name}` | {required} | {cell(column.description)} | {allowed} |"
                )
            lines.append("")
        lines += [
            "### Service types",
            "",
            "| `service_type` code | name | units allowed |",
            "|---|---|---|",
        ]
        for code, name, units in service_types:
            lines.append(f"| `{code}` | {cell(name)} | {', '.join(units)} |")
    return "\n".join(lines) + "\n"


REFERENCE_DOC = Path(settings.BASE_DIR) / "docs" / "import.md"
REFERENCE_START, REFERENCE_END = "<!-- import:columns:start -->", "<!-- import:columns:end -->"


def write_reference_doc(path=REFERENCE_DOC):
    """Regenerate the column tables of docs/import.md, between its markers (see the test
    that compares them: thrive/cases/tests/test_import_template.py)."""
    text = Path(path).read_text(encoding="utf-8")
    head, rest = text.split(REFERENCE_START, 1)
    _old, tail = rest.split(REFERENCE_END, 1)
    block = f"{REFERENCE_START}\n{reference_markdown()}{REFERENCE_END}"
    Path(path).write_text(head + block + tail, encoding="utf-8")


# -- reading files -----------------------------------------------------------------------------


@dataclass
class Sheet:
    """The rows of one CSV file or one sheet of a workbook: (row number, cells)."""

    kind: str
    source: str
    rows: list
    file_format: str = "csv"


def _decode(data):
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV" on Windows is in the Windows code page, not UTF-8.
        return data.decode("cp1252", errors="replace")


def read_csv(name, data, *, kind=None):
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    # Excel writes ';' between cells where the decimal mark is a comma (Spanish, say).
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        rows = [
            (number, cells)
            for number, cells in enumerate(
                csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
            )
        ]
    except csv.Error as error:
        message = _("This CSV file cannot be read: %(error)s") % {"error": error}
        raise ImportFileError(message) from None
    header = next((cells for _n, cells in rows if any(c.strip() for c in cells)), [])
    kind = kind or kind_of_header(header)
    if kind is None:
        raise ImportFileError(
            _(
                "Cannot tell which records this CSV file holds: its header has none of "
                "preferred_name (survivors), survivor_external_id (cases) or "
                "case_external_id (services)."
            )
        )
    return [Sheet(kind, name, rows, "csv")]


def read_xlsx(name, data):
    """The sheets named survivors, cases and services, and the names of the others."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise ImportFileError(_("This workbook is too large once unpacked."))
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise ImportFileError(_("This file is not a readable XLSX workbook.")) from error
    sheets, ignored = [], []
    try:
        for worksheet in workbook.worksheets:
            kind = worksheet.title.strip().casefold()
            if kind not in KINDS:
                ignored.append(worksheet.title)
                continue
            rows = list(enumerate(worksheet.iter_rows(values_only=True), start=1))
            sheets.append(Sheet(kind, f"{name} · {worksheet.title}", rows, "xlsx"))
    finally:
        workbook.close()
    if not sheets:
        raise ImportFileError(_("This workbook has no sheet named survivors, cases or services."))
    return sheets, ignored


def read_files(files, *, kind=None):
    """Read (name, bytes) pairs: (sheets, file errors, names of sheets not read)."""
    sheets, errors, ignored = [], [], []
    for name, data in files:
        lower = name.lower()
        try:
            if lower.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
                read, skipped = read_xlsx(name, data)
                sheets += read
                ignored += [f"{name} · {title}" for title in skipped]
            elif lower.endswith((".csv", ".txt")):
                sheets += read_csv(name, data, kind=kind)
            else:
                raise ImportFileError(_("Give a .csv or .xlsx file (save an .xls file as .xlsx)."))
        except ImportFileError as error:
            errors.append(RowError(name, None, "", str(error)))
    return sheets, errors, ignored


# -- checking and importing --------------------------------------------------------------------


@dataclass
class RowError:
    source: str
    row: int | None
    column: str
    message: str
    letter: str = ""

    def __str__(self):
        where = [self.source]
        if self.row:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            column = f"{self.column} ({self.letter})" if self.letter else self.column
            where.append(_("column %(column)s") % {"column": column})
        return f"{', '.join(where)}: {self.message}"


@dataclass
class ImportResult:
    errors: list = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    rows: Counter = field(default_factory=Counter)
    ignored_sheets: list = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self):
        return not self.errors

    def counts(self):
        """For each kind read: its rows, how many are new (or were created), and skipped."""
        return [
            {
                "kind": kind,
                "label": KIND_LABELS[kind],
                "rows": self.rows[kind],
                "new": self.rows[kind] - self.skipped[kind],
                "created": self.created[kind],
                "skipped": self.skipped[kind],
            }
            for kind in KINDS
            if self.rows[kind]
        ]

    def summary_lines(self):
        if not self.rows.total():
            return [_("The files hold no rows.")]
        if self.committed:
            line = _("%(label)s: %(created)s created, %(skipped)s already imported.")
        else:
            line = _("%(label)s: %(new)s to import, %(skipped)s already imported.")
        return [line % counts for counts in self.counts()]


class _Row:
    __slots__ = ("sheet", "number", "values", "letters")

    def __init__(self, sheet, number, values, letters):
        self.sheet, self.number, self.values, self.letters = sheet, number, values, letters


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _named(mapping, folded, name):
    """Look a name up exactly, then ignoring case when that is unambiguous."""
    found = mapping.get(name)
    if found is None:
        matches = folded.get(name.casefold(), [])
        found = matches[0] if len(matches) == 1 else None
    return found


def _folded(mapping):
    folded = {}
    for name, value in mapping.items():
        folded.setdefault(name.casefold(), []).append(value)
    return folded


def _names_hint(names):
    names = sorted(names)
    shown = ", ".join(names[:10]) + (", …" if len(names) > 10 else "")
    return shown or _("none yet")


def _midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


class _Import:
    def __init__(self, organization):
        self.organization = organization
        self.result = ImportResult()
        self.rows = {kind: [] for kind in KINDS}
        self.new_rows = {kind: [] for kind in KINDS}
        self.today = timezone.localdate()

    # reporting

    def error(self, row, column, message):
        letter = row.letters.get(column, "") if isinstance(row, _Row) else ""
        source, number = (row.sheet, row.number) if isinstance(row, _Row) else row
        self.result.errors.append(RowError(source, number, column, str(message), letter))

    # reading rows

    def add_sheet(self, sheet):
        by_name = COLUMNS_BY_NAME[sheet.kind]
        rows = iter(sheet.rows)
        header_number, header = next(
            ((n, cells) for n, cells in rows if not all(_blank(c) for c in cells)), (None, None)
        )
        if header is None:
            return  # an empty sheet: nothing to import from it
        positions, letters, failed = [], {}, False
        for index, cell in enumerate(header):
            if _blank(cell):
                continue
            name = _header_key(cell)
            letter = get_column_letter(index + 1)
            if name not in by_name:
                self.result.errors.append(
                    RowError(
                        sheet.source,
                        header_number,
                        _text(cell)[:40],
                        _("Unknown column: the template lists the columns of this sheet."),
                        letter,
                    )
                )
                failed = True
            elif name in letters:
                self.result.errors.append(
                    RowError(
                        sheet.source,
                        header_number,
                        name,
                        _("This column appears twice."),
                        letter,
                    )
                )
                failed = True
            else:
                positions.append((index, name))
                letters[name] = letter
        for column in COLUMNS[sheet.kind]:
            if column.required and column.name not in letters:
                self.result.errors.append(
                    RowError(
                        sheet.source,
                        header_number,
                        column.name,
                        _("This required column is missing."),
                    )
                )
                failed = True
        if failed:
            return  # its rows would only repeat the header's problem
        width = len(header)
        for number, cells in rows:
            if len(cells) < width:
                cells = list(cells) + [None] * (width - len(cells))
            values = {}
            for index, name in positions:
                value = cells[index]
                if not _blank(value):
                    values[name] = value.strip() if isinstance(value, str) else value
            if values:
                self.rows[sheet.kind].append(_Row(sheet.source, number, values, letters))

    # external ids: duplicates, and what was imported before

    def sort_out_ids(self):
        for kind in KINDS:
            rows = self.rows[kind]
            self.result.rows[kind] = len(rows)
            if not rows:
                continue
            existing = self.existing_ids(kind)
            seen = {}
            for row in rows:
                external_id = _text(row.values.get("external_id", ""))
                if not external_id:
                    self.error(row, "external_id", _("Each row needs an external_id."))
                    continue
                if len(external_id) > 100:
                    self.error(row, "external_id", _("At most 100 characters."))
                    continue
                row.values["external_id"] = external_id
                if external_id in seen:
                    first = seen[external_id]
                    self.error(
                        row,
                        "external_id",
                        _("'%(id)s' is also the external_id of %(source)s row %(row)s.")
                        % {"id": external_id[:40], "source": first.sheet, "row": first.number},
                    )
                    continue
                seen[external_id] = row
                if external_id in existing:
                    self.result.skipped[kind] += 1
                else:
                    self.new_rows[kind].append(row)

    def existing_ids(self, kind):
        organization = self.organization
        if kind == "survivors":
            return self.existing_survivors
        if kind == "cases":
            return self.existing_cases
        return set(
            Service.objects.filter(organization=organization)
            .exclude(external_id="")
            .values_list("external_id", flat=True)
        )

    @property
    def existing_survivors(self):
        if not hasattr(self, "_existing_survivors"):
            self._existing_survivors = dict(
                Survivor.objects.filter(organization=self.organization)
                .exclude(external_id="")
                .values_list("external_id", "pk")
            )
        return self._existing_survivors

    @property
    def existing_cases(self):
        """Cases imported before, as unsaved stand-ins holding what checks of their services
        read: no query per service."""
        if not hasattr(self, "_existing_cases"):
            organization_id = self.organization.pk
            self._existing_cases = {
                external_id: Case(
                    pk=pk,
                    organization_id=organization_id,
                    survivor_id=survivor_id,
                    opened_on=opened_on,
                    ended_on=ended_on,
                    status=status,
                    last_contact_on=last_contact_on,
                )
                for external_id, pk, survivor_id, opened_on, ended_on, status, last_contact_on in (
                    Case.objects.filter(organization=self.organization)
                    .exclude(external_id="")
                    .values_list(
                        "external_id",
                        "pk",
                        "survivor_id",
                        "opened_on",
                        "ended_on",
                        "status",
                        "last_contact_on",
                    )
                )
            }
        return self._existing_cases

    # one row: cells into fields, then the model's own rules

    def parse(self, row, kind, record):
        """Set the record's fields from the row's cells; returns the references (columns
        without a field) and the columns that failed."""
        failed, references = set(), {}
        by_name = COLUMNS_BY_NAME[kind]
        for column in COLUMNS[kind]:
            if column.required and column.name not in row.values:
                self.error(row, column.name, _("This column is required."))
                self.forget(record, column)
                failed.add(column.name)
        for name, value in row.values.items():
            column = by_name[name]
            try:
                parsed = column.parse(value)
            except ValueError as error:
                self.error(row, name, error)
                self.forget(record, column)
                failed.add(name)
                continue
            if column.field is None:
                references[name] = parsed
            else:
                setattr(record, column.field, parsed)
        return references, failed

    @staticmethod
    def forget(record, column):
        """A date or number that could not be read is left empty, not at its default (today,
        say), so that the model's rules do not report problems of a value nobody gave."""
        if column.field and column.kind in ("date", "int", "decimal"):
            setattr(record, column.field, None)

    def validate(self, row, kind, record, *, failed):
        """full_clean without what needs the database (foreign keys, uniqueness): those are
        checked from the dictionaries instead. Errors on failed columns are not repeated."""
        errors = {}
        columns = COLUMNS_BY_NAME[kind]
        skip = [columns[name].field for name in failed if name in columns]
        try:
            record.clean_fields(exclude=[*UNCHECKED_FIELDS[kind], *(name for name in skip if name)])
        except ValidationError as error:
            errors.update(error.message_dict)
        try:
            record.clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
        except (TypeError, ValueError):
            # A rule tripped over a value left empty because it could not be read (an intake
            # date, say): that problem is reported already.
            if not failed:
                raise
        for name, messages in errors.items():
            column = "" if name == NON_FIELD_ERRORS else FIELD_COLUMNS[kind].get(name, name)
            if column not in failed:
                self.error(row, column, " ".join(dict.fromkeys(messages)))
                failed.add(column)
        return not failed

    # survivors

    def check_survivors(self):
        self.new_survivors = {}  # external id: Survivor, checked or not (cases refer to them)
        self.survivors_to_create = []
        for row in self.new_rows["survivors"]:
            survivor = Survivor(organization=self.organization)
            _references, failed = self.parse(row, "survivors", survivor)
            if self.validate(row, "survivors", survivor, failed=failed):
                self.survivors_to_create.append(survivor)
            self.new_survivors[row.values["external_id"]] = survivor

    # cases

    def load_programs_and_staff(self):
        self.programs = {p.name: p for p in Program.objects.filter(organization=self.organization)}
        self.programs_folded = _folded(self.programs)
        self.staff = {
            m.user.username: m.user
            for m in Membership.objects.filter(
                organization=self.organization, role__in=CASE_ROLES
            ).select_related("user")
        }
        self.staff_folded = _folded(self.staff)

    def check_cases(self):
        self.new_cases = {}  # external id: (Case, checked)
        self.cases_to_create = []
        if not self.new_rows["cases"]:
            return
        self.load_programs_and_staff()
        for row in self.new_rows["cases"]:
            case = Case(organization=self.organization)
            references, failed = self.parse(row, "cases", case)
            self.resolve_case_references(row, case, references, failed)
            self.check_case_dates(row, case, failed)
            # The case manager was found among the organization's case staff above; clean()
            # would ask the database again, once per row.
            case_manager, case.case_manager = case.case_manager, None
            valid = self.validate(row, "cases", case, failed=failed)
            case.case_manager = case_manager
            if valid:
                ended = case.status in Case.ENDED_STATUSES
                case.status_changed_at = _midnight(case.ended_on if ended else case.opened_on)
                self.cases_to_create.append(case)
            self.new_cases[row.values["external_id"]] = (case, valid)

    def resolve_case_references(self, row, case, references, failed):
        survivor_id = references.get("survivor_external_id")
        if survivor_id is not None:
            if survivor_id in self.new_survivors:
                case.survivor = self.new_survivors[survivor_id]
            elif survivor_id in self.existing_survivors:
                case.survivor = Survivor(
                    pk=self.existing_survivors[survivor_id],
                    organization_id=self.organization.pk,
                )
            else:
                self.error(
                    row,
                    "survivor_external_id",
                    _(
                        "No survivor has the external_id '%(id)s', in this import or "
                        "imported before."
                    )
                    % {"id": survivor_id[:40]},
                )
                failed.add("survivor_external_id")
        name = references.get("program")
        if name is not None:
            program = _named(self.programs, self.programs_folded, name)
            if program is None:
                self.error(
                    row,
                    "program",
                    _("There is no program named '%(name)s' here. Programs: %(names)s.")
                    % {"name": name[:60], "names": _names_hint(self.programs)},
                )
                failed.add("program")
            elif not program.is_active and case.status not in Case.ENDED_STATUSES:
                self.error(
                    row,
                    "program",
                    _(
                        "The program '%(name)s' is no longer active: only graduated or closed "
                        "cases can be imported into it."
                    )
                    % {"name": program.name},
                )
                failed.add("program")
            else:
                case.program = program
        username = references.get("case_manager")
        if username is not None:
            user = _named(self.staff, self.staff_folded, username)
            if user is None:
                self.error(
                    row,
                    "case_manager",
                    _(
                        "No case manager, supervisor or program director here has the "
                        "username '%(username)s'."
                    )
                    % {"username": username[:40]},
                )
                failed.add("case_manager")
            else:
                case.case_manager = user

    def check_case_dates(self, row, case, failed):
        if "status" in failed or "ended_on" in failed:
            return
        if case.status in Case.ENDED_STATUSES and not case.ended_on:
            self.error(row, "ended_on", _("Give the day the case graduated or closed."))
            failed.add("ended_on")
        elif case.status not in Case.ENDED_STATUSES and case.ended_on:
            self.error(row, "ended_on", _("Only a graduated or closed case has an end date."))
            failed.add("ended_on")

    # services

    def load_service_references(self):
        types = list(ServiceType.objects.all())
        self.service_types = {t.code: t for t in types}
        self.service_type_names = {}
        for language in ("en", "es"):
            with translation.override(language):
                for service_type in types:
                    self.service_type_names.setdefault(service_type.label.casefold(), service_type)
        grants = {g.name: g for g in Grant.objects.filter(organization=self.organization)}
        allowed = {grant.pk: set() for grant in grants.values()}
        through = Grant.allowable_types.through.objects.filter(
            grant__organization=self.organization
        )
        for grant_id, type_id in through.values_list("grant_id", "servicetype_id"):
            allowed[grant_id].add(type_id)
        for grant in grants.values():
            grant._allowed_ids = allowed[grant.pk]  # what Grant.allows() caches
        self.grants, self.grants_folded = grants, _folded(grants)

    def check_services(self):
        self.services_to_create = []
        if not self.new_rows["services"]:
            return
        self.load_service_references()
        new_cases = getattr(self, "new_cases", {})
        existing_cases = self.existing_cases
        organization, now = self.organization, timezone.now()
        for row in self.new_rows["services"]:
            # Defaults given, not computed 100,000 times (delivered_on comes from the file).
            service = Service(
                organization=organization, delivered_on=None, created_at=now, updated_at=now
            )
            references, failed = self.parse(row, "services", service)
            checked_case = self.resolve_service_references(
                row, service, references, failed, new_cases, existing_cases
            )
            if "funding" not in row.values:
                service.funding = (
                    Service.Funding.GRANT if service.grant_id else Service.Funding.GENERAL
                )
            if "provided_by" not in row.values and service.partner_name:
                service.provided_by = Service.Provider.PARTNER
            if checked_case is not None and checked_case.pk is None:
                # Service.clean compares dates with a saved case only: this one is new.
                self.check_dates_in_new_case(row, service, checked_case, failed)
            if self.validate(row, "services", service, failed=failed):
                self.services_to_create.append(service)

    def resolve_service_references(
        self, row, service, references, failed, new_cases, existing_cases
    ):
        """Attach case, type and grant; returns the case when its own row is sound."""
        checked_case = None
        case_id = references.get("case_external_id")
        if case_id is not None:
            if case_id in new_cases:
                case, valid = new_cases[case_id]
                service.case = case
                checked_case = case if valid else None
            elif case_id in existing_cases:
                service.case = checked_case = existing_cases[case_id]
            else:
                self.error(
                    row,
                    "case_external_id",
                    _("No case has the external_id '%(id)s', in this import or imported before.")
                    % {"id": case_id[:40]},
                )
                failed.add("case_external_id")
        code = references.get("service_type")
        if code is not None:
            service_type = self.service_types.get(code) or self.service_type_names.get(
                code.casefold()
            )
            if service_type is None or not service_type.is_active:
                self.error(
                    row,
                    "service_type",
                    _("'%(code)s' is not a service type code: the template lists them.")
                    % {"code": code[:40]},
                )
                failed.add("service_type")
            else:
                service.service_type = service_type
        name = references.get("grant")
        if name is not None:
            grant = _named(self.grants, self.grants_folded, name)
            if grant is None:
                self.error(
                    row,
                    "grant",
                    _("There is no grant named '%(name)s' here. Grants: %(names)s.")
                    % {"name": name[:60], "names": _names_hint(self.grants)},
                )
                failed.add("grant")
            else:
                service.grant = grant
        return checked_case

    def check_dates_in_new_case(self, row, service, case, failed):
        day = service.delivered_on
        if "delivered_on" in failed or not day:
            return
        if day < case.opened_on:
            message = _("The case opened on %(opened)s: a service cannot come before it.") % {
                "opened": case.opened_on.isoformat()
            }
        elif case.ended_on and day > case.ended_on:
            message = _("The case ended on %(ended)s: a service cannot come after it.") % {
                "ended": case.ended_on.isoformat()
            }
        else:
            return
        self.error(row, "delivered_on", message)
        failed.add("delivered_on")

    # writing

    def last_contacts(self):
        """The latest day our staff delivered a service, by case (what touch_contact keeps)."""
        latest = {}
        for service in self.services_to_create:
            if (
                service.status == Service.Status.DELIVERED
                and service.provided_by == Service.Provider.STAFF
            ):
                key = id(service.case)
                if key not in latest or service.delivered_on > latest[key][1]:
                    latest[key] = (service.case, service.delivered_on)
        return latest.values()

    def write(self, actor):
        organization = self.organization
        stale_cases = []
        for case, day in self.last_contacts():
            if case.last_contact_on is None or day > case.last_contact_on:
                case.last_contact_on = day
                if case.pk is not None:
                    stale_cases.append(case)
        if self.survivors_to_create:
            survivors_bulk_create(organization, self.survivors_to_create, actor=actor)
        if self.cases_to_create:
            created = cases_bulk_open(organization, self.cases_to_create, actor=actor)
            self.date_case_history([case.pk for case in created])
        if self.services_to_create:
            for service in self.services_to_create:
                service.survivor_id = service.case.survivor_id
            services_bulk_record(organization, self.services_to_create, actor=actor)
        if stale_cases:
            Case.objects.bulk_update(stale_cases, ["last_contact_on"], batch_size=500)

    def date_case_history(self, case_ids):
        """The opening event of an imported case is dated when its status began (the day it
        opened, or ended if it ended) and carries the closure reason, like a closure made
        here would; the audit trail keeps when the import happened."""
        case = Case.objects.filter(pk=OuterRef("case_id"))
        for start in range(0, len(case_ids), 500):
            CaseEvent.objects.filter(case_id__in=case_ids[start : start + 500]).update(
                at=Subquery(case.values("status_changed_at")[:1]),
                reason=Subquery(case.values("closure_reason")[:1]),
            )


def records_import(organization, sheets, *, actor, commit=True, ignored_sheets=()):
    """Check every row of `sheets`; unless there is an error or `commit` is false, write the
    new records in one transaction. Returns an ImportResult (errors, or counts)."""
    run = _Import(organization)
    run.result.ignored_sheets = list(ignored_sheets)
    for sheet in sheets:
        run.add_sheet(sheet)
    run.sort_out_ids()
    run.check_survivors()
    run.check_cases()
    run.check_services()
    result = run.result
    order = {sheet.source: index for index, sheet in enumerate(sheets)}
    result.errors.sort(key=lambda error: (order.get(error.source, -1), error.row or 0))
    if result.errors or not commit:
        return result
    counts = {
        "survivors": len(run.survivors_to_create),
        "cases": len(run.cases_to_create),
        "services": len(run.services_to_create),
    }
    try:
        with transaction.atomic():
            run.write(actor)
            audit_record(
                None,
                actor=actor,
                organization=organization,
                action=AuditEvent.Action.CREATE,
                object_type="cases.import",
                detail={
                    "created": counts,
                    "skipped": {kind: result.skipped[kind] for kind in KINDS},
                    "formats": sorted({sheet.file_format for sheet in sheets}),
                    "kinds": [kind for kind in KINDS if result.rows[kind]],
                },
            )
    except IntegrityError:
        # Someone imported some of the same records meanwhile: the unique external ids held.
        result.errors.append(
            RowError(
                "",
                None,
                "",
                _(
                    "Some of these records were imported by someone else at the same time. "
                    "Nothing was imported: check the file again."
                ),
            )
        )
        return result
    result.created.update(counts)
    result.committed = True
    return result


def import_files(organization, files, *, actor, commit=True, kind=None):
    """Read (name, bytes) pairs and import them as one: records_import's result, or the
    files that could not be read."""
    sheets, errors, ignored = read_files(files, kind=kind)
    if errors:
        return ImportResult(errors=errors, ignored_sheets=ignored)
    return records_import(organization, sheets, actor=actor, commit=commit, ignored_sheets=ignored)


# -- the example -------------------------------------------------------------------------------

EXAMPLE_PROGRAM = "Comprehensive case management"
EXAMPLE_GRANT = "OVC comprehensive services 2026"
EXAMPLE_CASE_MANAGER = "casemanager"


def example_rows(today=None):
    """Obviously invented records, dated back from `today`, for the demo organization (its
    program, grant and case manager): what the example files hold."""
    today = today or timezone.localdate()

    def ago(days):
        return today - datetime.timedelta(days=days)

    survivors = [
        {
            "external_id": "EX-S-001",
            "preferred_name": "Example Alpha",
            "legal_name": "Example Person Alpha",
            "date_of_birth": ago(9000),
            "intake_date": ago(100),
            "phone": "+1 555 010 0101",
            "email": "alpha@example.org",
            "may_call": "no",
            "may_text": "yes",
            "gender_identity": "woman",
            "race_ethnicity": "hispanic_latino",
            "primary_language": "es",
            "interpreter_needed": "yes",
            "country_of_birth": "MX",
            "age_first_trafficked": 17,
        },
        {
            "external_id": "EX-S-002",
            "preferred_name": "Example Bravo",
            "legal_name": "Example Person Bravo",
            "age_at_intake": 31,
            "intake_date": ago(60),
            "phone": "+1 555 010 0102",
            "may_call": "yes",
            "gender_identity": "man",
            "race_ethnicity": "black;white",
            "primary_language": "en",
            "country_of_birth": "US",
            "referral_source": "law_enforcement",
        },
        {
            "external_id": "EX-S-003",
            "preferred_name": "Example Charlie",
            "aliases": "Sample C;Test Charlie",
            "age_at_intake_missing": "unknown",
            "intake_date": ago(200),
            "gender_identity": "non_binary",
            "race_ethnicity": "declined",
            "primary_language": "tl",
            "country_of_birth": "PH",
        },
    ]
    case = {"program": EXAMPLE_PROGRAM, "case_manager": EXAMPLE_CASE_MANAGER}
    cases = [
        {
            "external_id": "EX-C-001",
            "survivor_external_id": "EX-S-001",
            **case,
            "status": "active",
            "risk_level": "high",
            "trafficking_type": "labor",
            "opened_on": ago(95),
        },
        {
            "external_id": "EX-C-002",
            "survivor_external_id": "EX-S-002",
            **case,
            "status": "intake",
            "trafficking_type": "sex",
            "opened_on": ago(55),
        },
        {
            "external_id": "EX-C-003",
            "survivor_external_id": "EX-S-003",
            **case,
            "status": "closed",
            "risk_level": "low",
            "opened_on": ago(190),
            "ended_on": ago(20),
            "closure_reason": "moved_away",
        },
    ]
    grant = {"funding": "grant", "grant": EXAMPLE_GRANT}
    services = [
        {
            "external_id": "EX-SV-001",
            "case_external_id": "EX-C-001",
            "service_type": "emergency_shelter",
            "delivered_on": ago(90),
            "quantity": 3,
            "unit": "nights",
            "cost": Decimal("285.00"),
            **grant,
            "notes": "Example note: three nights at the safe house.",
        },
        {
            "external_id": "EX-SV-002",
            "case_external_id": "EX-C-001",
            "service_type": "food",
            "delivered_on": ago(60),
            "quantity": 40,
            "unit": "dollars",
            **grant,
        },
        {
            "external_id": "EX-SV-003",
            "case_external_id": "EX-C-001",
            "service_type": "case_management",
            "delivered_on": ago(30),
            "quantity": Decimal("1.5"),
            "unit": "hours",
        },
        {
            "external_id": "EX-SV-004",
            "case_external_id": "EX-C-002",
            "service_type": "crisis_intervention",
            "delivered_on": ago(50),
            "quantity": 2,
            "unit": "hours",
            **grant,
        },
        {
            "external_id": "EX-SV-005",
            "case_external_id": "EX-C-002",
            "service_type": "medical_treatment",
            "delivered_on": ago(40),
            "quantity": 1,
            "unit": "hours",
            "funding": "partner",
            "partner_name": "Example Community Clinic",
        },
        {
            "external_id": "EX-SV-006",
            "case_external_id": "EX-C-002",
            "service_type": "immigration_relief",
            "status": "planned",
            "delivered_on": today + datetime.timedelta(days=14),
            "quantity": 2,
            "unit": "hours",
            "funding": "none",
        },
        {
            "external_id": "EX-SV-007",
            "case_external_id": "EX-C-003",
            "service_type": "transportation",
            "delivered_on": ago(100),
            "quantity": 2,
            "unit": "items",
            "cost": Decimal("5.50"),
        },
    ]
    return {"survivors": survivors, "cases": cases, "services": services}


def _example_columns(kind, rows):
    """The template's columns that the example fills, in template order."""
    used = {name for row in rows for name in row}
    return [c.name for c in COLUMNS[kind] if c.name in used]


def example_csv(kind):
    rows = example_rows()[kind]
    columns = _example_columns(kind, rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_text(row[c]) if c in row else "" for c in columns])
    return out.getvalue().encode("utf-8")


def example_workbook():
    """The example as an XLSX workbook: a sheet per kind, and a 'read me' sheet (not read)."""
    workbook = openpyxl.Workbook()
    about = workbook.active
    about.title = "read me"
    for line in (
        _("Thrive import example: invented records, for the demo organization."),
        _("Each sheet (survivors, cases, services) holds one kind of record."),
        _("The first row names the columns; docs/import.md describes each one."),
        _("Other sheets, like this one, are not read."),
    ):
        about.append([line])
    about.column_dimensions["A"].width = 90
    bold = Font(bold=True)
    for kind, rows in example_rows().items():
        sheet = workbook.create_sheet(kind)
        columns = _example_columns(kind, rows)
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = bold
        for row in rows:
            sheet.append([row.get(c) for c in columns])
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
        for index, name in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(12, len(name) + 2)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
