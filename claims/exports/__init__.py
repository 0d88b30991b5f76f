"""Export claims: CSV (spreadsheet-safe, optional BOM for Excel), JSON Lines, JSON (one array,
streamed) and schema.org ClaimReview JSON-LD (verified, disputed and refuted claims only).

The record is defined once, in `schema` (described by `docs/export-schema.json`, version
`SCHEMA_VERSION`); both ways of building it are generated from that table:

- `records`: from model instances with per-chunk prefetches (full) or `values_list` rows
  (plain) — the path on SQLite and for ClaimReview, and `Export(sql=False)`;
- `postgres`: in SQL, streamed with binary COPYs over article-id ranges — CSV, JSON Lines
  and JSON on PostgreSQL, byte for byte what the Python path writes (same canonical JSON,
  same CSV, same hash).

`formats` holds the writers and `Tally` (the claim count and the file's SHA-256). This
module is the entry point: the selection (`export_queryset`), `Export`, and the
`ExportRecord` bookkeeping the web view and the command share.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import models
from django.db.models import QuerySet
from django.http import QueryDict

from claims.exports import postgres
from claims.exports.formats import (
    CLAIMREVIEW_STATUSES,
    FORMATS,
    Tally,
    stream_claimreview,
    stream_csv,
    stream_json,
    stream_jsonl,
)
from claims.exports.records import iter_full_records, iter_plain_records
from claims.exports.schema import SCHEMA_VERSION
from claims.models import ClaimStatus, ExportRecord
from claims.triage import triage_queryset
from sources.registry import PublisherRegistry
from workbench.events import announce

__all__ = [
    "FORMATS",
    "SCHEMA_VERSION",
    "Export",
    "export_queryset",
    "export_record_announce",
    "export_record_complete",
    "export_record_create",
    "filter_params",
    "recorded_stream",
    "status_counts",
]


# --- Selection -------------------------------------------------------------------------------


def export_queryset(filters, user, *, article_ids: Iterable[int] = ()) -> QuerySet:
    """Claims the queue shows for `filters` (triage.TriageFilters), in article order.

    Same filter as the queue (`triage_queryset`): exports walk the selection by article and
    span, not the queue's score order. The queue's joins are dropped; its evidence-count
    annotation is left out of `values_list` reads (the plain path) by Django. (Filtering
    `pk__in` the queue's queryset instead halves the plain path's speed on PostgreSQL.)
    """
    qs = triage_queryset(filters, user).select_related(None)
    if article_ids:
        qs = qs.filter(article_id__in=list(article_ids))
    return qs.order_by("article_id", "start", "id")


def filter_params(filters) -> dict[str, list[str]]:
    """The filter as stored in ExportRecord: {parameter: [values]} (cursor and order dropped)."""
    params = QueryDict(filters.querystring(o=""))
    return {key: params.getlist(key) for key in sorted(params)}


def status_counts(queryset: QuerySet) -> dict[str, int]:
    """Count the selection by status (one grouped query), in workflow order."""
    rows = dict(
        queryset.order_by()
        .values("status")
        .annotate(n=models.Count("id"))
        .values_list("status", "n")
    )
    return {s: rows[s] for s in ClaimStatus.values if rows.get(s)}


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
    # Build CSV/JSON Lines/JSON records in SQL when the database can (PostgreSQL);
    # False forces the Python path (tests compare the two).
    sql: bool = True
    # {model: filter} of the ratings and notes the reader may see (desk.blind): the
    # SQL path cannot filter them, so an export that hides some is built in Python.
    visible: dict = field(default_factory=dict)

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
        return iter_full_records(
            self.queryset, include_notes=self.include_notes, visible=self.visible
        )

    @property
    def uses_sql(self) -> bool:
        """CSV/JSON Lines/JSON on PostgreSQL: records built in SQL (`postgres`)."""
        return (
            self.sql
            and not self.visible
            and self.fmt in ("csv", "jsonl", "json")
            and postgres.supported(self.queryset)
        )

    def stream(self) -> Iterator[bytes]:
        """Yield the export's file lazily, as UTF-8 bytes; `tally` is complete once this is
        exhausted. Bytes all the way: decoding a gigabyte and encoding it again for the
        response or the file would cost more CPU than the hash."""
        if self.uses_sql:
            # The SQL path hashes the bytes it reads from PostgreSQL itself.
            options = {"detail": self.detail, "include_notes": self.include_notes}
            if self.fmt == "csv":
                return postgres.stream_csv(self.queryset, bom=self.bom, tally=self.tally, **options)
            if self.fmt == "jsonl":
                return postgres.stream_jsonl(self.queryset, tally=self.tally, **options)
            return postgres.stream_json(self.queryset, tally=self.tally, **options)
        return self._hashed(self._python_stream())

    def _python_stream(self) -> Iterator[str]:
        records = self.records()
        if self.fmt == "csv":
            return stream_csv(records, detail=self.detail, bom=self.bom, tally=self.tally)
        if self.fmt == "jsonl":
            return stream_jsonl(records, tally=self.tally)
        if self.fmt == "json":
            return stream_json(records, tally=self.tally)
        return stream_claimreview(
            records,
            base_url=self.base_url,
            organisation=self.organisation,
            is_outlet=PublisherRegistry.shared().names_outlet,
            tally=self.tally,
        )

    def _hashed(self, chunks: Iterator[str]) -> Iterator[bytes]:
        """Every chunk as the UTF-8 bytes of the file, hashed."""
        for chunk in chunks:
            data = chunk.encode()
            self.tally.add_bytes(data)
            yield data


def export_record_create(
    *,
    user,
    fmt: str,
    filters: dict,
    include_notes: bool,
    origin: str,
    count: int = 0,
    content_hash: str = "",
) -> ExportRecord:
    """Record an export: who, what filter, which format, and what was delivered (the number
    of claims and the content hash).

    With its hash the export is announced ("export.created"); one created first, without,
    is announced by `export_record_complete`.
    """
    record = ExportRecord.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        format=fmt,
        filters=filters,
        include_notes=include_notes,
        origin=origin,
        claim_count=count,
        content_hash=content_hash,
    )
    if content_hash:
        export_record_announce(record)
    return record


def export_record_complete(record: ExportRecord, *, count: int, content_hash: str) -> None:
    """Store the number of claims exported and the content hash of a record created first."""
    ExportRecord.objects.filter(pk=record.pk).update(claim_count=count, content_hash=content_hash)
    record.claim_count, record.content_hash = count, content_hash
    export_record_announce(record)


def export_record_announce(record: ExportRecord) -> None:
    """Announce a recorded export ("export.created"), once its count and hash are known."""
    announce(
        sender=ExportRecord,
        type="export.created",
        data={
            "export": {
                "id": record.pk,
                "format": record.format,
                "claim_count": record.claim_count,
                "content_hash": record.content_hash,
                "include_notes": record.include_notes,
                "origin": record.origin,
                "filters": record.filters,
            },
            "by": record.user.get_username() if record.user is not None else None,
        },
    )


def recorded_stream(export: Export, **record) -> Iterator[bytes]:
    """Yield the export's bytes; once the last one was produced, record the export
    (`export_record_create(**record)`) with its count and hash.

    Only what was delivered is recorded: an export that fails half way (the exception goes
    through here) or that its reader abandons (the generator is closed at a `yield`) leaves
    no ExportRecord, rather than one whose count and hash describe no file.
    """
    yield from export.stream()
    export_record_create(**record, count=export.tally.count, content_hash=export.tally.hexdigest)
