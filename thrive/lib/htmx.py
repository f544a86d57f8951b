"""The one htmx helper: a partial for an htmx request, the full page otherwise."""

from django.shortcuts import render


def is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def render_page(request, template, context, *, partial=None):
    """`partial` is the fragment template the full `template` includes."""
    chosen = partial if partial and is_htmx(request) else template
    response = render(request, chosen, context)
    response["Vary"] = "HX-Request"
    return response
