"""The program outcome summary page: one program of the user's organization over a period.

Aggregates only (thrive.outcomes.summary); supervisors, program directors and data analysts.
A data analyst sees small cells suppressed; supervisors and directors exact figures.
"""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from thrive.audit.actions import audit_record
from thrive.audit.models import AuditEvent
from thrive.cases.models import Program
from thrive.lib.svg import bar_chart, step_chart
from thrive.outcomes import summary
from thrive.outcomes.access import require_summary_reader

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def last_full_months(today, months=12):
    """The `months` calendar months before today's month: (first day, last day)."""
    end = today.replace(day=1) - datetime.timedelta(days=1)
    index = end.year * 12 + end.month - months
    return datetime.date(index // 12, index % 12 + 1, 1), end


class SummaryForm(forms.Form):
    program = forms.ModelChoiceField(
        label=gettext_lazy("Program"), queryset=Program.objects.none(), empty_label=None
    )
    start = forms.DateField(label=gettext_lazy("From"), widget=DATE_WIDGET)
    end = forms.DateField(label=gettext_lazy("Until"), widget=DATE_WIDGET)

    def __init__(self, data, *, organization, today):
        super().__init__(data)
        self.today = today
        self.fields["program"].queryset = Program.objects.filter(organization=organization).only(
            "pk", "name", "organization_id", "instrument_id"
        )

    def clean_start(self):
        start = self.cleaned_data["start"]
        if start > self.today:
            raise forms.ValidationError(_("The period cannot start in the future."))
        return start

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period ends before it starts."))
        return data


@login_required
@require_GET
def program_summary(request):
    """Figures of one program over a period (default: the last 12 full months)."""
    membership = require_summary_reader(request.user)
    today = timezone.localdate()
    start, end = last_full_months(today)
    programs = list(
        Program.objects.filter(organization=membership.organization).values_list("pk", flat=True)
    )
    defaults = {
        "program": programs[0] if programs else "",
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    data = {**defaults, **{k: v for k, v in request.GET.items() if k in defaults}}
    asked = str(data["program"])
    if asked.isdigit() and int(asked) not in programs:
        raise Http404(_("No such program in your organization."))
    form = SummaryForm(data, organization=membership.organization, today=today)
    context = {"form": form, "figures": None, "has_programs": bool(programs)}
    if programs and form.is_valid():
        program, start, end = (form.cleaned_data[k] for k in ("program", "start", "end"))
        figures = summary.program_summary(program, start=start, end=end)
        audit_record(
            program,
            actor=request.user,
            organization=membership.organization,
            action=AuditEvent.Action.VIEW,
            detail={
                "report": "outcome_summary",
                "start": start.isoformat(),
                "end": end.isoformat(),
            },
        )
        shown = summary.displayed(figures, exact=membership.sees_people)
        context.update(
            program=program,
            start=start,
            end=end,
            figures=figures,
            shown=shown,
            small_cell=summary.SMALL_CELL,
            small_cell_max=summary.SMALL_CELL - 1,
            charts=_charts(shown) if figures["cases_assessed"] else {},
        )
    return render(request, "outcomes/summary.html", context)


def _charts(shown):
    bars = [
        (row["label"], row["measurable_value"], row["measurable_share"]) for row in shown["rows"]
    ]
    return {
        "curves": step_chart(
            shown["curves"],
            title=_("Cases not yet measurably improved (overall mean level), by months"),
            x_label=_("Months since the baseline assessment"),
            y_label=_("Not yet improved"),
        )
        if shown["curves"]
        else None,
        "bars": bar_chart(
            bars,
            title=_("Share of cases with measurable improvement, by domain"),
            max_value=1,
        ),
    }
