"""Pages of results as templates/includes/_pagination.html reads them."""

from __future__ import annotations

from django.core.paginator import Page as _DjangoPage
from django.core.paginator import Paginator as _DjangoPaginator
from django.http import HttpRequest


class Page(_DjangoPage):
    """A page of results as includes/_pagination.html reads it."""

    @property
    def num_pages(self) -> int:
        return self.paginator.num_pages


class Paginator(_DjangoPaginator):
    def _get_page(self, *args, **kwargs) -> Page:
        return Page(*args, **kwargs)


def page_of(request: HttpRequest, rows, per_page: int) -> Page:
    """The page the request asks for (?page=), the last for a number past the end, the first for nonsense."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))
