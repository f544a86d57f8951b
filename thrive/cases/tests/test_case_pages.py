"""The case pages: opening a case from the survivor's page, the case page, its lifecycle
through the status form, reassigning and transferring, the case list and programs, and who
may reach each page."""

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from thrive.accounts.models import Role
from thrive.audit.models import AuditEvent
from thrive.cases import actions
from thrive.cases.models import Case, CaseEvent, Program
from thrive.survivors.actions import survivor_create
from thrive.test import DAY, CaseTestCase, make_member


class CaseOpenPageTests(CaseTestCase):
    def url(self, survivor=None):
        return f"/cases/new/{(survivor or self.survivor).pk}/"

    def test_a_case_manager_opens_a_case_assigned_to_themselves_by_default(self):
        self.login(self.case_manager)
        response = self.client.get(self.url())
        self.assertEqual(response.context["form"]["case_manager"].value(), self.case_manager.pk)
        response = self.client.post(
            self.url(),
            {
                "program": self.program.pk,
                "case_manager": self.case_manager.pk,
                "team": [self.supervisor.pk],
                "risk_level": "medium",
                "trafficking_type": "sex",
                "opened_on": (self.today - 3 * DAY).isoformat(),
            },
        )
        case = Case.objects.exclude(pk=self.case.pk).get()
        self.assertRedirects(response, f"/cases/{case.pk}/")
        self.assertEqual(
            (case.survivor, case.program, case.case_manager, case.status, case.opened_on),
            (self.survivor, self.program, self.case_manager, "intake", self.today - 3 * DAY),
        )
        self.assertEqual(list(case.team.all()), [self.supervisor])

    def test_a_case_opening_in_the_future_is_refused_at_the_field(self):
        self.login(self.case_manager)
        response = self.client.post(
            self.url(),
            {
                "program": self.program.pk,
                "risk_level": "medium",
                "trafficking_type": "sex",
                "opened_on": (self.today + DAY).isoformat(),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("opened_on", response.context["form"].errors)
        self.assertEqual(Case.objects.count(), 1)

    def test_a_program_of_another_organization_cannot_be_chosen(self):
        theirs = actions.program_create(
            self.agency_b, actor=self.outsider, data={"name": "B's", "kind": "other"}
        )
        self.login(self.case_manager)
        response = self.client.post(
            self.url(),
            {
                "program": theirs.pk,
                "risk_level": "low",
                "trafficking_type": "sex",
                "opened_on": self.today.isoformat(),
            },
        )
        self.assertIn("program", response.context["form"].errors)
        self.assertEqual(Case.objects.count(), 1)

    def test_the_survivor_page_lists_cases_and_offers_to_open_one_for_case_roles(self):
        self.login(self.case_manager)
        response = self.client.get(f"/survivors/{self.survivor.pk}/")
        self.assertContains(response, f'href="/cases/{self.case.pk}/"')
        self.assertContains(response, f'href="{self.url()}"')

    def test_a_hotline_advocate_sees_the_survivor_but_not_the_cases(self):
        self.login(self.advocate)
        response = self.client.get(f"/survivors/{self.survivor.pk}/")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, self.case.label)
        self.assertNotContains(response, self.url())
        self.assertEqual(self.client.get(self.url()).status_code, 403)

    def test_the_outsider_cannot_open_a_case_for_agency_a(self):
        self.login(self.outsider)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.assertEqual(self.client.post(self.url(), {}).status_code, 404)


class CaseDetailPageTests(CaseTestCase):
    def url(self):
        return f"/cases/{self.case.pk}/"

    def test_the_case_page_shows_header_plan_services_notes_tasks_and_history(self):
        self.login(self.case_manager)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        for text in [
            self.case.label,
            f'href="/survivors/{self.survivor.pk}/"',
            "Comprehensive case management",
            "Labor trafficking",
            "Move into a place of her own",
            "Visit two apartments",
            f'action="/cases/steps/{self.step.pk}/done/"',
            self.shelter.label,
            "Comprehensive services for victims of trafficking",
            "Met at the shelter; she asked about housing.",
            "Call the housing authority",
            f'action="/cases/tasks/{self.task.pk}/done/"',
            f'action="/cases/{self.case.pk}/notes/new/"',
            f'action="/cases/{self.case.pk}/tasks/new/"',
        ]:
            self.assertContains(response, text)
        self.assertEqual(
            [e.get_to_status_display() for e in response.context["events"]], ["Intake"]
        )

    def test_reading_a_case_is_audited(self):
        self.login(self.supervisor)
        self.client.get(self.url())
        event = AuditEvent.objects.for_object(self.case).get(action="view")
        self.assertEqual(event.actor, self.supervisor)

    def test_the_allowed_status_changes_are_offered(self):
        self.login(self.case_manager)
        response = self.client.get(self.url())
        offered = [a["status"] for a in response.context["status_actions"]]
        self.assertEqual(offered, ["active", "on_hold", "closed"])
        self.assertContains(response, f'href="/cases/{self.case.pk}/status/?status=closed"')

    def test_record_a_service_is_linked_only_once_that_page_exists(self):
        try:
            expected = reverse("services:record", args=[self.case.pk])
        except NoReverseMatch:
            expected = None
        self.login(self.case_manager)
        response = self.client.get(self.url())
        self.assertEqual(response.context["record_service_url"], expected)
        if expected:
            self.assertContains(response, f'href="{expected}"')
        else:
            self.assertNotContains(response, "Record a service")

    def test_a_colleague_reads_the_case_but_cannot_change_it(self):
        colleague = make_member("colleague", self.agency_a, Role.CASE_MANAGER)
        self.login(colleague)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, f"/cases/{self.case.pk}/edit/")
        self.assertNotContains(response, "/notes/new/")
        self.assertEqual(response.context["status_actions"], [])
        for path in ["edit/", "status/", "notes/new/", "tasks/new/", "goals/new/"]:
            with self.subTest(path=path):
                self.assertEqual(self.client.post(self.url() + path, {}).status_code, 403)


