"""A supervisor records a survivor, finds them again and reads the audit trail, in Chromium.

Runs against Django's live server with two-factor login on, as production does. Without a
Chromium the tests skip, unless THRIVE_REQUIRE_BROWSER=1 says a browser must be there (CI).
Screenshots go to test-artifacts/ for a human to look at.
"""

import datetime
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from thrive.accounts.models import Organization, Role
from thrive.audit.models import AuditEvent
from thrive.survivors.models import Survivor
from thrive.test import make_member

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the dev extra is not installed
    sync_playwright = None

pytestmark = pytest.mark.browser

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PASSWORD = "correct horse battery staple"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _no_browser(reason):
    """Skip, or fail loudly where a browser is required (THRIVE_REQUIRE_BROWSER=1)."""
    if os.environ.get("THRIVE_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"THRIVE_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(f"browser test skipped: {reason} (set THRIVE_CHROMIUM to a Chromium binary)")


def _chromium_path():
    """$THRIVE_CHROMIUM if set (and only it), else Debian's Chromium, else one on PATH."""
    if chosen := os.environ.get("THRIVE_CHROMIUM", "").strip():
        return chosen if os.access(chosen, os.X_OK) else None
    candidates = ["/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


@pytest.fixture(scope="module")
def chromium():
    if sync_playwright is None:
        _no_browser("the playwright package is not installed (pip install -e '.[dev]')")
    executable = _chromium_path()
    if executable is None:
        where = os.environ.get("THRIVE_CHROMIUM") or "/usr/bin/chromium or on PATH"
        _no_browser(f"no Chromium found at {where}")
    # Playwright's sync API keeps an event loop in this thread; Django's ORM, used by the
    # test itself, must be told that is fine. Only while this module runs.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        try:  # Playwright gives the browser a fresh, temporary profile
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except PlaywrightError as error:
            _no_browser(f"{executable} did not start: {error.message.splitlines()[0]}")
        yield browser
        browser.close()


class BrowserLog:
    """Everything the page complained about: console errors, CSP violations, script errors,
    and any request that failed or answered 4xx/5xx (a missing stylesheet, say)."""

    def __init__(self, page):
        self.problems = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.method} {r.url}"))
        page.on(
            "response",
            lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"),
        )
        # Also listen for the DOM event, which reports a violation even when no console is.
        page.expose_function("thriveCspViolation", self._csp_violation)
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "window.thriveCspViolation(`CSP violation: ${e.violatedDirective} "
            "blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));"
        )

    def _csp_violation(self, description):
        self.problems.append(description)

    def _console(self, message):
        text = message.text
        if message.type == "error" or "Content Security Policy" in text:
            self.problems.append(f"console {message.type}: {text} ({message.location})")


@pytest.fixture
def page(chromium):
    """A page in its own browser context: no cookies carried over from another test."""
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-US", timezone_id=settings.TIME_ZONE
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.log = BrowserLog(page)
    yield page
    context.close()


@pytest.fixture
def supervisor(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    agency = Organization.objects.create(
        name="Agency A", slug="agency-a", kind=Organization.Kind.SERVICE_PROVIDER
    )
    user = make_member("supervisor", agency, Role.SUPERVISOR)
    user.device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def current_code(device):
    device.refresh_from_db()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def log_in_with_second_factor(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/two-factor/?next=%2F")
    expect(page.get_by_role("heading", name="Second step")).to_be_visible()
    page.get_by_label("Six-digit code from your authenticator app").fill(current_code(user.device))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Welcome to Thrive")).to_be_visible()


def assert_page_is_whole(page):
    """htmx loaded and the stylesheet applied (the header is brand-coloured, not default)."""
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load"
    header = page.evaluate("getComputedStyle(document.querySelector('.site-header')).background")
    assert "rgb(11, 85, 99)" in header, f"thrive.css not applied: header background {header}"


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
