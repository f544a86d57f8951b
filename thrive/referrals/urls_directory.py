"""The partner directory and the gaps report (names used by the route walk: directory,
partner, gaps)."""

from django.urls import path

from thrive.referrals import views_directory as views

urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("directory/new/", views.partner_new, name="partner_new"),
    path("directory/<int:partner_id>/", views.partner, name="partner"),
    path("directory/<int:partner_id>/edit/", views.partner_edit, name="partner_edit"),
    path(
        "directory/<int:partner_id>/availability/",
        views.partner_availability,
        name="partner_availability",
    ),
    path("gaps/", views.gaps_report, name="gaps"),
]
