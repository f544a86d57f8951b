"""A small HTTP client for the benchmark: urllib and a cookie jar, nothing to install.

One `Browser` is one logged-in person: it keeps its session and CSRF cookies, logs in with a
real POST, never follows redirects (a 302 after a create is the answer we time), and reads
the server's own time from the `Server-Timing: app;dur=<ms>` header.
"""

import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_SERVER_TIMING = re.compile(r"\bapp;dur=([0-9.]+)")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError, which `Browser.request` turns into a reply


@dataclass
class Reply:
    status: int
    body: str
    headers: dict
    client_ms: float  # request sent to last byte read, measured here
    server_ms: float | None  # the app's own time, from Server-Timing

    @property
    def location(self):
        return self.headers.get("location", "")


class Browser:
    def __init__(self, base_url, *, timeout=60):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )

    def request(self, path, *, data=None, headers=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        url = self.base_url + path  # always http://127.0.0.1:<port>, set by bench/run.py
        req = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310
        started = time.perf_counter()
        try:
            with self.opener.open(req, timeout=self.timeout) as response:
                text = response.read().decode()
                status, raw_headers = response.status, response.headers
        except urllib.error.HTTPError as error:  # 3xx (not followed) and 4xx/5xx
            text = error.read().decode(errors="replace")
            status, raw_headers = error.code, error.headers
        client_ms = (time.perf_counter() - started) * 1000
        found = _SERVER_TIMING.search(raw_headers.get("Server-Timing", ""))
        return Reply(
            status=status,
            body=text,
            headers={k.lower(): v for k, v in raw_headers.items()},
            client_ms=client_ms,
            server_ms=float(found.group(1)) if found else None,
        )

    def get(self, path, **kwargs):
        return self.request(path, **kwargs)

    def post_form(self, path, data, *, form_path=None):
        """GET the form first for its CSRF token (as a browser would), then POST it."""
        token = csrf_token(self.get(form_path or path))
        return self.request(path, data={**data, "csrfmiddlewaretoken": token})

    def login(self, username, password):
        reply = self.post_form(
            "/accounts/login/", {"username": username, "password": password, "next": "/"}
        )
        if reply.status != 302 or not any(c.name == "sessionid" for c in self.cookies):
            raise RuntimeError(f"login as {username} failed: HTTP {reply.status}")
        return reply


def csrf_token(reply):
    found = _CSRF_INPUT.search(reply.body)
    if reply.status != 200 or not found:
        raise RuntimeError(f"no CSRF token in the form (HTTP {reply.status})")
    return found.group(1)
