from django.urls import path

from thrive.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.index, name="index"),
    path("activity/", views.activity, name="activity"),
    path("demographics/", views.demographics_dashboard, name="demographics"),
    path("task-forces/<int:task_force_id>/members/", views.members, name="members"),
    path("grants/<int:grant_id>/", views.grant, name="grant"),
    path("task-forces/<int:task_force_id>/figures/", views.member_figures, name="member_figures"),
]