class CaseLifecyclePageTests(CaseTestCase):
    """Open, activate, hold, graduate, reopen and close through the pages."""

    def status(self, case, **data):
        case.refresh_from_db()
        return self.client.post(f"/cases/{case.pk}/status/", {"version": case.version, **data})

    def test_the_whole_lifecycle_through_the_pages(self):
        self.login(self.case_manager)
        opened_on = self.today - 10 * DAY
        response = self.client.post(
            f"/cases/new/{self.survivor.pk}/",
            {
                "program": self.program.pk,
                "case_manager": self.case_manager.pk,
                "risk_level": "high",
                "trafficking_type": "both",
                "opened_on": opened_on.isoformat(),
            },
        )
        case = Case.objects.exclude(pk=self.case.pk).get()
        self.assertRedirects(response, f"/cases/{case.pk}/")

        for to in ["active", "on_hold", "active"]:
            with self.subTest(to=to):
                self.assertRedirects(self.status(case, status=to), f"/cases/{case.pk}/")
        # Graduation is not a status the case manager sets: a supervisor approves it.
        response = self.status(case, status="graduated")
        self.assertEqual(response.status_code, 200)
        self.assertIn("status", response.context["form"].errors)
        graduated_on = self.today - DAY
        self.graduate(case, on=graduated_on)
        case.refresh_from_db()
        self.assertEqual((case.status, case.ended_on), ("graduated", graduated_on))
        self.assertRedirects(self.status(case, status="reopened"), f"/cases/{case.pk}/")

        # Closing needs a reason: the form says so at the field and saves nothing.
        response = self.status(case, status="closed")
        self.assertEqual(response.status_code, 200)
        self.assertIn("closure_reason", response.context["form"].errors)
        self.assertContains(response, "Say why the case is closed.")

        # A closure dated before the case opened is refused at the date.
        response = self.status(
            case,
            status="closed",
            closure_reason="goals_met",
            ended_on=(opened_on - DAY).isoformat(),
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("before it opened", response.context["form"].errors["ended_on"][0])
        case.refresh_from_db()
        self.assertEqual(case.status, "reopened")

        response = self.status(
            case, status="closed", closure_reason="moved_away", note="Moved to her sister's."
        )
        self.assertRedirects(response, f"/cases/{case.pk}/")
        case.refresh_from_db()
        self.assertEqual(
            (case.status, case.closure_reason, case.ended_on), ("closed", "moved_away", self.today)
        )
        self.assertEqual(case.notes.get().body, "Moved to her sister's.")
        history = list(
            case.events.filter(kind=CaseEvent.Kind.STATUS).values_list("from_status", "to_status")
        )
        self.assertEqual(
            history,
            [
                ("", "intake"),
                ("intake", "active"),
                ("active", "on_hold"),
                ("on_hold", "active"),
                ("active", "graduated"),
                ("graduated", "reopened"),
                ("reopened", "closed"),
            ],
        )
        page = self.client.get(f"/cases/{case.pk}/")
        self.assertContains(page, "Moved away")
        self.assertEqual([a["status"] for a in page.context["status_actions"]], ["reopened"])

    def test_the_status_form_preselects_what_the_button_asked_for(self):
        self.login(self.case_manager)
        response = self.client.get(f"/cases/{self.case.pk}/status/?status=closed")
        self.assertEqual(response.context["form"]["status"].value(), "closed")
        response = self.client.get(f"/cases/{self.case.pk}/status/?status=graduated")
        self.assertIsNone(response.context["form"]["status"].value())  # not from intake

    def test_a_status_an_ended_case_cannot_take_is_refused_at_the_field(self):
        actions.case_change_status(self.case, actor=self.case_manager, to="closed", reason="other")
        self.login(self.case_manager)
        response = self.status(self.case, status="active")
        self.assertEqual(response.status_code, 200)
        self.assertIn("status", response.context["form"].errors)

    def test_a_case_cannot_close_before_its_last_service(self):
        self.login(self.case_manager)
        response = self.status(
            self.case,
            status="closed",
            closure_reason="goals_met",
            ended_on=(self.today - 2 * DAY).isoformat(),
        )
        self.assertIn("after this date", response.context["form"].errors["ended_on"][0])


class ReassignTransferPageTests(CaseTestCase):
    def test_a_supervisor_reassigns_a_case(self):
        self.login(self.supervisor)
        response = self.client.post(
            f"/cases/{self.case.pk}/reassign/",
            {"case_manager": self.supervisor.pk, "version": self.case.version},
        )
        self.assertRedirects(response, f"/cases/{self.case.pk}/")
        self.case.refresh_from_db()
        self.assertEqual(self.case.case_manager, self.supervisor)
        self.assertTrue(self.case.events.filter(kind="reassigned").exists())

    def test_a_supervisor_transfers_a_case_to_another_program(self):
        youth = actions.program_create(
            self.agency_a, actor=self.supervisor, data={"name": "Youth", "kind": "youth"}
        )
        self.login(self.supervisor)
        form = self.client.get(f"/cases/{self.case.pk}/transfer/").context["form"]
        self.assertEqual(list(form.fields["program"].queryset), [youth])  # not the current one
        response = self.client.post(
            f"/cases/{self.case.pk}/transfer/",
            {"program": youth.pk, "version": self.case.version},
        )
        self.assertRedirects(response, f"/cases/{self.case.pk}/")
        self.case.refresh_from_db()
        self.assertEqual((self.case.program, self.case.case_manager), (youth, self.case_manager))

    def test_a_case_manager_may_neither_reassign_nor_transfer(self):
        self.login(self.case_manager)
        for path in ["reassign/", "transfer/"]:
            with self.subTest(path=path):
                self.assertEqual(self.client.get(f"/cases/{self.case.pk}/{path}").status_code, 403)
                response = self.client.post(
                    f"/cases/{self.case.pk}/{path}",
                    {"case_manager": self.supervisor.pk, "version": 1},
                )
                self.assertEqual(response.status_code, 403)
        self.case.refresh_from_db()
        self.assertEqual(self.case.case_manager, self.case_manager)

    def test_reassigning_to_someone_outside_the_organization_is_refused(self):
        self.login(self.supervisor)
        response = self.client.post(
            f"/cases/{self.case.pk}/reassign/",
            {"case_manager": self.outsider.pk, "version": self.case.version},
        )
        self.assertIn("case_manager", response.context["form"].errors)


class CaseListPageTests(CaseTestCase):
    URL = "/cases/all/"

    def open_cases(self, n, program=None, case_manager=None):
        survivor = survivor_create(
            self.agency_a, actor=self.supervisor, data={"preferred_name": "Ana"}
        )
        return [
            actions.case_open(
                survivor,
                actor=self.supervisor,
                program=program or self.program,
                data={"case_manager": case_manager},
            )
            for _ in range(n)
        ]

    def listed(self, query=""):
        response = self.client.get(self.URL + query)
        self.assertEqual(response.status_code, 200)
        return {case.pk for case in response.context["page"]}

    def test_filters_by_status_program_and_case_manager(self):
        youth = actions.program_create(
            self.agency_a, actor=self.supervisor, data={"name": "Youth", "kind": "youth"}
        )
        [theirs] = self.open_cases(1, program=youth, case_manager=self.supervisor)
        [unassigned] = self.open_cases(1)
        actions.case_change_status(unassigned, actor=self.supervisor, to="closed", reason="other")
        self.login(self.case_manager)
        self.assertEqual(self.listed(), {self.case.pk, theirs.pk, unassigned.pk})
        self.assertEqual(self.listed("?status=closed"), {unassigned.pk})
        self.assertEqual(self.listed("?status=open"), {self.case.pk, theirs.pk})
        self.assertEqual(self.listed(f"?program={youth.pk}"), {theirs.pk})
        self.assertEqual(self.listed(f"?case_manager={self.supervisor.pk}"), {theirs.pk})
        self.assertEqual(self.listed("?case_manager=none"), {unassigned.pk})

    def test_a_bad_filter_is_shown_at_the_field_and_ignored(self):
        self.login(self.case_manager)
        response = self.client.get(self.URL + "?program=abc&status=nonsense")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(response.context["form"].errors), {"program", "status"})
        self.assertEqual(len(response.context["page"]), 1)

    def test_another_organizations_cases_never_appear(self):
        survivor = survivor_create(
            self.agency_b, actor=self.outsider, data={"preferred_name": "Bea"}
        )
        program = actions.program_create(
            self.agency_b, actor=self.outsider, data={"name": "B", "kind": "other"}
        )
        actions.case_open(survivor, actor=self.outsider, program=program, data={})
        self.login(self.case_manager)
        self.assertEqual(self.listed(), {self.case.pk})
        self.login(self.outsider)
        response = self.client.get(self.URL)
        self.assertContains(response, "Bea")
        self.assertNoSurvivorData(response)

    @override_settings(THRIVE_PAGE_SIZE=5)
    def test_pages_keep_the_filters_and_the_query_count_stays_flat(self):
        self.login(self.case_manager)
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.URL + "?status=intake")
        self.open_cases(11, case_manager=self.case_manager)
        with self.assertNumQueries(len(few)):
            response = self.client.get(self.URL + "?status=intake")
        self.assertContains(response, "Page 1 of 3")
        self.assertContains(response, 'href="?status=intake&amp;page=2"')
        self.assertEqual(
            len(self.client.get(self.URL + "?status=intake&page=3").context["page"]), 2
        )


