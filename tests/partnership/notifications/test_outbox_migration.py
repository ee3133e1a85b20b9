"""The outbox moved from referrals to the core with every row, each keeping its recipient."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from organisations.models import Service
from partnership.notifications.messages import notifications_described
from partnership.notifications.models import Notification
from referrals.models import Carer

# Migrating referrals back to 0006 unmigrates the core's notifications/0001 too: it depends on 0007.
BEFORE = [("referrals", "0006_rename_prescription_and_referral")]


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_every_row_and_its_recipient(personas):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        written = _write_before_the_move(executor.loader.project_state(BEFORE).apps, personas)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    carer_id, service_id, to_carer, to_service, to_user = written

    assert Notification.objects.count() == 3
    carer, service = Carer.objects.get(pk=carer_id), Service.objects.get(pk=service_id)
    told_carer = Notification.objects.addressed_to(carer).get()
    assert told_carer.pk == to_carer and told_carer.recipient_object == carer
    assert told_carer.recipient_key == f"carer:{carer.pk}" and told_carer.status == Notification.Status.FAILED
    told_service = Notification.objects.addressed_to(service).get()
    assert told_service.pk == to_service and told_service.recipient_object == service
    told_user = Notification.objects.addressed_to(personas.coordinator).get()
    assert told_user.pk == to_user and told_user.recipient_type is None and told_user.recipient_id == ""

    # The failed-messages page still says whom each was for.
    rows = list(Notification.objects.select_related("recipient_user").order_by("created_at"))
    named = {line.notification.pk: line for line in notifications_described(rows, recipients=True)}
    assert named[to_carer].recipient_in_words == "The carer on prescription ACDE-FGHJ"
    assert named[to_carer].personal
    assert named[to_service].recipient.name == "Moved breaks referral inbox"
    assert named[to_service].recipient.address == "inbox@moved.example"
    assert named[to_user].recipient.name == personas.coordinator.display_name

    # And a repeat of an event written before the move is still refused, as once-only keys require.
    assert Notification.objects.filter(event_key=f"prescription-sent:{told_carer.context['prescription']}",
                                       recipient_key=f"carer:{carer.pk}", channel="sms").count() == 1


def _write_before_the_move(old, personas):
    partnership = old.get_model("partnership", "Partnership").objects.get(
        pk=personas.charity.memberships.first().partnership_id)
    organisation_id = personas.charity.pk
    service = old.get_model("organisations", "Service").objects.create(
        organisation_id=organisation_id, name="Moved breaks", referral_email="inbox@moved.example")
    carer = old.get_model("referrals", "Carer").objects.create(
        partnership=partnership, first_name="Ann", last_name="Moved", date_of_birth="1960-01-01",
        postcode="GU1 1AA", district="GU1")
    prescription = old.get_model("referrals", "Prescription").objects.create(
        partnership=partnership, carer=carer, referring_organisation_id=organisation_id, status="sent",
        reference="ACDE-FGHJ", carer_phone="+447700900123")
    referral = old.get_model("referrals", "Referral").objects.create(prescription=prescription, service=service,
                                                                      carer=carer)
    Notification = old.get_model("referrals", "Notification")
    to_carer = Notification.objects.create(
        partnership=partnership, event_key=f"prescription-sent:{prescription.pk}", recipient_key=f"carer:{carer.pk}",
        recipient_carer=carer, channel="sms", template="prescription_sent", status="failed",
        context={"prescription": str(prescription.pk)})
    to_service = Notification.objects.create(
        partnership=partnership, event_key=f"item-routed:{referral.pk}", recipient_key=f"service:{service.pk}",
        recipient_service=service, channel="email", template="item_routed", status="failed",
        context={"referral": str(referral.pk), "service": str(service.pk)})
    to_user = Notification.objects.create(
        partnership=partnership, event_key=f"item-routed:{referral.pk}",
        recipient_key=f"user:{personas.coordinator.pk}", recipient_user_id=personas.coordinator.pk,
        channel="in_app", template="item_routed", context={"referral": str(referral.pk)})
    return carer.pk, service.pk, to_carer.pk, to_service.pk, to_user.pk
