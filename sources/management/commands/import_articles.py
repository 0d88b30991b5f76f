"""Import article files or folders (.txt, .html/.htm, .zip): one line per file, then a summary.

On a terminal a progress bar replaces the per-file lines (rejections are still printed);
piped or redirected, the output is one line per file and the summary, as before.

`--manifest FILE` (CSV or JSON Lines, sources/ingest/manifest.py) gives files their URL,
publisher, origin, date, byline, title or language, over what the pages say; a
`manifest.csv` or `manifest.jsonl` at the root of a zip does the same for the zip's entries.
A bad manifest row refuses its file with the reason; a row whose file is not imported, and
columns the workbench does not read, are warned about.
"""

from __future__ import annotations

import os
import sys
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from itertools import islice
from multiprocessing import get_context
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError

from sources.ingest.archive import ArchiveError, entries_with_manifest, open_zip
from sources.ingest.manifest import (
    Manifest,
    ManifestError,
    ManifestRow,
    apply_manifest,
    normalise_path,
    parse_manifest,
)
from sources.ingest.pipeline import content_type_for, process_job
from sources.ingest.types import IngestError, ProcessedArticle
from sources.models import ImportOutcome
from sources.registry import PublisherRegistry
from sources.services import (
    FileResult,
    articles_store,
    import_batch_finish,
    import_batch_start,
    import_file_record,
    import_limits,
)

# What a path may be: files without a suffix are read as plain-text dumps.
SUPPORTED_SUFFIXES = frozenset({".txt", ".text", "", ".html", ".htm", ".zip"})

Job = tuple[str, str, str | bytes]  # (name, content type, path or bytes)


def _kind(path: Path) -> str:
    return content_type_for(path.name) or "txt"


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
                        reason=(
                            f"{raw}: unsupported file type {path.suffix!r} "
                            "(expected .txt, .html, .htm or .zip)"
                        ),
                    )
                )
        else:
            problems.append(
                FileResult(raw, ImportOutcome.REJECTED, reason=f"{raw}: no such file or folder")
            )
    return files, problems


# Articles written per transaction: each is still atomic on its own (see articles_store).
STORE_GROUP = 50
# Jobs handed to the process pool at a time (bounds the zip entries held in memory).
POOL_CHUNK = 256


class Progress:
    """A one-line progress bar, redrawn in place (only used on a terminal)."""

    WIDTH = 30

    def __init__(self, out, total: int) -> None:
        self.out = out
        self.total = max(total, 1)
        self.done = 0
        self.rejected = 0

    def step(self, result: FileResult) -> None:
        self.done += 1
        self.rejected += result.outcome == ImportOutcome.REJECTED
        self.draw()

    def draw(self) -> None:
        filled = min(self.WIDTH, self.WIDTH * self.done // self.total)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.out.write(
            f"\r[{bar}] {self.done}/{self.total} files, {self.rejected} rejected", ending=""
        )
        self.out.flush()

    def clear(self) -> None:
        self.out.write("\r\x1b[K", ending="")


