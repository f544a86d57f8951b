"""Instrument files: every bad file is refused with a message naming the problem, the shipped
checklist is loaded by the migration, and load_instrument adds versions but never rewrites one."""

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase

from thrive.screening.instruments import InstrumentError, parse_instrument
from thrive.screening.models import ScreeningInstrument
from thrive.screening.tests.factories import YES_NO, instrument_data, instrument_text, item


class RefusedFileTests(SimpleTestCase):
    def assertRefused(self, text, words):  # noqa: N802 (unittest style)
        with self.assertRaises(InstrumentError) as raised:
            parse_instrument(text)
        self.assertIn(words, str(raised.exception))
        return raised.exception.problems

    def test_a_sound_file_is_accepted(self):
        definition = parse_instrument(instrument_text())
        self.assertEqual([i["id"] for i in definition["sections"][0]["items"]], ["first", "second"])
        self.assertEqual(definition["sections"][0]["items"][0]["options"][0]["score"], 1)

    def test_unparseable_json(self):
        self.assertRefused('{"code": "x",', "The file is not valid JSON (line 1, column 14)")

    def test_duplicate_item_ids(self):
        sections = [
            {"id": "a", "title": {"en": "A", "es": "A"}, "items": [item("first")]},
            {"id": "b", "title": {"en": "B", "es": "B"}, "items": [item("first"), item("x")]},
        ]
        self.assertRefused(
            instrument_text(sections=sections),
            "Duplicate item id “first”: each item needs its own.",
        )

    def test_an_option_without_a_score(self):
        options = [dict(YES_NO[0]), {"value": "no", "label": {"en": "No", "es": "No"}}]
        self.assertRefused(
            instrument_text(options=options), "Item “first”, option “no” has no score."
        )

    def test_a_score_that_is_not_a_whole_number(self):
        options = [dict(YES_NO[0], score=0.5), YES_NO[1]]
        self.assertRefused(instrument_text(options=options), "the score must be a whole number")

    def test_cut_offs_that_overlap(self):
        cutoffs = [
            {"min": 0, "max": 1, "result": "no_concern"},
            {"min": 1, "max": 2, "result": "clear_concern"},
        ]
        self.assertRefused(
            instrument_text(cutoffs=cutoffs),
            "The cut-offs overlap: a score of 1 falls in two ranges.",
        )

    def test_cut_offs_that_leave_a_gap_between_them(self):
        cutoffs = [
            {"min": 0, "max": 0, "result": "no_concern"},
            {"min": 2, "max": 2, "result": "clear_concern"},
        ]
        self.assertRefused(
            instrument_text(cutoffs=cutoffs),
            "The cut-offs leave a gap: scores from 1 to 1 have no result.",
        )

    def test_cut_offs_that_stop_short_of_the_highest_possible_score(self):
        cutoffs = [{"min": 0, "max": 1, "result": "no_concern"}]
        self.assertRefused(
            instrument_text(cutoffs=cutoffs),
            "The cut-offs leave a gap: scores from 2 to 2 have no result.",
        )

    def test_cut_offs_that_start_above_the_lowest_possible_score(self):
        cutoffs = [{"min": 1, "max": None, "result": "clear_concern"}]
        self.assertRefused(
            instrument_text(cutoffs=cutoffs),
            "The cut-offs leave a gap: scores from 0 to 0 have no result.",
        )

    def test_an_unknown_result(self):
        cutoffs = [{"min": 0, "max": None, "result": "positive"}]
        self.assertRefused(instrument_text(cutoffs=cutoffs), "unknown result “positive”")

    def test_an_unknown_scoring_rule(self):
        self.assertRefused(
            instrument_text(scoring={"rule": "average"}),
            "Unknown scoring rule “average”: use one of sum, any_yes, count_at_level.",
        )

    def test_count_at_level_without_a_level(self):
        self.assertRefused(
            instrument_text(scoring={"rule": "count_at_level"}),
            "The rule count_at_level needs a whole-number “level”.",
        )

    def test_any_yes_without_a_flagged_option(self):
        options = [dict(YES_NO[0], flag=False), YES_NO[1]]
        self.assertRefused(
            instrument_text(options=options, scoring={"rule": "any_yes"}),
            "The rule any_yes needs at least one option marked “flag”: true.",
        )

    def test_a_missing_spanish_item_text(self):
        sections = [
            {
                "id": "a",
                "title": {"en": "A", "es": "A"},
                "items": [item("first"), {"id": "second", "text": {"en": "Only English?"}}],
            }
        ]
        self.assertRefused(
            instrument_text(sections=sections),
            "Missing translation: Item “second” has no Spanish (es) text.",
        )

    def test_a_missing_translation_of_an_option_label(self):
        options = [dict(YES_NO[0], label={"en": "Yes", "es": " "}), YES_NO[1]]
        self.assertRefused(
            instrument_text(options=options),
            "Missing translation: Item “first”, option “yes” has no Spanish (es) text.",
        )

    def test_a_name_in_one_language_only(self):
        self.assertRefused(
            instrument_text(name="Test tool"),
            "The name must give its text in English and Spanish.",
        )

    def test_missing_keys_are_listed(self):
        data = instrument_data()
        del data["licence"], data["cutoffs"]
        self.assertRefused(json.dumps(data), "The file lacks licence, cutoffs.")

    def test_every_problem_is_reported_at_once(self):
        options = [{"value": "yes", "label": {"en": "Yes"}}]
        problems = self.assertRefused(
            instrument_text(options=options, scoring={"rule": "average"}), "has no score"
        )
        self.assertGreaterEqual(len(problems), 4, problems)


