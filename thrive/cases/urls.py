from django.urls import path

from thrive.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("team/", views.team, name="team"),
    path("all/", views.case_list, name="list"),
    path("programs/", views.programs, name="programs"),
    path("programs/new/", views.program_new, name="program_new"),
    path("new/<int:survivor_id>/", views.case_open, name="open"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/status/", views.case_status, name="status"),
    path("<int:pk>/reassign/", views.case_reassign, name="reassign"),
    path("<int:pk>/transfer/", views.case_transfer, name="transfer"),
    path("<int:pk>/goals/new/", views.goal_add, name="goal_add"),
    path("goals/<int:goal_id>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<int:goal_id>/steps/new/", views.step_add, name="step_add"),
    path("steps/<int:step_id>/done/", views.step_done, name="step_done"),
    path("<int:pk>/notes/new/", views.note_add, name="note_add"),
    path("<int:pk>/tasks/new/", views.task_add, name="task_add"),
    path("tasks/<int:task_id>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:task_id>/done/", views.task_done, name="task_done"),
]
