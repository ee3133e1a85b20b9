from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("directory/", views.search, name="search"),
    path("directory/services/<uuid:pk>/", views.service_detail, name="service"),
    path("directory/organisations/<uuid:pk>/", views.organisation_detail, name="organisation"),
]