class Command(BaseCommand):
    help = (
        "Import article files (.txt page dumps, .html/.htm saved pages, .zip archives of them, "
        "or folders) as articles and claims."
    )

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
        parser.add_argument(
            "--manifest",
            metavar="FILE",
            help=(
                "CSV (with a header row) or JSON Lines file: a 'file' column (name, or path "
                "relative to the manifest) and any of url, publisher (or outlet), origin (whose "
                "text it is), published (or date), byline (or author), title, language. Its "
                "values win over what the pages say; other columns are ignored, with a warning."
            ),
        )
        parser.add_argument(
            "--no-cluster",
            action="store_true",
            help="Leave new articles out of syndication clusters (run cluster_articles later).",
        )

    def handle(self, *args, **options):
        try:
            self._import(**options)
        except (OperationalError, InterfaceError) as exc:
            # Each article is atomic: what was stored is whole, the rest is not there at all.
            raise CommandError(
                f"the database became unavailable ({str(exc).strip().splitlines()[0]}); "
                "every article stored so far is complete — run the same command again to "
                "import the rest (stored articles are reported as duplicates)."
            ) from exc

    def _import(self, *, paths, jobs, max_bytes, verbosity, no_cluster, manifest=None, **options):
        files, results = expand_paths(paths)
        if not files and not results:
            raise CommandError("No article files found in the given paths.")
        self.manifest = _read_manifest(manifest) if manifest else None
        self.manifest_dir = Path(manifest).resolve().parent if manifest else None
        self.used: set[int] = set()  # rows of --manifest that found their file
        self.rows: dict[str, dict] = {}  # job name -> the manifest values to apply
        total = len(results) + sum(_count_entries(f) for f in files)
        if jobs <= 0:
            jobs = min(os.cpu_count() or 1, 4) if total >= 50 else 1
        self.progress = Progress(self.stdout, total) if self.stdout.isatty() else None
        batch = import_batch_start(origin="cli", by=None)
        for result in results:
            self._report(result, verbosity)
        publishers = PublisherRegistry.load()
        pending: list[tuple[ProcessedArticle, int]] = []

        def flush() -> None:
            for result in articles_store(pending, by=None, batch=batch, publishers=publishers):
                results.append(result)
                self._report(result, verbosity)
            pending.clear()

        def reject(name: str, size: int, reason: str) -> None:
            flush()
            result = FileResult(name, ImportOutcome.REJECTED, reason=reason)
            results.append(import_file_record(batch, result, size))
            self._report(result, verbosity)

        if self.manifest is not None:
            if self.manifest.notice():
                self.stdout.write(self.style.WARNING(self.manifest.notice()))
            for problem in self.manifest.problems:
                reject(manifest, 0, problem)
        for name, size, outcome in self._processed(
            self._jobs(files, max_bytes, reject), jobs, max_bytes
        ):
            if isinstance(outcome, IngestError):
                reject(name, size, outcome.reason)
                continue
            if name in self.rows:
                apply_manifest(outcome.meta, self.rows.pop(name))
            pending.append((outcome, size))
            if len(pending) >= STORE_GROUP:
                flush()
        flush()
        if self.manifest is not None:
            for row in self.manifest.rows.values():
                if row.row not in self.used:
                    self.stdout.write(
                        self.style.WARNING(
                            f"{manifest} row {row.row}: {row.file!r} is not among the files "
                            "imported (nothing applied)"
                        )
                    )
        import_batch_finish(batch=batch, cluster=not no_cluster)
        if self.progress is not None:
            self.progress.clear()
        self._summary(results)
        if any(r.outcome == ImportOutcome.REJECTED for r in results):
            sys.exit(1)

    def _jobs(self, files: list[str], max_bytes: int, reject) -> Iterator[Job]:
        """One job per article file; zips are unpacked here, their refusals reported.

        A file with a bad manifest row is refused here, unread; a good row is kept in
        `self.rows` for its job's result (applied after parsing, so it wins).
        """
        limits = replace(import_limits(), max_file_bytes=max_bytes)
        for path in files:
            kind = _kind(Path(path))
            if kind != "zip":
                if self._take_row(path, self._cli_row(path), reject):
                    yield (path, kind, path)
                continue
            try:
                entries = open_zip(path, name=path, limits=limits)
            except ArchiveError as exc:
                reject(path, Path(path).stat().st_size, exc.reason)
                continue
            notices: list[str] = []
            for entry, row in entries_with_manifest(entries, name=path, notices=notices):
                for notice in notices:
                    self.stdout.write(self.style.WARNING(notice))
                notices.clear()
                if entry.rejected:
                    reject(entry.name, entry.size, entry.reason)
                    continue
                if row:  # the zip's own manifest
                    self.rows[entry.name] = row
                elif not self._take_row(
                    entry.name, self._cli_row(path, entry.name[len(path) + 1 :]), reject, entry.size
                ):
                    continue
                yield (entry.name, entry.content_type, entry.data or b"")

    def _cli_row(self, path: str, inner: str = "") -> ManifestRow | None:
        """The --manifest row of a file (or of a zip's entry), by its path from the manifest."""
        if self.manifest is None:
            return None
        relative = os.path.relpath(Path(path).resolve(), self.manifest_dir)
        row = self.manifest.lookup(normalise_path(f"{relative}/{inner}" if inner else relative))
        if row is not None:
            self.used.add(row.row)
        return row

    def _take_row(self, name: str, row: ManifestRow | None, reject, size: int = -1) -> bool:
        """Keep a good row for the job named `name`; refuse the file of a bad one."""
        if row is None:
            return True
        if row.bad:
            reject(name, Path(name).stat().st_size if size < 0 else size, f"{name}: {row.reason}")
            return False
        self.rows[name] = row.as_dict()
        return True

    def _processed(
        self, jobs: Iterator[Job], workers: int, max_bytes: int
    ) -> Iterator[tuple[str, int, ProcessedArticle | IngestError]]:
        if workers == 1:
            for job in jobs:
                yield process_job(job, max_bytes)
            return
        # Parsing is CPU-bound pure Python: fan it out, keep the database writes here.
        context = get_context("forkserver")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            while chunk := list(islice(jobs, POOL_CHUNK)):
                yield from pool.map(process_job, chunk, [max_bytes] * len(chunk), chunksize=16)

    def _report(self, result: FileResult, verbosity: int) -> None:
        line = f"{result.name}: {result.describe()}"
        if self.progress is not None:
            if result.outcome == ImportOutcome.REJECTED:
                self.progress.clear()
                self.stdout.write(self.style.ERROR(line))
            self.progress.step(result)
            return
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


def _read_manifest(path: str) -> Manifest:
    """Read and check the --manifest file; refuse the whole run when it cannot be read."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"{path}: cannot read the manifest ({exc.strerror or exc})") from exc
    try:
        return parse_manifest(data, name=path)
    except ManifestError as exc:
        raise CommandError(exc.reason) from exc


def _count_entries(path: str) -> int:
    """Files a path will give: 1, or the file entries of a zip (for the progress bar)."""
    if _kind(Path(path)) != "zip":
        return 1
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(1 for info in archive.infolist() if not info.is_dir()) or 1
    except (zipfile.BadZipFile, OSError):
        return 1
