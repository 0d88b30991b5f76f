"""Accepting files for import: uploads and the command's paths become a batch's pending files.

This module is THE acceptance rule, whoever brings the files (the upload page or
`manage.py import_articles`): a supported suffix (.txt, .text, .html, .htm, or .zip, whose
entries are read by sources/ingest/archive.py under the IMPORT_ZIP_* limits: no nested zips,
no unsafe paths, no bombs), not empty, at most IMPORT_MAX_FILE_BYTES a file (the command's
`--max-bytes` may set another limit), and, when a manifest names the file, a good manifest
row. Each file (each entry of a zip) is judged alone: what is refused on sight is recorded as
a rejected file with its reason, naming it, and no bytes; the rest wait, with their bytes,
for the queue (imports/queue.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from itertools import chain
from pathlib import PurePath
from typing import BinaryIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from imports.queue import import_batch_finish_if_complete
from imports.tasks import import_batch_enqueue
from sources.ingest.archive import ArchiveError, ArchiveLimits, entries_with_manifest, open_zip
from sources.ingest.manifest import Manifest, ManifestRow
from sources.ingest.pipeline import HTML_SUFFIXES, TEXT_SUFFIXES, content_type_for
from sources.models import ImportBatch, ImportFile, ImportOutcome, ImportStatus, Publisher
from workbench.models import User

# Rows written per INSERT while files are accepted, and the bytes held before writing.
_ROWS = 200
_BYTES = 32 * 1024 * 1024

# What an import reads, by suffix (sources.ingest.pipeline.content_type_for): the upload form's
# file picker offers these.
IMPORT_SUFFIXES = (*sorted(TEXT_SUFFIXES, reverse=True), *sorted(HTML_SUFFIXES), ".zip")
# Why a file of no bytes is refused on sight (one of white space only is, by the parser).
EMPTY = "the file is empty"
# A manifest's row for a file: (the file's name, its path inside its zip or "") → row.
RowFor = Callable[[str, str], ManifestRow | None]


def import_limits(*, max_file_bytes: int | None = None) -> ArchiveLimits:
    """The import limits from the settings (IMPORT_MAX_FILE_BYTES, IMPORT_ZIP_*)."""
    return ArchiveLimits(
        max_file_bytes=settings.IMPORT_MAX_FILE_BYTES if max_file_bytes is None else max_file_bytes,
        max_total_bytes=settings.IMPORT_ZIP_MAX_TOTAL_BYTES,
        max_entries=settings.IMPORT_ZIP_MAX_ENTRIES,
        max_ratio=settings.IMPORT_ZIP_MAX_RATIO,
    )


def is_importable(name: str) -> bool:
    """Whether a file of this name is of a type an import reads (by its suffix)."""
    return bool(content_type_for(name))


@dataclass(frozen=True, slots=True)
class Incoming:
    """One file offered for import: an uploaded file, or a path on this machine."""

    name: str
    size: int
    source: BinaryIO | str  # an open binary file, or a path

    @classmethod
    def from_upload(cls, upload: UploadedFile) -> Incoming:
        return cls(PurePath(upload.name or "upload").name, upload.size or 0, upload.file)

    def read(self, limit: int) -> bytes:
        """Read at most `limit` bytes from the start."""
        if isinstance(self.source, str):
            with open(self.source, "rb") as handle:
                return handle.read(limit)
        self.source.seek(0)
        return self.source.read(limit)


def import_batch_create(
    *,
    files: Iterable[Incoming],
    origin: str,
    by: User | None,
    limits: ArchiveLimits | None = None,
    default_publisher: Publisher | None = None,
    default_published: datetime | None = None,
    row_for: RowFor | None = None,
    refused: Iterable[tuple[str, int, str]] = (),
    notices: Iterable[str] = (),
) -> tuple[ImportBatch, int]:
    """Accept files (zips unpacked) as a new batch's files; return it and how many are pending.

    `refused` are (name, size, reason) of files refused before they could be offered (a
    path that does not exist, a manifest's problems). `row_for` finds the row of a manifest
    given apart from the files (the command's `--manifest`); a zip's own manifest wins for
    its entries. Warnings that refuse nothing (`notices`: the ignored columns of a manifest
    given apart; a zip's own manifest's) are kept as the batch's notices, so its page shows
    them whichever way the files came. Nothing is enqueued: the caller decides who works it.
    """
    limits = limits or import_limits()
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            origin=origin,
            created_by=by,
            status=ImportStatus.PENDING,
            default_publisher=default_publisher,
            default_published=default_published,
        )
        accept = _Acceptance(batch, limits, row_for)
        rows: list[ImportFile] = []
        held = pending = 0
        found = [_rejected_row(batch, name, size, reason) for name, size, reason in refused]
        for row in chain(found, *(accept.rows(incoming) for incoming in files)):
            rows.append(row)
            held += len(row.content or b"")
            pending += row.outcome == ImportOutcome.PENDING
            if len(rows) >= _ROWS or held >= _BYTES:
                ImportFile.objects.bulk_create(rows)
                rows.clear()
                held = 0
        ImportFile.objects.bulk_create(rows)
        if notices := [n for n in (*notices, *accept.notices) if n]:
            batch.notices = notices
            batch.save(update_fields=["notices"])
    return batch, pending


def manifest_row_for(manifest: Manifest) -> RowFor:
    """The row of an uploaded manifest for a file, or for an entry of an uploaded zip: by its
    name (and path inside the zip), as the manifest's `file` column gives it."""
    return lambda name, inner: manifest.lookup(f"{name}/{inner}" if inner else name)


def import_batch_create_from_uploads(
    *,
    files: list[UploadedFile],
    by: User | None,
    default_publisher: Publisher | None = None,
    default_published: datetime | None = None,
    manifest: Manifest | None = None,
) -> ImportBatch:
    """Accept uploaded files as a new batch (`import_batch_create`); enqueue its tasks.

    `manifest`, uploaded beside the files, gives them their metadata (a zip's own manifest
    wins for its entries); its rows that name no file are refused as the manifest's. The tasks
    are enqueued once the batch is committed, so a worker never looks for a batch that is not
    there yet; a batch with nothing pending is closed at once.
    """
    with transaction.atomic():
        batch, pending = import_batch_create(
            files=[Incoming.from_upload(upload) for upload in files],
            origin="upload",
            by=by,
            default_publisher=default_publisher,
            default_published=default_published,
            row_for=manifest_row_for(manifest) if manifest is not None else None,
            refused=[(manifest.name, 0, p) for p in manifest.problems] if manifest else (),
            notices=[manifest.notice()] if manifest is not None else (),
        )
        if pending:
            transaction.on_commit(partial(import_batch_enqueue, batch_id=batch.pk, files=pending))
        else:
            import_batch_finish_if_complete(batch_id=batch.pk)
    return batch


class _Acceptance:
    """Turns the files offered to one batch into its rows, collecting the batch's notices."""

    def __init__(self, batch: ImportBatch, limits: ArchiveLimits, row_for: RowFor | None):
        self.batch = batch
        self.limits = limits
        self.row_for = row_for
        self.notices: list[str] = []

    def rows(self, incoming: Incoming) -> Iterator[ImportFile]:
        """The ImportFile rows of one file: itself, or every entry of a zip."""
        name, size = incoming.name, incoming.size
        kind = content_type_for(name)
        if kind == "zip":
            yield from self._zip_rows(incoming)
            return
        limit = self.limits.max_file_bytes
        if not kind:
            suffix = PurePath(name).suffix or "(none)"
            yield self._rejected(
                name, size, f"unsupported file type {suffix!r} (expected .txt, .html, .htm or .zip)"
            )
            return
        manifest, problem = self._manifest(name, "")
        if problem:
            yield self._rejected(name, size, problem)
            return
        if size > limit:
            yield self._rejected(
                name, size, f"file too large ({size:,} bytes; the limit is {limit:,})"
            )
            return
        try:
            data = incoming.read(limit + 1)
        except OSError as exc:
            yield self._rejected(name, size, f"cannot read file ({exc.strerror or exc})")
            return
        if len(data) > limit:  # the declared size lied
            yield self._rejected(name, len(data), f"file too large (the limit is {limit:,} bytes)")
            return
        if not data:
            yield self._rejected(name, 0, EMPTY)
            return
        yield _pending_row(self.batch, name, kind, data, manifest)

    def _zip_rows(self, incoming: Incoming) -> Iterator[ImportFile]:
        """Every entry of a zip; a manifest.csv / .jsonl at its root gives entries their values."""
        name, source = incoming.name, incoming.source
        if not isinstance(source, str):
            source.seek(0)
        try:
            entries = open_zip(source, name=name, limits=self.limits)
        except ArchiveError as exc:
            yield _rejected_row(self.batch, name, incoming.size, exc.reason)
            return
        any_entry = False
        for entry, manifest in entries_with_manifest(entries, name=name, notices=self.notices):
            any_entry = True
            if entry.rejected:
                yield _rejected_row(self.batch, entry.name, entry.size, entry.reason)
                continue
            if not manifest:  # the zip's own manifest wins over one given apart
                manifest, problem = self._manifest(name, entry.name[len(name) + 1 :])
                if problem:
                    yield self._rejected(entry.name, entry.size, problem)
                    continue
            data = entry.data or b""
            if not data:
                yield self._rejected(entry.name, 0, EMPTY)
                continue
            yield _pending_row(self.batch, entry.name, entry.content_type, data, manifest)
        if not any_entry:
            yield self._rejected(name, incoming.size, "no files in the archive")

    def _manifest(self, name: str, inner: str) -> tuple[dict, str]:
        """The values of the file's row of a manifest given apart, or why its row is bad."""
        row = self.row_for(name, inner) if self.row_for is not None else None
        if row is None:
            return {}, ""
        return ({}, row.reason) if row.bad else (row.as_dict(), "")

    def _rejected(self, name: str, size: int, why: str) -> ImportFile:
        return _rejected_row(self.batch, name, size, f"{name}: {why}")


def _pending_row(
    batch: ImportBatch, name: str, kind: str, data: bytes, manifest: dict | None = None
) -> ImportFile:
    return ImportFile(
        batch=batch,
        name=name[:500],
        size=len(data),
        content=data,
        content_type=kind,
        manifest=manifest or {},
    )


def _rejected_row(batch: ImportBatch, name: str, size: int, reason: str) -> ImportFile:
    return ImportFile(
        batch=batch,
        name=name[:500],
        size=size,
        content_type=content_type_for(name),
        outcome=ImportOutcome.REJECTED,
        reason=reason,
        processed_at=timezone.now(),
    )
