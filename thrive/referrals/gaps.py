"""The gaps report: where survivors of one organization needed a service they could not get,
set against what the partner directory offers, and how each partner answered the
organization's referrals. Aggregates only, never a person.

Definitions (the page says the same):

- **Period.** Services by their date (`delivered_on`); referrals by when they were sent.
- **Needed but unavailable.** The organization's services recorded with the status
  "Needed but unavailable", by service type, in the organization's county
  (`Organization.county`).
- **Referrals not accepted.** Referrals the organization sent that the partner declined, or
  that were withdrawn before the partner accepted them; one per service requested, in each
  county the partner serves (a partner serving several counties counts in each). Referrals
  still waiting for an answer are not counted.
- **Supply.** Listed (active) directory entries offering the service type in that county, and
  the beds they say are available. Not counted where the county is unknown.
- **Per partner.** Referrals sent to it in the period; accepted (at any later stage too);
  declined; the acceptance rate (accepted of sent) and the median time from sending to
  acceptance.

Small cells, for every reader: a count from 1 to SMALL_CELL - 1 is shown as "<10"; a rate or
median based on fewer than SMALL_CELL referrals as "—"; and a total or rate that would let a
hidden count be worked out by subtraction is hidden too. Directory supply (providers, beds)
describes no person and is shown as it is.

Six queries whatever the size: the unavailable services by type, the referrals sent, the
services requested by the referrals not accepted, the supply, the service types' names, and
nothing else.
"""

import datetime
import statistics

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thrive.accounts.access import require_membership
from thrive.accounts.models import Role
from thrive.lib.dates import add_months
from thrive.lib.svg import bar_chart
from thrive.referrals.models import Partner, Referral
from thrive.services.models import Service, ServiceType

SMALL_CELL = 10
READER_ROLES = (Role.SUPERVISOR, Role.PROGRAM_DIRECTOR, Role.DATA_ANALYST)
CHART_ROWS = 15  # the chart shows the largest needs; the table shows them all
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def require_gaps_reader(user):
    membership = require_membership(user)
    if membership.role not in READER_ROLES:
        raise PermissionDenied(
            _("The gaps report is for supervisors, program directors and data analysts.")
        )
    return membership


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=DATE_WIDGET)
    end = forms.DateField(label=gettext_lazy("Until"), widget=DATE_WIDGET)

    @classmethod
    def with_defaults(cls, query, today=None):
        """Bound to the query string, the last 12 months where it names no date."""
        today = today or timezone.localdate()
        data = {"start": add_months(today, -12).isoformat(), "end": today.isoformat()}
        data.update({k: v for k, v in query.items() if k in data})
        return cls(data)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and start > timezone.localdate():
            self.add_error("start", _("The period cannot start in the future."))
        elif start and end and end < start:
            self.add_error("end", _("The period ends before it starts."))
        return data

    def period(self):
        return self.cleaned_data["start"], self.cleaned_data["end"]


def _county_key(name):
    return name.strip().lower()


def _day_bounds(start, end):
    zone = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    high = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return low, high


def gaps_of(organization, *, start, end):
    """The figures of `organization` for [`start`, `end`]:

        {"start", "end", "county",
         "need": [{"service_type_id", "service_type", "county", "unavailable",
                   "not_accepted", "partners", "beds"}, ...],   largest need first
         "partners": [{"partner_id", "name", "sent", "accepted", "declined",
                       "median_hours"}, ...],                   most referrals first
         "unavailable", "not_accepted", "sent"}

    `partners` and `beds` of a need row are None where its county is unknown; `median_hours`
    is None without an acceptance.
    """
    low, high = _day_bounds(start, end)
    own_county = organization.county.strip()
    need = {}  # (service type id, county key) -> row
    names = {}  # county key -> the spelling first seen

    def row(type_id, county):
        key = _county_key(county)
        names.setdefault(key, county)
        return need.setdefault(
            (type_id, key), {"service_type_id": type_id, "unavailable": 0, "not_accepted": 0}
        )

    unavailable = (
        Service.objects.filter(
            organization=organization,
            status=Service.Status.UNAVAILABLE,
            delivered_on__gte=start,
            delivered_on__lte=end,
        )
        .order_by()
        .values_list("service_type_id")
        .annotate(n=Count("pk"))
    )
    for type_id, n in unavailable:
        row(type_id, own_county)["unavailable"] += n

    sent = list(
        Referral.objects.filter(organization=organization, sent_at__gte=low, sent_at__lt=high)
        .order_by()
        .values_list(
            "pk",
            "partner_id",
            "partner__name",
            "partner__counties",
            "status",
            "sent_at",
            "accepted_at",
        )
    )
    not_accepted = {
        pk: counties or [""]
        for pk, _partner, _name, counties, status, _sent, accepted_at in sent
        if status == Referral.Status.DECLINED
        or (status == Referral.Status.WITHDRAWN and accepted_at is None)
    }
    if not_accepted:
        requested = Referral.service_types.through.objects.filter(
            referral_id__in=list(not_accepted)
        ).values_list("referral_id", "servicetype_id")
        for referral_id, type_id in requested:
            for county in not_accepted[referral_id]:
                row(type_id, county.strip())["not_accepted"] += 1

    _add_supply(need)
    labels = dict(
        (t.pk, t.label)
        for t in ServiceType.objects.filter(pk__in={k[0] for k in need}).only(
            "pk", "name", "name_es"
        )
    )
    rows = []
    for (type_id, key), found in need.items():
        rows.append({**found, "service_type": labels.get(type_id, ""), "county": names[key]})
    rows.sort(
        key=lambda r: (-(r["unavailable"] + r["not_accepted"]), r["service_type"], r["county"])
    )

    per_partner = {}
    for _pk, partner_id, name, _counties, status, sent_at, accepted_at in sent:
        entry = per_partner.setdefault(
            partner_id,
            {
                "partner_id": partner_id,
                "name": name,
                "sent": 0,
                "accepted": 0,
                "declined": 0,
                "hours": [],
            },
        )
        entry["sent"] += 1
        if accepted_at is not None:
            entry["accepted"] += 1
            entry["hours"].append((accepted_at - sent_at).total_seconds() / 3600)
        if status == Referral.Status.DECLINED:
            entry["declined"] += 1
    partners = []
    for entry in per_partner.values():
        hours = entry.pop("hours")
        entry["median_hours"] = statistics.median(hours) if hours else None
        partners.append(entry)
    partners.sort(key=lambda p: (-p["sent"], p["name"]))
    return {
        "start": start,
        "end": end,
        "county": own_county,
        "need": rows,
        "partners": partners,
        "unavailable": sum(r["unavailable"] for r in rows),
        "not_accepted": len(not_accepted),
        "sent": len(sent),
    }


