"""Routes of the MDT case conference pages (joined into the referrals namespace)."""

from django.urls import path

from thrive.referrals import views_conferences as views

urlpatterns = [
    path("conferences/", views.conference_list, name="conferences"),
    path("conferences/new/", views.conference_new, name="conference_new"),
    path("conferences/<int:conference_id>/", views.conference_detail, name="conference"),
    path(
        "conferences/<int:conference_id>/roster/new/",
        views.roster_new,
        name="conference_roster_new",
    ),
    path(
        "conferences/<int:conference_id>/roster/<int:roster_id>/items/new/",
        views.item_new,
        name="conference_item_new",
    ),
    path("items/<int:item_id>/close/", views.item_close, name="conference_item_close"),
]
