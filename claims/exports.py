"""Serialise claims for export: records built chunk by chunk and streamed, never all in memory.

Two kinds of record (both described by `docs/export-schema.json`, version `SCHEMA_VERSION`):

- **full** — everything a reviewer hands on: the claim, its article, the sentence before and
  after, credibility, the ratings summary, corroborations with their independence, notes
  (optional), who set the verdict and when, and the number of recorded changes. Built from
  model instances with prefetches *per chunk* (`iterator(chunk_size=…)`) plus one query per
  chunk for the neighbouring sentences and one per historical table for the change counts:
  the number of queries grows with the number of chunks, never with the number of claims.
  On PostgreSQL, full CSV, JSON Lines and JSON records are instead built in SQL and streamed
  with binary COPYs over article-id ranges (`claims.exports_sql`), byte for byte what this
  module writes (same canonical JSON, same CSV, same hash); `Export(sql=False)` forces the
  Python path, which SQLite and ClaimReview always use.
- **plain** — the per-claim columns only (claim and article), read with `values_list` through
  a server-side cursor on PostgreSQL: the fast path for very large exports.

Formats: CSV (spreadsheet-safe, optional BOM for Excel), JSON Lines, JSON (one array,
streamed) and schema.org ClaimReview JSON-LD (verified, disputed and refuted claims only).
The content hash recorded for an export is the SHA-256 of the file itself (`sha256sum` checks
it): the same selection exported again in the same format gives the same hash when nothing
changed, and the export time is not part of it. The report's hash is the SHA-256 of the
records' canonical JSON (sorted keys, compact, UTF-8, one record per line), which is the
JSON Lines export of the same selection: its file hash.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import batched

from django.db import connection, models
from django.db.models import Count, Prefetch, QuerySet
from django.http import QueryDict

from claims.models import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Confidence,
    Corroboration,
    Credibility,
    ExportRecord,
    Note,
    Rating,
)
from sources.models import article_body_fields

SCHEMA_VERSION = "1.0"
CHUNK_SIZE = 2000
PLAIN_CHUNK_SIZE = 5000

# Web/CLI format name → (media type, file extension).
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "jsonl": ("application/x-ndjson; charset=utf-8", "jsonl"),
    "json": ("application/json; charset=utf-8", "json"),
    "claimreview": ("application/ld+json; charset=utf-8", "jsonld"),
}

# The ClaimReview rating scale: worst 1, best 5; only these verdicts are published.
CLAIMREVIEW_BEST = 5
CLAIMREVIEW_WORST = 1
CLAIMREVIEW_RATINGS: dict[str, int] = {
    ClaimStatus.REFUTED: 1,
    ClaimStatus.DISPUTED: 3,
    ClaimStatus.VERIFIED: 5,
}
CLAIMREVIEW_STATUSES = tuple(CLAIMREVIEW_RATINGS)

# Words that make a speaker an organisation rather than a person in ClaimReview.
ORGANISATION_WORDS = frozenset(
    [
        "ministry",
        "agency",
        "company",
        "corporation",
        "corp",
        "inc",
        "ltd",
        "llc",
        "group",
        "association",
        "council",
        "bureau",
        "department",
        "office",
        "government",
        "commission",
        "committee",
        "institute",
        "university",
        "bank",
        "times",
        "daily",
        "news",
        "xinhua",
        "reuters",
        "party",
        "administration",
        "authority",
        "federation",
        "union",
    ]
)

# Leading characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"

CREDIBILITY_LABELS = dict(Credibility.choices)
STATUS_LABELS = dict(ClaimStatus.choices)


# --- Selection -------------------------------------------------------------------------------


def export_queryset(filters, user, *, article_ids: Iterable[int] = ()) -> QuerySet:
    """Claims the queue shows for `filters` (triage.TriageFilters), in article order.

    Same filter as the queue (`triage_queryset`): exports walk the selection by article and
    span, not the queue's score order. The queue's joins are dropped; its evidence-count
    annotation is left out of `values_list` reads (the plain path) by Django. (Filtering
    `pk__in` the queue's queryset instead halves the plain path's speed on PostgreSQL.)
    """
    from claims.triage import triage_queryset

    qs = triage_queryset(filters, user).select_related(None)
    if article_ids:
        qs = qs.filter(article_id__in=list(article_ids))
    return qs.order_by("article_id", "start", "id")


def filter_params(filters) -> dict[str, list[str]]:
    """The filter as stored in ExportRecord: {parameter: [values]} (cursor and order dropped)."""
    params = QueryDict(filters.querystring(o=""))
    return {key: params.getlist(key) for key in sorted(params)}


# --- Full records ----------------------------------------------------------------------------


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def full_queryset(queryset: QuerySet, *, include_notes: bool = True) -> QuerySet:
    """Add the joins and per-chunk prefetches a full record needs."""
    prefetches = [
        Prefetch(
            "corroborations",
            queryset=Corroboration.objects.select_related("publisher").order_by("created_at", "id"),
        ),
        Prefetch("ratings", queryset=Rating.objects.select_related("reviewer").order_by("id")),
    ]
    if include_notes:
        prefetches.append(
            Prefetch("notes", queryset=Note.objects.select_related("author").order_by("id"))
        )
    # Each claim gets its own copy of the article: leave the article's texts in the database.
    return (
        queryset.select_related("article__publisher", "reviewed_by")
        .defer(*article_body_fields("article__"))
        .prefetch_related(*prefetches)
    )


def neighbour_sentences(claims: list[Claim]) -> dict[int, tuple[str | None, str | None]]:
    """Return {claim id: (text before, text after)} from the neighbouring claims of each article.

    One query for any number of claims: a window over the current claims (page chrome and
    retired claims excluded) of the articles concerned, kept only for the claims asked about.
    """
    if not claims:
        return {}
    ids = [c.pk for c in claims]
    article_ids = sorted({c.article_id for c in claims})
    qn = connection.ops.quote_name
    table = qn(Claim._meta.db_table)
    sql = (
        "SELECT id, prev_text, next_text FROM ("
        f" SELECT id, LAG(text) OVER w AS prev_text, LEAD(text) OVER w AS next_text FROM {table}"
        f" WHERE article_id IN ({', '.join(['%s'] * len(article_ids))})"
        " AND kind <> %s AND NOT retired"
        f" WINDOW w AS (PARTITION BY article_id ORDER BY {qn('start')}, id)"
        f") neighbours WHERE id IN ({', '.join(['%s'] * len(ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*article_ids, ClaimKind.CHROME, *ids])
        return {pk: (before, after) for pk, before, after in cursor.fetchall()}


def history_counts(claim_ids: list[int]) -> dict[int, int]:
    """Return {claim id: number of recorded changes} over the claim and what is attached to it.

    One grouped query per historical table (claim, corroboration, rating, note) — the same
    records the claim page's history shows.
    """
    counts: Counter[int] = Counter()
    if not claim_ids:
        return counts
    tables = [
        (Claim.history.model, "id"),
        (Corroboration.history.model, "claim_id"),
        (Rating.history.model, "claim_id"),
        (Note.history.model, "claim_id"),
    ]
    for model, key in tables:
        rows = (
            model.objects.filter(**{f"{key}__in": claim_ids})
            .order_by()
            .values_list(key)
            .annotate(n=Count("history_id"))
        )
        for claim_id, n in rows:
            counts[claim_id] += n
    return counts


def ratings_summary(ratings: list[Rating]) -> dict:
    """Each reviewer's confidence and how far the reviewers agree."""
    counts = {value: 0 for value in Confidence.values}
    for rating in ratings:
        counts[rating.confidence] = counts.get(rating.confidence, 0) + 1
    total = len(ratings)
    top = max(counts.values()) if total else 0
    modal = [k for k, v in counts.items() if v == top and top]
    return {
        "count": total,
        "counts": counts,
        "consensus": modal[0] if len(modal) == 1 else None,
        "agreement": f"{top} of {total} agree" if total > 1 else None,
        "unanimous": total > 1 and top == total,
        "reviewers": [
            {
                "reviewer": _username(r.reviewer),
                "confidence": r.confidence,
                "rationale": r.rationale,
                "rated_at": _iso(r.updated_at),
            }
            for r in sorted(ratings, key=lambda r: (_username(r.reviewer) or "", r.pk))
        ],
    }


