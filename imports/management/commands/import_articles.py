"""Import article files or folders (.txt, .html/.htm, .zip): one line per file, then a summary.

The files are accepted by the same rule as uploads (imports/uploads.py: the same suffixes,
size limit and zip limits; `--max-bytes` sets the size limit) into a batch of pending files,
then this process works the batch with the same queue as the background workers
(imports/queue.py), parsing in `--jobs` processes. A folder gives its files of an importable
type (hidden files left out); a path named on the command line is accepted or refused with
its reason.

On a terminal a progress bar replaces the per-file lines (rejections are still printed);
piped or redirected, the output is one line per file and the summary.

`--manifest FILE` (CSV or JSON Lines, sources/ingest/manifest.py) gives files their URL,
publisher, origin, date, byline, title or language, over what the pages say; a
`manifest.csv` or `manifest.jsonl` at the root of a zip does the same for the zip's entries.
A bad manifest row refuses its file with the reason; a row whose file is not imported, and
columns the workbench does not read, are warned about.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError

from imports.in_process import file_result
from imports.progress import import_batch_progress
from imports.queue import IN_PROCESS, Parser, import_batch_process, pool_parser, worker_id
from imports.storing import FileResult
from imports.uploads import Incoming, import_batch_create, import_limits, is_importable
from sources.ingest.manifest import (
    Manifest,
    ManifestError,
    ManifestRow,
    normalise_path,
    parse_manifest,
)
from sources.models import ImportFile, ImportOutcome

# Files claimed, parsed and stored per round (each article is still atomic on its own).
STORE_GROUP = 50


def expand_paths(paths: list[str]) -> tuple[list[str], list[tuple[str, int, str]]]:
    """Expand folders into their importable files, sorted; refuse paths that are not there."""
    files: list[str] = []
    missing: list[tuple[str, int, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                str(p)
                for p in sorted(path.rglob("*"))
                if p.is_file() and is_importable(p.name) and not p.name.startswith(".")
            )
        elif path.is_file():
            files.append(raw)
        else:
            missing.append((raw, 0, f"{raw}: no such file or folder"))
    return files, missing


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


@contextmanager
def parser(jobs: int) -> Iterator[Parser]:
    """Parse here, or — parsing being CPU-bound pure Python — in `jobs` processes.

    The pool parses the next group while this process stores the current one (see
    imports/queue.py).
    """
    if jobs == 1:
        yield IN_PROCESS
        return
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("forkserver")) as pool:
        yield pool_parser(pool)


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
        files, refused = expand_paths(paths)
        if not files and not refused:
            raise CommandError("No article files found in the given paths.")
        self.verbosity = verbosity
        self.manifest = _read_manifest(manifest) if manifest else None
        self.manifest_dir = Path(manifest).resolve().parent if manifest else None
        self.used: set[int] = set()  # rows of --manifest that found their file
        if self.manifest is not None:
            refused += [(manifest, 0, problem) for problem in self.manifest.problems]
        batch, pending = import_batch_create(
            files=[Incoming(path, Path(path).stat().st_size, path) for path in files],
            origin="cli",
            by=None,
            limits=import_limits(max_file_bytes=max_bytes),
            row_for=self._cli_row if self.manifest is not None else None,
            refused=refused,
            notices=[self.manifest.notice()] if self.manifest is not None else (),
        )
        for notice in batch.notices:  # the manifest's ignored columns, a zip's own manifest's
            self.stdout.write(self.style.WARNING(notice))
        # Files refused on sight are reported in their place among the others.
        self.waiting = list(
            ImportFile.objects.filter(batch=batch, outcome=ImportOutcome.REJECTED)
            .only("id", "name", "outcome", "reason", "claims_created")
            .order_by("pk")
        )
        if jobs <= 0:
            jobs = min(os.cpu_count() or 1, 4) if pending >= 50 else 1
        self.progress = Progress(self.stdout, len(self.waiting) + pending)
        if not self.stdout.isatty():
            self.progress = None
        with parser(jobs) as parse:
            import_batch_process(
                batch_id=batch.pk,
                worker=f"import_articles:{worker_id()}",
                group=STORE_GROUP,
                parse=parse,
                max_bytes=max_bytes,
                cluster=not no_cluster,
                on_done=self._report_group,
            )
        self._report_up_to(None)
        if self.manifest is not None:
            for row in self.manifest.rows.values():
                if row.row not in self.used:
                    self.stdout.write(
                        self.style.WARNING(
                            f"{manifest} row {row.row}: {row.file!r} is not among the files "
                            "imported (nothing applied)"
                        )
                    )
        if self.progress is not None:
            self.progress.clear()
        progress = import_batch_progress(batch=batch)
        self.stdout.write(
            f"{progress.total} files: {progress.imported} imported ({progress.claims} claims), "
            f"{progress.duplicate} duplicate, {progress.rejected} rejected"
        )
        if progress.rejected:
            sys.exit(1)

    def _report_group(self, files: list[ImportFile]) -> None:
        for file in files:
            self._report_up_to(file.pk)
            if file.outcome != ImportOutcome.PENDING:  # not another worker's
                self._report(file_result(file))

    def _report_up_to(self, pk: int | None) -> None:
        """Report the files refused on sight that come before file `pk` (all if None)."""
        while self.waiting and (pk is None or self.waiting[0].pk < pk):
            self._report(file_result(self.waiting.pop(0)))

    def _cli_row(self, name: str, inner: str) -> ManifestRow | None:
        """The --manifest row of a file (or of a zip's entry), by its path from the manifest."""
        relative = os.path.relpath(Path(name).resolve(), self.manifest_dir)
        row = self.manifest.lookup(normalise_path(f"{relative}/{inner}" if inner else relative))
        if row is not None:
            self.used.add(row.row)
        return row

    def _report(self, result: FileResult) -> None:
        line = f"{result.name}: {result.describe()}"
        if self.progress is not None:
            if result.outcome == ImportOutcome.REJECTED:
                self.progress.clear()
                self.stdout.write(self.style.ERROR(line))
            self.progress.step(result)
            return
        if result.outcome == ImportOutcome.REJECTED:
            self.stdout.write(self.style.ERROR(line))
        elif self.verbosity >= 1:
            self.stdout.write(line)


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
