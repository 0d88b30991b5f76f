"""Read a parsed page's metadata off its labelled blocks: title, date, byline, publisher.

`read_meta` fills a `PageMeta`: the title (top headline, "Newspaper headline:", or a
stand-in sentence), the byline's names, the publication date (a "Published" dateline first,
then the story's own dateline), the publisher (`outlets.publisher_of`), and the language
(`language.guess_language`). Whose text it is (`provenance.text_origin`, a republication
statement included) is the pipeline's to add.

Plain Python, no Django.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

from sources.ingest.dates import (
    DATELINE_LABEL_RE,
    RELATIVE_TIME_RE,
    find_date,
    is_date_line,
    page_day_first,
    story_dateline,
)
from sources.ingest.language import guess_language
from sources.ingest.lines import (
    BULLET_MARK_RE,
    BYLINE_START_RE,
    FIELD_LABEL_RE,
    REPORTING_BY_RE,
    chrome_kind,
    is_section_name,
)
from sources.ingest.names import is_placeholder, name_key
from sources.ingest.outlets import publisher_of
from sources.ingest.types import Block, BlockRole, PageMeta
from sources.ingest.wordlists import word_set


def read_meta(text: str, blocks: list[Block]) -> PageMeta:
    """Read title, date, byline, publisher and language off the labelled blocks."""
    meta = PageMeta(language=guess_language(text))
    meta.publisher_name, meta.publisher_evidence = publisher_of(text, blocks)
    meta.title = _title(text, blocks, meta.publisher_name)
    meta.byline = _byline(text, blocks)
    meta.published, meta.published_raw = _published(text, blocks)
    return meta


_PRESS_RELEASE_LABEL_RE = re.compile(r"^(?:press|news|media)\s+(?:release|statement)s?$", re.I)
# A one-word rubric before a headline: "Mining: Russia and the US begin talks".
_RUBRIC_RE = re.compile(r"^[A-Z][\w'’-]+:\s+(?=[A-Z0-9“\"‘'])")


def _title(text: str, blocks: list[Block], publisher: str = "") -> str:
    """Pick the title: top headline, else the "Newspaper headline:" text, else a stand-in.

    A headline that is a timestamp, a section name, "Press Release" or the publisher's
    own name is not a title; a one-word rubric ("Mining: …") is left off. The stand-in,
    for pages with neither (a newsletter that opens with "Highlights"), is the first
    sentence of the first summary bullet or body paragraph — without its dateline — if
    it is at most 250 characters; white space inside it is collapsed. Otherwise the title
    stays empty.
    """
    for role in (BlockRole.HEADLINE, BlockRole.NEWSPAPER_HEADLINE):
        for block in blocks:
            if block.role != role:
                continue
            value = " ".join(block.text_of(text).split())
            if _not_a_title(value, publisher):
                continue
            rubric = _RUBRIC_RE.match(value)
            if rubric and len(value[rubric.end() :].split()) >= 4:
                value = value[rubric.end() :]
            return value
    for block in blocks:
        if block.role in {BlockRole.BULLET, BlockRole.BODY}:
            body = " ".join(block.text_of(text).split())
            dateline = story_dateline(body)
            if dateline is not None:
                body = body[dateline.end() :]
            m = re.search(r"[.!?](?=\s+(?:[^\w\s]+\s+)?[A-Z“\"])", body)
            first = body[: m.end()] if m else body
            return first if len(first) <= 250 else ""
    return ""


def _not_a_title(value: str, publisher: str) -> bool:
    """Tell whether a would-be title is page furniture: a timestamp, a section, a label."""
    if not value or is_date_line(value) or RELATIVE_TIME_RE.match(value):
        return True
    if is_section_name(value) or _PRESS_RELEASE_LABEL_RE.match(value) or chrome_kind(value):
        return True
    return bool(publisher) and name_key(value) == name_key(publisher)


_BYLINE_TAIL_WORDS = word_set(
    """press news agency reuters afp ap bloomberg times post daily staff writer writers reporter
    reporters correspondent correspondents editor editors bureau service wire network desk
    contributor columnist journal herald"""
)


def _byline(text: str, blocks: list[Block]) -> str:
    """Return the names of the byline, without "By", the outlet and trailing punctuation.

    The first byline block wins: "By NAME – Associated Press", "NAME | Reuters", "By NAME,
    Staff Writer", an all-caps name in the header, or else the wire's closing credit
    "(Reporting by NAME in City; Editing by …)".
    """
    for block in blocks:
        if block.role != BlockRole.BYLINE:
            continue
        value = block.text_of(text).strip()
        reporting = REPORTING_BY_RE.match(value)
        if reporting is not None:
            value = reporting.group("names")
        value = BULLET_MARK_RE.sub("", value)
        value = BYLINE_START_RE.sub("", value, count=1)
        value = FIELD_LABEL_RE.sub("", value, count=1) if FIELD_LABEL_RE.match(value) else value
        value = re.split(r"\s*[|;]\s*|\s+[-–—]+\s+", value, maxsplit=1)[0]
        value = _without_byline_tail(value).strip(" \t,.;:-–—(")
        caps = _CAPS_NAMES_RE.match(value)
        if caps is not None and len(value[caps.end() :].split()) <= 4:
            value = caps.group(0).strip()  # "JANE ROE and TOM LEE Associated Press"
        if value and not is_placeholder(value):
            return value
    return ""


_CAPS_NAMES_RE = re.compile(r"^(?:[A-Z][A-Z'’.-]+(?:\s+(?:and|&)\s+|\s+))+(?=[A-Z][a-z])")


def _without_byline_tail(value: str) -> str:
    """Drop ", Associated Press" / ", Staff Writer" after the names of a byline."""
    head, sep, tail = value.rpartition(",")
    if not sep or " and " in tail:
        return value
    words = tail.split()
    if not words or len(words) > 4:
        return value
    if any(w.lower().strip(".") in _BYLINE_TAIL_WORDS for w in words) or (
        len(words) == 1 and words[0].isupper() and len(words[0]) <= 6
    ):
        return head
    return value


def _published(text: str, blocks: list[Block]) -> tuple[datetime | None, str]:
    """Return the publication date and the date as printed, from the first dateline.

    A dateline labelled "Published" wins over "Updated"/"Posted"/bare dates. Numeric
    day/month order follows the page: day-first if the page writes dates as "5 March 2024".
    """
    datelines = [b for b in blocks if b.role == BlockRole.DATELINE]
    if not datelines:
        return _story_dateline_date(text, blocks)
    # A date line printed more than once is the site's clock in its header and footer
    # ("July 22, 2025 | 00:03 GMT +7" twice), not when this story was published.
    printed = Counter(b.text_of(text).strip() for b in blocks)
    datelines = [
        b
        for b in datelines
        if printed[b.text_of(text).strip()] == 1 and not _site_clock(text, blocks, b)
    ]
    if not datelines:
        return _story_dateline_date(text, blocks)
    datelines.sort(key=lambda b: not text[b.start : b.end].lower().startswith("published"))
    day_first = page_day_first(text)
    for block in datelines:
        value = block.text_of(text)
        found = find_date(value, day_first=day_first)
        if found is not None:
            when, start, end = found
            return when, value[start:end].strip()
    dated = _story_dateline_date(text, blocks)
    if dated[0] is not None:
        return dated
    # Only relative or unreadable times ("Updated 18 minutes ago"): kept as printed, no date.
    value = datelines[0].text_of(text)
    if RELATIVE_TIME_RE.match(value):
        return None, value.strip()
    return None, DATELINE_LABEL_RE.sub("", value).strip()


_HEADER_ROLES = frozenset({BlockRole.CHROME, BlockRole.MASTHEAD, BlockRole.SECTION_LABEL})


def _site_clock(text: str, blocks: list[Block], dateline: Block) -> bool:
    """Tell whether a date line is the site's clock in its header, not the story's date.

    Sites print today's date in the strip above their menu ("Friday, March 14, 2031",
    then "Home", "World", "Business", …); the story's own date sits by its headline and
    byline. So an unlabelled date line above the headline with header furniture (menu,
    section names, the masthead) between the two is the clock. A labelled one ("Published:",
    a search index's "date 2031-03-14") says what it is and is kept.
    """
    if DATELINE_LABEL_RE.match(dateline.text_of(text)):
        return False
    headline = next(
        (b for b in blocks if b.role in {BlockRole.HEADLINE, BlockRole.NEWSPAPER_HEADLINE}),
        None,
    )
    if headline is None or dateline.start > headline.start:
        return False
    between = [b for b in blocks if dateline.end <= b.start < headline.start]
    return any(b.role in _HEADER_ROLES for b in between)


def _story_dateline_date(text: str, blocks: list[Block]) -> tuple[datetime | None, str]:
    """A full date (with its year) in the dateline that opens the story, if any.

    The story may open after a deck or bullet lines, so the first few body paragraphs are
    looked at ("LAS VEGAS – December 9, 2021 – Example Corp. announced …").
    """
    bodies = [b for b in blocks if b.role == BlockRole.BODY][:5]
    for body in bodies:
        m = story_dateline(body.text_of(text))
        if m is None:
            continue
        if not m.group("date"):
            return None, ""
        found = find_date(m.group("date"))
        if found is None:
            # "KUALA LUMPUR, March 2 (Bernama) --": the day without its year, kept as printed.
            return None, m.group("date").strip()
        when, start, end = found
        return when, m.group("date")[start:end].strip()
    return None, ""
