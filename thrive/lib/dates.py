"""Calendar arithmetic the standard library leaves out."""

import calendar
import datetime


def add_months(day, months):
    """The same day `months` later, or the month's last day when it is shorter
    (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start, end):
    """Elapsed months from `start` to `end` as a decimal, counting a month as 365.25 / 12
    days, as survival analyses of service data do."""
    return (end - start).days / (365.25 / 12)
