import datetime
import json
import random
from unittest import mock

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from thrive.accounts.actions import api_token_create
from thrive.audit.models import AuditEvent
from thrive.survivors.actions import survivor_create
from thrive.survivors.api import SurvivorFields
from thrive.survivors.models import Survivor
from thrive.test import BaseTestCase

NEW_SURVIVOR = {
    "preferred_name": "Lupe",
    "legal_name": "Guadalupe Ortiz",
    "date_of_birth": "2001-02-03",
    "phone": "(510) 555-0101",
    "email": "lupe@example.org",
    "may_call": "yes",
    "race_ethnicity": ["hispanic_latino"],
    "country_of_birth": "GT",
    "age_first_trafficked": 17,
}


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])  # speed only
class SurvivorApiTestCase(BaseTestCase):
    """Calls /api/v1 as a given user, through a token made by the real action."""

    def token(self, user, organization=None):
        membership = user.memberships.get(organization=organization or self.agency_a)
        return api_token_create(membership, actor=user, name="test")[1]

    def api(self, method, path, user=None, *, token=None, body=None, raw=None):
        token = token or self.token(user or self.case_manager)
        headers = {"authorization": f"Bearer {token}"}
        if method == "get":
            return self.client.get(f"/api/v1{path}", headers=headers)
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return getattr(self.client, method)(
            f"/api/v1{path}", data=data, content_type="application/json", headers=headers
        )

    def search(self, term, user=None, *, token=None):
        return self.api("post", "/survivors/search", user, token=token, body={"q": term})

    def found(self, term, **kwargs):
        """The ids a search finds."""
        body = self.assertJson(self.search(term, **kwargs), 200)
        return [result["id"] for result in body["results"]]

    def survivor_events(self, action=None):
        events = AuditEvent.objects.filter(object_type="survivors.survivor")
        return events.filter(action=action) if action else events

    def assertJson(self, response, status):  # noqa: N802 (unittest style)
        self.assertEqual(response.status_code, status, response.content[:500])
        self.assertTrue(response["Content-Type"].startswith("application/json"))
        return response.json()


class SurvivorListApiTests(SurvivorApiTestCase):
    def test_lists_the_organizations_survivors_as_summaries(self):
        body = self.assertJson(self.api("get", "/survivors"), 200)
        self.assertEqual(body["count"], 1)
        self.assertEqual(
            body["results"],
            [
                {
                    "id": self.survivor.pk,
                    "record_label": "S-00001",
                    "display_name": "Majo",
                    "current_age": self.survivor.current_age,
                    "primary_language": "es",
                }
            ],
        )

    def test_finds_a_survivor_by_exact_name_through_the_blind_index(self):
        for term in ("María José Castillo", "maria jose  CASTILLO", "Majo", "Mary C"):
            self.assertEqual(self.found(term), [self.survivor.pk], term)
        self.assertEqual(self.found("Castillo"), [], "a part of a name is not an exact name")

    def test_finds_a_survivor_by_record_number(self):
        for term in ("S-00001", "s-1", "1"):
            self.assertEqual(self.found(term), [self.survivor.pk], term)
        self.assertEqual(self.found("S-00002"), [])

    def test_finds_a_survivor_by_phone_however_it_is_written(self):
        for term in ("415-555-0142", "+1 (415) 555 0142", "4155550142"):
            self.assertEqual(self.found(term), [self.survivor.pk], term)

    def test_a_search_term_in_the_url_is_refused_not_ignored(self):
        response = self.api("get", "/survivors?q=Majo")
        self.assertIn("POST", " ".join(self.assertJson(response, 400)["errors"]["q"]))
        self.assertNoSurvivorData(response)
        self.assertFalse(self.survivor_events("search").exists())

    def test_a_search_needs_a_term(self):
        for body in ({}, {"q": ""}, {"q": "   "}, {"q": 42}, {"q": "x" * 201}):
            response = self.api("post", "/survivors/search", body=body)
            self.assertIn("q", self.assertJson(response, 400)["errors"], body)
        self.assertFalse(self.survivor_events("search").exists())

    def test_a_search_is_audited_by_kind_and_count_never_by_term(self):
        self.search("Majo")
        event = self.survivor_events("search").get()
        self.assertEqual(event.detail, {"by": "name", "results": 1})
        self.assertEqual(event.actor, self.case_manager)
        self.assertNotIn("Majo", json.dumps(event.detail))

    def test_a_list_without_a_search_is_not_audited(self):
        self.api("get", "/survivors")
        self.assertFalse(self.survivor_events("search").exists())

    def test_page_numbers_start_at_one(self):
        body = self.assertJson(self.api("get", "/survivors?page=0"), 400)
        self.assertIn("page", body["errors"])
        self.assertJson(self.api("get", "/survivors?page=abc"), 400)

    def test_the_query_count_does_not_grow_with_the_number_of_survivors(self):
        token = self.token(self.case_manager)
        self.api("get", "/survivors", token=token)  # the token's first use is recorded
        with CaptureQueriesContext(connection) as few:
            self.api("get", "/survivors", token=token)
        for i in range(5):
            survivor_create(
                self.agency_a, actor=self.case_manager, data={"preferred_name": f"Person {i}"}
            )
        with CaptureQueriesContext(connection) as many:
            body = self.api("get", "/survivors", token=token).json()
        self.assertEqual(body["count"], 6)
        self.assertEqual(len(few), len(many))
        self.assertLessEqual(len(many), 4)


