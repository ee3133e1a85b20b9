from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("prescriptions/new/", views.prescription_new, name="new"),
    path("prescriptions/drafts/<uuid:pk>/", views.draft_edit, name="draft_edit"),
    path("prescriptions/drafts/<uuid:pk>/services/", views.draft_services, name="draft_services"),
    path("prescriptions/drafts/<uuid:pk>/check/", views.draft_check, name="draft_check"),
    path("prescriptions/drafts/<uuid:pk>/delete/", views.draft_delete, name="draft_delete"),
    path("referrals/", views.my_referrals, name="mine"),
    path("referrals/<str:reference>/", views.referral_detail, name="detail"),
    path("referrals/<str:reference>/sent/", views.referral_sent, name="sent"),
    path("referrals/<str:reference>/summary/", views.referral_summary, name="summary"),
    path("referral-items/<uuid:pk>/cancel/", views.item_cancel, name="item_cancel"),
    path("referral-items/<uuid:pk>/reroute/", views.item_reroute, name="item_reroute"),
    path("inbox/", views.inbox, name="inbox"),
    path("carers/possible-duplicates/", views.possible_duplicates, name="possible_duplicates"),
    path("carers/possible-duplicates/<int:pk>/", views.possible_duplicate, name="possible_duplicate"),
    path("inbox/items/<uuid:pk>/", views.item_detail, name="item"),
    path("inbox/items/<uuid:pk>/<slug:action>/", views.item_action, name="item_action"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/mark-all-read/", views.notifications_mark_read, name="notifications_mark_read"),
    path("notifications/<uuid:pk>/", views.notification_open, name="notification_open"),
    path("partnership/failed-messages/", views.failed_messages, name="failed_messages"),
    path("partnership/failed-messages/<uuid:pk>/retry/", views.failed_message_retry, name="failed_message_retry"),
]
