"""Every route of the project, walked as an outsider and as a data analyst.

The routes are enumerated from the URLconf (the API's routes are in it too), so a route added
later is walked without editing this file. A new route whose parameter this walker cannot fill
fails here with a message saying which object to add to `sample_objects`.

- The outsider is a supervisor of agency B, fully logged in (two factors) with an API token of
  B. Every route that names one of agency A's records answers 404, whatever the method.
- The data analyst of agency A gets 403 on every person-level route, pages and API alike.
- No response to either, on any route, carries agency A's survivor data.
"""

import re
import uuid

from django.urls import URLResolver, get_resolver
from django.utils import timezone

from thrive.accounts.actions import api_token_create
from thrive.accounts.models import TaskForce
from thrive.hotline import actions as hotline
from thrive.referrals.tests.fixtures import make_conference, make_referral
from thrive.screening.actions import screening_record
from thrive.screening.models import ScreeningInstrument
from thrive.test import CaseTestCase

# Routes that show no person: open to every role (and to the outsider, for their own org).
NOT_PERSON_LEVEL = {
    "home",
    "set_language",
    "accounts:login",
    "accounts:logout",
    "accounts:two_factor_setup",
    "accounts:two_factor_verify",
    "accounts:switch_organization",
    "accounts:api_tokens",
    "accounts:api_token_revoke",
    "api:openapi-json",
    "api:openapi-view",
    "api:api-root",
    # Aggregate outcome figures and the instrument reference show no person.
    "outcomes:summary",
    "outcomes:instruments",
    "outcomes:instrument",
    "api:outcome_instruments",
    "api:outcome_instrument",
    # The partner directory and the gaps report: providers and aggregates, no person.
    "referrals:directory",
    "referrals:partner",
    "referrals:gaps",
    "api:partners",
    "api:partner",
    # Reports: aggregates through disclosure control.
    "reporting:index",
    "reporting:members",
    "reporting:activity",
    "reporting:demographics",
    "reporting:member_figures",
    "reporting:grant",
    "api:report_grant",
    "api:report_members",
    "api:report_activity",
}
# URL parameters that name one of agency A's records, and the CaseTestCase attribute holding
# it. `pk` names the record of the route's own app (see sample_value).
OBJECT_PARAMS = {
    "pk": None,
    "survivor_id": "survivor",
    "case_id": "case",
    "goal_id": "goal",
    "step_id": "step",
    "note_id": "note",
    "task_id": "task",
    "service_id": "service",
    "grant_id": "grant",
    "funder_id": "funder",
    "program_id": "program",
    "contact_id": "contact",
    "response_id": "response",
    "assessment_id": "assessment",
    "review_id": "review",
    "event_id": "outcome_event",
    "consent_id": "consent",
    "referral_id": "referral",
    "conference_id": "conference",
    "roster_id": "conference_case",
    "item_id": "action_item",
    "task_force_id": "task_force",
}
# Parameters naming a record every organization may read (the partner directory): filled
# with agency A's record, but an outsider's 200 is expected there.
SHARED_PARAMS = {"partner_id": "partner"}
# URL parameters that name no record, with a valid value.
OTHER_PARAMS = {"kind": "services", "code": "soa", "version": "1"}
PK_BY_NAMESPACE = {
    "survivors": "survivor",
    "cases": "case",
    "services": "service",
    "grants": "grant",
    "hotline": "contact",
    "screening": "screening",
    "outcomes": None,
    "api": None,
}
PAGE_METHODS = ["get", "post"]
API_METHODS = ["get", "post", "put", "patch", "delete"]
DENIED = {403, 404, 405}

