"""The program outcome summary, against hand-computed figures on data made by the real
actions, and the Kaplan–Meier median against a hand-worked product-limit estimate."""

import datetime
import math
import random

import numpy as np
from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext

from thrive.cases import actions as cases
from thrive.cases.models import Case
from thrive.lib.dates import months_between
from thrive.outcomes.actions import outcome_event_record
from thrive.outcomes.progress import change_from_baseline
from thrive.outcomes.summary import (
    SMALL_CELL,
    _fit,
    _mean_improvement,
    displayed,
    program_summary,
)
from thrive.survivors.actions import survivor_create
from thrive.test import DAY, SURVIVOR_DATA, CaseTestCase

EPOCH = datetime.date(2026, 1, 1)


class KaplanMeierTests(SimpleTestCase):
    # Six cases, months to improvement, "+" censored: 2, 3+, 4, 5, 6+, 8.
    # Product-limit estimate S(t) = product over event times t_i <= t of (1 - d_i / n_i):
    #   t = 2: 6 at risk, 1 improves  -> S = 5/6             = 0.833
    #   t = 3: censored, leaves the risk set (4 remain)
    #   t = 4: 4 at risk, 1 improves  -> S = 5/6 * 3/4       = 0.625
    #   t = 5: 3 at risk, 1 improves  -> S = 0.625 * 2/3     = 0.417  <= 0.5 for the first time
    #   t = 6: censored (1 remains)
    #   t = 8: 1 at risk, 1 improves  -> S = 0
    # The median is the first time S(t) <= 0.5: 5 months.
    DURATIONS = [2, 3, 4, 5, 6, 8]
    EVENTS = [1, 0, 1, 1, 0, 1]

    def test_lifelines_median_is_the_hand_worked_one(self):
        from lifelines import KaplanMeierFitter

        fitter = KaplanMeierFitter().fit(self.DURATIONS, event_observed=self.EVENTS)
        self.assertEqual(fitter.median_survival_time_, 5)
        self.assertAlmostEqual(fitter.survival_function_.loc[4].iloc[0], 0.625)
        self.assertAlmostEqual(fitter.survival_function_.loc[5].iloc[0], 0.625 * 2 / 3)

    def test_the_fit_on_aggregated_pairs_with_weights_gives_the_same_median(self):
        from lifelines import KaplanMeierFitter

        # Each case three times, durations as days: the same curve, 18 rows, 6 distinct pairs.
        days = [round(m * 365.25 / 12) for m in self.DURATIONS] * 3
        events = self.EVENTS * 3
        months = [months_between(EPOCH, EPOCH + d * DAY) for d in days]
        one_row_each = KaplanMeierFitter().fit(months, event_observed=events)
        fit = _fit(np.array(days), np.array(events, dtype=bool))
        self.assertEqual(fit["summary"]["n"], 18)
        self.assertEqual(fit["summary"]["events"], 12)
        self.assertEqual(fit["summary"]["median"], one_row_each.median_survival_time_)
        self.assertAlmostEqual(fit["summary"]["median"], months[3])  # the 5-month case

    def test_a_median_never_reached_is_infinite(self):
        fit = _fit(np.array([30, 60, 90]), np.array([True, False, False]))
        self.assertEqual(fit["summary"]["median"], math.inf)


class MeanImprovementTests(SimpleTestCase):
    def test_the_cached_mean_improvement_is_change_from_baseline_s(self):
        rng = random.Random(5)
        for _ in range(2000):
            size = rng.randint(1, 13)
            before = {f"d{i}": rng.randint(1, 5) for i in range(size)}
            after = {code: rng.randint(1, 5) for code in before}
            _, overall = change_from_baseline(before, after)
            found = _mean_improvement(size, sum(before.values()), sum(after.values()))
            self.assertEqual(found, overall["improvement"])