def corroboration_record(c: Corroboration) -> dict:
    return {
        "id": c.pk,
        "url": c.url or None,
        "outlet": c.outlet or None,
        "publisher": c.publisher.name if c.publisher_id else None,
        "published_on": _iso(c.published_on),
        "excerpt": c.excerpt,
        "stance": c.stance,
        "evidence_claim_id": c.evidence_claim_id,
        "independence": c.independence,
        "independence_reason": c.independence_reason,
        "independence_overridden": c.independence_overridden,
    }


def full_record(
    claim: Claim,
    *,
    context: tuple[str | None, str | None],
    changes: int,
    include_notes: bool,
) -> dict:
    """Return the full export record of a claim whose relations were prefetched."""
    article = claim.article
    publisher = article.publisher
    record = {
        "schema_version": SCHEMA_VERSION,
        "detail": "full",
        "id": claim.pk,
        "article_id": claim.article_id,
        "start": claim.start,
        "end": claim.end,
        "text": claim.text,
        "kind": claim.kind,
        "status": claim.status,
        "status_label": STATUS_LABELS.get(claim.status, claim.status),
        "credibility": claim.credibility,
        "credibility_label": CREDIBILITY_LABELS.get(claim.credibility, ""),
        "score": claim.score,
        "speaker": claim.speaker or None,
        "article": {
            "id": article.pk,
            "title": article.title,
            "publisher": publisher.name if publisher else None,
            "publisher_id": article.publisher_id,
            "published": _iso(article.published_at),
            "url": article.url or None,
        },
        "context": {"before": context[0], "after": context[1]},
        "ratings": ratings_summary(list(claim.ratings.all())),
        "corroborations": [corroboration_record(c) for c in claim.corroborations.all()],
        "reviewed_by": _username(claim.reviewed_by),
        "reviewed_at": _iso(claim.reviewed_at),
        "history_changes": changes,
    }
    if include_notes:
        record["notes"] = [
            {
                "id": n.pk,
                "author": _username(n.author),
                "text": n.text,
                "created_at": _iso(n.created_at),
                "updated_at": _iso(n.updated_at),
            }
            for n in claim.notes.all()
        ]
    return record


