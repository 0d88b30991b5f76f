"""Tell the watchers of saved views that gained claims (an import finishing does it too)."""

from django.core.management.base import BaseCommand

from notifications.receivers import deliver, view_watchers


class Command(BaseCommand):
    help = "Check the watched saved views for new matching claims and notify their watchers."

    def handle(self, *args, **options):
        tells = view_watchers({})
        deliver(tells)
        self.stdout.write(f"{len(tells)} watched view(s) gained claims.")
