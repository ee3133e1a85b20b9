"""Prescriptions and referrals under their product names: the data written before the rename is kept,
and the addresses in emails already sent still lead to the right page (for the right person only)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from partnership.notifications.models import Notification
from referrals.models import Prescription

pytestmark = pytest.mark.django_db


def test_an_old_prescription_address_from_an_email_leads_to_the_prescription(client, personas, sent_prescription):
    client.force_login(personas.referrer)
    response = client.get(f"/referrals/{sent_prescription.reference}/", follow=True)
    assert response.redirect_chain[0] == (reverse("referrals:prescription", args=[sent_prescription.reference]), 301)
    assert response.status_code == 200
    assert response.context["prescription"] == sent_prescription


def test_an_old_inbox_address_from_an_email_leads_to_the_referral(client, personas, sent_prescription):
    referral = sent_prescription.referrals.get(service__organisation=personas.charity)
    client.force_login(personas.coordinator)
    response = client.get(f"/inbox/items/{referral.pk}/", follow=True)
    assert response.redirect_chain[0] == (reverse("referrals:referral", args=[referral.pk]), 301)
    assert response.context["referral"] == referral


def test_the_old_list_address_keeps_its_filter(client, personas, sent_prescription):
    client.force_login(personas.referrer)
    response = client.get("/referrals/?show=attention")
    assert response.status_code == 301 and response["Location"] == reverse("referrals:mine") + "?show=attention"


@pytest.mark.parametrize("who", ["outsider", "another carer", "anonymous"])
def test_an_old_address_still_refuses_whoever_may_not_see_the_page(client, personas, carers, sent_prescription, who):
    signed_in = {"outsider": personas.outsider, "another carer": carers.other}.get(who)
    if signed_in:
        client.force_login(signed_in)
    response = client.get(f"/referrals/{sent_prescription.reference}/", follow=True)
    if signed_in:
        assert response.status_code == 404
    else:
        assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_the_carer_it_is_about_follows_an_old_address_to_her_own_view_not_the_staff_page(
        client, carers, sent_prescription):
    client.force_login(carers.margaret)
    response = client.get(f"/referrals/{sent_prescription.reference}/", follow=True)
    assert response.status_code == 200
    assert "referrals/prescription.html" not in [t.name for t in response.templates]
    assert sent_prescription.reference in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_rename_migration_keeps_every_row_and_the_ids_outbox_rows_carry(personas):
    """Written under the old names (0005), read under the new ones: same rows, same links, and the ids an
    outbox row carries filed under the names the code reads. Event keys and template names are kept."""
    before = [("referrals", "0005_backfill_prescription_carer_details")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        written = _write_under_the_old_names(executor.loader.project_state(before).apps, personas)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    prescription, carer, service, item, notification, told_carer = written
    kept = Prescription.objects.get(pk=prescription.pk)
    assert kept.reference == "ACDE-FGHJ" and kept.carer_id == carer.pk
    referral = kept.referrals.get()
    assert referral.pk == item.pk and referral.service_id == service.pk
    assert kept.events.get().referral_id == item.pk
    routed = Notification.objects.get(pk=notification.pk)
    assert routed.event_key == f"item-routed:{item.pk}" and routed.template == "item_routed"
    assert routed.context == {"referral": str(item.pk), "service": str(service.pk)}
    told = Notification.objects.get(pk=told_carer.pk)
    assert told.context == {"prescription": str(prescription.pk)}


def _write_under_the_old_names(old, personas):
    partnership = old.get_model("partnership", "Partnership").objects.get(pk=personas.charity.memberships.first()
                                                                          .partnership_id)
    organisation_id = personas.charity.pk
    service = old.get_model("organisations", "Service").objects.create(
        organisation_id=organisation_id, name="Old breaks")
    carer = old.get_model("referrals", "Carer").objects.create(
        partnership=partnership, first_name="Ann", last_name="Old", date_of_birth="1960-01-01",
        postcode="GU1 1AA", district="GU1")
    prescription = old.get_model("referrals", "Referral").objects.create(
        partnership=partnership, carer=carer, referring_organisation_id=organisation_id, status="sent",
        reference="ACDE-FGHJ")
    item = old.get_model("referrals", "ReferralItem").objects.create(referral=prescription, service=service,
                                                                      carer=carer)
    old.get_model("referrals", "ReferralEvent").objects.create(referral=prescription, item=item, kind="routed")
    notification = old.get_model("referrals", "Notification").objects.create(
        partnership=partnership, event_key=f"item-routed:{item.pk}", recipient_key="service:1", channel="email",
        template="item_routed", context={"item": str(item.pk), "service": str(service.pk)})
    told_carer = old.get_model("referrals", "Notification").objects.create(
        partnership=partnership, event_key=f"prescription-sent:{prescription.pk}", recipient_key="carer:1",
        channel="sms", template="prescription_sent", context={"referral": str(prescription.pk)})

    return prescription, carer, service, item, notification, told_carer


def test_a_form_left_open_across_the_rename_posts_on_to_the_new_address(client, personas, sent_prescription):
    """A page loaded before the deploy posts to the old address: sent on with a 308, which browsers repeat
    as the same POST; the new address still checks who may act."""
    referral = sent_prescription.referrals.get(service__organisation=personas.charity)
    response = client.post(f"/inbox/items/{referral.pk}/accept/")
    assert response.status_code == 308
    assert response["Location"] == reverse("referrals:referral_action", args=[referral.pk, "accept"])
    client.force_login(personas.outsider)
    assert client.post(response["Location"]).status_code == 404
    client.force_login(personas.coordinator)
    client.post(response["Location"])
    referral.refresh_from_db()
    assert referral.status == "accepted"


def test_messages_queued_under_the_tasks_old_names_are_passed_on_not_refused(monkeypatch):
    from partnership.celery import app
    from partnership.notifications import tasks as notification_tasks
    from referrals import tasks  # noqa: F401 — registers the old names

    passed_on = []
    monkeypatch.setattr(notification_tasks.send_notification, "delay", passed_on.append)
    app.tasks["referrals.send_notification"].run("7b8c1f0e-0000-4000-8000-000000000001")
    assert passed_on == ["7b8c1f0e-0000-4000-8000-000000000001"]
    for name in ("referrals.send_notifications", "referrals.relay_pending_notifications",
                 "referrals.send_daily_digests"):
        assert name in app.tasks