def iter_full_claims(
    queryset: QuerySet, *, include_notes: bool = True, chunk_size: int = CHUNK_SIZE
) -> Iterator[tuple[Claim, dict]]:
    """Yield (claim, full record) for every claim of `queryset`, chunk by chunk.

    Django prefetches per chunk of `iterator(chunk_size)`; batching the same number of rows
    here lets the neighbour and history queries run once per chunk as well.
    """
    rows = full_queryset(queryset, include_notes=include_notes).iterator(chunk_size=chunk_size)
    for chunk in batched(rows, chunk_size, strict=False):
        claims = list(chunk)
        neighbours = neighbour_sentences(claims)
        changes = history_counts([c.pk for c in claims])
        for claim in claims:
            record = full_record(
                claim,
                context=neighbours.get(claim.pk, (None, None)),
                changes=changes.get(claim.pk, 0),
                include_notes=include_notes,
            )
            yield claim, record


def iter_full_records(queryset: QuerySet, *, include_notes: bool = True) -> Iterator[dict]:
    """Yield the full records of `queryset` (see `iter_full_claims`)."""
    for _, record in iter_full_claims(queryset, include_notes=include_notes):
        yield record


# --- Plain records (the fast path) -----------------------------------------------------------

PLAIN_COLUMNS = (
    "id",
    "article_id",
    "start",
    "end",
    "text",
    "kind",
    "status",
    "credibility",
    "score",
    "speaker",
    "article__title",
    "article__publisher__name",
    "article__published_at",
    "article__url",
    "reviewed_at",
)


