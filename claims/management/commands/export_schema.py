"""Write docs/export-schema.json, the JSON Schema of an export record, from the record's one
definition (`claims.exports.schema.RECORD`); with `--check`, only say whether the file is
what the definition generates (the test suite runs the check: a field added without
regenerating fails it).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claims.exports.schema import record_schema_text

SCHEMA_FILE = Path(settings.BASE_DIR) / "docs" / "export-schema.json"


class Command(BaseCommand):
    help = "Write docs/export-schema.json from claims/exports/schema.py (--check: compare only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; fail when the file differs from what the schema generates.",
        )
        parser.add_argument(
            "--output", "-o", default=str(SCHEMA_FILE), help="File (default: %(default)s)."
        )

    def handle(self, *args, check: bool, output: str, **options):
        path = Path(output)
        text = record_schema_text()
        if check:
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current != text:
                raise CommandError(
                    f"{path} is not what claims/exports/schema.py generates: "
                    "run `manage.py export_schema` and commit the file."
                )
            self.stdout.write(f"{path} is up to date.")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")
