"""Recording a screening: answers checked against the instrument version, scored, audited;
a later version of the instrument never rewrites an earlier result."""

import json

from django.core.exceptions import ValidationError

from thrive.audit.models import AuditEvent
from thrive.screening.actions import screening_record
from thrive.screening.instruments import load_instrument, parse_instrument
from thrive.screening.models import Screening, ScreeningInstrument
from thrive.screening.tests.factories import instrument_data, instrument_text, item
from thrive.test import BaseTestCase


def checklist():
    return ScreeningInstrument.objects.get(code="thrive-indicators", version=1)


def all_no(instrument, **changes):
    return {i["id"]: "no" for i in instrument.items} | changes


class ScreeningRecordTests(BaseTestCase):
    def record(self, answers, instrument=None, **kwargs):
        instrument = instrument or checklist()
        return screening_record(
            self.survivor, actor=self.advocate, instrument=instrument, answers=answers, **kwargs
        )

    def test_a_screening_is_scored_and_saved_with_its_instrument_version(self):
        tool = checklist()
        screening = self.record(all_no(tool, threats="yes"), notes="Spoke from a friend's phone.")
        screening.refresh_from_db()
        self.assertEqual((screening.score, screening.result), (1, "possible_concern"))
        self.assertEqual(screening.instrument, tool)
        self.assertEqual(screening.organization, self.agency_a)
        self.assertEqual(screening.administered_by, self.advocate)
        self.assertEqual(screening.answers["threats"], "yes")
        self.assertEqual(screening.notes, "Spoke from a friend's phone.")

    def test_it_is_audited_without_the_answers_or_notes(self):
        screening = self.record(all_no(checklist()), notes="private words")
        event = AuditEvent.objects.get(action="create", object_type="screening.screening")
        self.assertEqual(event.object_id, str(screening.pk))
        self.assertEqual(event.actor, self.advocate)
        self.assertNotIn("private", str(event.detail))
        self.assertNotIn("threats", str(event.detail))

    def assertRefused(self, answers, item_id, words):  # noqa: N802 (unittest style)
        with self.assertRaises(ValidationError) as raised:
            self.record(answers)
        self.assertIn(item_id, raised.exception.message_dict)
        self.assertIn(words, " ".join(raised.exception.message_dict[item_id]))
        self.assertFalse(Screening.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(object_type="screening.screening").exists())

    def test_an_answer_outside_the_options_is_refused_naming_the_item(self):
        self.assertRefused(all_no(checklist(), threats="sometimes"), "threats", "“sometimes”")

    def test_an_unknown_item_is_refused_naming_it(self):
        self.assertRefused(all_no(checklist(), shoe_size="yes"), "shoe_size", "no question")

    def test_a_missing_required_item_is_refused_naming_it(self):
        answers = all_no(checklist())
        del answers["holds_documents"]
        self.assertRefused(answers, "holds_documents", "Answer this question.")

    def test_answers_that_are_not_a_mapping_are_refused(self):
        with self.assertRaises(ValidationError):
            self.record(["yes", "no"])
        self.assertFalse(Screening.objects.exists())

    def test_stored_encrypted_notes_are_not_in_the_database_column(self):
        from django.db import connection

        screening = self.record(all_no(checklist()), notes="She keeps her passport hidden.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT notes FROM screening_screening WHERE id = %s", [screening.pk])
            (stored,) = cursor.fetchone()
        self.assertNotIn("passport", stored)


class VersioningTests(BaseTestCase):
    def test_a_new_version_never_rewrites_an_old_result(self):
        v1, _ = load_instrument(
            parse_instrument(instrument_text()), ScreeningInstrument=ScreeningInstrument
        )
        old = screening_record(
            self.survivor,
            actor=self.advocate,
            instrument=v1,
            answers={"first": "yes", "second": "no"},
        )
        self.assertEqual((old.score, old.result), (1, "possible_concern"))

        # Version 2 rewords the first question, drops the second, adds a third and makes any
        # single yes a clear concern.
        data = instrument_data(version=2)
        data["sections"][0]["items"] = [
            item("first", "Reworded first question?", "¿Primera pregunta reformulada?"),
            item("third"),
        ]
        data["cutoffs"] = [
            {"min": 0, "max": 0, "result": "no_concern"},
            {"min": 1, "max": None, "result": "clear_concern"},
        ]
        v2, created = load_instrument(
            parse_instrument(json.dumps(data)), ScreeningInstrument=ScreeningInstrument
        )
        self.assertTrue(created)
        new = screening_record(
            self.survivor,
            actor=self.advocate,
            instrument=v2,
            answers={"first": "yes", "third": "no"},
        )
        self.assertEqual((new.score, new.result), (1, "clear_concern"))

        old.refresh_from_db()
        self.assertEqual((old.score, old.result, old.instrument_id), (1, "possible_concern", v1.pk))
        self.assertEqual(old.answers, {"first": "yes", "second": "no"})

        self.login(self.advocate)
        page = self.client.get(f"/screening/{old.pk}/")
        self.assertContains(page, "Question first?")
        self.assertContains(page, "Question second?")
        self.assertNotContains(page, "Reworded first question?")
        self.assertContains(page, "version 1")
        self.assertContains(page, "Possible concern")
