"""The scoring engine: each rule, the cut-offs and their edges, and the answer checks."""

from django.test import SimpleTestCase

from thrive.screening.engine import answer_errors, score, score_range
from thrive.screening.instruments import parse_instrument, read_instrument
from thrive.screening.tests.factories import instrument_text, item

SCALE = [
    {"value": "never", "label": {"en": "Never", "es": "Nunca"}, "score": 0},
    {"value": "sometimes", "label": {"en": "Sometimes", "es": "A veces"}, "score": 1},
    {"value": "often", "label": {"en": "Often", "es": "A menudo"}, "score": 2},
]


def definition(**changes):
    return parse_instrument(instrument_text(**changes))


def three_items(**changes):
    sections = [
        {
            "id": "s",
            "title": {"en": "S", "es": "S"},
            "items": [item("a"), item("b"), item("c", required=False)],
        }
    ]
    return definition(options=SCALE, sections=sections, **changes)


class SumRuleTests(SimpleTestCase):
    def test_no_yes_is_no_concern(self):
        self.assertEqual(score(definition(), {"first": "no", "second": "no"}), (0, "no_concern"))

    def test_the_scores_of_the_chosen_options_add_up(self):
        self.assertEqual(
            score(definition(), {"first": "yes", "second": "no"}), (1, "possible_concern")
        )
        self.assertEqual(
            score(definition(), {"first": "yes", "second": "yes"}), (2, "clear_concern")
        )

    def test_an_unanswered_optional_item_counts_nothing(self):
        tool = three_items(
            cutoffs=[
                {"min": 0, "max": 1, "result": "no_concern"},
                {"min": 2, "max": 3, "result": "possible_concern"},
                {"min": 4, "max": 6, "result": "clear_concern"},
            ]
        )
        self.assertEqual(score(tool, {"a": "often", "b": "sometimes"}), (3, "possible_concern"))
        self.assertEqual(score_range(tool), (0, 6))

    def test_each_edge_of_a_cut_off_range_falls_on_its_own_side(self):
        tool = three_items(
            cutoffs=[
                {"min": 0, "max": 1, "result": "no_concern"},
                {"min": 2, "max": 3, "result": "possible_concern"},
                {"min": 4, "max": 6, "result": "clear_concern"},
            ]
        )
        cases = {
            ("never", "sometimes", "never"): (1, "no_concern"),
            ("often", "never", "never"): (2, "possible_concern"),
            ("often", "sometimes", "never"): (3, "possible_concern"),
            ("often", "often", "never"): (4, "clear_concern"),
            ("often", "often", "often"): (6, "clear_concern"),
        }
        for (a, b, c), expected in cases.items():
            with self.subTest(answers=(a, b, c)):
                self.assertEqual(score(tool, {"a": a, "b": b, "c": c}), expected)

    def test_negative_scores_are_summed_too(self):
        options = [
            {"value": "better", "label": {"en": "Better", "es": "Mejor"}, "score": -1},
            {"value": "same", "label": {"en": "Same", "es": "Igual"}, "score": 0},
        ]
        tool = definition(
            options=options,
            cutoffs=[
                {"min": -2, "max": -1, "result": "no_concern"},
                {"min": 0, "max": 0, "result": "possible_concern"},
            ],
        )
        self.assertEqual(score(tool, {"first": "better", "second": "better"}), (-2, "no_concern"))


class AnyYesRuleTests(SimpleTestCase):
    def tool(self):
        return definition(
            scoring={"rule": "any_yes"},
            cutoffs=[
                {"min": 0, "max": 0, "result": "no_concern"},
                {"min": 1, "max": 1, "result": "clear_concern"},
            ],
        )

    def test_one_flagged_answer_is_enough(self):
        self.assertEqual(score(self.tool(), {"first": "no", "second": "yes"}), (1, "clear_concern"))

    def test_two_flagged_answers_score_the_same_as_one(self):
        self.assertEqual(
            score(self.tool(), {"first": "yes", "second": "yes"}), (1, "clear_concern")
        )

    def test_no_flagged_answer_is_no_concern(self):
        self.assertEqual(score(self.tool(), {"first": "no", "second": "no"}), (0, "no_concern"))


