"""The one htmx helper: a partial for an htmx request, the full page otherwise."""

from django.http import HttpResponse
from django.shortcuts import render


def is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def render_page(request, template, context, *, partial=None):
    """`partial` is the fragment template the full `template` includes."""
    chosen = partial if partial and is_htmx(request) else template
    response = render(request, chosen, context)
    response["Vary"] = "HX-Request"
    return response


class HtmxRedirectMiddleware:
    """A redirect answering an htmx request (say, to login after the idle timeout) becomes a
    full-page navigation; otherwise htmx would follow it and swap the login page into the
    middle of the page that asked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_htmx(request) and response.status_code in (301, 302, 303, 307, 308):
            location = response["Location"]
            response = HttpResponse(status=204)
            response["HX-Redirect"] = location
        return response
