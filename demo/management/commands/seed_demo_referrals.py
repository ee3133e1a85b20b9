from django.core.management.base import BaseCommand, CommandError

from demo.prescriptions import seed_prescriptions
from partnership.models import Partnership


class Command(BaseCommand):
    help = "Add demo carers and prescriptions in every state to the demo partnership (after seed_demo)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--partnership", default="surrey")

    def handle(self, *args, partnership: str, **options) -> None:
        found = Partnership.objects.filter(slug=partnership).first()
        if found is None:
            raise CommandError(f"No partnership '{partnership}': run seed_demo first")
        made = seed_prescriptions(partnership=found)
        self.stdout.write(f"Demo prescriptions: {made} created" if made else "Demo prescriptions already exist.")
