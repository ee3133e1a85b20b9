from django.contrib import admin
from django.urls import include, path

from . import views

handler404 = "partnership.views.page_not_found"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility", views.accessibility, name="accessibility"),
    # "account/", not allauth's "accounts/": a page of ours, so it never clashes with one of allauth's.
    path("account/notifications/", views.email_notifications, name="email_notifications"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/oruk/", include("organisations.oruk.urls")),
    path("", include("organisations.urls")),
    path("", include("referrals.urls")),
    path("", include("partnership.notifications.urls")),
]
