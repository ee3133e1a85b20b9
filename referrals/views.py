"""Views of the referral hub: thin — a form validates, a service function acts, a redirect follows.

Prescriptions are reached only through Referral.objects.visible_to() (or drafts_of() for drafts) and
routed items only through ReferralItem.objects.for_inbox(), so anything outside a person's scope is a 404.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organisations.models import Service, TaxonomyTerm
from partnership import phones
from partnership.middleware import current_partnership
from partnership.models import Partnership
from partnership.notifications.models import Notification
from partnership.pagination import page_of

from . import permissions, selectors, services
from .drafts import Draft
from .forms import (
    CancelForm,
    CloseForm,
    DeclineForm,
    GovDateField,
    NoteForm,
    PrescriptionForm,
    RerouteForm,
    ServiceChoiceForm,
)
from .models import PossibleDuplicate, Prescription, Referral, ReferralEvent

Action = Referral.Action


def _referring_organisations(request: HttpRequest, partnership: Partnership) -> list:
    organisations = permissions.referring_organisations(user=request.user, partnership=partnership)
    if not organisations:
        raise Http404("Only frontline workers of member organisations can write prescriptions")
    return organisations


def _unvalidated(form):
    """Show a saved draft's answers without showing errors for what is not filled in yet."""
    form._errors = ErrorDict()
    form.cleaned_data = {}
    return form


# --- Writing a prescription ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def prescription_new(request: HttpRequest) -> HttpResponse:
    return _prescription_form(request, draft=None)


@login_required
@require_http_methods(["GET", "POST"])
def draft_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    if (sent := _already_sent(request, pk)) is not None:
        return sent
    draft = get_object_or_404(Prescription.objects.drafts_of(request.user), pk=pk)
    return _prescription_form(request, draft=draft)


def _prescription_form(request: HttpRequest, *, draft: Prescription | None) -> HttpResponse:
    partnership = current_partnership(request)
    organisations = _referring_organisations(request, partnership)
    if request.method != "POST":
        token = str(draft.submission_token if draft else uuid.uuid4())
        if draft is not None and draft.draft.typed:
            data = _querydict(draft.draft.typed)
            form = _unvalidated(PrescriptionForm(data, partnership=partnership, organisations=organisations))
        else:
            form = PrescriptionForm(partnership=partnership, organisations=organisations)
        return _form_page(request, form=form, token=token, draft=draft)

    form = PrescriptionForm(request.POST, partnership=partnership, organisations=organisations)
    # The page always carries its token; a post without one (a script) gets a fresh one.
    token = _token(request.POST.get("token") or str(uuid.uuid4()))
    if token is None:
        # Only a tampered or truncated page sends this: keep what was typed and start a fresh form.
        return _form_page(request, form=_unvalidated(form), token=str(uuid.uuid4()), draft=draft, status=400,
                          problem="This form could not be saved. Check your answers and try again.")
    raw = draft_values(request.POST)
    organisation = organisations[0]
    if "organisation" in raw:
        organisation = next((o for o in organisations if str(o.pk) in raw["organisation"]), organisation)
    try:
        if request.POST.get("action") == "draft":
            if not (raw.get("first_name", [""])[0].strip() or raw.get("last_name", [""])[0].strip()):
                form = _unvalidated(form)
                form.add_error("first_name", "Enter the carer's name to save a draft")
                return _form_page(request, form=form, token=str(token), draft=draft, status=400)
            draft = services.draft_save(partnership=partnership, referrer=request.user, organisation=organisation,
                                        token=token, change=lambda kept: kept.with_typed(raw), draft=draft)
            messages.success(request, "Your draft has been saved. Drafts are kept for 14 days.")
            return redirect("referrals:mine")
        if form.is_valid():
            draft = services.draft_save(partnership=partnership, referrer=request.user,
                                        organisation=form.cleaned_data["organisation"], token=token,
                                        change=lambda kept: Draft.from_form(form, raw), draft=draft)
            return redirect("referrals:draft_services", pk=draft.pk)
    except services.ReferralError as error:
        return _form_page(request, form=_unvalidated(form), token=str(uuid.uuid4()), draft=None, status=400,
                          problem=f"{error}. Check your answers and send them as a new prescription.")
    return _form_page(request, form=form, token=str(token), draft=draft)


def _form_page(request: HttpRequest, *, form, token: str, draft: Prescription | None, status: int = 200,
               problem: str = "") -> HttpResponse:
    if problem:
        form.add_error(None, problem)
    return render(request, "referrals/prescription_form.html",
                  {"form": form, "token": token, "draft": draft}, status=status)


