"""Lists prescriptions that may be filed under the wrong carer, for the information governance lead.

Before prescriptions kept the details they were sent with, a new prescription was linked to an existing
carer record on the same email address or phone number alone (even a phone like "n/a", which matched
every carer with no phone). Those links cannot be checked now — what was typed was not kept — so each
is listed for review as a possible breach (issue: a referral filed under another carer). Prescriptions
sent since are also checked: the details given on each must still be a strong match for its record,
unless a person confirmed the records were one person.

Prints references and record ids only, never names or contact details: open each in the app.
"""

from __future__ import annotations

import csv

from django.core.management.base import BaseCommand

from referrals.identity import Identity, Strength, compare
from referrals.models import Prescription


class Command(BaseCommand):
    help = "List prescriptions linked to a carer record on a weak match, for review as a possible breach."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--csv", action="store_true", dest="as_csv",
                            help="Write CSV (for a spreadsheet) instead of a table.")

    def handle(self, *args, as_csv: bool = False, **options) -> None:
        rows = list(self._suspect())
        if as_csv:
            self._write_csv(rows)
            return
        if not rows:
            self.stdout.write(self.style.SUCCESS("No prescription is linked to a carer record on a weak match."))
            return
        self.stdout.write(f"{len(rows)} prescription{'s' if len(rows) != 1 else ''} to review:\n")
        self.stdout.write(f"{'Reference':<11}{'Sent':<12}{'Referring organisation':<40}{'Carer record':<38}Why")
        for row in rows:
            self.stdout.write(f"{row[0]:<11}{row[1]:<12}{row[2][:38]:<40}{row[3]:<38}{row[4]}")

    def _suspect(self):
        prescriptions = (
            Prescription.objects.filter(status=Prescription.Status.SENT, carer__isnull=False)
            .exclude(carer_link=Prescription.CarerLink.MERGED)
            .select_related("carer", "referring_organisation").order_by("sent_at")
        )
        for prescription in prescriptions.iterator(chunk_size=500):
            why = self._why(prescription)
            if why:
                yield (prescription.reference, f"{prescription.sent_at:%Y-%m-%d}",
                       prescription.referring_organisation.name, str(prescription.carer_id), why)

    @staticmethod
    def _why(prescription: Prescription) -> str:
        if prescription.carer_link == Prescription.CarerLink.LEGACY:
            return ("linked to an existing record under the old rule (email or phone alone was enough); "
                    "the details typed were not kept")
        given = Identity.of(first_name=prescription.carer_first_name, last_name=prescription.carer_last_name,
                            date_of_birth=prescription.carer_date_of_birth, postcode=prescription.carer_postcode)
        if compare(given, Identity.of_carer(prescription.carer)).strength is not Strength.STRONG:
            return "the name, date of birth or postcode given do not match the record it is filed under"
        return ""

    def _write_csv(self, rows) -> None:
        writer = csv.writer(self.stdout)
        writer.writerow(["reference", "sent", "referring_organisation", "carer_record", "why"])
        writer.writerows(rows)
