"""Import an Open Referral UK (HSDS 3.0) feed into a partnership's directory.

Entry point: ``import_feed(source=..., partnership=...) -> ImportReport``. The source may be a JSON response
(a service, an organisation with its services, a page envelope, a list), a folder of such responses, a tabular
data package (a folder of CSV tables, with or without ``datapackage.json``) or the http(s) address of an ORUK API.

It works in two steps. Reading (``sources``, into a ``feed.Feed``) turns whatever came in into one record per
HSDS object (taxonomy, taxonomy term, organisation, location, service), keyed by the feed's UUID and remembering
where it came from (``services.csv line 3``, ``service_full.json $.service_at_locations[0].location``). Writing
(``writer``) then saves them, in dependency order, each in its own savepoint: a record that fails is reported
(``report``) with its place and reason and leaves no rows, and the others carry on. ``values`` cleans single
values, without the database.
"""

from __future__ import annotations

from pathlib import Path

from partnership.models import Partnership

from .feed import Feed
from .report import ImportReport, Problem
from .sources import SourceError, read_feed
from .values import ImportProblem
from .writer import write_feed

__all__ = ["Feed", "ImportProblem", "ImportReport", "Problem", "SourceError", "import_feed", "read_feed", "write_feed"]


def import_feed(*, source: str | Path, partnership: Partnership, timeout: float = 30.0) -> ImportReport:
    """Read an Open Referral UK feed and bring the partnership's directory up to date with it.

    Raises SourceError when the source cannot be read at all; a bad record is reported and skipped.
    """
    feed = read_feed(source, timeout=timeout)
    report = ImportReport(source=str(source), partnership=partnership.name)
    return write_feed(feed, partnership, report)
