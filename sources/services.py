"""Writes for sources: publishers found on pages, articles imported with their claims."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache, partial
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.base import ModelState
from django.utils import timezone

from claims.history import ARTICLE, change_lines
from claims.models import Claim
from claims.services import RevertRefused, StaleEdit, corroborations_rejudge, revert_plan
from sources.clustering import cluster_all, cluster_new, recheck_cluster
from sources.ingest.archive import ArchiveError, ArchiveLimits, entries_with_manifest, open_zip
from sources.ingest.countries import canonical_country
from sources.ingest.domains import is_host, listed_host, registrable_domain
from sources.ingest.fingerprint import fingerprint_for
from sources.ingest.manifest import apply_manifest, value_problem
from sources.ingest.names import is_placeholder
from sources.ingest.pipeline import content_type_for, process_bytes, process_document
from sources.ingest.types import IngestError, ProcessedArticle
from sources.models import (
    ARTICLE_METADATA_FIELDS,
    ARTICLE_SOURCE_FIELDS,
    LEAD_EVIDENCE,
    Article,
    ImportBatch,
    ImportFile,
    ImportOutcome,
    ImportStatus,
    Publisher,
)
from sources.registry import PublisherRegistry
from workbench.bulk import bulk_insert_with_history
from workbench.history import record_change
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


# What a lead gives of a registry entry (the registry page's form).
PUBLISHER_FIELDS = frozenset(
    {"name", "aliases", "domains", "country", "ownership", "parent", "reliability",
     "description", "kind", "typology", "facts_source", "reviewed"}
)  # fmt: skip


def _entry_before(publisher: Publisher) -> dict:
    return {
        "name": publisher.name,
        "aliases": list(publisher.aliases or []),
        "domains": list(publisher.domains or []),
        "country": publisher.country,
        "parent": publisher.parent_id,
    }


def _check_registry_entry(publisher: Publisher, *, before: dict | None = None) -> None:
    """Normalise a registry entry a lead gives; refuse what would make look-ups wrong.

    A name, alias or domain another publisher already answers to would be ambiguous (the
    registry finds publishers by them); a domain must be a host ("globaltimes.cn", no
    scheme, path or "www."); a country is stored as the registry spells it ("CN" → China);
    a parent may not be the publisher or one it owns. Values the entry already had
    (`before`) are not checked again, so an old entry stays editable. Raises
    ValidationError naming each field and what is wrong with it.
    """
    before = before or {"name": "", "aliases": [], "domains": [], "country": "", "parent": None}
    registry = PublisherRegistry.load()
    errors: dict[str, str] = {}

    def taken(value: str) -> Publisher | None:
        other = registry.by_name(value)
        return other if other is not None and other.pk != publisher.pk else None

    publisher.name = " ".join((publisher.name or "").split())
    if publisher.name != before["name"]:
        if not publisher.name:
            errors["name"] = "A publisher needs a name."
        elif is_placeholder(publisher.name):
            errors["name"] = (
                f"{publisher.name!r} names no outlet (a placeholder or a web address): give "
                "the outlet's name, and its address under domains."
            )
        elif other := taken(publisher.name):
            errors["name"] = f"{publisher.name!r} is already in the registry: {other}."
    aliases: list[str] = []
    for alias in publisher.aliases or []:
        alias = " ".join(str(alias).split())
        if not alias or alias.casefold() in {a.casefold() for a in aliases}:
            continue
        if alias not in before["aliases"] and (other := taken(alias)):
            errors.setdefault("aliases", f"{alias!r} is already a name of {other}.")
        aliases.append(alias)
    publisher.aliases = aliases
    domains: list[str] = []
    for value in publisher.domains or []:
        host = str(value).strip()
        if host not in before["domains"]:  # a domain listed already is kept as it is
            host = listed_host(host)
            if not is_host(host):
                errors.setdefault(
                    "domains",
                    f"{value!r} is not a web domain (e.g. globaltimes.cn or en.people.cn).",
                )
            elif (other := registry.listing(host)) is not None and other.pk != publisher.pk:
                errors.setdefault("domains", f"{host!r} is already listed for {other}.")
        if host not in domains:
            domains.append(host)
    publisher.domains = domains
    publisher.country = " ".join((publisher.country or "").split())
    if publisher.country and publisher.country != before["country"]:
        country = canonical_country(publisher.country)
        if country is None:
            errors["country"] = (
                f"{publisher.country!r} is not a country (e.g. China, South Korea, "
                "United States, or a two-letter code such as CN)."
            )
        else:
            publisher.country = country
    if publisher.parent_id is not None and publisher.parent_id != before["parent"]:
        chain = registry.chain(publisher.parent)
        if publisher.pk is not None and any(p.pk == publisher.pk for p in chain):
            errors["parent"] = "That would make the publisher its own owner."
    try:
        publisher.full_clean(exclude=[*errors, "locked_fields"])
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def publisher_create(
    *, by: User | None, reason: str, reviewed: bool = True, **fields: Any
) -> Publisher:
    """Add a publisher to the registry, checked as a lead's entry is; return it.

    The fields given are a lead's word: registry loads never overwrite them. `reviewed`
    False lists it as "new — not reviewed" (created in place, its ownership not yet graded).
    """
    unknown = set(fields) - PUBLISHER_FIELDS
    if unknown:
        raise TypeError(f"Cannot set publisher fields: {', '.join(sorted(unknown))}")
    if not reason.strip():
        raise ValidationError({"reason": "Say why you add this publisher (kept in its history)."})
    publisher = Publisher(reviewed=reviewed, **fields)
    _check_registry_entry(publisher)
    publisher.locked_fields = sorted(n for n, v in fields.items() if v not in (None, "", []))
    record_change(publisher, by=by, reason=reason)
    publisher.save()
    return publisher


@transaction.atomic
def publisher_update(*, publisher: Publisher, by: User, reason: str, **fields) -> Publisher:
    """Change a publisher's registry entry, recording who and why in its history.

    A lead's or admin's change locks the fields it changed (registry loads, `manage.py
    load_publishers`, never overwrite them) and marks the entry reviewed.
    """
    unknown = set(fields) - PUBLISHER_FIELDS
    if unknown:
        raise TypeError(f"Cannot update publisher fields: {', '.join(sorted(unknown))}")
    # The stored entry, not the instance given (a ModelForm has already changed that one).
    publisher = Publisher.objects.select_for_update().get(pk=publisher.pk)
    before = _entry_before(publisher)
    old = {name: getattr(publisher, name) for name in fields}
    for name, value in fields.items():
        setattr(publisher, name, value)
    _check_registry_entry(publisher, before=before)
    changed = [name for name in fields if getattr(publisher, name) != old[name]]
    if by is not None and by.has_perm("sources.change_publisher"):  # lead or admin
        locked = list(publisher.locked_fields or [])
        publisher.locked_fields = [*locked, *(n for n in changed if n not in locked)]
        publisher.reviewed = True
    record_change(publisher, by=by, reason=reason)
    publisher.save()
    return publisher


# -- Correcting an article's metadata ---------------------------------------------------------

# The edit form's field names → Article fields (ARTICLE_METADATA_FIELDS).
ARTICLE_EDIT_FIELDS = {
    "title": "title",
    "publisher": "publisher",
    "origin": "origin",
    "url": "url",
    "published": "published_at",
    "byline": "byline",
    "language": "language",
}
_FORM_NAME = {attr: name for name, attr in ARTICLE_EDIT_FIELDS.items()}
# What saving an article's metadata must not load: the texts are not in its history.
ARTICLE_TEXTS = ("text", "received_text", "repairs", "original_html", "fingerprint")


@dataclass(slots=True)
class ArticleEdit:
    """What correcting an article changed, and what followed from it."""

    article: Article
    changed: list[str]  # Article field names
    new_publisher: Publisher | None = None
    judged: int = 0  # corroborations judged again
    rejudged: list = field(default_factory=list)  # those whose independence changed
    unsupported: list[int] = field(default_factory=list)  # verified claims left unsupported
    # Copies in its syndication cluster whose origin changed with it.
    cluster_changed: list[int] = field(default_factory=list)


def _lead_evidence(value: Publisher | None, *, by: User | None, reason: str) -> dict:
    done = "set" if value is not None else "cleared"
    return {
        "kind": LEAD_EVIDENCE,
        "text": value.name if value is not None else "",
        "why": f"{done} by {by if by is not None else 'nobody'}: {' '.join(reason.split())}",
    }


def _check_article_version(article: Article, version: int | None) -> None:
    """Refuse an edit made on a page older than the article's metadata (optimistic locking).

    `version` is the id of the latest history record the editor saw; only later changes to
    the metadata a lead edits count (a cluster's bookkeeping does not).
    """
    if version is None:
        return
    records = list(
        article.history.filter(history_id__gte=version)
        .select_related("history_user", "publisher", "origin")
        .order_by("history_id")
    )
    if not records or records[0].history_id != version:
        raise ValidationError({"version": f"#{version} is not a recorded change of this article."})
    lines = change_lines(records, ARTICLE, fields=set(ARTICLE_METADATA_FIELDS))
    if lines:
        raise StaleEdit("This article was changed by someone else since you opened it.", lines)


def _article_values(fields: dict) -> dict:
    """Check the form's values (the manifest's rules) and turn them into Article values."""
    errors: dict[str, str] = {}
    values: dict = {}
    for name, value in fields.items():
        if name in {"publisher", "origin"}:
            if value is not None and not isinstance(value, Publisher):
                errors[name] = f"{value!r} is not a publisher of the registry."
            values[ARTICLE_EDIT_FIELDS[name]] = value
        elif name == "published":
            if value is not None and not isinstance(value, datetime):
                errors[name] = f"{value!r} is not a date and time."
            elif value is not None and timezone.is_naive(value):
                value = timezone.make_aware(value, timezone.get_default_timezone())
            values["published_at"] = value
        else:
            value = " ".join(str(value or "").split())
            if value and (problem := value_problem(name, value)):
                errors[name] = problem
            if name == "language":
                value = value.replace("_", "-")
            values[name] = value
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def article_update(
    *,
    article: Article,
    by: User | None,
    reason: str,
    version: int | None = None,
    new_publisher: str = "",
    publisher_evidence: dict | None = None,
    origin_evidence: dict | None = None,
    **fields: Any,
) -> ArticleEdit:
    """Correct what was read off an article's page; its text never changes.

    `fields` are the edit form's (`ARTICLE_EDIT_FIELDS`: title, publisher, origin, url,
    published, byline, language); only those given change, each checked as a manifest's
    values are. `new_publisher` names a publisher to create ("new — not reviewed") and set.
    A publisher or origin set here is a lead's word, kept as its evidence unless
    `publisher_evidence` / `origin_evidence` are given (a revert restores the earlier ones);
    a lead's origin is never replaced along a syndication cluster. `version` (the latest
    history record the editor saw) refuses an edit made on an older page (StaleEdit).

    Changing publisher, origin or URL judges again every corroboration involving the article
    — as the claim's article or as the evidence's — except those set by hand, each changed
    one recorded with the reason "article #N publisher changed"; changing origin or date
    re-checks its syndication cluster, and the copies whose origin that changes are judged
    again too.
    """
    unknown = set(fields) - set(ARTICLE_EDIT_FIELDS)
    if unknown:
        raise TypeError(f"Cannot update article fields: {', '.join(sorted(unknown))}")
    if not reason.strip():
        raise ValidationError({"reason": "Say why you correct this article (kept in its history)."})
    article = Article.objects.select_for_update().defer(*ARTICLE_TEXTS).get(pk=article.pk)
    _check_article_version(article, version)
    values = _article_values(fields)
    created = None
    if new_publisher.strip():
        if values.get("publisher") is not None:
            raise ValidationError(
                {"new_publisher": "Pick a publisher from the registry or name a new one, not both."}
            )
        try:
            created = publisher_create(
                by=by,
                reason=f"Created while correcting article #{article.pk}: {reason}",
                reviewed=False,
                name=new_publisher,
            )
        except ValidationError as exc:
            raise ValidationError(
                {"new_publisher": " ".join(m for ms in exc.message_dict.values() for m in ms)}
            ) from None
        values["publisher"] = created
    changed = [
        attr
        for attr, value in values.items()
        if getattr(article, Article._meta.get_field(attr).attname)
        != (value.pk if isinstance(value, Publisher) else value)
    ]
    edit = ArticleEdit(article=article, changed=changed, new_publisher=created)
    if not changed:
        return edit
    for attr in changed:
        setattr(article, attr, values[attr])
    if "publisher" in changed:
        article.publisher_evidence = (
            publisher_evidence
            if publisher_evidence is not None
            else _lead_evidence(article.publisher, by=by, reason=reason)
        )
    if "origin" in changed:
        article.origin_evidence = (
            origin_evidence
            if origin_evidence is not None
            else _lead_evidence(article.origin, by=by, reason=reason)
        )
    record_change(article, by=by, reason=reason)
    article.save()
    registry = PublisherRegistry.load()
    if source := [f for f in ARTICLE_SOURCE_FIELDS if f in changed]:
        what = " and ".join("URL" if f == "url" else f for f in source)
        _rejudge(
            edit,
            article.pk,
            by=by,
            reason=f"article #{article.pk} {what} changed",
            registry=registry,
        )
    if article.cluster_origin_id is not None and {"origin", "published_at"} & set(changed):
        others = recheck_cluster(article.pk)
        edit.cluster_changed = [pk for pk, what in others.items() if what == "origin"]
        for other, what in others.items():
            reason = f"article #{other} {what} changed"
            _rejudge(edit, other, by=by, reason=reason, registry=registry)
    return edit


def _rejudge(edit: ArticleEdit, article_id: int, **kwargs) -> None:
    result = corroborations_rejudge(article_id=article_id, **kwargs)
    edit.judged += result.judged
    edit.rejudged += result.changed
    edit.unsupported += [pk for pk in result.unsupported if pk not in edit.unsupported]


@transaction.atomic
def article_revert(*, history_id: int, by: User | None, reason: str = "") -> ArticleEdit:
    """Undo one recorded change of an article's metadata, through `article_update`.

    Only the metadata fields it changed go back (with the evidence they had then), and
    evidence is judged again as for any edit; refused if a later change touched one of the
    same fields, or the change was a cluster's bookkeeping rather than metadata.
    """
    record = Article.history.filter(history_id=history_id).first()
    if record is None:
        raise RevertRefused(f"No recorded article change #{history_id}.")
    if record.history_type != "~":
        raise RevertRefused(
            "Articles are created by imports; a revert cannot create or delete one."
        )
    live = Article.objects.select_for_update().defer(*ARTICLE_TEXTS).filter(pk=record.id).first()
    if live is None:
        raise RevertRefused("The article this change was made to no longer exists.")
    previous, changed = revert_plan(ARTICLE, record, live, only=ARTICLE_METADATA_FIELDS)
    values: dict[str, Any] = {}
    for f in changed:
        value = getattr(previous, f.attname)
        if f.is_relation and value is not None:
            value = Publisher.objects.filter(pk=value).first()
            if value is None:
                raise RevertRefused(f"Cannot restore it: its earlier {f.name} no longer exists.")
        values[_FORM_NAME[f.name]] = value
    why = f"Reverted change #{history_id}" + (f": {reason.strip()}" if reason.strip() else "")
    return article_update(
        article=live,
        by=by,
        reason=why,
        publisher_evidence=previous.publisher_evidence if "publisher" in values else None,
        origin_evidence=previous.origin_evidence if "origin" in values else None,
        **values,
    )


def import_batch_start(*, origin: str, by: User | None) -> ImportBatch:
    """Open a batch that collects the outcome of every file of one import run."""
    return ImportBatch.objects.create(origin=origin, created_by=by, status=ImportStatus.RUNNING)


def import_batch_finish(*, batch: ImportBatch, cluster: bool = True) -> ImportBatch:
    """Close a batch, then place its new articles in syndication clusters."""
    batch.status = ImportStatus.DONE
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "finished_at"])
    if cluster:
        import_batch_cluster(batch=batch)
    return batch


# Above this many new articles, recomputing every cluster in memory is cheaper than looking
# up candidates for each new article in the index.
CLUSTER_ALL_ABOVE = 300


def import_batch_cluster(*, batch: ImportBatch) -> int:
    """Place the articles a batch imported in syndication clusters; return how many joined one.

    Runs once per batch rather than per stored group: candidate lookups then cover the whole
    batch in one pass, and storing stays a few multi-row inserts per group.
    """
    new = list(Article.objects.filter(import_batch=batch).only("id", "fingerprint", "published_at"))
    if len(new) > CLUSTER_ALL_ABOVE:
        return cluster_all().articles
    return cluster_new(new)


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
        republished_from=publishers.find_or_create(name=meta.republished_from, by=by)
        if meta.republished_from
        else None,
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
    items: list[tuple[ProcessedArticle, int]],
    *,
    by: User | None,
    batch: ImportBatch | None = None,
    publishers: PublisherRegistry | None = None,
    defaults: StoreDefaults | None = None,
    files: list[ImportFile] | None = None,
) -> list[FileResult]:
    """Store processed articles (with their file sizes) and all their claims, with history.

    Every article is atomic: it is stored with all its claims or not at all. The group is
    written in one transaction with a handful of multi-row INSERTs — that is what makes bulk
    imports fast; if the group meets a conflict (another import stored one of its articles in
    the meantime) it is stored again one article at a time, each in its own transaction.
    Duplicates (same canonical text, already stored or earlier in the group) are reported.
    `files`, one per item, are the batch's existing ImportFile rows (background imports):
    the outcome is written onto them in the article's transaction instead of new rows.
    """
    publishers = publishers or PublisherRegistry.load()
    defaults = defaults or StoreDefaults()
    try:
        with transaction.atomic():
            return _store_group(
                items, by=by, batch=batch, publishers=publishers, defaults=defaults, files=files
            )
    except IntegrityError:
        # Publishers created in the rolled-back transaction are gone: forget them.
        publishers = PublisherRegistry.load()
        if len(items) == 1:
            processed, size = items[0]
            existing = Article.objects.filter(sha256=processed.sha256).only("id", "title").first()
            if existing is None:
                raise
            result = FileResult(processed.source_name, ImportOutcome.DUPLICATE, article=existing)
            if files is not None:
                _import_files_update(files, [result])
                return [result]
            return [import_file_record(batch, result, size)]
        return [
            result
            for i, item in enumerate(items)
            for result in articles_store(
                [item],
                by=by,
                batch=batch,
                publishers=publishers,
                defaults=defaults,
                files=None if files is None else [files[i]],
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
    publishers: PublisherRegistry,
    defaults: StoreDefaults,
    files: list[ImportFile] | None = None,
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
    if files is not None:
        _import_files_update(files, results)
    elif batch is not None:
        ImportFile.objects.bulk_create(
            [_import_file(batch, r, size) for r, (_, size) in zip(results, items, strict=True)]
        )
    return results


IMPORT_FILE_OUTCOME_FIELDS = [
    "outcome",
    "reason",
    "article",
    "duplicate_of",
    "claims_created",
    "processed_at",
    "content",
]


def _import_files_update(files: list[ImportFile], results: list[FileResult]) -> None:
    """Write each result onto its existing ImportFile row and drop the stored bytes."""
    now = timezone.now()
    for file, result in zip(files, results, strict=True):
        file.outcome = result.outcome
        file.reason = result.reason
        file.article = result.article
        file.duplicate_of = result.article if result.outcome == ImportOutcome.DUPLICATE else None
        file.claims_created = result.claims_created
        file.processed_at = now
        file.content = None
    ImportFile.objects.bulk_update(files, IMPORT_FILE_OUTCOME_FIELDS)


def article_store(
    *,
    processed: ProcessedArticle,
    by: User | None,
    batch: ImportBatch | None = None,
    publishers: PublisherRegistry | None = None,
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
    publishers: PublisherRegistry | None = None,
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
    publishers = PublisherRegistry.load()
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


# --------------------------------------------------------------------------------------------
# Background imports: uploads become a batch of pending ImportFile rows (the bytes stored with
# them, so a worker on any machine can process them); workers claim small groups of files
# with SELECT … FOR UPDATE SKIP LOCKED and store each group's articles and outcomes in one
# transaction.

logger = logging.getLogger(__name__)

# Rows written per INSERT while an upload is unpacked, and the bytes held before writing.
_UPLOAD_ROWS = 200
_UPLOAD_BYTES = 32 * 1024 * 1024


def import_limits() -> ArchiveLimits:
    """The upload limits from the settings (IMPORT_MAX_FILE_BYTES, IMPORT_ZIP_*)."""
    return ArchiveLimits(
        max_file_bytes=settings.IMPORT_MAX_FILE_BYTES,
        max_total_bytes=settings.IMPORT_ZIP_MAX_TOTAL_BYTES,
        max_entries=settings.IMPORT_ZIP_MAX_ENTRIES,
        max_ratio=settings.IMPORT_ZIP_MAX_RATIO,
    )


def import_batch_create_from_uploads(
    *,
    files: list[UploadedFile],
    by: User | None,
    default_publisher: Publisher | None = None,
    default_published: datetime | None = None,
) -> ImportBatch:
    """Store uploaded files (zips unpacked) as a new batch's pending files; enqueue the batch.

    Files refused on sight — unsupported type, over the size limit, a zip over its limits or
    an unsafe zip entry — are recorded as rejected with the reason and no bytes kept; the
    rest wait, with their bytes, for a worker. The tasks are enqueued once the batch is
    committed, so a worker never looks for a batch that is not there yet.
    """
    limits = import_limits()
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            origin="upload",
            created_by=by,
            status=ImportStatus.PENDING,
            default_publisher=default_publisher,
            default_published=default_published,
        )
        rows: list[ImportFile] = []
        notices: list[str] = []
        held = pending = 0
        for upload in files:
            for row in _upload_rows(batch, upload, limits, notices):
                rows.append(row)
                held += len(row.content or b"")
                pending += row.outcome == ImportOutcome.PENDING
                if len(rows) >= _UPLOAD_ROWS or held >= _UPLOAD_BYTES:
                    ImportFile.objects.bulk_create(rows)
                    rows.clear()
                    held = 0
        ImportFile.objects.bulk_create(rows)
        if notices:
            batch.notices = notices
            batch.save(update_fields=["notices"])
        if pending:
            transaction.on_commit(partial(import_batch_enqueue, batch_id=batch.pk, files=pending))
        else:
            import_batch_finish(batch=batch)
    return batch


def _upload_rows(
    batch: ImportBatch, upload: UploadedFile, limits: ArchiveLimits, notices: list[str]
) -> Iterator[ImportFile]:
    """The ImportFile rows of one uploaded file: itself, or every entry of a zip.

    Warnings that refuse nothing (a zip manifest's ignored columns) are added to `notices`.
    """
    name = PurePath(upload.name or "upload").name
    kind = content_type_for(name)
    if kind == "zip":
        upload.seek(0)
        try:
            entries = open_zip(upload.file, name=name, limits=limits)
        except ArchiveError as exc:
            yield _rejected_row(batch, name, upload.size or 0, exc.reason)
            return
        any_entry = False
        # A manifest.csv / manifest.jsonl at the zip's root gives its entries their values.
        for entry, manifest in entries_with_manifest(entries, name=name, notices=notices):
            any_entry = True
            if entry.rejected:
                yield _rejected_row(batch, entry.name, entry.size, entry.reason)
            else:
                yield _pending_row(
                    batch, entry.name, entry.content_type, entry.data or b"", manifest
                )
        if not any_entry:
            yield _rejected_row(batch, name, upload.size or 0, f"{name}: no files in the archive")
        return
    if not kind:
        suffix = PurePath(name).suffix or "(none)"
        reason = f"{name}: unsupported file type {suffix!r} (expected .txt, .html, .htm or .zip)"
        yield _rejected_row(batch, name, upload.size or 0, reason)
        return
    if (upload.size or 0) > limits.max_file_bytes:
        reason = (
            f"{name}: file too large ({upload.size:,} bytes; "
            f"the limit is {limits.max_file_bytes:,})"
        )
        yield _rejected_row(batch, name, upload.size, reason)
        return
    upload.seek(0)
    data = upload.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:  # the declared size lied
        reason = f"{name}: file too large (the limit is {limits.max_file_bytes:,} bytes)"
        yield _rejected_row(batch, name, len(data), reason)
        return
    yield _pending_row(batch, name, kind, data)


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


def import_batch_enqueue(*, batch_id: int, files: int) -> int:
    """Enqueue enough tasks for `files` pending files that several workers can share them.

    One task per IMPORT_FILES_PER_TASK files, at most IMPORT_MAX_TASKS_PER_BATCH: every task
    works until nothing is left to claim, so extra tasks only matter when there are workers
    to run them. Returns the number of tasks enqueued.
    """
    from sources.tasks import process_import_batch  # the task module imports this one

    count = max(
        1,
        min(settings.IMPORT_MAX_TASKS_PER_BATCH, math.ceil(files / settings.IMPORT_FILES_PER_TASK)),
    )
    for _ in range(count):
        process_import_batch.enqueue(batch_id)
    return count


def import_batch_process(*, batch_id: int, worker: str, limit: int | None = None) -> int:
    """Claim and import the batch's pending files until none is left; return how many.

    Each round claims up to IMPORT_CLAIM_GROUP files (`SELECT … FOR UPDATE SKIP LOCKED` on
    PostgreSQL, so workers sharing a batch never claim the same file; on SQLite every
    transaction starts with `BEGIN IMMEDIATE` — see settings — which serialises the claims
    instead), parses them outside any transaction, then stores the group's articles and
    writes the files' outcomes in one transaction, after checking the files are still this
    worker's. A crash leaves a group's files pending and claimed; they can be claimed again
    once the claim is IMPORT_CLAIM_TIMEOUT_SECONDS old, or at once after
    `import_batch_resume`. `limit` stops after about that many files (tests, progress).
    """
    batch = ImportBatch.objects.select_related("default_publisher", "created_by").get(pk=batch_id)
    ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING
    )
    defaults = StoreDefaults(batch.default_publisher, batch.default_published)
    done = 0
    while limit is None or done < limit:
        size = settings.IMPORT_CLAIM_GROUP
        if limit is not None:
            size = min(size, limit - done)
        files = _import_files_claim(batch_id=batch_id, worker=worker, size=size)
        if not files:
            break
        done += _import_files_process(batch, files, worker=worker, defaults=defaults)
    _import_batch_finish_if_complete(batch_id)
    return done


def _import_files_claim(*, batch_id: int, worker: str, size: int) -> list[ImportFile]:
    """Claim up to `size` pending files nobody holds (or whose claim is stale)."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.IMPORT_CLAIM_TIMEOUT_SECONDS)
    with transaction.atomic():
        ids = list(
            ImportFile.objects.filter(batch_id=batch_id, outcome=ImportOutcome.PENDING)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return []
        ImportFile.objects.filter(pk__in=ids).update(
            claimed_by=worker[:200], claimed_at=now, attempts=F("attempts") + 1
        )
    return list(
        ImportFile.objects.filter(pk__in=ids)
        .only("id", "batch_id", "name", "size", "content", "content_type", "manifest", "attempts")
        .order_by("pk")
    )


def _import_files_process(
    batch: ImportBatch, files: list[ImportFile], *, worker: str, defaults: StoreDefaults
) -> int:
    """Parse the claimed files, then store them and their outcomes in one transaction."""
    # Fresh per group: a rolled-back group forgets the publishers it created.
    publishers = PublisherRegistry.load()
    parsed: list[tuple[ProcessedArticle, ImportFile]] = []
    rejected: list[tuple[ImportFile, str]] = []
    for file in files:
        if file.attempts > settings.IMPORT_MAX_ATTEMPTS:
            tries = file.attempts - 1
            reason = f"{file.name}: could not be processed (gave up after {tries} attempts)"
            rejected.append((file, reason))
            continue
        try:
            processed = process_document(
                bytes(file.content or b""),
                source_name=file.name,
                content_type=file.content_type,
                max_bytes=settings.IMPORT_MAX_FILE_BYTES,
            )
        except IngestError as exc:
            rejected.append((file, exc.reason))
        except Exception as exc:  # a parser bug must cost one file, not the batch
            logger.exception("Import of %s failed", file.name)
            rejected.append((file, f"{file.name}: could not be processed ({type(exc).__name__})"))
        else:
            if file.manifest:  # the upload's manifest row wins over what the page says
                apply_manifest(processed.meta, file.manifest)
            parsed.append((processed, file))
        file.content = None  # the parsed text is all we need from here on
    with transaction.atomic():
        mine = set(
            ImportFile.objects.select_for_update()
            .filter(
                pk__in=[f.pk for f in files], claimed_by=worker[:200], outcome=ImportOutcome.PENDING
            )
            .values_list("pk", flat=True)
        )
        # A file another worker took over (our claim went stale) is theirs to finish.
        parsed = [(p, f) for p, f in parsed if f.pk in mine]
        rejected = [(f, reason) for f, reason in rejected if f.pk in mine]
        if parsed:
            results = articles_store(
                [(p, f.size) for p, f in parsed],
                by=batch.created_by,
                batch=batch,
                publishers=publishers,
                defaults=defaults,
                files=[f for _, f in parsed],
            )
            _import_files_own_articles(batch, [f for _, f in parsed], results)
        if rejected:
            _import_files_update(
                [f for f, _ in rejected],
                [FileResult(f.name, ImportOutcome.REJECTED, reason=r) for f, r in rejected],
            )
    return len(mine)


def _import_files_own_articles(
    batch: ImportBatch, files: list[ImportFile], results: list[FileResult]
) -> None:
    """Turn "duplicate of itself" back into "imported" after an interrupted run.

    An article stored by this batch that no file of the batch reports as imported was
    stored by an earlier attempt whose outcome was lost (article and outcome are written in
    one transaction here, but older paths or a manual repair may have split them): the file
    that brings the same text again is the one that imported it, not a duplicate.
    """
    candidates = {
        r.article.pk
        for r in results
        if r.outcome == ImportOutcome.DUPLICATE and r.article is not None
    }
    if not candidates:
        return
    orphans = set(
        Article.objects.filter(pk__in=candidates, import_batch=batch)
        .exclude(
            Exists(
                ImportFile.objects.filter(
                    article=OuterRef("pk"), batch=batch, outcome=ImportOutcome.IMPORTED
                )
            )
        )
        .values_list("pk", flat=True)
    )
    changed = []
    for file, result in zip(files, results, strict=True):
        if result.outcome != ImportOutcome.DUPLICATE or result.article.pk not in orphans:
            continue
        orphans.discard(result.article.pk)  # a second copy in the group stays a duplicate
        result.outcome = ImportOutcome.IMPORTED
        result.claims_created = Claim.objects.filter(article=result.article).count()
        file.outcome = ImportOutcome.IMPORTED
        file.duplicate_of = None
        file.claims_created = result.claims_created
        changed.append(file)
    if changed:
        ImportFile.objects.bulk_update(changed, ["outcome", "duplicate_of", "claims_created"])


def _import_batch_finish_if_complete(batch_id: int) -> None:
    """Mark the batch done once none of its files is pending."""
    if ImportFile.objects.filter(batch_id=batch_id, outcome=ImportOutcome.PENDING).exists():
        return
    finished = (
        ImportBatch.objects.filter(pk=batch_id)
        .exclude(status=ImportStatus.DONE)
        .update(status=ImportStatus.DONE, finished_at=timezone.now())
    )
    if finished:  # only the worker that closed the batch clusters it
        import_batch_cluster(batch=ImportBatch.objects.get(pk=batch_id))


def import_batch_resume(*, batch_id: int) -> int:
    """Release every claim on the batch's pending files and enqueue it again.

    For a batch whose worker died: its files are claimable at once instead of after the
    claim timeout. A worker that is in fact still alive loses nothing but time — it checks
    its claim before storing, so no file is done twice. Returns the pending files.
    """
    with transaction.atomic():
        pending = ImportFile.objects.filter(batch_id=batch_id, outcome=ImportOutcome.PENDING)
        count = pending.update(claimed_by="", claimed_at=None)
        if count:
            ImportBatch.objects.filter(pk=batch_id).update(
                status=ImportStatus.RUNNING, finished_at=None
            )
            transaction.on_commit(partial(import_batch_enqueue, batch_id=batch_id, files=count))
        else:
            _import_batch_finish_if_complete(batch_id)
    return count


@dataclass(slots=True)
class BatchProgress:
    """Files of a batch by outcome and the claims its imports created."""

    total: int = 0
    pending: int = 0
    imported: int = 0
    duplicate: int = 0
    rejected: int = 0
    claims: int = 0

    @property
    def processed(self) -> int:
        return self.total - self.pending

    @property
    def finished(self) -> bool:
        return self.pending == 0

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.processed / self.total)


def import_batch_progress(*, batch: ImportBatch) -> BatchProgress:
    """Count the batch's files by outcome (one grouped query on the batch/outcome index)."""
    progress = BatchProgress()
    rows = (
        ImportFile.objects.filter(batch=batch)
        .values_list("outcome")
        .annotate(n=Count("id"), claims=Sum("claims_created"))
        .order_by()
    )
    for outcome, n, claims in rows:
        setattr(progress, outcome, n)
        progress.total += n
        progress.claims += claims or 0
    return progress


class WorkerState:
    """What the batch page says about the workers (see `import_worker_state`)."""

    OK = ""
    NO_WORKER = "no_worker"
    BUSY = "busy"
    STALLED = "stalled"


def import_worker_state(*, batch: ImportBatch, progress: BatchProgress) -> str:
    """Tell whether a worker is processing the batch; the page says so instead of hanging.

    The signal is django-tasks-db's own table plus the claims on our files, nothing extra:
    an idle `db_worker` polls every second, so an import task still READY after
    IMPORT_WORKER_GRACE_SECONDS means no worker is taking tasks — unless workers are busy
    with other import batches, which show as RUNNING tasks whose batches have recent claims
    (BUSY). A batch with pending files whose tasks are all gone, or RUNNING with no claim
    for IMPORT_CLAIM_TIMEOUT_SECONDS (the worker died), is STALLED: resume it.
    """
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from sources.tasks import process_import_batch

    if progress.finished:
        return WorkerState.OK
    now = timezone.now()
    tasks = list(
        DBTaskResult.objects.filter(
            task_path=process_import_batch.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        ).values_list("status", "args_kwargs", "enqueued_at")
    )

    def batch_of(args_kwargs) -> int | None:
        args = (args_kwargs or {}).get("args") or []
        return args[0] if args else None

    mine = [(status, enqueued) for status, ak, enqueued in tasks if batch_of(ak) == batch.pk]
    if not mine:
        return WorkerState.STALLED  # no task left that would process the pending files
    recent = now - timedelta(seconds=settings.IMPORT_CLAIM_TIMEOUT_SECONDS)
    if any(status == TaskResultStatus.RUNNING for status, _ in mine):
        active = ImportFile.objects.filter(batch=batch).filter(
            Q(claimed_at__gte=recent) | Q(processed_at__gte=recent)
        )
        if active.exists():
            return WorkerState.OK
    ready = [enqueued for status, enqueued in mine if status == TaskResultStatus.READY]
    if not ready:
        return WorkerState.STALLED  # only tasks of workers that stopped making progress
    grace = now - timedelta(seconds=settings.IMPORT_WORKER_GRACE_SECONDS)
    if not any(enqueued <= grace for enqueued in ready):
        return WorkerState.OK  # just enqueued: give a worker a moment to take it
    others = {batch_of(ak) for s, ak, _ in tasks if s == TaskResultStatus.RUNNING} - {None}
    if others and ImportFile.objects.filter(batch_id__in=others, claimed_at__gte=recent).exists():
        return WorkerState.BUSY
    return WorkerState.NO_WORKER
