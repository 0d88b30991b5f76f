"""Cut a parsed page into sentence segments: the claims (and chrome) of an article.

pysbd does the sentence boundary detection; its output is re-anchored to exact offsets of
the canonical text and corrected where it is known to go wrong on news copy:

- never a boundary across a blank line ("\\n\\n" ends a sentence), unless the page is
  hard-wrapped with a blank line after every line (paragraphs.py tells);
- a single "\\n" is a hard wrap, not a boundary (pysbd would split there, so it sees the
  paragraph with newlines turned into spaces — same length, same offsets);
- no boundary after an abbreviation that cannot end a sentence (Mr., Dr., No., e.g., i.e.,
  Jan. …), nor after one that can (Co., Corp., Inc., Ltd., U.S., U.K. …) when the next
  word starts lowercase;
- no boundary before a lowercase word or closing punctuation;
- no boundary inside parentheses ("(opens in a new tab)") or inside a quotation of at most
  `MAX_QUOTE_CHARS`, so `"A. B," he said.` stays one segment; nor between a quote and a
  bare attribution that follows it (`“…” Kim said.`).

pysbd costs about a millisecond per sentence, so it is only called, once per paragraph,
on paragraphs with an ambiguous possible boundary. A paragraph whose every possible
boundary is unambiguous — a lowercase word of two letters or more (not an abbreviation)
or a four-digit number, one ".", "!" or "?", optional closing quotes, space, then an
uppercase letter — is split there directly; the same merge rules still apply.
"""

from __future__ import annotations

import re
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", SyntaxWarning)  # pysbd 0.3.4 has invalid escapes
    import pysbd

from sources.ingest.classify import classify_sentences
from sources.ingest.kinds import SegmentKind
from sources.ingest.score import checkworthiness
from sources.ingest.types import BlockRole, ParsedPage, Segment

# Building a segmenter compiles many regexes; one per process is enough.
_SEGMENTER = pysbd.Segmenter(language="en", clean=False, char_span=True)

MAX_QUOTE_CHARS = 600

_PARAGRAPH_BREAK_RE = re.compile(r"\n[^\S\n]*\n\s*")
_CANDIDATE_RE = re.compile(r"[.!?…。！？]['\"”’)\]»]*\s+\S")
_CANDIDATE_END_RE = re.compile(r"[.!?…。！？]+['\"”’)\]»]*(?=\s+\S)")
_SINGLE_MARK_RE = re.compile(r"[.!?]['\"”’)\]»]*")
_CLEAN_TOKEN_RE = re.compile(r"[a-z]{2,}|\d{4}|[a-z][a-z-]*[a-z]|\d+(?:\.\d+)?%")
_CLEAN_NEXT_RE = re.compile(r"\s+['\"“‘]?[A-Z]")
_LOWER_ABBRS = frozenset(
    {"al", "ca", "cf", "ed", "eds", "est", "etc", "approx", "vs", "viz", "pp", "incl", "esp"}
)
_FALLBACK_BOUNDARY_RE = re.compile(r"[.!?…]['\"”’)\]»]*(?=\s+['\"“‘(\[]?[A-Z0-9])")
_NEVER_FINAL_ABBR_RE = re.compile(
    r"(?:^|[\s(\"“])(?:Mr|Mrs|Ms|Mx|Dr|Prof|St|Sts|No|Nos|Gen|Sen|Rep|Gov|Lt|Col|Capt|Sgt|Rev"
    r"|Hon|Fig|Figs|Vol|Vols|pp|Art|Sec|Ch|cf|vs|approx|Messrs|Mt|Ft|Pres|Supt|Dept|Jan|Feb"
    r"|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|e\.g|i\.e|viz|al|ca|est|ed|eds)\.['\"”’]?$"
)
_MAYBE_FINAL_ABBR_RE = re.compile(
    r"(?:^|[\s(\"“])(?:Co|Corp|Inc|Ltd|Bros|Plc|LLC|Jr|Sr|etc|U\.S|U\.K|U\.N|E\.U|a\.m|p\.m)\.$"
)
_BARE_ATTRIBUTION_RE = re.compile(
    r"^(?:[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,3}|[Hh]e|[Ss]he|[Tt]hey|the [a-z]+(?: [a-z]+)?)"
    r"\s+(?:said|says|added|noted|told [^.]{1,40}|wrote|asked)[.!]?$"
    r"|^(?:said|says|added|noted)\s+[A-Z][^.]{0,60}[.!]?$"
)

