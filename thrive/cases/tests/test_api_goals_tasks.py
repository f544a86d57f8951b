"""The service plan (goals and action steps), notes and tasks over /api/v1."""

from thrive.audit.models import AuditEvent
from thrive.cases import actions
from thrive.cases.models import ActionStep, Case, CaseNote, Goal, Task
from thrive.cases.tests.test_api_cases import CaseApiTestCase
from thrive.test import DAY


class GoalApiTests(CaseApiTestCase):
    def test_lists_the_service_plan_with_each_goals_steps_and_records_the_view(self):
        body = self.assertJson(self.api("get", f"/cases/{self.case.pk}/goals"), 200)
        [goal] = body
        self.assertEqual((goal["id"], goal["domain"]), (self.goal.pk, "housing"))
        self.assertEqual(goal["description"], "Move into a place of her own")
        self.assertEqual(goal["target_date"], (self.today + 90 * DAY).isoformat())
        self.assertEqual((goal["status"], goal["version"]), ("not_started", 1))
        [step] = goal["steps"]
        self.assertEqual(
            (step["id"], step["description"], step["owner"], step["assignee"], step["done_on"]),
            (self.step.pk, "Visit two apartments", "survivor", None, None),
        )
        view = AuditEvent.objects.for_object(self.case).get(action="view")
        self.assertEqual(view.detail, {"via": "api", "part": "goals"})

    def test_the_query_count_does_not_grow_with_goals_and_steps(self):
        path = f"/cases/{self.case.pk}/goals"
        few, _ = self.queries(path)
        for i in range(3):
            goal = actions.goal_add(
                self.case,
                actor=self.case_manager,
                data={"domain": self.housing, "description": f"Goal {i}"},
            )
            for j in range(2):
                actions.action_step_add(
                    goal,
                    actor=self.case_manager,
                    data={"description": f"Step {j}", "owner": "staff", "assignee": self.colleague},
                )
        many, body = self.queries(path)
        self.assertEqual(len(body), 4)
        self.assertEqual(few, many)

    def test_adds_a_goal_by_domain_code(self):
        payload = {
            "domain": "employment",
            "description": "Find part-time work",
            "target_date": (self.today + 60 * DAY).isoformat(),
        }
        response = self.api("post", f"/cases/{self.case.pk}/goals", body=payload)
        body = self.assertJson(response, 201)
        goal = Goal.objects.get(pk=body["id"])
        self.assertEqual(
            (goal.case, goal.domain.code, goal.description),
            (self.case, "employment", "Find part-time work"),
        )
        self.assertEqual((body["steps"], body["version"]), ([], 1))

    def test_goal_input_refused_by_field(self):
        path = f"/cases/{self.case.pk}/goals"
        good = {"domain": "housing", "description": "A home"}
        self.assertFieldError(
            self.api("post", path, body={**good, "domain": "astrology"}), "domain"
        )
        self.assertFieldError(
            self.api("post", path, body={**good, "description": ""}), "description"
        )
        self.assertFieldError(self.api("post", path, body={"domain": "housing"}), "description")
        before = (self.opened_on - DAY).isoformat()
        response = self.api("post", path, body={**good, "target_date": before})
        self.assertFieldError(response, "target_date", "before the case opened")
        self.assertFieldError(self.api("post", path, body={**good, "priority": 1}), "priority")
        self.assertEqual(Goal.objects.count(), 1)

    def test_updates_a_goal_with_its_version(self):
        path = f"/goals/{self.goal.pk}"
        body = self.assertJson(
            self.api(
                "patch", path, body={"version": 1, "status": "achieved", "notes": "Signed a lease."}
            ),
            200,
        )
        self.assertEqual(
            (body["status"], body["achieved_on"], body["version"]),
            ("achieved", self.today.isoformat(), 2),
        )
        self.assertEqual(body["notes"], "Signed a lease.")
        body = self.assertJson(
            self.api("patch", path, body={"version": 2, "notes": None, "target_date": None}), 200
        )
        self.assertEqual((body["notes"], body["target_date"], body["version"]), ("", None, 3))

    def test_a_stale_goal_version_is_a_409_naming_the_fields(self):
        actions.goal_update(
            self.goal, actor=self.colleague, data={"status": "in_progress"}, expected_version=1
        )
        response = self.api(
            "patch", f"/goals/{self.goal.pk}", body={"version": 1, "description": "Another"}
        )
        self.assertConflict(response, current_version=2, changed_fields=["status"], by="colleague")
        self.assertEqual(
            Goal.objects.get(pk=self.goal.pk).description, "Move into a place of her own"
        )
        self.assertFieldError(
            self.api("patch", f"/goals/{self.goal.pk}", body={"status": "achieved"}), "version"
        )

    def test_adds_a_staff_step_and_marks_it_done(self):
        payload = {
            "description": "Call the landlord",
            "owner": "staff",
            "assignee_id": self.colleague.pk,
            "due_on": (self.today + DAY).isoformat(),
        }
        body = self.assertJson(self.api("post", f"/goals/{self.goal.pk}/steps", body=payload), 201)
        self.assertEqual(
            (body["goal_id"], body["assignee"]["username"]), (self.goal.pk, "colleague")
        )
        body = self.assertJson(self.api("post", f"/steps/{body['id']}/done", body={}), 200)
        self.assertEqual(body["done_on"], self.today.isoformat())
        yesterday = (self.today - DAY).isoformat()
        body = self.assertJson(
            self.api("post", f"/steps/{self.step.pk}/done", body={"on": yesterday}), 200
        )
        self.assertEqual(ActionStep.objects.get(pk=self.step.pk).done_on, self.today - DAY)

    def test_step_input_refused_by_field(self):
        path = f"/goals/{self.goal.pk}/steps"
        survivors_own = {
            "description": "Visit",
            "owner": "survivor",
            "assignee_id": self.colleague.pk,
        }
        self.assertFieldError(self.api("post", path, body=survivors_own), "assignee_id", "survivor")
        outsider = {"description": "Visit", "owner": "staff", "assignee_id": self.outsider.pk}
        response = self.api("post", path, body=outsider)
        self.assertFieldError(response, "assignee_id")
        self.assertNotIn("outsider", response.content.decode())
        self.assertFieldError(
            self.api("post", path, body={"description": "Visit", "owner": "nobody"}), "owner"
        )
        self.assertFieldError(
            self.api("post", f"/steps/{self.step.pk}/done", body={"on": "soon"}), "on"
        )
        self.assertEqual(ActionStep.objects.count(), 1)

    def test_only_the_case_team_changes_the_plan(self):
        calls = [
            (
                "post",
                f"/cases/{self.case.pk}/goals",
                {"domain": "housing", "description": "A home"},
            ),
            ("patch", f"/goals/{self.goal.pk}", {"version": 1, "status": "achieved"}),
            ("post", f"/goals/{self.goal.pk}/steps", {"description": "Visit", "owner": "survivor"}),
            ("post", f"/steps/{self.step.pk}/done", {}),
        ]
        for method, path, body in calls:
            self.assertJson(self.api(method, path, self.colleague, body=body), 403)
        self.assertJson(self.api("get", f"/cases/{self.case.pk}/goals", self.colleague), 200)
        self.assertEqual((Goal.objects.count(), ActionStep.objects.count()), (1, 1))
        self.assertIsNone(ActionStep.objects.get().done_on)


