"""Response times of the crisis line, month by month: contacts by channel and by reason, and
how fast emergency responses went out and reached the survivor, youth versus adult.

Aggregates only, no person: the page that shows it decides who may (supervisors, analysts).

How it is computed, in three queries whatever the number of contacts:
- the counts are grouped in SQL by the contact's local month (`TruncMonth` in the current
  time zone) and channel, then by month and reason; only logged contacts count;
- the times come from one `values()` list of the emergency responses dispatched from contacts
  received in the window (a program dispatches a few a day at most, so a year is a few
  thousand rows), and the median and 90th percentile are taken in Python.

Each response counts in the month its contact came in, in its queue (youth: under 24 when
dispatched; adult otherwise). Minutes from contact to dispatch are from the contact's
`received_at` to `dispatched_at` (never below zero: a time typed a little late); minutes from
dispatch to first contact only for responses that reached the survivor.

Median: the middle value, or the mean of the two middle values for an even count.
90th percentile: nearest rank: the value at rank ceil(0.9 × n) of the n values in order
(so always an observed time; for fewer than 10 values it is the largest).
"""

import datetime
import math
import statistics

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from thrive.hotline.models import Contact, EmergencyResponse, OnCallShift

QUEUES = [OnCallShift.Queue.YOUTH.value, OnCallShift.Queue.ADULT.value]


def nearest_rank(values, fraction):
    """The value at rank ceil(fraction × n) in order (1-based); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def summarize(minutes):
    return {
        "count": len(minutes),
        "median": statistics.median(minutes) if minutes else None,
        "p90": nearest_rank(minutes, 0.9),
    }


def month_starts(today, months):
    first = today.replace(day=1)
    starts = []
    for _ in range(months):
        starts.append(first)
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return starts[::-1]


def response_times(organization, *, months=12, today=None):
    """One row per calendar month, oldest first, the last being today's month:

        {"month": date(2026, 3, 1), "contacts": 41,
         "by_channel": {"call": 30, "text": 11}, "by_reason": {"crisis": 9, ...},
         "to_dispatch": {"youth": {"count": 2, "median": 14.5, "p90": 20.0}, "adult": ...,
                         "all": ...},
         "to_first_contact": {same shape}}

    Times in minutes (floats); a median or p90 of no responses is None.
    """
    today = today or timezone.localdate()
    starts = month_starts(today, months)
    zone = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.datetime.combine(starts[0], datetime.time()), zone)
    until = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time()), zone
    )
    rows = {
        start: {
            "month": start,
            "contacts": 0,
            "by_channel": {},
            "by_reason": {},
            "to_dispatch": {},
            "to_first_contact": {},
        }
        for start in starts
    }
    contacts = Contact.objects.filter(
        organization=organization,
        status=Contact.Status.LOGGED,
        received_at__gte=since,
        received_at__lt=until,
    ).annotate(month=TruncMonth("received_at"))
    for field, key in (("channel", "by_channel"), ("reason", "by_reason")):
        grouped = contacts.values("month", field).annotate(n=Count("pk")).order_by()
        for group in grouped:
            row = rows[timezone.localtime(group["month"], zone).date()]
            row[key][group[field]] = group["n"]
            if field == "channel":
                row["contacts"] += group["n"]
    times = {start: {"to_dispatch": {}, "to_first_contact": {}} for start in starts}
    responses = EmergencyResponse.objects.filter(
        organization=organization,
        contact__received_at__gte=since,
        contact__received_at__lt=until,
    ).values_list("queue", "contact__received_at", "dispatched_at", "first_contact_at")
    for queue, received_at, dispatched_at, first_contact_at in responses:
        month = timezone.localtime(received_at, zone).date().replace(day=1)
        lists = times[month]
        to_dispatch = max(0.0, (dispatched_at - received_at).total_seconds() / 60)
        lists["to_dispatch"].setdefault(queue, []).append(to_dispatch)
        if first_contact_at is not None:
            minutes = (first_contact_at - dispatched_at).total_seconds() / 60
            lists["to_first_contact"].setdefault(queue, []).append(minutes)
    for start, lists in times.items():
        for measure, by_queue in lists.items():
            everyone = [m for queue in QUEUES for m in by_queue.get(queue, [])]
            rows[start][measure] = {q: summarize(by_queue.get(q, [])) for q in QUEUES}
            rows[start][measure]["all"] = summarize(everyone)
    return [rows[start] for start in starts]