class SurvivorCreateApiTests(SurvivorApiTestCase):
    def test_creates_a_survivor_and_answers_201_with_the_record(self):
        body = self.assertJson(self.api("post", "/survivors", body=NEW_SURVIVOR), 201)
        survivor = Survivor.objects.get(pk=body["id"])
        self.assertEqual(survivor.organization, self.agency_a)
        self.assertEqual(survivor.legal_name, "Guadalupe Ortiz")
        self.assertEqual(body["record_label"], "S-00002")
        self.assertEqual(body["legal_name"], "Guadalupe Ortiz")
        self.assertEqual(body["age_at_intake"], survivor.age_at_intake)
        self.assertEqual(Survivor.objects.with_phone("510 555 0101").get(), survivor)

    def test_record_numbers_count_up_within_the_organization(self):
        labels = [
            self.api("post", "/survivors", body={"preferred_name": name}).json()["record_label"]
            for name in ("Ana", "Bea", "Cris")
        ]
        self.assertEqual(labels, ["S-00002", "S-00003", "S-00004"])

    def test_the_create_event_names_the_fields_given_but_never_their_values(self):
        body = self.api("post", "/survivors", body=NEW_SURVIVOR).json()
        event = self.survivor_events("create").get(object_id=str(body["id"]))
        self.assertEqual(event.actor, self.case_manager)
        self.assertEqual(event.changed_fields, sorted(NEW_SURVIVOR))
        stored = json.dumps([event.changed_fields, event.detail])
        for value in ("Lupe", "Ortiz", "555-0101", "lupe@example.org", "2001"):
            self.assertNotIn(value, stored)

    def test_null_leaves_a_text_field_blank(self):
        payload = {"preferred_name": "Ana", "phone": None, "race_ethnicity": None}
        body = self.assertJson(self.api("post", "/survivors", body=payload), 201)
        self.assertEqual((body["phone"], body["race_ethnicity"]), ("", []))


class SurvivorReadApiTests(SurvivorApiTestCase):
    def test_reads_a_survivor_and_records_the_view(self):
        body = self.assertJson(self.api("get", f"/survivors/{self.survivor.pk}"), 200)
        self.assertEqual(body["legal_name"], "María José Castillo")
        self.assertEqual(body["date_of_birth"], "1999-04-17")
        self.assertEqual(body["code_word"], "marigold")
        event = self.survivor_events("view").get()
        self.assertEqual(event.object_id, str(self.survivor.pk))
        self.assertEqual(event.actor, self.case_manager)
        self.assertEqual(event.detail, {"via": "api"})

    def test_survivor_data_is_never_cached(self):
        response = self.api("get", f"/survivors/{self.survivor.pk}")
        self.assertIn("no-store", response["Cache-Control"])


