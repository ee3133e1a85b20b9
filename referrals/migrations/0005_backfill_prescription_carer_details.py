"""Each prescription keeps the carer's details it was sent with; carers' phones are stored in E.164.

Prescriptions sent before this change kept no copy of what was typed: they get their carer record's
details (the best there is), and every one but the first of each carer is marked LEGACY — it may have
been linked to that record on an email or phone alone (`manage.py list_weak_carer_links`).
"""

from django.db import migrations


def _e164(value: str) -> str:
    import phonenumbers

    try:
        number = phonenumbers.parse(value or "", "GB")
    except phonenumbers.NumberParseException:
        return value or ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def forwards(apps, schema_editor):
    Carer = apps.get_model("referrals", "Carer")
    Referral = apps.get_model("referrals", "Referral")
    for carer in Carer.objects.exclude(phone="").iterator():
        phone = _e164(carer.phone)
        if phone != carer.phone:
            Carer.objects.filter(pk=carer.pk).update(phone=phone)
    first_of = {}
    sent = Referral.objects.filter(status="sent", carer__isnull=False).select_related("carer").order_by(
        "sent_at", "created_at")
    for referral in sent.iterator():
        carer = referral.carer
        link = "new" if carer.pk not in first_of else "legacy"
        first_of.setdefault(carer.pk, referral.pk)
        Referral.objects.filter(pk=referral.pk).update(
            carer_link=link,
            carer_first_name=carer.first_name, carer_last_name=carer.last_name,
            carer_date_of_birth=carer.date_of_birth, carer_postcode=carer.postcode, carer_phone=carer.phone,
            carer_email=carer.email, carer_preferred_contact=carer.preferred_contact,
            carer_language=carer.language, carer_needs_interpreter=carer.needs_interpreter,
            carer_accessibility_needs=carer.accessibility_needs,
        )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0004_prescriptions_keep_carer_details")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