def iter_plain_rows(queryset: QuerySet, *, chunk_size: int = PLAIN_CHUNK_SIZE) -> Iterator[tuple]:
    """Yield the `PLAIN_COLUMNS` of each claim as tuples, through a server-side cursor."""
    return queryset.values_list(*PLAIN_COLUMNS).iterator(chunk_size=chunk_size)


def iter_plain_records(queryset: QuerySet, *, chunk_size: int = PLAIN_CHUNK_SIZE) -> Iterator[dict]:
    """Yield plain records: the claim's own columns and its article's, no model instances."""
    for (
        pk,
        article_id,
        start,
        end,
        text,
        kind,
        status,
        credibility,
        score,
        speaker,
        title,
        publisher,
        published,
        url,
        reviewed_at,
    ) in iter_plain_rows(queryset, chunk_size=chunk_size):
        yield {
            "schema_version": SCHEMA_VERSION,
            "detail": "plain",
            "id": pk,
            "article_id": article_id,
            "start": start,
            "end": end,
            "text": text,
            "kind": kind,
            "status": status,
            "credibility": credibility,
            "score": score,
            "speaker": speaker or None,
            "article": {
                "id": article_id,
                "title": title,
                "publisher": publisher,
                "published": published.isoformat() if published else None,
                "url": url or None,
            },
            "reviewed_at": reviewed_at.isoformat() if reviewed_at else None,
        }


# --- Content hash and counting ---------------------------------------------------------------


# One encoder for every record: json.dumps() with options builds a new one per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(record: dict) -> str:
    """The record as canonical JSON: sorted keys, no spaces, UTF-8 characters kept."""
    return _CANONICAL.encode(record)


@dataclass
class Tally:
    """Counts the claims an export writes and hashes what it writes.

    For a file export the hash is the SHA-256 of the file's bytes (`sha256sum` prints the
    same); for the report, `content_hash` feeds it the records' canonical JSON lines, which
    are the bytes of the JSON Lines export of the same selection.
    """

    count: int = 0
    _sha: object = field(default_factory=hashlib.sha256)

    def add(self, line: str) -> None:
        """Count one record and hash its canonical JSON line."""
        self._sha.update(line.encode())
        self._sha.update(b"\n")
        self.count += 1

    def add_bytes(self, data: bytes, count: int = 0) -> None:
        """Hash `data` (written to the file) holding `count` records."""
        self._sha.update(data)
        self.count += count

    @property
    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def content_hash(records: Iterable[dict]) -> str:
    """SHA-256 over the canonical JSON of `records`, one per line."""
    tally = Tally()
    for record in records:
        tally.add(canonical_json(record))
    return tally.hexdigest


# --- Formats ---------------------------------------------------------------------------------

BUFFER_ROWS = 500


