"""Storing processed articles: each new article with all its claims and their history.

This is where a parsed page (sources/ingest, plain Python) becomes rows: the Article with its
publisher and origin resolved against the registry, every Claim of its segments, and the
history of both (`bulk_insert_with_history`). It knows nothing of files, batches' files or
queues: `imports.queue` calls `articles_store` for each group of files it claimed and writes
the files' outcomes in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.db import IntegrityError, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from claims.models import Claim
from sources.ingest.archive import shown_name
from sources.ingest.domains import registrable_domain
from sources.ingest.fingerprint import fingerprint_for
from sources.ingest.types import ProcessedArticle
from sources.models import Article, ImportBatch, ImportOutcome, Publisher
from sources.registry import PublisherRegistry
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


@dataclass(slots=True)
class StoreDefaults:
    """What applies where a page says nothing itself (the upload form's defaults)."""

    publisher: Publisher | None = None
    published: datetime | None = None


def _claims_for(article: Article, processed: ProcessedArticle, by: User | None) -> list[Claim]:
    text = processed.text
    base = _claim_defaults() | {
        "article_id": article.pk,
        "_history_user": by,
        "_change_reason": _import_reason(processed.source_name),
    }
    claims = []
    for seg in processed.segments:
        # Model.__init__ costs ~40 µs a claim; an import makes hundreds of thousands, so the
        # instance is filled the way Model.from_db fills it (defaults, then the span's values).
        claim = Claim.__new__(Claim)
        claim.__dict__.update(base)
        claim._state = ModelState()
        claim.start, claim.end = seg.start, seg.end
        claim.text = text[seg.start : seg.end]
        claim.kind, claim.score, claim.speaker = seg.kind, seg.score, seg.speaker[:300]
        claims.append(claim)
    return claims


@cache
def _claim_defaults() -> dict:
    """Every concrete field of Claim at its default, as Claim() would set it."""
    return {
        f.attname: f.get_default() for f in Claim._meta.concrete_fields if not f.primary_key
    } | {"id": None}


def _import_reason(name: str) -> str:
    # Historical change reasons are 100 characters at most, and shown to reviewers: the
    # file's name as pages show it, without the server's directories.
    return f"Imported from {shown_name(name)}"[:100]


def _publisher_of(
    meta, url: str, registry: PublisherRegistry, *, by: User | None
) -> tuple[Publisher | None, dict]:
    """Who put the page online, and why: a manifest's word, else the URL's site, else the page.

    The URL's registrable domain outranks a name read off the page (a mirror of another
    outlet's story is still published by the site it is on); an unknown site is recorded
    as new — not reviewed, named after its og:site_name or domain.
    """
    evidence = dict(meta.publisher_evidence or {})
    if evidence.get("kind") == "manifest" and meta.publisher_name:
        found = registry.find_or_create(name=meta.publisher_name, by=by)
        if found is not None:
            return found, evidence
    if url:
        found = registry.by_url(url)
        if found is not None:
            domain = registrable_domain(url)
            return found, {
                "kind": "url-domain",
                "text": domain,
                "field": "url",
                "why": f"the page's address is on {domain}, listed for {found.name}",
            }
    if meta.publisher_name:
        found = registry.find(name=meta.publisher_name)
        if found is not None:
            evidence.setdefault("kind", "registry-name")
            evidence.setdefault("text", meta.publisher_name)
            evidence.setdefault("why", f"the page names {meta.publisher_name}")
            return found, evidence
    if url or meta.site_name or meta.publisher_name:
        found = registry.find_or_create(
            name=meta.publisher_name, url=url, site_name=meta.site_name, by=by
        )
        if found is not None:
            if not evidence:
                source = "og:site_name" if meta.site_name else "the page's address"
                evidence = {
                    "kind": "new-site",
                    "text": found.name,
                    "field": "url" if url else "",
                    "why": f"not in the registry; named after {source}",
                }
            return found, evidence
    return None, {}


def _origin_of(
    meta, registry: PublisherRegistry, *, by: User | None
) -> tuple[Publisher | None, dict]:
    """Whose text it is, from the credit the pipeline found (sources/ingest/provenance.py)."""
    if not meta.origin_name:
        return None, {}
    found = registry.by_name(meta.origin_name) or registry.find_or_create(
        name=meta.origin_name, by=by
    )
    return found, dict(meta.origin_evidence or {}) if found is not None else {}


def _new_article(
    processed: ProcessedArticle,
    *,
    by: User | None,
    batch: ImportBatch | None,
    publishers: PublisherRegistry,
    defaults: StoreDefaults,
    url: str = "",
) -> Article:
    meta = processed.meta
    published = meta.published
    if published is not None and timezone.is_naive(published):
        published = timezone.make_aware(published, timezone.get_default_timezone())
    publisher, publisher_evidence = _publisher_of(meta, url or meta.url, publishers, by=by)
    if publisher is None and defaults.publisher is not None:
        publisher = defaults.publisher
        publisher_evidence = {
            "kind": "import-default",
            "text": publisher.name,
            "why": "the import's default publisher",
        }
    origin, origin_evidence = _origin_of(meta, publishers, by=by)
    article = Article(
        publisher=publisher,
        publisher_evidence=publisher_evidence,
        origin=origin,
        origin_evidence=origin_evidence,
        fingerprint=processed.fingerprint or fingerprint_for(processed.text, processed.segments),
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
        original_html=getattr(processed, "original_html", ""),
    )
    article._history_user = by
    article._change_reason = _import_reason(processed.source_name)
    return article


def articles_store(
    items: Sequence[ProcessedArticle],
    *,
    by: User | None,
    batch: ImportBatch | None = None,
    publishers: PublisherRegistry | None = None,
    defaults: StoreDefaults | None = None,
) -> list[FileResult]:
    """Store processed articles and all their claims, with history; one result per item.

    Every article is atomic: it is stored with all its claims or not at all. The group is
    written in one transaction with a handful of multi-row INSERTs — that is what makes bulk
    imports fast; if the group meets a conflict (another import stored one of its articles in
    the meantime) it is stored again one article at a time, each in its own transaction.
    Duplicates (same canonical text, already stored or earlier in the group) are reported.
    `batch` is the import the new articles belong to; `defaults` apply where a page says
    nothing itself.
    """
    publishers = publishers or PublisherRegistry.load()
    defaults = defaults or StoreDefaults()
    try:
        with transaction.atomic():
            return _store_group(items, by=by, batch=batch, publishers=publishers, defaults=defaults)
    except IntegrityError:
        pass
    results = []
    for processed in items:
        # Publishers created in a rolled-back transaction are gone: forget them.
        publishers = PublisherRegistry.load()
        results.append(
            _store_one(processed, by=by, batch=batch, publishers=publishers, defaults=defaults)
        )
    return results


def _store_one(
    processed: ProcessedArticle,
    *,
    by: User | None,
    batch: ImportBatch | None,
    publishers: PublisherRegistry,
    defaults: StoreDefaults,
) -> FileResult:
    """Store one article in its own transaction; a conflict makes it the stored one's duplicate."""
    try:
        with transaction.atomic():
            [result] = _store_group(
                [processed], by=by, batch=batch, publishers=publishers, defaults=defaults
            )
            return result
    except IntegrityError:
        existing = Article.objects.filter(sha256=processed.sha256).only("id", "title").first()
        if existing is None:
            raise
        return FileResult(processed.source_name, ImportOutcome.DUPLICATE, article=existing)


def _stored_articles(shas: list[str]) -> dict[str, Article]:
    """Return the already stored articles among these text hashes."""
    return {
        a.sha256: a for a in Article.objects.filter(sha256__in=shas).only("id", "title", "sha256")
    }


def _store_group(
    items: Sequence[ProcessedArticle],
    *,
    by: User | None,
    batch: ImportBatch | None,
    publishers: PublisherRegistry,
    defaults: StoreDefaults,
) -> list[FileResult]:
    """Store the articles of `items` not stored yet, in a few multi-row INSERTs."""
    known = _stored_articles([p.sha256 for p in items])
    results: list[FileResult] = []
    fresh: list[tuple[ProcessedArticle, Article, FileResult]] = []
    for processed in items:
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
    return results
