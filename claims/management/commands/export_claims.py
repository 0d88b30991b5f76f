"""Export the claims that belong in triage (chrome excluded) as JSON Lines or JSON."""

from django.core.management.base import BaseCommand

from claims.exports import iter_claim_records
from claims.models import Claim
from workbench.jsonlines import FORMATS, write_records


class Command(BaseCommand):
    help = "Export every claim that belongs in triage (page chrome excluded)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, default="jsonl")
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")
        parser.add_argument("--article", type=int, action="append", help="Only this article id.")
        parser.add_argument("--status", action="append", help="Only claims with this status.")

    def handle(self, *args, format, output, article, status, **options):
        queryset = Claim.objects.all()
        if article:
            queryset = queryset.filter(article_id__in=article)
        if status:
            queryset = queryset.filter(status__in=status)
        records = iter_claim_records(queryset)
        if output:
            with open(output, "w", encoding="utf-8") as out:
                write_records(records, out, format)
        else:
            write_records(records, self.stdout, format)
