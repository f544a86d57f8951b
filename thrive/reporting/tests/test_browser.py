"""The task-force member report in Chromium: the coordinating organization's data analyst
opens it from the menu, picks the year, sees hidden cells as <10 and the chart, and downloads
the XLSX, which holds the same cells. A data analyst sees no person, so logs in with a
password alone (two factors are for roles that see survivors). Screenshot in test-artifacts/."""

import datetime
import random

import pytest
from openpyxl import load_workbook

from thrive.accounts.models import Organization, Role, TaskForce
from thrive.browser import ARTIFACTS, PASSWORD, assert_page_is_whole, expect
from thrive.reporting.tests.test_member_report import COUNTY, serve
from thrive.test import make_member

pytestmark = pytest.mark.browser


@pytest.fixture
def county(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    coordinator = Organization.objects.create(
        name="County Children and Family Services", slug="dcfs", kind="county_agency"
    )
    analyst = make_member("analyst", coordinator, Role.DATA_ANALYST)
    task_force = TaskForce.objects.create(
        name="County task force", slug="county", coordinator=coordinator
    )
    rng = random.Random(2023)
    for index, (name, counts) in enumerate(COUNTY):
        member = Organization.objects.create(
            name=name, slug=f"member-{index}", kind=Organization.Kind.SERVICE_PROVIDER
        )
        task_force.members.add(member)
        staff = make_member(f"staff-{index}", member, Role.CASE_MANAGER)
        serve(member, counts, actor=staff, day=datetime.date(2023, 6, 15), rng=rng)
    return {"analyst": analyst, "task_force": task_force}


def test_the_analyst_opens_the_member_report_sees_hidden_cells_and_downloads_xlsx(
    page, live_server, county
):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(county["analyst"].username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page).to_have_url(f"{live_server.url}/reports/")
    page.wait_for_load_state("load")  # htmx is a deferred script: let it run before looking
    assert_page_is_whole(page)
    page.get_by_role("link", name="County task force").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Member report: County task force")
    page.get_by_label("Period").fill("2023")
    page.get_by_role("button", name="Show the report").click()

    table = page.locator("table.report")
    harbor = table.locator("tbody tr", has_text="Harbor Light Services")
    expect(harbor.locator("td").nth(2)).to_have_text("<10")  # labor: 8
    expect(harbor.locator("td.suppressed")).to_have_count(2)  # and a second figure of the row
    expect(table.locator("tfoot tr")).to_contain_text("All members")
    chart = page.locator("figure.chart svg")
    expect(chart).to_be_visible()
    expect(chart).to_contain_text("Harbor Light Services")
    expect(page.get_by_text("the disclosure audit passed")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "member-report.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download XLSX").click()
    path = ARTIFACTS / "member-report.xlsx"
    download.value.save_as(path)
    assert download.value.suggested_filename == "county-members-20230101-20231231.xlsx"
    rows = list(load_workbook(path).worksheets[0].iter_rows(values_only=True))
    harbor_row = next(row for row in rows if row[0] == "Harbor Light Services")
    assert harbor_row[3] == "<10"
    shown = [cell.strip() for cell in harbor.locator("td").all_inner_texts()]
    assert [str(v) for v in harbor_row[1:]] == shown
    assert not page.log.problems, page.log.problems