def neutralise(value: object) -> object:
    """Make a cell safe for spreadsheets: text starting like a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


CSV_COLUMNS_PLAIN = [
    "schema_version",
    "id",
    "article_id",
    "start",
    "end",
    "text",
    "kind",
    "status",
    "credibility",
    "score",
    "speaker",
    "article_title",
    "publisher",
    "article_published",
    "article_url",
    "reviewed_at",
]
CSV_COLUMNS_FULL = [
    *CSV_COLUMNS_PLAIN[:11],
    "status_label",
    "credibility_label",
    *CSV_COLUMNS_PLAIN[11:],
    "sentence_before",
    "sentence_after",
    "ratings",
    "rating_agreement",
    "rating_consensus",
    "corroboration_count",
    "independent_supporting",
    "corroborations",
    "notes",
    "reviewed_by",
    "history_changes",
]


def _corroboration_cell(c: dict) -> str:
    parts = [
        c["stance"],
        f"{c['independence']}"
        + (f" ({c['independence_reason']})" if c["independence_reason"] else ""),
        c["publisher"] or c["outlet"] or "",
        c["url"] or "",
        c["published_on"] or "",
        f"“{c['excerpt']}”" if c["excerpt"] else "",
    ]
    return " | ".join(p for p in parts if p)


def csv_row(record: dict) -> list:
    """Flatten a record to the CSV columns of its detail (lists become one line per item)."""
    article = record["article"]
    row = {
        "schema_version": record["schema_version"],
        "id": record["id"],
        "article_id": record["article_id"],
        "start": record["start"],
        "end": record["end"],
        "text": record["text"],
        "kind": record["kind"],
        "status": record["status"],
        "credibility": record["credibility"],
        "score": record["score"],
        "speaker": record["speaker"] or "",
        "article_title": article["title"],
        "publisher": article["publisher"] or "",
        "article_published": article["published"] or "",
        "article_url": article["url"] or "",
        "reviewed_at": record["reviewed_at"] or "",
    }
    if record["detail"] == "plain":
        return [neutralise(row[c]) for c in CSV_COLUMNS_PLAIN]
    ratings = record["ratings"]
    corroborations = record["corroborations"]
    row |= {
        "status_label": record["status_label"],
        "credibility_label": record["credibility_label"],
        "sentence_before": record["context"]["before"] or "",
        "sentence_after": record["context"]["after"] or "",
        "ratings": "\n".join(f"{r['reviewer']}: {r['confidence']}" for r in ratings["reviewers"]),
        "rating_agreement": ratings["agreement"] or "",
        "rating_consensus": ratings["consensus"] or "",
        "corroboration_count": len(corroborations),
        "independent_supporting": sum(
            1
            for c in corroborations
            if c["stance"] == "supports" and c["independence"] == "independent"
        ),
        "corroborations": "\n".join(_corroboration_cell(c) for c in corroborations),
        "notes": "\n".join(f"{n['author'] or '—'}: {n['text']}" for n in record.get("notes", [])),
        "reviewed_by": record["reviewed_by"] or "",
        "history_changes": record["history_changes"],
    }
    return [neutralise(row[c]) for c in CSV_COLUMNS_FULL]


def stream_csv(
    records: Iterable[dict], *, detail: str, bom: bool = False, tally: Tally | None = None
) -> Iterator[str]:
    """Yield CSV text in chunks of rows (header first; BOM first when asked, for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS_FULL if detail == "full" else CSV_COLUMNS_PLAIN)
    head = buffer.getvalue()
    yield (BOM + head) if bom else head
    buffer.seek(0)
    buffer.truncate()
    for n, record in enumerate(records, 1):
        if tally is not None:
            tally.count += 1
        writer.writerow(csv_row(record))
        if n % BUFFER_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def stream_plain_csv(
    rows: Iterable[tuple], *, bom: bool = False, tally: Tally | None = None
) -> Iterator[str]:
    """Yield plain CSV straight from `iter_plain_rows` tuples (no dicts, no JSON)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS_PLAIN)
    head = buffer.getvalue()
    yield (BOM + head) if bom else head
    buffer.seek(0)
    buffer.truncate()
    count = 0
    for row in rows:
        published, reviewed_at = row[12], row[14]
        writer.writerow(
            (
                SCHEMA_VERSION,
                *row[:4],
                neutralise(row[4]),
                *row[5:9],
                neutralise(row[9]),
                neutralise(row[10]),
                neutralise(row[11] or ""),
                published.isoformat() if published else "",
                neutralise(row[13]),
                reviewed_at.isoformat() if reviewed_at else "",
            )
        )
        count += 1
        if count % BUFFER_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if tally is not None:
        tally.count = count
    if buffer.tell():
        yield buffer.getvalue()


def stream_jsonl(records: Iterable[dict], *, tally: Tally | None = None) -> Iterator[str]:
    """Yield JSON Lines (each line the record's canonical JSON) in chunks of lines."""
    lines: list[str] = []
    for record in records:
        if tally is not None:
            tally.count += 1
        lines.append(canonical_json(record))
        if len(lines) == BUFFER_ROWS:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def stream_json_array(items: Iterable[str]) -> Iterator[str]:
    """Yield one JSON array from already-serialised items, one item per line."""
    yield "["
    lines: list[str] = []
    first = True
    for item in items:
        lines.append(("\n" if first else ",\n") + item)
        first = False
        if len(lines) == BUFFER_ROWS:
            yield "".join(lines)
            lines = []
    yield "".join(lines) + "\n]\n"


def _tallied(records: Iterable[dict], tally: Tally | None) -> Iterator[str]:
    for record in records:
        if tally is not None:
            tally.count += 1
        yield canonical_json(record)


def stream_json(records: Iterable[dict], *, tally: Tally | None = None) -> Iterator[str]:
    """Yield one JSON array of the records, streamed."""
    yield from stream_json_array(_tallied(records, tally))


# --- ClaimReview (schema.org) ----------------------------------------------------------------


def _speaker(name: str) -> dict:
    words = {w.strip(".,'’").casefold() for w in name.split()}
    kind = "Organization" if words & ORGANISATION_WORDS else "Person"
    return {"@type": kind, "name": name}


def claimreview(record: dict, *, base_url: str, organisation: str) -> dict:
    """Return the schema.org ClaimReview of a full record with a published verdict.

    Rating scale: refuted 1, disputed 3, verified 5 (worst 1, best 5); `alternateName` is
    the verdict's label.
    """
    article = record["article"]
    appearance = {
        "@type": "NewsArticle",
        "headline": article["title"],
        "url": article["url"] or f"{base_url}/sources/articles/{article['id']}/",
    }
    if article["published"]:
        appearance["datePublished"] = article["published"]
    if article["publisher"]:
        appearance["publisher"] = {"@type": "Organization", "name": article["publisher"]}
    item = {"@type": "Claim", "appearance": appearance}
    if record["speaker"]:
        item["author"] = _speaker(record["speaker"])
    elif article["publisher"]:
        item["author"] = {"@type": "Organization", "name": article["publisher"]}
    if article["published"]:
        item["datePublished"] = article["published"][:10]
    review_date = record["reviewed_at"] or None
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"{base_url}/claims/{record['id']}/",
        "claimReviewed": record["text"],
        "itemReviewed": item,
        "author": {"@type": "Organization", "name": organisation, "url": base_url + "/"},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": CLAIMREVIEW_RATINGS[record["status"]],
            "bestRating": CLAIMREVIEW_BEST,
            "worstRating": CLAIMREVIEW_WORST,
            "alternateName": record["status_label"],
        },
    }
    if review_date:
        review["datePublished"] = review_date[:10]
    if record.get("reviewed_by"):
        review["creator"] = {"@type": "Person", "name": record["reviewed_by"]}
    return review