class SurvivorUpdateApiTests(SurvivorApiTestCase):
    def patch(self, body, user=None):
        return self.api("patch", f"/survivors/{self.survivor.pk}", user, body=body)

    def test_changes_only_the_fields_sent(self):
        body = self.assertJson(self.patch({"phone": "+1 415 555 0199"}), 200)
        self.assertEqual(body["phone"], "+1 415 555 0199")
        self.survivor.refresh_from_db()
        self.assertEqual(self.survivor.phone, "+1 415 555 0199")
        self.assertEqual(self.survivor.legal_name, "María José Castillo")
        self.assertEqual(self.survivor.may_text, "yes")

    def test_the_change_event_names_the_changed_fields_only(self):
        self.patch({"phone": "+1 415 555 0199", "preferred_name": "Majo", "may_call": "no"})
        event = self.survivor_events("change").get()
        self.assertEqual(event.changed_fields, ["phone"])
        self.assertEqual(event.actor, self.case_manager)
        self.assertNotIn("0199", json.dumps([event.changed_fields, event.detail]))

    def test_a_patch_that_changes_nothing_records_no_change(self):
        self.assertJson(self.patch({"preferred_name": "Majo"}), 200)
        self.assertFalse(self.survivor_events("change").exists())

    def test_null_blanks_a_field(self):
        body = self.assertJson(self.patch({"code_word": None, "race_ethnicity": None}), 200)
        self.assertEqual((body["code_word"], body["race_ethnicity"]), ("", []))
        event = self.survivor_events("change").get()
        self.assertEqual(event.changed_fields, ["code_word", "race_ethnicity"])

    def test_the_blind_index_follows_a_changed_name(self):
        self.patch({"preferred_name": "Paloma"})
        self.assertEqual(self.found("paloma"), [self.survivor.pk])
        self.assertEqual(self.found("majo"), [])


class SurvivorApiAccessTests(SurvivorApiTestCase):
    def test_the_outsider_gets_404_for_every_survivor_of_agency_a(self):
        token = self.token(self.outsider, self.agency_b)
        missing = self.api("get", "/survivors/999999", token=token)
        for method, body in (("get", None), ("patch", {"phone": "+1 555 010 0199"})):
            response = self.api(method, f"/survivors/{self.survivor.pk}", token=token, body=body)
            self.assertEqual(self.assertJson(response, 404), {"detail": "Not found."})
            self.assertEqual(response.content, missing.content, "a guessed id tells nothing")
            self.assertNoSurvivorData(response)
        self.survivor.refresh_from_db()
        self.assertEqual(self.survivor.phone, "+1 (415) 555-0142")
        self.assertFalse(self.survivor_events().exclude(action="create").exists())

    def test_the_outsider_never_finds_agency_a_in_a_list_or_search(self):
        token = self.token(self.outsider, self.agency_b)
        response = self.api("get", "/survivors", token=token)
        self.assertEqual(self.assertJson(response, 200)["count"], 0)
        for term in ("María José Castillo", "S-00001", "415-555-0142"):
            response = self.search(term, token=token)
            self.assertEqual(self.assertJson(response, 200)["count"], 0, term)
            self.assertNoSurvivorData(response)

    def test_the_outsider_creates_in_agency_b(self):
        token = self.token(self.outsider, self.agency_b)
        body = self.api("post", "/survivors", token=token, body={"preferred_name": "Bea"}).json()
        self.assertEqual(Survivor.objects.get(pk=body["id"]).organization, self.agency_b)
        self.assertEqual(body["record_label"], "S-00001")

    def test_analysts_and_trainers_get_403_on_every_survivor_endpoint(self):
        pk = self.survivor.pk
        calls = [
            ("get", "/survivors", None),
            ("post", "/survivors/search", {"q": "Majo"}),
            ("post", "/survivors", NEW_SURVIVOR),
            ("get", f"/survivors/{pk}", None),
            ("patch", f"/survivors/{pk}", {"phone": "+1 555 010 0199"}),
            ("get", "/survivors/999999", None),
        ]
        for user in (self.analyst, self.trainer):
            token = self.token(user)
            for method, path, body in calls:
                response = self.api(method, path, token=token, body=body)
                self.assertIn("detail", self.assertJson(response, 403), (user, method, path))
                self.assertNoSurvivorData(response)
        self.assertEqual(Survivor.objects.count(), 1)
        self.assertFalse(self.survivor_events().exclude(action="create").exists())

    def test_the_role_is_refused_before_the_body_is_read(self):
        token = self.token(self.trainer)
        for raw in ("", "{}", "[]", "{bad", '{"age_at_intake": "old"}'):
            for method, path in (("post", "/survivors"), ("patch", "/survivors/999999")):
                response = self.api(method, path, token=token, raw=raw)
                self.assertEqual(self.assertJson(response, 403).keys(), {"detail"}, raw)

    def test_every_role_that_sees_people_reads_the_record(self):
        for user in (self.advocate, self.case_manager, self.supervisor):
            self.assertJson(self.api("get", f"/survivors/{self.survivor.pk}", user), 200)

    def test_a_browser_session_alone_does_not_authenticate_the_api(self):
        self.login(self.case_manager)
        for method, path, body in (
            ("get", "/api/v1/survivors", None),
            ("get", f"/api/v1/survivors/{self.survivor.pk}", None),
            ("post", "/api/v1/survivors", json.dumps(NEW_SURVIVOR)),
            ("patch", f"/api/v1/survivors/{self.survivor.pk}", '{"phone": "+1 555 010 0199"}'),
        ):
            if body is None:
                response = self.client.get(path)
            else:
                response = getattr(self.client, method)(
                    path, data=body, content_type="application/json"
                )
            self.assertEqual(
                self.assertJson(response, 401), {"detail": "A valid API token is required."}
            )
            self.assertNoSurvivorData(response)
        self.assertEqual(Survivor.objects.count(), 1)
        self.assertFalse(self.survivor_events().exclude(action="create").exists())


