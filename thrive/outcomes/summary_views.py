"""The program outcome summary page (being written)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from thrive.outcomes.access import require_summary_reader


@login_required
@require_GET
def program_summary(request):
    require_summary_reader(request.user)
    return HttpResponse("")