def stream_claimreview(
    records: Iterable[dict], *, base_url: str, organisation: str, tally: Tally | None = None
) -> Iterator[str]:
    """Yield one JSON-LD array of ClaimReviews (records of other statuses are skipped)."""

    def reviews():
        for record in records:
            if record["status"] not in CLAIMREVIEW_RATINGS:
                continue
            if tally is not None:
                tally.count += 1
            yield json.dumps(
                claimreview(record, base_url=base_url, organisation=organisation),
                ensure_ascii=False,
            )

    yield from stream_json_array(reviews())


# --- One export, start to finish -------------------------------------------------------------


@dataclass
class Export:
    """An export of a selection: its streamed text and, once streamed, its count and hash."""

    queryset: QuerySet
    fmt: str
    detail: str = "full"
    include_notes: bool = True
    bom: bool = False
    base_url: str = "http://localhost:8000"
    organisation: str = "Claim workbench"
    tally: Tally = field(default_factory=Tally)
    # Build full CSV/JSON Lines/JSON records in SQL when the database can (PostgreSQL);
    # False forces the Python path (tests compare the two).
    sql: bool = True

    def __post_init__(self) -> None:
        if self.fmt not in FORMATS:
            raise ValueError(f"unknown export format {self.fmt!r}")
        if self.fmt == "claimreview":
            # ClaimReview publishes verdicts only, and needs the full record.
            self.detail = "full"
            self.queryset = self.queryset.filter(status__in=CLAIMREVIEW_STATUSES)

    @property
    def content_type(self) -> str:
        return FORMATS[self.fmt][0]

    @property
    def extension(self) -> str:
        return FORMATS[self.fmt][1]

    def records(self) -> Iterator[dict]:
        if self.detail == "plain":
            return iter_plain_records(self.queryset)
        return iter_full_records(self.queryset, include_notes=self.include_notes)

    @property
    def uses_sql(self) -> bool:
        """CSV/JSON Lines/JSON on PostgreSQL: records built in SQL (`exports_sql`)."""
        from claims import exports_sql

        return (
            self.sql
            and self.fmt in ("csv", "jsonl", "json")
            and exports_sql.supported(self.queryset)
        )

    def stream(self) -> Iterator[bytes]:
        """Yield the export's file lazily, as UTF-8 bytes; `tally` is complete once this is
        exhausted. Bytes all the way: decoding a gigabyte and encoding it again for the
        response or the file would cost more CPU than the hash."""
        if self.uses_sql:
            # The SQL path hashes the bytes it reads from PostgreSQL itself.
            from claims import exports_sql

            options = {"detail": self.detail, "include_notes": self.include_notes}
            if self.fmt == "csv":
                return exports_sql.stream_csv(
                    self.queryset, bom=self.bom, tally=self.tally, **options
                )
            if self.fmt == "jsonl":
                return exports_sql.stream_jsonl(self.queryset, tally=self.tally, **options)
            return exports_sql.stream_json(self.queryset, tally=self.tally, **options)
        return self._hashed(self._python_stream())

    def _python_stream(self) -> Iterator[str]:
        if self.fmt == "csv" and self.detail == "plain":
            return stream_plain_csv(iter_plain_rows(self.queryset), bom=self.bom, tally=self.tally)
        records = self.records()
        if self.fmt == "csv":
            return stream_csv(records, detail=self.detail, bom=self.bom, tally=self.tally)
        if self.fmt == "jsonl":
            return stream_jsonl(records, tally=self.tally)
        if self.fmt == "json":
            return stream_json(records, tally=self.tally)
        return stream_claimreview(
            records, base_url=self.base_url, organisation=self.organisation, tally=self.tally
        )

    def _hashed(self, chunks: Iterator[str]) -> Iterator[bytes]:
        """Every chunk as the UTF-8 bytes of the file, hashed."""
        for chunk in chunks:
            data = chunk.encode()
            self.tally.add_bytes(data)
            yield data


