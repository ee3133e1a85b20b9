"""The Open Referral UK feed: every endpoint under one API stub, /api/oruk/ (paths as the profile names them)."""

from django.urls import path, re_path

from . import views

app_name = "oruk"

urlpatterns = [
    path("", views.root, name="root"),
    path("openapi.json", views.openapi, name="openapi"),
    path("services", views.services, name="services"),
    path("services/<str:record_id>", views.service, name="service"),
    path("service_at_locations", views.service_at_locations, name="service_at_locations"),
    path("service_at_locations/<str:record_id>", views.service_at_location, name="service_at_location"),
    path("taxonomies", views.taxonomies, name="taxonomies"),
    path("taxonomies/<str:record_id>", views.taxonomy, name="taxonomy"),
    path("taxonomy_terms", views.taxonomy_terms, name="taxonomy_terms"),
    path("taxonomy_terms/<str:record_id>", views.taxonomy_term, name="taxonomy_term"),
    path("organizations", views.organizations, name="organizations"),
    path("organizations/<str:record_id>", views.organization, name="organization"),
    # Anything else under the stub is a JSON 404 with the CORS header, not the site's HTML page.
    re_path(r"", views.not_found, name="not_found"),
]
