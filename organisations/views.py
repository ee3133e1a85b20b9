from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from partnership.middleware import current_partnership
from partnership.pagination import page_number

from .forms import DirectorySearchForm
from .models import Location, Organisation, Service, active_member_of
from .search import search_services


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    partnership = current_partnership(request, public=True)
    form = DirectorySearchForm(request.GET or None, partnership=partnership)
    results = None
    if form.is_bound and form.is_valid():
        query = form.to_query()
        if not query.is_empty:
            results = search_services(
                partnership=partnership, query=query, page=page_number(request.GET.get("page")),
                per_page=settings.DIRECTORY_PAGE_SIZE,
            )
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(request, "organisations/search.html", {
        "form": form,
        "results": results,
        "partnership": partnership,
        "querystring": querystring.urlencode(),
    })


@require_GET
def service_detail(request: HttpRequest, pk) -> HttpResponse:
    partnership = current_partnership(request, public=True)
    service = get_object_or_404(
        Service.objects.listed(partnership)
        .select_related("organisation")
        .prefetch_related(
            "needs", "condition_groups", "service_area_districts",
            Prefetch("locations", queryset=Location.objects.order_by("name")),
        ),
        pk=pk,
    )
    return render(request, "organisations/service_detail.html", {"service": service})


@require_GET
def organisation_detail(request: HttpRequest, pk) -> HttpResponse:
    partnership = current_partnership(request, public=True)
    organisation = get_object_or_404(
        Organisation.objects.filter(active_member_of(partnership, via="memberships")),
        pk=pk,
    )
    services = Service.objects.listed(partnership).filter(organisation=organisation).prefetch_related("needs")
    return render(request, "organisations/organisation_detail.html", {
        "organisation": organisation, "services": services,
    })