def export_record_create(
    *, user, fmt: str, filters: dict, include_notes: bool, origin: str
) -> ExportRecord:
    """Record that an export started (who, what filter, which format); completed later."""
    return ExportRecord.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        format=fmt,
        filters=filters,
        include_notes=include_notes,
        origin=origin,
    )


def export_record_complete(record: ExportRecord, *, count: int, content_hash: str) -> None:
    """Store the number of claims exported and the content hash once the stream ended."""
    ExportRecord.objects.filter(pk=record.pk).update(claim_count=count, content_hash=content_hash)
    record.claim_count, record.content_hash = count, content_hash


def recorded_stream(export: Export, record: ExportRecord) -> Iterator[bytes]:
    """Yield the export's bytes, then complete its ExportRecord with the count and hash."""
    yield from export.stream()
    export_record_complete(record, count=export.tally.count, content_hash=export.tally.hexdigest)


def status_counts(queryset: QuerySet) -> dict[str, int]:
    """Count the selection by status (one grouped query), in workflow order."""
    rows = dict(
        queryset.order_by()
        .values("status")
        .annotate(n=models.Count("id"))
        .values_list("status", "n")
    )
    return {s: rows[s] for s in ClaimStatus.values if rows.get(s)}


def group_by(items: Iterable, key) -> dict:
    grouped: dict = defaultdict(list)
    for item in items:
        grouped[key(item)].append(item)
    return grouped
