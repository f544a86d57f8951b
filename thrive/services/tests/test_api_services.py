"""Services over /api/v1: the taxonomy, and recording, reading and editing services, refused
by field for the same reasons as on the pages."""

from decimal import Decimal

from thrive.audit.models import AuditEvent
from thrive.cases import actions as cases
from thrive.cases.tests.test_api_cases import CaseApiTestCase
from thrive.grants import actions as grants
from thrive.services.actions import service_record, service_update
from thrive.services.models import Service, ServiceType
from thrive.test import DAY


class ServiceApiTestCase(CaseApiTestCase):
    def new_service(self, **changes):
        return {
            "service_type_id": self.shelter.pk,
            "delivered_on": self.today.isoformat(),
            "quantity": 2,
            "unit": "nights",
            "cost": "190.50",
            "funding": "grant",
            "grant_id": self.grant.pk,
            "staff_member_id": self.case_manager.pk,
            "notes": "Two nights at the safe house.",
            **changes,
        }

    def record(self, user=None, **changes):
        return self.api(
            "post", f"/cases/{self.case.pk}/services", user, body=self.new_service(**changes)
        )

    def assertNothingRecorded(self):  # noqa: N802
        self.assertEqual(Service.objects.count(), 1)
        self.assertFalse(
            AuditEvent.objects.filter(object_type="services.service", action="change").exists()
        )


class ServiceTypeApiTests(ServiceApiTestCase):
    def test_lists_the_taxonomy_with_every_funders_codes_and_units(self):
        body = self.assertJson(self.api("get", "/services/types"), 200)
        self.assertEqual(len(body), ServiceType.objects.filter(is_active=True).count())
        shelter = next(t for t in body if t["code"] == "emergency_shelter")
        self.assertEqual(shelter["id"], self.shelter.pk)
        self.assertEqual(shelter["units"], ["nights", "dollars"])
        self.assertEqual(shelter["voca_code"], "D1")
        self.assertEqual(shelter["htcds_type"], "SocialCare")
        self.assertEqual(shelter["federal_category"], "emergency_shelter")
        self.assertEqual(shelter["category"]["code"], "basic_needs")
        self.assertTrue(shelter["name_es"])

    def test_every_case_role_reads_it_in_a_constant_number_of_queries(self):
        for user in (self.case_manager, self.supervisor, self.director, self.outsider):
            count, body = self.queries("/services/types", user)
            self.assertGreaterEqual(len(body), 39)
            self.assertLessEqual(count, 3)
        for user in (self.advocate, self.analyst, self.trainer):
            self.assertJson(self.api("get", "/services/types", user), 403)


class ServiceListAndReadApiTests(ServiceApiTestCase):
    def test_lists_the_cases_services_with_amounts_as_strings_and_records_the_view(self):
        body = self.assertJson(self.api("get", f"/cases/{self.case.pk}/services"), 200)
        self.assertEqual((body["count"], body["page"], body["pages"]), (1, 1, 1))
        [service] = body["results"]
        self.assertEqual(service["id"], self.service.pk)
        self.assertEqual(
            service["service_type"],
            {"id": self.shelter.pk, "code": "emergency_shelter", "name": self.shelter.name},
        )
        self.assertEqual(
            (service["quantity"], service["unit"], service["cost"]), ("3.00", "nights", "285.00")
        )
        self.assertEqual(service["grant"], {"id": self.grant.pk, "name": self.grant.name})
        self.assertEqual(service["staff_member"]["username"], "casemanager")
        self.assertEqual(service["delivered_on"], (self.today - DAY).isoformat())
        self.assertEqual(service["notes"], "Three nights at the safe house.")
        view = AuditEvent.objects.for_object(self.case).get(action="view")
        self.assertEqual(view.detail, {"via": "api", "part": "services"})

    def test_the_query_count_does_not_grow_with_the_number_of_services(self):
        path = f"/cases/{self.case.pk}/services"
        few, _ = self.queries(path)
        food = ServiceType.objects.get(code="food")
        for i in range(4):
            service_record(
                self.case,
                actor=self.colleague if i % 2 else self.supervisor,
                data={
                    "service_type": food,
                    "quantity": i + 1,
                    "unit": "items",
                    "staff_member": self.colleague,
                    "partner_name": "Food bank",
                    "provided_by": "partner",
                },
            )
        many, body = self.queries(path)
        self.assertEqual(body["count"], 5)
        self.assertEqual(few, many)
        self.assertLessEqual(many, 8)

    def test_reads_one_service_and_records_the_view_of_its_case(self):
        body = self.assertJson(
            self.api("get", f"/services/{self.service.pk}", self.supervisor), 200
        )
        self.assertEqual(
            (body["id"], body["case_id"], body["version"]), (self.service.pk, self.case.pk, 1)
        )
        self.assertEqual(body["recorded_by"]["username"], "casemanager")
        view = AuditEvent.objects.for_object(self.case).get(action="view")
        self.assertEqual(
            (view.actor, view.detail), (self.supervisor, {"via": "api", "part": "services"})
        )


