"""The partner directory over /api/v1: search with the page's filters, the confidential
location only for the keeping organization, and entries listed and changed by it alone."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from thrive.cases.tests.test_api_cases import CaseApiTestCase
from thrive.referrals import actions
from thrive.referrals.models import Partner
from thrive.services.models import ServiceType

SECRET = "14 Quiet Orchard Lane, Oakport"


class DirectoryApiTestCase(CaseApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.legal = ServiceType.objects.get(code="immigration_relief")
        cls.safe_house = actions.partner_save(
            Partner(),
            actor=cls.supervisor,
            organization=cls.agency_a,
            data={
                "name": "Harbor safe house",
                "counties": ["Alameda"],
                "languages": ["en", "es"],
                "populations": ["sex"],
                "age_min": 18,
                "location": SECRET,
                "beds_available": 2,
            },
            service_types=[cls.shelter],
        )
        cls.clinic = actions.partner_save(
            Partner(organization=cls.agency_b),
            actor=cls.outsider,
            organization=cls.agency_b,
            data={"name": "Valley legal clinic", "counties": ["Marin"], "languages": ["vi"]},
            service_types=[cls.legal],
        )

    def names(self, query="", user=None):
        body = self.assertJson(self.api("get", f"/partners{query}", user), 200)
        return [p["name"] for p in body["results"]]


class DirectorySearchApiTests(DirectoryApiTestCase):
    def test_every_role_reads_the_directory(self):
        for user in (self.analyst, self.trainer, self.outsider, self.case_manager):
            with self.subTest(user=user.username):
                self.assertEqual(
                    self.names(user=user), ["Harbor safe house", "Valley legal clinic"]
                )
                self.assertJson(self.api("get", f"/partners/{self.clinic.pk}", user), 200)

    def test_the_filters_of_the_page(self):
        self.assertEqual(self.names("?service=emergency_shelter"), ["Harbor safe house"])
        self.assertEqual(self.names("?county=marin"), ["Valley legal clinic"])
        self.assertEqual(self.names("?language=vi"), ["Valley legal clinic"])
        self.assertEqual(self.names("?age=17"), ["Valley legal clinic"])
        self.assertEqual(self.names("?population=labor"), ["Valley legal clinic"])
        self.assertEqual(self.names("?county=Alameda&language=es&age=30"), ["Harbor safe house"])

    def test_bad_filters_are_400_under_their_name(self):
        self.assertFieldError(self.api("get", "/partners?service=nothing"), "service")
        self.assertFieldError(self.api("get", "/partners?language=xx"), "language")
        self.assertFieldError(self.api("get", "/partners?age=-1"), "age")
        self.assertFieldError(self.api("get", "/partners?page=0"), "page")

    def test_an_entry_that_does_not_exist_is_404(self):
        self.assertJson(self.api("get", "/partners/999999"), 404)

    def test_the_list_takes_the_same_queries_however_many_entries(self):
        def count():
            self.api("get", "/partners", self.supervisor)  # the token's use is recorded
            with CaptureQueriesContext(connection) as captured:
                self.assertJson(self.api("get", "/partners", self.supervisor), 200)
            return len(captured)

        few = count()
        for n in range(8):
            actions.partner_save(
                Partner(),
                actor=self.supervisor,
                organization=self.agency_a,
                data={"name": f"Shelter {n}", "location": "Somewhere"},
                service_types=[self.shelter, self.legal],
            )
        self.assertEqual(count(), few)


class ConfidentialLocationApiTests(DirectoryApiTestCase):
    def test_the_keeping_organization_reads_the_location(self):
        body = self.assertJson(self.api("get", f"/partners/{self.safe_house.pk}"), 200)
        self.assertEqual(body["location"], SECRET)
        listed = self.assertJson(self.api("get", "/partners", self.supervisor), 200)
        self.assertEqual(listed["results"][0]["location"], SECRET)

    def test_nobody_else_ever_receives_it(self):
        for user in (self.outsider, self.analyst, self.trainer):
            with self.subTest(user=user.username):
                for path in (
                    f"/partners/{self.safe_house.pk}",
                    "/partners",
                    "/partners?county=Alameda",
                    "/partners?service=emergency_shelter",
                ):
                    response = self.api("get", path, user)
                    self.assertEqual(response.status_code, 200)
                    self.assertNotIn("Quiet Orchard", response.content.decode())
                body = self.api("get", f"/partners/{self.safe_house.pk}", user).json()
                self.assertIsNone(body["location"])

    def test_the_outsider_cannot_reach_it_by_changing_the_entry(self):
        response = self.api(
            "patch", f"/partners/{self.safe_house.pk}", self.outsider, body={"name": "Mine"}
        )
        self.assertJson(response, 403)
        self.assertNotIn("Quiet Orchard", response.content.decode())


class PartnerWriteApiTests(DirectoryApiTestCase):
    def test_a_supervisor_lists_an_external_provider(self):
        body = self.assertJson(
            self.api(
                "post",
                "/partners",
                self.supervisor,
                body={
                    "name": "Bay counselling",
                    "service_types": ["immigration_relief"],
                    "counties": ["Alameda ", ""],
                    "languages": ["es"],
                    "location": "Upstairs",
                },
            ),
            201,
        )
        self.assertFalse(body["on_thrive"])
        self.assertEqual(body["maintained_by_id"], self.agency_a.pk)
        self.assertEqual(body["counties"], ["Alameda"])
        self.assertEqual(body["location"], "Upstairs")
        self.assertEqual([s["code"] for s in body["service_types"]], ["immigration_relief"])

    def test_an_organization_lists_itself_once(self):
        body = {"name": "Agency A", "service_types": ["emergency_shelter"], "on_thrive": True}
        created = self.assertJson(self.api("post", "/partners", self.director, body=body), 201)
        self.assertEqual(created["organization_id"], self.agency_a.pk)
        self.assertFieldError(self.api("post", "/partners", self.director, body=body), "on_thrive")
        self.assertFieldError(
            self.api("post", "/partners", self.outsider, body={**body, "name": "B"}), "on_thrive"
        )

    def test_other_roles_may_not_list_a_provider(self):
        body = {"name": "Nope", "service_types": ["emergency_shelter"]}
        for user in (self.case_manager, self.analyst, self.trainer, self.advocate):
            with self.subTest(user=user.username):
                self.assertJson(self.api("post", "/partners", user, body=body), 403)
        self.assertFalse(Partner.objects.filter(name="Nope").exists())

    def test_bad_input_is_400_by_field_and_nothing_is_saved(self):
        self.assertFieldError(
            self.api(
                "post",
                "/partners",
                self.supervisor,
                body={"name": "X", "service_types": ["nothing"], "age_min": 30, "age_max": 20},
            ),
            "service_types",
            "nothing",
        )
        self.assertFieldError(
            self.api(
                "post",
                "/partners",
                self.supervisor,
                body={"name": "X", "service_types": ["food"], "age_min": 30, "age_max": 20},
            ),
            "age_max",
        )
        self.assertFieldError(
            self.api("post", "/partners", self.supervisor, body={"service_types": ["food"]}),
            "name",
        )
        self.assertFieldError(
            self.api("post", "/partners", self.supervisor, body={"name": "X", "colour": "red"}),
            "colour",
        )
        self.assertJson(self.api("post", "/partners", self.supervisor, raw="[1, 2]"), 400)
        self.assertFalse(Partner.objects.filter(name="X").exists())

    def test_the_keeping_supervisor_changes_only_the_fields_sent(self):
        body = self.assertJson(
            self.api(
                "patch",
                f"/partners/{self.safe_house.pk}",
                self.supervisor,
                body={"counties": ["Alameda", "Marin"], "service_types": ["immigration_relief"]},
            ),
            200,
        )
        self.assertEqual(body["counties"], ["Alameda", "Marin"])
        self.assertEqual(body["languages"], ["en", "es"])
        self.assertEqual(body["location"], SECRET)
        self.assertEqual([s["code"] for s in body["service_types"]], ["immigration_relief"])

    def test_a_case_manager_of_the_keeper_updates_availability_only(self):
        path = f"/partners/{self.safe_house.pk}"
        body = self.assertJson(self.api("patch", path, body={"beds_available": 0}), 200)
        self.assertEqual(body["beds_available"], 0)
        self.assertIsNotNone(body["availability_updated_at"])
        self.assertJson(self.api("patch", path, body={"name": "Renamed"}), 403)
        self.assertJson(self.api("patch", path, self.analyst, body={"beds_available": 3}), 403)
        self.assertJson(self.api("patch", path, self.outsider, body={"beds_available": 3}), 403)
        self.safe_house.refresh_from_db()
        self.assertEqual(
            (self.safe_house.name, self.safe_house.beds_available), ("Harbor safe house", 0)
        )

    def test_a_bad_change_is_400_and_nothing_is_saved(self):
        path = f"/partners/{self.safe_house.pk}"
        self.assertFieldError(
            self.api("patch", path, self.supervisor, body={"beds_available": -1}), "beds_available"
        )
        self.assertFieldError(
            self.api("patch", path, self.supervisor, body={"age_max": 10, "name": "Y"}), "age_max"
        )
        self.assertFieldError(
            self.api("patch", path, self.supervisor, body={"service_types": []}), "service_types"
        )
        self.safe_house.refresh_from_db()
        self.assertEqual(self.safe_house.name, "Harbor safe house")
        self.assertEqual(self.safe_house.beds_available, 2)
