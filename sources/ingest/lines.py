"""Label the special lines of a page: chrome, credits, bylines, datelines, captions, labels.

`label_lines` splits the canonical text into its non-blank lines and applies the line rules
of `page.py`'s docstring (0–12) to each: the first rule that matches gives the line its
parts (start, end, role); ordinary text lines get none and become paragraphs
(`paragraphs.py`). Then the header around the headline is labelled (`_mark_header`).

The rules go by what a line is — its shape — never by which outlet prints it. Furniture is
named by kind (`chrome_kind`): symbols, breadcrumbs, widgets, counters, prompts, trust
boxes, buttons, menus, section names, contact fields, bare domains, bracketed notes,
sign-offs and photo credits.

Plain Python, no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sources.ingest.dates import RELATIVE_TIME_RE, find_date, is_date_line
from sources.ingest.domains import looks_like_domain
from sources.ingest.provenance import known_names
from sources.ingest.types import BlockRole
from sources.ingest.wordlists import word_set

BULLET_MARK_RE = re.compile(r"^(?:[-–•*·▪●◦‣○■□➢►]|\d{1,2}[.)])[ \t\u00a0]+(?=\S)")
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
LINK_LIST_LABEL_RE = re.compile(rf"^(?:{_LINK_LIST_LABELS})\s*:?$", re.IGNORECASE)
# Lists whose lines are not the story: references and sources at the foot of a page.
REFERENCE_LABEL_RE = re.compile(
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
_SECTION_WORDS = word_set(
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
_CONNECTORS = word_set("& and , / + | of the")
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
REPORTING_BY_RE = re.compile(
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
DISCLAIMER_START_RE = re.compile(
    r"^(disclaimer|editor['’]?s note|note|correction|clarification|update)\s*:", re.IGNORECASE
)

# Field labels that can be strung together on one line.
FIELD_LABEL_RE = re.compile(
    r"(?:^|(?<=\s)|(?<=\|))(?P<label>Source|Published(?: on)?|First published|Last updated"
    r"|Updated(?: on)?|Posted(?: on)?|Date|Edited by|Written by|Reporter|Author)\s*:\s*",
    re.IGNORECASE,
)
_FIELD_TAIL_RE = re.compile(r"[\s|,;·\-–—]+$")
BYLINE_START_RE = re.compile(r"^(?:By|BY|Written by|Words by|Story by|Reporting by)\s+(?=\S)")
_BYLINE_LOWER_OK = word_set("and & de van von der den da di du dos bin binti al el la le y ibn ben")


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
TERMINAL_RE = re.compile(r"[.!?…。！？]['\"”’)\]»]*$")
CLOSED_RE = re.compile(r"[.!?…。！？:;,]['\"”’)\]»]*$")
WRAP_END_WORDS = word_set(
    """the a an of in on at for to and or but nor with by from as that which who whom whose its
    their his her our your my this these those is are was were be been being has have had will
    would shall can could may might must than into onto over under between among amid about
    after before during against without within across through per via said says if when while
    because since although though not no so such both either neither each every also including
    like whether where there then"""
)
_WORD_RE = re.compile(r"[^\W\d_][\w'’.&-]*|\d[\w.,%]*", re.UNICODE)
ORG_WORDS = word_set(
    """institute institution academy university college school group company corporation corp co
    inc ltd ministry department agency council commission bureau association federation center
    centre laboratory lab office foundation bank authority administration committee society
    union organization organisation board court police army government director chairman
    chairwoman chair president ceo secretary minister chief professor dr head spokesperson
    spokesman spokeswoman founder executive manager governor mayor ambassador analyst researcher
    engineer"""
)
NAME_LOWER_OK = word_set("of the and for at in on de & von van du da la le del")


@dataclass(slots=True)
class Line:
    """One non-blank line: trimmed offsets and text, and whether a blank line precedes it."""

    start: int
    end: int
    text: str
    blank_before: bool
    index: int


# A search index's date glued to the first line of a stored page: " date 2024-12-03 Nation…".
_INDEX_DATE_RE = re.compile(r"^date:?\s+\d{4}-\d{2}-\d{2}(?=\s|$)", re.I)


def _split_lines(text: str) -> list[Line]:
    """Return the non-blank lines of `text` with trimmed offsets.

    A search index's date prefix on the first line becomes a line of its own, so it is
    a dateline and never part of the headline or a claim.
    """
    lines: list[Line] = []
    pos = 0
    blank = True
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            start = pos + lead
            prefix = _INDEX_DATE_RE.match(stripped) if not lines else None
            if prefix is not None and prefix.end() < len(stripped):
                lines.append(Line(start, start + prefix.end(), prefix.group(0), blank, 0))
                rest = stripped[prefix.end() :]
                start += prefix.end() + len(rest) - len(rest.lstrip())
                stripped, blank = rest.strip(), True
            lines.append(Line(start, start + len(stripped), stripped, blank, len(lines)))
            blank = False
        else:
            blank = True
        pos += len(raw) + 1
    return lines


def _is_chrome_line(line: str) -> bool:
    """Tell whether a whole line is a widget, button or boilerplate (see `chrome_kind`)."""
    return bool(chrome_kind(line))


def chrome_kind(line: str) -> str:
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
    if RELATIVE_TIME_RE.match(core):
        return "timestamp"
    words = core.split()
    terminal = bool(TERMINAL_RE.search(core))
    prompt_shape = not terminal or _WIDGET_VERB_RE.match(core) or re.search(r"\byour\b", core, re.I)
    if len(words) <= 24 and _PROMPT_RE.search(core) and prompt_shape and not _story_sentence(core):
        return "prompt"
    if _TRUST_BOX_RE.match(core) and len(words) <= 40:
        return "trust-box"
    if len(words) <= 4 and not terminal and _WIDGET_VERB_RE.match(core):
        return "button"
    if _is_menu(words):
        return "menu"
    if is_section_name(core):
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
        TERMINAL_RE.search(text)
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
        if word.lower() in WRAP_END_WORDS:
            return False
    return True


def is_section_name(text: str) -> bool:
    """A section or rubric name: only topic words ("Nation & World News", "Business")."""
    if len(text) > 60 or TERMINAL_RE.search(text):
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
    if any(TERMINAL_RE.search(p) for p in parts):
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


def _field_parts(line: Line) -> list[tuple[int, int, str]] | None:
    """Split a byline/source/dateline line into labelled parts, or None if it is not one."""
    text = line.text
    byline = BYLINE_START_RE.match(text)
    label = FIELD_LABEL_RE.match(text)
    if not byline and not label:
        return None
    cuts = [m.start() for m in FIELD_LABEL_RE.finditer(text)]
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
    m = FIELD_LABEL_RE.match(chunk)
    if m:
        label = m.group("label").lower()
        if label == "source":
            return BlockRole.SOURCE
        if label in {"edited by", "written by", "reporter", "author"}:
            return BlockRole.BYLINE
        return BlockRole.DATELINE
    m = BYLINE_START_RE.match(chunk)
    if m and _is_byline_text(chunk[m.end() :]):
        return BlockRole.BYLINE
    return None


# Words that make a short line a news outlet's name ("The Korea Herald", "BBC News").
_OUTLET_WORDS = word_set(
    """times herald daily post journal tribune gazette mail telegraph chronicle observer guardian
    weekly insider examiner courier dispatch inquirer bulletin sentinel magazine agency network
    broadcasting radio tv television online digest ledger economist news newspaper"""
)


@dataclass(slots=True)
class _Context:
    """What the line rules may look at beyond the line itself."""

    lines: list[Line]
    header_end: int  # index of the first body-like line (the header is what precedes it)
    texts: dict[str, int] = field(default_factory=dict)  # line text -> first index seen


def _header_end(lines: list[Line]) -> int:
    """Return the index of the first line that reads as story text (the end of the header).

    Story text is a sentence of eight words or more, or any line over 150 characters;
    the header (masthead, labels, headline, byline, date, deck) is at most 25 lines.
    """
    for line in lines[:25]:
        words = len(line.text.split())
        if len(line.text) > 150 or (words >= 8 and TERMINAL_RE.search(line.text)):
            return line.index
    return min(len(lines), 25)


def _masthead_shape(text: str) -> bool:
    """Tell whether a line could be a site's name: short, no digits, no sentence."""
    words = text.split()
    if not 1 <= len(words) <= 5 or len(text) > 60 or any(ch.isdigit() for ch in text):
        return False
    if len(words) > 1 and not all(w[:1].isupper() or w.lower() in NAME_LOWER_OK for w in words):
        return False  # a site's name is capitalised ("The Korea Herald"), a phrase is not
    if TERMINAL_RE.search(text) and not looks_like_domain(text):
        return False
    return not (is_section_name(text) or _WIDGET_VERB_RE.match(text) or ":" in text)


