from django.urls import path

from thrive.services import views

app_name = "services"
urlpatterns = [
    path("new/<int:case_id>/", views.service_record, name="record"),
    path("types/", views.service_taxonomy, name="taxonomy"),
    path("units/", views.service_units, name="units"),
    path("grant-options/", views.service_grant_options, name="grant_options"),
    path("<int:pk>/", views.service_detail, name="detail"),
    path("<int:pk>/edit/", views.service_edit, name="edit"),
]