class ServiceRecordApiTests(ServiceApiTestCase):
    def test_records_a_service_and_answers_201_with_it(self):
        body = self.assertJson(self.record(goal_id=self.goal.pk), 201)
        service = Service.objects.get(pk=body["id"])
        self.assertEqual(
            (service.case, service.survivor, service.recorded_by),
            (self.case, self.survivor, self.case_manager),
        )
        self.assertEqual(
            (service.quantity, service.cost, service.grant),
            (Decimal(2), Decimal("190.50"), self.grant),
        )
        self.assertEqual(service.goal, self.goal)
        self.assertEqual(
            (body["quantity"], body["cost"], body["goal_id"]), ("2.00", "190.50", self.goal.pk)
        )
        self.assertEqual(AuditEvent.objects.for_object(service).get().action, "create")

    def test_amounts_may_be_sent_as_strings_or_numbers(self):
        for quantity, cost in (("1.5", 95), (1.25, "95.10"), (4, None)):
            body = self.assertJson(self.record(quantity=quantity, cost=cost), 201)
            self.assertEqual(Decimal(body["quantity"]), Decimal(str(quantity)))
            self.assertEqual(body["cost"], None if cost is None else f"{Decimal(str(cost)):.2f}")

    def test_a_minimal_service_takes_the_models_defaults(self):
        food = ServiceType.objects.get(code="food")
        payload = {"service_type_id": food.pk, "quantity": 1, "unit": "items", "delivered_on": None}
        body = self.assertJson(
            self.api("post", f"/cases/{self.case.pk}/services", body=payload), 201
        )
        self.assertEqual(
            (body["status"], body["funding"], body["provided_by"]),
            ("delivered", "general", "staff"),
        )
        self.assertEqual(
            (body["delivered_on"], body["grant"], body["cost"]),
            (self.today.isoformat(), None, None),
        )

    def test_a_service_before_the_case_opened(self):
        day = (self.opened_on - DAY).isoformat()
        self.assertFieldError(self.record(delivered_on=day), "delivered_on", "before")
        self.assertNothingRecorded()

    def test_hours_for_emergency_shelter(self):
        self.assertFieldError(self.record(unit="hours"), "unit", "counted in")
        self.assertNothingRecorded()

    def test_a_grant_that_does_not_pay_for_the_type(self):
        food = ServiceType.objects.get(code="food")
        response = self.record(service_type_id=food.pk, unit="items")
        self.assertFieldError(response, "grant_id", "does not pay for")
        self.assertNothingRecorded()

    def test_a_grant_whose_period_excludes_the_date(self):
        grant = grants.grant_create(
            self.agency_a,
            actor=self.supervisor,
            data={
                "funder": self.funder,
                "name": "Last year's shelter grant",
                "amount": 1000,
                "starts_on": self.today - 400 * DAY,
                "ends_on": self.today - 10 * DAY,
                "allowable_types": [self.shelter],
            },
        )
        self.assertFieldError(self.record(grant_id=grant.pk), "grant_id", "runs from")
        self.assertNothingRecorded()

    def test_a_grant_of_another_agency_is_refused_without_naming_it(self):
        response = self.record(grant_id=self.b_grant.pk)
        self.assertFieldError(response, "grant_id")
        self.assertNotIn("B's shelter grant", response.content.decode())
        self.assertNothingRecorded()

    def test_references_outside_what_the_case_may_use_are_field_errors(self):
        other_case = cases.case_open(
            self.survivor,
            actor=self.supervisor,
            program=self.youth,
            data={"opened_on": self.opened_on},
        )
        other_goal = cases.goal_add(
            other_case, actor=self.supervisor, data={"domain": self.housing, "description": "Other"}
        )
        for field, value in (
            ("goal_id", other_goal.pk),
            ("service_type_id", 999999),
            ("staff_member_id", self.outsider.pk),
            ("staff_member_id", self.analyst.pk),
            ("grant_id", 10**30),
        ):
            self.assertFieldError(self.record(**{field: value}), field)
        self.assertNothingRecorded()

    def test_more_bad_input_refused_by_field(self):
        tomorrow = (self.today + DAY).isoformat()
        for changes, field, fragment in (
            ({"quantity": 0}, "quantity", ""),
            ({"quantity": "NaN"}, "quantity", ""),
            ({"quantity": "many"}, "quantity", ""),
            ({"quantity": 400}, "quantity", "at most"),
            ({"quantity": "1.005"}, "quantity", ""),
            ({"cost": -5}, "cost", ""),
            ({"delivered_on": tomorrow}, "delivered_on", "planned"),
            ({"funding": "general"}, "funding", "grant"),
            ({"grant_id": None}, "grant_id", "Choose the grant"),
            ({"provided_by": "partner"}, "partner_name", "partner"),
            ({"unit": "barrels"}, "unit", ""),
            ({"recorded_by": 1}, "recorded_by", ""),
        ):
            self.assertFieldError(self.record(**changes), field, fragment)
        self.assertNothingRecorded()

    def test_a_service_after_the_case_ended(self):
        cases.case_change_status(
            self.case, actor=self.case_manager, to="closed", reason="goals_met"
        )
        tomorrow = (self.today + DAY).isoformat()
        response = self.record(status="planned", delivered_on=tomorrow)
        self.assertFieldError(response, "delivered_on", "The case ended on")
        self.assertNothingRecorded()


