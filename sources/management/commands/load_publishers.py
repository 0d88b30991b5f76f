"""Load publisher registry files (CSV, JSON, JSON Lines) into the registry, all or nothing."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sources.registry_load import RegistryLoadError, registry_load


class Command(BaseCommand):
    help = (
        "Create or complete publishers from registry files; merges aliases and domains, fills "
        "only empty fields, never touches a publisher's locked fields. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="CSV, .json or .jsonl files")

    def handle(self, *args, paths, **options):
        try:
            with transaction.atomic():
                counts = registry_load(paths)
        except RegistryLoadError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{counts['rows']} rows read, {counts['created']} publishers created, "
            f"{counts['changed']} changed"
        )
