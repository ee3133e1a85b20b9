from django.http import JsonResponse
from django.urls import path

app_name = "oruk"


def root(request):
    return JsonResponse({})


urlpatterns = [path("", root, name="root")]
