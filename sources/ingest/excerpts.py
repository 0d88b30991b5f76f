"""Is a quoted excerpt in the page it claims to quote? Found, found with differences, not found.

Plain Python (no Django): evidence captures (evidence/) check a reviewer's excerpt against
the text extracted from the captured page.

Both texts are normalised first — Unicode NFKC, curly and angled quotes to straight ones,
every dash and minus to "-", every run of white space to one space — so a quote copied from
a browser (curly quotes, an en dash, a line break) matches the page's typography. Each
normalised character keeps the offset of the original character it came from, so a match
is reported as a span of the page's own text (for highlighting).

An exact match of the normalised excerpt is "found". Otherwise the page is searched for the
passage closest to the excerpt within a small edit distance (`max_edits`: a tenth of the
excerpt, at least 2): the longest run of words the two share anchors a window of the page,
and an approximate-substring search (Sellers' dynamic programme, free start and end in the
page) over that window finds the passage and its distance — so the cost is the excerpt's
length squared, not the page's length times the excerpt's. The differences are listed as
(quoted, page) pairs for display. Nothing close enough: "not found".
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

FOUND = "found"
DIFFERENT = "different"
NOT_FOUND = "not_found"

# The longest excerpt searched approximately (the search is quadratic in its length).
FUZZY_MAX_CHARS = 2000

_QUOTES = {
    **dict.fromkeys("‘’‚‛′`´", "'"),
    **dict.fromkeys("“”„‟″«»「」", '"'),
    **dict.fromkeys("‐‑‒–—―−﹘﹣－", "-"),
}
_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class ExcerptMatch:
    """Where an excerpt was found in a text, and how it differs there."""

    status: str  # FOUND, DIFFERENT or NOT_FOUND
    start: int = 0  # the span in the original text (0, 0 when not found)
    end: int = 0
    edits: int = 0
    # (what the excerpt says, what the text says) for each difference
    differences: list[tuple[str, str]] = field(default_factory=list)


def normalise(text: str) -> tuple[str, list[int]]:
    """The text normalised for comparison, and for each of its characters the original offset.

    One offset more than characters: the last is the original's length (an end offset).
    """
    out: list[str] = []
    offsets: list[int] = []
    space = True  # drop leading white space
    for index, char in enumerate(text):
        for piece in unicodedata.normalize("NFKC", char):
            piece = _QUOTES.get(piece, piece)
            if piece.isspace():
                if space:
                    continue
                piece, space = " ", True
            else:
                space = False
            out.append(piece)
            offsets.append(index)
    if out and out[-1] == " ":
        out.pop()
        offsets.pop()
    offsets.append(len(text))
    return "".join(out), offsets


def max_edits(excerpt_length: int) -> int:
    """How many character edits an excerpt of this length may differ by and still be found."""
    return max(2, excerpt_length // 10)


def find_excerpt(excerpt: str, text: str) -> ExcerptMatch:
    """Look `excerpt` up in `text`: found, found with differences, or not found."""
    quoted, _ = normalise(excerpt)
    page, offsets = normalise(text)
    if not quoted or not page:
        return ExcerptMatch(NOT_FOUND)
    at = page.find(quoted)
    if at >= 0:
        return ExcerptMatch(FOUND, offsets[at], _end(offsets, at + len(quoted)))
    if len(quoted) > FUZZY_MAX_CHARS:
        return ExcerptMatch(NOT_FOUND)
    limit = max_edits(len(quoted))
    window = _window(quoted, page, slack=limit)
    if window is None:
        return ExcerptMatch(NOT_FOUND)
    low, high = window
    edits, start, end = _closest_substring(quoted, page[low:high])
    if edits > limit:
        return ExcerptMatch(NOT_FOUND)
    start, end = low + start, low + end
    return ExcerptMatch(
        DIFFERENT,
        offsets[start],
        _end(offsets, end),
        edits,
        differences(quoted, page[start:end]),
    )


def differences(quoted: str, found: str) -> list[tuple[str, str]]:
    """The (quoted, found) pieces where two normalised texts differ, widened to whole words."""
    matcher = difflib.SequenceMatcher(None, quoted, found, autojunk=False)
    pairs = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        a0, a1 = _word_bounds(quoted, a0, a1)
        b0, b1 = _word_bounds(found, b0, b1)
        pair = (quoted[a0:a1], found[b0:b1])
        if not pairs or pairs[-1] != pair:
            pairs.append(pair)
    return pairs


def _end(offsets: list[int], index: int) -> int:
    """The original end offset of a normalised span ending at `index`."""
    return offsets[index - 1] + 1 if index > 0 else 0


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end


def _window(quoted: str, page: str, *, slack: int) -> tuple[int, int] | None:
    """The part of `page` where `quoted` could be: around the longest run of shared words."""
    quoted_words = [(m.group(), m.start()) for m in _WORD_RE.finditer(quoted)]
    page_words = [(m.group(), m.start(), m.end()) for m in _WORD_RE.finditer(page)]
    if not quoted_words or not page_words:
        return None
    matcher = difflib.SequenceMatcher(
        None, [w for w, *_ in page_words], [w for w, _ in quoted_words], autojunk=False
    )
    in_page, in_quoted, size = matcher.find_longest_match(0, len(page_words), 0, len(quoted_words))
    if size == 0:
        return None
    # Where the excerpt would start and end in the page if the anchor is where it says.
    starts_at = page_words[in_page][1] - quoted_words[in_quoted][1]
    low = max(0, starts_at - slack)
    high = min(len(page), starts_at + len(quoted) + slack)
    return low, high


def _closest_substring(pattern: str, text: str) -> tuple[int, int, int]:
    """The fewest edits turning `pattern` into some substring of `text`, and that substring.

    Sellers' algorithm: edit distance with the substring's start and end free. Returns
    (edits, start, end); columns are text positions, each cell keeps the start of its path.
    """
    n = len(text)
    previous = [0] * (n + 1)  # row 0: an empty pattern matches anywhere, at no cost
    starts = list(range(n + 1))
    for i, char in enumerate(pattern, 1):
        current = [i] + [0] * n
        current_starts = [0] + [0] * n
        for j in range(1, n + 1):
            substitute = previous[j - 1] + (text[j - 1] != char)
            delete = previous[j] + 1  # a pattern character missing from the text
            insert = current[j - 1] + 1  # a text character not in the pattern
            if substitute <= delete and substitute <= insert:
                current[j], current_starts[j] = substitute, starts[j - 1]
            elif delete <= insert:
                current[j], current_starts[j] = delete, starts[j]
            else:
                current[j], current_starts[j] = insert, current_starts[j - 1]
        previous, starts = current, current_starts
    best = min(range(n + 1), key=lambda j: (previous[j], -(j - starts[j])))
    return previous[best], starts[best], best
