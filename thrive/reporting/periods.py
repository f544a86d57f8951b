"""Reporting periods, written the way grants managers and task forces write them.

| written | period |
|---|---|
| `2025` | calendar year 2025 |
| `FFY2025` | U.S. federal fiscal year 2025: 1 October 2024 – 30 September 2025 |
| `SFY2025` | state fiscal year 2025: 1 July 2024 – 30 June 2025 |
| `2025-Q3` | the third calendar quarter of 2025 (July – September) |
| `FFY2025-Q1` | the first quarter of that fiscal year (October – December 2024) |
| `2025-07` | July 2025 |
| `2025-01-15..2025-06-30` | any days, both included |

A survivor is **new** in the first federal fiscal year in which they are served, and
**continuing** in every later one (`federal_fiscal_year`).
"""

import dataclasses
import datetime
import re

from django.utils.translation import gettext as _


class PeriodError(ValueError):
    """A period that cannot be reported on; the message says why, for the person asking."""


@dataclasses.dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    name: str

    def __post_init__(self):
        if self.end < self.start:
            raise PeriodError(
                _("The period ends (%(end)s) before it starts (%(start)s).")
                % {"end": self.end.isoformat(), "start": self.start.isoformat()}
            )

    def __str__(self):
        return self.name

    def contains(self, day):
        return self.start <= day <= self.end


def federal_fiscal_year(day):
    """The U.S. federal fiscal year a day falls in: FFY2025 runs October 2024 – September 2025."""
    return day.year + 1 if day.month >= 10 else day.year


def _month_end(year, month):
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def _months(year, month, count, name):
    """`count` months from the first of (year, month)."""
    index = year * 12 + month - 1 + count - 1
    return Period(datetime.date(year, month, 1), _month_end(index // 12, index % 12 + 1), name)


_YEAR = re.compile(r"(?P<kind>FFY|SFY)?(?P<year>\d{4})(?:-Q(?P<quarter>[1-4]))?")
_MONTH = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})")
_RANGE = re.compile(r"(?P<start>\d{4}-\d{2}-\d{2})\.\.(?P<end>\d{4}-\d{2}-\d{2})")


def parse_period(text):
    """The Period that `text` names (see the table above), or PeriodError."""
    text = (text or "").strip().upper()
    if not text:
        raise PeriodError(_("Give a period.") + " " + _how_to_write())
    if match := _RANGE.fullmatch(text):
        try:
            start = datetime.date.fromisoformat(match["start"])
            end = datetime.date.fromisoformat(match["end"])
        except ValueError as error:
            raise PeriodError(_("Not a date: %(error)s.") % {"error": error}) from None
        return Period(start, end, f"{start.isoformat()} – {end.isoformat()}")
    if match := _MONTH.fullmatch(text):
        year, month = int(match["year"]), int(match["month"])
        if not 1 <= month <= 12:
            raise PeriodError(_("There is no month %(month)s.") % {"month": match["month"]})
        return _months(year, month, 1, text)
    if match := _YEAR.fullmatch(text):
        year, kind, quarter = int(match["year"]), match["kind"], match["quarter"]
        # The first month of the year: calendar January, federal October and state July of
        # the year before the one named.
        first_year, first_month = {None: (year, 1), "FFY": (year - 1, 10), "SFY": (year - 1, 7)}[
            kind
        ]
        if quarter:
            index = first_year * 12 + first_month - 1 + (int(quarter) - 1) * 3
            return _months(index // 12, index % 12 + 1, 3, text)
        return _months(first_year, first_month, 12, text)
    raise PeriodError(_("“%(text)s” is not a period.") % {"text": text} + " " + _how_to_write())


def _how_to_write():
    return _(
        "Write a year (2025), a federal or state fiscal year (FFY2025, SFY2025), a quarter "
        "(2025-Q3, FFY2025-Q1), a month (2025-07) or two dates (2025-01-01..2025-06-30)."
    )
