"""A case manager records an outcome assessment and sees the heat map change; a supervisor
approves the graduation. In Chromium, against the live server with two-factor login on.
Screenshots go to test-artifacts/."""

import datetime

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from thrive.accounts.models import Organization, Role
from thrive.browser import ARTIFACTS, assert_page_is_whole, expect, log_in_with_second_factor
from thrive.cases import actions
from thrive.outcomes.actions import assessment_record
from thrive.outcomes.models import GraduationReview, Instrument
from thrive.survivors.actions import survivor_create
from thrive.test import SURVIVOR_DATA, make_member

pytestmark = pytest.mark.browser
DAY = datetime.timedelta(days=1)


@pytest.fixture
def outcomes(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    today = timezone.localdate()
    agency = Organization.objects.create(
        name="Agency A", slug="agency-a", kind=Organization.Kind.SERVICE_PROVIDER
    )
    manager = make_member("casemanager", agency, Role.CASE_MANAGER)
    supervisor = make_member("supervisor", agency, Role.SUPERVISOR)
    for user in (manager, supervisor):
        user.device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    survivor = survivor_create(agency, actor=manager, data=dict(SURVIVOR_DATA))
    program = actions.program_create(
        agency,
        actor=supervisor,
        data={"name": "Comprehensive case management", "kind": "case_management"},
    )
    case = actions.case_open(
        survivor,
        actor=manager,
        program=program,
        data={"case_manager": manager, "opened_on": today - 120 * DAY},
    )
    actions.case_change_status(case, actor=manager, to="active")
    instrument = Instrument.objects.default()
    intake = {d.code: 2 for d in instrument.domains.all()} | {"housing": 1}
    assessment_record(
        case,
        actor=manager,
        instrument=instrument,
        kind="intake",
        assessed_on=today - 110 * DAY,
        levels=intake,
    )
    codes = list(instrument.domains.values_list("code", flat=True))
    return {
        "manager": manager,
        "supervisor": supervisor,
        "survivor": survivor,
        "case": case,
        "codes": codes,
    }


def test_an_assessment_changes_the_heat_map_and_a_supervisor_approves_graduation(
    page, live_server, outcomes
):
    ARTIFACTS.mkdir(exist_ok=True)
    case, survivor = outcomes["case"], outcomes["survivor"]
    log_in_with_second_factor(page, live_server, outcomes["manager"])
    page.goto(f"{live_server.url}/survivors/{survivor.pk}/")
    assert_page_is_whole(page)
    heatmap = page.get_by_test_id("heatmap")
    expect(heatmap.locator("thead th")).to_have_count(2)  # the domain column and the intake
    housing = heatmap.locator("tbody tr", has_text="Housing")
    expect(housing.locator("td")).to_have_text(["1"])
    expect(page.get_by_test_id("readiness")).to_contain_text("Not ready to graduate")

    page.get_by_role("link", name="Record an assessment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record an outcome assessment")
    expect(page.locator(".rule")).to_contain_text("Between two levels, choose the lower.")
    expect(page.get_by_label("Type")).to_have_value("periodic")
    for code in outcomes["codes"]:
        page.locator(f"#id_{code} input[value='3']").check()
    page.locator("#id_housing input[value='4']").check()
    page.locator("#id_family input[value='na']").check()
    page.locator("#id_housing summary").click()
    page.get_by_label("Note on Housing").fill("Signed a one-year lease.")
    page.screenshot(path=ARTIFACTS / "assessment-form.png", full_page=True)
    page.get_by_role("button", name="Save the assessment").click()

    expect(page).to_have_url(f"{live_server.url}/survivors/{survivor.pk}/#progress-{case.pk}")
    expect(page.get_by_text("Assessment recorded.")).to_be_visible()
    expect(heatmap.locator("thead th")).to_have_count(3)
    expect(housing.locator("td")).to_have_text(["1", "4"])
    expect(heatmap.locator("tbody tr", has_text="Family").locator("td").last).to_have_text("n/a")
    expect(page.get_by_test_id("readiness")).to_contain_text("Ready to graduate")
    expect(page.locator(".progress svg title").first).to_have_text("Mean level over time")
    page.locator(f"#progress-{case.pk}").screenshot(path=ARTIFACTS / "progress-heat-map.png")

    page.locator(f"#progress-{case.pk}").get_by_role("link", name="Graduation").click()
    page.get_by_label("Note for the supervisor").fill("Every domain is stable or better.")
    page.get_by_role("button", name="Ask a supervisor to approve").click()
    expect(page.get_by_role("heading", name="Waiting for a supervisor")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    # Let the logout's redirect land, or the next login's navigation would abort it.
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")

    log_in_with_second_factor(page, live_server, outcomes["supervisor"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Graduations").click()
    page.get_by_role("link", name=case.label).click()
    expect(page.locator("#readiness")).to_contain_text("Ready")
    page.get_by_label("Approve graduation").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text(f"Case {case.label} graduated.")).to_be_visible()
    expect(page.locator("table.list tbody tr").first).to_contain_text("Approved")
    page.screenshot(path=ARTIFACTS / "graduation-approved.png", full_page=True)

    case.refresh_from_db()
    review = GraduationReview.objects.get()
    assert case.status == "graduated"
    assert (review.status, review.decided_by) == ("approved", outcomes["supervisor"])
    assert case.tasks.filter(purpose="follow_up").count() == 3
    assert page.log.problems == []
