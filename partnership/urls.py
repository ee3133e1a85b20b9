from django.contrib import admin
from django.urls import include, path

from organisations.oruk import views as oruk_views

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
    # The stub answers with and without its slash: a redirect would lose the CORS header.
    path("api/oruk", oruk_views.root),
    path("api/oruk/", include("organisations.oruk.urls")),
    path("", include("organisations.urls")),
    path("", include("referrals.urls")),
]
