from django.urls import path

from thrive.cases import import_views

app_name = "imports"
urlpatterns = [
    path("", import_views.upload, name="upload"),
    path("example.xlsx", import_views.example, name="example"),
    path("example-<str:kind>.csv", import_views.example_csv, name="example_csv"),
]
