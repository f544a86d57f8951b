"""A supervisor records a survivor, finds them again and reads the audit trail, in Chromium.

Runs against Django's live server with two-factor login on, as production does. Without a
Chromium the tests skip, unless THRIVE_REQUIRE_BROWSER=1 says a browser must be there (CI).
Screenshots go to test-artifacts/ for a human to look at.
"""

import datetime

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from thrive.accounts.models import Organization, Role
from thrive.audit.models import AuditEvent
from thrive.browser import (
    ARTIFACTS,
    assert_page_is_whole,
    expect,
    log_in_with_second_factor,
)
from thrive.survivors.models import Survivor
from thrive.test import make_member

pytestmark = pytest.mark.browser


@pytest.fixture
def supervisor(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    agency = Organization.objects.create(
        name="Agency A", slug="agency-a", kind=Organization.Kind.SERVICE_PROVIDER
    )
    user = make_member("supervisor", agency, Role.SUPERVISOR)
    user.device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def test_supervisor_records_a_survivor_finds_them_by_name_and_reads_the_audit_trail(
    page, live_server, supervisor
):
    ARTIFACTS.mkdir(exist_ok=True)
    log_in_with_second_factor(page, live_server, supervisor)
    assert_page_is_whole(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="New survivor").click()
    expect(page).to_have_url(f"{live_server.url}/survivors/new/")
    page.get_by_label("Preferred name").fill("Majo")
    page.get_by_label("Legal name").fill("María José Castillo")
    page.get_by_label("Date of birth").fill("1999-04-17")
    page.get_by_label("Phone").fill("+1 (415) 555-0142")
    page.get_by_label("May we call?").select_option(label="No")
    page.get_by_label("May we text?").select_option(label="Yes")
    page.get_by_label("Code word").fill("marigold")
    page.get_by_role("button", name="Create record").click()

    survivor = Survivor.objects.get()
    expect(page).to_have_url(f"{live_server.url}/survivors/{survivor.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Record S-00001 created.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Majo")
    expect(page.locator(".flags")).to_contain_text("Call: No")
    expect(page.locator(".flags")).to_contain_text("Text: Yes")
    assert (survivor.legal_name, survivor.phone) == ("María José Castillo", "+1 (415) 555-0142")
    assert survivor.date_of_birth == datetime.date(1999, 4, 17)
    page.screenshot(path=ARTIFACTS / "survivor-record.png", full_page=True)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Survivors").click()
    assert_page_is_whole(page)
    page.evaluate("window.thriveNotReloaded = true")
    page.get_by_label("Find by full name, phone or record number").fill("maria jose CASTILLO")
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        page.get_by_role("button", name="Search").click()
    results = page.locator("#results")
    expect(results).to_contain_text("1 survivor found.")
    assert page.evaluate("window.thriveNotReloaded") is True, "the search reloaded the page"
    page.screenshot(path=ARTIFACTS / "survivor-search.png", full_page=True)
    results.get_by_role("link", name="Majo").click()
    expect(page).to_have_url(f"{live_server.url}/survivors/{survivor.pk}/")

    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", name="Audit trail of S-00001")).to_be_visible()
    rows = page.locator("table.audit tbody tr")
    expect(rows).to_have_count(3)  # viewed after the search, viewed after creating, created
    expect(rows.nth(0)).to_contain_text("Viewed")
    expect(rows.nth(1)).to_contain_text("Viewed")
    expect(rows.nth(2)).to_contain_text("Created")
    for field in ("Preferred name", "Legal name", "Date of birth", "Phone", "May we call?"):
        expect(rows.nth(2)).to_contain_text(field)
    expect(rows.first).to_contain_text("supervisor")
    expect(page.locator("main")).not_to_contain_text("Castillo")
    page.screenshot(path=ARTIFACTS / "survivor-audit.png", full_page=True)

    search = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH)
    assert search.detail == {"by": "name", "results": 1}  # the kind of look-up, never the term
    assert page.log.problems == []


def test_an_invalid_survivor_form_lists_the_error_and_keeps_what_was_typed(
    page, live_server, supervisor
):
    ARTIFACTS.mkdir(exist_ok=True)
    next_year = (timezone.localdate() + datetime.timedelta(days=366)).isoformat()
    log_in_with_second_factor(page, live_server, supervisor)

    page.goto(f"{live_server.url}/survivors/new/")
    page.get_by_label("Preferred name").fill("Majo")
    page.get_by_label("Legal name").fill("María José Castillo")
    page.get_by_label("Date of birth").fill(next_year)
    page.get_by_label("Phone").fill("+1 (415) 555-0142")
    page.get_by_label("May we text?").select_option(label="Yes")
    page.get_by_role("button", name="Create record").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Nothing has been saved yet.")
    expect(summary.get_by_role("link")).to_have_text(
        "Date of birth: The date of birth cannot be in the future."
    )
    summary.get_by_role("link").click()
    expect(page.get_by_label("Date of birth")).to_be_focused()
    expect(page.get_by_label("Date of birth")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Date of birth")).to_have_value(next_year)
    expect(page.get_by_label("Preferred name")).to_have_value("Majo")
    expect(page.get_by_label("Legal name")).to_have_value("María José Castillo")
    expect(page.get_by_label("Phone")).to_have_value("+1 (415) 555-0142")
    expect(page.get_by_label("May we text?")).to_have_value("yes")
    assert_page_is_whole(page)
    page.screenshot(path=ARTIFACTS / "survivor-form-errors.png", full_page=True)

    assert not Survivor.objects.exists()
    assert page.log.problems == []