_ROUTE_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
_REGEX_PARAM = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def all_routes(patterns=None, prefix="", namespace=None):
    """(qualified name, route text) for every URL pattern, resolvers flattened."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = ":".join(x for x in (namespace, pattern.namespace) if x) or None
            yield from all_routes(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        else:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern)


class RouteWalkTests(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        outsider_membership = cls.outsider.memberships.get()
        analyst_membership = cls.analyst.memberships.get()
        supervisor_membership = cls.supervisor.memberships.get()
        _, cls.outsider_token = api_token_create(outsider_membership, actor=cls.outsider, name="t")
        _, cls.analyst_token = api_token_create(analyst_membership, actor=cls.analyst, name="t")
        cls.agency_a_token, _ = api_token_create(
            supervisor_membership, actor=cls.supervisor, name="agency A's token"
        )
        # The crisis line: a logged contact of agency A and the response dispatched from it.
        cls.contact, _ = hotline.contact_log(
            cls.agency_a,
            actor=cls.advocate,
            key=uuid.uuid4(),
            data={"channel": "call", "reason": "crisis", "received_at": timezone.now()},
        )
        hotline.contact_link_survivor(cls.contact, actor=cls.advocate, survivor=cls.survivor)
        cls.response = hotline.response_dispatch(
            cls.contact, actor=cls.advocate, responder=cls.case_manager
        )
        tool = ScreeningInstrument.objects.get(code="thrive-indicators", version=1)
        cls.screening = screening_record(
            cls.survivor,
            actor=cls.advocate,
            instrument=tool,
            answers={item["id"]: "no" for item in tool.items},
        )
        # Outcomes: an assessment, a graduation request waiting for approval, an event.
        from thrive.cases.actions import case_change_status
        from thrive.outcomes.actions import graduation_request, outcome_event_record

        case_change_status(cls.case, actor=cls.case_manager, to="active")
        cls.assessment = cls.record_assessment(cls)
        cls.review = graduation_request(cls.case, actor=cls.case_manager)
        cls.outcome_event = outcome_event_record(
            cls.case,
            actor=cls.case_manager,
            data={"kind": "hospitalization", "occurred_on": cls.today, "source": "survivor"},
        )
        # Referrals: agency A's directory entry of an external safe house, a consent, a
        # referral sent to agency C (so the outsider, agency B, is neither side of it), and a
        # case conference facilitated by agency A with the case on its roster.
        cls.partner, cls.consent, cls.referral = make_referral(cls)
        cls.conference, cls.conference_case, cls.action_item = make_conference(cls)
        # Reports: a task force coordinated by agency A (the outsider's agency B a member).
        cls.task_force = TaskForce.objects.create(
            name="County task force", slug="county", coordinator=cls.agency_a
        )
        cls.task_force.members.set([cls.agency_a, cls.agency_b])

    def sample_value(self, route_name, param):
        """The value for a URL parameter: one of agency A's records where it names one."""
        namespace = route_name.split(":")[0] if route_name and ":" in route_name else ""
        if namespace == "admin":
            return {"app_label": "accounts", "url": "nothing-here/"}.get(param, "1")
        if namespace == "accounts" and param == "pk":
            return str(self.agency_a_token.pk)
        if param in OTHER_PARAMS:
            return OTHER_PARAMS[param]
        if param in SHARED_PARAMS:
            return str(getattr(self, SHARED_PARAMS[param]).pk)
        if param in OBJECT_PARAMS:
            attribute = OBJECT_PARAMS[param] or PK_BY_NAMESPACE.get(namespace)
            if attribute is None:
                self.fail(f"{route_name!r}: name the parameter after its record, not 'pk'.")
            return str(getattr(self, attribute).pk)
        self.fail(
            f"The route {route_name!r} has a parameter {param!r} this walker cannot fill: "
            "add the agency A object it names to RouteWalkTests.sample_value."
        )

    def concrete_path(self, route_name, route):
        fill = lambda m: self.sample_value(route_name, m.group(1))  # noqa: E731
        path = _REGEX_PARAM.sub(fill, _ROUTE_PARAM.sub(fill, route))
        return "/" + path.lstrip("^").rstrip("$")

    def request(self, persona, token, method, path):
        self.login(persona)  # afresh each time: a walked logout or switch must not leak on
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if path.startswith("/api/") else {}
        kwargs = {"content_type": "application/json", "data": "{}"} if method != "get" else {}
        return getattr(self.client, method)(path, **kwargs, **headers)

    def walk(self, persona, token):
        """Yields (route name, path, method, response) for every route and method."""
        routes = list(all_routes())
        self.assertGreater(len(routes), 20)
        for name, route in routes:
            path = self.concrete_path(name, route)
            methods = API_METHODS if path.startswith("/api/") else PAGE_METHODS
            for method in methods:
                with self.subTest(route=name, path=path, method=method):
                    response = self.request(persona, token, method, path)
                    self.assertNotEqual(response.status_code, 500)
                    self.assertNoSurvivorData(response)
                    yield name, route, path, method, response

    def test_outsider_gets_404_on_every_route_naming_agency_a_records(self):
        for name, route, path, method, response in self.walk(self.outsider, self.outsider_token):
            if name and name.startswith("admin:"):
                self.assertIn(response.status_code, {302, 405}, path)  # not staff: to admin login
                continue
            params = set(_ROUTE_PARAM.findall(route))
            if params & OBJECT_PARAMS.keys():
                with self.subTest(route=name, method=method):
                    self.assertIn(response.status_code, {404, 405}, f"{method} {path}")
                    if method == "get" or path.startswith("/api/") is False:
                        self.assertNotEqual(response.status_code, 200)

    def test_data_analyst_gets_403_on_every_person_level_route(self):
        statuses = {}
        for name, _route, path, method, response in self.walk(self.analyst, self.analyst_token):
            if name in NOT_PERSON_LEVEL:
                continue
            if name and name.startswith("admin:"):
                self.assertIn(response.status_code, {302, 405}, path)
                continue
            with self.subTest(route=name, method=method):
                self.assertIn(response.status_code, DENIED, f"{method} {path}")
            statuses.setdefault(name, set()).add(response.status_code)
        for name, seen in statuses.items():
            self.assertIn(403, seen, f"{name} never answered 403 to the analyst: {seen}")

    def test_trainer_gets_403_on_survivor_pages(self):
        self.login(self.trainer)
        for path in ["/survivors/", "/survivors/new/", f"/survivors/{self.survivor.pk}/"]:
            response = self.client.get(path)
            self.assertEqual(response.status_code, 403, path)
            self.assertNoSurvivorData(response)

    def test_anonymous_visitor_is_sent_to_login_or_refused_everywhere(self):
        for name, route in all_routes():
            path = self.concrete_path(name, route)
            with self.subTest(route=name):
                response = self.client.get(path)
                self.assertIn(response.status_code, {200, 302, 401, 404, 405}, path)
                self.assertNoSurvivorData(response)
