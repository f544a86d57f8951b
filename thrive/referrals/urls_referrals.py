"""Routes of the consent and referral pages (mounted under /referrals/, namespace
"referrals"). A referral's sender and recipient each have their own addresses."""

from django.urls import path

from thrive.referrals import views_referrals as views

urlpatterns = [
    path("survivors/<int:survivor_id>/consents/", views.consents, name="consents"),
    path("survivors/<int:survivor_id>/consents/new/", views.consent_new, name="consent_new"),
    path("consents/<int:consent_id>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("consents/<int:consent_id>/print/", views.consent_print, name="consent_print"),
    path("cases/<int:case_id>/new/", views.referral_new, name="referral_new"),
    path("sent/", views.outbox, name="outbox"),
    path("<int:referral_id>/", views.referral_detail, name="referral"),
    path("<int:referral_id>/send/", views.referral_send, name="referral_send"),
    path("<int:referral_id>/withdraw/", views.referral_withdraw, name="referral_withdraw"),
    path("<int:referral_id>/answer/", views.referral_answer, name="referral_answer"),
    path("<int:referral_id>/print/", views.referral_print, name="referral_print"),
    path("inbox/", views.inbox, name="inbox"),
    path("received/<int:referral_id>/", views.received, name="received"),
    path("received/<int:referral_id>/move/", views.received_move, name="received_move"),
    path("received/<int:referral_id>/record/", views.received_record, name="received_record"),
]