class CountAtLevelRuleTests(SimpleTestCase):
    def tool(self):
        return three_items(
            scoring={"rule": "count_at_level", "level": 2},
            cutoffs=[
                {"min": 0, "max": 0, "result": "no_concern"},
                {"min": 1, "max": 2, "result": "possible_concern"},
                {"min": 3, "max": 3, "result": "clear_concern"},
            ],
        )

    def test_only_items_at_or_above_the_level_count(self):
        self.assertEqual(
            score(self.tool(), {"a": "sometimes", "b": "sometimes", "c": "sometimes"}),
            (0, "no_concern"),
        )
        self.assertEqual(
            score(self.tool(), {"a": "often", "b": "sometimes"}), (1, "possible_concern")
        )
        self.assertEqual(
            score(self.tool(), {"a": "often", "b": "often", "c": "often"}), (3, "clear_concern")
        )

    def test_the_possible_scores_run_from_none_to_every_item(self):
        self.assertEqual(score_range(self.tool()), (0, 3))


class ShippedChecklistTests(SimpleTestCase):
    def setUp(self):
        self.checklist = read_instrument()

    def test_no_indicator_is_no_concern(self):
        answers = {i["id"]: "no" for s in self.checklist["sections"] for i in s["items"]}
        self.assertEqual(score(self.checklist, answers), (0, "no_concern"))

    def test_one_or_two_indicators_are_a_possible_concern(self):
        answers = {i["id"]: "unsure" for s in self.checklist["sections"] for i in s["items"]}
        answers |= {"holds_documents": "yes", "takes_earnings": "yes"}
        self.assertEqual(score(self.checklist, answers), (2, "possible_concern"))

    def test_a_minor_in_commercial_sex_is_a_clear_concern_on_its_own(self):
        answers = {i["id"]: "no" for s in self.checklist["sections"] for i in s["items"]}
        answers["minor_commercial_sex"] = "yes"
        self.assertEqual(score(self.checklist, answers), (3, "clear_concern"))

    def test_it_is_labelled_not_validated_in_both_languages(self):
        self.assertFalse(self.checklist["validated"])
        self.assertIn(
            "Not validated: for conversation, not diagnosis", self.checklist["notice"]["en"]
        )
        self.assertIn("No validada", self.checklist["notice"]["es"])

    def test_it_has_eight_to_twelve_items(self):
        count = sum(len(s["items"]) for s in self.checklist["sections"])
        self.assertTrue(8 <= count <= 12, count)


class AnswerCheckTests(SimpleTestCase):
    def test_valid_answers_have_no_errors(self):
        self.assertEqual(answer_errors(definition(), {"first": "yes", "second": "no"}), {})

    def test_an_answer_outside_the_options_is_named_by_its_item(self):
        errors = answer_errors(definition(), {"first": "maybe", "second": "no"})
        self.assertEqual(list(errors), ["first"])
        self.assertIn("“maybe” is not one of the answers", errors["first"])

    def test_an_unknown_item_is_named(self):
        errors = answer_errors(definition(), {"first": "yes", "second": "no", "third": "yes"})
        self.assertEqual(list(errors), ["third"])
        self.assertIn("no question “third”", errors["third"])

    def test_a_missing_required_item_is_named(self):
        self.assertEqual(
            answer_errors(definition(), {"first": "yes"}), {"second": "Answer this question."}
        )

    def test_a_blank_optional_item_is_fine(self):
        self.assertEqual(answer_errors(three_items(), {"a": "often", "b": "never", "c": ""}), {})

    def test_the_engine_refuses_to_score_an_answer_it_does_not_offer(self):
        with self.assertRaises(ValueError):
            score(definition(), {"first": "maybe"})
