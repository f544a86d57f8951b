"""Browser tests in Chromium, driven by Playwright: the shared fixtures and helpers.

Tests run against Django's live server with two-factor login on, as production does. Without
a Chromium they skip, unless THRIVE_REQUIRE_BROWSER=1 says a browser must be there (CI).
Screenshots go to test-artifacts/ for a human to look at. The `chromium` and `page` fixtures
are made available to every test by thrive/conftest.py.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django_otp.oath import totp

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the dev extra is not installed
    sync_playwright = None
    expect = None

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


def chromium_fixture():
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


def page_fixture(chromium):
    """A page in its own browser context: no cookies carried over from another test."""
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-US", timezone_id=settings.TIME_ZONE
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.log = BrowserLog(page)
    yield page
    context.close()


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