def _token(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


# Characters a draft never keeps: NUL (PostgreSQL refuses it in text) and the other control characters
# no keyboard types, bar tab and line breaks.
_CONTROL = dict.fromkeys(code for code in range(32) if code not in (9, 10, 13))
_CONTROL[127] = None


def draft_values(post) -> dict[str, list[str]]:
    """What a draft keeps of a form that may not be valid yet: only the form's own fields, without
    control characters, each value cut to its field's length. Everything else is dropped."""
    kept = {}
    for name, field in PrescriptionForm.base_fields.items():
        if isinstance(field, GovDateField):
            keys = {f"{name}_{part}": 4 for part in range(3)}
        else:
            keys = {name: getattr(field, "max_length", None) or 64}
        for key, limit in keys.items():
            if key in post:
                values = [value.translate(_CONTROL)[:limit] for value in post.getlist(key)[:50]]
                kept[key] = values
    return kept


def _querydict(raw: dict):
    data = QueryDict(mutable=True)
    for key, values in raw.items():
        data.setlist(key, values)
    return data


def _ready_draft(request: HttpRequest, pk: uuid.UUID) -> Prescription | None:
    draft = get_object_or_404(Prescription.objects.drafts_of(request.user).select_related("partnership"), pk=pk)
    return draft if draft.draft.is_complete else None


def _sent_prescription(request: HttpRequest, pk: uuid.UUID) -> Prescription | None:
    return Prescription.objects.visible_to(request.user).filter(pk=pk, status=Prescription.Status.SENT).first()


def _already_sent_page(request: HttpRequest, prescription: Prescription) -> HttpResponse:
    """The back button, on any step, after sending: say so and link to it, rather than a 404."""
    return render(request, "referrals/already_sent.html", {"prescription": prescription})


def _already_sent(request: HttpRequest, pk: uuid.UUID) -> HttpResponse | None:
    sent = _sent_prescription(request, pk)
    return _already_sent_page(request, sent) if sent is not None else None


@login_required
@require_http_methods(["GET", "POST"])
def draft_services(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    if (sent := _already_sent(request, pk)) is not None:
        return sent
    draft = _ready_draft(request, pk)
    if draft is None:
        return redirect("referrals:draft_edit", pk=pk)
    routing = services.draft_routing(draft=draft)
    choices = [(str(match.service.id), match.service.name) for match in routing.matches]
    chosen = draft.draft.services
    if request.method == "POST":
        form = ServiceChoiceForm(request.POST, choices=choices)
        if form.is_valid():
            services.draft_save(partnership=draft.partnership, referrer=request.user,
                                organisation=draft.referring_organisation, token=draft.submission_token,
                                change=lambda kept: kept.with_services(form.cleaned_data["services"]), draft=draft)
            return redirect("referrals:draft_check", pk=draft.pk)
        chosen = request.POST.getlist("services")
    else:
        form = ServiceChoiceForm(choices=choices)
    if chosen is None:
        chosen = [str(match.service.id) for match in routing.selected]
    return render(request, "referrals/draft_services.html", {
        "draft": draft, "routing": routing, "form": form, "chosen": set(chosen),
    })


@login_required
@require_http_methods(["GET", "POST"])
def draft_check(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    if (already := _sent_prescription(request, pk)) is not None:
        if request.method == "POST":  # a second click on Send
            return redirect("referrals:sent", reference=already.reference)
        return _already_sent_page(request, already)
    draft = _ready_draft(request, pk)
    if draft is None or not draft.draft.services:
        return redirect("referrals:draft_services", pk=pk) if draft else redirect("referrals:draft_edit", pk=pk)
    kept = draft.draft
    data = kept.answers
    if request.method == "POST":
        try:
            prescription = services.prescription_send(draft=draft, actor=request.user,
                                              service_ids=[uuid.UUID(sid) for sid in kept.services])
        except services.ReferralError as error:
            messages.error(request, str(error))
            return redirect("referrals:draft_services", pk=draft.pk)
        return redirect("referrals:sent", reference=prescription.reference)
    chosen = Service.objects.filter(pk__in=kept.services).select_related("organisation")
    return render(request, "referrals/draft_check.html", {
        "draft": draft, "data": data, "services": chosen,
        "date_of_birth": kept.date_of_birth, "consent_given_at": kept.consent_given_at,
        "phone": phones.display(data.get("phone", "")),
        "needs": TaxonomyTerm.objects.filter(pk__in=kept.need_ids),
        "condition_group": data.get("condition_group"),
        "relationship": Prescription.Relationship(data["relationship"]).label if data.get("relationship") else "",
        "urgency": Prescription.Urgency(data["urgency"]).label,
        "consent_method": Prescription.ConsentMethod(data["consent_method"]).label,
        "preferred_contact": dict(PrescriptionForm.base_fields["preferred_contact"].choices)[data["preferred_contact"]],
    })


@login_required
@require_http_methods(["GET", "POST"])
def draft_delete(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A link from the list of drafts asks first; the button deletes."""
    draft = get_object_or_404(Prescription.objects.drafts_of(request.user), pk=pk)
    if request.method == "GET":
        return render(request, "referrals/draft_delete.html", {"draft": draft})
    draft.delete()
    messages.success(request, "The draft has been deleted.")
    return redirect("referrals:mine")


def _visible_prescription(request: HttpRequest, reference: str):
    return get_object_or_404(
        Prescription.objects.visible_to(request.user).filter(status=Prescription.Status.SENT)
        .select_related("carer", "referrer", "referring_organisation", "partnership", "condition_group"),
        reference=reference,
    )


@login_required
def prescription_sent(request: HttpRequest, reference: str) -> HttpResponse:
    prescription = _visible_prescription(request, reference)
    return render(request, "referrals/sent.html", {"prescription": prescription})


@login_required
def prescription_summary(request: HttpRequest, reference: str) -> HttpResponse:
    """The printable summary for the carer: reference, services, what happens next."""
    prescription = _visible_prescription(request, reference)
    # Only the services still working on it: a carer should not call one that declined or closed.
    referrals = prescription.referrals.open().select_related("service__organisation").order_by("created_at")
    services.carer_record_viewed(prescription=prescription, user=request.user, what="printable summary")
    return render(request, "referrals/summary.html", {"prescription": prescription, "referrals": referrals})


# --- Following up ------------------------------------------------------------------------------------


@login_required
def my_prescriptions(request: HttpRequest) -> HttpResponse:
    if not permissions.follows_prescriptions(request.user):
        raise Http404
    attention_only = request.GET.get("show") == "attention"
    prescriptions = selectors.prescriptions_to_follow(user=request.user, partnership=current_partnership(request),
                                                      attention_only=attention_only, today=timezone.localdate())
    drafts = Prescription.objects.drafts_of(request.user).order_by("-updated_at")[:20]
    return render(request, "referrals/mine.html", {
        "prescriptions": prescriptions, "drafts": drafts, "attention_only": attention_only,
        "can_refer": permissions.is_referrer(request.user),
    })


@login_required
def prescription_detail(request: HttpRequest, reference: str) -> HttpResponse:
    own = Prescription.objects.about_carer(request.user).filter(reference=reference).first()
    if own is not None and not Prescription.objects.visible_to(request.user).filter(pk=own.pk).exists():
        return _carer_page(request, own)
    prescription = _visible_prescription(request, reference)
    services.carer_record_viewed(prescription=prescription, user=request.user, what="referral page")
    return _detail_page(request, prescription)


def _detail_page(request: HttpRequest, prescription: Prescription, *, status: int = 200, cancel_form=None,
                 cancel_referral_id=None) -> HttpResponse:
    referrals = list(prescription.referrals
                     .select_related("service__organisation", "suggested_service", "rerouted_from__service",
                                     "rerouted_to")
                     .order_by("created_at"))
    events = prescription.events.select_related("actor", "referral__service")
    Notification.objects.in_app_for(request.user).mentioning("referral", [item.pk for item in referrals]).mark_read()
    # The page offers the referrer's and the manager's actions, never the receiving service's.
    manager = permissions.manages(request.user, prescription.partnership_id)
    for referral in referrals:
        referral.actions = permissions.actions_on(request.user, referral, receiving=False, manager=manager)
    return render(request, "referrals/prescription.html", {
        "prescription": prescription, "referrals": referrals, "events": events, "needs": prescription.needs.all(),
        "cancel_form": cancel_form, "cancel_referral_id": cancel_referral_id,
        "target": prescription.partnership.response_target_days,
    }, status=status)


def _carer_page(request: HttpRequest, prescription: Prescription) -> HttpResponse:
    """A carer signed in sees what was sent and whom to contact — never the staff page, its notes or
    its timeline — until carers have pages of their own."""
    referrals = prescription.referrals.open().select_related("service__organisation").order_by("created_at")
    return render(request, "referrals/carer_referral.html", {"prescription": prescription, "referrals": referrals})


def _referral_of_visible_prescription(request: HttpRequest, pk: uuid.UUID) -> Referral:
    prescriptions = Prescription.objects.visible_to(request.user)
    return get_object_or_404(Referral.objects.filter(prescription__in=prescriptions)
                             .select_related("prescription", "service"), pk=pk)


@login_required
@require_POST
def referral_cancel(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    referral = _referral_of_visible_prescription(request, pk)
    if not permissions.has_role_for(request.user, Referral.Action.CANCEL, referral):
        raise Http404
    form = CancelForm(request.POST)
    if not form.is_valid():
        prescription = _visible_prescription(request, referral.prescription.reference)
        return _detail_page(request, prescription, status=400, cancel_form=form, cancel_referral_id=referral.pk)
    try:
        services.referral_withdraw(referral=referral, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, f"The referral to {referral.service.name} has been cancelled.")
    except services.ReferralError as error:
        messages.error(request, str(error))
    return redirect("referrals:prescription", reference=referral.prescription.reference)


@login_required
@require_http_methods(["GET", "POST"])
def referral_reroute(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    referral = _referral_of_visible_prescription(request, pk)
    if not permissions.has_role_for(request.user, Referral.Action.REROUTE, referral):
        raise Http404
    can_reroute = Referral.Action.REROUTE in referral.allowed_actions
    options = selectors.reroute_options(referral=referral) if can_reroute else []
    # The service the decliner suggested comes first.
    options.sort(key=lambda match: match.service.id != referral.suggested_service_id)
    form = RerouteForm(request.POST or None, choices=[(str(m.service.id), m.service.name) for m in options])
    if request.method == "POST" and form.is_valid():
        try:
            new_referral = services.referral_reroute(referral=referral, actor=request.user,
                                             service_id=uuid.UUID(form.cleaned_data["service"]))
            messages.success(request, f"The referral has been sent to {new_referral.service.name}.")
            return redirect("referrals:prescription", reference=referral.prescription.reference)
        except services.ReferralError as error:
            form.add_error("service", str(error))
    return render(request, "referrals/reroute.html", {"referral": referral, "options": options, "form": form})


# --- Working the inbox ------------------------------------------------------------------------------


INBOX_PAGE_SIZE = 50


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if not permissions.is_coordinator(request.user):
        raise Http404
    partnership = current_partnership(request)
    inbox = selectors.inbox_referrals(user=request.user, partnership=partnership,
                                      status=request.GET.get("status", selectors.OPEN),
                                      service_id=request.GET.get("service", ""), today=timezone.localdate())
    target = partnership.response_target_days
    page = page_of(request, inbox.referrals, INBOX_PAGE_SIZE)
    for referral in page:
        referral.respond_by_date = referral.respond_by(target)
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(request, "referrals/inbox.html", {
        "referrals": page, "page": page, "statuses": inbox.statuses, "status": inbox.status,
        "services": inbox.services, "service_id": inbox.service_id, "target": target,
        "querystring": querystring.urlencode(),
    })


def _inbox_referral(request: HttpRequest, pk: uuid.UUID) -> Referral:
    return get_object_or_404(
        Referral.objects.for_inbox(request.user)
        .select_related("prescription__carer", "prescription__referrer", "prescription__referring_organisation",
                        "prescription__condition_group", "prescription__partnership", "service__organisation",
                        "suggested_service"),
        pk=pk,
    )


@login_required
def referral_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    if not permissions.is_coordinator(request.user):
        raise Http404
    referral = _inbox_referral(request, pk)
    services.carer_record_viewed(prescription=referral.prescription, user=request.user,
                                 what=f"referral to {referral.service.name}")
    # Seeing the referral is reading the notifications about it, however one got here.
    Notification.objects.in_app_for(request.user).mentioning("referral", [referral.pk]).mark_read()
    return _referral_page(request, referral)


def _referral_page(request: HttpRequest, referral: Referral, status: int = 200, **forms) -> HttpResponse:
    """The referral page, with the forms a failed action sends back to show its errors."""
    prescription = referral.prescription
    referral.respond_by_date = referral.respond_by(prescription.partnership.response_target_days)
    events = (ReferralEvent.objects.filter(prescription=prescription)
              .filter(Q(referral=referral) | Q(referral__isnull=True)).select_related("actor"))
    # Without control characters: PostgreSQL refuses a NUL in a query (a 500).
    search = " ".join(request.GET.get("suggest", "").translate(_CONTROL).split())[:100]
    context = {
        "referral": referral, "prescription": prescription, "events": events, "suggest": search,
        "actions": permissions.actions_on(request.user, referral, receiving=True, writer=False, manager=False),
        "needs": prescription.needs.all(),
        "decline_form": DeclineForm(options=selectors.suggestion_options(referral=referral, search=search)),
        "close_form": CloseForm(), "note_form": NoteForm(),
        "target": prescription.partnership.response_target_days, **forms,
    }
    return render(request, "referrals/referral.html", context, status=status)


@login_required
@require_POST
def referral_action(request: HttpRequest, pk: uuid.UUID, action: str) -> HttpResponse:
    referral = _inbox_referral(request, pk)
    try:
        if action == Action.ACCEPT:
            services.referral_accept(referral=referral, actor=request.user)
            messages.success(request, "You have accepted the referral. Contact the carer next.")
        elif action == Action.DECLINE:
            form = DeclineForm(request.POST, options=selectors.suggestion_options(referral=referral),
                               allowed=selectors.suggestable(referral=referral))
            if not form.is_valid():
                return _referral_page(request, referral, status=400, decline_form=form)
            services.referral_decline(referral=referral, actor=request.user, reason=form.cleaned_data["reason"],
                                  note=form.cleaned_data["note"],
                                  suggested_service=form.cleaned_data["suggested_service"])
            messages.success(request, "You have declined the referral. The referrer has been told.")
        elif action == Action.RECORD_CONTACT_ATTEMPT:
            form = NoteForm(request.POST)
            if not form.is_valid():
                return _referral_page(request, referral, status=400, note_form=form)
            services.referral_record_contact_attempt(referral=referral, actor=request.user,
                                                     note=form.cleaned_data["note"])
            messages.success(request, "Contact attempt recorded.")
        elif action == Action.MARK_IN_CONTACT:
            services.referral_mark_in_contact(referral=referral, actor=request.user)
            messages.success(request, "Recorded that you are in contact with the carer.")
        elif action == Action.CLOSE:
            form = CloseForm(request.POST)
            if not form.is_valid():
                return _referral_page(request, referral, status=400, close_form=form)
            services.referral_close(referral=referral, actor=request.user, outcome=form.cleaned_data["outcome"],
                                note=form.cleaned_data["note"])
            messages.success(request, "The referral is closed. The referrer has been told the outcome.")
        else:
            raise Http404
    except services.ReferralError as error:
        messages.error(request, str(error))
    return redirect("referrals:referral", pk=referral.pk)


# --- Possible duplicate carers (the lead organisation) -----------------------------------------------

DUPLICATES_PAGE_SIZE = 25


@login_required
@require_GET
def possible_duplicates(request: HttpRequest) -> HttpResponse:
    if not permissions.decides_duplicates(request.user):
        raise Http404
    flags = (PossibleDuplicate.objects.visible_to(request.user).open()
             .select_related("carer", "existing").order_by("created_at"))
    page = page_of(request, flags, DUPLICATES_PAGE_SIZE)
    return render(request, "referrals/possible_duplicates.html", {"page": page, "flags": page})


@login_required
@require_http_methods(["GET", "POST"])
def possible_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    flag = get_object_or_404(PossibleDuplicate.objects.visible_to(request.user).select_related("carer", "existing"),
                             pk=pk)
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "confirm":
                services.duplicate_confirm(flag=flag, actor=request.user)
                messages.success(request, "The records are merged: the newer record's referrals are now filed "
                                          "with the older one.")
            elif request.POST.get("decision") == "reject":
                services.duplicate_reject(flag=flag, actor=request.user)
                messages.success(request, "Both records are kept as different people.")
            else:
                return _duplicate_page(request, flag, status=400,
                                       error="Select whether these records are the same person")
        except services.ReferralError as error:
            return _duplicate_page(request, flag, status=409, error=str(error))
        return redirect("referrals:possible_duplicates")
    return _duplicate_page(request, flag)


def _duplicate_page(request: HttpRequest, flag: PossibleDuplicate, *, status: int = 200,
                    error: str = "") -> HttpResponse:
    records = [flag.existing, flag.carer]
    services.carer_records_reviewed(carers=records, user=request.user)
    opened = dict(Referral.objects.open().filter(carer__in=records).values_list("carer")
                  .annotate(n=Count("pk")).order_by())
    sent = dict(Prescription.objects.filter(carer__in=records, status=Prescription.Status.SENT).values_list("carer")
                .annotate(n=Count("pk")).order_by())
    rows = [{"carer": carer, "open": opened.get(carer.pk, 0), "sent": sent.get(carer.pk, 0)} for carer in records]
    return render(request, "referrals/possible_duplicate.html",
                  {"flag": flag, "rows": rows, "error": error}, status=status)
