"""Error pages. Under /api/ they are JSON; elsewhere plain pages that echo nothing submitted."""

from django.http import JsonResponse
from django.shortcuts import render


def _respond(request, status, template, detail):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail}, status=status)
    return render(request, template, status=status)


def forbidden(request, exception=None):
    return _respond(request, 403, "403.html", "Forbidden.")


def not_found(request, exception=None):
    return _respond(request, 404, "404.html", "Not found.")


def server_error(request):
    return _respond(request, 500, "500.html", "Something went wrong.")
