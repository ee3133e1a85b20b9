class ContentSecurityPolicyMiddleware:
    """A strict Content-Security-Policy: no inline script or style, nothing from other origins.

    The Open Referral feed is meant to be read by other sites' scripts; CORS is its own concern.
    """

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
        "base-uri 'self'; object-src 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Django's admin (for the few superusers) relies on inline styles; every other page is strict.
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", self.POLICY)
        return response
