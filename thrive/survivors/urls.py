from django.urls import path

from thrive.survivors import views

app_name = "survivors"
urlpatterns = [
    path("", views.survivor_list, name="list"),
    path("new/", views.survivor_create, name="create"),
    path("export.csv", views.survivor_export, name="export"),
    path("<int:pk>/", views.survivor_detail, name="detail"),
    path("<int:pk>/edit/", views.survivor_edit, name="edit"),
    path("<int:pk>/audit/", views.survivor_audit, name="audit"),
]
