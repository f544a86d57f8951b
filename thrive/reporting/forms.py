from django import forms
from django.utils.translation import gettext_lazy

from thrive.reporting.disclosure import Rule
from thrive.reporting.periods import PeriodError, parse_period


class ReportForm(forms.Form):
    period = forms.CharField(
        label=gettext_lazy("Period"),
        max_length=40,
        help_text=gettext_lazy(
            "2025, FFY2025, SFY2025, 2025-Q3, 2025-07 or 2025-01-01..2025-06-30"
        ),
    )
    k = forms.IntegerField(
        label=gettext_lazy("Smallest count shown"),
        min_value=2,
        max_value=100,
        initial=10,
        help_text=gettext_lazy("Counts below this number are hidden."),
    )
    exact = forms.BooleanField(
        label=gettext_lazy("Exact figures (for use inside the organization only)"),
        required=False,
    )

    def __init__(self, data, *, exact_allowed):
        super().__init__(data)
        if not exact_allowed:
            del self.fields["exact"]

    def clean_period(self):
        try:
            return parse_period(self.cleaned_data["period"])
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from None

    @property
    def rule(self):
        return Rule(k=self.cleaned_data["k"])

    @property
    def suppress(self):
        return not self.cleaned_data.get("exact")


def default_period(today):
    """The last full calendar year: the year a task force publishes."""
    return str(today.year - 1)


class MemberFiguresForm(forms.ModelForm):
    """A member not yet on Thrive: its aggregates for one period, as it reported them."""

    period = forms.CharField(
        label=gettext_lazy("Period"),
        max_length=40,
        help_text=gettext_lazy(
            "The period of the member report these figures belong to: 2025, FFY2025, …"
        ),
    )

    class Meta:
        from thrive.reporting.models import MemberFigures

        model = MemberFigures
        fields = [
            "organization_name",
            "period",
            "served",
            "sex",
            "labor",
            "both",
            "unknown",
            "contacts",
            "new",
        ]

    def clean_period(self):
        try:
            period = parse_period(self.cleaned_data["period"])
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from None
        self.instance.period_start = period.start
        self.instance.period_end = period.end
        self.instance.period_name = str(period)[:40]
        return period

    def figures_data(self):
        data = {k: v for k, v in self.cleaned_data.items() if k != "period"}
        period = self.cleaned_data["period"]
        data.update(period_start=period.start, period_end=period.end, period_name=str(period)[:40])
        return data
