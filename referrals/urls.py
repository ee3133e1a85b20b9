from django.http import HttpResponsePermanentRedirect
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView

from . import views

app_name = "referrals"

urlpatterns = [
    path("prescriptions/", views.my_prescriptions, name="mine"),
    path("prescriptions/new/", views.prescription_new, name="new"),
    path("prescriptions/drafts/<uuid:pk>/", views.draft_edit, name="draft_edit"),
    path("prescriptions/drafts/<uuid:pk>/services/", views.draft_services, name="draft_services"),
    path("prescriptions/drafts/<uuid:pk>/check/", views.draft_check, name="draft_check"),
    path("prescriptions/drafts/<uuid:pk>/delete/", views.draft_delete, name="draft_delete"),
    path("prescriptions/<str:reference>/", views.prescription_detail, name="prescription"),
    path("prescriptions/<str:reference>/sent/", views.prescription_sent, name="sent"),
    path("prescriptions/<str:reference>/summary/", views.prescription_summary, name="summary"),
    path("referrals/<uuid:pk>/", views.referral_detail, name="referral"),
    path("referrals/<uuid:pk>/cancel/", views.referral_cancel, name="referral_cancel"),
    path("referrals/<uuid:pk>/reroute/", views.referral_reroute, name="referral_reroute"),
    path("referrals/<uuid:pk>/<slug:action>/", views.referral_action, name="referral_action"),
    path("inbox/", views.inbox, name="inbox"),
    path("carers/possible-duplicates/", views.possible_duplicates, name="possible_duplicates"),
    path("carers/possible-duplicates/<int:pk>/", views.possible_duplicate, name="possible_duplicate"),
]

class _MovedForm(HttpResponsePermanentRedirect):
    status_code = 308  # the browser repeats the POST, with its CSRF token, at the new address


def _moved(pattern_name: str):
    """A form posted to an address from before the rename (a page left open across the deploy): sent on,
    method and body kept. The view behind the new address checks the token and who may act."""
    return csrf_exempt(lambda request, **kwargs: _MovedForm(reverse(pattern_name, kwargs=kwargs)))


# Addresses from before prescriptions and referrals had their own names: emails already sent link to
# them, and people keep bookmarks. The pages behind them check who may see them as ever.
urlpatterns += [
    path("referral-items/<uuid:pk>/cancel/", _moved("referrals:referral_cancel")),
    path("referral-items/<uuid:pk>/reroute/", _moved("referrals:referral_reroute")),
    path("inbox/items/<uuid:pk>/<slug:action>/", _moved("referrals:referral_action")),
    path("referrals/", RedirectView.as_view(pattern_name="referrals:mine", permanent=True, query_string=True)),
    path("referrals/<str:reference>/", RedirectView.as_view(pattern_name="referrals:prescription", permanent=True)),
    path("referrals/<str:reference>/sent/", RedirectView.as_view(pattern_name="referrals:sent", permanent=True)),
    path("referrals/<str:reference>/summary/",
         RedirectView.as_view(pattern_name="referrals:summary", permanent=True)),
    path("inbox/items/<uuid:pk>/", RedirectView.as_view(pattern_name="referrals:referral", permanent=True)),
]
