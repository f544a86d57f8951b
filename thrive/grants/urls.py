from django.urls import path

from thrive.grants import views

app_name = "grants"
urlpatterns = [
    path("", views.grant_list, name="list"),
    path("new/", views.grant_create, name="new"),
    path("funders/new/", views.funder_create, name="funder_new"),
    path("<int:pk>/", views.grant_detail, name="detail"),
    path("<int:pk>/edit/", views.grant_edit, name="edit"),
]