def _is_masthead(line: Line, ctx: _Context) -> bool:
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


def _is_name_byline(line: Line, ctx: _Context) -> bool:
    """A byline without "By": an all-caps name in the header ("LEE JAE-LIM"), or a name
    right above the author's e-mail address."""
    if line.index == 0 or line.index >= ctx.header_end:
        return False
    text = BULLET_MARK_RE.sub("", line.text).strip()
    words = text.split()
    if not 2 <= len(words) <= 4 or is_section_name(text):
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


def _pipe_byline(line: Line, ctx: _Context) -> bool:
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
    line: Line, prev: Line | None, position: int, ctx: _Context
) -> list[tuple[int, int, str]]:
    """Return the special parts of a line, or [] when the line is ordinary text."""
    text = line.text
    whole = [(line.start, line.end, BlockRole.CHROME)]
    first_seen = ctx.texts.setdefault(text, line.index)
    if prev is not None and prev.text == text and len(text) < 400:
        return whole
    if first_seen != line.index and len(text) < 400 and line.index < ctx.header_end + 10:
        return whole  # the header repeats its headline or a caption further down
    if _SECTION_LABEL_RE.match(text) or REFERENCE_LABEL_RE.match(text):
        return [(line.start, line.end, BlockRole.SECTION_LABEL)]
    if RELATIVE_TIME_RE.match(text):
        return [(line.start, line.end, BlockRole.DATELINE)]
    if REPORTING_BY_RE.match(text) and _SIGNOFF_LINE_RE.match(text):
        return [(line.start, line.end, BlockRole.BYLINE)]
    if _is_masthead(line, ctx):
        return [(line.start, line.end, BlockRole.MASTHEAD)]
    kind = chrome_kind(text)
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
    if is_date_line(text):
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
    if re.fullmatch(f"(?:{_PICTURE_SOURCES})", name):
        return True
    name = re.sub(r"\s+(?:DB|Photo|Photos|File)$", "", name)
    return known_names().lookup(name) is not None