class ProgramSummaryTests(CaseTestCase):
    """Five cases in the period (start: 60 days ago), by hand:

    A (the shared case, labor, opened 30 days ago): all 2 at opening; 10 days ago all 3 but
      housing 2. Overall 2 -> 38/13 = 2.92: measurable, not substantial; event at 20 days.
    B (sex): all 3 but family "na" 200 days ago; all 3 100 days ago; 20 days ago housing 5
      (family 5). Housing substantial; overall over 12 shared domains +2/12: none; censored
      at 180 days.
    C (labor): all 2 100 days ago; graduates 40 days ago (assessed all 3 that day):
      substantial everywhere; event at 60 days.
    D (sex): all 2 100 and 50 days ago; closed 45 days ago; a follow-up 10 days ago at 4
      must not count: no improvement, censored at 50 days (not an event at 90).
    E (sex, the shared survivor's second case): one assessment, 5 days ago: counted as
      assessed, compared with nothing.
    F: assessed only 200 days ago, before the period: not counted.
    """

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.start = cls.today - 60 * DAY
        cls.others = [
            survivor_create(
                cls.agency_a,
                actor=cls.case_manager,
                data={**SURVIVOR_DATA, "legal_name": f"Survivor {n}", "preferred_name": f"S{n}"},
            )
            for n in range(4)
        ]

    def open(self, survivor, kind, days_ago):
        case = cases.case_open(
            survivor,
            actor=self.case_manager,
            program=self.program,
            data={
                "case_manager": self.case_manager,
                "trafficking_type": kind,
                "opened_on": self.today - days_ago * DAY,
            },
        )
        cases.case_change_status(case, actor=self.case_manager, to="active")
        return case

    def ago(self, days):
        return self.today - days * DAY

    def build(self):
        self.record_assessment(self.case, level=2, on=self.opened_on, kind="intake")
        self.record_assessment(self.case, level=3, on=self.ago(10), housing=2)
        b = self.open(self.others[0], "sex", 200)
        self.record_assessment(b, level=3, on=self.ago(200), family="na", kind="intake")
        self.record_assessment(b, level=3, on=self.ago(100))
        self.record_assessment(b, level=3, on=self.ago(20), housing=5, family=5)
        c = self.open(self.others[1], "labor", 120)
        self.record_assessment(c, level=2, on=self.ago(100), kind="intake")
        self.graduate(c, on=self.ago(40))
        d = self.open(self.others[2], "sex", 120)
        self.record_assessment(d, level=2, on=self.ago(100), kind="intake")
        self.record_assessment(d, level=2, on=self.ago(50))
        cases.case_change_status(
            d, actor=self.supervisor, to="closed", on=self.ago(45), reason="moved_away"
        )
        self.record_assessment(d, level=4, on=self.ago(10), kind="follow_up")
        e = self.open(self.survivor, "sex", 10)
        self.record_assessment(e, level=1, on=self.ago(5), kind="intake")
        f = self.open(self.others[3], "both", 300)
        self.record_assessment(f, level=1, on=self.ago(200), kind="intake")
        for case, kind, days in [(c, "homelessness", 30), (d, "hospitalization", 50)]:
            outcome_event_record(
                case,
                actor=self.case_manager,
                data={"kind": kind, "occurred_on": self.ago(days), "source": "staff"},
            )
        return {"b": b, "c": c, "d": d}

    def summary(self):
        return program_summary(self.program, start=self.start, end=self.today)

    def row(self, figures, code):
        return next(r for r in figures["rows"] if r["code"] == code)

    def test_cases_and_survivors_assessed_in_the_period(self):
        self.build()
        figures = self.summary()
        self.assertEqual(figures["cases_assessed"], 5)  # A to E; F is before the period
        self.assertEqual(figures["survivors_assessed"], 4)  # A and E are the same survivor

    def test_improvement_shares_per_domain_and_overall(self):
        self.build()
        figures = self.summary()
        counts = {
            code: (row["base"], row["measurable"], row["substantial"])
            for code, row in ((r["code"], r) for r in figures["rows"])
        }
        self.assertEqual(counts["housing"], (4, 2, 2))  # B (3 -> 5) and C; not A nor D
        self.assertEqual(counts["safety"], (4, 2, 2))  # A and C
        self.assertEqual(counts["family"], (3, 2, 2))  # B had it not applicable at baseline
        self.assertEqual(counts["overall"], (4, 2, 1))  # A measurable, C substantial
        self.assertEqual(figures["rows"][-1]["code"], "overall")
        self.assertEqual(len(figures["rows"]), 14)

    def test_months_to_measurable_improvement_overall_and_by_trafficking_type(self):
        self.build()
        km = self.row(self.summary(), "overall")["km"]
        # 20 days (event), 50 (censored), 60 (event), 180 (censored):
        # S = 3/4 after 20 days, 3/4 * 1/2 = 3/8 after 60: the median is 60 days.
        self.assertEqual((km["all"]["n"], km["all"]["events"]), (4, 2))
        self.assertAlmostEqual(km["all"]["median"], months_between(EPOCH, EPOCH + 60 * DAY))
        # Labor: A at 20 days and C at 60: S = 1/2 after 20 days.
        self.assertAlmostEqual(km["labor"]["median"], months_between(EPOCH, EPOCH + 20 * DAY))
        # Sex: B and D both censored.
        self.assertEqual((km["sex"]["n"], km["sex"]["events"]), (2, 0))
        self.assertEqual(km["sex"]["median"], math.inf)
        self.assertEqual(km["both"]["n"], 0)
        self.assertIsNone(km["both"]["median"])

    def test_an_assessment_after_exit_does_not_count(self):
        built = self.build()
        figures = self.summary()
        # D's follow-up at level 4 would have made it improve everywhere, at 90 days.
        self.assertEqual(self.row(figures, "safety")["measurable"], 2)  # A and C, not D
        self.assertEqual(self.row(figures, "overall")["km"]["sex"]["events"], 0)
        # Once the exit moves past the follow-up, it counts.
        built["d"].__class__.objects.filter(pk=built["d"].pk).update(ended_on=self.today)
        figures = self.summary()
        self.assertEqual(self.row(figures, "safety")["measurable"], 3)
        self.assertEqual(self.row(figures, "overall")["km"]["sex"]["events"], 1)

    def test_share_graduated_and_outcome_events_within_a_year_of_exit(self):
        self.build()
        figures = self.summary()
        self.assertEqual(figures["exits"], {"ended": 2, "graduated": 1})  # C graduated, D closed
        events = figures["events"]
        self.assertEqual(events["survivors"], 2)
        by_kind = {k["kind"]: k["survivors"] for k in events["kinds"]}
        self.assertEqual(by_kind["homelessness"], 1)  # C's, 10 days after exit
        self.assertEqual(by_kind["hospitalization"], 0)  # D's was before exit
        self.assertEqual(sum(by_kind.values()), 1)

    def test_a_period_with_no_assessment_counts_nothing(self):
        self.build()
        # 190 to 150 days ago: B and F were assessed 200 days ago, B again 100 days ago.
        figures = program_summary(self.program, start=self.ago(190), end=self.ago(150))
        self.assertEqual(figures["cases_assessed"], 0)
        self.assertEqual(self.row(figures, "overall")["base"], 0)
        self.assertIsNone(self.row(figures, "overall")["km"]["all"]["median"])
        self.assertEqual(figures["curves"], {})

    def test_small_counts_and_their_shares_are_hidden_from_a_role_without_people(self):
        self.build()
        figures = self.summary()
        hidden = displayed(figures, exact=False)
        exact = displayed(figures, exact=True)
        self.assertEqual(hidden["cases_assessed"], f"<{SMALL_CELL}")
        self.assertEqual(exact["cases_assessed"], "5")
        overall = hidden["rows"][-1]
        self.assertEqual((overall["base"], overall["measurable_share"]), ("<10", "—"))
        self.assertEqual(exact["rows"][-1]["measurable_share"], "50%")
        self.assertEqual(hidden["exits"]["share"], "—")
        self.assertEqual(exact["exits"]["share"], "50%")
        self.assertEqual(hidden["curves"], [])
        self.assertTrue(hidden["suppressed"])
        self.assertFalse(exact["suppressed"])
        # Zero is not a small cell: it is shown.
        self.assertEqual(hidden["by_type"][3]["n"], "0")  # no case of both types

    def test_queries_do_not_grow_with_the_data(self):
        def count():
            with CaptureQueriesContext(connection) as captured:
                self.summary()
            return len(captured)

        before = count()
        self.build()
        self.assertEqual(count(), before)


