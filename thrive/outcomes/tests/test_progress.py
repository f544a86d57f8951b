"""Graduation readiness and improvement from the baseline, against hand-computed examples."""

from decimal import Decimal

from django.test import SimpleTestCase

from thrive.outcomes.progress import change_from_baseline, graduation_readiness, improvement


class ImprovementTests(SimpleTestCase):
    def test_half_a_point_is_measurable_and_a_point_substantial(self):
        self.assertEqual(improvement(2, 2), "")
        self.assertEqual(improvement(2.0, 2.4), "")
        self.assertEqual(improvement(2.0, 2.5), "measurable")
        self.assertEqual(improvement(2.0, 2.9), "measurable")
        self.assertEqual(improvement(2, 3), "substantial")
        self.assertEqual(improvement(3, 2), "")
        self.assertEqual(improvement(None, 3), "")

    def test_the_mean_counts_only_domains_applicable_at_both_times(self):
        # Baseline: safety 1, housing 2, income 2, family not applicable.
        # Now: safety 2, housing 3, income 2, family 4 (now applicable: left out).
        # Shared mean: (1+2+2)/3 = 5/3 -> (2+3+2)/3 = 7/3; change 2/3 = 0.67: measurable.
        baseline = {"safety": 1, "housing": 2, "income": 2}
        current = {"safety": 2, "housing": 3, "income": 2, "family": 4}
        per_domain, overall = change_from_baseline(baseline, current)
        self.assertEqual(set(per_domain), {"safety", "housing", "income"})
        self.assertEqual(per_domain["housing"], (2, 3, 1, "substantial"))
        self.assertEqual(per_domain["income"], (2, 2, 0, ""))
        self.assertEqual(overall["baseline"], Decimal(5) / 3)
        self.assertAlmostEqual(overall["change"], Decimal(2) / 3, places=9)
        self.assertEqual(overall["improvement"], "measurable")

    def test_a_mean_rise_of_exactly_one_point_is_substantial(self):
        # (1+1+2+2)/4 = 1.5 -> (2+2+3+3)/4 = 2.5.
        _, overall = change_from_baseline(
            {"a": 1, "b": 1, "c": 2, "d": 2}, {"a": 2, "b": 2, "c": 3, "d": 3}
        )
        self.assertEqual((overall["change"], overall["improvement"]), (1, "substantial"))


class GraduationReadinessTests(SimpleTestCase):
    def test_every_applicable_domain_at_stable_or_above(self):
        self.assertEqual(
            graduation_readiness({"safety": 3, "housing": 4, "family": None}), (True, [])
        )

    def test_the_domains_still_below_are_named(self):
        ready, below = graduation_readiness(
            {"safety": 3, "housing": 2, "income": 1, "family": None}
        )
        self.assertFalse(ready)
        self.assertEqual(below, ["housing", "income"])

    def test_not_applicable_domains_never_hold_a_survivor_back(self):
        self.assertEqual(
            graduation_readiness({"safety": 5, "immigration": None, "family": None}), (True, [])
        )

    def test_the_threshold_is_configurable(self):
        self.assertEqual(graduation_readiness({"safety": 3}, threshold=4), (False, ["safety"]))

    def test_nothing_applicable_is_not_ready(self):
        self.assertEqual(graduation_readiness({"family": None}), (False, []))
