"""python manage.py import_oruk PATH_OR_URL --partnership SLUG: load an Open Referral UK feed into a directory."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from organisations.oruk.importing import SourceError, import_feed
from partnership.models import Partnership


class Command(BaseCommand):
    help = (
        "Import an Open Referral UK (HSDS 3.0) feed into a partnership's directory: a JSON response, a folder of "
        "them, a tabular data package (a folder of CSV tables) or the http(s) address of an ORUK API. Bad records "
        "are reported and skipped; the command fails only when the source cannot be read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="A JSON file, a folder of JSON or CSV files, or an http(s) feed address")
        parser.add_argument("--partnership", required=True, help="The slug of the partnership to import into")
        parser.add_argument("--timeout", type=float, default=30.0, help="Seconds to wait for each http response")

    def handle(self, *args, source: str, partnership: str, timeout: float, **options) -> None:
        target = Partnership.objects.filter(slug=partnership).first()
        if target is None:
            raise CommandError(f"There is no partnership with the slug {partnership!r}")
        try:
            report = import_feed(source=source, partnership=target, timeout=timeout)
        except SourceError as exc:
            raise CommandError(f"Could not read the feed: {exc}") from exc
        for line in report.summary_lines():
            self.stdout.write(line)