class NoteApiTests(CaseApiTestCase):
    def test_lists_notes_newest_first_and_records_the_view(self):
        actions.note_add(
            self.case, actor=self.colleague, data={"body": "Second visit.", "noted_on": self.today}
        )
        body = self.assertJson(self.api("get", f"/cases/{self.case.pk}/notes"), 200)
        self.assertEqual(body["count"], 2)
        self.assertEqual(
            [n["body"] for n in body["results"]],
            ["Second visit.", "Met at the shelter; she asked about housing."],
        )
        self.assertEqual(body["results"][0]["author"]["username"], "colleague")
        self.assertEqual(body["results"][1]["contact"], "in_person")
        view = AuditEvent.objects.for_object(self.case).get(action="view")
        self.assertEqual(view.detail, {"via": "api", "part": "notes"})

    def test_the_query_count_does_not_grow_with_the_number_of_notes(self):
        path = f"/cases/{self.case.pk}/notes"
        few, _ = self.queries(path)
        for i in range(4):
            author = self.colleague if i % 2 else self.supervisor
            actions.note_add(self.case, actor=author, data={"body": f"Note {i}"})
        many, body = self.queries(path)
        self.assertEqual(body["count"], 5)
        self.assertEqual(few, many)

    def test_adds_a_note_and_a_contact_counts_as_the_latest_contact(self):
        payload = {"body": "Phoned her; she is safe.", "contact": "phone"}
        body = self.assertJson(self.api("post", f"/cases/{self.case.pk}/notes", body=payload), 201)
        note = CaseNote.objects.get(pk=body["id"])
        self.assertEqual(
            (note.author, note.body, note.noted_on),
            (self.case_manager, "Phoned her; she is safe.", self.today),
        )
        self.assertEqual(Case.objects.get(pk=self.case.pk).last_contact_on, self.today)
        self.assertEqual(body["author"]["username"], "casemanager")

    def test_note_input_refused_by_field(self):
        path = f"/cases/{self.case.pk}/notes"
        self.assertFieldError(self.api("post", path, body={"body": ""}), "body")
        self.assertFieldError(self.api("post", path, body={"contact": "phone"}), "body")
        tomorrow = (self.today + DAY).isoformat()
        self.assertFieldError(
            self.api("post", path, body={"body": "x", "noted_on": tomorrow}), "noted_on", "future"
        )
        before = (self.opened_on - DAY).isoformat()
        self.assertFieldError(
            self.api("post", path, body={"body": "x", "noted_on": before}),
            "noted_on",
            "before the case opened",
        )
        self.assertFieldError(
            self.api("post", path, body={"body": "x", "contact": "telepathy"}), "contact"
        )
        self.assertEqual(CaseNote.objects.count(), 1)


