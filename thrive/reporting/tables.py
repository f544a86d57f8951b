"""A report's figures, its tables, and what is published of them.

A report builds a `Figures`: named counts (cells) and which cells are totals of which, then
lays them out as `Table`s. Tables may share cells (a total printed in two tables is one cell),
so `publish` protects every table of a run together (thrive.reporting.disclosure) and gives
each table as the JSON of the API and the command line:

    {"title", "columns", "rows": [[label, cell, ...], ...], "total_row": [label, cell, ...]}

where a suppressed cell is the string "<10" (or "<k"), whatever its reason. The audit goes
alongside. A run whose audit fails is never published: `publish` raises instead.
"""

import csv
import dataclasses
import io

from django.utils.translation import gettext as _

from thrive.lib.spreadsheets import safe_text
from thrive.reporting.disclosure import Rule, protect


class AuditFailed(RuntimeError):
    """The suppression could not protect every small count: nothing may be published."""


@dataclasses.dataclass
class Table:
    key: str
    title: str
    columns: list  # headings of the figure columns (the label column has none)
    rows: list  # [(label, [cell key, ...]), ...]
    total_row: tuple | None = None  # (label, [cell key, ...])
    note: str = ""
    chart_column: int | None = None  # the figure column drawn as bars beside the table


class Figures:
    """The counts of one report run, and their totals."""

    def __init__(self):
        self.cells = {}
        self.totals = []
        self.tables = []
        self.measures = {}  # key -> (text, base): a median or a time, not a count
        self.keep = set()  # headline figures never hidden to protect another

    def headline(self, key):
        """A figure readers look for first (all survivors served): never hidden to protect
        another cell, only if it is small itself."""
        self.keep.add(key)
        return key

    def measure(self, key, text, base, *, follows=None):
        """A figure that is not a count (a median time, a cost), resting on `base` cases: not
        shown when the base is under k, as a small count would not be, nor when the count it
        `follows` (its base, published in the same row) is hidden, since the two together
        could give that count away. An empty text is a blank cell."""
        self.measures[key] = (text, int(base), follows)
        return key

    def count(self, key, value):
        if key in self.cells and self.cells[key] != value:
            raise ValueError(f"Two different counts for one cell: {key!r}")
        self.cells[key] = int(value)
        return key

    def total(self, key, parts):
        """`key` is the sum of `parts`: counted here, and published so that no part can be
        recovered from it."""
        parts = list(parts)
        self.count(key, sum(self.cells[p] for p in parts))
        self.totals.append((key, parts))
        return key

    def table(self, table):
        self.tables.append(table)
        return table

    @property
    def empty(self):
        return not any(self.cells.values())


@dataclasses.dataclass
class Published:
    """The tables as they may be shown, and the audit that allows it."""

    tables: list  # [{"key", "title", "columns", "rows", "total_row", "note"}]
    audit: dict | None  # None when suppression was off (a person-level role asked for exact)
    empty: bool

    def as_json(self):
        return {
            "empty": self.empty,
            "tables": [
                {k: table[k] for k in ("title", "columns", "rows", "total_row")}
                for table in self.tables
            ],
            "audit": self.audit,
        }


def publish(figures, *, rule=None, suppress=True):
    """The tables of `figures` as published under `rule`. `suppress=False` only for a role
    that sees people, on its own organization's figures (the caller decides)."""
    rule = rule or Rule()
    if suppress:
        outcome = protect(figures.cells, figures.totals, rule, keep=figures.keep)
        if not outcome.passed and figures.keep:
            # Keeping a headline figure left a small count exposed: hide the headline too.
            outcome = protect(figures.cells, figures.totals, rule)
        if not outcome.passed:
            raise AuditFailed(_("Suppression could not protect every small count."))
        audit = outcome.summary()

        def shown(key):
            if key in figures.measures:
                text, base, follows = figures.measures[key]
                if text == "":
                    return ""
                if base < rule.k or (follows is not None and follows in outcome.suppressed):
                    return "—"
                return text
            return outcome.shown(key, figures.cells[key])
    else:
        audit = None

        def shown(key):
            if key in figures.measures:
                return figures.measures[key][0]
            return figures.cells[key]

    tables = []
    for table in figures.tables:
        tables.append(
            {
                "key": table.key,
                "title": str(table.title),
                "columns": [str(column) for column in table.columns],
                # Labels may be lazy translations (a choice's label): text from here on.
                "rows": [[str(label), *map(shown, keys)] for label, keys in table.rows],
                "total_row": [str(table.total_row[0]), *map(shown, table.total_row[1])]
                if table.total_row
                else None,
                "note": table.note,
                "chart_column": table.chart_column,
            }
        )
    return Published(tables=tables, audit=audit, empty=figures.empty)


def as_csv(published, *, heading):
    """Every table one after the other, a blank line between, with the heading and the
    suppression rule on top."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_text(heading)])
    if published.audit:
        writer.writerow(
            [
                _(
                    "Counts below %(k)s are shown as <%(k)s; further cells are suppressed so that "
                    "none can be worked out from the totals."
                )
                % {"k": published.audit["k"]}
            ]
        )
    for table in published.tables:
        writer.writerow([])
        writer.writerow([safe_text(table["title"])])
        writer.writerow(["", *map(safe_text, table["columns"])])
        for row in table["rows"]:
            writer.writerow(list(map(safe_text, row)))
        if table["total_row"]:
            writer.writerow(list(map(safe_text, table["total_row"])))
    return out.getvalue()


def as_xlsx(published, *, heading):
    """One worksheet per table: the heading, the rule, the table; numbers as numbers and a
    suppressed cell as its text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for index, table in enumerate(published.tables, start=1):
        sheet = book.create_sheet(_sheet_name(table["title"], index))
        sheet.append([safe_text(heading)])
        sheet["A1"].font = Font(bold=True)
        sheet.append([safe_text(table["title"])])
        if published.audit:
            sheet.append(
                [_("Counts below %(k)s are shown as <%(k)s.") % {"k": published.audit["k"]}]
            )
        sheet.append([])
        sheet.append(["", *map(safe_text, table["columns"])])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in table["rows"]:
            sheet.append(_sheet_row(row))
        if table["total_row"]:
            sheet.append(_sheet_row(table["total_row"]))
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_row(row):
    label, *cells = row
    return [safe_text(label), *(c if isinstance(c, int) else safe_text(c) for c in cells)]


def _sheet_name(title, index):
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")
    return f"{index} {cleaned}"[:31]
