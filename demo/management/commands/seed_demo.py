"""`manage.py seed_demo`: the demo partnership, its members and services, an account per role, then its
carers and prescriptions in every state."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from demo.directory import DEMO_PASSWORD, DEMO_SLUG, demo_exists, demo_seed
from demo.prescriptions import seed_prescriptions


class Command(BaseCommand):
    help = (
        "Create the demo Surrey Carers Partnership: over 120 members, over 300 services and a demo account "
        "per role. Safe to run again: it brings the demo back to its seeded state without duplicating."
    )

    def add_arguments(self, parser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--if-empty", action="store_true",
                          help="Do nothing if the demo partnership already exists (for `make run`).")
        mode.add_argument("--reset", action="store_true",
                          help="Delete the demo partnership's data and the demo accounts, then create them again.")

    def handle(self, *args, if_empty: bool, reset: bool, **options) -> None:
        if if_empty and demo_exists():
            self.stdout.write(f"The demo partnership ({DEMO_SLUG}) already exists: nothing to do.")
            return
        started = time.perf_counter()
        summary = demo_seed(reset=reset)
        made = seed_prescriptions(partnership=summary.partnership)
        self.stdout.write(f"Demo prescriptions: {made} created")
        elapsed = time.perf_counter() - started
        for line in summary.lines:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {elapsed:.1f}s."))
        self.stdout.write(f"\nDemo accounts (password: {DEMO_PASSWORD}):")
        width = max(len(account.email) for account in summary.accounts)
        for account in summary.accounts:
            self.stdout.write(f"  {account.email:<{width}}  {account.role}")
