"""A case manager opens their caseload, records a service and completes a task, in Chromium.

Runs against Django's live server with two-factor login on, as production does (see
thrive/browser.py). Screenshots go to test-artifacts/.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from thrive.accounts.models import Organization, Role
from thrive.browser import ARTIFACTS, assert_page_is_whole, expect, log_in_with_second_factor
from thrive.cases import actions
from thrive.cases.models import Task
from thrive.grants.actions import funder_create, grant_create
from thrive.grants.models import Grant
from thrive.services.models import Service, ServiceType
from thrive.survivors.actions import survivor_create
from thrive.test import SURVIVOR_DATA, make_member

pytestmark = pytest.mark.browser
DAY = datetime.timedelta(days=1)


@pytest.fixture
def casework(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    today = timezone.localdate()
    agency = Organization.objects.create(
        name="Agency A", slug="agency-a", kind=Organization.Kind.SERVICE_PROVIDER
    )
    user = make_member("casemanager", agency, Role.CASE_MANAGER)
    user.device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    survivor = survivor_create(agency, actor=user, data=dict(SURVIVOR_DATA))
    program = actions.program_create(
        agency,
        actor=user,
        data={"name": "Comprehensive case management", "kind": "case_management"},
    )
    case = actions.case_open(
        survivor,
        actor=user,
        program=program,
        data={"case_manager": user, "risk_level": "high", "opened_on": today - 20 * DAY},
    )
    task = actions.task_add(
        case,
        actor=user,
        data={"title": "Call the housing authority", "due_on": today - DAY, "assignee": user},
    )
    funder = funder_create(agency, actor=user, data={"name": "OVC", "kind": "federal"})
    grant = grant_create(
        agency,
        actor=user,
        data={
            "funder": funder,
            "name": "Comprehensive services",
            "amount": 100000,
            "starts_on": today - 100 * DAY,
            "ends_on": today + 100 * DAY,
            "allowable_types": [ServiceType.objects.get(code="emergency_shelter")],
        },
    )
    return {"user": user, "case": case, "task": task, "grant": grant, "today": today}


def test_a_case_manager_opens_the_caseload_records_a_service_and_completes_a_task(
    page, live_server, casework
):
    ARTIFACTS.mkdir(exist_ok=True)
    case, task, grant = casework["case"], casework["task"], casework["grant"]
    log_in_with_second_factor(page, live_server, casework["user"])

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My caseload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    assert_page_is_whole(page)
    row = page.locator("table.caseload tbody tr").first
    expect(row).to_contain_text("C-00001")
    expect(row).to_contain_text("Majo")
    expect(row).to_contain_text("High")
    expect(row).to_contain_text("Call the housing authority")
    expect(page.locator("#my-tasks")).to_contain_text("overdue")
    page.screenshot(path=ARTIFACTS / "caseload.png", full_page=True)

    row.get_by_role("link", name="C-00001").click()
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name="Record a service").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record a service")
    # The date first: choosing the type then refreshes the units and the grants on offer.
    page.get_by_label("Date").fill((casework["today"] - DAY).isoformat())
    with (
        page.expect_response(lambda r: "/services/units/" in r.url),
        page.expect_response(lambda r: "/services/grant-options/" in r.url),
    ):
        page.get_by_label("Service:", exact=True).select_option(label="Emergency shelter")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_label("Counted in")).to_contain_text("nights")
    page.get_by_label("Units").fill("2")
    page.get_by_label("Counted in").select_option("nights")
    page.get_by_label("Cost (USD)").fill("190")
    page.get_by_label("Paid by").select_option(label="A grant")
    page.get_by_label("Grant:", exact=True).select_option(label="Comprehensive services · OVC")
    page.get_by_label("Notes").fill("Two nights at the safe house.")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_label("Grant:", exact=True)).to_have_value(str(grant.pk))
    page.screenshot(path=ARTIFACTS / "service-form.png", full_page=True)
    page.get_by_role("button", name="Record service").click()

    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/")
    expect(page.locator("#services")).to_contain_text("Emergency shelter")
    service = Service.objects.get()
    assert (service.quantity, service.unit, service.grant_id) == (Decimal(2), "nights", grant.pk)
    assert service.notes == "Two nights at the safe house."
    assert Grant.objects.with_spend().get(pk=grant.pk).spent == Decimal(190)
    page.screenshot(path=ARTIFACTS / "case-with-service.png", full_page=True)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My caseload").click()
    page.evaluate("window.thriveNotReloaded = true")
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        page.locator("#my-tasks").get_by_role("button", name="Done").click()
    expect(page.locator("#my-tasks")).to_contain_text("Nothing due this week.")
    assert page.evaluate("window.thriveNotReloaded") is True, "completing reloaded the page"
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    page.screenshot(path=ARTIFACTS / "caseload-task-done.png", full_page=True)
    assert page.log.problems == []