def _add_supply(need):
    """Each need row's listed providers of its service type in its county, and their beds."""
    for found in need.values():
        found["partners"] = None
        found["beds"] = None
    if not need:
        return
    offered = Partner.service_types.through.objects.filter(
        servicetype_id__in={type_id for type_id, _key in need}, partner__is_active=True
    ).values_list("servicetype_id", "partner__counties_key", "partner__beds_available")
    for (_type_id, key), found in need.items():
        if key:
            found["partners"] = 0
            found["beds"] = 0
    for type_id, counties_key, beds in offered:
        for county in counties_key.strip("|").split("|"):
            found = need.get((type_id, county))
            if found is not None and county:
                found["partners"] += 1
                found["beds"] += beds or 0


# -- what a reader may see ----------------------------------------------------------------


def _hidden(value):
    return 0 < value < SMALL_CELL


def displayed(figures):
    """The figures as text for the page, small cells suppressed for every reader."""
    suppressed = []

    def count(value):
        if _hidden(value):
            suppressed.append(value)
            return f"<{SMALL_CELL}"
        return number_format(value, force_grouping=True)

    def supply(value):
        return "—" if value is None else number_format(value, force_grouping=True)

    need = []
    for row in figures["need"]:
        parts = (row["unavailable"], row["not_accepted"])
        total = sum(parts)
        if any(_hidden(part) for part in parts):
            # An exact total beside a hidden part would give the part away by subtraction.
            total_text = f"<{SMALL_CELL}" if total < SMALL_CELL else f"≥{SMALL_CELL}"
            total_value = None
        else:
            total_text, total_value = count(total), total
        need.append(
            {
                "service_type": row["service_type"],
                "county": row["county"] or _("County not recorded"),
                "unavailable": count(row["unavailable"]),
                "not_accepted": count(row["not_accepted"]),
                "total": total_text,
                "total_value": total_value,
                "partners": supply(row["partners"]),
                "beds": supply(row["beds"]),
            }
        )

    partners = []
    for entry in figures["partners"]:
        sent, accepted = entry["sent"], entry["accepted"]
        rate_value = None
        if sent < SMALL_CELL or _hidden(accepted):
            rate = "—"
            if sent:
                suppressed.append(sent)
        else:
            rate_value = accepted / sent
            rate = f"{number_format(round(100 * rate_value), force_grouping=True)}%"
        partners.append(
            {
                "name": entry["name"],
                "partner_id": entry["partner_id"],
                "sent": count(sent),
                "accepted": count(accepted),
                "declined": count(entry["declined"]),
                "rate": rate,
                "rate_value": rate_value,
                "median": _median_text(entry, suppressed),
            }
        )

    def total(value, parts):
        # A total exact beside a hidden part would give the part away by subtraction.
        if any(_hidden(part) for part in parts) and not _hidden(value):
            suppressed.append(value)
            return f"≥{SMALL_CELL}"
        return count(value)

    rows = figures["need"]
    return {
        "need": need,
        "partners": partners,
        "unavailable": total(figures["unavailable"], [r["unavailable"] for r in rows]),
        "not_accepted": total(figures["not_accepted"], [r["not_accepted"] for r in rows]),
        "sent": total(figures["sent"], [p["sent"] for p in figures["partners"]]),
        "suppressed": bool(suppressed),
    }


def _median_text(entry, suppressed):
    hours = entry["median_hours"]
    if hours is None:
        return "—"
    if entry["accepted"] < SMALL_CELL:
        suppressed.append(entry["accepted"])
        return "—"
    if hours < 48:
        return _("%(n)s hours") % {"n": number_format(hours, 1)}
    return _("%(n)s days") % {"n": number_format(hours / 24, 1)}


def charts(shown):
    need = shown["need"][:CHART_ROWS]
    partners = shown["partners"][:CHART_ROWS]
    return {
        "need": bar_chart(
            [(f"{r['service_type']} · {r['county']}", r["total_value"], r["total"]) for r in need],
            title=_("Unmet need by service and county"),
            label_width=260,
        )
        if need
        else None,
        "acceptance": bar_chart(
            [(p["name"], p["rate_value"], p["rate"]) for p in partners],
            title=_("Share of referrals accepted, by partner"),
            max_value=1,
            label_width=260,
        )
        if partners
        else None,
    }
