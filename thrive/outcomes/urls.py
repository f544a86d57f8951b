from django.urls import path

from thrive.outcomes import summary_views, views

app_name = "outcomes"
urlpatterns = [
    path("summary/", summary_views.program_summary, name="summary"),
    path("instruments/", views.instruments, name="instruments"),
    path("instruments/<slug:code>/<int:version>/", views.instrument, name="instrument"),
    path("cases/<int:case_id>/assessments/new/", views.assessment_new, name="assessment_new"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="assessment"),
    path("cases/<int:case_id>/events/new/", views.event_new, name="event_new"),
    path("cases/<int:case_id>/graduation/", views.graduation, name="graduation"),
    path("graduation/<int:review_id>/decide/", views.graduation_decide, name="decide"),
    path("graduation/pending/", views.graduations_pending, name="graduations"),
]
