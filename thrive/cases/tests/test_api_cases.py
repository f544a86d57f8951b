"""Cases over /api/v1: list, open, read, edit, lifecycle, reassignment, transfer and history,
under the pages' access rules and through the same actions."""

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from thrive.accounts.actions import api_token_create
from thrive.accounts.models import Role
from thrive.audit.models import AuditEvent
from thrive.cases import actions
from thrive.cases.models import Case, CaseNote
from thrive.survivors.actions import survivor_create
from thrive.test import DAY, CaseTestCase, make_member


class CaseApiTestCase(CaseTestCase):
    """Calls /api/v1 as a persona, with a token made by the real action. Agency B has its own
    program, survivor, case and grant, so that a reference across organizations can be tried."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from thrive.grants import actions as grants

        cls.colleague = make_member("colleague", cls.agency_a, Role.CASE_MANAGER)
        cls.director = make_member("director", cls.agency_a, Role.PROGRAM_DIRECTOR)
        cls.youth = actions.program_create(
            cls.agency_a, actor=cls.supervisor, data={"name": "Youth", "kind": "youth"}
        )
        cls.b_program = actions.program_create(
            cls.agency_b, actor=cls.outsider, data={"name": "B's program", "kind": "shelter"}
        )
        cls.b_survivor = survivor_create(
            cls.agency_b, actor=cls.outsider, data={"preferred_name": "Bea of B"}
        )
        cls.b_case = actions.case_open(
            cls.b_survivor,
            actor=cls.outsider,
            program=cls.b_program,
            data={"case_manager": cls.outsider, "opened_on": cls.opened_on},
        )
        b_funder = grants.funder_create(
            cls.agency_b, actor=cls.outsider, data={"name": "B's funder", "kind": "state"}
        )
        cls.b_grant = grants.grant_create(
            cls.agency_b,
            actor=cls.outsider,
            data={
                "funder": b_funder,
                "name": "B's shelter grant",
                "amount": 1000,
                "starts_on": cls.today - 365 * DAY,
                "ends_on": cls.today + 365 * DAY,
                "allowable_types": [cls.shelter],
            },
        )
        cls.tokens = {}
        for user in (
            cls.advocate,
            cls.case_manager,
            cls.colleague,
            cls.supervisor,
            cls.director,
            cls.analyst,
            cls.trainer,
            cls.outsider,
        ):
            membership = user.memberships.get()
            cls.tokens[user.pk] = api_token_create(membership, actor=user, name="test")[1]

    def api(self, method, path, user=None, *, body=None, raw=None):
        user = user or self.case_manager
        headers = {"authorization": f"Bearer {self.tokens[user.pk]}"}
        if method == "get":
            return self.client.get(f"/api/v1{path}", headers=headers)
        data = raw if raw is not None else json.dumps({} if body is None else body)
        return getattr(self.client, method)(
            f"/api/v1{path}", data=data, content_type="application/json", headers=headers
        )

    def assertJson(self, response, status):  # noqa: N802 (unittest style)
        self.assertEqual(response.status_code, status, response.content[:800])
        self.assertTrue(response["Content-Type"].startswith("application/json"))
        return response.json()

    def assertFieldError(self, response, field, fragment=""):  # noqa: N802
        body = self.assertJson(response, 400)
        self.assertIn(field, body["errors"], body)
        self.assertIn(fragment, " ".join(body["errors"][field]), body)
        return body

    def assertConflict(self, response, *, current_version, changed_fields, by):  # noqa: N802
        body = self.assertJson(response, 409)
        self.assertIn("someone else saved this", body["detail"])
        self.assertEqual(body["current_version"], current_version)
        self.assertEqual(body["changed_fields"], changed_fields)
        self.assertEqual({change["by"] for change in body["changes"]}, {by})
        for change in body["changes"]:
            self.assertTrue(change["at"])
            self.assertTrue(set(change["fields"]) <= set(changed_fields))
        return body

    def events(self, obj, action=None):
        events = AuditEvent.objects.for_object(obj)
        return events.filter(action=action) if action else events

    def queries(self, path, user=None):
        """The number of queries a GET takes (the token's first use already recorded)."""
        self.api("get", path, user)
        with CaptureQueriesContext(connection) as captured:
            response = self.api("get", path, user)
        self.assertEqual(response.status_code, 200, response.content[:500])
        return len(captured), response.json()

    def open_case(self, **data):
        return actions.case_open(
            self.survivor,
            actor=self.supervisor,
            program=data.pop("program", self.program),
            data={"opened_on": self.opened_on, **data},
        )


class CaseListApiTests(CaseApiTestCase):
    def test_lists_the_organizations_cases_with_what_a_caseload_shows(self):
        body = self.assertJson(self.api("get", "/cases"), 200)
        self.assertEqual((body["count"], body["page"], body["pages"]), (1, 1, 1))
        [case] = body["results"]
        self.assertEqual(case["id"], self.case.pk)
        self.assertEqual(case["label"], "C-00001")
        self.assertEqual(
            case["survivor"],
            {"id": self.survivor.pk, "record_label": "S-00001", "display_name": "Majo"},
        )
        self.assertEqual(
            case["program"],
            {"id": self.program.pk, "name": self.program.name, "kind": "case_management"},
        )
        self.assertEqual(case["case_manager"]["username"], "casemanager")
        self.assertEqual(
            (case["status"], case["risk_level"], case["trafficking_type"]),
            ("intake", "high", "labor"),
        )
        self.assertEqual(case["opened_on"], self.opened_on.isoformat())
        self.assertEqual(case["next_due_on"], (self.today + 3 * DAY).isoformat())
        self.assertEqual(
            (case["overdue_tasks"], case["goals_achieved"], case["goals_total"]), (0, 0, 1)
        )
        self.assertEqual(case["version"], 1)

    def test_filters_by_status_program_case_manager_mine_and_open(self):
        youth_case = self.open_case(program=self.youth, case_manager=self.colleague)
        team_case = self.open_case(case_manager=self.colleague, team=[self.case_manager])
        closed = self.open_case()
        actions.case_change_status(closed, actor=self.supervisor, to="closed", reason="moved_away")

        def ids(query):
            body = self.assertJson(self.api("get", f"/cases?{query}"), 200)
            return {case["id"] for case in body["results"]}

        self.assertEqual(ids("status=closed"), {closed.pk})
        self.assertEqual(ids(f"program_id={self.youth.pk}"), {youth_case.pk})
        self.assertEqual(ids(f"case_manager_id={self.colleague.pk}"), {youth_case.pk, team_case.pk})
        self.assertEqual(ids("mine=true"), {self.case.pk, team_case.pk})
        self.assertEqual(ids("open=true"), {self.case.pk, youth_case.pk, team_case.pk})
        self.assertEqual(ids("open=false"), {closed.pk})
        self.assertEqual(ids("open=true&mine=true&status=intake"), {self.case.pk, team_case.pk})
        self.assertEqual(ids(f"program_id={self.b_program.pk}"), set(), "B's program: nothing")

    def test_a_filter_value_outside_the_choices_is_a_400_under_its_name(self):
        self.assertFieldError(self.api("get", "/cases?status=lost"), "status")
        self.assertFieldError(self.api("get", "/cases?open=maybe"), "open")
        self.assertFieldError(self.api("get", "/cases?program_id=abc"), "program_id")
        self.assertFieldError(self.api("get", "/cases?page=0"), "page")

    def test_numbers_too_large_for_any_id_are_refused_and_a_page_too_far_is_the_last(self):
        huge = 10**30
        self.assertFieldError(self.api("get", f"/cases?program_id={huge}"), "program_id")
        self.assertFieldError(self.api("get", f"/cases?case_manager_id={huge}"), "case_manager_id")
        body = self.assertJson(self.api("get", f"/cases?page={huge}"), 200)
        self.assertEqual((body["page"], body["count"]), (1, 1))

    def test_the_outsider_lists_only_agency_bs_cases(self):
        body = self.assertJson(self.api("get", "/cases", self.outsider), 200)
        self.assertEqual([case["id"] for case in body["results"]], [self.b_case.pk])
        self.assertNotIn("Majo", json.dumps(body))

    def test_the_query_count_does_not_grow_with_the_number_of_cases(self):
        few, _ = self.queries("/cases")
        for _i in range(4):
            case = self.open_case(case_manager=self.colleague, team=[self.case_manager])
            actions.task_add(
                case,
                actor=self.supervisor,
                data={"title": "Call", "due_on": self.today, "assignee": self.colleague},
            )
        many, body = self.queries("/cases")
        self.assertEqual(body["count"], 5)
        self.assertEqual(few, many)
        self.assertLessEqual(many, 7)


class CaseCreateApiTests(CaseApiTestCase):
    def new_case(self, **changes):
        return {
            "survivor_id": self.survivor.pk,
            "program_id": self.youth.pk,
            "case_manager_id": self.colleague.pk,
            "team_ids": [self.case_manager.pk],
            "risk_level": "low",
            "trafficking_type": "sex",
            "opened_on": (self.today - 2 * DAY).isoformat(),
            **changes,
        }

    def test_opens_a_case_and_answers_201_with_it(self):
        body = self.assertJson(self.api("post", "/cases", body=self.new_case()), 201)
        case = Case.objects.get(pk=body["id"])
        self.assertEqual(
            (case.organization, case.program, case.survivor),
            (self.agency_a, self.youth, self.survivor),
        )
        self.assertEqual(case.case_manager, self.colleague)
        self.assertEqual(list(case.team.all()), [self.case_manager])
        self.assertEqual((body["label"], body["status"], body["version"]), ("C-00002", "intake", 1))
        self.assertEqual([person["username"] for person in body["team"]], ["casemanager"])
        self.assertEqual(body["next_statuses"], ["active", "on_hold", "closed"])
        self.assertTrue(body["may_change"])
        self.assertEqual(case.events.get().to_status, "intake")
        event = self.events(case, "create").get()
        self.assertEqual(event.actor, self.case_manager)

    def test_only_survivor_and_program_are_needed(self):
        payload = {"survivor_id": self.survivor.pk, "program_id": self.program.pk}
        body = self.assertJson(self.api("post", "/cases", body=payload), 201)
        self.assertEqual((body["risk_level"], body["trafficking_type"]), ("medium", "unknown"))
        self.assertEqual((body["opened_on"], body["case_manager"]), (self.today.isoformat(), None))

    def test_records_of_another_organization_are_field_errors_that_tell_nothing(self):
        payload = self.new_case(
            survivor_id=self.b_survivor.pk,
            program_id=self.b_program.pk,
            case_manager_id=self.outsider.pk,
            team_ids=[self.case_manager.pk, self.outsider.pk],
        )
        response = self.api("post", "/cases", body=payload)
        body = self.assertJson(response, 400)
        self.assertEqual(
            set(body["errors"]), {"survivor_id", "program_id", "case_manager_id", "team_ids"}
        )
        for leak in ("Bea", "B's program", "outsider"):
            self.assertNotIn(leak, response.content.decode())
        self.assertEqual(Case.objects.filter(organization=self.agency_a).count(), 1)

    def test_ids_that_name_nothing_are_field_errors(self):
        for field, value in (
            ("survivor_id", 999999),
            ("program_id", -1),
            ("case_manager_id", 10**30),
            ("case_manager_id", self.advocate.pk),
            ("team_ids", [999999]),
        ):
            self.assertFieldError(
                self.api("post", "/cases", body=self.new_case(**{field: value})), field
            )
        self.assertEqual(Case.objects.count(), 2)

    def test_the_model_refuses_an_opening_in_the_future(self):
        payload = self.new_case(opened_on=(self.today + DAY).isoformat())
        self.assertFieldError(self.api("post", "/cases", body=payload), "opened_on", "future")

    def test_wrong_types_unknown_choices_and_unknown_fields_are_400(self):
        for changes in (
            {"risk_level": "extreme"},
            {"survivor_id": "1"},
            {"team_ids": "2"},
            {"opened_on": "01/02/2026"},
            {"status": "active"},
            {"number": 7},
        ):
            field = next(iter(changes))
            self.assertFieldError(self.api("post", "/cases", body=self.new_case(**changes)), field)
        self.assertFieldError(self.api("post", "/cases", body={}), "survivor_id")
        self.assertEqual(Case.objects.count(), 2)


class CaseReadApiTests(CaseApiTestCase):
    def test_reads_the_case_and_records_the_view(self):
        body = self.assertJson(self.api("get", f"/cases/{self.case.pk}"), 200)
        self.assertEqual((body["id"], body["label"]), (self.case.pk, "C-00001"))
        self.assertEqual(body["survivor"]["display_name"], "Majo")
        self.assertEqual(body["team"], [])
        self.assertEqual(body["closure_reason"], "")
        event = self.events(self.case, "view").get()
        self.assertEqual((event.actor, event.detail), (self.case_manager, {"via": "api"}))

    def test_a_colleague_reads_but_may_not_change_someone_elses_case(self):
        body = self.assertJson(self.api("get", f"/cases/{self.case.pk}", self.colleague), 200)
        self.assertFalse(body["may_change"])
        response = self.api(
            "patch",
            f"/cases/{self.case.pk}",
            self.colleague,
            body={"version": 1, "risk_level": "low"},
        )
        self.assertJson(response, 403)
        self.assertEqual(Case.objects.get(pk=self.case.pk).risk_level, "high")

    def test_the_history_lists_each_status_change_reassignment_and_transfer(self):
        actions.case_change_status(self.case, actor=self.case_manager, to="active")
        actions.case_reassign(self.case, actor=self.supervisor, case_manager=self.colleague)
        actions.case_transfer(self.case, actor=self.supervisor, program=self.youth)
        body = self.assertJson(self.api("get", f"/cases/{self.case.pk}/history"), 200)
        self.assertEqual(
            [(e["kind"], e["from_status"], e["to_status"]) for e in body],
            [
                ("status", "", "intake"),
                ("status", "intake", "active"),
                ("reassigned", "", ""),
                ("transferred", "", ""),
            ],
        )
        self.assertEqual(body[2]["from_user"]["username"], "casemanager")
        self.assertEqual(body[2]["to_user"]["username"], "colleague")
        self.assertEqual(body[3]["from_program"]["id"], self.program.pk)
        self.assertEqual(body[3]["to_program"]["id"], self.youth.pk)
        self.assertEqual(body[3]["actor"]["username"], "supervisor")
        self.assertEqual(
            self.events(self.case, "view").get().detail, {"via": "api", "part": "history"}
        )

    def test_the_history_takes_a_constant_number_of_queries(self):
        path = f"/cases/{self.case.pk}/history"
        few, _ = self.queries(path)
        actions.case_change_status(self.case, actor=self.case_manager, to="active")
        actions.case_reassign(self.case, actor=self.supervisor, case_manager=self.colleague)
        actions.case_transfer(self.case, actor=self.director, program=self.youth)
        many, body = self.queries(path)
        self.assertEqual(len(body), 4)
        self.assertEqual(few, many)

    def test_an_unknown_or_malformed_case_id_is_a_json_404(self):
        for pk in ("999999", "-1", str(10**30), "abc", "1.5"):
            response = self.api("get", f"/cases/{pk}")
            self.assertEqual(self.assertJson(response, 404), {"detail": "Not found."}, pk)


class CaseAccessApiTests(CaseApiTestCase):
    def case_calls(self, pk):
        return [
            ("get", "/cases", None),
            ("post", "/cases", {"survivor_id": self.survivor.pk, "program_id": self.program.pk}),
            ("get", f"/cases/{pk}", None),
            ("patch", f"/cases/{pk}", {"version": 1, "risk_level": "low"}),
            ("post", f"/cases/{pk}/status", {"to": "active"}),
            ("post", f"/cases/{pk}/reassign", {"case_manager_id": None}),
            ("post", f"/cases/{pk}/transfer", {"program_id": self.youth.pk}),
            ("get", f"/cases/{pk}/history", None),
        ]

    def test_analysts_trainers_and_hotline_advocates_get_403_whatever_they_send(self):
        for user in (self.analyst, self.trainer, self.advocate):
            for method, path, body in self.case_calls(self.case.pk):
                for sent in (body, {"nonsense": True}):
                    response = self.api(method, path, user, body=sent)
                    self.assertEqual(
                        self.assertJson(response, 403).keys(), {"detail"}, (user, path)
                    )
                    self.assertNoSurvivorData(response)
        self.assertEqual(Case.objects.filter(organization=self.agency_a).count(), 1)
        self.assertFalse(self.events(self.case).exclude(action="create").exists())

    def test_the_outsider_gets_404_on_every_case_route_whatever_they_send(self):
        for method, path, body in self.case_calls(self.case.pk)[2:]:
            for sent in (body, {}, {"nonsense": True}):
                response = self.api(method, path, self.outsider, body=sent)
                self.assertEqual(self.assertJson(response, 404), {"detail": "Not found."}, path)
                self.assertNoSurvivorData(response)
        stored = Case.objects.get(pk=self.case.pk)
        self.assertEqual(
            (stored.version, stored.status, stored.program), (1, "intake", self.program)
        )
        self.assertFalse(self.events(self.case).exclude(action="create").exists())

    def test_a_browser_session_alone_does_not_authenticate(self):
        self.login(self.case_manager)
        response = self.client.get(f"/api/v1/cases/{self.case.pk}")
        self.assertJson(response, 401)
        self.assertNoSurvivorData(response)


class CaseUpdateApiTests(CaseApiTestCase):
    def test_changes_the_fields_sent_and_moves_the_version_on(self):
        payload = {
            "version": 1,
            "risk_level": "medium",
            "opened_on": (self.opened_on - DAY).isoformat(),
            "team_ids": [self.colleague.pk],
        }
        body = self.assertJson(self.api("patch", f"/cases/{self.case.pk}", body=payload), 200)
        self.assertEqual((body["risk_level"], body["trafficking_type"]), ("medium", "labor"))
        self.assertEqual(body["opened_on"], (self.opened_on - DAY).isoformat())
        self.assertEqual([p["username"] for p in body["team"]], ["colleague"])
        self.assertEqual(body["version"], 2)
        changes = self.events(self.case, "change").order_by("pk")
        self.assertEqual(
            [e.changed_fields for e in changes], [["opened_on", "risk_level"], ["team"]]
        )

    def test_the_version_is_required(self):
        response = self.api("patch", f"/cases/{self.case.pk}", body={"risk_level": "low"})
        self.assertFieldError(response, "version")
        self.assertEqual(Case.objects.get(pk=self.case.pk).risk_level, "high")

    def test_a_stale_version_is_a_409_naming_who_changed_which_fields_and_nothing_is_saved(self):
        actions.case_update(
            self.case, actor=self.supervisor, data={"risk_level": "low"}, expected_version=1
        )
        response = self.api(
            "patch", f"/cases/{self.case.pk}", body={"version": 1, "trafficking_type": "sex"}
        )
        body = self.assertConflict(
            response, current_version=2, changed_fields=["risk_level"], by="supervisor"
        )
        self.assertIn("since version 1", body["detail"])
        stored = Case.objects.get(pk=self.case.pk)
        self.assertEqual((stored.trafficking_type, stored.version), ("labor", 2))
        self.assertEqual(self.events(self.case, "change").count(), 1)

    def test_moving_the_opening_after_a_service_is_refused(self):
        payload = {"version": 1, "opened_on": self.today.isoformat()}
        response = self.api("patch", f"/cases/{self.case.pk}", body=payload)
        self.assertFieldError(response, "opened_on", "A service was recorded")
        self.assertEqual(Case.objects.get(pk=self.case.pk).opened_on, self.opened_on)

    def test_null_where_a_value_is_needed_and_a_colleague_of_another_agency(self):
        path = f"/cases/{self.case.pk}"
        self.assertFieldError(
            self.api("patch", path, body={"version": 1, "risk_level": None}), "risk_level"
        )
        response = self.api("patch", path, body={"version": 1, "team_ids": [self.outsider.pk]})
        self.assertFieldError(response, "team_ids")
        self.assertNotIn("outsider", response.content.decode())
        self.assertFieldError(
            self.api("patch", path, body={"version": 1, "survivor_id": 3}), "survivor_id"
        )
        self.assertEqual(Case.objects.get(pk=self.case.pk).version, 1)


class CaseStatusApiTests(CaseApiTestCase):
    def move(self, user=None, **payload):
        return self.api("post", f"/cases/{self.case.pk}/status", user, body=payload)

    def test_activate_close_with_a_reason_and_reopen(self):
        body = self.assertJson(self.move(to="active", version=1), 200)
        self.assertEqual((body["status"], body["version"]), ("active", 2))
        closed_on = (self.today - DAY).isoformat()
        body = self.assertJson(self.move(to="closed", reason="goals_met", on=closed_on), 200)
        self.assertEqual(
            (body["status"], body["closure_reason"], body["ended_on"]),
            ("closed", "goals_met", closed_on),
        )
        self.assertEqual(body["next_statuses"], ["reopened"])
        body = self.assertJson(self.move(to="reopened"), 200)
        self.assertEqual(
            (body["status"], body["ended_on"], body["closure_reason"]), ("reopened", None, "")
        )

    def test_a_note_given_with_the_change_is_kept_as_a_case_note(self):
        self.assertJson(self.move(to="on_hold", note="She is travelling for a month."), 200)
        note = CaseNote.objects.filter(case=self.case).latest("pk")
        self.assertEqual(note.body, "She is travelling for a month.")

    def test_closing_before_the_case_opened_is_a_400_under_on(self):
        on = (self.opened_on - DAY).isoformat()
        response = self.move(to="closed", reason="goals_met", on=on)
        self.assertFieldError(response, "on", "before it opened")
        self.assertEqual(Case.objects.get(pk=self.case.pk).status, "intake")

    def test_closing_without_a_reason_and_an_impossible_move_are_field_errors(self):
        self.assertFieldError(self.move(to="closed"), "reason")
        self.assertFieldError(self.move(to="graduated"), "to", "cannot become")
        self.assertFieldError(self.move(to="finished"), "to")
        self.assertFieldError(self.move(), "to")
        stored = Case.objects.get(pk=self.case.pk)
        self.assertEqual((stored.status, stored.version, stored.events.count()), ("intake", 1, 1))

    def test_a_stale_version_is_a_409(self):
        actions.case_change_status(self.case, actor=self.supervisor, to="active")
        response = self.move(to="on_hold", version=1)
        self.assertConflict(response, current_version=2, changed_fields=["status"], by="supervisor")
        self.assertEqual(Case.objects.get(pk=self.case.pk).status, "active")


class CaseReassignAndTransferApiTests(CaseApiTestCase):
    def test_a_supervisor_reassigns_the_case(self):
        path = f"/cases/{self.case.pk}/reassign"
        body = self.assertJson(
            self.api(
                "post",
                path,
                self.supervisor,
                body={"case_manager_id": self.colleague.pk, "version": 1},
            ),
            200,
        )
        self.assertEqual((body["case_manager"]["username"], body["version"]), ("colleague", 2))
        body = self.assertJson(
            self.api("post", path, self.director, body={"case_manager_id": None}), 200
        )
        self.assertIsNone(body["case_manager"])

    def test_only_supervisors_and_directors_reassign_or_transfer(self):
        for path, payload in (
            ("reassign", {"case_manager_id": self.colleague.pk}),
            ("transfer", {"program_id": self.youth.pk}),
        ):
            response = self.api("post", f"/cases/{self.case.pk}/{path}", body=payload)
            self.assertJson(response, 403)
        stored = Case.objects.get(pk=self.case.pk)
        self.assertEqual((stored.case_manager, stored.program), (self.case_manager, self.program))

    def test_reassigning_to_someone_outside_the_organization_is_a_field_error(self):
        for pk in (self.outsider.pk, self.analyst.pk, 999999):
            response = self.api(
                "post",
                f"/cases/{self.case.pk}/reassign",
                self.supervisor,
                body={"case_manager_id": pk},
            )
            self.assertFieldError(response, "case_manager_id")
        self.assertFieldError(
            self.api("post", f"/cases/{self.case.pk}/reassign", self.supervisor, body={}),
            "case_manager_id",
        )

    def test_a_supervisor_transfers_the_case_to_another_program_and_case_manager(self):
        payload = {"program_id": self.youth.pk, "case_manager_id": self.colleague.pk, "version": 1}
        body = self.assertJson(
            self.api("post", f"/cases/{self.case.pk}/transfer", self.supervisor, body=payload), 200
        )
        self.assertEqual(body["program"]["id"], self.youth.pk)
        self.assertEqual(body["case_manager"]["username"], "colleague")
        event = self.case.events.latest("pk")
        self.assertEqual(
            (event.kind, event.from_program, event.to_program),
            ("transferred", self.program, self.youth),
        )

    def test_a_transfer_to_the_same_program_or_one_of_another_agency_is_refused(self):
        path = f"/cases/{self.case.pk}/transfer"
        for program, fragment in ((self.program, "already"), (self.b_program, "")):
            response = self.api("post", path, self.supervisor, body={"program_id": program.pk})
            self.assertFieldError(response, "program_id", fragment)
        self.assertEqual(Case.objects.get(pk=self.case.pk).program, self.program)

    def test_a_stale_version_is_a_409(self):
        actions.case_update(
            self.case, actor=self.case_manager, data={"risk_level": "low"}, expected_version=1
        )
        response = self.api(
            "post",
            f"/cases/{self.case.pk}/reassign",
            self.supervisor,
            body={"case_manager_id": self.colleague.pk, "version": 1},
        )
        self.assertConflict(
            response, current_version=2, changed_fields=["risk_level"], by="casemanager"
        )
        self.assertEqual(Case.objects.get(pk=self.case.pk).case_manager, self.case_manager)


class CaseApiSchemaTests(CaseApiTestCase):
    def test_the_openapi_schema_lists_the_case_goal_note_and_task_paths(self):
        schema = self.assertJson(self.client.get("/api/v1/openapi.json"), 200)
        paths = {path: set(methods) for path, methods in schema["paths"].items()}
        expected = {
            "/api/v1/cases": {"get", "post"},
            "/api/v1/cases/{case_id}": {"get", "patch"},
            "/api/v1/cases/{case_id}/status": {"post"},
            "/api/v1/cases/{case_id}/reassign": {"post"},
            "/api/v1/cases/{case_id}/transfer": {"post"},
            "/api/v1/cases/{case_id}/history": {"get"},
            "/api/v1/cases/{case_id}/goals": {"get", "post"},
            "/api/v1/goals/{goal_id}": {"patch"},
            "/api/v1/goals/{goal_id}/steps": {"post"},
            "/api/v1/steps/{step_id}/done": {"post"},
            "/api/v1/cases/{case_id}/notes": {"get", "post"},
            "/api/v1/tasks": {"get"},
            "/api/v1/cases/{case_id}/tasks": {"get", "post"},
            "/api/v1/tasks/{task_id}": {"patch"},
            "/api/v1/tasks/{task_id}/done": {"post"},
        }
        for path, methods in expected.items():
            self.assertEqual(paths.get(path), methods, path)

    def test_an_edit_documents_its_required_version_and_the_409_answer(self):
        schema = self.client.get("/api/v1/openapi.json").json()
        patch = schema["paths"]["/api/v1/cases/{case_id}"]["patch"]
        self.assertIn("409", patch["responses"])
        self.assertIn("version", schema["components"]["schemas"]["CaseUpdate"]["required"])
        risk = schema["components"]["schemas"]["CaseOut"]["properties"]["risk_level"]
        self.assertEqual(risk["enum"], ["low", "medium", "high"])
