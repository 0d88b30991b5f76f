"""Writes for sources: publishers found on pages, articles imported with their claims."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from claims.models import Claim
from sources.ingest.pipeline import process_bytes
from sources.ingest.types import IngestError, ProcessedArticle
from sources.models import (
    Article,
    ImportBatch,
    ImportFile,
    ImportOutcome,
    ImportStatus,
    Ownership,
    Publisher,
)
from workbench.models import User

IMPORT_REASON = "Imported from {name}"


@dataclass(slots=True)
class FileResult:
    """The outcome of importing one file, as the CLI and the batch page show it."""

    name: str
    outcome: str
    reason: str = ""
    article: Article | None = None
    claims_created: int = 0

    def describe(self) -> str:
        if self.outcome == ImportOutcome.IMPORTED:
            return f"imported with {self.claims_created} claims (article {self.article.pk})"
        if self.outcome == ImportOutcome.DUPLICATE:
            return f"duplicate of article {self.article.pk} ({self.article})"
        return f"rejected: {self.reason}"


class PublisherIndex:
    """Find publishers by name or alias, case-insensitively, with one query per import run."""

    def __init__(self) -> None:
        self._by_key: dict[str, Publisher] = {}
        for publisher in Publisher.objects.only("id", "name", "aliases", "domains"):
            self._add(publisher)

    @staticmethod
    def _key(name: str) -> str:
        key = " ".join(name.casefold().split())
        return key.removeprefix("the ")

    def _add(self, publisher: Publisher) -> None:
        for name in [publisher.name, *(publisher.aliases or []), *(publisher.domains or [])]:
            if isinstance(name, str) and name.strip():
                self._by_key.setdefault(self._key(name), publisher)

    def find(self, name: str) -> Publisher | None:
        return self._by_key.get(self._key(name)) if name.strip() else None

    def find_or_create(self, name: str, *, by: User | None) -> Publisher | None:
        """Return the publisher so named; create an `unknown`-ownership one for a lead to grade."""
        if not name.strip():
            return None
        found = self.find(name)
        if found is None:
            found = Publisher(name=name.strip()[:200], ownership=Ownership.UNKNOWN)
            found._history_user = by
            found._change_reason = "Named on an imported page; not yet graded"
            found.save()
            self._add(found)
        return found


@transaction.atomic
def publisher_update(*, publisher: Publisher, by: User, reason: str, **fields) -> Publisher:
    """Change a publisher's registry entry, recording who and why in its history."""
    for name, value in fields.items():
        setattr(publisher, name, value)
    publisher.full_clean()
    publisher._history_user = by
    publisher._change_reason = reason
    publisher.save()
    return publisher


def import_batch_start(*, origin: str, by: User | None) -> ImportBatch:
    """Open a batch that collects the outcome of every file of one import run."""
    return ImportBatch.objects.create(origin=origin, created_by=by, status=ImportStatus.RUNNING)


def import_batch_finish(*, batch: ImportBatch) -> ImportBatch:
    batch.status = ImportStatus.DONE
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "finished_at"])
    return batch


def _claims_for(article: Article, processed: ProcessedArticle) -> list[Claim]:
    text = processed.text
    return [
        Claim(
            article=article,
            start=seg.start,
            end=seg.end,
            text=text[seg.start : seg.end],
            kind=seg.kind,
            score=seg.score,
            speaker=seg.speaker[:300],
        )
        for seg in processed.segments
    ]


def import_file_record(batch: ImportBatch | None, result: FileResult, size: int) -> FileResult:
    """Keep the outcome of one file on its batch (nothing to keep without a batch)."""
    if batch is not None:
        ImportFile.objects.create(
            batch=batch,
            name=result.name[:500],
            size=size,
            outcome=result.outcome,
            reason=result.reason,
            article=result.article,
            claims_created=result.claims_created,
            processed_at=timezone.now(),
        )
    return result


def article_store(
    *,
    processed: ProcessedArticle,
    by: User | None,
    batch: ImportBatch | None = None,
    publishers: PublisherIndex | None = None,
    default_publisher: Publisher | None = None,
    default_published: datetime | None = None,
    url: str = "",
    size: int = 0,
) -> FileResult:
    """Store one processed article and all its claims atomically, or report it as a duplicate.

    Re-running is safe: the SHA-256 of the canonical text is unique, so the same article under
    any file name is found, not stored twice (a concurrent import of it loses the race cleanly).
    """
    name = processed.source_name
    existing = Article.objects.filter(sha256=processed.sha256).only("id", "title").first()
    if existing is not None:
        return import_file_record(
            batch, FileResult(name, ImportOutcome.DUPLICATE, article=existing), size
        )
    publishers = publishers or PublisherIndex()
    meta = processed.meta
    try:
        with transaction.atomic():
            publisher = publishers.find_or_create(meta.publisher_name, by=by) or default_publisher
            published = meta.published
            if published is not None and timezone.is_naive(published):
                published = timezone.make_aware(published, timezone.get_default_timezone())
            article = Article(
                publisher=publisher,
                title=meta.title[:1000],
                url=url or meta.url,
                published_at=published or default_published,
                published_raw=meta.published_raw[:200],
                byline=meta.byline[:500],
                language=meta.language[:16],
                text=processed.text,
                received_text=processed.received,
                encoding=processed.encoding,
                repairs=[r.as_dict() for r in processed.repairs],
                source_name=name[:500],
                sha256=processed.sha256,
                import_batch=batch,
            )
            article._history_user = by
            article._change_reason = IMPORT_REASON.format(name=name)
            article.save()
            claims = bulk_create_with_history(
                _claims_for(article, processed),
                Claim,
                batch_size=500,
                default_user=by,
                default_change_reason=IMPORT_REASON.format(name=name),
            )
            result = FileResult(
                name, ImportOutcome.IMPORTED, article=article, claims_created=len(claims)
            )
            return import_file_record(batch, result, size)
    except IntegrityError:
        existing = Article.objects.filter(sha256=processed.sha256).only("id", "title").first()
        if existing is None:
            raise
        return import_file_record(
            batch, FileResult(name, ImportOutcome.DUPLICATE, article=existing), size
        )


def article_import(
    *,
    data: bytes,
    source_name: str,
    by: User | None,
    batch: ImportBatch | None = None,
    publishers: PublisherIndex | None = None,
    max_bytes: int | None = None,
) -> FileResult:
    """Import one plain-text file: process it, then store it (or say why not)."""
    try:
        processed = process_bytes(data, source_name=source_name, max_bytes=max_bytes)
    except IngestError as exc:
        return import_file_record(
            batch, FileResult(source_name, ImportOutcome.REJECTED, reason=exc.reason), len(data)
        )
    return article_store(
        processed=processed, by=by, batch=batch, publishers=publishers, size=len(data)
    )


def articles_import(
    files: Iterable[tuple[str, bytes]],
    *,
    by: User | None,
    origin: str = "cli",
    max_bytes: int | None = None,
) -> tuple[ImportBatch, list[FileResult]]:
    """Import many (name, bytes) files into one batch; each file is atomic on its own."""
    batch = import_batch_start(origin=origin, by=by)
    publishers = PublisherIndex()
    results = [
        article_import(
            data=data,
            source_name=name,
            by=by,
            batch=batch,
            publishers=publishers,
            max_bytes=max_bytes,
        )
        for name, data in files
    ]
    import_batch_finish(batch=batch)
    return batch, results