class SurvivorApiBadInputTests(SurvivorApiTestCase):
    """Refused with 400, errors filed under the field, and nothing saved: no row, no event."""

    def assertRefused(self, response, field, fragment=""):  # noqa: N802
        body = self.assertJson(response, 400)
        self.assertIn(field, body["errors"], body)
        self.assertIn(fragment, " ".join(body["errors"][field]))
        self.assertEqual(Survivor.objects.count(), 1)
        self.assertEqual(self.survivor_events().count(), 1, "only the set-up's create event")
        stored = Survivor.objects.get(pk=self.survivor.pk)
        self.assertEqual(
            [getattr(stored, f) for f in SurvivorFields.model_fields],
            [getattr(self.survivor, f) for f in SurvivorFields.model_fields],
        )
        return body

    def post_and_patch(self, changes):
        """The same bad fields sent as a new record and as a change to the existing one."""
        return (
            self.api("post", "/survivors", body={**NEW_SURVIVOR, **changes}),
            self.api("patch", f"/survivors/{self.survivor.pk}", body=changes),
        )

    def test_a_birth_date_in_the_future(self):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        for response in self.post_and_patch({"date_of_birth": tomorrow.isoformat()}):
            self.assertRefused(response, "date_of_birth", "future")

    def test_an_intake_date_before_the_birth_date(self):
        changes = {"date_of_birth": "2010-01-01", "intake_date": "2005-01-01"}
        for response in self.post_and_patch(changes):
            self.assertRefused(response, "intake_date", "before the date of birth")

    def test_an_age_first_trafficked_above_the_current_age(self):
        for response in self.post_and_patch({"age_first_trafficked": 60}):
            self.assertRefused(response, "age_first_trafficked", "above the current age")

    def test_a_malformed_phone(self):
        for phone in ("call me", "12", "+1 555 010 0199 ext 4", "5" * 40):
            for response in self.post_and_patch({"phone": phone}):
                self.assertRefused(response, "phone", "phone number")

    def test_a_malformed_email(self):
        for email in ("lupe", "lupe@", "@example.org", "lupe example.org"):
            for response in self.post_and_patch({"email": email}):
                self.assertRefused(response, "email", "email")

    def test_a_value_outside_the_choices(self):
        for field, value in (
            ("may_call", "maybe"),
            ("primary_language", "klingon"),
            ("gender_identity", "WOMAN"),
            ("race_ethnicity", ["martian"]),
            ("race_ethnicity", ["unknown", "white"]),
            ("country_of_birth", "XX"),
            ("age_at_intake_missing", "forgot"),
        ):
            for response in self.post_and_patch({field: value}):
                self.assertRefused(response, field)

    def test_a_number_out_of_range(self):
        for field, value in (("age_at_intake", -1), ("prior_arrests", 10**30)):
            for response in self.post_and_patch({field: value}):
                self.assertRefused(response, field)

    def test_a_number_and_a_reason_it_is_missing_together(self):
        changes = {"prior_arrests": 2, "prior_arrests_missing": "declined"}
        for response in self.post_and_patch(changes):
            self.assertRefused(response, "prior_arrests_missing", "not both")

    def test_text_longer_than_the_field_holds(self):
        for response in self.post_and_patch({"preferred_name": "A" * 201}):
            self.assertRefused(response, "preferred_name", "at most 200")

    def test_the_wrong_types(self):
        for field, value in (
            ("preferred_name", 5),
            ("legal_name", ["Lupe"]),
            ("age_at_intake", "twelve"),
            ("age_at_intake", True),
            ("age_first_trafficked", 12.5),
            ("race_ethnicity", "white"),
            ("date_of_birth", "17/04/1999"),
            ("date_of_birth", "1999-02-30"),
            ("may_call", False),
            ("address", {"street": "Harbor"}),
        ):
            for response in self.post_and_patch({field: value}):
                self.assertRefused(response, field)

    def test_an_unknown_field_is_refused_rather_than_ignored(self):
        for response in self.post_and_patch({"nickname": "Lu"}):
            self.assertRefused(response, "nickname", "not permitted")

    def test_a_new_record_without_a_preferred_name(self):
        body = {k: v for k, v in NEW_SURVIVOR.items() if k != "preferred_name"}
        self.assertRefused(self.api("post", "/survivors", body=body), "preferred_name")
        blank = {**NEW_SURVIVOR, "preferred_name": " ", "legal_name": ""}
        self.assertRefused(self.api("post", "/survivors", body=blank), "preferred_name")

    def test_malformed_json(self):
        for raw in ('{"preferred_name": "Lupe"', "preferred_name=Lupe", '{"age_at_intake": NaN}'):
            for method, path in (
                ("post", "/survivors"),
                ("patch", f"/survivors/{self.survivor.pk}"),
            ):
                response = self.api(method, path, raw=raw)
                self.assertEqual(
                    self.assertJson(response, 400), {"detail": "Cannot parse request body"}
                )

    def test_a_lone_surrogate_is_malformed_rather_than_a_server_error(self):
        raw = '{"preferred_name": "Lupe \\ud800"}'
        for method, path in (("post", "/survivors"), ("patch", f"/survivors/{self.survivor.pk}")):
            self.assertJson(self.api(method, path, raw=raw), 400)
        self.assertEqual(Survivor.objects.count(), 1)

    def test_an_empty_body(self):
        for method, path in (("post", "/survivors"), ("patch", f"/survivors/{self.survivor.pk}")):
            self.assertRefused(self.api(method, path, raw=""), "__all__", "body is empty")
        self.assertRefused(self.api("post", "/survivors", raw="{}"), "preferred_name")

    def test_an_empty_object_changes_nothing(self):
        response = self.api("patch", f"/survivors/{self.survivor.pk}", raw="{}")
        self.assertEqual(self.assertJson(response, 200)["phone"], self.survivor.phone)
        self.assertFalse(self.survivor_events("change").exists())

    def test_a_body_that_is_not_an_object(self):
        for raw in ("[]", "null", '"Lupe"', "42", '[{"preferred_name": "Lupe"}]'):
            for method, path in (
                ("post", "/survivors"),
                ("patch", f"/survivors/{self.survivor.pk}"),
            ):
                self.assertRefused(self.api(method, path, raw=raw), "__all__", "JSON object")

    def test_an_unknown_survivor_id_is_a_json_404(self):
        for method, body in (("get", None), ("patch", {"phone": "+1 555 010 0199"})):
            for pk in (999999, -1, 10**30):
                response = self.api(method, f"/survivors/{pk}", body=body)
                self.assertEqual(self.assertJson(response, 404), {"detail": "Not found."})

    def test_a_survivor_id_that_is_not_a_number_is_a_json_400(self):
        for method, body in (("get", None), ("patch", {"phone": "+1 555 010 0199"})):
            for pk in ("abc", "1.5", "1e3", "%20"):
                response = self.api(method, f"/survivors/{pk}", body=body)
                self.assertIn(response.status_code, (400, 404), pk)
                self.assertIn("detail", self.assertJson(response, response.status_code))
        self.assertEqual(self.survivor_events().count(), 1)

    def test_an_unexpected_error_is_a_json_500_and_nothing_is_saved(self):
        broken = property(lambda survivor: 1 / 0)
        with (
            mock.patch.object(Survivor, "record_label", broken),
            self.assertLogs("thrive.lib.api", "ERROR") as logs,
        ):
            created = self.api("post", "/survivors", body=NEW_SURVIVOR)
            changed = self.api("patch", f"/survivors/{self.survivor.pk}", body={"phone": None})
        for response in (created, changed):
            body = self.assertJson(response, 500)
            self.assertEqual(body["detail"], "Something went wrong. Nothing was saved.")
            self.assertEqual(body["request_id"], response["X-Request-ID"])
        self.assertEqual(Survivor.objects.count(), 1)
        self.assertEqual(Survivor.objects.get(pk=self.survivor.pk).phone, self.survivor.phone)
        self.assertEqual(self.survivor_events().count(), 1)
        self.assertNotIn("Lupe", "\n".join(logs.output))


