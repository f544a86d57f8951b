"""The gaps report on a small data set made through the real actions: unmet need by service
and county against the directory's supply, acceptance per partner, small cells hidden for
every reader, and who may read it."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from thrive.accounts.models import Organization, Role
from thrive.referrals import actions, gaps
from thrive.referrals.models import Partner, Referral
from thrive.referrals.tests.fixtures import make_referral
from thrive.services.actions import service_record
from thrive.services.models import ServiceType
from thrive.test import DAY, CaseTestCase, make_member

HOUR = datetime.timedelta(hours=1)


class GapsTestCase(CaseTestCase):
    """Agency A (Alameda county): 3 shelter and 12 mental health services needed but
    unavailable; 13 referrals to agency C's clinic (Alameda, Marin): 10 accepted after 1 to 10
    hours, 2 declined, 1 withdrawn before an answer; 1 referral to its own safe house entry."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Organization.objects.filter(pk=cls.agency_a.pk).update(county="Alameda")
        cls.agency_a.refresh_from_db()
        cls.director = make_member("director", cls.agency_a, Role.PROGRAM_DIRECTOR)
        cls.mental = ServiceType.objects.get(code="mental_health")
        cls.legal = ServiceType.objects.get(code="immigration_relief")
        for code, count in ((cls.shelter, 3), (cls.mental, 12)):
            for _ in range(count):
                service_record(
                    cls.case,
                    actor=cls.case_manager,
                    data={
                        "service_type": code,
                        "status": "unavailable",
                        "delivered_on": cls.today - 10 * DAY,
                        "quantity": 1,
                        "unit": code.units[0],
                    },
                )
        cls.safe_house, cls.consent, first = make_referral(cls)
        cls.partner_c.counties = ["Alameda", "Marin"]
        cls.partner_c.save()
        # A second listed provider of immigration relief in Alameda, with beds.
        actions.partner_save(
            Partner(),
            actor=cls.supervisor,
            organization=cls.agency_a,
            data={"name": "Alameda law center", "counties": ["alameda"], "beds_available": 4},
            service_types=[cls.legal],
        )
        referrals = [first] + [cls.send(cls.partner_c) for _ in range(12)]
        sent_at = timezone.now() - 20 * DAY
        for hours, referral in enumerate(referrals[:10], start=1):
            actions.referral_move(
                referral, actor=cls.c_manager, organization=cls.agency_c, to="accepted"
            )
            Referral.objects.filter(pk=referral.pk).update(
                sent_at=sent_at, accepted_at=sent_at + hours * HOUR
            )
        for referral in referrals[10:12]:
            actions.referral_move(
                referral,
                actor=cls.c_manager,
                organization=cls.agency_c,
                to="declined",
                note="No capacity.",
            )
        actions.referral_move(
            referrals[12], actor=cls.case_manager, organization=cls.agency_a, to="withdrawn"
        )
        cls.send(cls.safe_house, categories=["identity"])

    @classmethod
    def send(cls, partner, categories=("identity",)):
        referral = actions.referral_create(
            cls.case,
            actor=cls.case_manager,
            data={
                "partner": partner,
                "urgency": "routine",
                "categories": list(categories),
                "consent": cls.consent,
            },
            service_types=[cls.legal],
        )
        return actions.referral_send(referral, actor=cls.case_manager)

    def figures(self, start=None, end=None):
        return gaps.gaps_of(
            self.agency_a, start=start or self.today - 365 * DAY, end=end or self.today
        )

    def row(self, rows, service_type, county):
        [found] = [r for r in rows if (r["service_type"], r["county"]) == (service_type, county)]
        return found