_CHROME_ROLES = frozenset(
    {
        BlockRole.BYLINE,
        BlockRole.DATELINE,
        BlockRole.MASTHEAD,
        BlockRole.SOURCE,
        BlockRole.CREDIT,
        BlockRole.SECTION_LABEL,
        BlockRole.CHROME,
    }
)
_DISCLAIMER_SENTENCE_RE = re.compile(
    r"^(?:disclaimer|editor['’]?s note)\s*:"
    r"|\b(?:originates? from|republished from|reprinted from) (?:state|official|government)"
    r"|\bthe views (?:and opinions )?expressed\b|\bdo(?:es)? not necessarily reflect\b"
    r"|\bshould be verified with independent sources\b|\bfor informational purposes only\b"
    r"|\bnot (?:intended as )?(?:investment|financial|legal) advice\b"
    r"|\b(?:this|the) (?:article|story|item|content) (?:was|has been|is) (?:originally )?"
    r"(?:published|produced|generated|translated|provided|syndicated)\b",
    re.IGNORECASE,
)


def split_sentences(
    text: str, start: int = 0, end: int | None = None, *, blank_lines_wrap: bool = False
) -> list[tuple[int, int]]:
    """Return the sentence spans of text[start:end] as exact, stripped offsets into `text`.

    A blank line ends a sentence, unless `blank_lines_wrap` (the page is hard-wrapped with
    a blank line after every line: page.ParsedPage.double_spaced).
    """
    end = len(text) if end is None else min(end, len(text))
    start = max(0, start)
    spans: list[tuple[int, int]] = []
    pos = start
    breaks = () if blank_lines_wrap else _PARAGRAPH_BREAK_RE.finditer(text, start, end)
    for m in breaks:
        spans.extend(_split_paragraph(text, pos, m.start()))
        pos = m.end()
    spans.extend(_split_paragraph(text, pos, end))
    return spans