class TaskApiTests(CaseApiTestCase):
    def add_task(self, days, assignee=None, **data):
        return actions.task_add(
            self.case,
            actor=self.case_manager,
            data={
                "title": f"Due in {days}",
                "due_on": self.today + days * DAY,
                "assignee": assignee or self.case_manager,
                **data,
            },
        )

    def titles(self, body):
        return [task["title"] for task in body["results"]]

    def test_my_tasks_are_my_open_tasks_soonest_first(self):
        overdue = self.add_task(-2)
        later = self.add_task(20)
        self.add_task(1, assignee=self.colleague)
        done = self.add_task(0)
        actions.task_complete(done, actor=self.case_manager)
        body = self.assertJson(self.api("get", "/tasks"), 200)
        self.assertEqual(
            self.titles(body), ["Due in -2", "Call the housing authority", "Due in 20"]
        )
        first = body["results"][0]
        self.assertEqual(
            (first["id"], first["is_overdue"], first["status"]), (overdue.pk, True, "open")
        )
        self.assertEqual(first["case"], {"id": self.case.pk, "label": "C-00001"})
        self.assertEqual(first["assignee"]["username"], "casemanager")
        self.assertNotIn(
            later.pk,
            [t["id"] for t in self.api("get", "/tasks?due_within_days=7").json()["results"]],
        )

    def test_my_tasks_filtered_by_due_within_days_and_overdue(self):
        self.add_task(-2)
        self.add_task(10)
        self.add_task(30, remind_on=self.today)
        self.assertEqual(
            self.titles(self.api("get", "/tasks?due_within_days=7").json()),
            ["Due in -2", "Call the housing authority", "Due in 30"],
        )
        self.assertEqual(
            self.titles(self.api("get", "/tasks?due_within_days=10").json()),
            ["Due in -2", "Call the housing authority", "Due in 10", "Due in 30"],
        )
        self.assertEqual(self.titles(self.api("get", "/tasks?overdue=true").json()), ["Due in -2"])
        self.assertEqual(len(self.api("get", "/tasks?overdue=false").json()["results"]), 3)
        self.assertFieldError(self.api("get", "/tasks?due_within_days=-1"), "due_within_days")
        self.assertEqual(self.api("get", "/tasks", self.colleague).json()["count"], 0)
        self.assertEqual(self.api("get", "/tasks", self.outsider).json()["count"], 0)

    def test_the_query_count_of_task_lists_does_not_grow(self):
        for path in ("/tasks", f"/cases/{self.case.pk}/tasks"):
            few, _ = self.queries(path)
            for i in range(3):
                task = self.add_task(i)
                if i == 0:
                    actions.task_complete(task, actor=self.case_manager)
            many, body = self.queries(path)
            self.assertGreater(body["count"], 1)
            self.assertEqual(few, many, path)

    def test_lists_a_cases_tasks_and_records_the_view(self):
        done = self.add_task(1, assignee=self.colleague)
        actions.task_complete(done, actor=self.colleague)
        body = self.assertJson(
            self.api("get", f"/cases/{self.case.pk}/tasks", self.supervisor), 200
        )
        self.assertEqual(self.titles(body), ["Due in 1", "Call the housing authority"])
        self.assertEqual(body["results"][0]["completed_by"]["username"], "colleague")
        body = self.assertJson(self.api("get", f"/cases/{self.case.pk}/tasks?status=open"), 200)
        self.assertEqual(self.titles(body), ["Call the housing authority"])
        self.assertFieldError(
            self.api("get", f"/cases/{self.case.pk}/tasks?status=later"), "status"
        )
        views = AuditEvent.objects.for_object(self.case).filter(action="view")
        self.assertEqual({e.detail["part"] for e in views}, {"tasks"})

    def test_adds_a_task_for_me_or_a_colleague(self):
        path = f"/cases/{self.case.pk}/tasks"
        due = (self.today + 5 * DAY).isoformat()
        body = self.assertJson(
            self.api("post", path, body={"title": "Book a dentist", "due_on": due}), 201
        )
        self.assertEqual(
            (body["assignee"]["username"], body["due_on"], body["version"]), ("casemanager", due, 1)
        )
        payload = {
            "title": "Cover the call",
            "due_on": due,
            "assignee_id": self.colleague.pk,
            "remind_on": self.today.isoformat(),
        }
        body = self.assertJson(self.api("post", path, body=payload), 201)
        task = Task.objects.get(pk=body["id"])
        self.assertEqual(
            (task.assignee, task.created_by, task.remind_on),
            (self.colleague, self.case_manager, self.today),
        )

    def test_task_input_refused_by_field(self):
        path = f"/cases/{self.case.pk}/tasks"
        due = (self.today + 5 * DAY).isoformat()
        response = self.api(
            "post", path, body={"title": "x", "due_on": due, "assignee_id": self.outsider.pk}
        )
        self.assertFieldError(response, "assignee_id")
        self.assertNotIn("outsider", response.content.decode())
        self.assertFieldError(
            self.api(
                "post", path, body={"title": "x", "due_on": due, "assignee_id": self.analyst.pk}
            ),
            "assignee_id",
        )
        late = (self.today + 6 * DAY).isoformat()
        self.assertFieldError(
            self.api("post", path, body={"title": "x", "due_on": due, "remind_on": late}),
            "remind_on",
        )
        self.assertFieldError(self.api("post", path, body={"title": "", "due_on": due}), "title")
        self.assertFieldError(self.api("post", path, body={"title": "x"}), "due_on")
        self.assertEqual(Task.objects.count(), 1)

    def test_updates_a_task_with_its_version(self):
        path = f"/tasks/{self.task.pk}"
        due = (self.today + 7 * DAY).isoformat()
        payload = {"version": 1, "due_on": due, "assignee_id": self.colleague.pk}
        body = self.assertJson(self.api("patch", path, body=payload), 200)
        self.assertEqual(
            (body["due_on"], body["assignee"]["username"], body["version"]), (due, "colleague", 2)
        )
        self.assertFieldError(
            self.api("patch", path, body={"version": 2, "assignee_id": None}), "assignee_id"
        )
        self.assertFieldError(self.api("patch", path, body={"due_on": due}), "version")

    def test_a_stale_task_version_is_a_409_naming_the_fields(self):
        actions.task_update(
            self.task, actor=self.supervisor, data={"title": "Call them today"}, expected_version=1
        )
        response = self.api(
            "patch", f"/tasks/{self.task.pk}", body={"version": 1, "due_on": self.today.isoformat()}
        )
        self.assertConflict(response, current_version=2, changed_fields=["title"], by="supervisor")
        self.assertEqual(Task.objects.get(pk=self.task.pk).due_on, self.today + 3 * DAY)

    def test_marks_a_task_done_once(self):
        path = f"/tasks/{self.task.pk}/done"
        body = self.assertJson(self.api("post", path, body={}), 200)
        self.assertEqual(
            (body["status"], body["completed_by"]["username"], body["version"]),
            ("done", "casemanager", 2),
        )
        self.assertFieldError(self.api("post", path, body={}), "status", "already closed")

    def test_marking_done_a_task_changed_since_is_a_409(self):
        actions.task_update(
            self.task, actor=self.supervisor, data={"title": "Call now"}, expected_version=1
        )
        response = self.api("post", f"/tasks/{self.task.pk}/done", body={"version": 1})
        self.assertConflict(response, current_version=2, changed_fields=["title"], by="supervisor")
        self.assertEqual(Task.objects.get(pk=self.task.pk).status, "open")
        body = self.assertJson(
            self.api(
                "post", f"/tasks/{self.task.pk}/done", body={"version": 2, "status": "cancelled"}
            ),
            200,
        )
        self.assertEqual(body["status"], "cancelled")

    def test_the_assignee_changes_their_own_task_on_a_case_they_are_not_on(self):
        task = self.add_task(2, assignee=self.colleague)
        body = self.assertJson(
            self.api(
                "patch",
                f"/tasks/{task.pk}",
                self.colleague,
                body={"version": 1, "title": "Done soon"},
            ),
            200,
        )
        self.assertEqual(body["title"], "Done soon")
        self.assertJson(self.api("post", f"/tasks/{task.pk}/done", self.colleague, body={}), 200)
        self.assertJson(
            self.api(
                "patch",
                f"/tasks/{self.task.pk}",
                self.colleague,
                body={"version": 1, "title": "Mine now"},
            ),
            403,
        )
        self.assertJson(
            self.api(
                "post",
                f"/cases/{self.case.pk}/tasks",
                self.colleague,
                body={"title": "x", "due_on": self.today.isoformat()},
            ),
            403,
        )


