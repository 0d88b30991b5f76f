"""Plain data passed between the ingestion stages (decode, repair, parse, segment, score).

Nothing here imports Django: the whole pipeline is testable without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class IngestError(ValueError):
    """Input that cannot become an article; `reason` is shown to the user as is."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Repair:
    """One change made to the received text to get the canonical text.

    `start`/`end` index the *received* text, `canonical_start`/`canonical_end` the canonical
    text, so a repair can be shown where it happened in both.
    """

    kind: str  # e.g. "mojibake-cp874", "mojibake-cp1252", "mojibake-macroman", "space"
    start: int
    end: int
    original: str
    replacement: str
    canonical_start: int
    canonical_end: int

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "original": self.original,
            "replacement": self.replacement,
            "canonical_start": self.canonical_start,
            "canonical_end": self.canonical_end,
        }


@dataclass(slots=True)
class Repaired:
    """The canonical text plus how it was made from the received text."""

    received: str
    text: str
    repairs: list[Repair] = field(default_factory=list)

    def to_received(self, pos: int) -> int:
        """Map an offset of the canonical text back to the received text."""
        delta = 0
        for r in self.repairs:
            if r.canonical_end <= pos:
                delta = r.end - r.canonical_end
            elif r.canonical_start < pos:
                return r.start  # inside a replacement: point at the start of what it replaced
            else:
                break
        return pos + delta

    def to_canonical(self, pos: int) -> int:
        """Map an offset of the received text to the canonical text."""
        delta = 0
        for r in self.repairs:
            if r.end <= pos:
                delta = r.canonical_end - r.end
            elif r.start < pos:
                return r.canonical_start
            else:
                break
        return pos + delta


@dataclass(frozen=True, slots=True)
class Segment:
    """A span of the canonical text with its kind: a claim, or chrome kept out of triage."""

    start: int
    end: int
    kind: str  # one of sources.ingest.kinds.SegmentKind values
    speaker: str = ""
    score: int = 0


@dataclass(slots=True)
class PageMeta:
    """Metadata found on the page itself; any of it may be missing."""

    title: str = ""
    published: datetime | None = None
    published_raw: str = ""
    byline: str = ""
    publisher_name: str = ""
    language: str = ""
    url: str = ""
    # The site's own name as the page declares it (og:site_name, JSON-LD publisher).
    site_name: str = ""
    # Why the publisher is what it is: an Evidence.as_dict() (see below), {} when unknown.
    publisher_evidence: dict = field(default_factory=dict)
    # Whose text it is (a wire agency's name for a wire copy), and why (ingest/provenance.py).
    origin_name: str = ""
    origin_evidence: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a metadata value came from: a span of the canonical text, or a named field.

    kind: e.g. "wire-credit", "dateline", "sign-off", "copyright", "email-domain",
    "self-reference", "masthead", "manifest", "html-meta", "url-domain".
    """

    kind: str
    text: str = ""
    start: int | None = None
    end: int | None = None
    field: str = ""
    why: str = ""

    def as_dict(self) -> dict:
        d = {"kind": self.kind, "text": self.text, "why": self.why}
        if self.start is not None:
            d["start"], d["end"] = self.start, self.end
        if self.field:
            d["field"] = self.field
        return d


@dataclass(slots=True)
class ProcessedArticle:
    """Everything the pipeline knows about one document, ready to store."""

    source_name: str
    received: str
    text: str
    encoding: str
    repairs: list[Repair]
    meta: PageMeta
    segments: list[Segment]
    sha256: str
    # Bottom-k shingle sketch for syndication clustering (fingerprint.py); computed
    # here so parallel parse processes do the hashing, not the process that stores.
    fingerprint: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ProcessedPage(ProcessedArticle):
    """A processed article that came from an HTML page, with the page as received."""

    original_html: str = ""


class BlockRole(StrEnum):
    """What a block of the page is; the segmenter maps roles to segment kinds."""

    HEADLINE = "headline"
    NEWSPAPER_HEADLINE = "newspaper_headline"
    MASTHEAD = "masthead"
    BYLINE = "byline"
    DATELINE = "dateline"
    SOURCE = "source"
    CAPTION = "caption"
    CREDIT = "credit"
    SUBHEADING = "subheading"
    SECTION_LABEL = "section_label"
    BULLET = "bullet"
    BODY = "body"
    DISCLAIMER = "disclaimer"
    CHROME = "chrome"


@dataclass(frozen=True, slots=True)
class Block:
    """A line or a paragraph of the page with its role; offsets index the canonical text."""

    start: int
    end: int
    role: str

    def text_of(self, text: str) -> str:
        """Return the block's exact text."""
        return text[self.start : self.end]


@dataclass(slots=True)
class ParsedPage:
    """The page's metadata and its blocks, sorted and non-overlapping."""

    meta: PageMeta
    blocks: list[Block] = field(default_factory=list)
    # Hard-wrapped text stored with a blank line after every line: a blank line inside a
    # block is a wrap, not a paragraph break (segment.py then does not cut there).
    double_spaced: bool = False