class ProgramPageTests(CaseTestCase):
    def setUp(self):
        self.director = make_member("director", self.agency_a, Role.PROGRAM_DIRECTOR)

    def test_case_roles_see_the_programs_with_their_open_cases(self):
        self.login(self.case_manager)
        response = self.client.get("/cases/programs/")
        self.assertContains(response, "Comprehensive case management")
        self.assertEqual(response.context["programs"][0].open_cases, 1)
        self.assertNotContains(response, "/cases/programs/new/")

    def test_a_program_director_creates_a_program(self):
        self.login(self.director)
        self.assertContains(self.client.get("/cases/programs/"), 'href="/cases/programs/new/"')
        response = self.client.post(
            "/cases/programs/new/",
            {
                "name": "Youth",
                "kind": "youth",
                "assessment_interval_days": 60,
                "graduation_level": 4,
                "follow_up_months": "12, 6",
            },
        )
        self.assertRedirects(response, "/cases/programs/")
        program = Program.objects.get(name="Youth")
        self.assertEqual((program.organization, program.kind), (self.agency_a, "youth"))
        self.assertEqual((program.graduation_level, program.follow_up_months), (4, [6, 12]))
        self.assertIsNone(program.instrument)  # the default instrument

    def test_outcome_settings_out_of_range_are_refused_at_the_field(self):
        self.login(self.director)
        data = {
            "name": "Youth",
            "kind": "youth",
            "assessment_interval_days": 60,
            "graduation_level": 3,
        }
        for field, value in [
            ("graduation_level", 6),
            ("follow_up_months", "3, six"),
            ("follow_up_months", "0, 90"),
            ("assessment_interval_days", 3),
        ]:
            with self.subTest(field=field, value=value):
                response = self.client.post("/cases/programs/new/", {**data, field: value})
                self.assertIn(field, response.context["form"].errors)
        self.assertFalse(Program.objects.filter(name="Youth").exists())

    def test_a_duplicate_name_is_refused_at_the_field(self):
        self.login(self.director)
        response = self.client.post(
            "/cases/programs/new/",
            {
                "name": "comprehensive CASE management",
                "kind": "other",
                "assessment_interval_days": 90,
            },
        )
        self.assertIn("name", response.context["form"].errors)
        self.assertEqual(Program.objects.count(), 1)

    def test_only_program_directors_create_programs(self):
        for persona in [self.case_manager, self.supervisor]:
            with self.subTest(persona=persona.username):
                self.login(persona)
                response = self.client.post("/cases/programs/new/", {"name": "X", "kind": "other"})
                self.assertEqual(response.status_code, 403)
        self.assertEqual(Program.objects.count(), 1)