class PlanNoteTaskAccessApiTests(CaseApiTestCase):
    def calls(self):
        case, goal, step, task = self.case.pk, self.goal.pk, self.step.pk, self.task.pk
        return [
            ("get", f"/cases/{case}/goals", None),
            ("post", f"/cases/{case}/goals", {"domain": "housing", "description": "A home"}),
            ("patch", f"/goals/{goal}", {"version": 1, "status": "achieved"}),
            ("post", f"/goals/{goal}/steps", {"description": "Visit", "owner": "survivor"}),
            ("post", f"/steps/{step}/done", {}),
            ("get", f"/cases/{case}/notes", None),
            ("post", f"/cases/{case}/notes", {"body": "A note"}),
            ("get", f"/cases/{case}/tasks", None),
            ("post", f"/cases/{case}/tasks", {"title": "x", "due_on": self.today.isoformat()}),
            ("patch", f"/tasks/{task}", {"version": 1, "title": "y"}),
            ("post", f"/tasks/{task}/done", {}),
        ]

    def assertNothingChanged(self):  # noqa: N802
        self.assertEqual(
            (
                Goal.objects.count(),
                ActionStep.objects.count(),
                CaseNote.objects.count(),
                Task.objects.count(),
            ),
            (1, 1, 1, 1),
        )
        self.assertEqual(Goal.objects.get(pk=self.goal.pk).version, 1)
        self.assertEqual(Task.objects.get(pk=self.task.pk).status, "open")
        self.assertIsNone(ActionStep.objects.get(pk=self.step.pk).done_on)
        self.assertFalse(AuditEvent.objects.for_object(self.case).filter(action="view").exists())

    def test_analysts_trainers_and_hotline_advocates_get_403_whatever_they_send(self):
        for user in (self.analyst, self.trainer, self.advocate):
            for method, path, body in [*self.calls(), ("get", "/tasks", None)]:
                for sent in (body, {"nonsense": 1}):
                    response = self.api(method, path, user, body=sent)
                    self.assertEqual(
                        self.assertJson(response, 403).keys(), {"detail"}, (user, path)
                    )
                    self.assertNoSurvivorData(response)
        self.assertNothingChanged()

    def test_the_outsider_gets_404_on_every_route_naming_agency_a_records(self):
        for method, path, body in self.calls():
            for sent in (body, {}, {"nonsense": 1}):
                response = self.api(method, path, self.outsider, body=sent)
                self.assertEqual(
                    self.assertJson(response, 404), {"detail": "Not found."}, (method, path)
                )
                self.assertNoSurvivorData(response)
        self.assertNothingChanged()
