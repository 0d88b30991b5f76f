"""Export writers: CSV, JSON Lines, JSON and schema.org ClaimReview, streamed in chunks.

Every writer takes records (dicts of `schema.RECORD`) and yields text; `Tally` counts the
claims written and hashes the bytes. The content hash recorded for an export is the SHA-256
of the file itself (`sha256sum` checks it); the report's is the SHA-256 of the records'
canonical JSON lines, which is the JSON Lines export of the same selection: its file hash.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import batched

from claims.choices import STATUS_LABELS
from claims.exports.schema import (
    BOM,
    Changes,
    Computed,
    Constant,
    Count,
    Family,
    Field,
    List,
    Object,
    Summary,
    canonical_json,
    csv_columns,
    neutralise,
    record_fields,
)
from claims.models import ClaimStatus

# Web/CLI format name → (media type, file extension).
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "jsonl": ("application/x-ndjson; charset=utf-8", "jsonl"),
    "json": ("application/json; charset=utf-8", "json"),
    "claimreview": ("application/ld+json; charset=utf-8", "jsonld"),
}
BUFFER_ROWS = 500


@dataclass
class Tally:
    """Counts the claims an export writes and hashes what it writes.

    For a file export the hash is the SHA-256 of the file's bytes (`sha256sum` prints the
    same); for the report, `add` feeds it the records' canonical JSON lines, which are the
    bytes of the JSON Lines export of the same selection.
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


# --- CSV -------------------------------------------------------------------------------------


def csv_header(detail: str, *, bom: bool = False) -> str:
    """The CSV header line of a `detail` export (with a BOM first when asked, for Excel)."""
    head = ",".join(csv_columns(detail)) + "\r\n"
    return (BOM + head) if bom else head


def member_cells(member) -> list[Callable[[dict], object]]:
    """Functions reading a member's CSV cells from its value in the record."""
    name = member.name
    if isinstance(member, Constant | Field | Changes | Computed):
        if not member.csv:
            return []
        render = member.kind.csv if isinstance(member, Field | Computed) else (lambda v: v)
        return [lambda value: render(value[name])]
    if isinstance(member, Object | Summary):
        return [_within(name, read) for sub in member.fields for read in member_cells(sub)]
    if isinstance(member, List):
        return [_list_cell(name, column) for column in member.columns]
    if isinstance(member, Family):  # null (in no family): empty cells
        return [_within_present(name, read) for sub in member.fields for read in member_cells(sub)]
    raise TypeError(f"no CSV rendering for {member!r}")


def _within(name: str, read: Callable[[dict], object]) -> Callable[[dict], object]:
    return lambda value: read(value[name])


def _within_present(name: str, read: Callable[[dict], object]) -> Callable[[dict], object]:
    return lambda value: "" if value[name] is None else read(value[name])


def _list_cell(name: str, column) -> Callable[[dict], object]:
    if isinstance(column, Count):
        where = column.where
        if where is None:
            return lambda value: len(value.get(name, ()))
        return lambda value: sum(1 for item in value.get(name, ()) if where.evaluate(item))
    line = column.line
    return lambda value: "\n".join(str(line.evaluate(item)) for item in value.get(name, ()))


def row_cells(detail: str) -> list[Callable[[dict], object]]:
    """Functions reading each CSV cell of a `detail` record, in column order."""
    return [cell for member in record_fields(detail) for cell in member_cells(member)]


def csv_row(record: dict, cells: list[Callable[[dict], object]] | None = None) -> list:
    """Flatten a record to the CSV columns of its detail (lists become one line per item);
    `cells` are its detail's `row_cells`, when the caller has them already."""
    cells = row_cells(record["detail"]) if cells is None else cells
    return [neutralise(cell(record)) for cell in cells]


def stream_csv(
    records: Iterable[dict], *, detail: str, bom: bool = False, tally: Tally | None = None
) -> Iterator[str]:
    """Yield CSV text in chunks of rows (header first; BOM first when asked, for Excel)."""
    yield csv_header(detail, bom=bom)
    cells = row_cells(detail)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for n, record in enumerate(records, 1):
        if tally is not None:
            tally.count += 1
        writer.writerow(csv_row(record, cells))
        if n % BUFFER_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


# --- JSON Lines and JSON ---------------------------------------------------------------------


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


def _speaker(name: str, is_outlet: Callable[[str], bool]) -> dict:
    """A claim's speaker as schema.org: an Organization when the name is an outlet the
    registry knows ("Japanese public broadcaster NHK") or has an organisation's word in it,
    else a Person."""
    words = {w.strip(".,'’").casefold() for w in name.split()}
    organisation = bool(words & ORGANISATION_WORDS) or is_outlet(name)
    return {"@type": "Organization" if organisation else "Person", "name": name}


def _no_outlets(name: str) -> bool:
    return False


