"""Browser hardening: a strict Content-Security-Policy, no framing, no sniffing, no caching of
pages with survivor data, templates the policy can hold to, and a clean `check --deploy`."""

import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser

from django.conf import settings
from django.test import SimpleTestCase
from django_otp.plugins.otp_totp.models import TOTPDevice

from thrive.test import BaseTestCase

TEMPLATE_DIR = settings.BASE_DIR / "templates"


def csp_directives(header):
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


class InlineCodeFinder(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block: inline scripts and styles,
    event-handler attributes, style attributes and javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        where = f"line {self.getpos()[0]}: <{tag}>"
        names = {name.lower() for name, _value in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append(f"{where} inline script (no src)")
        if tag == "style":
            self.problems.append(f"{where} inline <style> element")
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                self.problems.append(f"{where} event-handler attribute {name}=")
            if name == "style":
                self.problems.append(f"{where} style= attribute")
            if name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"{where} htmx inline handler {name}=")
            if value and re.match(r"\s*javascript:", value, re.IGNORECASE):
                self.problems.append(f"{where} javascript: URL in {name}=")


def inline_code_in(html):
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


class SecurityHeaderTests(BaseTestCase):
    def assertHardened(self, response, *, logged_in):  # noqa: N802 (unittest style)
        csp = csp_directives(response["Content-Security-Policy"])
        self.assertEqual(csp["script-src"], ["'self'"])
        self.assertEqual(csp["style-src"], ["'self'"])
        self.assertEqual(csp["object-src"], ["'none'"])
        self.assertEqual(csp["frame-ancestors"], ["'none'"])
        self.assertNotIn("unsafe-inline", response["Content-Security-Policy"])
        self.assertNotIn("unsafe-eval", response["Content-Security-Policy"])
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        if logged_in:
            self.assertIn("no-store", response["Cache-Control"])
        if response.get("Content-Type", "").startswith("text/html"):
            self.assertEqual(inline_code_in(response.content.decode()), [])

    def test_pages_for_anyone_are_hardened(self):
        for path in ["/accounts/login/", "/no-such-page/"]:
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertIn(response.status_code, {200, 404})
                self.assertHardened(response, logged_in=False)

    def test_pages_with_survivor_data_are_hardened_and_never_cached(self):
        self.login(self.case_manager)
        pk = self.survivor.pk
        paths = [
            "/",
            "/survivors/",
            f"/survivors/?q={self.survivor.record_label}",
            "/survivors/new/",
            f"/survivors/{pk}/",
            f"/survivors/{pk}/edit/",
            "/accounts/api-tokens/",
            "/survivors/999999/",
        ]
        for path in paths:
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertIn(response.status_code, {200, 404})
                self.assertHardened(response, logged_in=True)

    def test_htmx_fragments_are_hardened_and_never_cached(self):
        self.login(self.case_manager)
        response = self.client.get("/survivors/", {"q": "S-00001"}, HTTP_HX_REQUEST="true")
        self.assertEqual(response.status_code, 200)
        self.assertHardened(response, logged_in=True)

    def test_the_audit_trail_and_the_export_are_hardened_and_never_cached(self):
        self.login(self.supervisor)
        response = self.client.get(f"/survivors/{self.survivor.pk}/audit/")
        self.assertEqual(response.status_code, 200)
        self.assertHardened(response, logged_in=True)
        response = self.client.post("/survivors/export.csv")
        self.assertEqual(response.status_code, 200)
        self.assertHardened(response, logged_in=True)

    def test_a_forbidden_page_is_hardened(self):
        self.login(self.analyst)
        response = self.client.get("/survivors/")
        self.assertEqual(response.status_code, 403)
        self.assertHardened(response, logged_in=True)

    def test_the_two_factor_pages_are_hardened_and_never_cached(self):
        self.client.force_login(self.case_manager)  # password given, no device yet
        response = self.client.get("/accounts/two-factor/setup/")
        self.assertEqual(response.status_code, 200)
        self.assertHardened(response, logged_in=True)  # the QR code is inline SVG, no style
        TOTPDevice.objects.create(user=self.supervisor, name="phone", confirmed=True)
        self.client.force_login(self.supervisor)  # password given, code not yet
        response = self.client.get("/accounts/two-factor/")
        self.assertEqual(response.status_code, 200)
        self.assertHardened(response, logged_in=True)


class TemplateScanTests(SimpleTestCase):
    """Every template, including ones no test renders, keeps script and style in files."""

    def test_templates_exist_to_scan(self):
        self.assertTrue(list(TEMPLATE_DIR.rglob("*.html")))

    def test_no_template_has_inline_script_style_or_event_handlers(self):
        for template in sorted(TEMPLATE_DIR.rglob("*.html")):
            with self.subTest(template=str(template.relative_to(TEMPLATE_DIR))):
                # Template tags may sit inside a tag's attributes; blank them out first.
                source = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "x", template.read_text(), flags=re.S)
                self.assertEqual(inline_code_in(source), [])

    def test_the_scanner_catches_what_it_should(self):
        problems = inline_code_in(
            '<script>alert(1)</script><a href="javascript:x" onclick="y">'
            '<p style="color:red"><button hx-on:click="z"><style>p{}</style>'
        )
        self.assertEqual(len(problems), 6, problems)
        self.assertEqual(inline_code_in('<script src="/static/x.js" defer></script>'), [])


class DeployCheckTests(SimpleTestCase):
    def test_check_deploy_passes_with_production_settings(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("THRIVE_")}
        env.update(
            THRIVE_DEBUG="0",
            THRIVE_SECRET_KEY=secrets.token_urlsafe(60),
            THRIVE_ALLOWED_HOSTS="thrive.example.org",
            THRIVE_HTTPS="1",
        )
        result = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues", result.stdout)

    def test_production_settings_refuse_to_start_without_a_secret_key(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("THRIVE_")}
        env.update(THRIVE_DEBUG="0", THRIVE_ALLOWED_HOSTS="thrive.example.org")
        result = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
            [sys.executable, "manage.py", "check", "--deploy"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("THRIVE_SECRET_KEY must be set", result.stderr)