JUNK = [
    None,
    True,
    False,
    0,
    -1,
    17,
    10**40,
    3.5,
    "",
    " ",
    "yes",
    "unknown",
    "declined",
    "white",
    "Lupe",
    "A" * 500,
    "\x00",
    "😀",
    "+1 555 010 0199",
    "lupe@example.org",
    "1999-04-17",
    "2999-01-01",
    "1999-13-40",
    "S-00001",
    [],
    ["white"],
    ["unknown", "white"],
    [1, None],
    {},
    {"a": 1},
]


# Values each field accepts, so that the junk lands next to fields that are fine.
PLAUSIBLE = {
    **NEW_SURVIVOR,
    "aliases": "Lu\nLupita",
    "intake_date": "2025-06-01",
    "address": "12 Pine Road",
    "may_text": "no",
    "safe_times": "After 6 pm",
    "code_word": "sunflower",
    "gender_identity": "declined",
    "primary_language": "es",
    "citizenship": "unknown",
    "prior_arrests": 2,
    "housing_at_intake": "emergency_shelter",
}


class SurvivorApiFuzzTests(SurvivorApiTestCase):
    """Junk of every type in every field: an answer, never a server error."""

    def test_junk_in_any_field_is_refused_or_saved_never_a_500(self):
        rng = random.Random(20260415)  # fixed, so a failure can be replayed
        fields = [*SurvivorFields.model_fields, "nickname"]
        token = self.token(self.case_manager)
        path = f"/survivors/{self.survivor.pk}"
        answers = set()
        for _ in range(150):
            payload = {
                field: rng.choice(JUNK) if rng.random() < 0.4 else PLAUSIBLE.get(field)
                for field in rng.sample(fields, rng.randint(1, 5))
            }
            if rng.random() < 0.7:
                payload.setdefault("preferred_name", "Lupe")
            for method, target, ok in (("post", "/survivors", 201), ("patch", path, 200)):
                before = Survivor.objects.count()
                response = self.api(method, target, token=token, body=payload)
                self.assertIn(response.status_code, (ok, 400), payload)
                self.assertIsInstance(self.assertJson(response, response.status_code), dict)
                if response.status_code == 400:
                    self.assertEqual(Survivor.objects.count(), before, payload)
                answers.add((method, response.status_code))
        self.assertEqual(answers, {("post", 201), ("post", 400), ("patch", 200), ("patch", 400)})


