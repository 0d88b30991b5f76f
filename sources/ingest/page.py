"""Find the blocks of a pasted news page and the metadata printed on it.

A page dump is what a user copies out of a browser or a CMS export: a headline, bylines,
datelines, photo captions with credits, bullet highlights, body paragraphs (sometimes
hard-wrapped), subheadings, disclaimers and widget chrome. `parse_page` labels every
non-blank stretch of the canonical text with a role so the segmenter knows what becomes a
claim, and reads the title, date, byline, publisher and language off the page.

Offsets always index the canonical text; no character is changed or dropped, so
`text[block.start:block.end]` is the exact block and never starts or ends with white space.

Rules, in the order they are applied to each line (the first that matches wins). They go
by what a line is — its shape — never by which outlet prints it:

0. A search index's date glued to the first line (" date 2024-12-03 …") is split off as
   a dateline of its own.
1. A line identical to the previous non-blank line, or repeating a header line further
   down (the headline printed twice), is a duplicate: chrome.
2. Bare section labels ("Highlights", "Related", "Latest", "Most Viewed", "References:"):
   section_label. After a link-list label a run of two or more short headline-like lines
   is a list of other stories: chrome (one such line is the page's own headline).
3. Relative timestamps ("Updated 18 minutes ago"): dateline, with no date.
4. The page's first line when it is a site's name (shaped like a name and either named
   like an outlet or printed again on the page): masthead.
5. Furniture by kind (`_chrome_kind`): symbol lines, breadcrumbs, widgets and boilerplate,
   counters ("12 Comments", "3 min read"), newsletter prompts, trust/about boxes, button
   labels, glued menus, section names ("Nation & World News"), contact fields, bare
   domains, bracketed notes: chrome; sign-offs ("-- BERNAMA", "Agencies via X",
   "(Reporting by …)") and photo credits ("AP Photo/…", "Stringer | AFP | Getty
   Images"): credit. Lines right after a "Media contact:" label are chrome too.
6. Bylines without "By": an all-caps name in the header, a name above the author's
   e-mail, "NAME | Outlet".
7. "Newspaper headline: X": the label is chrome, X is a newspaper_headline block.
8. Field lines starting "By …", "Source: …", "Published/Updated/Posted/Date: …" are split
   at every field label into byline / source / dateline blocks (a run-on
   "By A and B Source:Outlet Published: 2019/7/9 19:48:40" gives three blocks).
9. A line that is only a date (optionally with a weekday, time and zone): dateline.
10. A line that is only a photo credit ("Photo: VCG"): credit. A line ending in a credit
   ("… File photo: VCG", "… (Yonhap)", "… /VCG", "… [EPA/YONHAP]", "… Credit: X") is split
   into a caption and a credit; a one-sentence line ending in a place and a bare date is a
   wire photo caption.
11. A line starting with a list marker ("- ", "• ", "1. "): bullet; the marker is left out.
12. A paragraph starting "Disclaimer:", "Editor's note:", "Note:", "Correction:": disclaimer.

Then the header is labelled (`_mark_header`): short label lines above the headline
("Press Release", "Exhibit 99.2", a section or site name) are chrome, "Label: text" lines
and a bare name between the headline and the story are chrome and byline.

Remaining text lines are grouped into paragraphs (see `_is_wrap`; text stored with a
blank line after every hard-wrapped line is re-joined, `_double_spaced`) and each
paragraph gets a role from its shape and position (see `_paragraph_role`): headline
(first title-like line before any content), caption (a name-only line: "Name, Title of
Org" or an organisation name), subheading (short line without final punctuation, or a
question, with story text after it), body otherwise. A credit or emoji after a
paragraph's last sentence ("… she said. — Bernama") is split off as a credit.

The publisher is only what the page's structure says (`_publisher`), each with its
`Evidence`; which registry entry a name stands for is decided outside ingest.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from itertools import pairwise

from sources.ingest.domains import looks_like_domain
from sources.ingest.types import Evidence, PageMeta


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
    # Hard-wrapped text stored with a blank line after every line: a blank line inside a
    # block is a wrap, not a paragraph break (segment.py then does not cut there).
    double_spaced: bool = False


# --------------------------------------------------------------------------- story datelines

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


# A press release's dateline with the date between dashes: "LAS VEGAS – December 9, 2021 –".
# The empty `agency`/`wire` groups keep the match's groups the same as the story dateline's.
_RELEASE_DATELINE_RE = re.compile(
    r"^(?P<place>[A-Z][A-Z .'’-]{1,40}?)(?:,\s*[A-Z][A-Za-z .]{1,30}?)?\s*(?:--|[-–—])\s*"
    rf"(?P<date>{_MONTH_ABBR}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH_ABBR},?\s+\d{{4}})"
    r"\s*(?:--|[-–—])\s*(?P<agency>(?!))?(?P<wire>(?!))?"
)


# A wire dateline with no place, only the day: "Aug 26 (Reuters) -". The empty `place` and
# `wire` groups keep the match's groups the same as the story dateline's.
_DAY_WIRE_DATELINE_RE = re.compile(
    rf"^(?P<place>(?!))?(?P<date>{_MONTH_ABBR}\s+\d{{1,2}}(?:,\s*\d{{4}})?"
    rf"|\d{{1,2}}\s+{_MONTH_ABBR}(?:\s+\d{{4}})?)"
    r"\s*\((?P<agency>[A-Z][\w .&-]{1,30})\)(?P<wire>(?!))?\s*(?:--|[-–—])\s+"
)


def story_dateline(paragraph: str) -> re.Match[str] | None:
    """Match the dateline that opens a news story or press release, if there is one."""
    m = _DAY_WIRE_DATELINE_RE.match(paragraph)
    if m is not None:
        return m
    m = _RELEASE_DATELINE_RE.match(paragraph)
    if m is not None and len(m.group("place").strip()) > 2:
        return m
    m = _STORY_DATELINE_RE.match(paragraph)
    if m is not None:
        place = m.group("place").strip()
        if m.group("agency") or m.group("wire") or (place.isupper() and len(place) > 2):
            return m
    return None


def canonical_outlet(name: str) -> str:
    """Return an outlet name as a page prints it, without framing punctuation.

    Which outlet a name stands for is the publisher registry's business
    (`sources/registry.py`); ingest only tidies what the page says.
    """
    return " ".join(name.split()).strip(" .,;:|-–—()[]")


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
# Lists whose lines are not the story: references and sources at the foot of a page.
_REFERENCE_LABEL_RE = re.compile(
    r"^(?:references?|reference\(s\)|sources?|further reading|external links|notes)\s*:?$", re.I
)

# ---- chrome by kind: what a line is (a button, a counter, a menu…), not which string it is.
# Counters: "12 Comments", "3 min read", "1.2K views", "Reading time: 4 minutes".
_COUNTER_RE = re.compile(
    r"^(?:\d[\d,.]*\s*[km]?\s+(?:comments?|replies|views?|shares?|likes?|reads?|reactions?"
    r"|responses?|votes?|followers?|subscribers?)"
    r"|\d+\s*(?:-\s*)?(?:min(?:ute)?s?|hours?|hrs?)\.?(?:\s+(?:read|reading|listen|watch))?"
    r"|(?:reading|read|listening) time\s*:?\s*.{1,20})$",
    re.I,
)
# Timestamps that are not dates: "Updated 18 minutes ago", "an hour ago", "Just now".
_RELATIVE_TIME_RE = re.compile(
    r"^(?:(?:last\s+)?(?:updated|posted|published|modified|edited)\s*:?\s*)?"
    r"(?:(?:about|over|almost|nearly|just|less than)\s+)?"
    r"(?:\d+|an?|one|two|three|four|five|a few|several)\s+"
    r"(?:sec(?:ond)?s?|min(?:ute)?s?|h(?:ou)?rs?|hours?|days?|weeks?|months?|years?)\s+ago\.?$"
    r"|^(?:(?:updated|posted|published)\s*:?\s*)?(?:just now|moments ago|yesterday|today)$",
    re.I,
)
# Newsletter prompts and trust/about boxes: what the site says about itself.
_PROMPT_RE = re.compile(
    r"\b(?:newsletters?|inbox|your e-?mail(?: address)?|e-?mail address|unsubscribe"
    r"|push notifications?|our app|download the app)\b",
    re.I,
)
_TRUST_BOX_RE = re.compile(
    r"^(?:why you can trust\b|our standards\s*:|(?:the )?[\w ]{0,30}trust principles\b"
    r"|about (?:us|the author|the authors|this (?:story|article|site))\b"
    r"|(?:editorial|ethics|corrections) (?:standards|guidelines|policy)\b"
    r"|fact[- ]checked by\b|(?:medically |editorially )?reviewed by\b|meet the team\b"
    r"|(?:learn|read) more about (?:us|our)\b|how we (?:report|work|fact-check)\b"
    r"|support (?:our|independent) journalism\b|become a (?:member|subscriber|supporter)\b)",
    re.I,
)
# Buttons and player widgets start with an imperative: "Watch online", "Listen", "Download".
_WIDGET_VERB_RE = re.compile(
    r"^(?:watch|listen|play|read|share|subscribe|download|sign|log|join|click|tap|view|browse"
    r"|shop|donate|print|copy|email|register|upgrade)\b",
    re.I,
)
# Section and rubric names are made of topic words: "Nation & World News", "Business".
_SECTION_WORDS = _words(
    """nation national world international global local metro regional region business
    businesses markets market economy economics finance financial money personal politics
    political policy opinion opinions editorial editorials commentary analysis features feature
    sports sport tech technology science health entertainment lifestyle culture arts travel
    asia europe americas africa oceania pacific middle east us u.s. uk china india latest
    top breaking home news stories headlines energy environment climate industry industries
    mining metals commodities stocks forex cryptocurrency crypto retail video videos photos
    podcasts podcast live society military defense defence diplomacy weather education
    world-news more all trending popular most viewed read shared today week exclusive
    investigations investigation insight insights explainer explainers press releases
    release media companies company science-tech auto autos property real estate"""
)
_CONNECTORS = _words("& and , / + | of the")
_CONTACT_FIELD_RE = re.compile(r"^[\w .'’-]{2,30}:\s*\+?\(?\d[\d ()./-]{6,20}$")
_BRACKET_LINE_RE = re.compile(r"^\[[^\[\]\n]{1,80}\]$")
# A sign-off credit on its own line: "-- BERNAMA", "— Reuters", "Agencies via Xinhua",
# "(Reporting by …; Editing by …)", "With inputs from PTI", "Compiled by …".
_SIGNOFF_LINE_RE = re.compile(
    r"^(?:--|[—–])\s*[A-Z][\w&.'’/-]*(?:\s+[A-Z][\w&.'’/-]*){0,3}\s*(?:--|[—–])?$"
    r"|^\(?(?:agencies|agency|wires|news agencies|agencies via\b.{1,40}|via [A-Z][^.]{0,40}"
    r"|with inputs? from\b[^.]{1,60}|inputs? from\b[^.]{1,60}|compiled by\b[^.]{1,60})\)?\.?$"
    r"|^[^.]{3,200}\bcontributed(?: reporting)?(?: to (?:this|the) (?:report|story|article))?\.?$"
    r"|^\((?:(?:additional )?reporting by\b.{1,200}|writing by\b.{1,100}|editing by\b.{1,100}"
    r"|edited by\b.{1,100}|translated by\b.{1,100}|produced by\b.{1,100})\)\.?$",
    re.I,
)
_REPORTING_BY_RE = re.compile(
    r"^\(?(?:additional\s+)?reporting by\s+(?P<names>.+?)(?:\s+in\s+[A-Z][^;)]*)?(?:[;)]|$)",
    re.I,
)
# Who took or sold a picture (photo libraries, pool and handout credits): never whose text
# it is. News agencies credited for a picture are found through the registry instead.
_PICTURE_SOURCES = (
    r"Getty Images|Getty|Shutterstock|iStock|Alamy|Imaginechina|VCG|CFP|IC|EPA-EFE|Pool"
    r"|Handout|Stringer"
)
# Photo credit lines: "AP Photo/Ng Han Guan", "Stringer | AFP | Getty Images", "/VCG".
_PHOTO_CREDIT_LINE_RE = re.compile(
    r"^[A-Z][\w.&-]*(?:\s[A-Z][\w.&-]*)?\s+Photos?\s*/\s*\S.{0,60}$"
    r"|^/\s?[A-Z][\w&-]*(?:[ /][A-Z][\w&-]*){0,3}$"
    rf"|^(?:{_PICTURE_SOURCES})(?:\s*/.{{1,40}})?$"
)
_PHOTO_WORD_RE = re.compile(rf"\b(?:{_PICTURE_SOURCES}|Images|Photos?|AFP via|File)\b")
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
    r"|\((?:(?:File|Photo|Image)\b[^()]{0,60}|Courtesy of [^()]{1,40}"
    r"|(?-i:(?P<credited>[A-Z][\w.&-]*(?: [A-Z][\w.&-]*){0,3}))(?:/[^()]{0,40})?)\)"
    r"|©\s*[^©\n]{1,60}"
    r"|(?-i:(?:Photo\s+)?Credits?)\s*:\s*[^:\n]{1,60}"
    r"|(?<=\s)(?-i:/\s?[A-Z][\w&-]*(?:[ /][A-Z][\w&-]*){0,3})"
    r"|(?-i:\[[A-Z][A-Za-z0-9 .&/-]{1,50}\])"
    r"|(?:Photo|Image)\s+(?:by|courtesy of)\s+[^.\n]{1,50})\s*$",
    re.IGNORECASE,
)
# Labels that start a credit, used to tell "File photo: VCG" from a caption-less line.
_CREDIT_ONLY_RE = re.compile(
    r"^(?:(?:File|Stock|Handout)\s+)?(?:Photo|Photos|Image|Images|Picture|Photograph|Graphic"
    r"|Illustration|Video)(?:\s+(?:credit|source|by|courtesy(?: of)?))?\s*:?\s*\S.{0,60}$"
    r"|^(?:Credits?|Source|Photo credit)\s*:\s*\S.{0,60}$|^©.{1,60}$|^\([^()]{1,60}\)$",
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


# A search index's date glued to the first line of a stored page: " date 2024-12-03 Nation…".
_INDEX_DATE_RE = re.compile(r"^date:?\s+\d{4}-\d{2}-\d{2}(?=\s|$)", re.I)


def _split_lines(text: str) -> list[_Line]:
    """Return the non-blank lines of `text` with trimmed offsets.

    A search index's date prefix on the first line becomes a line of its own, so it is
    a dateline and never part of the headline or a claim.
    """
    lines: list[_Line] = []
    pos = 0
    blank = True
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            start = pos + lead
            prefix = _INDEX_DATE_RE.match(stripped) if not lines else None
            if prefix is not None and prefix.end() < len(stripped):
                lines.append(_Line(start, start + prefix.end(), prefix.group(0), blank, 0))
                rest = stripped[prefix.end() :]
                start += prefix.end() + len(rest) - len(rest.lstrip())
                stripped, blank = rest.strip(), True
            lines.append(_Line(start, start + len(stripped), stripped, blank, len(lines)))
            blank = False
        else:
            blank = True
        pos += len(raw) + 1
    return lines


def _is_chrome_line(line: str) -> bool:
    """Tell whether a whole line is a widget, button or boilerplate (see `_chrome_kind`)."""
    return bool(_chrome_kind(line))


def _chrome_kind(line: str) -> str:
    """Name the kind of page furniture a whole line is, or "" when it is text.

    Kinds, by shape: symbols only; breadcrumb; widget/boilerplate (`_CHROME_RES`); counter;
    relative timestamp; newsletter prompt; trust/about box; button label; menu; section
    name; contact field; bare domain; bracketed note; sign-off credit; photo credit.
    """
    core = _LEADING_SYMBOLS_RE.sub("", line).rstrip(" →»›>|")
    if not core or not any(ch.isalnum() for ch in core):
        return "symbols"  # a line of symbols only ("•", "→", "|", "/")
    if len(core) > 320:
        return ""
    if _BREADCRUMB_RE.match(core) and core.count(" ") < 12:
        return "breadcrumb"
    if any(rx.fullmatch(core) for rx in _CHROME_RES):
        return "widget"
    if _COUNTER_RE.match(core):
        return "counter"
    if _RELATIVE_TIME_RE.match(core):
        return "timestamp"
    words = core.split()
    terminal = bool(_TERMINAL_RE.search(core))
    prompt_shape = not terminal or _WIDGET_VERB_RE.match(core) or re.search(r"\byour\b", core, re.I)
    if len(words) <= 24 and _PROMPT_RE.search(core) and prompt_shape and not _story_sentence(core):
        return "prompt"
    if _TRUST_BOX_RE.match(core) and len(words) <= 40:
        return "trust-box"
    if len(words) <= 4 and not terminal and _WIDGET_VERB_RE.match(core):
        return "button"
    if _is_menu(words):
        return "menu"
    if _is_section_name(core):
        return "section"
    if _CONTACT_FIELD_RE.match(core) and find_date(core) is None:
        return "contact"
    if looks_like_domain(core) or _BRACKET_LINE_RE.match(core):
        return "link"
    if _SIGNOFF_LINE_RE.match(line) or _SIGNOFF_LINE_RE.match(core):
        return "sign-off"
    if _PHOTO_CREDIT_LINE_RE.match(core) or _is_pipe_credit(core):
        return "photo-credit"
    return ""


def _story_sentence(text: str) -> bool:
    """Tell whether a line reads as a reported sentence (past tense, third person)."""
    return bool(
        _TERMINAL_RE.search(text)
        and re.search(r"\b(?:said|says|told|announced|reported|would|will|has|had|was)\b", text)
    )


def _is_menu(words: list[str]) -> bool:
    """A navigation menu glued into one line: many capitalised words, no function word,
    mostly section names (a Title Case headline has verbs: "Rare Earth Prices Hit Highs")."""
    if len(words) < 6:
        return False
    topical = sum(w.lower() in _SECTION_WORDS for w in words)
    if len(words) < 10 and topical < len(words) / 2:
        return False
    for word in words:
        if word == "&":
            continue
        if not word[:1].isupper() or not re.fullmatch(r"[A-Z][\w'’.-]*", word):
            return False
        if word.lower() in _WRAP_END_WORDS:
            return False
    return True


def _is_section_name(text: str) -> bool:
    """A section or rubric name: only topic words ("Nation & World News", "Business")."""
    if len(text) > 60 or _TERMINAL_RE.search(text):
        return False
    words = [w.strip(",:;|/").lower() for w in text.split()]
    words = [w for w in words if w]
    if not words or len(words) > 5:
        return False
    topical = [w for w in words if w not in _CONNECTORS]
    return bool(topical) and all(w in _SECTION_WORDS for w in topical)


def _is_pipe_credit(text: str) -> bool:
    """A photo credit in pipes: "Stringer | AFP | Getty Images"."""
    parts = [p.strip() for p in text.split("|")]
    if len(parts) < 2 or any(not p or len(p.split()) > 4 for p in parts):
        return False
    if any(_TERMINAL_RE.search(p) for p in parts):
        return False
    return len(parts) >= 3 or bool(_PHOTO_WORD_RE.search(text))


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


# Words that make a short line a news outlet's name ("The Korea Herald", "BBC News").
_OUTLET_WORDS = _words(
    """times herald daily post journal tribune gazette mail telegraph chronicle observer guardian
    weekly insider examiner courier dispatch inquirer bulletin sentinel magazine agency network
    broadcasting radio tv television online digest ledger economist news newspaper"""
)


@dataclass(slots=True)
class _Context:
    """What the line rules may look at beyond the line itself."""

    lines: list[_Line]
    header_end: int  # index of the first body-like line (the header is what precedes it)
    texts: dict[str, int] = field(default_factory=dict)  # line text -> first index seen


def _header_end(lines: list[_Line]) -> int:
    """Return the index of the first line that reads as story text (the end of the header).

    Story text is a sentence of eight words or more, or any line over 150 characters;
    the header (masthead, labels, headline, byline, date, deck) is at most 25 lines.
    """
    for line in lines[:25]:
        words = len(line.text.split())
        if len(line.text) > 150 or (words >= 8 and _TERMINAL_RE.search(line.text)):
            return line.index
    return min(len(lines), 25)


def _masthead_shape(text: str) -> bool:
    """Tell whether a line could be a site's name: short, no digits, no sentence."""
    words = text.split()
    if not 1 <= len(words) <= 5 or len(text) > 60 or any(ch.isdigit() for ch in text):
        return False
    if len(words) > 1 and not all(w[:1].isupper() or w.lower() in _NAME_LOWER_OK for w in words):
        return False  # a site's name is capitalised ("The Korea Herald"), a phrase is not
    if _TERMINAL_RE.search(text) and not looks_like_domain(text):
        return False
    return not (_is_section_name(text) or _WIDGET_VERB_RE.match(text) or ":" in text)


