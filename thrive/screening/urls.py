from django.urls import path

from thrive.screening import views

app_name = "screening"
urlpatterns = [
    path("new/<int:survivor_id>/", views.screening_new, name="new"),
    path("<int:pk>/", views.screening_detail, name="detail"),
    path("survivor/<int:survivor_id>/", views.screening_list, name="list"),
    path("identify/<int:survivor_id>/", views.identification_new, name="identify"),
]