class ServiceUpdateApiTests(ServiceApiTestCase):
    def test_changes_the_fields_sent_with_the_version(self):
        path = f"/services/{self.service.pk}"
        body = self.assertJson(
            self.api(
                "patch", path, body={"version": 1, "quantity": "4", "cost": 380, "notes": None}
            ),
            200,
        )
        self.assertEqual(
            (body["quantity"], body["cost"], body["notes"], body["version"]),
            ("4.00", "380.00", "", 2),
        )
        event = AuditEvent.objects.for_object(self.service).get(action="change")
        self.assertEqual(event.changed_fields, ["cost", "notes", "quantity"])

    def test_moving_it_to_general_funds(self):
        path = f"/services/{self.service.pk}"
        body = self.assertJson(
            self.api("patch", path, body={"version": 1, "funding": "general", "grant_id": None}),
            200,
        )
        self.assertEqual((body["funding"], body["grant"]), ("general", None))

    def test_a_stale_version_is_a_409_naming_the_fields(self):
        service_update(
            self.service, actor=self.supervisor, data={"quantity": 2}, expected_version=1
        )
        response = self.api(
            "patch", f"/services/{self.service.pk}", body={"version": 1, "notes": "Changed"}
        )
        self.assertConflict(
            response, current_version=2, changed_fields=["quantity"], by="supervisor"
        )
        self.assertEqual(
            Service.objects.get(pk=self.service.pk).notes, "Three nights at the safe house."
        )

    def test_bad_edits_are_field_errors_and_save_nothing(self):
        path = f"/services/{self.service.pk}"
        before = (self.opened_on - DAY).isoformat()
        for changes, field in (
            ({"delivered_on": before}, "delivered_on"),
            ({"unit": "hours"}, "unit"),
            ({"quantity": None}, "quantity"),
            ({"status": None}, "status"),
            ({"grant_id": self.b_grant.pk}, "grant_id"),
            (
                {"service_type_id": ServiceType.objects.get(code="food").pk, "unit": "items"},
                "grant_id",
            ),
            ({"case_id": 1}, "case_id"),
            ({}, "version"),
        ):
            body = {"version": 1, **changes} if changes else {"quantity": 1}
            self.assertFieldError(self.api("patch", path, body=body), field)
        stored = Service.objects.get(pk=self.service.pk)
        self.assertEqual((stored.version, stored.quantity, stored.unit), (1, Decimal(3), "nights"))
        self.assertNothingRecorded()

    def test_only_the_case_team_edits_but_colleagues_read(self):
        path = f"/services/{self.service.pk}"
        self.assertJson(self.api("get", path, self.colleague), 200)
        self.assertJson(
            self.api("patch", path, self.colleague, body={"version": 1, "quantity": 1}), 403
        )
        self.assertJson(self.record(self.colleague), 403)
        self.assertNothingRecorded()


