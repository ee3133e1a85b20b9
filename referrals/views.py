"""Views of the referral hub: thin — a form validates, a service function acts, a redirect follows.

Prescriptions are reached only through Referral.objects.visible_to() (or drafts_of() for drafts) and
routed items only through ReferralItem.objects.for_inbox(), so anything outside a person's scope is a 404.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organisations.models import Membership, Service, StaffRole, TaxonomyTerm
from partnership import phones
from partnership.models import Partnership
from partnership.working_days import add_working_days, overdue_before

from . import delivery, permissions, services
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
from .models import OPEN_STATUSES, Notification, PossibleDuplicate, Referral, ReferralEvent, ReferralItem
from .navigation import counts_for
from .selectors import notifications_described

URGENCY_ORDER = {Referral.Urgency.URGENT: 0, Referral.Urgency.SOON: 1, Referral.Urgency.ROUTINE: 2}


def _partnership() -> Partnership:
    partnership = Partnership.objects.current()
    if partnership is None:
        raise Http404("No partnership has been set up yet")
    return partnership


def _referring_organisations(request: HttpRequest, partnership: Partnership) -> list:
    organisations = services.referring_organisations(user=request.user, partnership=partnership)
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
    draft = get_object_or_404(Referral.objects.drafts_of(request.user), pk=pk)
    return _prescription_form(request, draft=draft)


def _prescription_form(request: HttpRequest, *, draft: Referral | None) -> HttpResponse:
    partnership = _partnership()
    organisations = _referring_organisations(request, partnership)
    if request.method != "POST":
        token = str(draft.submission_token if draft else uuid.uuid4())
        if draft is not None and draft.draft_data.get("form"):
            data = _querydict(draft.draft_data["form"])
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
                                        token=token, data={"form": raw}, draft=draft)
            messages.success(request, "Your draft has been saved. Drafts are kept for 14 days.")
            return redirect("referrals:mine")
        if form.is_valid():
            draft = services.draft_save(partnership=partnership, referrer=request.user,
                                        organisation=form.cleaned_data["organisation"], token=token,
                                        data={**form.to_draft(), "form": raw, "services": None}, draft=draft)
            return redirect("referrals:draft_services", pk=draft.pk)
    except services.ReferralError as error:
        return _form_page(request, form=_unvalidated(form), token=str(uuid.uuid4()), draft=None, status=400,
                          problem=f"{error}. Check your answers and send them as a new prescription.")
    return _form_page(request, form=form, token=str(token), draft=draft)


def _form_page(request: HttpRequest, *, form, token: str, draft: Referral | None, status: int = 200,
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
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for key, values in raw.items():
        data.setlist(key, values)
    return data


def _ready_draft(request: HttpRequest, pk: uuid.UUID) -> Referral | None:
    draft = get_object_or_404(Referral.objects.drafts_of(request.user).select_related("partnership"), pk=pk)
    return draft if draft.draft_data.get("date_of_birth") else None


def _sent_prescription(request: HttpRequest, pk: uuid.UUID) -> Referral | None:
    return Referral.objects.visible_to(request.user).filter(pk=pk, status=Referral.Status.SENT).first()


def _already_sent_page(request: HttpRequest, referral: Referral) -> HttpResponse:
    """The back button, on any step, after sending: say so and link to it, rather than a 404."""
    return render(request, "referrals/already_sent.html", {"referral": referral})


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
    chosen = draft.draft_data.get("services")
    if request.method == "POST":
        form = ServiceChoiceForm(request.POST, choices=choices)
        if form.is_valid():
            services.draft_save(partnership=draft.partnership, referrer=request.user,
                                organisation=draft.referring_organisation, token=draft.submission_token,
                                data={"services": form.cleaned_data["services"]}, draft=draft)
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
    if draft is None or not draft.draft_data.get("services"):
        return redirect("referrals:draft_services", pk=pk) if draft else redirect("referrals:draft_edit", pk=pk)
    data = draft.draft_data
    if request.method == "POST":
        try:
            referral = services.referral_send(draft=draft, actor=request.user,
                                              service_ids=[uuid.UUID(sid) for sid in data["services"]])
        except services.ReferralError as error:
            messages.error(request, str(error))
            return redirect("referrals:draft_services", pk=draft.pk)
        return redirect("referrals:sent", reference=referral.reference)
    chosen = Service.objects.filter(pk__in=data["services"]).select_related("organisation")
    return render(request, "referrals/draft_check.html", {
        "draft": draft, "data": data, "services": chosen,
        "date_of_birth": date.fromisoformat(data["date_of_birth"]),
        "consent_given_at": datetime.fromisoformat(data["consent_given_at"]) if data.get("consent_given_at") else None,
        "phone": phones.display(data.get("phone", "")),
        "needs": TaxonomyTerm.objects.filter(pk__in=data.get("needs", [])),
        "condition_group": data.get("condition_group"),
        "relationship": Referral.Relationship(data["relationship"]).label if data.get("relationship") else "",
        "urgency": Referral.Urgency(data["urgency"]).label,
        "consent_method": Referral.ConsentMethod(data["consent_method"]).label,
        "preferred_contact": dict(PrescriptionForm.base_fields["preferred_contact"].choices)[data["preferred_contact"]],
    })


@login_required
@require_http_methods(["GET", "POST"])
def draft_delete(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A link from the list of drafts asks first; the button deletes."""
    draft = get_object_or_404(Referral.objects.drafts_of(request.user), pk=pk)
    if request.method == "GET":
        return render(request, "referrals/draft_delete.html", {"draft": draft})
    draft.delete()
    messages.success(request, "The draft has been deleted.")
    return redirect("referrals:mine")