def _caption_parts(line: Line) -> list[tuple[int, int, str]]:
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
        and not TERMINAL_RE.search(text[:-1])
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


def is_title_like(text: str, limit: int) -> bool:
    """Tell whether a line reads like a headline: short, no closing punctuation but "?"/"!"."""
    if len(text) > limit or len(text.split()) < 2:
        return False
    inner = re.search(r"(?:(?<=[a-z]{2})\.|[!?])(?=\s+\S)", text)
    if inner is not None and len(text[inner.end() :].split()) >= 6:
        return False  # two sentences: a paragraph, not a headline
    if text.endswith(("?", "!", "?”", '?"', "!”")):
        return True
    return not CLOSED_RE.search(text)


_LABEL_FIELD_RE = re.compile(r"^[A-Z][\w'’ -]{1,30}:\s+\S")


def _mark_header(lines: list[Line], special: dict[int, list], ctx: _Context) -> None:
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
        if len(line.text.split()) >= 5 and is_title_like(line.text, 250):
            candidate = line.index
            break
        if TERMINAL_RE.search(line.text):
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
        if len(text.split()) <= 8 and not TERMINAL_RE.search(text) and _LABEL_FIELD_RE.match(text):
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
    return not lowered & (_SECTION_WORDS | _OUTLET_WORDS | ORG_WORDS | WRAP_END_WORDS)


def label_lines(text: str) -> tuple[list[Line], dict[int, list[tuple[int, int, str]]]]:
    """Return the page's lines and the parts of its special lines, by line index.

    Lines right after a "Media contact:" label, up to the next blank line, are chrome.
    """
    lines = _split_lines(text)
    ctx = _Context(lines, _header_end(lines))
    special: dict[int, list[tuple[int, int, str]]] = {}
    prev: Line | None = None
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
    return lines, special
