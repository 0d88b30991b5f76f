"""E-mail each daily-digest user the notifications they were not e-mailed yet (run daily)."""

from django.core.management.base import BaseCommand

from notifications.services import digest_send


class Command(BaseCommand):
    help = "E-mail the daily digest of notifications to the users who chose it."

    def handle(self, *args, **options):
        sent = digest_send()
        self.stdout.write(f"{sent} digest e-mail(s) sent.")