class GapsFiguresTests(GapsTestCase):
    def test_unmet_need_by_service_and_county_against_the_supply(self):
        figures = self.figures()
        self.assertEqual(
            (figures["unavailable"], figures["not_accepted"], figures["sent"]), (15, 3, 14)
        )
        rows = {(r["service_type"], r["county"]): r for r in figures["need"]}
        self.assertEqual(
            set(rows),
            {
                (self.mental.name, "Alameda"),
                (self.shelter.name, "Alameda"),
                (self.legal.name, "Alameda"),
                (self.legal.name, "Marin"),
            },
        )
        mental = rows[(self.mental.name, "Alameda")]
        self.assertEqual((mental["unavailable"], mental["not_accepted"]), (12, 0))
        self.assertEqual((mental["partners"], mental["beds"]), (0, 0))
        shelter = rows[(self.shelter.name, "Alameda")]
        self.assertEqual((shelter["unavailable"], shelter["partners"], shelter["beds"]), (3, 1, 2))
        legal = rows[(self.legal.name, "Alameda")]
        self.assertEqual((legal["unavailable"], legal["not_accepted"]), (0, 3))
        self.assertEqual((legal["partners"], legal["beds"]), (2, 4))  # agency C and the law center
        marin = rows[(self.legal.name, "Marin")]
        self.assertEqual((marin["not_accepted"], marin["partners"]), (3, 1))
        self.assertEqual(figures["need"][0]["service_type"], self.mental.name)  # largest first

    def test_acceptance_rate_and_median_time_per_partner(self):
        [clinic, safe_house] = self.figures()["partners"]
        self.assertEqual(clinic["name"], "Agency C immigration clinic")
        self.assertEqual((clinic["sent"], clinic["accepted"], clinic["declined"]), (13, 10, 2))
        self.assertEqual(clinic["median_hours"], 5.5)
        self.assertEqual((safe_house["sent"], safe_house["accepted"]), (1, 0))
        self.assertIsNone(safe_house["median_hours"])

    def test_the_period_counts_only_what_falls_in_it(self):
        figures = self.figures(start=self.today - 5 * DAY)
        self.assertEqual(figures["unavailable"], 0)
        # Only the referrals still dated when they were really sent (not moved 20 days back).
        self.assertEqual(figures["sent"], 4)
        empty = self.figures(start=self.today - 900 * DAY, end=self.today - 800 * DAY)
        self.assertEqual((empty["need"], empty["partners"]), ([], []))

    def test_small_cells_are_hidden_and_no_total_gives_them_away(self):
        shown = gaps.displayed(self.figures())
        rows = {(r["service_type"], r["county"]): r for r in shown["need"]}
        mental = rows[(self.mental.name, "Alameda")]
        self.assertEqual((mental["unavailable"], mental["total"]), ("12", "12"))
        shelter = rows[(self.shelter.name, "Alameda")]
        self.assertEqual((shelter["unavailable"], shelter["total"]), ("<10", "<10"))
        self.assertIsNone(shelter["total_value"])
        legal = rows[(self.legal.name, "Alameda")]
        self.assertEqual((legal["not_accepted"], legal["partners"]), ("<10", "2"))
        # 15 in all would give the 3 shelter services away beside the 12 shown.
        self.assertEqual(shown["unavailable"], "≥10")
        self.assertEqual(shown["not_accepted"], "<10")
        [clinic, safe_house] = shown["partners"]
        self.assertEqual(
            (clinic["sent"], clinic["accepted"], clinic["declined"]), ("13", "10", "<10")
        )
        self.assertEqual((clinic["rate"], clinic["median"]), ("77%", "5.5 hours"))
        self.assertEqual(
            (safe_house["sent"], safe_house["rate"], safe_house["median"]), ("<10", "—", "—")
        )
        self.assertTrue(shown["suppressed"])

    def test_a_median_on_fewer_than_ten_acceptances_is_hidden(self):
        figures = self.figures()
        figures["partners"][0]["accepted"] = 9
        shown = gaps.displayed(figures)
        self.assertEqual(shown["partners"][0]["median"], "—")
        self.assertEqual(shown["partners"][0]["rate"], "—")


class GapsPageTests(GapsTestCase):
    def test_supervisors_directors_and_analysts_read_it_with_small_cells_hidden(self):
        for user in (self.supervisor, self.director, self.analyst):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get("/referrals/gaps/")
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "<svg", count=2)
                self.assertContains(response, "&lt;10")
                self.assertContains(response, 'id="small-cells"')
                self.assertContains(response, "5.5 hours")
                self.assertNoSurvivorData(response)

    def test_other_roles_are_refused(self):
        for user in (self.case_manager, self.advocate, self.trainer):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get("/referrals/gaps/").status_code, 403)

    def test_the_outsider_sees_only_its_own_organization_which_has_nothing(self):
        self.login(self.outsider)
        response = self.client.get("/referrals/gaps/")
        self.assertContains(response, "there is nothing to show")
        self.assertNotContains(response, "Agency C immigration clinic")

    def test_a_period_with_no_data_says_so(self):
        self.login(self.supervisor)
        start = (self.today - 900 * DAY).isoformat()
        end = (self.today - 800 * DAY).isoformat()
        response = self.client.get("/referrals/gaps/", {"start": start, "end": end})
        self.assertContains(response, "there is nothing to show")

    def test_a_bad_period_is_told_at_its_field(self):
        self.login(self.supervisor)
        response = self.client.get(
            "/referrals/gaps/", {"start": self.today.isoformat(), "end": "2000-01-01"}
        )
        self.assertEqual(set(response.context["form"].errors), {"end"})
        self.assertIsNone(response.context["figures"])
        response = self.client.get("/referrals/gaps/", {"start": "not a date"})
        self.assertEqual(set(response.context["form"].errors), {"start"})

    def test_the_query_count_does_not_grow_with_the_data(self):
        def count():
            self.login(self.supervisor)
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get("/referrals/gaps/").status_code, 200)
            return len(captured)

        before = count()
        for _ in range(3):
            self.send(self.partner_c)
        self.send(self.safe_house)
        self.assertEqual(count(), before)
