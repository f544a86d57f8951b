"""Recording an outcome assessment: a level for every domain, or 'not applicable' where the
domain allows it; nothing saved on any error."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError

from thrive.audit.models import AuditEvent
from thrive.outcomes.actions import assessment_record, instrument_for
from thrive.outcomes.instruments import load_instrument
from thrive.outcomes.models import Assessment, Domain, Instrument, Level
from thrive.outcomes.progress import graduation_readiness
from thrive.test import DAY, CaseTestCase


class AssessmentRecordTests(CaseTestCase):
    def setUp(self):
        self.instrument = Instrument.objects.default()
        self.codes = list(self.instrument.domains.values_list("code", flat=True))

    def levels(self, **changes):
        return {**dict.fromkeys(self.codes, 3), **changes}

    def record(self, levels, **kwargs):
        return assessment_record(
            self.case,
            actor=self.case_manager,
            instrument=self.instrument,
            kind=kwargs.pop("kind", "intake"),
            assessed_on=kwargs.pop("assessed_on", self.today),
            levels=levels,
            **kwargs,
        )

    def test_an_assessment_keeps_a_level_per_domain_and_its_instrument_version(self):
        assessment = self.record(self.levels(housing=1, family="na"), notes={"housing": "Shelter"})
        self.assertEqual(assessment.instrument.version, 1)
        levels = assessment.levels()
        self.assertEqual((levels["housing"], "family" in levels), (1, False))
        self.assertEqual(len(levels), 12)
        self.assertEqual(assessment.scores.get(domain__code="housing").note, "Shelter")
        self.assertEqual(graduation_readiness(levels), (False, ["housing"]))
        event = AuditEvent.objects.for_object(assessment).get()
        self.assertEqual(event.detail, {"instrument": "soa v1", "kind": "intake"})

    def refused(self, levels, **kwargs):
        with self.assertRaises(ValidationError) as caught:
            self.record(levels, **kwargs)
        self.assertFalse(Assessment.objects.exists())
        return caught.exception.message_dict

    def test_a_level_outside_the_instrument(self):
        errors = self.refused(self.levels(safety=6))
        self.assertEqual(errors["safety"], ["6 is not a level of this instrument."])

    def test_a_missing_level(self):
        levels = self.levels()
        del levels["income"]
        self.assertIn("income", self.refused(levels))

    def test_not_applicable_only_where_the_domain_allows_it(self):
        errors = self.refused(self.levels(safety="na"))
        self.assertIn("applies to everyone", errors["safety"][0])

    def test_dated_before_the_case_opened_or_in_the_future(self):
        self.assertIn("assessed_on", self.refused(self.levels(), assessed_on=self.opened_on - DAY))
        self.assertIn("assessed_on", self.refused(self.levels(), assessed_on=self.today + DAY))

    def test_an_unknown_domain(self):
        self.assertIn("spirituality", self.refused(self.levels(spirituality=3)))


class InstrumentVersionTests(CaseTestCase):
    def test_adopting_a_new_version_never_changes_a_past_assessment(self):
        past = self.record_assessment(level=2, on=self.today - 5 * DAY)
        data = json.loads(
            (Path(__file__).parents[1] / "instruments" / "soa-v1.json").read_text("utf-8")
        )
        data["version"] = 2
        data["domains"] = [d for d in data["domains"] if d["code"] != "education"]
        v2 = load_instrument(data, Instrument=Instrument, Domain=Domain, Level=Level)
        self.program.instrument = v2
        self.program.save()
        self.assertEqual(instrument_for(self.program), v2)
        levels = {d.code: 4 for d in v2.domains.all()}
        now = assessment_record(
            self.case,
            actor=self.case_manager,
            instrument=v2,
            kind="periodic",
            assessed_on=self.today,
            levels=levels,
        )
        past.refresh_from_db()
        self.assertEqual((past.instrument.version, len(past.levels())), (1, 13))
        self.assertEqual(past.levels()["education"], 2)
        self.assertEqual(past.vector, "2" * 13)
        self.assertEqual((now.instrument.version, len(now.levels())), (2, 12))