class ApiSchemaTests(SurvivorApiTestCase):
    def test_the_openapi_schema_is_served_with_the_survivor_paths(self):
        schema = self.assertJson(self.client.get("/api/v1/openapi.json"), 200)
        self.assertEqual(schema["info"]["title"], "Thrive API")
        self.assertEqual(
            set(schema["paths"]["/api/v1/survivors"]), {"get", "post"}, "list and create"
        )
        self.assertEqual(set(schema["paths"]["/api/v1/survivors/search"]), {"post"})
        self.assertEqual(set(schema["paths"]["/api/v1/survivors/{survivor_id}"]), {"get", "patch"})
        schemes = schema["components"]["securitySchemes"]
        self.assertEqual(schemes["ApiTokenAuth"], {"type": "http", "scheme": "bearer"})

    def test_the_docs_page_uses_no_cdn_and_no_inline_script(self):
        response = self.client.get("/api/v1/docs")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertNotIn("cdn.", html)
        self.assertNotIn("<script>", html)
        self.assertIn('src="/static/ninja/swagger-ui-bundle.js"', html)

    def test_an_unknown_api_path_is_a_json_404(self):
        self.assertEqual(
            self.assertJson(self.client.get("/api/v1/nothing"), 404), {"detail": "Not found."}
        )