def _is_masthead(line: _Line, ctx: _Context) -> bool:
    """Tell whether the first line of a page is the site's own name.

    By structure, not by a list of names: the page's first line (after an index date),
    shaped like a name, and either named like an outlet ("… Herald", "… News", a domain)
    or printed again on the page (a site's name recurs in its own chrome).
    """
    first = next((ln for ln in ctx.lines if not _INDEX_DATE_RE.fullmatch(ln.text)), None)
    if first is None or first.index != line.index or len(ctx.lines) < 2:
        return False
    text = line.text.strip(" |-–—")
    if not _masthead_shape(text):
        return False
    if looks_like_domain(text):
        return True
    words = text.split()
    if len(words) > 1 and words[-1].lower().strip(".,") in _OUTLET_WORDS:
        return True
    return any(ln.text == line.text for ln in ctx.lines[line.index + 1 : ctx.header_end + 5])


def _is_name_byline(line: _Line, ctx: _Context) -> bool:
    """A byline without "By": an all-caps name in the header ("LEE JAE-LIM"), or a name
    right above the author's e-mail address."""
    if line.index == 0 or line.index >= ctx.header_end:
        return False
    text = _BULLET_MARK_RE.sub("", line.text).strip()
    words = text.split()
    if not 2 <= len(words) <= 4 or _is_section_name(text):
        return False
    if not any(len(ln.text.split()) >= 4 for ln in ctx.lines[: line.index]):
        return False  # no headline above it yet: an all-caps line here is a headline
    if text.isupper() and all(re.fullmatch(r"[A-Z][A-Z'’.-]*[A-Z.]", w) for w in words):
        return True
    following = ctx.lines[line.index + 1] if line.index + 1 < len(ctx.lines) else None
    if following is None:
        return False
    below = _LEADING_SYMBOLS_RE.sub("", following.text)
    is_mail = re.fullmatch(r"[\w.+-]+@[\w-]+\.[\w.-]+|\[email[^\]]*\]", below) is not None
    return is_mail and all(re.fullmatch(r"[A-Z][\w'’.-]*", w) for w in words)


