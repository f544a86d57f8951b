from django.urls import path

from thrive.outcomes import summary_views

app_name = "outcomes"
urlpatterns = [
    path("summary/", summary_views.program_summary, name="summary"),
]