class CasePageAccessTests(CaseTestCase):
    """Every case page: 404 to the outsider, 403 to roles that see no case."""

    def object_paths(self):
        case, goal, step, task = self.case.pk, self.goal.pk, self.step.pk, self.task.pk
        return [
            f"/cases/new/{self.survivor.pk}/",
            f"/cases/{case}/",
            f"/cases/{case}/edit/",
            f"/cases/{case}/status/",
            f"/cases/{case}/reassign/",
            f"/cases/{case}/transfer/",
            f"/cases/{case}/goals/new/",
            f"/cases/goals/{goal}/edit/",
            f"/cases/goals/{goal}/steps/new/",
            f"/cases/steps/{step}/done/",
            f"/cases/{case}/notes/new/",
            f"/cases/{case}/tasks/new/",
            f"/cases/tasks/{task}/edit/",
            f"/cases/tasks/{task}/done/",
        ]

    def all_paths(self):
        return [
            "/cases/",
            "/cases/team/",
            "/cases/all/",
            "/cases/programs/",
            "/cases/programs/new/",
            *self.object_paths(),
        ]

    def refusal(self, path, method, status):
        """`status`, or 405 for a method the page does not take (checked first)."""
        read_only = path in {"/cases/", "/cases/team/", "/cases/all/", "/cases/programs/"}
        if (method == "get" and path.endswith("/done/")) or (
            method == "post" and (read_only or path == f"/cases/{self.case.pk}/")
        ):
            return 405
        return status

    def test_the_outsider_gets_404_on_every_page_naming_agency_a_records(self):
        self.login(self.outsider)
        for path in self.object_paths():
            for method in ["get", "post"]:
                with self.subTest(path=path, method=method):
                    response = getattr(self.client, method)(path)
                    self.assertEqual(response.status_code, self.refusal(path, method, 404))
                    self.assertNoSurvivorData(response)

    def test_analyst_trainer_and_hotline_advocate_get_403_everywhere(self):
        for persona in [self.analyst, self.trainer, self.advocate]:
            self.login(persona)
            for path in self.all_paths():
                for method in ["get", "post"]:
                    with self.subTest(persona=persona.username, path=path, method=method):
                        response = getattr(self.client, method)(path)
                        expected = self.refusal(path, method, 403)
                        self.assertEqual(response.status_code, expected)
                        self.assertNoSurvivorData(response)
        self.assertEqual(self.case.notes.count(), 1)

    def test_wrong_methods_get_405(self):
        self.login(self.case_manager)
        for path in [f"/cases/steps/{self.step.pk}/done/", f"/cases/tasks/{self.task.pk}/done/"]:
            self.assertEqual(self.client.get(path).status_code, 405)
        for path in ["/cases/", "/cases/all/", f"/cases/{self.case.pk}/", "/cases/programs/"]:
            self.assertEqual(self.client.post(path).status_code, 405)

    def test_a_post_without_the_csrf_token_is_refused(self):
        client = Client(enforce_csrf_checks=True)
        self.client = client
        self.login(self.case_manager)
        response = client.post(
            f"/cases/{self.case.pk}/notes/new/",
            {"contact": "none", "noted_on": self.today.isoformat(), "body": "Forged."},
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.case.notes.count(), 1)

    def test_anonymous_visitors_are_sent_to_log_in(self):
        for path in self.all_paths():
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertIn(response.status_code, {302, 405})
                self.assertNoSurvivorData(response)