def _pipe_byline(line: _Line, ctx: _Context) -> bool:
    """ "Jane Doe | Reuters" in the header: a name, a pipe, an outlet."""
    if line.index >= ctx.header_end:
        return False
    parts = [p.strip() for p in line.text.split("|")]
    if len(parts) != 2 or not all(parts):
        return False
    name = parts[0].split()
    if any(w.lower() in _SECTION_WORDS | _OUTLET_WORDS for w in name):
        return False  # "Business | Markets", "Mining News | Home": not a person
    return 2 <= len(name) <= 4 and all(re.fullmatch(r"[A-Z][\w'’.-]*", w) for w in name)


def _line_parts(
    line: _Line, prev: _Line | None, position: int, ctx: _Context
) -> list[tuple[int, int, str]]:
    """Return the special parts of a line, or [] when the line is ordinary text."""
    text = line.text
    whole = [(line.start, line.end, BlockRole.CHROME)]
    first_seen = ctx.texts.setdefault(text, line.index)
    if prev is not None and prev.text == text and len(text) < 400:
        return whole
    if first_seen != line.index and len(text) < 400 and line.index < ctx.header_end + 10:
        return whole  # the header repeats its headline or a caption further down
    if _SECTION_LABEL_RE.match(text) or _REFERENCE_LABEL_RE.match(text):
        return [(line.start, line.end, BlockRole.SECTION_LABEL)]
    if _RELATIVE_TIME_RE.match(text):
        return [(line.start, line.end, BlockRole.DATELINE)]
    if _REPORTING_BY_RE.match(text) and _SIGNOFF_LINE_RE.match(text):
        return [(line.start, line.end, BlockRole.BYLINE)]
    if _is_masthead(line, ctx):
        return [(line.start, line.end, BlockRole.MASTHEAD)]
    kind = _chrome_kind(text)
    if kind in {"sign-off", "photo-credit"}:
        return [(line.start, line.end, BlockRole.CREDIT)]
    if kind:
        return whole
    if _is_name_byline(line, ctx) or _pipe_byline(line, ctx):
        return [(line.start, line.end, BlockRole.BYLINE)]
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
    return _caption_parts(line)