class ServiceAccessApiTests(ServiceApiTestCase):
    def calls(self):
        return [
            ("get", f"/cases/{self.case.pk}/services", None),
            ("post", f"/cases/{self.case.pk}/services", self.new_service()),
            ("get", f"/services/{self.service.pk}", None),
            ("patch", f"/services/{self.service.pk}", {"version": 1, "quantity": 1}),
        ]

    def test_analysts_trainers_and_hotline_advocates_get_403_whatever_they_send(self):
        for user in (self.analyst, self.trainer, self.advocate):
            for method, path, body in self.calls():
                for sent in (body, {"nonsense": 1}):
                    response = self.api(method, path, user, body=sent)
                    self.assertEqual(
                        self.assertJson(response, 403).keys(), {"detail"}, (user, path)
                    )
                    self.assertNoSurvivorData(response)
        self.assertNothingRecorded()
        self.assertFalse(AuditEvent.objects.for_object(self.case).filter(action="view").exists())

    def test_the_outsider_gets_404_on_every_service_route_whatever_they_send(self):
        for method, path, body in self.calls():
            for sent in (body, {}, {"nonsense": 1}):
                response = self.api(method, path, self.outsider, body=sent)
                self.assertEqual(self.assertJson(response, 404), {"detail": "Not found."}, path)
                self.assertNoSurvivorData(response)
        self.assertNothingRecorded()
        self.assertFalse(AuditEvent.objects.for_object(self.case).filter(action="view").exists())

    def test_the_outsider_records_on_their_own_case_but_not_with_agency_as_grant(self):
        path = f"/cases/{self.b_case.pk}/services"
        payload = self.new_service(staff_member_id=self.outsider.pk)
        response = self.api("post", path, self.outsider, body=payload)
        self.assertFieldError(response, "grant_id")
        self.assertNotIn(self.grant.name, response.content.decode())
        payload["grant_id"] = self.b_grant.pk
        body = self.assertJson(self.api("post", path, self.outsider, body=payload), 201)
        self.assertEqual(Service.objects.get(pk=body["id"]).organization, self.agency_b)


class ServiceApiSchemaTests(ServiceApiTestCase):
    def test_the_openapi_schema_lists_the_service_paths(self):
        schema = self.assertJson(self.client.get("/api/v1/openapi.json"), 200)
        paths = {path: set(methods) for path, methods in schema["paths"].items()}
        self.assertEqual(paths["/api/v1/services/types"], {"get"})
        self.assertEqual(paths["/api/v1/cases/{case_id}/services"], {"get", "post"})
        self.assertEqual(paths["/api/v1/services/{service_id}"], {"get", "patch"})
        out = schema["components"]["schemas"]["ServiceOut"]["properties"]
        self.assertEqual(out["quantity"]["type"], "string")
        self.assertIn("string", out["quantity"]["description"])
