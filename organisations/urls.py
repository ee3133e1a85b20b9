from django.urls import path

from . import views
from .oruk import views as oruk_views

app_name = "organisations"

urlpatterns = [
    path("directory/", views.search, name="search"),
    path("directory/services/<uuid:pk>/", views.service_detail, name="service"),
    path("directory/organisations/<uuid:pk>/", views.organisation_detail, name="organisation"),
    # The feed's stub answers without its slash too (a redirect would lose the CORS header); with it, the
    # project's urls.py includes organisations/oruk/urls.py.
    path("api/oruk", oruk_views.root),
]