def one_line(text: str) -> str:
    """Text as one line: line breaks (a wire copy's hard wraps) and runs of spaces become one
    space. The claim's own text keeps them; a ClaimReview's `claimReviewed` is a sentence."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Publication:
    """A claim's published fact-check as its ClaimReview carries it (`publishing` makes them).

    `date_published` is the sign-off (ISO 8601), `path` the public page from the site's root,
    `reviewers` the names the desk chose to show (none by default).
    """

    rating: str
    review_body: str
    date_published: str
    path: str
    reviewers: tuple[str, ...] = ()


# The functions giving {claim id: Publication} for a list of claim ids: an app that publishes
# registers one in its AppConfig.ready (`claimreview_publications`), so this package reads no
# table of that app.
PublicationLookup = Callable[[list[int]], dict[int, Publication]]
_PUBLICATION_LOOKUPS: list[PublicationLookup] = []
PUBLICATION_BATCH = 500


def claimreview_publications(lookup: PublicationLookup) -> None:
    """Register where ClaimReview finds published fact-checks (once per function)."""
    if lookup not in _PUBLICATION_LOOKUPS:
        _PUBLICATION_LOOKUPS.append(lookup)


def publications_of(claim_ids: list[int]) -> dict[int, Publication]:
    """The published fact-checks of `claim_ids`, from every registered lookup."""
    found: dict[int, Publication] = {}
    for lookup in _PUBLICATION_LOOKUPS:
        found.update(lookup(claim_ids))
    return found


def claimreview(
    record: dict,
    *,
    base_url: str,
    organisation: str,
    is_outlet: Callable[[str], bool] = _no_outlets,
    publication: Publication | None = None,
) -> dict:
    """Return the schema.org ClaimReview of a full record with a published verdict.

    Rating scale: refuted 1, disputed 3, verified 5 (worst 1, best 5); `alternateName` is
    the verdict's label and `reviewBody` the reviewer's reason for it. The claim appeared in
    the article at its own URL (none when the article has none: the workbench's own page is
    not where it appeared). `is_outlet` tells a speaker that is an outlet (the registry's
    `PublisherRegistry.names_outlet`).

    A published fact-check (`publication`) gives the rating, `reviewBody` (its written
    summary), `datePublished` (its sign-off) and `url` (its public page); the reviewers are
    named only when the desk chose to. The export and the public page both build here.
    """
    article = record["article"]
    appearance = {"@type": "NewsArticle", "headline": one_line(article["title"])}
    if article["url"]:
        appearance["url"] = article["url"]
    if article["published"]:
        appearance["datePublished"] = article["published"]
    if article["publisher"]:
        appearance["publisher"] = {"@type": "Organization", "name": article["publisher"]}
    item = {"@type": "Claim", "appearance": appearance}
    if record["speaker"]:
        item["author"] = _speaker(one_line(record["speaker"]), is_outlet)
    elif article["publisher"]:
        item["author"] = {"@type": "Organization", "name": article["publisher"]}
    if article["published"]:
        item["datePublished"] = article["published"][:10]
    review_date = record["reviewed_at"] or None
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"{base_url}/claims/{record['id']}/",
        "claimReviewed": one_line(record["text"]),
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
    if publication is not None:
        review["url"] = base_url + publication.path
        review["reviewRating"]["ratingValue"] = CLAIMREVIEW_RATINGS[publication.rating]
        review["reviewRating"]["alternateName"] = STATUS_LABELS[publication.rating]
        review["reviewBody"] = publication.review_body
        review["datePublished"] = publication.date_published
        if publication.reviewers:
            review["creator"] = [{"@type": "Person", "name": n} for n in publication.reviewers]
        return review
    if record.get("verdict_reason"):
        review["reviewBody"] = record["verdict_reason"]
    if review_date:
        review["datePublished"] = review_date[:10]
    if record.get("reviewed_by"):
        review["creator"] = {"@type": "Person", "name": record["reviewed_by"]}
    return review


def stream_claimreview(
    records: Iterable[dict],
    *,
    base_url: str,
    organisation: str,
    is_outlet: Callable[[str], bool] = _no_outlets,
    tally: Tally | None = None,
) -> Iterator[str]:
    """Yield one JSON-LD array of ClaimReviews (records of other statuses are skipped)."""

    def reviews():
        # One look-up of published fact-checks per batch of records, never per claim.
        for batch in batched(records, PUBLICATION_BATCH, strict=False):
            published = publications_of([record["id"] for record in batch])
            for record in batch:
                if record["status"] not in CLAIMREVIEW_RATINGS:
                    continue
                if tally is not None:
                    tally.count += 1
                yield json.dumps(
                    claimreview(
                        record,
                        base_url=base_url,
                        organisation=organisation,
                        is_outlet=is_outlet,
                        publication=published.get(record["id"]),
                    ),
                    ensure_ascii=False,
                )

    yield from stream_json_array(reviews())
