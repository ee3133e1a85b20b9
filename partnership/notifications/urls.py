from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/mark-all-read/", views.notifications_mark_read, name="notifications_mark_read"),
    path("notifications/<uuid:pk>/", views.notification_open, name="notification_open"),
    path("partnership/failed-messages/", views.failed_messages, name="failed_messages"),
    path("partnership/failed-messages/<uuid:pk>/retry/", views.failed_message_retry, name="failed_message_retry"),
]
