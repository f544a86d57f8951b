"""Junk of every type in every field of the casework endpoints: an answer, never a 500."""

import random

from thrive.cases.models import Case, Goal, Task
from thrive.services.models import Service
from thrive.services.tests.test_api_services import ServiceApiTestCase

JUNK = [
    None,
    True,
    False,
    0,
    -1,
    1,
    10**40,
    3.5,
    float("1e308"),
    "",
    " ",
    "NaN",
    "-Infinity",
    "1e400",
    "0.001",
    "A" * 5000,
    "\x00",
    "😀",
    "2026-02-30",
    "2999-01-01",
    "1900-01-01",
    "closed",
    "grant",
    "hours",
    [],
    [1, None],
    [10**30],
    {},
    {"a": 1},
]


class CaseworkApiFuzzTests(ServiceApiTestCase):
    def plausible(self):
        """Values each field accepts, so that the junk lands next to fields that are fine."""
        today = self.today.isoformat()
        return {
            "service_type_id": self.shelter.pk,
            "goal_id": self.goal.pk,
            "status": "delivered",
            "delivered_on": today,
            "provided_by": "staff",
            "staff_member_id": self.case_manager.pk,
            "partner_name": "Casa",
            "quantity": "1.50",
            "unit": "nights",
            "cost": 95,
            "funding": "grant",
            "grant_id": self.grant.pk,
            "notes": "Fine.",
            "survivor_id": self.survivor.pk,
            "program_id": self.program.pk,
            "case_manager_id": self.case_manager.pk,
            "team_ids": [self.case_manager.pk],
            "risk_level": "low",
            "trafficking_type": "sex",
            "opened_on": self.opened_on.isoformat(),
            "to": "active",
            "on": today,
            "reason": "goals_met",
            "note": "A note.",
            "domain": "housing",
            "description": "A goal",
            "target_date": today,
            "title": "A task",
            "due_on": today,
            "remind_on": today,
            "assignee_id": self.case_manager.pk,
        }

    def test_junk_in_any_field_is_refused_or_saved_never_a_500(self):
        rng = random.Random(20261123)  # fixed, so that a failure can be replayed
        plausible = self.plausible()
        service = [*plausible][:13]
        case = ["survivor_id", "program_id", "case_manager_id", "team_ids", "risk_level"]
        case += ["trafficking_type", "opened_on"]
        goal = ["domain", "description", "target_date", "status", "notes"]
        task = ["title", "due_on", "remind_on", "assignee_id"]
        targets = [
            ("post", f"/cases/{self.case.pk}/services", 201, service),
            ("patch", f"/services/{self.service.pk}", 200, service),
            ("post", "/cases", 201, case),
            ("patch", f"/cases/{self.case.pk}", 200, case[3:]),
            ("post", f"/cases/{self.case.pk}/status", 200, ["to", "on", "reason", "note"]),
            ("post", f"/cases/{self.case.pk}/goals", 201, goal),
            ("patch", f"/goals/{self.goal.pk}", 200, goal),
            ("post", f"/cases/{self.case.pk}/tasks", 201, task),
            ("patch", f"/tasks/{self.task.pk}", 200, task),
        ]
        answers = set()
        for _ in range(60):
            for method, path, ok, fields in targets:
                chosen = rng.sample(fields, rng.randint(1, len(fields)))
                payload = {
                    field: rng.choice(JUNK) if rng.random() < 0.15 else plausible[field]
                    for field in chosen
                }
                if rng.random() < 0.05:
                    payload["nickname"] = "Lu"
                if method == "patch" and rng.random() < 0.9:
                    payload["version"] = self.current_version(path)
                before = self.counts()
                response = self.api(method, path, self.supervisor, body=payload)
                self.assertIn(response.status_code, (ok, 400, 409), (path, payload))
                self.assertIsInstance(self.assertJson(response, response.status_code), dict)
                if response.status_code != ok:
                    self.assertEqual(self.counts(), before, (path, payload))
                answers.add((path, response.status_code))
        for _method, path, ok, _fields in targets:
            self.assertIn((path, 400), answers)
            self.assertIn((path, ok), answers)

    def counts(self):
        return (
            Service.objects.count(),
            Case.objects.count(),
            Goal.objects.count(),
            Task.objects.count(),
        )

    def current_version(self, path):
        model = {"services": Service, "cases": Case, "goals": Goal, "tasks": Task}
        kind, pk = path.strip("/").split("/")[:2]
        return model[kind].objects.get(pk=pk).version
