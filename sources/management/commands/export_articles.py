"""Export articles as JSON Lines (default) or JSON, to stdout or a file."""

from django.core.management.base import BaseCommand

from sources.exports import iter_article_records
from workbench.jsonlines import FORMATS, write_records


class Command(BaseCommand):
    help = "Export every article (metadata and canonical text)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, default="jsonl")
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")

    def handle(self, *args, format, output, **options):
        if output:
            with open(output, "w", encoding="utf-8") as out:
                write_records(iter_article_records(), out, format)
        else:
            write_records(iter_article_records(), self.stdout, format)
