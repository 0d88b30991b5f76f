"""Group a page's ordinary text lines into paragraphs and give each its role.

Hard-wrapped lines are re-joined (`is_wrap`; text stored with a blank line after every line
is `double_spaced`), and each paragraph gets a role from its shape and position
(`paragraph_role`): headline, caption, subheading, bullet, disclaimer or body. Lists of
other stories, references and comment boxes after their labels are chrome
(`listed_items`), and a credit glued to a paragraph's end is split off.

Plain Python, no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from sources.ingest.dates import story_dateline
from sources.ingest.lines import (
    BULLET_MARK_RE,
    CLOSED_RE,
    DISCLAIMER_START_RE,
    LINK_LIST_LABEL_RE,
    NAME_LOWER_OK,
    ORG_WORDS,
    REFERENCE_LABEL_RE,
    TERMINAL_RE,
    WRAP_END_WORDS,
    Line,
    is_title_like,
)
from sources.ingest.types import Block, BlockRole


@dataclass(slots=True)
class _Para:
    """Consecutive text lines grouped into one paragraph before its role is decided."""

    lines: list[Line]
    hint: str = ""  # "bullet" or "disclaimer" when the first line says so
    start: int = 0  # may be after a bullet marker

    @property
    def end(self) -> int:
        return self.lines[-1].end


def _double_spaced(lines: list[Line]) -> bool:
    """Tell whether hard-wrapped text was stored with a blank line after every line.

    Then most blank lines fall inside a sentence: the line before does not end one and
    the next starts lowercase, or the line before ends with a comma or a function word —
    or, when the lines keep to one width (wire copy wrapped at ~70 columns), the line
    before reaches that width without ending a sentence ("… signed a deal with Northern"
    / "Smelting Company …": the wrap falls before a name as often as not).
    """
    gaps = [(a, b) for a, b in pairwise(lines) if b.blank_before]
    width = _line_width(lines)
    broken = 0
    for a, b in gaps:
        if TERMINAL_RE.search(a.text):
            continue
        last = a.text.rsplit(None, 1)[-1].lower().strip("\"'“”‘’(")
        if (
            _lowercase_start(b.text)
            or last in WRAP_END_WORDS
            or a.text[-1] in ",-–(/&"
            or (width and len(a.text) >= 0.85 * width)
        ):
            broken += 1
    return broken >= 3 and broken >= 0.4 * len(gaps)


def _line_width(lines: list[Line]) -> int:
    """Return the width the text lines keep to, or 0 when their lengths vary freely.

    Hard-wrapped copy is wrapped at a fixed width (40–100 columns): the longest lines
    (the 90th percentile) are at it and hardly a line (a title: one in ten at most) is
    much longer. Free-running paragraphs are hundreds of characters long, or vary.
    """
    lengths = [len(ln.text) for ln in lines if len(ln.text) >= 20]
    if len(lengths) < 4:
        return 0
    width = sorted(lengths)[int(len(lengths) * 0.9) - (len(lengths) % 10 == 0)]
    if not 40 <= width <= 100 or sum(n > width + 20 for n in lengths) > len(lengths) // 10:
        return 0
    return width


def _wrap_width(lines: list[Line]) -> int:
    """Return the column a hard-wrapped document wraps at, or 0 if it is not hard-wrapped.

    Wire copy and e-mail are wrapped at a fixed width (60–100 columns): nearly every line
    that continues into another line is close to that width, and hardly a line (a repeated
    headline, a title: one in ten at most) is much longer.
    """
    width = _line_width(lines)
    if not width:
        return 0
    continued = [len(a.text) for a, b in pairwise(lines) if not b.blank_before]
    if len(continued) < 3:
        return 0
    near = sum(1 for n in continued if n >= 0.7 * width)
    return width if near >= 0.6 * len(continued) else 0


def _is_wrap(prev: Line, cur: Line, width: int) -> bool:
    """Tell whether the break between two adjacent text lines is a wrap inside a paragraph.

    A line that ends a sentence never wraps. Otherwise it wraps when it ends with a comma,
    hyphen or a function word ("… in the"), or the next line starts lowercase; in a
    hard-wrapped document it also wraps when it reaches the wrap width (a short line ends
    its paragraph there).
    """
    if cur.blank_before or story_dateline(cur.text):
        return False
    head = prev.text
    if TERMINAL_RE.search(head):
        # No sentence starts lowercase (segment.py never cuts before one): "… Ucore Rare
        # Metal's U.S." / "government-funded facility." is one sentence wrapped.
        return _lowercase_start(cur.text)
    if head[-1] in ",-–—(/&+" or cur.text[0] in ",;)":
        return True
    last = head.rsplit(None, 1)[-1].lower().strip("\"'“”‘’(")
    if last in WRAP_END_WORDS:
        return True
    if _lowercase_start(cur.text):
        return True
    return width > 0 and len(head) >= 0.7 * width


def _lowercase_start(text: str) -> bool:
    first = text.lstrip("\"'“‘(")[:1]
    return first.isalpha() and first.islower()


def _is_name_line(text: str) -> bool:
    """Tell whether a line is a name-only caption: "Name, Title of Org" or an organisation.

    Pages keep the alt text of portraits and logos as standalone lines; they name a person
    or an organisation and have no verb, so every word is capitalised (or a connector like
    "of"/"and") and one of them is an organisation or job word.
    """
    if text.endswith("?") or len(text) > 200:
        return False
    body = re.sub(r"\([^()]*\)", " ", text)
    words = [w.strip(",.;:\"'“”‘’") for w in body.split()]
    words = [w for w in words if w]
    if len(words) < 2:
        return False
    capitalised = all(
        w[0].isupper() or w[0].isdigit() or not w[0].isalpha() or w.lower() in NAME_LOWER_OK
        for w in words
    )
    if not capitalised:
        return False
    return any(w.lower().strip(".") in ORG_WORDS for w in words) or bool(
        re.match(r"^[A-Z][\w'’-]+(?: [A-Z][\w'’-]+){0,3}, [A-Z]", text)
    )


def _group(lines: list[Line], special: dict[int, list], width: int) -> list[_Para | list]:
    """Group consecutive text lines into paragraphs; special lines pass through as parts."""
    items: list[_Para | list] = []
    current: _Para | None = None
    for line in lines:
        if line.index in special:
            items.append(special[line.index])
            current = None
            continue
        bullet = BULLET_MARK_RE.match(line.text)
        if (
            current is not None
            and not bullet
            and _is_wrap(current.lines[-1], line, width)
            and current.hint != "disclaimer-line"
        ):
            current.lines.append(line)
            continue
        hint = "bullet" if bullet else ""
        if not bullet and DISCLAIMER_START_RE.match(line.text):
            hint = "disclaimer"
        start = line.start + (bullet.end() if bullet else 0)
        current = _Para([line], hint, start)
        items.append(current)
    return items


# A credit glued to the end of a paragraph: "… she said. — Bernama", "… in 2025. -- AFP".
# Emoji or other symbols after a paragraph's last sentence ("… was minimal. 🤝") are
# decoration: chrome, never a claim of their own.
_SIGNOFF_TAIL_RE = re.compile(
    r"(?<=[.!?”\"’)])\s+(?P<credit>(?:--|[—–])\s*[A-Z][\w&.'’/-]*(?:\s+[A-Z][\w&.'’/-]*){0,2}"
    r"|[^\w\s\"'“”‘’()\[\]]+(?:\s+[^\w\s\"'“”‘’()\[\]]+)*)\s*$"
)
_FURNITURE_ROLES = frozenset(
    {
        BlockRole.CHROME,
        BlockRole.CREDIT,
        BlockRole.BYLINE,
        BlockRole.DATELINE,
        BlockRole.SOURCE,
        BlockRole.SECTION_LABEL,
        BlockRole.MASTHEAD,
        BlockRole.NEWSPAPER_HEADLINE,
        BlockRole.DISCLAIMER,
    }
)
_COMMENTS_RE = re.compile(r"^(?:\d+\s+)?comments?(?:\s*\(\d+\))?$", re.I)


def _assign_roles(
    text: str, lines: list[Line], special: dict[int, list], width: int
) -> list[Block]:
    """Give every paragraph its role from its shape and position; return the blocks."""
    blocks: list[Block] = []
    seen_content = False  # a headline is only possible before any content
    items = _group(lines, special, width)
    listed = _listed_items(text, items)
    for position, item in enumerate(items):
        if isinstance(item, list):
            for start, end, role in item:
                blocks.append(Block(start, end, role))
                if role in {BlockRole.CAPTION, BlockRole.NEWSPAPER_HEADLINE}:
                    seen_content = True
            continue
        if position in listed:
            blocks.append(Block(item.start, item.end, BlockRole.CHROME))
            continue
        role = _paragraph_role(text, item, seen_content)
        if role not in {BlockRole.CHROME}:
            seen_content = True
        tailed = role in {BlockRole.BODY, BlockRole.SUBHEADING}
        tail = _SIGNOFF_TAIL_RE.search(text, item.start, item.end) if tailed else None
        if tail is not None and tail.end() == item.end:
            cut = tail.start("credit")
            body_end = len(text[:cut].rstrip())
            blocks.append(Block(item.start, body_end, role))
            blocks.append(Block(cut, item.end, BlockRole.CREDIT))
            continue
        blocks.append(Block(item.start, item.end, role))
    return _no_trailing_subheading(blocks)


def _no_trailing_subheading(blocks: list[Block]) -> list[Block]:
    """A subheading heads text: one with no story text after it (a line cut off at the end
    of an excerpt, "… the company’s sha") is body text."""
    for i in range(len(blocks) - 1, -1, -1):
        role = blocks[i].role
        if role == BlockRole.SUBHEADING:
            blocks[i] = Block(blocks[i].start, blocks[i].end, BlockRole.BODY)
        elif role not in _FURNITURE_ROLES:
            break
    return blocks


def _listed_items(text: str, items: list[_Para | list]) -> set[int]:
    """Return the positions of paragraphs that are lists of other stories, references or
    comments, not the story.

    After a link-list label ("Latest", "Most Viewed", "Related") a run of two or more
    short headline-like lines are links (one such line is the page's own headline or a
    subheading); after "References:" or "Sources:" every short line is a reference; after
    a "Comments" widget every short line without a full stop is comment-box chrome.
    """
    listed: set[int] = set()
    for i, item in enumerate(items):
        if not isinstance(item, list):
            continue
        label = text[item[-1][0] : item[-1][1]]
        role = item[-1][2]
        if role == BlockRole.SECTION_LABEL and LINK_LIST_LABEL_RE.match(label):
            run = _run(text, items, i + 1, 150, headline_like=True)
            if len(run) >= 2:
                listed.update(run)
        elif role == BlockRole.SECTION_LABEL and REFERENCE_LABEL_RE.match(label):
            listed.update(_run(text, items, i + 1, 250, headline_like=False, through=True))
        elif role == BlockRole.CHROME and _COMMENTS_RE.match(label):
            listed.update(_run(text, items, i + 1, 100, headline_like=True, through=True))
    return listed


def _run(
    text: str,
    items: list[_Para | list],
    start: int,
    limit: int,
    *,
    headline_like: bool,
    through: bool = False,
) -> list[int]:
    """The positions of the one-line paragraphs that follow `start`, while they are short
    (and, if `headline_like`, end without a full stop). `through` steps over special lines."""
    run: list[int] = []
    for j in range(start, len(items)):
        item = items[j]
        if isinstance(item, list):
            if through:
                continue
            break
        body = text[item.start : item.end]
        if len(item.lines) > 1 or len(body) > limit:
            break
        closed = TERMINAL_RE.search(body) and not body.endswith("?")
        if headline_like and item.hint != "bullet" and closed:
            break
        run.append(j)
    return run


def _paragraph_role(text: str, para: _Para, seen_content: bool) -> str:
    """Decide the role of one paragraph of ordinary text (see the module docstring)."""
    body = text[para.start : para.end]
    single = len(para.lines) == 1
    if para.hint == "bullet":
        return BlockRole.BULLET
    if para.hint == "disclaimer":
        return BlockRole.DISCLAIMER
    if not single:
        return BlockRole.BODY
    if not seen_content and is_title_like(body, 250):
        return BlockRole.HEADLINE
    if _is_name_line(body) and not CLOSED_RE.search(body):
        return BlockRole.CAPTION
    if is_title_like(body, 120):
        return BlockRole.SUBHEADING
    return BlockRole.BODY


def paragraph_blocks(
    text: str, lines: list[Line], special: dict[int, list[tuple[int, int, str]]]
) -> tuple[list[Block], bool]:
    """Return the page's blocks, sorted, and whether its text is double-spaced.

    `special` (from `lines.label_lines`) gives the parts of the special lines; every other
    line is grouped into paragraphs.
    """
    double_spaced = _double_spaced([ln for ln in lines if ln.index not in special])
    if double_spaced:
        lines = [
            Line(ln.start, ln.end, ln.text, False, ln.index) if ln.index not in special else ln
            for ln in lines
        ]
    width = _wrap_width([ln for ln in lines if ln.index not in special])
    return _assign_roles(text, lines, special, width), double_spaced
