from django.urls import path

from thrive.hotline import views

app_name = "hotline"

urlpatterns = [
    path("board/", views.board, name="board"),
    path("roster/", views.roster, name="roster"),
    path("response-times/", views.response_times, name="response_times"),
    path("contacts/new/", views.contact_new, name="new"),
    path("contacts/autosave/", views.contact_autosave, name="autosave"),
    path("contacts/resume/<int:pk>/", views.contact_resume, name="resume"),
    path("contacts/<int:pk>/", views.contact_detail, name="detail"),
    path("contacts/<int:pk>/link/", views.contact_link, name="link"),
    path("contacts/<int:pk>/survivor/new/", views.contact_create_survivor, name="create_survivor"),
    path("contacts/<int:pk>/dispatch/", views.dispatch, name="dispatch"),
    path("responses/<int:response_id>/", views.response_detail, name="response"),
    path("responses/<int:response_id>/mark/", views.response_mark, name="response_mark"),
]
