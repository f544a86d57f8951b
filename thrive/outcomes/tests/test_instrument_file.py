"""The outcome instrument file: the shipped one is complete in both languages, a file with a
duplicate domain, a missing anchor or a gap in its levels is refused with a message naming what
is wrong, and the loaded domains carry their anchors."""

import copy
import json
import tempfile
from pathlib import Path

from django.test import SimpleTestCase, TestCase

from thrive.outcomes.instruments import (
    InstrumentError,
    check_instrument,
    load_instrument,
    read_instrument,
)
from thrive.outcomes.models import Domain, Instrument, Level

SHIPPED = read_instrument()


def edited(change):
    data = copy.deepcopy(SHIPPED)
    change(data)
    return data


def domain(data, code):
    return next(d for d in data["domains"] if d["code"] == code)


class ShippedFileTests(SimpleTestCase):
    def test_the_shipped_file_validates_with_thirteen_domains_and_five_levels(self):
        check_instrument(SHIPPED)
        self.assertEqual(len(SHIPPED["domains"]), 13)
        self.assertEqual([lv["number"] for lv in SHIPPED["levels"]], [1, 2, 3, 4, 5])

    def test_every_domain_describes_every_level_in_english_and_spanish(self):
        for d in SHIPPED["domains"]:
            with self.subTest(domain=d["code"]):
                self.assertEqual(set(d["anchors"]), {"1", "2", "3", "4", "5"})
                for anchor in d["anchors"].values():
                    self.assertTrue(anchor["en"].strip())
                    self.assertTrue(anchor["es"].strip())
                    self.assertNotEqual(anchor["en"], anchor["es"])

    def test_anchors_are_short_and_never_repeat_within_a_domain(self):
        for d in SHIPPED["domains"]:
            for lang in ("en", "es"):
                texts = [d["anchors"][str(n)][lang] for n in range(1, 6)]
                self.assertEqual(len(set(texts)), 5, d["code"])
                for text in texts:
                    self.assertLessEqual(len(text), 200, text)

    def test_the_housing_anchors_read_as_the_issue_describes_them(self):
        housing = domain(SHIPPED, "housing")["anchors"]
        self.assertEqual(
            housing["1"]["en"],
            "No safe place to sleep tonight, or living where the trafficker can reach them.",
        )
        self.assertEqual(
            housing["3"]["en"],
            "Safe, stable housing for at least the next few months, even if temporary.",
        )


class RefusedFileTests(SimpleTestCase):
    def assertRefused(self, data, message):  # noqa: N802
        with self.assertRaises(InstrumentError) as refused:
            check_instrument(data)
        self.assertIn(message, refused.exception.problems)
        self.assertIsInstance(refused.exception, ValueError)
        self.assertIn(message, str(refused.exception))

    def test_a_domain_named_twice_is_refused(self):
        data = edited(lambda d: d["domains"].append(copy.deepcopy(domain(d, "housing"))))
        self.assertRefused(data, "Domain “housing” appears twice.")

    def test_a_missing_anchor_is_refused_naming_the_domain_and_level(self):
        data = edited(lambda d: domain(d, "safety")["anchors"].pop("4"))
        self.assertRefused(data, "Domain “safety”, level 4: no anchor.")

    def test_a_domain_without_anchors_is_refused(self):
        data = edited(lambda d: domain(d, "legal").pop("anchors"))
        self.assertRefused(data, "Domain “legal” has no anchors.")

    def test_a_missing_spanish_anchor_is_refused_naming_the_domain_and_level(self):
        data = edited(lambda d: domain(d, "family")["anchors"]["2"].pop("es"))
        self.assertRefused(data, "Domain “family”, level 2: no Spanish (es) anchor.")

    def test_a_blank_english_anchor_is_refused(self):
        def blank(d):
            domain(d, "income")["anchors"]["5"]["en"] = "   "

        self.assertRefused(edited(blank), "Domain “income”, level 5: no English (en) anchor.")

    def test_a_gap_in_the_levels_is_refused_naming_the_missing_level(self):
        def drop_level_three(d):
            d["levels"] = [lv for lv in d["levels"] if lv["number"] != 3]
            d["levels"].append({"number": 6, "name": "Beyond", "name_es": "Más allá"})

        self.assertRefused(
            edited(drop_level_three),
            "Levels must be numbered 1 to 5 without gaps: found 1, 2, 4, 5, 6; level 3 is missing.",
        )

    def test_a_level_numbered_twice_is_refused(self):
        data = edited(lambda d: d["levels"].append(dict(d["levels"][0])))
        self.assertRefused(data, "Level 1 appears twice.")

    def test_an_anchor_for_a_level_the_instrument_lacks_is_refused(self):
        def add(d):
            domain(d, "education")["anchors"]["6"] = {"en": "More", "es": "Más"}

        self.assertRefused(
            edited(add), "Domain “education” has an anchor for level 6, which the instrument lacks."
        )

    def test_every_problem_is_named_at_once(self):
        def break_twice(d):
            domain(d, "safety")["anchors"].pop("1")
            domain(d, "housing")["anchors"]["3"]["es"] = ""

        with self.assertRaises(InstrumentError) as refused:
            check_instrument(edited(break_twice))
        self.assertEqual(
            refused.exception.problems,
            [
                "Domain “safety”, level 1: no anchor.",
                "Domain “housing”, level 3: no Spanish (es) anchor.",
            ],
        )

    def test_an_instrument_of_another_size_is_accepted_when_complete(self):
        def three_levels_two_domains(d):
            d["levels"] = d["levels"][:3]
            d["domains"] = d["domains"][:2]
            for each in d["domains"]:
                each["anchors"] = {k: v for k, v in each["anchors"].items() if int(k) <= 3}

        check_instrument(edited(three_levels_two_domains))

    def test_reading_a_file_checks_it(self):
        data = edited(lambda d: domain(d, "employment")["anchors"].pop("3"))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "soa-v2.json"
            path.write_text(json.dumps(data), encoding="utf-8")
            with self.assertRaisesMessage(ValueError, "Domain “employment”, level 3: no anchor."):
                read_instrument(path)
            path.write_text("{not json", encoding="utf-8")
            with self.assertRaisesMessage(ValueError, "soa-v2.json is not valid JSON"):
                read_instrument(path)


class LoadedAnchorTests(TestCase):
    def test_the_default_instrument_domains_carry_their_anchors_from_the_file(self):
        instrument = Instrument.objects.get(code="soa", version=1)
        for d in SHIPPED["domains"]:
            self.assertEqual(instrument.domains.get(code=d["code"]).anchors, d["anchors"])

    def test_a_new_version_is_loaded_with_its_anchors_and_nothing_on_refusal(self):
        data = edited(lambda d: d.update(version=2))
        load_instrument(data, Instrument=Instrument, Domain=Domain, Level=Level)
        v2 = Instrument.objects.get(code="soa", version=2)
        self.assertEqual(v2.domains.count(), 13)
        self.assertEqual(
            v2.domains.get(code="housing").anchors["3"], domain(data, "housing")["anchors"]["3"]
        )

        broken = edited(lambda d: (d.update(version=3), domain(d, "safety")["anchors"].pop("2")))
        with self.assertRaises(InstrumentError):
            load_instrument(broken, Instrument=Instrument, Domain=Domain, Level=Level)
        self.assertFalse(Instrument.objects.filter(code="soa", version=3).exists())
