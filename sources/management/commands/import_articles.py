"""Import article page dumps from files or folders: one line per file, then a summary."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sources.ingest.pipeline import SUPPORTED_SUFFIXES, process_path
from sources.ingest.types import IngestError, ProcessedArticle
from sources.models import ImportOutcome
from sources.services import (
    FileResult,
    PublisherIndex,
    articles_store,
    import_batch_finish,
    import_batch_start,
    import_file_record,
)


def expand_paths(paths: list[str]) -> tuple[list[str], list[FileResult]]:
    """Expand folders into their supported files, sorted; report what cannot be imported."""
    files: list[str] = []
    problems: list[FileResult] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                str(p)
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not p.name.startswith(".")
            )
        elif path.is_file():
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                files.append(str(path))
            else:
                problems.append(
                    FileResult(
                        raw,
                        ImportOutcome.REJECTED,
                        reason=f"{raw}: unsupported file type {path.suffix!r} (expected .txt)",
                    )
                )
        else:
            problems.append(
                FileResult(raw, ImportOutcome.REJECTED, reason=f"{raw}: no such file or folder")
            )
    return files, problems


# Articles written per transaction: each is still atomic on its own (see articles_store).
STORE_GROUP = 50


class Command(BaseCommand):
    help = "Import article page dumps (.txt files or folders of them) as articles and claims."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="Files or folders.")
        parser.add_argument(
            "--jobs",
            type=int,
            default=0,
            help="Processes that parse files in parallel (default: one per CPU for big runs).",
        )
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=settings.IMPORT_MAX_FILE_BYTES,
            help="Largest file accepted (default from IMPORT_MAX_FILE_BYTES).",
        )

    def handle(self, *args, paths, jobs, max_bytes, verbosity, **options):
        files, results = expand_paths(paths)
        if not files and not results:
            raise CommandError("No article files found in the given paths.")
        if jobs <= 0:
            jobs = min(os.cpu_count() or 1, 4) if len(files) >= 50 else 1
        batch = import_batch_start(origin="cli", by=None)
        for result in results:
            self._report(result, verbosity)
        publishers = PublisherIndex()
        pending: list[tuple[ProcessedArticle, int]] = []

        def flush() -> None:
            for result in articles_store(pending, by=None, batch=batch, publishers=publishers):
                results.append(result)
                self._report(result, verbosity)
            pending.clear()

        for name, size, outcome in self._processed(files, jobs, max_bytes):
            if isinstance(outcome, IngestError):
                flush()
                result = FileResult(name, ImportOutcome.REJECTED, reason=outcome.reason)
                results.append(import_file_record(batch, result, size))
                self._report(result, verbosity)
                continue
            pending.append((outcome, size))
            if len(pending) >= STORE_GROUP:
                flush()
        flush()
        import_batch_finish(batch=batch)
        self._summary(results)
        if any(r.outcome == ImportOutcome.REJECTED for r in results):
            sys.exit(1)

    def _processed(
        self, files: list[str], jobs: int, max_bytes: int
    ) -> Iterator[tuple[str, int, ProcessedArticle | IngestError]]:
        if jobs == 1:
            for path in files:
                yield process_path(path, max_bytes)
            return
        # Parsing is CPU-bound pure Python: fan it out, keep the database writes here.
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("forkserver")) as pool:
            yield from pool.map(process_path, files, [max_bytes] * len(files), chunksize=16)

    def _report(self, result: FileResult, verbosity: int) -> None:
        line = f"{result.name}: {result.describe()}"
        if result.outcome == ImportOutcome.REJECTED:
            self.stdout.write(self.style.ERROR(line))
        elif verbosity >= 1:
            self.stdout.write(line)

    def _summary(self, results: list[FileResult]) -> None:
        counts = {o: 0 for o in ImportOutcome.values}
        for r in results:
            counts[r.outcome] += 1
        claims = sum(r.claims_created for r in results)
        self.stdout.write(
            f"{len(results)} files: {counts['imported']} imported ({claims} claims), "
            f"{counts['duplicate']} duplicate, {counts['rejected']} rejected"
        )