# A wire photo caption ends with the place and the date the photo was taken, with no
# preposition before the date: "… outside a building in Beijing, China April 8, 2025."
_CAPTION_DATE_END_RE = re.compile(
    r"\b(?!(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b)[A-Z][\w.'’-]+,?\s+"
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|March|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?\s+\d{1,2},\s+\d{4}\.?$"
)


def _picture_credit(name: str) -> bool:
    """Whether "(Name)" or "(Name/…)" after a caption credits a picture: a photo library, or a
    news outlet or agency the registry knows ("Yonhap", "AFP", "Korea Herald DB")."""
    from sources.ingest.provenance import known_names  # provenance imports page's users

    if re.fullmatch(f"(?:{_PICTURE_SOURCES})", name):
        return True
    name = re.sub(r"\s+(?:DB|Photo|Photos|File)$", "", name)
    return known_names().lookup(name) is not None


def _caption_parts(line: _Line) -> list[tuple[int, int, str]]:
    """Split a line ending in a photo credit into caption + credit; [] if it has none.

    A one-sentence line that ends with a place and a bare date is a wire photo caption.
    """
    text = line.text
    if (
        len(text.split()) <= 50
        and _CAPTION_DATE_END_RE.search(text)
        and not re.search(r"[.!?][\"”’]?\s+[A-Z]", text)
    ):
        return [(line.start, line.end, BlockRole.CAPTION)]
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
    if not m or (m.group("credited") and not _picture_credit(m.group("credited"))):
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


