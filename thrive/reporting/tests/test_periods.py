import datetime

from django.test import SimpleTestCase

from thrive.reporting.periods import PeriodError, federal_fiscal_year, parse_period

D = datetime.date


class PeriodTests(SimpleTestCase):
    def test_each_way_of_writing_a_period(self):
        cases = {
            "2025": (D(2025, 1, 1), D(2025, 12, 31)),
            "FFY2025": (D(2024, 10, 1), D(2025, 9, 30)),
            "ffy2025": (D(2024, 10, 1), D(2025, 9, 30)),
            "SFY2025": (D(2024, 7, 1), D(2025, 6, 30)),
            "2025-Q3": (D(2025, 7, 1), D(2025, 9, 30)),
            "FFY2025-Q1": (D(2024, 10, 1), D(2024, 12, 31)),
            "SFY2025-Q4": (D(2025, 4, 1), D(2025, 6, 30)),
            "2024-02": (D(2024, 2, 1), D(2024, 2, 29)),
            "2025-01-15..2025-06-30": (D(2025, 1, 15), D(2025, 6, 30)),
        }
        for text, (start, end) in cases.items():
            with self.subTest(text):
                period = parse_period(text)
                self.assertEqual((period.start, period.end), (start, end))

    def test_a_survivor_is_new_in_the_federal_fiscal_year_starting_in_october(self):
        self.assertEqual(federal_fiscal_year(D(2024, 9, 30)), 2024)
        self.assertEqual(federal_fiscal_year(D(2024, 10, 1)), 2025)

    def test_bad_periods_say_what_is_wrong(self):
        for text, message in {
            "": "Give a period.",
            "last year": "is not a period",
            "2025-13": "There is no month 13",
            "2025-06-30..2025-01-01": "The period ends (2025-01-01) before it starts (2025-06-30)",
            "2025-02-30..2025-03-01": "Not a date",
        }.items():
            with self.subTest(text), self.assertRaisesMessage(PeriodError, message):
                parse_period(text)
