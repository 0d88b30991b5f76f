"""Find the blocks of a pasted news page and the metadata printed on it.

A page dump is what a user copies out of a browser or a CMS export: a headline, bylines,
datelines, photo captions with credits, bullet highlights, body paragraphs (sometimes
hard-wrapped), subheadings, disclaimers and widget chrome. `parse_page` labels every
non-blank stretch of the canonical text with a role so the segmenter knows what becomes a
claim, and reads the title, date, byline, publisher and language off the page.

Offsets always index the canonical text; no character is changed or dropped, so
`text[block.start:block.end]` is the exact block and never starts or ends with white space.

Rules, in the order they are applied to each line (the first that matches wins):

1. A line identical to the previous non-blank line is a duplicate (pages repeat image alt
   text and caption): chrome.
2. Widget and boilerplate lines (share/print/comment widgets, "Link copied", "0 Comments",
   "Advertisement", "Read more", "Sign up for …", cookie notices, press-release markers
   "FOR IMMEDIATE RELEASE"/"###"/"Media contact:", copyright lines, breadcrumbs): chrome.
   Lines right after a "Media contact:" label, up to the next blank line, are chrome too.
3. Bare section labels ("Highlights", "Related", "Latest", "Most Viewed", "Key takeaways"…):
   section_label. After a link-list label (Related, Latest, Most Viewed…) the short
   headline-like lines that follow are links to other stories: chrome.
4. "Newspaper headline: X": the label is chrome, X is a newspaper_headline block.
5. Field lines starting "By …", "Source: …", "Published/Updated/Posted/Date: …" are split
   at every field label into byline / source / dateline blocks (a run-on
   "By A and B Source:Outlet Published: 2019/7/9 19:48:40" gives three blocks).
6. A line that is only a date (optionally with a weekday, time and zone): dateline.
7. A line that is exactly a known outlet name near the top: masthead.
8. A line that is only a photo credit ("Photo: VCG"): credit. A line ending in a credit
   ("… File photo: VCG", "… (Yonhap)", "… © Reuters") is split into a caption and a credit.
9. A line starting with a list marker ("- ", "• ", "1. "): bullet; the marker is left out.
10. A paragraph starting "Disclaimer:", "Editor's note:", "Note:", "Correction:": disclaimer.

Remaining text lines are grouped into paragraphs (see `_is_wrap`) and each paragraph gets
a role from its shape and position (see `_paragraph_role`): headline (first title-like
line before any content), caption (a name-only line: "Name, Title of Org" or an
organisation name), subheading (short line without final punctuation, or a question),
body otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from itertools import pairwise

from sources.ingest.types import PageMeta


def _words(text: str) -> frozenset[str]:
    """Return the set of white-space separated words of a literal (keeps word lists short)."""
    return frozenset(text.split())


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


# --------------------------------------------------------------------------- known outlets

# Canonical outlet name -> the spellings that name it on pages. Matching is case-sensitive
# so that "AP" or "FT" do not match ordinary words.
KNOWN_OUTLETS: dict[str, tuple[str, ...]] = {
    "Global Times": ("Global Times", "globaltimes.cn"),
    "The Korea Herald": ("The Korea Herald", "Korea Herald"),
    "The Korea Times": ("The Korea Times", "Korea Times"),
    "Korea JoongAng Daily": ("Korea JoongAng Daily", "JoongAng Daily"),
    "Rare Earth Exchanges": ("Rare Earth Exchanges",),
    "Reuters": ("Reuters", "Thomson Reuters"),
    "Agence France-Presse": ("Agence France-Presse", "Agence France Presse", "AFP"),
    "Associated Press": ("The Associated Press", "Associated Press", "AP"),
    "Xinhua": ("Xinhua News Agency", "Xinhua"),
    "Kyodo News": ("Kyodo News", "Kyodo"),
    "Yonhap": ("Yonhap News Agency", "Yonhap"),
    "People's Daily": ("People's Daily", "People’s Daily"),
    "China Daily": ("China Daily",),
    "CGTN": ("CGTN",),
    "Caixin": ("Caixin Global", "Caixin"),
    "South China Morning Post": ("South China Morning Post", "SCMP"),
    "Bloomberg": ("Bloomberg News", "Bloomberg"),
    "Financial Times": ("The Financial Times", "Financial Times", "FT"),
    "The Wall Street Journal": ("The Wall Street Journal", "Wall Street Journal", "WSJ"),
    "The New York Times": ("The New York Times", "New York Times"),
    "The Washington Post": ("The Washington Post", "Washington Post"),
    "The Guardian": ("The Guardian",),
    "The Economist": ("The Economist",),
    "BBC": ("BBC News", "BBC"),
    "CNN": ("CNN",),
    "CNBC": ("CNBC",),
    "Nikkei Asia": ("Nikkei Asia", "Nikkei"),
    "The Japan Times": ("The Japan Times", "Japan Times"),
    "NHK": ("NHK World", "NHK"),
    "TASS": ("TASS",),
    "Al Jazeera": ("Al Jazeera",),
    "Deutsche Welle": ("Deutsche Welle", "DW"),
    "The Straits Times": ("The Straits Times", "Straits Times"),
    "Mining.com": ("MINING.COM", "Mining.com"),
    "Mining Weekly": ("Mining Weekly",),
    "United Press International": ("United Press International", "UPI"),
    "dpa": ("Deutsche Presse-Agentur", "dpa"),
    "PR Newswire": ("PR Newswire", "PRNewswire", "PRNewswire-Asia"),
    "Business Wire": ("Business Wire", "BUSINESS WIRE"),
    "GlobeNewswire": ("GlobeNewswire", "GLOBE NEWSWIRE", "Globe Newswire"),
    "Accesswire": ("ACCESSWIRE", "Accesswire"),
}

_ALIAS_TO_OUTLET: dict[str, str] = {
    alias: name for name, aliases in KNOWN_OUTLETS.items() for alias in aliases
}
_ALIASES_LONGEST_FIRST = sorted(_ALIAS_TO_OUTLET, key=len, reverse=True)
_OUTLET_RE = re.compile(
    r"(?<![\w.])(?:" + "|".join(re.escape(a) for a in _ALIASES_LONGEST_FIRST) + r")(?![\w])"
)
# "told the Global Times": the interviewer is the outlet publishing the page.
_TOLD_OUTLET_RE = re.compile(
    r"\btold\s+(?:the\s+)?("
    + "|".join(re.escape(a.removeprefix("The ")) for a in _ALIASES_LONGEST_FIRST)
    + r")(?![\w])"
)
# Dateline opening a story: "SEOUL, March 5 (Yonhap) --", "BEIJING -- ",
# "DENVER, Colo., Oct. 12, 2024 /PRNewswire/ --". The place is in capitals or the line names
# an agency or newswire, so an ordinary sentence with a dash never matches.
_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_STORY_DATELINE_RE = re.compile(
    r"^(?P<place>[A-Z][A-Za-z .'’-]{1,40}?)(?:,\s*[A-Z][A-Za-z .]{1,30}?)?"
    rf"(?:,?\s+(?P<date>{_MONTH_ABBR}\s+\d{{1,2}}(?:,\s*\d{{4}})?|\d{{1,2}}\s+{_MONTH_ABBR}(?:\s+\d{{4}})?))?"
    r"\s*(?:\((?P<agency>[A-Z][\w .&-]{1,30})\)|/(?P<wire>[A-Z][\w .&-]{1,30})/)?"
    r"\s*(?:--|[-–—])\s+"
)


def story_dateline(paragraph: str) -> re.Match[str] | None:
    """Match the dateline that opens a news story or press release, if there is one."""
    m = _STORY_DATELINE_RE.match(paragraph)
    if m is None:
        return None
    place = m.group("place").strip()
    if m.group("agency") or m.group("wire") or (place.isupper() and len(place) > 2):
        return m
    return None


def canonical_outlet(name: str) -> str:
    """Return the canonical name of a known outlet, or `name` unchanged."""
    cleaned = name.strip().strip(".,;:")
    return _ALIAS_TO_OUTLET.get(cleaned) or _ALIAS_TO_OUTLET.get("The " + cleaned, cleaned)


# --------------------------------------------------------------------------- line rules

_BULLET_MARK_RE = re.compile(r"^(?:[-–•*·▪●◦‣○■□➢►]|\d{1,2}[.)])[ \t\u00a0]+(?=\S)")
_LEADING_SYMBOLS_RE = re.compile(r"^[\s\-–—•*·▪●◦‣○■□➢►|>›»→←✓✔☐]+")

_CHROME_RES = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"link copied( to clipboard)?[.!]?",
        r"copy(ing)? link",
        r"\d[\d,.]*k?\s+comments?",
        r"comments?(\s*\(\d+\))?",
        r"no (replies|comments) yet",
        r"(loading|load|show|view) (new |more |all |previous )?(replies|comments|responses)"
        r"(\.\.\.|…)?",
        r"moderator",
        r"reply|report|like|flag|upvote|downvote",
        r"(leave|post|add|write) a (comment|reply)",
        r"sort by.{0,30}",
        r"(newest|oldest|best|top|most popular)( first)?",
        r"join the (full )?(discussion|conversation)\b.*",
        r"blog comments powered by disqus",
        r"comments powered by .{1,30}",
        r"(share|print|email|e-mail|tweet|pin|save|follow|subscribe|listen|bookmark)"
        r"( (this|the) (article|story|page|post))?( on .{1,30})?[.!]?",
        r"(share|follow us|follow) on .{1,40}",
        r"share (via|to) .{1,40}",
        r"((facebook|twitter|x|linkedin|whatsapp|telegram|reddit|email|e-mail|print|weibo|wechat"
        r"|line|kakaotalk|kakao|copy link|share)[\s|·,/]*){2,}",
        r"facebook|twitter|linkedin|whatsapp|telegram|reddit|weibo|wechat",
        r"(story continues below )?advertisement|sponsored( content)?|ad",
        r"scroll (down )?to (continue|read more)",
        r"read (more|also|next|full story|the full story)\b.{0,200}",
        r"continue reading\b.{0,100}",
        r"(sign up|subscribe|register) (for|to) .{1,150}",
        r"(log ?in|sign ?in|sign ?up|register|subscribe now|log ?out)",
        r"skip to (main )?content",
        r"back to top",
        r"(we|this (web)?site) use[s]? cookies\b.*",
        r"by (continuing to (use|browse)|using) (this|our) (web)?site\b.*",
        r"(accept|reject|manage) (all )?cookies.*",
        r"cookie (policy|settings|preferences)",
        r"(privacy policy|terms of (use|service)|all rights reserved\.?)",
        r"(©|\(c\)|copyright)\s*.{0,150}",
        r"for immediate release",
        r"#{3,}|-30-|-\s*end\s*-|\(end\)|end",
        r"(media|press) (contacts?|enquiries|inquiries)\s*:?.{0,120}",
        r"contacts?\s*:.{0,120}",
        r"tags?\s*:.{0,300}|topics?\s*:.{0,300}|keywords?\s*:.{0,300}",
        r"\(opens in a new (tab|window)\)",
        r"(photo|image|video) gallery|view gallery|enlarge( image)?|close",
        r"text size|font size|[aA]\s*[aA]|listen to (this )?(article|story).{0,20}",
        r"[\w.+-]+@[\w-]+\.[\w.-]+",
        r"(tel|phone|ph|mob|mobile|fax)\.?\s*:?\s*\+?[\d ()./-]{7,20}",
        r"\+\d[\d ()-]{6,18}\d|\(?\d{3}\)?[ -]\d{3}-\d{4}",
        r"https?://\S+|www\.\S+",
    )
]
# "Home > World > Asia" breadcrumbs.
_BREADCRUMB_RE = re.compile(r"^(?:[^>›»\n]{1,30}\s*[>›»]\s*){1,6}[^>›»\n]{1,60}$")

_SUMMARY_LABELS = (
    r"highlights?|key (takeaways?|points?|facts?)|takeaways?|summary|in brief|at a glance"
    r"|tl;?dr|quick read|the big picture|what you need to know|in short"
)
_LINK_LIST_LABELS = (
    r"related( (articles?|stories|news|content|coverage|topics|posts|reading))?|latest"
    r"( (news|stories|articles))?|most (viewed|read|popular|shared|commented)|trending"
    r"( (now|news|stories))?|popular( (now|stories|articles))?|recommended( (for you|stories))?"
    r"|editor['’]?s picks?|top (stories|news)|more (stories|news|from .{1,40})|you may also like"
    r"|you might also like|see also|also read|more on this (topic|story)|in (other|case you"
    r" missed|this) .{1,30}|news|world|business|opinion"
)
_SECTION_LABEL_RE = re.compile(rf"^(?:{_SUMMARY_LABELS}|{_LINK_LIST_LABELS})\s*:?$", re.IGNORECASE)
_LINK_LIST_LABEL_RE = re.compile(rf"^(?:{_LINK_LIST_LABELS})\s*:?$", re.IGNORECASE)
_CONTACT_LABEL_RE = re.compile(r"^(?:(?:media|press) )?(?:contacts?|enquiries|inquiries)\b", re.I)

_NEWSPAPER_HEADLINE_RE = re.compile(r"^(newspaper headline|print headline)\s*:\s*", re.IGNORECASE)
_DISCLAIMER_START_RE = re.compile(
    r"^(disclaimer|editor['’]?s note|note|correction|clarification|update)\s*:", re.IGNORECASE
)

# Field labels that can be strung together on one line.
_FIELD_LABEL_RE = re.compile(
    r"(?:^|(?<=\s)|(?<=\|))(?P<label>Source|Published(?: on)?|First published|Last updated"
    r"|Updated(?: on)?|Posted(?: on)?|Date|Edited by|Written by|Reporter|Author)\s*:\s*",
    re.IGNORECASE,
)
_FIELD_TAIL_RE = re.compile(r"[\s|,;·\-–—]+$")
_BYLINE_START_RE = re.compile(r"^(?:By|BY|Written by|Words by|Story by|Reporting by)\s+(?=\S)")
_BYLINE_LOWER_OK = _words("and & de van von der den da di du dos bin binti al el la le y ibn ben")
_DATELINE_LABEL_RE = re.compile(
    r"^(?:(?:first |originally )?published|(?:last )?updated|posted|date|modified)"
    r"(?:\s+on)?\s*:?\s*",
    re.IGNORECASE,
)
_WEEKDAY_RE = re.compile(
    r"\b(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\b\.?,?", re.I
)

# Photo credits at the end of a line ("… File photo: VCG", "… (Yonhap)", "… © Reuters").
_CREDIT_TAIL_RE = re.compile(
    r"(?:(?<=\s)|(?<=^)|(?<=[.!?)\]”\"]))(?P<credit>"
    r"(?:(?:File|Stock|Cover|Top|Main|Feature|Handout)\s+)?"
    r"(?:Photo|Photos|Image|Images|Picture|Photograph|Graphic|Illustration|Video)"
    r"(?:\s+(?:credit|source|by|courtesy(?: of)?))?\s*:\s*[^.:\n]{1,60}[.]?"
    r"|\((?:(?:File|Photo|Image)\b[^()]{0,60}|(?:Yonhap|AP|AFP|Reuters|Xinhua|EPA|Getty Images"
    r"|Getty|Kyodo|Newsis|News1|Bloomberg|VCG|IC|CFP|Imaginechina|Shutterstock|Handout"
    r"|EPA-EFE|Korea Herald DB|Courtesy of [^()]{1,40})(?:[/ ][^()]{0,40})?)\)"
    r"|©\s*[^©\n]{1,60}"
    r"|(?:Photo|Image)\s+(?:by|courtesy of)\s+[^.\n]{1,50})\s*$",
    re.IGNORECASE,
)
# Labels that start a credit, used to tell "File photo: VCG" from a caption-less line.
_CREDIT_ONLY_RE = re.compile(
    r"^(?:(?:File|Stock|Handout)\s+)?(?:Photo|Photos|Image|Images|Picture|Photograph|Graphic"
    r"|Illustration|Video)(?:\s+(?:credit|source|by|courtesy(?: of)?))?\s*:?\s*\S.{0,60}$"
    r"|^(?:Credit|Source|Photo credit)\s*:\s*\S.{0,60}$|^©.{1,60}$|^\([^()]{1,60}\)$",
    re.IGNORECASE,
)

_CREDIT_START_RE = re.compile(r"(?:\(|©|credit|photo|image|picture|graphic|file|stock)", re.I)
_TERMINAL_RE = re.compile(r"[.!?…。！？]['\"”’)\]»]*$")
_CLOSED_RE = re.compile(r"[.!?…。！？:;,]['\"”’)\]»]*$")
_WRAP_END_WORDS = _words(
    """the a an of in on at for to and or but nor with by from as that which who whom whose its
    their his her our your my this these those is are was were be been being has have had will
    would shall can could may might must than into onto over under between among amid about
    after before during against without within across through per via said says if when while
    because since although though not no so such both either neither each every also including
    like whether where there then"""
)
_WORD_RE = re.compile(r"[^\W\d_][\w'’.&-]*|\d[\w.,%]*", re.UNICODE)
_ORG_WORDS = _words(
    """institute institution academy university college school group company corporation corp co
    inc ltd ministry department agency council commission bureau association federation center
    centre laboratory lab office foundation bank authority administration committee society
    union organization organisation board court police army government director chairman
    chairwoman chair president ceo secretary minister chief professor dr head spokesperson
    spokesman spokeswoman founder executive manager governor mayor ambassador analyst researcher
    engineer"""
)
_NAME_LOWER_OK = _words("of the and for at in on de & von van du da la le del")


@dataclass(slots=True)
class _Line:
    """One non-blank line: trimmed offsets and text, and whether a blank line precedes it."""

    start: int
    end: int
    text: str
    blank_before: bool
    index: int


@dataclass(slots=True)
class _Para:
    """Consecutive text lines grouped into one paragraph before its role is decided."""

    lines: list[_Line]
    hint: str = ""  # "bullet" or "disclaimer" when the first line says so
    start: int = 0  # may be after a bullet marker

    @property
    def end(self) -> int:
        return self.lines[-1].end


def _split_lines(text: str) -> list[_Line]:
    """Return the non-blank lines of `text` with trimmed offsets."""
    lines: list[_Line] = []
    pos = 0
    blank = True
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            start = pos + lead
            lines.append(_Line(start, start + len(stripped), stripped, blank, len(lines)))
            blank = False
        else:
            blank = True
        pos += len(raw) + 1
    return lines


def _is_chrome_line(line: str) -> bool:
    """Tell whether a whole line is a widget, button or boilerplate."""
    core = _LEADING_SYMBOLS_RE.sub("", line).rstrip(" →»›>|")
    if not core:
        return True  # a line of symbols only ("•", "→", "|")
    if len(core) > 320:
        return False
    if _BREADCRUMB_RE.match(core) and core.count(" ") < 12:
        return True
    return any(rx.fullmatch(core) for rx in _CHROME_RES)


def _is_byline_text(value: str) -> bool:
    """Tell whether the text after "By " looks like names, not the start of a sentence."""
    value = re.split(r"\s*[|;(]|\s+[-–—]\s+|,\s*(?=[A-Z][\w ]*$)", value, maxsplit=1)[0]
    words = value.split()
    if not words or len(words) > 12:
        return False
    first = words[0]
    if not first[0].isalpha() or first[0].islower():
        return False
    if value.endswith(".") and not re.search(r"\b[A-Z]\.$", value):
        return False
    for word in words:
        head = word.lstrip("\"'“(")
        if head and head[0].islower() and head.lower() not in _BYLINE_LOWER_OK:
            return False
    return True


def _field_parts(line: _Line) -> list[tuple[int, int, str]] | None:
    """Split a byline/source/dateline line into labelled parts, or None if it is not one."""
    text = line.text
    byline = _BYLINE_START_RE.match(text)
    label = _FIELD_LABEL_RE.match(text)
    if not byline and not label:
        return None
    cuts = [m.start() for m in _FIELD_LABEL_RE.finditer(text)]
    if not cuts or cuts[0] != 0:
        cuts.insert(0, 0)
    parts: list[tuple[int, int, str]] = []
    for i, cut in enumerate(cuts):
        end = cuts[i + 1] if i + 1 < len(cuts) else len(text)
        chunk = text[cut:end]
        stripped = _FIELD_TAIL_RE.sub("", chunk)
        if not stripped.strip():
            continue
        role = _field_role(stripped)
        if role is None:
            return None
        parts.append((line.start + cut, line.start + cut + len(stripped), role))
    return parts or None


def _field_role(chunk: str) -> str | None:
    """Return the role of one field of a field line, or None if it is not a field."""
    m = _FIELD_LABEL_RE.match(chunk)
    if m:
        label = m.group("label").lower()
        if label == "source":
            return BlockRole.SOURCE
        if label in {"edited by", "written by", "reporter", "author"}:
            return BlockRole.BYLINE
        return BlockRole.DATELINE
    m = _BYLINE_START_RE.match(chunk)
    if m and _is_byline_text(chunk[m.end() :]):
        return BlockRole.BYLINE
    return None


def _is_date_line(line: str) -> bool:
    """Tell whether a line is only a date (with optional label, weekday, time and zone)."""
    if len(line) > 80:
        return False
    found = find_date(line)
    if found is None:
        return False
    _, start, end = found
    rest = line[:start] + " " + line[end:]
    rest = _DATELINE_LABEL_RE.sub("", rest.strip())
    rest = _WEEKDAY_RE.sub("", rest)
    rest = re.sub(
        r"\b(?:updated|published|posted|on|at|KST|UTC|GMT|EST|EDT)\b", "", rest, flags=re.I
    )
    return sum(ch.isalpha() for ch in rest) <= 3


def _is_masthead(line: _Line, position: int) -> bool:
    """Tell whether a line near the top is just the name of a known outlet."""
    return position < 4 and line.text.strip(" |-–—") in _ALIAS_TO_OUTLET


def _line_parts(line: _Line, prev: _Line | None, position: int) -> list[tuple[int, int, str]]:
    """Return the special parts of a line, or [] when the line is ordinary text."""
    text = line.text
    whole = [(line.start, line.end, BlockRole.CHROME)]
    if prev is not None and prev.text == text and len(text) < 400:
        return whole
    if _is_chrome_line(text):
        return whole
    if _SECTION_LABEL_RE.match(text):
        return [(line.start, line.end, BlockRole.SECTION_LABEL)]
    m = _NEWSPAPER_HEADLINE_RE.match(text)
    if m:
        label_end = line.start + len(m.group(0).rstrip())
        if m.end() == len(text):
            return whole
        return [
            (line.start, label_end, BlockRole.CHROME),
            (line.start + m.end(), line.end, BlockRole.NEWSPAPER_HEADLINE),
        ]
    fields = _field_parts(line)
    if fields:
        return fields
    if _is_date_line(text):
        return [(line.start, line.end, BlockRole.DATELINE)]
    if _is_masthead(line, position):
        return [(line.start, line.end, BlockRole.MASTHEAD)]
    return _caption_parts(line)


def _caption_parts(line: _Line) -> list[tuple[int, int, str]]:
    """Split a line ending in a photo credit into caption + credit; [] if it has none."""
    text = line.text
    if (
        len(text) <= 80
        and _CREDIT_ONLY_RE.match(text)
        and not _TERMINAL_RE.search(text[:-1])
        and _CREDIT_START_RE.match(text)
    ):
        return [(line.start, line.end, BlockRole.CREDIT)]
    if len(text) > 600:
        return []
    m = _CREDIT_TAIL_RE.search(text)
    if not m:
        return []
    caption = text[: m.start("credit")].rstrip()
    credit_start = line.start + m.start("credit")
    if not caption:
        return [(line.start, line.end, BlockRole.CREDIT)]
    return [
        (line.start, line.start + len(caption), BlockRole.CAPTION),
        (credit_start, line.end, BlockRole.CREDIT),
    ]


# --------------------------------------------------------------------------- paragraphs


def _wrap_width(lines: list[_Line]) -> int:
    """Return the column a hard-wrapped document wraps at, or 0 if it is not hard-wrapped.

    Wire copy and e-mail are wrapped at a fixed width (60–100 columns): nearly every line
    that continues into another line is close to that width, and no line is much longer.
    """
    lengths = [len(ln.text) for ln in lines if len(ln.text) >= 20]
    if len(lengths) < 4:
        return 0
    width = sorted(lengths)[int(len(lengths) * 0.9) - (len(lengths) % 10 == 0)]
    if not 40 <= width <= 100 or max(lengths) > width + 20:
        return 0
    continued = [len(a.text) for a, b in pairwise(lines) if not b.blank_before]
    if len(continued) < 3:
        return 0
    near = sum(1 for n in continued if n >= 0.7 * width)
    return width if near >= 0.6 * len(continued) else 0


def _is_wrap(prev: _Line, cur: _Line, width: int) -> bool:
    """Tell whether the break between two adjacent text lines is a wrap inside a paragraph.

    A line that ends a sentence never wraps. Otherwise it wraps when it ends with a comma,
    hyphen or a function word ("… in the"), or the next line starts lowercase; in a
    hard-wrapped document it also wraps when it reaches the wrap width (a short line ends
    its paragraph there).
    """
    if cur.blank_before:
        return False
    head = prev.text
    if _TERMINAL_RE.search(head):
        return width > 0 and len(head) >= 0.7 * width and _lowercase_start(cur.text)
    if head[-1] in ",-–—(/&+" or cur.text[0] in ",;)":
        return True
    last = head.rsplit(None, 1)[-1].lower().strip("\"'“”‘’(")
    if last in _WRAP_END_WORDS:
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
        w[0].isupper() or w[0].isdigit() or not w[0].isalpha() or w.lower() in _NAME_LOWER_OK
        for w in words
    )
    if not capitalised:
        return False
    return any(w.lower().strip(".") in _ORG_WORDS for w in words) or bool(
        re.match(r"^[A-Z][\w'’-]+(?: [A-Z][\w'’-]+){0,3}, [A-Z]", text)
    )


def _is_title_like(text: str, limit: int) -> bool:
    """Tell whether a line reads like a headline: short, no closing punctuation but "?"/"!"."""
    if len(text) > limit or len(text.split()) < 2:
        return False
    if text.endswith(("?", "!", "?”", '?"', "!”")):
        return True
    return not _CLOSED_RE.search(text)


# --------------------------------------------------------------------------- dates

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MON = (
    r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_TIME = (
    r"(?:,?\s*(?:[-–—|@·]|at)?\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"(?:\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?(?![\w])))?)?"
)
_TZ = (
    r"(?:\s*\(?(?P<tz>Z|UTC|GMT|(?:UTC|GMT)?\s?[+-]\d{1,2}(?::?\d{2})?|KST|JST|HKT|SGT|EST|EDT"
    r"|PST|PDT|CET|CEST|BST)\)?(?![\w]))?"
)
_DATE_RES = {
    "iso": re.compile(
        r"(?<![\d/.])(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
        r"(?:[T ](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?"
        r"(?P<tz>Z|[+-]\d{2}:?\d{2})?)?(?![\d])"
    ),
    "ymd": re.compile(
        r"(?<![\d/.])(?P<y>\d{4})(?P<sep>[/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d/])\.?"
        + _TIME
        + _TZ
    ),
    "mdy": re.compile(
        r"\b" + _MON + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?![\d])" + _TIME + _TZ,
        re.IGNORECASE,
    ),
    "dmy": re.compile(
        r"(?<![\d])(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?"
        + _MON
        + r",?\s+(?P<y>\d{4})(?![\d])"
        + _TIME
        + _TZ,
        re.IGNORECASE,
    ),
    "num": re.compile(
        r"(?<![\d/.-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})(?![\d])"
        + _TIME
        + _TZ
    ),
}
_TZ_OFFSETS = {
    "Z": 0, "UTC": 0, "GMT": 0, "KST": 9, "JST": 9, "HKT": 8, "SGT": 8,
    "EST": -5, "EDT": -4, "PST": -8, "PDT": -7, "CET": 1, "CEST": 2, "BST": 1,
}  # fmt: skip


def find_date(text: str, *, day_first: bool | None = None) -> tuple[datetime, int, int] | None:
    """Find the first date in `text`; return it with the span of the date as printed.

    Formats: ISO (2024-03-05, 2024-03-05T10:20:00Z), year first with slashes or dots
    (2019/7/9 19:48:40, 2011.04.21), month names either way round (Jul 20, 2022 11:43 PM;
    April 21, 2011 - 18:53; 5 March 2024) and all-numeric day/month/year. For the last,
    day-first when the first number is > 12, month-first when the second is; otherwise
    `day_first` decides, and without it dots and hyphens (05.03.2024) read day-first
    (European) and slashes (03/05/2024) month-first (US).

    The result is naive — the time as printed — unless the page prints a zone (Z, UTC, GMT,
    +09:00 or a common abbreviation such as KST), then it is aware. No zone is invented.
    """
    best: tuple[datetime, int, int] | None = None
    for kind, rx in _DATE_RES.items():
        for m in rx.finditer(text):
            if best is not None and m.start() >= best[1]:
                break
            value = _build_date(kind, m, day_first)
            if value is not None:
                best = (value, m.start(), m.end())
                break
    return best


def _build_date(kind: str, m: re.Match[str], day_first: bool | None) -> datetime | None:
    """Make a datetime from one regex match; None when the numbers are not a real date."""
    g = m.groupdict()
    year = int(g["y"])
    if kind in {"mdy", "dmy"}:
        month, day = _MONTHS[g["mon"][:3].lower()], int(g["d"])
    elif kind == "num":
        a, b = int(g["a"]), int(g["b"])
        first_is_day = a > 12 or (
            b <= 12 and (day_first if day_first is not None else g["sep"] in ".-")
        )
        day, month = (a, b) if first_is_day else (b, a)
    else:
        month, day = int(g["m"]), int(g["d"])
    hour = int(g.get("H") or 0)
    minute = int(g.get("M") or 0)
    second = int(g.get("S") or 0)
    ampm = (g.get("ampm") or "").lower().replace(".", "").replace(" ", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if not 1900 <= year <= 2100:
        return None
    try:
        value = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    tz = _parse_tz(g.get("tz") or "")
    return value.replace(tzinfo=tz) if tz is not None else value


def _parse_tz(raw: str) -> timezone | None:
    """Return a fixed-offset zone for a printed zone, or None when there is none."""
    raw = raw.strip().upper()
    if not raw:
        return None
    if raw in _TZ_OFFSETS:
        return timezone(timedelta(hours=_TZ_OFFSETS[raw]))
    m = re.fullmatch(r"(?:UTC|GMT)?\s?([+-])(\d{1,2}):?(\d{2})?", raw)
    if not m:
        return None
    hours, minutes = int(m.group(2)), int(m.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    sign = -1 if m.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


# --------------------------------------------------------------------------- language

_SCRIPTS = (
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
    ("latin", re.compile(r"[\u00c0-\u024f]")),
)
_ASCII_RE = re.compile(r"[\x00-\x7f]+")
_NOT_ASCII_LETTER_RE = re.compile(r"[^A-Za-z]+")
_STOPWORDS = {
    "en": _words("the and of to in is that for with was on are said by has"),
    "fr": _words("le la les des et est une dans pour que qui sur du au"),
    "de": _words("der die das und ist nicht mit von den ein eine für auf dem"),
    "es": _words("el la los las y es una por que con para del se al"),
    "pt": _words("o a os as e é uma por que com para do da em não"),
    "it": _words("il lo la gli le e è una per che con del della di non"),
    "nl": _words("de het een en is van dat niet met voor op zijn"),
}


def guess_language(text: str) -> str:
    """Guess the language from the dominant script; Latin script is told apart by stopwords.

    Japanese wins over Chinese as soon as kana make up a tenth of the CJK letters (Japanese
    mixes kanji and kana). Latin text defaults to "en" unless another language's common
    words clearly outnumber English ones. Empty or letterless text gives "".
    """
    sample = text[:6000]
    # Most pages are ASCII: count its letters with one C-level pass, and run the per-script
    # patterns only over the (usually tiny) non-ASCII rest.
    rest = _ASCII_RE.sub("", sample)
    counts = {code: len(rx.findall(rest)) for code, rx in _SCRIPTS}
    counts["latin"] += len(_NOT_ASCII_LETTER_RE.sub("", sample))
    if counts["ja"] and counts["ja"] >= 0.1 * (counts["ja"] + counts["zh"]):
        counts["ja"] += counts["zh"]
        counts["zh"] = 0
    code, count = max(counts.items(), key=lambda item: item[1])
    if count == 0:
        return ""
    if code != "latin":
        return code
    words = re.findall(r"[a-zà-ÿ]+", sample[:2000].lower())
    votes = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    best = max(votes, key=lambda lang: votes[lang])
    return best if votes[best] > 1.5 * votes["en"] + 2 else "en"


# --------------------------------------------------------------------------- the parser


def parse_page(text: str) -> ParsedPage:
    """Split the canonical text of a page into role-labelled blocks and read its metadata."""
    lines = _split_lines(text)
    special: dict[int, list[tuple[int, int, str]]] = {}
    prev: _Line | None = None
    in_contact = False
    for position, line in enumerate(lines):
        if line.blank_before:
            in_contact = False
        parts = _line_parts(line, prev, position)
        if in_contact and not parts and len(line.text) <= 80:
            parts = [(line.start, line.end, BlockRole.CHROME)]
        if parts:
            special[line.index] = parts
            if _CONTACT_LABEL_RE.match(line.text):
                in_contact = True
        prev = line
    width = _wrap_width([ln for ln in lines if ln.index not in special])
    blocks = _assign_roles(text, lines, special, width)
    meta = _read_meta(text, blocks)
    return ParsedPage(meta=meta, blocks=blocks)


def _group(lines: list[_Line], special: dict[int, list], width: int) -> list[_Para | list]:
    """Group consecutive text lines into paragraphs; special lines pass through as parts."""
    items: list[_Para | list] = []
    current: _Para | None = None
    for line in lines:
        if line.index in special:
            items.append(special[line.index])
            current = None
            continue
        bullet = _BULLET_MARK_RE.match(line.text)
        if (
            current is not None
            and not bullet
            and _is_wrap(current.lines[-1], line, width)
            and current.hint != "disclaimer-line"
        ):
            current.lines.append(line)
            continue
        hint = "bullet" if bullet else ""
        if not bullet and _DISCLAIMER_START_RE.match(line.text):
            hint = "disclaimer"
        start = line.start + (bullet.end() if bullet else 0)
        current = _Para([line], hint, start)
        items.append(current)
    return items


def _assign_roles(
    text: str, lines: list[_Line], special: dict[int, list], width: int
) -> list[Block]:
    """Give every paragraph its role from its shape and position; return the blocks."""
    blocks: list[Block] = []
    seen_content = False  # a headline is only possible before any content
    link_list = False  # after "Related"/"Latest": lines are links to other stories
    for item in _group(lines, special, width):
        if isinstance(item, list):
            for start, end, role in item:
                blocks.append(Block(start, end, role))
                if role == BlockRole.SECTION_LABEL:
                    link_list = bool(_LINK_LIST_LABEL_RE.match(text[start:end]))
                elif role in {BlockRole.CAPTION, BlockRole.NEWSPAPER_HEADLINE}:
                    seen_content = True
            continue
        role = _paragraph_role(text, item, seen_content, link_list)
        if link_list and role != BlockRole.CHROME:
            link_list = False
        if role not in {BlockRole.CHROME}:
            seen_content = True
        blocks.append(Block(item.start, item.end, role))
    return blocks


def _paragraph_role(text: str, para: _Para, seen_content: bool, link_list: bool) -> str:
    """Decide the role of one paragraph of ordinary text (see the module docstring)."""
    body = text[para.start : para.end]
    single = len(para.lines) == 1
    if link_list and len(body) <= 150 and (para.hint == "bullet" or not _TERMINAL_RE.search(body)):
        return BlockRole.CHROME
    if para.hint == "bullet":
        return BlockRole.BULLET
    if para.hint == "disclaimer":
        return BlockRole.DISCLAIMER
    if not single:
        return BlockRole.BODY
    if not seen_content and _is_title_like(body, 250):
        return BlockRole.HEADLINE
    if _is_name_line(body) and not _CLOSED_RE.search(body):
        return BlockRole.CAPTION
    if _is_title_like(body, 120):
        return BlockRole.SUBHEADING
    return BlockRole.BODY


# --------------------------------------------------------------------------- metadata


def _read_meta(text: str, blocks: list[Block]) -> PageMeta:
    """Read title, date, byline, publisher and language off the labelled blocks."""
    meta = PageMeta(language=guess_language(text))
    meta.title = _title(text, blocks)
    meta.byline = _byline(text, blocks)
    meta.published, meta.published_raw = _published(text, blocks)
    meta.publisher_name = _publisher(text, blocks)
    # provenance.py builds on this module's outlet list, so it is imported here, not on top.
    from sources.ingest.provenance import republished_from

    meta.republished_from = republished_from(text, publisher=meta.publisher_name)
    return meta


def _first(blocks: list[Block], role: str) -> Block | None:
    return next((b for b in blocks if b.role == role), None)


def _title(text: str, blocks: list[Block]) -> str:
    """Pick the title: top headline, else the "Newspaper headline:" text, else a stand-in.

    The stand-in, for pages with neither (a newsletter that opens with "Highlights"), is
    the first sentence of the first summary bullet or body paragraph, if it is at most 250
    characters; white space inside it is collapsed. Otherwise the title stays empty.
    """
    for role in (BlockRole.HEADLINE, BlockRole.NEWSPAPER_HEADLINE):
        block = _first(blocks, role)
        if block is not None:
            return " ".join(block.text_of(text).split())
    for block in blocks:
        if block.role in {BlockRole.BULLET, BlockRole.BODY}:
            body = " ".join(block.text_of(text).split())
            m = re.search(r"[.!?](?=\s+[A-Z“\"])", body)
            first = body[: m.end()] if m else body
            return first if len(first) <= 250 else ""
    return ""


def _byline(text: str, blocks: list[Block]) -> str:
    """Return the names of the top byline, without "By" and trailing punctuation."""
    block = _first(blocks, BlockRole.BYLINE)
    if block is None:
        return ""
    value = block.text_of(text)
    value = _BYLINE_START_RE.sub("", value, count=1)
    value = _FIELD_LABEL_RE.sub("", value, count=1) if _FIELD_LABEL_RE.match(value) else value
    value = re.split(r"\s*[|;]\s*", value, maxsplit=1)[0]
    return value.strip(" \t,.;:-–—(")


def _published(text: str, blocks: list[Block]) -> tuple[datetime | None, str]:
    """Return the publication date and the date as printed, from the first dateline.

    A dateline labelled "Published" wins over "Updated"/"Posted"/bare dates. Numeric
    day/month order follows the page: day-first if the page writes dates as "5 March 2024".
    """
    datelines = [b for b in blocks if b.role == BlockRole.DATELINE]
    if not datelines:
        return _story_dateline_date(text, blocks)
    datelines.sort(key=lambda b: not text[b.start : b.end].lower().startswith("published"))
    day_first = _page_day_first(text)
    for block in datelines:
        value = block.text_of(text)
        found = find_date(value, day_first=day_first)
        if found is not None:
            when, start, end = found
            return when, value[start:end].strip()
    value = datelines[0].text_of(text)
    return None, _DATELINE_LABEL_RE.sub("", value).strip()


def _story_dateline_date(text: str, blocks: list[Block]) -> tuple[datetime | None, str]:
    """A full date (with its year) in the dateline that opens the story, if any."""
    body = _first(blocks, BlockRole.BODY)
    m = story_dateline(body.text_of(text)) if body is not None else None
    if m is None or not m.group("date"):
        return None, ""
    found = find_date(m.group("date"))
    if found is None:
        return None, ""
    when, start, end = found
    return when, m.group("date")[start:end].strip()


def _page_day_first(text: str) -> bool | None:
    """Tell whether the page writes dates day-first ("5 March 2024"); None if it does not say."""
    head = text[:3000]
    dmy = bool(_DATE_RES["dmy"].search(head))
    mdy = bool(_DATE_RES["mdy"].search(head))
    if dmy != mdy:
        return dmy
    return None


def _publisher(text: str, blocks: list[Block]) -> str:
    """Name the outlet that published the page; "" when nothing on the page says.

    Precedence: (1) a masthead line; (2) a "Source:" field; (3) a wire dateline
    "CITY, Date (Reuters) —" in the first body paragraph; (4) a known outlet named in the
    page's own chrome (comment widget "Join the discussion at the X Forum", copyright
    line); (5) a known outlet named in the text as the recipient of an interview ("told the
    Global Times") — interviewees talk to the outlet that prints the story; the most
    frequent one wins. Outlets that are only cited ("the Securities Times reported") are
    sources, not the publisher, and are never used.
    """
    masthead = _first(blocks, BlockRole.MASTHEAD)
    if masthead is not None:
        return canonical_outlet(masthead.text_of(text).strip(" |-–—"))
    source = _first(blocks, BlockRole.SOURCE)
    if source is not None:
        value = _FIELD_LABEL_RE.sub("", source.text_of(text), count=1)
        value = re.split(r"\s*[|;]\s*", value, maxsplit=1)[0]
        if value.strip():
            return canonical_outlet(value)
    body = _first(blocks, BlockRole.BODY)
    m = story_dateline(body.text_of(text)) if body is not None else None
    if m and (m.group("agency") or m.group("wire")):
        return canonical_outlet((m.group("agency") or m.group("wire")).strip())
    for block in blocks:
        if block.role == BlockRole.CHROME:
            m = _OUTLET_RE.search(block.text_of(text))
            if m:
                return canonical_outlet(m.group(0))
    told: dict[str, int] = {}
    for m in _TOLD_OUTLET_RE.finditer(text):
        name = canonical_outlet(m.group(1))
        told[name] = told.get(name, 0) + 1
    if told:
        return max(told, key=lambda name: told[name])
    return ""
