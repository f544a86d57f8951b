import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from thrive.survivors.actions import survivor_create
from thrive.test import SURVIVOR_DATA, BaseTestCase


class SurvivorListTests(BaseTestCase):
    def add_survivors(self, n, organization=None):
        for i in range(n):
            survivor_create(
                organization or self.agency_a,
                actor=self.case_manager,
                data={"preferred_name": f"Person {i}", "legal_name": f"Person Number {i}"},
            )

    def test_the_list_shows_the_organizations_survivors_person_first(self):
        self.login(self.advocate)
        response = self.client.get("/survivors/")
        self.assertContains(response, "Majo")
        self.assertContains(response, self.survivor.record_label)

    def test_the_list_never_shows_another_organizations_survivors(self):
        survivor_create(self.agency_b, actor=self.outsider, data={"preferred_name": "Bea"})
        self.login(self.case_manager)
        self.assertNotContains(self.client.get("/survivors/"), "Bea")
        self.login(self.outsider)
        response = self.client.get("/survivors/")
        self.assertContains(response, "Bea")
        self.assertNoSurvivorData(response)

    def test_the_query_count_does_not_grow_with_the_number_of_survivors(self):
        self.login(self.case_manager)
        with CaptureQueriesContext(connection) as few:
            self.client.get("/survivors/")
        self.add_survivors(60)
        with CaptureQueriesContext(connection) as many:
            response = self.client.get("/survivors/")
        self.assertContains(response, "Page 1 of 2")
        self.assertEqual(len(few), len(many))
        self.assertLessEqual(len(many), 10)

    def test_a_search_by_name_ignores_case_accents_and_spacing(self):
        self.login(self.case_manager)
        for term in ["maria jose castillo", "MARÍA  JOSÉ CASTILLO", "majo", "Mary C"]:
            with self.subTest(term=term):
                response = self.client.post("/survivors/", {"q": term})
                self.assertContains(response, "1 survivor found")
                self.assertContains(response, self.survivor.record_label)

    def test_a_partial_name_finds_no_one(self):
        self.login(self.case_manager)
        response = self.client.post("/survivors/", {"q": "Castillo"})
        self.assertContains(response, "0 survivors found")

    def test_a_search_by_record_number_or_phone(self):
        self.login(self.case_manager)
        label = self.survivor.record_label
        for term in [label, label.lower(), str(self.survivor.record_number), "415-555-0142"]:
            with self.subTest(term=term):
                response = self.client.post("/survivors/", {"q": term})
                self.assertContains(response, "1 survivor found")

    def test_an_htmx_search_returns_only_the_results_fragment(self):
        self.login(self.case_manager)
        response = self.client.post("/survivors/", {"q": "majo"}, headers={"HX-Request": "true"})
        self.assertContains(response, "1 survivor found")
        self.assertNotContains(response, "<html")
        self.assertIn("HX-Request", response["Vary"])

    def test_a_searched_name_never_appears_in_a_url(self):
        self.login(self.supervisor)
        response = self.client.post("/survivors/", {"q": "maria jose castillo"})
        for link in re.findall(
            r'(?:href|action|hx-post|hx-get)="([^"]*)"', response.content.decode()
        ):
            self.assertNotIn("castillo", link.lower())

    def test_a_name_shared_with_another_organization_finds_only_ours(self):
        survivor_create(self.agency_b, actor=self.outsider, data=dict(SURVIVOR_DATA))
        self.login(self.case_manager)
        response = self.client.post("/survivors/", {"q": "María José Castillo"})
        self.assertContains(response, "1 survivor found")
