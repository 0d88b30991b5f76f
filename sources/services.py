"""Writes for sources: publishers found on pages, articles imported with their claims."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from django.db import IntegrityError, transaction
from django.utils import timezone

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
from workbench.bulk import bulk_insert_with_history
from workbench.models import User


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


def _claims_for(article: Article, processed: ProcessedArticle, by: User | None) -> list[Claim]:
    text = processed.text
    reason = _import_reason(processed.source_name)
    claims = []
    for seg in processed.segments:
        claim = Claim(
            article=article,
            start=seg.start,
            end=seg.end,
            text=text[seg.start : seg.end],
            kind=seg.kind,
            score=seg.score,
            speaker=seg.speaker[:300],
        )
        claim._history_user = by
        claim._change_reason = reason
        claims.append(claim)
    return claims


def _import_reason(name: str) -> str:
    # Historical change reasons are 100 characters at most: keep the file's own name.
    return f"Imported from {PurePath(name).name}"[:100]


def import_file_record(batch: ImportBatch | None, result: FileResult, size: int) -> FileResult:
    """Keep the outcome of one file on its batch (nothing to keep without a batch)."""
    if batch is not None:
        _import_file(batch, result, size).save()
    return result


def _import_file(batch: ImportBatch, result: FileResult, size: int) -> ImportFile:
    return ImportFile(
        batch=batch,
        name=result.name[:500],
        size=size,
        outcome=result.outcome,
        reason=result.reason,
        article=result.article,
        claims_created=result.claims_created,
        processed_at=timezone.now(),
    )


@dataclass(slots=True)
class StoreDefaults:
    """What applies where a page says nothing itself (the upload form's defaults)."""

    publisher: Publisher | None = None
    published: datetime | None = None


def _new_article(
    processed: ProcessedArticle,
    *,
    by: User | None,
    batch: ImportBatch | None,
    publishers: PublisherIndex,
    defaults: StoreDefaults,
    url: str = "",
) -> Article:
    meta = processed.meta
    published = meta.published
    if published is not None and timezone.is_naive(published):
        published = timezone.make_aware(published, timezone.get_default_timezone())
    article = Article(
        publisher=publishers.find_or_create(meta.publisher_name, by=by) or defaults.publisher,
        title=meta.title[:1000],
        url=url or meta.url,
        published_at=published or defaults.published,
        published_raw=meta.published_raw[:200],
        byline=meta.byline[:500],
        language=meta.language[:16],
        text=processed.text,
        received_text=processed.received,
        encoding=processed.encoding,
        repairs=[r.as_dict() for r in processed.repairs],
        source_name=processed.source_name[:500],
        sha256=processed.sha256,
        import_batch=batch,
    )
    article._history_user = by
    article._change_reason = _import_reason(processed.source_name)
    return article


def articles_store(
    items: list[tuple[ProcessedArticle, int]],
    *,
    by: User | None,
    batch: ImportBatch | None = None,
    publishers: PublisherIndex | None = None,
    defaults: StoreDefaults | None = None,
) -> list[FileResult]:
    """Store processed articles (with their file sizes) and all their claims, with history.

    Every article is atomic: it is stored with all its claims or not at all. The group is
    written in one transaction with a handful of multi-row INSERTs — that is what makes bulk
    imports fast; if the group meets a conflict (another import stored one of its articles in
    the meantime) it is stored again one article at a time, each in its own transaction.
    Duplicates (same canonical text, already stored or earlier in the group) are reported.
    """
    publishers = publishers or PublisherIndex()
    defaults = defaults or StoreDefaults()
    try:
        with transaction.atomic():
            return _store_group(items, by=by, batch=batch, publishers=publishers, defaults=defaults)
    except IntegrityError:
        # Publishers created in the rolled-back transaction are gone: forget them.
        publishers = PublisherIndex()
        if len(items) == 1:
            processed, size = items[0]
            existing = Article.objects.filter(sha256=processed.sha256).only("id", "title").first()
            if existing is None:
                raise
            result = FileResult(processed.source_name, ImportOutcome.DUPLICATE, article=existing)
            return [import_file_record(batch, result, size)]
        return [
            result
            for item in items
            for result in articles_store(
                [item], by=by, batch=batch, publishers=publishers, defaults=defaults
            )
        ]


def _stored_articles(shas: list[str]) -> dict[str, Article]:
    """Return the already stored articles among these text hashes."""
    return {
        a.sha256: a for a in Article.objects.filter(sha256__in=shas).only("id", "title", "sha256")
    }


def _store_group(
    items: list[tuple[ProcessedArticle, int]],
    *,
    by: User | None,
    batch: ImportBatch | None,
    publishers: PublisherIndex,
    defaults: StoreDefaults,
) -> list[FileResult]:
    known = _stored_articles([p.sha256 for p, _ in items])
    results: list[FileResult] = []
    fresh: list[tuple[ProcessedArticle, Article, FileResult]] = []
    for processed, _size in items:
        if processed.sha256 in known:
            results.append(
                FileResult(
                    processed.source_name, ImportOutcome.DUPLICATE, article=known[processed.sha256]
                )
            )
            continue
        article = _new_article(
            processed, by=by, batch=batch, publishers=publishers, defaults=defaults
        )
        known[processed.sha256] = article
        result = FileResult(processed.source_name, ImportOutcome.IMPORTED, article=article)
        results.append(result)
        fresh.append((processed, article, result))
    if fresh:
        bulk_insert_with_history([a for _, a, _ in fresh], Article)
        claims: list[Claim] = []
        for processed, article, result in fresh:
            article_claims = _claims_for(article, processed, by)
            result.claims_created = len(article_claims)
            claims.extend(article_claims)
        bulk_insert_with_history(claims, Claim)
    if batch is not None:
        ImportFile.objects.bulk_create(
            [_import_file(batch, r, size) for r, (_, size) in zip(results, items, strict=True)]
        )
    return results


def article_store(
    *,
    processed: ProcessedArticle,
    by: User | None,
    batch: ImportBatch | None = None,
    publishers: PublisherIndex | None = None,
    size: int = 0,
) -> FileResult:
    """Store one processed article atomically, or report it as a duplicate (see articles_store)."""
    return articles_store([(processed, size)], by=by, batch=batch, publishers=publishers)[0]


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
