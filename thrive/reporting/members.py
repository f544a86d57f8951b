"""The task-force member report: one row per member organization, the table a county task
force publishes each year, safe to publish.

Per member, over the period, from its own Thrive records:

- **Survivors served**: the survivors with at least one service delivered to them by the
  member in the period.
- **Of which sex, labor, both, not known**: each survivor served once, by the trafficking types
  of the member's cases under which they were served in the period: sex and labor (or a case
  of both) is "both"; only sex, "sex"; only labor, "labor"; otherwise "not known". The four
  add up to survivors served, so the row is published with its total.
- **Service contacts**: services delivered in the period.
- **New identifications**: survivors served whose first service from the member falls in the
  period.

The total row adds the members' rows up: a survivor served by two members counts in each
(an unduplicated count across agencies comes with record linkage). Disclosure control
protects the members' rows and the totals together; see thrive.reporting.disclosure.
"""

from collections import defaultdict

from django.db.models import Count, Min, Q
from django.utils.translation import gettext as _

from thrive.cases.models import Case
from thrive.reporting.models import MemberFigures
from thrive.reporting.tables import Figures, Table
from thrive.services.models import Service

TYPES = ("sex", "labor", "both", "unknown")
COLUMNS = ("served", *TYPES, "contacts", "new")


def column_titles():
    return [
        _("Survivors served"),
        _("Sex trafficking"),
        _("Labor trafficking"),
        _("Sex and labor"),
        _("Type not known"),
        _("Service contacts"),
        _("New identifications"),
    ]


def member_counts(organizations, period):
    """{organization id: {column: count}} for organizations on Thrive, in two queries."""
    T = Case.TraffickingType
    in_period = Q(delivered_on__gte=period.start, delivered_on__lte=period.end)
    rows = (
        Service.objects.delivered()
        .filter(organization__in=organizations, delivered_on__lte=period.end)
        .values("organization_id", "survivor_id")
        .annotate(
            first=Min("delivered_on"),
            contacts=Count("pk", filter=in_period),
            sex=Count("pk", filter=in_period & Q(case__trafficking_type=T.SEX)),
            labor=Count("pk", filter=in_period & Q(case__trafficking_type=T.LABOR)),
            both=Count("pk", filter=in_period & Q(case__trafficking_type=T.BOTH)),
        )
        .filter(contacts__gt=0)
        .order_by()
    )
    counts = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    for row in rows:
        found = counts[row["organization_id"]]
        found["served"] += 1
        found["contacts"] += row["contacts"]
        if row["first"] >= period.start:
            found["new"] += 1
        if row["both"] or (row["sex"] and row["labor"]):
            found["both"] += 1
        elif row["sex"]:
            found["sex"] += 1
        elif row["labor"]:
            found["labor"] += 1
        else:
            found["unknown"] += 1
    return counts


def member_report(task_force, period):
    """The Figures of the member report of `task_force` over `period`."""
    members = list(task_force.members.order_by("name", "pk"))
    counts = member_counts(members, period)
    figures = Figures()
    rows = []
    for organization in members:
        found = counts.get(organization.pk, dict.fromkeys(COLUMNS, 0))
        key = ("members", organization.slug)
        for column in (*TYPES, "contacts", "new"):
            figures.count((*key, column), found[column])
        figures.total((*key, "served"), [(*key, t) for t in TYPES])
        rows.append((organization.name, [(*key, c) for c in COLUMNS]))
    # Members not yet on Thrive: the aggregates they reported for exactly this period.
    row_keys = _row_keys(members)
    reported = MemberFigures.objects.filter(
        task_force=task_force, period_start=period.start, period_end=period.end
    ).order_by("organization_name")
    for entry in reported:
        key = ("members", f"reported-{entry.pk}")
        for column in (*TYPES, "contacts", "new"):
            figures.count((*key, column), getattr(entry, column))
        figures.total((*key, "served"), [(*key, t) for t in TYPES])
        rows.append((f"{entry.organization_name} *", [(*key, c) for c in COLUMNS]))
        row_keys.append(key)
    total = ("members", "total")
    for column in COLUMNS:
        figures.total((*total, column), [(*row_key, column) for row_key in row_keys])
    figures.headline((*total, "served"))
    # The total row's own breakdown: its survivors served are its four types.
    figures.totals.append(((*total, "served"), [(*total, t) for t in TYPES]))
    figures.table(
        Table(
            key="members",
            title=_("Member organizations, %(period)s") % {"period": period},
            columns=column_titles(),
            rows=rows,
            total_row=(_("All members"), [(*total, c) for c in COLUMNS]),
            note=_(
                "A survivor served by two members counts in each member's row and twice in the "
                "total."
            )
            + (
                " " + _("* Not yet on Thrive: the figures the member reported for the period.")
                if reported
                else ""
            ),
            chart_column=0,
        )
    )
    return figures


def _row_keys(members):
    return [("members", organization.slug) for organization in members]