class LoadInstrumentCommandTests(TestCase):
    def write(self, **changes):
        directory = tempfile.mkdtemp()
        path = Path(directory) / "tool.json"
        path.write_text(instrument_text(**changes), encoding="utf-8")
        self.addCleanup(path.unlink)
        return str(path)

    def load(self, path):
        out = StringIO()
        call_command("load_instrument", path, stdout=out)
        return out.getvalue()

    def test_the_migration_loaded_the_shipped_checklist(self):
        checklist = ScreeningInstrument.objects.get(code="thrive-indicators", version=1)
        self.assertFalse(checklist.validated)
        self.assertEqual(checklist.name_es, "Lista de indicadores de Thrive")
        self.assertEqual(len(checklist.items), 11)

    def test_a_program_loads_its_own_file(self):
        self.assertIn("Loaded test-tool version 1.", self.load(self.write()))
        tool = ScreeningInstrument.objects.get(code="test-tool")
        self.assertEqual((tool.version, tool.name, tool.validated), (1, "Test tool", True))
        self.assertEqual(tool.citation, "Written for the tests")

    def test_a_new_version_of_the_same_code_is_a_new_row(self):
        self.load(self.write())
        self.load(self.write(version=2, sections=instrument_data()["sections"][:1]))
        self.assertEqual(
            list(
                ScreeningInstrument.objects.filter(code="test-tool").values_list(
                    "version", flat=True
                )
            ),
            [2, 1],
        )

    def test_loading_the_same_file_twice_changes_nothing(self):
        path = self.write()
        self.load(path)
        self.assertIn("already loaded; nothing changed", self.load(path))
        self.assertEqual(ScreeningInstrument.objects.filter(code="test-tool").count(), 1)

    def test_a_changed_definition_under_a_loaded_version_is_refused(self):
        self.load(self.write())
        changed = self.write(citation="Another citation")
        with self.assertRaisesMessage(CommandError, "test-tool version 1 is already loaded"):
            self.load(changed)
        self.assertEqual(
            ScreeningInstrument.objects.get(code="test-tool").citation, "Written for the tests"
        )

    def test_a_bad_file_is_refused_with_its_problems_and_nothing_is_loaded(self):
        path = self.write(scoring={"rule": "average"})
        with self.assertRaisesMessage(CommandError, "- Unknown scoring rule “average”"):
            self.load(path)
        self.assertFalse(ScreeningInstrument.objects.filter(code="test-tool").exists())

    def test_a_missing_file_is_refused(self):
        with self.assertRaisesMessage(CommandError, "Cannot read /nowhere/tool.json"):
            self.load("/nowhere/tool.json")
