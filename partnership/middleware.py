"""Middleware of the whole site: the partnership a request is about, the Content-Security-Policy and the
Permissions-Policy."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Partnership


class CurrentPartnershipMiddleware:
    """`request.partnership` (a signed-in person's pages: Partnership.objects.for_request) and
    `request.public_partnership` (the directory and the feed: Partnership.objects.serving): each resolved
    once per request, and only if something asks. Falsy when no partnership has been set up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.partnership = SimpleLazyObject(lambda: Partnership.objects.for_request(request))
        request.public_partnership = SimpleLazyObject(lambda: Partnership.objects.serving(request))
        return self.get_response(request)


def current_partnership(request: HttpRequest, *, public: bool = False) -> Partnership:
    """The request's partnership (`public`: the one its address serves), for a page that cannot do
    without one: a 404 until one is set up."""
    partnership = request.public_partnership if public else request.partnership
    if not partnership:
        raise Http404("No partnership has been set up yet")
    return partnership


class NoStoreForSignedInMiddleware:
    """`Cache-Control: no-store` on every page shown to someone signed in: surgeries share computers, and a
    page with a carer's details must not come back from the browser's cache (or the back button) after
    the GP has signed out. Public pages (the directory, the feed) stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers["Cache-Control"] = "no-store, private"
        return response


class ContentSecurityPolicyMiddleware:
    """A strict Content-Security-Policy: no inline script or style, nothing from other origins.

    The Open Referral feed is meant to be read by other sites' scripts; CORS is its own concern.
    """

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
        "base-uri 'self'; object-src 'none'"
    )
    # Nothing here needs a camera, a microphone, a location or a payment: no page, and nothing injected
    # into one, may ask for them.
    PERMISSIONS = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
                   "display-capture=(), fullscreen=(self)")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Django's admin (for the few superusers) relies on inline styles; every other page is strict.
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", self.POLICY)
        response.headers.setdefault("Permissions-Policy", self.PERMISSIONS)
        return response