def _split_paragraph(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one paragraph (no blank line inside) into stripped sentence spans."""
    start, end = strip_span(text, start, end)
    if start >= end:
        return []
    chunk = text[start:end]
    if not _CANDIDATE_RE.search(chunk):
        return [(start, end)]
    boundaries = _merge(chunk, _boundaries(chunk))
    spans: list[tuple[int, int]] = []
    prev = 0
    for cut in [*boundaries, len(chunk)]:
        s, e = strip_span(chunk, prev, cut)
        if s < e:
            spans.append((start + s, start + e))
        prev = cut
    return spans


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Move start/end inwards past white space (a span of white space only ends up empty).

    Sentences are cut with it, and reviewers' fixes of claim boundaries (claims/boundaries.py).
    """
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _boundaries(chunk: str) -> list[int]:
    """Return candidate sentence ends: obvious ones directly, pysbd's for the rest.

    pysbd costs about a millisecond a sentence, so it only sees the stretches between
    obvious boundaries that hold an ambiguous one ("Co. said", "U.S. officials").
    """
    boundaries: list[int] = []
    piece_start = 0
    ambiguous = False
    for m in _CANDIDATE_END_RE.finditer(chunk):
        if not _is_clean_boundary(chunk, m):
            ambiguous = True
            continue
        if ambiguous:
            boundaries.extend(
                piece_start + b for b in _pysbd_boundaries(chunk[piece_start : m.end()])
            )
            ambiguous = False
        boundaries.append(m.end())
        piece_start = m.end()
    if ambiguous:
        boundaries.extend(piece_start + b for b in _pysbd_boundaries(chunk[piece_start:]))
    return boundaries


def _is_clean_boundary(chunk: str, m: re.Match[str]) -> bool:
    """Tell whether a candidate is obviously a sentence end (word. Next), needing no pysbd."""
    if not _SINGLE_MARK_RE.fullmatch(m.group(0)):
        return False
    token = chunk[chunk.rfind(" ", 0, m.start()) + 1 : m.start()].lstrip("\"'“‘(")
    if not _CLEAN_TOKEN_RE.fullmatch(token) or token in _LOWER_ABBRS:
        return False
    return bool(_CLEAN_NEXT_RE.match(chunk, m.end()))


def _pysbd_boundaries(chunk: str) -> list[int]:
    """Return the offsets in `chunk` where pysbd ends a sentence (before the next one)."""
    flat = chunk.replace("\n", " ").replace("\r", " ")
    try:
        found = _SEGMENTER.segment(flat)
    except Exception:  # pysbd has crashed on odd input; a regex split is better than none
        return [m.end() for m in _FALLBACK_BOUNDARY_RE.finditer(chunk)]
    boundaries: list[int] = []
    cursor = 0
    for piece in found:
        sent = piece.sent if hasattr(piece, "sent") else str(piece)
        core = sent.strip()
        if not core:
            continue
        at = flat.find(core, cursor)
        if at < 0:  # pysbd changed the text; keep the boundaries found so far
            break
        cursor = at + len(core)
        boundaries.append(cursor)
    if boundaries and boundaries[-1] >= len(chunk.rstrip()):
        boundaries.pop()
    return boundaries


def _merge(chunk: str, boundaries: list[int]) -> list[int]:
    """Drop the boundaries pysbd should not have made (see the module docstring)."""
    kept: list[int] = []
    sentence_start = 0
    for cut in boundaries:
        before = chunk[sentence_start:cut].rstrip()
        after = chunk[cut:].lstrip()
        if after and not _keep_boundary(chunk, cut, before, after):
            continue
        kept.append(cut)
        sentence_start = cut
    return kept


def _keep_boundary(chunk: str, cut: int, before: str, after: str) -> bool:
    """Tell whether a sentence really ends at `cut`."""
    first = after[0]
    if (first.isalpha() and first.islower()) or first in ",;:)]}%":
        return False
    if _NEVER_FINAL_ABBR_RE.search(before):
        return False
    if _MAYBE_FINAL_ABBR_RE.search(before) and (first.isdigit() or first == "("):
        return False
    if _inside_parentheses(chunk, cut) or _inside_quote(chunk, cut):
        return False
    next_sentence = _CANDIDATE_RE.split(after, maxsplit=1)[0]
    return not (before[-1:] in '”"' and _BARE_ATTRIBUTION_RE.match(next_sentence.strip()))


def _inside_parentheses(chunk: str, cut: int) -> bool:
    """Tell whether `cut` falls between an open and a close parenthesis (within 300 chars)."""
    opened = chunk.rfind("(", max(0, cut - 300), cut)
    if opened < 0 or chunk.rfind(")", opened, cut) >= 0:
        return False
    closed = chunk.find(")", cut, cut + 300)
    return closed >= 0 and chunk.find("(", cut, closed) < 0


def _inside_quote(chunk: str, cut: int) -> bool:
    """Tell whether `cut` falls inside a short quotation that closes later in the paragraph."""
    window_start = max(0, cut - MAX_QUOTE_CHARS)
    curly_open = chunk.rfind("“", window_start, cut)
    if curly_open >= 0 and chunk.find("”", curly_open, cut) < 0:
        closed = chunk.find("”", cut, curly_open + MAX_QUOTE_CHARS)
        if closed >= 0:
            return True
    if chunk.count('"', 0, cut) % 2 == 1:
        opened = chunk.rfind('"', 0, cut)
        closed = chunk.find('"', cut)
        return opened >= window_start and 0 <= closed - opened <= MAX_QUOTE_CHARS
    return False


def segment_page(page: ParsedPage, text: str) -> list[Segment]:
    """Turn the blocks of a parsed page into sorted, non-overlapping segments.

    Chrome roles (byline, dateline, masthead, source, credit, section label, chrome) give
    one chrome segment per block; headlines and subheadings one segment per block;
    captions, disclaimers, bullets and body paragraphs one segment per sentence. Body and
    bullet sentences are classified as quote or statement together, so a quote's speaker
    can carry over to the quoted sentence that follows it.
    """
    segments: list[Segment] = []
    pending: list[tuple[int, int]] = []
    wrap = page.double_spaced
    for block in page.blocks:
        role = block.role
        if role in {BlockRole.BODY, BlockRole.BULLET}:
            pending.extend(split_sentences(text, block.start, block.end, blank_lines_wrap=wrap))
            continue
        segments.extend(_body_segments(text, pending))
        pending = []
        if role in _CHROME_ROLES:
            segments.append(Segment(block.start, block.end, SegmentKind.CHROME))
        elif role in {BlockRole.HEADLINE, BlockRole.NEWSPAPER_HEADLINE, BlockRole.SUBHEADING}:
            kind = SegmentKind.SUBHEADING if role == BlockRole.SUBHEADING else SegmentKind.HEADLINE
            segments.append(_scored(text, block.start, block.end, kind, ""))
        else:
            kind = SegmentKind.CAPTION if role == BlockRole.CAPTION else SegmentKind.DISCLAIMER
            for s, e in split_sentences(text, block.start, block.end, blank_lines_wrap=wrap):
                segments.append(_scored(text, s, e, kind, ""))
    segments.extend(_body_segments(text, pending))
    return segments


def _body_segments(text: str, spans: list[tuple[int, int]]) -> list[Segment]:
    """Classify a run of body sentences and make their segments."""
    if not spans:
        return []
    sentences = [text[s:e] for s, e in spans]
    segments = []
    for (s, e), sentence, (kind, speaker) in zip(
        spans, sentences, classify_sentences(sentences), strict=True
    ):
        if _DISCLAIMER_SENTENCE_RE.search(sentence):
            kind, speaker = SegmentKind.DISCLAIMER, ""
        segments.append(_scored(text, s, e, kind, speaker))
    return segments


def _scored(text: str, start: int, end: int, kind: str, speaker: str) -> Segment:
    return Segment(start, end, kind, speaker, checkworthiness(text[start:end], kind, speaker))