def _double_spaced(lines: list[_Line]) -> bool:
    """Tell whether hard-wrapped text was stored with a blank line after every line.

    Then most blank lines fall inside a sentence: the line before does not end one and
    the next starts lowercase, or the line before ends with a comma or a function word.
    """
    gaps = [(a, b) for a, b in pairwise(lines) if b.blank_before]
    broken = 0
    for a, b in gaps:
        if _TERMINAL_RE.search(a.text):
            continue
        last = a.text.rsplit(None, 1)[-1].lower().strip("\"'“”‘’(")
        if _lowercase_start(b.text) or last in _WRAP_END_WORDS or a.text[-1] in ",-–(/&":
            broken += 1
    return broken >= 3 and broken >= 0.4 * len(gaps)


def _wrap_width(lines: list[_Line]) -> int:
    """Return the column a hard-wrapped document wraps at, or 0 if it is not hard-wrapped.

    Wire copy and e-mail are wrapped at a fixed width (60–100 columns): nearly every line
    that continues into another line is close to that width, and hardly a line (a repeated
    headline, a title: one in ten at most) is much longer.
    """
    lengths = [len(ln.text) for ln in lines if len(ln.text) >= 20]
    if len(lengths) < 4:
        return 0
    width = sorted(lengths)[int(len(lengths) * 0.9) - (len(lengths) % 10 == 0)]
    if not 40 <= width <= 100 or sum(n > width + 20 for n in lengths) > len(lengths) // 10:
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
    if cur.blank_before or story_dateline(cur.text):
        return False
    head = prev.text
    if _TERMINAL_RE.search(head):
        # No sentence starts lowercase (segment.py never cuts before one): "… Ucore Rare
        # Metal's U.S." / "government-funded facility." is one sentence wrapped.
        return _lowercase_start(cur.text)
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
    inner = re.search(r"(?:(?<=[a-z]{2})\.|[!?])(?=\s+\S)", text)
    if inner is not None and len(text[inner.end() :].split()) >= 6:
        return False  # two sentences: a paragraph, not a headline
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
    r"(?:,?\s*(?:[-–—|@·]|at)?\s*(?P<H>\d{1,2})"
    r"(?::|\.(?=\d{2}\s*(?:[AaPp]\.?\s?[Mm]|[A-Z]{3}\b|[+-]\d)))(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"(?:\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?(?![\w])))?)?"
)
_TZ = (
    r"(?:\s*\(?(?P<tz>(?:UTC|GMT)?\s?[+-]\d{1,2}(?::?\d{2})?|Z|UTC|GMT|KST|JST|HKT|SGT|EST|EDT"
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
    ctx = _Context(lines, _header_end(lines))
    special: dict[int, list[tuple[int, int, str]]] = {}
    prev: _Line | None = None
    in_contact = False
    for position, line in enumerate(lines):
        if line.blank_before:
            in_contact = False
        parts = _line_parts(line, prev, position, ctx)
        if in_contact and not parts and len(line.text) <= 80:
            parts = [(line.start, line.end, BlockRole.CHROME)]
        if parts:
            special[line.index] = parts
            if _CONTACT_LABEL_RE.match(line.text):
                in_contact = True
        prev = line
    _mark_header(lines, special, ctx)
    double_spaced = _double_spaced([ln for ln in lines if ln.index not in special])
    if double_spaced:
        lines = [
            _Line(ln.start, ln.end, ln.text, False, ln.index) if ln.index not in special else ln
            for ln in lines
        ]
    width = _wrap_width([ln for ln in lines if ln.index not in special])
    blocks = _assign_roles(text, lines, special, width)
    meta = _read_meta(text, blocks)
    return ParsedPage(meta=meta, blocks=blocks, double_spaced=double_spaced)


_LABEL_FIELD_RE = re.compile(r"^[A-Z][\w'’ -]{1,30}:\s+\S")


def _mark_header(lines: list[_Line], special: dict[int, list], ctx: _Context) -> None:
    """Label the header's furniture around the headline (changes `special` in place).

    The headline is the first headline-shaped line of five words or more before the story
    text. Above it, short label lines — a site or section name, "Press Release", "Exhibit
    99.2", a player button — are chrome (or the masthead). Between it and the story,
    "Label: text" lines of a few words ("Audio report: read by AI") are chrome too.
    """
    candidate = None
    for line in lines[: ctx.header_end]:
        if line.index in special:
            continue
        if len(line.text.split()) >= 5 and _is_title_like(line.text, 250):
            candidate = line.index
            break
        if _TERMINAL_RE.search(line.text):
            return  # the page opens with a sentence: no header to label
    if candidate is None:
        return
    for line in lines[:candidate]:
        if line.index in special:
            continue
        words = line.text.split()
        capitalised = all(w[:1].isupper() or not w[:1].isalpha() for w in words)
        if len(words) <= 2 or (len(words) <= 4 and capitalised):
            special[line.index] = [(line.start, line.end, BlockRole.CHROME)]
    for line in lines[candidate + 1 : ctx.header_end]:
        if line.index in special:
            continue
        text = line.text
        if len(text.split()) <= 8 and not _TERMINAL_RE.search(text) and _LABEL_FIELD_RE.match(text):
            special[line.index] = [(line.start, line.end, BlockRole.CHROME)]
        elif _bare_name(text):
            special[line.index] = [(line.start, line.end, BlockRole.BYLINE)]


def _bare_name(text: str) -> bool:
    """A person's name alone on a line ("Tom Lee"): two or three capitalised words that
    are no section, outlet, organisation or job words."""
    words = text.split()
    if not 2 <= len(words) <= 3 or not all(
        re.fullmatch(r"[A-Z][a-z'’-]+|[A-Z]\.", w) for w in words
    ):
        return False
    lowered = {w.lower() for w in words}
    return not lowered & (_SECTION_WORDS | _OUTLET_WORDS | _ORG_WORDS | _WRAP_END_WORDS)


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
    text: str, lines: list[_Line], special: dict[int, list], width: int
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
        if role == BlockRole.SECTION_LABEL and _LINK_LIST_LABEL_RE.match(label):
            run = _run(text, items, i + 1, 150, headline_like=True)
            if len(run) >= 2:
                listed.update(run)
        elif role == BlockRole.SECTION_LABEL and _REFERENCE_LABEL_RE.match(label):
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
        closed = _TERMINAL_RE.search(body) and not body.endswith("?")
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
    meta.publisher_name, meta.publisher_evidence = _publisher(text, blocks)
    meta.title = _title(text, blocks, meta.publisher_name)
    meta.byline = _byline(text, blocks)
    meta.published, meta.published_raw = _published(text, blocks)
    from sources.ingest.provenance import republished_from  # provenance imports page's users

    meta.republished_from = republished_from(text, publisher=meta.publisher_name)
    return meta


def _first(blocks: list[Block], role: str) -> Block | None:
    return next((b for b in blocks if b.role == role), None)


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
    from sources.ingest.names import name_key

    if not value or _is_date_line(value) or _RELATIVE_TIME_RE.match(value):
        return True
    if _is_section_name(value) or _PRESS_RELEASE_LABEL_RE.match(value) or _chrome_kind(value):
        return True
    return bool(publisher) and name_key(value) == name_key(publisher)


_BYLINE_TAIL_WORDS = _words(
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
    from sources.ingest.names import is_placeholder

    for block in blocks:
        if block.role != BlockRole.BYLINE:
            continue
        value = block.text_of(text).strip()
        reporting = _REPORTING_BY_RE.match(value)
        if reporting is not None:
            value = reporting.group("names")
        value = _BULLET_MARK_RE.sub("", value)
        value = _BYLINE_START_RE.sub("", value, count=1)
        value = _FIELD_LABEL_RE.sub("", value, count=1) if _FIELD_LABEL_RE.match(value) else value
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
    datelines = [b for b in datelines if printed[b.text_of(text).strip()] == 1]
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
    dated = _story_dateline_date(text, blocks)
    if dated[0] is not None:
        return dated
    # Only relative or unreadable times ("Updated 18 minutes ago"): kept as printed, no date.
    value = datelines[0].text_of(text)
    if _RELATIVE_TIME_RE.match(value):
        return None, value.strip()
    return None, _DATELINE_LABEL_RE.sub("", value).strip()


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


def _page_day_first(text: str) -> bool | None:
    """Tell whether the page writes dates day-first ("5 March 2024"); None if it does not say."""
    head = text[:3000]
    dmy = bool(_DATE_RES["dmy"].search(head))
    mdy = bool(_DATE_RES["mdy"].search(head))
    if dmy != mdy:
        return dmy
    return None


# The site naming itself in its own chrome: "Join the discussion at the X Forum".
_SITE_CHROME_RE = re.compile(
    r"\b(?:at|on|to|from|of)\s+(?:the\s+)?(?P<name>[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,4})"
    r"\s+(?:Forum|Forums|Community|Newsletter|Newsletters|App|Podcast)\b"
    r"|^Welcome to (?P<welcome>[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,4})\s*[!.]?$"
)
_COPYRIGHT_NAME_RE = re.compile(
    r"^(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*,?\s*)?"
    r"(?P<name>[^.|,\n©]{2,60}?)\s*(?:[.|,]|\ball rights\b|$)",
    re.IGNORECASE,
)
# An outlet several sources speak to is the one printing the story ("… told the Global
# Times"); a name followed by "newspaper" or "in remarks published" is a cited third party.
_TOLD_RE = re.compile(
    r"\btold\s+(?:the\s+)?(?P<name>(?>[A-Z][\w&'’-]*(?:\.\w+)*(?:\s+[A-Z][\w&'’-]*(?:\.\w+)*){0,3}))"
    r"(?!\s+(?:newspaper|agency|news agency|magazine|broadcaster|channel|television|radio|"
    r"in (?:remarks|an interview|comments) (?:published|aired|broadcast)))"
)


def _in_header_fields(text: str, field: Block, blocks: list[Block]) -> bool:
    """Whether a field shares its line with the page's byline or date fields."""
    for other in blocks:
        if other is field or other.role not in {BlockRole.BYLINE, BlockRole.DATELINE}:
            continue
        between = text[min(other.end, field.end) : max(other.start, field.start)]
        if "\n" not in between:
            return True
    return False


def _publisher(text: str, blocks: list[Block]) -> tuple[str, dict]:
    """Name the outlet that published the page, with its evidence; ("", {}) if none.

    Only what the page's structure says, in this order: (1) a masthead line — the site's
    name at the top; (2) the "Source:" field of the page's own header line, beside its
    byline or date ("By X Source:Global Times Published: …"), unless it names a wire
    agency; (3) a copyright line in the page's chrome; (4) the site naming itself in its
    own chrome ("Join the discussion at the X Forum", "Welcome to X"); (5) an outlet that
    two or more of the story's sources are said to have "told" — interviewees talk to the
    outlet that prints the story. A "Source: X" line on its own, an agency in a dateline or
    a credit ("BANGKOK (AP) —", "(source: Reuters)") say whose text it is (its origin,
    `provenance.text_origin`), not who put the page online: an aggregator reposting a
    mining.com story under "Source: mining.com" is not mining.com. Outlets only cited in
    the body ("the Securities Times reported", one "told NBC News") are never used.
    Which registry entry a name stands for is decided outside ingest (`sources/registry.py`).
    """
    from sources.ingest.names import is_placeholder

    def found(kind: str, name: str, start: int, end: int, why: str) -> tuple[str, dict]:
        return name, Evidence(kind, text[start:end], start, end, why=why).as_dict()

    from sources.ingest.provenance import known_names

    def agency(name: str) -> bool:  # a wire agency's name says whose text it is: its origin
        return known_names().lookup(name, kinds=frozenset({"agency"})) is not None

    masthead = _first(blocks, BlockRole.MASTHEAD)
    if masthead is not None:
        name = canonical_outlet(masthead.text_of(text))
        if name and not is_placeholder(name):
            why = "the page's first line is a site name (a masthead)"
            return found("masthead", name, masthead.start, masthead.end, why)
    source = _first(blocks, BlockRole.SOURCE)
    if source is not None and _in_header_fields(text, source, blocks):
        value = _FIELD_LABEL_RE.sub("", source.text_of(text), count=1)
        name = canonical_outlet(re.split(r"\s*[|;]\s*", value, maxsplit=1)[0])
        if name and not agency(name) and (looks_like_domain(name) or not is_placeholder(name)):
            why = "the page's header fields (byline, source, date) name its source"
            return found("source-line", name, source.start, source.end, why)
    chrome = [b for b in blocks if b.role in {BlockRole.CHROME, BlockRole.CREDIT}]
    for block in chrome:
        m = _COPYRIGHT_NAME_RE.match(block.text_of(text))
        name = canonical_outlet(m.group("name")) if m else ""
        if name.lower().startswith("all rights") or not name or agency(name):
            continue
        if not is_placeholder(name):
            why = "the page's copyright line names its owner"
            return found("copyright", name, block.start, block.end, why)
    for block in chrome:
        m = _SITE_CHROME_RE.search(block.text_of(text))
        if m is not None:
            name = canonical_outlet(m.group("name") or m.group("welcome"))
            if name and not is_placeholder(name):
                why = "the page's own chrome names the site"
                return found("self-reference", name, block.start, block.end, why)
    told: dict[str, list[re.Match[str]]] = {}
    for m in _TOLD_RE.finditer(text):
        name = canonical_outlet(m.group("name"))
        if not agency(name):
            told.setdefault(name, []).append(m)
    best = max(told, key=lambda name: len(told[name]), default="")
    if best and len(told[best]) >= 2 and not is_placeholder(best):
        first = told[best][0]
        why = f"{len(told[best])} of the story's sources told {best}: the outlet printing it"
        return found("self-reference", best, first.start(), first.end(), why)
    return "", {}
