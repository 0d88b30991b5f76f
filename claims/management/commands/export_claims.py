"""Export claims (page chrome excluded) as CSV, JSON Lines, JSON or ClaimReview JSON-LD.

Filters are the triage queue's (`--status`, `--kind`, `--publisher`, `--article`, `--assignee`,
`--evidence`, `--credibility`, `--q`), read by the same parser; unlike the queue, every status
is exported unless `--status` is given. Records follow docs/export-schema.json. Each run that
completes is recorded as an ExportRecord (origin "cli"); a filter matching nothing writes the
format's empty file (CSV its header, JSON `[]`).
"""

import os
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from claims.exports import (
    FORMATS,
    Export,
    export_queryset,
    filter_params,
    recorded_stream,
)
from claims.triage import EVIDENCE_FILTERS, parse_filters


class Command(BaseCommand):
    help = "Export the claims that belong in triage (page chrome excluded)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=list(FORMATS), default="jsonl")
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")
        parser.add_argument(
            "--plain",
            action="store_true",
            help="Per-claim columns only (no context, evidence, ratings, notes): much faster.",
        )
        parser.add_argument("--bom", action="store_true", help="CSV: start with a UTF-8 BOM.")
        parser.add_argument("--no-notes", action="store_true", help="Leave reviewers' notes out.")
        parser.add_argument("--status", action="append", help="Only this status (repeatable).")
        parser.add_argument("--kind", action="append", help="Only this kind (repeatable).")
        parser.add_argument("--publisher", type=int, help="Only articles of this publisher id.")
        parser.add_argument("--article", type=int, action="append", help="Only this article id.")
        parser.add_argument("--assignee", help="none, or a user id (mine needs --user).")
        parser.add_argument("--evidence", choices=list(EVIDENCE_FILTERS))
        parser.add_argument(
            "--credibility",
            choices=[*map(str, range(1, 7)), "none"],
            help="Only this credibility, or none: not rated yet.",
        )
        parser.add_argument("--q", help="Search the claim text, as the queue does.")
        parser.add_argument("--user", help="Username recorded as the exporter.")
        parser.add_argument(
            "--base-url",
            default=os.environ.get("SITE_URL", "http://localhost:8000"),
            help="Site URL used in ClaimReview links (default: $SITE_URL or localhost).",
        )

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        params = QueryDict(mutable=True)
        params.setlist("status", options["status"] or ["all"])
        params.setlist("kind", options["kind"] or [])
        articles = options["article"] or []
        for name in ("publisher", "assignee", "evidence", "credibility", "q"):
            if options[name] not in (None, ""):
                params[name] = str(options[name])
        if len(articles) == 1:
            params["article"] = str(articles[0])
        filters = parse_filters(params)
        if filters.errors:
            raise CommandError(" ".join(filters.errors))
        if filters.assignee == "mine" and user is None:
            raise CommandError("--assignee mine needs --user.")
        include_notes = not options["no_notes"]
        export = Export(
            export_queryset(filters, user, article_ids=articles if len(articles) > 1 else ()),
            options["format"],
            detail="plain" if options["plain"] else "full",
            include_notes=include_notes,
            bom=options["bom"],
            base_url=options["base_url"].rstrip("/"),
        )
        stored = filter_params(filters)
        if len(articles) > 1:
            stored["article"] = [str(a) for a in articles]
        # Recorded once the last chunk was written: a failed export leaves no ExportRecord.
        chunks = recorded_stream(
            export,
            user=user,
            fmt=options["format"] + ("-plain" if options["plain"] else ""),
            filters=stored,
            include_notes=include_notes and not options["plain"],
            origin="cli",
        )
        if options["output"]:
            self._write_file(options["output"], chunks)
            # Only with -o: standard output carries the export itself.
            sys.stderr.write(
                f"{export.tally.count} claims exported to {options['output']} "
                f"(sha256 {export.tally.hexdigest})\n"
            )
        else:
            self._write_stdout(chunks)

    def _write_file(self, output: str, chunks) -> None:
        """The export's UTF-8 bytes as they are (CSV keeps its \\r\\n line ends), written
        beside `output` and renamed over it once complete: a failed export leaves no half
        file (and an older file of that name as it was). A device or pipe (`-o /dev/stdout`)
        is written to directly."""
        target = Path(output)
        if target.exists() and not target.is_file():
            with open(target, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
            return
        part = target.with_name(target.name + ".part")
        try:
            with open(part, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
            os.replace(part, output)
        finally:
            part.unlink(missing_ok=True)

    def _write_stdout(self, chunks) -> None:
        """The export's bytes to standard output: straight to its binary buffer when it has
        one (a pipe or a redirected file), as text otherwise (call_command's StringIO)."""
        binary = getattr(self.stdout._out, "buffer", None)
        if binary is not None:
            self.stdout.flush()
            for chunk in chunks:
                binary.write(chunk)
            binary.flush()
        else:
            for chunk in chunks:
                self.stdout.write(chunk.decode(), ending="")
            self.stdout.flush()