def _visible_referral(request: HttpRequest, reference: str):
    return get_object_or_404(
        Referral.objects.visible_to(request.user).filter(status=Referral.Status.SENT)
        .select_related("carer", "referrer", "referring_organisation", "partnership", "condition_group"),
        reference=reference,
    )


@login_required
def referral_sent(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _visible_referral(request, reference)
    return render(request, "referrals/sent.html", {"referral": referral})


@login_required
def referral_summary(request: HttpRequest, reference: str) -> HttpResponse:
    """The printable summary for the carer: reference, services, what happens next."""
    referral = _visible_referral(request, reference)
    # Only the services still working on it: a carer should not call one that declined or closed.
    items = referral.items.open().select_related("service__organisation").order_by("created_at")
    services.carer_record_viewed(referral=referral, user=request.user, what="printable summary")
    return render(request, "referrals/summary.html", {"referral": referral, "items": items})


# --- Following up ------------------------------------------------------------------------------------


@login_required
def my_referrals(request: HttpRequest) -> HttpResponse:
    if not permissions.follows_referrals(request.user):
        raise Http404
    partnership = _partnership()
    target = partnership.response_target_days
    team_orgs = StaffRole.objects.filter(
        user=request.user, membership__status=Membership.Status.ACTIVE,
        membership__organisation__team_visibility=True,
    ).values("membership__organisation")
    referrals = (
        Referral.objects.visible_to(request.user)
        .filter(status=Referral.Status.SENT)
        .filter(Q(referrer=request.user) | Q(referring_organisation__in=team_orgs))
        .select_related("referrer")
        .prefetch_related(Prefetch("items", queryset=ReferralItem.objects.select_related("service")
                                   .order_by("created_at")))
        .order_by("-sent_at")
    )
    attention_only = request.GET.get("show") == "attention"
    if attention_only:
        cutoff = overdue_before(timezone.localdate(), target)
        needs_attention = ReferralItem.objects.filter(referral=OuterRef("pk")).filter(
            Q(status=ReferralItem.Status.DECLINED, rerouted_to__isnull=True)
            | Q(status=ReferralItem.Status.SENT, created_at__date__lt=cutoff)
        )
        referrals = referrals.filter(Exists(needs_attention))
    referrals = list(referrals[:200])
    today = timezone.localdate()
    for referral in referrals:
        for item in referral.items.all():
            item.overdue = item.is_overdue(target, today)
    drafts = Referral.objects.drafts_of(request.user).order_by("-updated_at")[:20]
    return render(request, "referrals/mine.html", {
        "referrals": referrals, "drafts": drafts, "attention_only": attention_only,
        "can_refer": permissions.is_referrer(request.user),
    })


@login_required
def referral_detail(request: HttpRequest, reference: str) -> HttpResponse:
    own = Referral.objects.about_carer(request.user).filter(reference=reference).first()
    if own is not None and not Referral.objects.visible_to(request.user).filter(pk=own.pk).exists():
        return _carer_page(request, own)
    referral = _visible_referral(request, reference)
    services.carer_record_viewed(referral=referral, user=request.user, what="referral page")
    return _detail_page(request, referral)


def _detail_page(request: HttpRequest, referral: Referral, *, status: int = 200, cancel_form=None,
                 cancel_item_id=None) -> HttpResponse:
    items = list(referral.items.select_related("service__organisation", "suggested_service", "rerouted_from")
                 .order_by("created_at"))
    events = referral.events.select_related("actor", "item__service")
    Notification.objects.in_app_for(request.user).about_items([item.pk for item in items]).mark_read()
    is_manager = request.user.managed_partnerships.filter(partnership=referral.partnership).exists()
    can_act = referral.referrer_id == request.user.pk
    return render(request, "referrals/detail.html", {
        "referral": referral, "items": items, "events": events, "can_cancel": can_act,
        "can_reroute": can_act or is_manager, "needs": referral.needs.all(),
        "cancel_form": cancel_form, "cancel_item_id": cancel_item_id,
        "target": referral.partnership.response_target_days,
    }, status=status)


def _carer_page(request: HttpRequest, referral: Referral) -> HttpResponse:
    """A carer signed in sees what was sent and whom to contact — never the staff page, its notes or
    its timeline — until carers have pages of their own."""
    items = referral.items.open().select_related("service__organisation").order_by("created_at")
    return render(request, "referrals/carer_referral.html", {"referral": referral, "items": items})


def _item_of_visible_referral(request: HttpRequest, pk: uuid.UUID) -> ReferralItem:
    referrals = Referral.objects.visible_to(request.user)
    return get_object_or_404(ReferralItem.objects.filter(referral__in=referrals)
                             .select_related("referral", "service"), pk=pk)


@login_required
@require_POST
def item_cancel(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    item = _item_of_visible_referral(request, pk)
    if item.referral.referrer_id != request.user.pk:
        raise Http404
    form = CancelForm(request.POST)
    if not form.is_valid():
        referral = _visible_referral(request, item.referral.reference)
        return _detail_page(request, referral, status=400, cancel_form=form, cancel_item_id=item.pk)
    try:
        services.item_withdraw(item=item, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, f"The referral to {item.service.name} has been cancelled.")
    except services.ReferralError as error:
        messages.error(request, str(error))
    return redirect("referrals:detail", reference=item.referral.reference)


@login_required
@require_http_methods(["GET", "POST"])
def item_reroute(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    item = _item_of_visible_referral(request, pk)
    is_manager = request.user.managed_partnerships.filter(partnership=item.referral.partnership_id).exists()
    if item.referral.referrer_id != request.user.pk and not is_manager:
        raise Http404
    options = services.reroute_options(item=item) if item.status == ReferralItem.Status.DECLINED else []
    # The service the decliner suggested comes first.
    options.sort(key=lambda match: match.service.id != item.suggested_service_id)
    form = RerouteForm(request.POST or None, choices=[(str(m.service.id), m.service.name) for m in options])
    if request.method == "POST" and form.is_valid():
        try:
            new_item = services.item_reroute(item=item, actor=request.user,
                                             service_id=uuid.UUID(form.cleaned_data["service"]))
            messages.success(request, f"The referral has been sent to {new_item.service.name}.")
            return redirect("referrals:detail", reference=item.referral.reference)
        except services.ReferralError as error:
            form.add_error("service", str(error))
    return render(request, "referrals/reroute.html", {"item": item, "options": options, "form": form})


# --- Working the inbox ------------------------------------------------------------------------------


INBOX_PAGE_SIZE = 50


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if not permissions.is_coordinator(request.user):
        raise Http404
    partnership = _partnership()
    items = ReferralItem.objects.for_inbox(request.user).filter(referral__partnership=partnership)
    coordinated = Service.objects.filter(pk__in=items.values("service_id")).order_by("name")
    counts = dict(items.values_list("status").annotate(n=Count("pk")).order_by())
    status = request.GET.get("status", "open")
    service_id = request.GET.get("service", "")
    shown = items
    if status == "open":
        shown = shown.open()
    elif status in ReferralItem.Status.values:
        shown = shown.filter(status=status)
    else:
        status = "open"
        shown = shown.open()
    if service_id:
        try:
            shown = shown.filter(service_id=uuid.UUID(service_id))
        except ValueError:
            service_id = ""
    target = partnership.response_target_days
    today = timezone.localdate()
    shown = (shown.most_urgent_first(overdue_before=overdue_before(today, target))
             .select_related("referral", "service"))
    page = _Paginator(shown, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    for item in page:
        item.respond_by_date = add_working_days(timezone.localdate(item.created_at), target)
    statuses = [("open", "Open", sum(counts.get(s, 0) for s in OPEN_STATUSES))] + [
        (value, label, counts.get(value, 0)) for value, label in ReferralItem.Status.choices
    ]
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(request, "referrals/inbox.html", {
        "items": page, "page": page, "statuses": statuses, "status": status, "services": coordinated,
        "service_id": service_id, "target": target, "querystring": querystring.urlencode(),
    })


def _inbox_item(request: HttpRequest, pk: uuid.UUID) -> ReferralItem:
    return get_object_or_404(
        ReferralItem.objects.for_inbox(request.user)
        .select_related("referral__carer", "referral__referrer", "referral__referring_organisation",
                        "referral__condition_group", "referral__partnership", "service__organisation",
                        "suggested_service"),
        pk=pk,
    )


@login_required
def item_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    if not permissions.is_coordinator(request.user):
        raise Http404
    item = _inbox_item(request, pk)
    services.carer_record_viewed(referral=item.referral, user=request.user, what=f"referral to {item.service.name}")
    # Seeing the referral is reading the notifications about it, however one got here.
    Notification.objects.in_app_for(request.user).about_items([item.pk]).mark_read()
    return _item_page(request, item)


def _item_page(request: HttpRequest, item: ReferralItem, status: int = 200, **forms) -> HttpResponse:
    """The item page, with the forms a failed action sends back to show its errors."""
    referral = item.referral
    item.respond_by_date = item.respond_by(referral.partnership.response_target_days)
    events = (ReferralEvent.objects.filter(referral=referral)
              .filter(Q(item=item) | Q(item__isnull=True)).select_related("actor"))
    # Without control characters: PostgreSQL refuses a NUL in a query (a 500).
    search = " ".join(request.GET.get("suggest", "").translate(_CONTROL).split())[:100]
    context = {
        "item": item, "referral": referral, "events": events, "suggest": search,
        "needs": referral.needs.all(),
        "decline_form": DeclineForm(options=services.suggestion_options(item=item, search=search)),
        "close_form": CloseForm(), "note_form": NoteForm(),
        "target": referral.partnership.response_target_days, **forms,
    }
    return render(request, "referrals/item.html", context, status=status)


@login_required
@require_POST
def item_action(request: HttpRequest, pk: uuid.UUID, action: str) -> HttpResponse:
    item = _inbox_item(request, pk)
    try:
        if action == "accept":
            services.item_accept(item=item, actor=request.user)
            messages.success(request, "You have accepted the referral. Contact the carer next.")
        elif action == "decline":
            form = DeclineForm(request.POST, options=services.suggestion_options(item=item),
                               allowed=services.suggestable(item=item))
            if not form.is_valid():
                return _item_page(request, item, status=400, decline_form=form)
            services.item_decline(item=item, actor=request.user, reason=form.cleaned_data["reason"],
                                  note=form.cleaned_data["note"],
                                  suggested_service=form.cleaned_data["suggested_service"])
            messages.success(request, "You have declined the referral. The referrer has been told.")
        elif action == "contact-attempt":
            form = NoteForm(request.POST)
            if not form.is_valid():
                return _item_page(request, item, status=400, note_form=form)
            services.item_record_contact_attempt(item=item, actor=request.user, note=form.cleaned_data["note"])
            messages.success(request, "Contact attempt recorded.")
        elif action == "in-contact":
            services.item_mark_in_contact(item=item, actor=request.user)
            messages.success(request, "Recorded that you are in contact with the carer.")
        elif action == "close":
            form = CloseForm(request.POST)
            if not form.is_valid():
                return _item_page(request, item, status=400, close_form=form)
            services.item_close(item=item, actor=request.user, outcome=form.cleaned_data["outcome"],
                                note=form.cleaned_data["note"])
            messages.success(request, "The referral is closed. The referrer has been told the outcome.")
        else:
            raise Http404
    except services.ReferralError as error:
        messages.error(request, str(error))
    return redirect("referrals:item", pk=item.pk)


# --- Notifications -----------------------------------------------------------------------------------

NOTIFICATIONS_PAGE_SIZE = 25


class _Page(Page):
    """A page of results as includes/_pagination.html reads it."""

    @property
    def num_pages(self) -> int:
        return self.paginator.num_pages


class _Paginator(Paginator):
    def _get_page(self, *args, **kwargs) -> _Page:
        return _Page(*args, **kwargs)


def _page_of(request: HttpRequest, rows) -> _Page:
    return _Paginator(rows, NOTIFICATIONS_PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    """A person's own in-app notifications, newest first."""
    page = _page_of(request, Notification.objects.in_app_for(request.user))
    return render(request, "referrals/notifications.html", {
        "page": page, "notifications": notifications_described(list(page)), "unread": counts_for(request).unread,
    })


@login_required
@require_GET
def notification_open(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Follows a notification's link: marks it read and goes to the page it is about. A GET, because it is
    a link (it can be opened in a new tab); marking read is harmless and keeps the first time it was read."""
    notification = get_object_or_404(Notification.objects.in_app_for(request.user), pk=pk)
    Notification.objects.filter(pk=notification.pk).mark_read()
    [described] = notifications_described([notification])
    return redirect(described.url or "referrals:notifications")


@login_required
@require_POST
def notifications_mark_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.in_app_for(request.user).mark_read()
    messages.success(request, "All your notifications are marked as read.")
    return redirect("referrals:notifications")


@login_required
@require_GET
def failed_messages(request: HttpRequest) -> HttpResponse:
    """Messages that could not be delivered, for the managers of their partnership to fix and try again."""
    if not counts_for(request).manages:
        raise Http404
    rows = Notification.objects.failed_visible_to(request.user).select_related("recipient_user", "recipient_service")
    page = _page_of(request, rows)
    return render(request, "referrals/failed_messages.html", {
        "page": page, "failed": notifications_described(list(page)),
    })


@login_required
@require_POST
def failed_message_retry(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    notification = get_object_or_404(
        Notification.objects.failed_visible_to(request.user).select_related("recipient_user", "recipient_service"),
        pk=pk,
    )
    [described] = notifications_described([notification])
    if delivery.notification_retry(notification):
        messages.success(request, f"{described.event} to {described.recipient_in_words} is being sent again. "
                                  "If it fails again, it will come back to this list.")
    else:
        messages.info(request, "That message is already being sent again.")
    return redirect("referrals:failed_messages")


# --- Possible duplicate carers (the lead organisation) -----------------------------------------------


@login_required
@require_GET
def possible_duplicates(request: HttpRequest) -> HttpResponse:
    if not permissions.decides_duplicates(request.user):
        raise Http404
    flags = (PossibleDuplicate.objects.visible_to(request.user).open()
             .select_related("carer", "existing").order_by("created_at"))
    page = _page_of(request, flags)
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
    opened = dict(ReferralItem.objects.open().filter(carer__in=records).values_list("carer")
                  .annotate(n=Count("pk")).order_by())
    sent = dict(Referral.objects.filter(carer__in=records, status=Referral.Status.SENT).values_list("carer")
                .annotate(n=Count("pk")).order_by())
    rows = [{"carer": carer, "open": opened.get(carer.pk, 0), "sent": sent.get(carer.pk, 0)} for carer in records]
    return render(request, "referrals/possible_duplicate.html",
                  {"flag": flag, "rows": rows, "error": error}, status=status)