class ShareOfAHiddenCountTests(SimpleTestCase):
    """A share beside a published base gives its part back (share × base): a hidden part
    hides its share; and a part whose remainder is small is hidden too."""

    def summary(self, base, measurable):
        km = {"n": base, "events": measurable, "median": 4.0}
        kinds = ["all", *Case.TraffickingType.values]
        row = {
            "code": "overall",
            "label": "Overall",
            "base": base,
            "measurable": measurable,
            "substantial": 0,
            "km": {kind: km for kind in kinds},
        }
        return {
            "cases_assessed": base,
            "survivors_assessed": base,
            "rows": [row],
            "curves": {},
            "exits": {"ended": 40, "graduated": 37},
            "events": {"survivors": 40, "kinds": [{"label": "Re-arrest", "survivors": 4}]},
        }

    def test_a_small_part_hides_its_share(self):
        shown = displayed(self.summary(50, 5), exact=False)["rows"][0]
        self.assertEqual((shown["measurable"], shown["measurable_share"]), ("<10", "—"))
        self.assertIsNone(shown["measurable_value"])

    def test_a_part_whose_remainder_is_small_is_hidden_with_its_share(self):
        shown = displayed(self.summary(50, 45), exact=False)
        row = shown["rows"][0]
        self.assertEqual((row["measurable"], row["measurable_share"]), ("<10", "—"))
        self.assertEqual(shown["exits"]["graduated"], "<10")  # 40 ended, 3 not graduated
        self.assertEqual(shown["exits"]["share"], "—")
        self.assertEqual(shown["events"]["kinds"][0]["share"], "—")  # 4 of 40

    def test_supervisors_see_every_figure(self):
        shown = displayed(self.summary(50, 45), exact=True)
        self.assertEqual(shown["rows"][0]["measurable_share"], "90%")
        self.assertEqual(shown["exits"]["graduated"], "37")
