"""Time routing over the directory: `manage.py benchmark_routing [--scale 10]`.

A benchmark, not a test: it prints the median and 95th percentile of loading the directory snapshot
and routing a typical prescription. With --scale N it first copies every listed service N-1 more times
inside a transaction that is rolled back, so nothing is left behind.
"""

from __future__ import annotations

import statistics
import time
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from organisations.models import Service, ServiceAtLocation, TaxonomyTerm
from partnership.models import Partnership
from referrals.routing import circumstances_for, load_directory, needs_for, route


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time routing a typical prescription over the directory (optionally scaled up)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--partnership", default="surrey")
        parser.add_argument("--scale", type=int, default=1, help="Multiply the directory by this factor")
        parser.add_argument("--runs", type=int, default=50)
        parser.add_argument("--district", default="GU1")
        parser.add_argument("--needs", default="breaks,emotional-support", help="Need codes, comma-separated")

    def handle(self, *args, partnership: str, scale: int, runs: int, district: str, needs: str, **options):
        found = Partnership.objects.filter(slug=partnership).first()
        if found is None:
            raise CommandError(f"No partnership '{partnership}': run seed_demo first")
        try:
            with transaction.atomic():
                if scale > 1:
                    self._scale(found, scale)
                self._measure(found, runs, district, needs.split(","))
                raise Rollback
        except Rollback:
            pass

    def _scale(self, partnership: Partnership, factor: int) -> None:
        originals = list(Service.objects.listed(partnership))
        needs = Service.needs.through.objects.filter(service__in=originals).values_list("service_id", "taxonomyterm_id")
        areas = Service.service_area_districts.through.objects.filter(service__in=originals).values_list(
            "service_id", "postcodedistrict_id")
        groups = Service.condition_groups.through.objects.filter(service__in=originals).values_list(
            "service_id", "conditiongroup_id")
        places = ServiceAtLocation.objects.filter(service__in=originals).values_list("service_id", "location_id")
        needs, areas, groups, places = list(needs), list(areas), list(groups), list(places)
        for copy in range(1, factor):
            mapping = {}
            clones = []
            for service in originals:
                clone = Service(**{f.attname: getattr(service, f.attname) for f in Service._meta.concrete_fields})
                clone.id = uuid.uuid4()
                clone.name = f"{service.name} ({copy + 1})"
                mapping[service.pk] = clone.id
                clones.append(clone)
            Service.objects.bulk_create(clones, batch_size=1000)
            Service.needs.through.objects.bulk_create(
                [Service.needs.through(service_id=mapping[s], taxonomyterm_id=t) for s, t in needs], batch_size=5000)
            Service.service_area_districts.through.objects.bulk_create(
                [Service.service_area_districts.through(service_id=mapping[s], postcodedistrict_id=d)
                 for s, d in areas], batch_size=5000)
            Service.condition_groups.through.objects.bulk_create(
                [Service.condition_groups.through(service_id=mapping[s], conditiongroup_id=g) for s, g in groups],
                batch_size=5000)
            ServiceAtLocation.objects.bulk_create(
                [ServiceAtLocation(service_id=mapping[s], location_id=loc) for s, loc in places], batch_size=5000)
        if connection.vendor == "postgresql":
            # Fresh statistics, as autovacuum would keep them: without them the planner guesses one row.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"Directory scaled to {Service.objects.listed(partnership).count()} listed services")

    def _measure(self, partnership: Partnership, runs: int, district: str, codes: list[str]) -> None:
        terms = list(TaxonomyTerm.objects.needs_of(partnership).filter(code__in=codes))
        if not terms:
            raise CommandError(f"No needs with codes {codes}")
        timings = []
        result = None
        for _ in range(runs):
            started = time.perf_counter()
            needs = needs_for(terms)
            circumstances = circumstances_for(partnership=partnership, age=55, young_carer=False,
                                              condition_group="dementia", district=district)
            directory = load_directory(partnership=partnership, needs=needs, circumstances=circumstances)
            result = route(circumstances=circumstances, needs=needs, directory=directory)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
        self.stdout.write(
            f"Routing {', '.join(codes)} in {district} over {Service.objects.listed(partnership).count()} services: "
            f"{len(result.matches)} matches, {len(result.unmet_needs)} unmet; "
            f"median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms over {runs} runs"
        )
