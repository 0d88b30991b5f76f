"""Whose text a page is (its origin), and what the page says it republishes.

`text_origin` reads the credit wherever a page puts it and returns the origin's name with
its evidence (an `Evidence.as_dict()`: kind, the credit's exact span in the canonical text,
and a `why` a person can check). The credits it knows, each one small rule in `RULES` (the
first rule that finds a credit wins, so the order is the order of trust):

- a wire dateline: "BANGKOK (AP) —", "Aug 26 (Reuters) -", "(Reuters) -U.S.", "DHAKA, May 5
  (BSS/AFP) -" (in a chain the last agency is the text's origin: BSS relays AFP), a
  newswire's "/PRNewswire/ --";
- a byline that names the outlet: "By X – Associated Press", "By X | AFP", "By Reuters";
- a credit closing a paragraph: "(AFP)" after the last sentence, "(source: Reuters)",
  "-- BERNAMA", "… she said. — Bernama", "Agencies via Xinhua", "With inputs from PTI", and a
  credit the excerpt cut off at the very end ("(Re" when only one agency begins so);
- a house sign-off: Reuters' "(Reporting by …; Editing by …)", "Associated Press writer X
  contributed to this report";
- a relay sentence: "BelTA reports citing the Izvestia newspaper.";
- a `Source:` / `Reference(s):` field naming a known outlet or its domain ("Source:
  mining.com");
- a republication statement ("originally published by X", a state-media disclaimer);
- a press release's own dateline: "LAS VEGAS – December 9, 2021 – X Corp. (NYSE: MP)
  announced today";
- a copyright line ("© 2024 The Associated Press", "Copyright … chinadaily.com.cn"), an
  e-mail address on the outlet's domain, an outlet's reference to its own staff ("a Global
  Times reporter").

A photo credit ("AP Photo/…", "Stringer | AFP | Getty Images", "Credit: AP", "Photo:
Reuters", "[EPA/YONHAP]") is not the text's origin, and a bare "(XYZ)" counts only at the
dateline or at a paragraph's end, and only when XYZ is a known agency — "(CEO)", "(US)",
"(MP)" are not credits. Known names come from the curated registry file
`sources/data/publishers.csv` (read with the csv module, cached until the file changes),
the one list of agency and outlet names, so this stays Django-free.

A page that says it republishes another outlet, or unnamed state media ("This item
originates from state-affiliated Chinese media", "originally published by X"), has that as
its origin with the evidence kind "republication" (`republication_credit`): one field,
`Article.origin`, says whose text a page is, however the page says it.

Plain Python, no Django.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sources.ingest.domains import looks_like_domain, registrable_domain
from sources.ingest.names import name_key as registry_key
from sources.ingest.types import Evidence

PUBLISHERS_CSV = Path(__file__).resolve().parents[1] / "data" / "publishers.csv"

# Kinds whose name can stand for the author of a text (not a parent company or a ministry).
TEXT_KINDS = frozenset({"agency", "outlet"})


# --------------------------------------------------------------------------- known names


def name_key(name: str) -> str:
    """The registry's name key (`names.name_key`) without spaces: "PRNewswire" = "PR Newswire"."""
    return registry_key(name).replace(" ", "")


@dataclass(frozen=True, slots=True)
class Known:
    """One registry entry as the ingest layer sees it."""

    name: str
    kind: str
    spellings: tuple[str, ...]
    domains: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class KnownNames:
    """Registry names, aliases and domains, indexed for the credit rules."""

    by_key: dict[str, Known]
    by_domain: dict[str, Known]
    agencies: re.Pattern[str]  # any agency spelling, case-sensitive, longest first
    authors: re.Pattern[str]  # any agency or outlet spelling or domain

    def lookup(self, value: str, *, kinds: frozenset[str] = TEXT_KINDS) -> Known | None:
        """The entry a name, alias or domain names, if its kind is one of `kinds`."""
        value = value.strip(" \t.,;:'\"“”‘’")
        found = self.by_key.get(name_key(value)) if value else None
        if found is None and "." in value and " " not in value:
            found = self.by_domain.get(registrable_domain(value))
        return found if found is not None and found.kind in kinds else None

    def agency(self, token: str) -> Known | None:
        """A bare token ("AFP", "dpa", "BERNAMA") that names an agency exactly, else None.

        The token must be spelled as the registry spells it, or in capitals: "Ap" or "ceo"
        never name anything.
        """
        found = self.lookup(token, kinds=frozenset({"agency"}))
        if found is None:
            return None
        token = " ".join(token.split())
        if any(token in (s, s.upper()) for s in found.spellings):
            return found
        return None


def _pattern(spellings: list[str]) -> re.Pattern[str]:
    spellings = sorted(set(spellings), key=len, reverse=True)
    body = "|".join(re.escape(s) for s in spellings) or r"(?!x)x"
    return re.compile(rf"(?<![\w.@-])(?:{body})(?![\w-]|\.\w)")


def _index(rows: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]) -> KnownNames:
    by_key: dict[str, Known] = {}
    by_domain: dict[str, Known] = {}
    agency_spellings: list[str] = []
    author_spellings: list[str] = []
    for name, kind, aliases, domains in rows:
        spellings = tuple(s for s in (name, *aliases) if s)
        known = Known(name=name, kind=kind, spellings=spellings, domains=domains)
        for spelling in spellings:
            key = name_key(spelling)
            # An agency keeps its short name when an outlet shares it.
            if key and (key not in by_key or (kind == "agency" != by_key[key].kind)):
                by_key[key] = known
        for domain in domains:
            by_domain.setdefault(registrable_domain(domain) or domain, known)
        if kind == "agency":
            agency_spellings += [*spellings, *(s.upper() for s in spellings if len(s) > 4)]
        if kind in TEXT_KINDS:
            author_spellings += [*spellings, *domains]
    return KnownNames(by_key, by_domain, _pattern(agency_spellings), _pattern(author_spellings))


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> KnownNames:
    with open(path, encoding="utf-8", newline="") as f:
        rows = [
            (
                row["name"].strip(),
                (row.get("kind") or "outlet").strip(),
                tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()),
                tuple(d.strip() for d in (row.get("domains") or "").split("|") if d.strip()),
            )
            for row in csv.DictReader(f)
            if (row.get("name") or "").strip()
        ]
    return _index(rows)


def known_names(path: Path = PUBLISHERS_CSV) -> KnownNames:
    """Read the registry file, cached until it changes; a missing file is an error naming it.

    It ships with the code (sources/data/publishers.csv): no second list of names stands in.
    """
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise FileNotFoundError(
            f"{path}: the publisher registry file cannot be read ({exc.strerror or exc})"
        ) from exc
    return _load(str(path), mtime)


# --------------------------------------------------------------------------- the page's lines


@dataclass(frozen=True, slots=True)
class Para:
    """A non-empty line of the canonical text (its white space trimmed) and its number."""

    number: int
    start: int
    end: int
    text: str


def paragraphs(text: str) -> list[Para]:
    """Split the text into its non-empty lines, numbered from 1, with their offsets."""
    out: list[Para] = []
    for m in re.finditer(r"[^\n]+", text):
        line = m.group(0)
        stripped = line.strip()
        if not stripped:
            continue
        start = m.start() + (len(line) - len(line.lstrip()))
        out.append(Para(len(out) + 1, start, start + len(stripped), stripped))
    return out


_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE = rf"(?:{_MONTH}\s+\d{{1,2}}(?:,?\s*\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:,?\s*\d{{4}})?)"
_FULL_DATE_RE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}})\b"
)
_PICTURE_RE = re.compile(
    r"\b(?:photos?|photograph(?:er|s)?|pictures?|pictured|images?|file|illustration|screenshot|"
    r"getty|credit|courtesy)\b",
    re.IGNORECASE,
)


def is_caption(para: str) -> bool:
    """Tell a photo caption or credit from a paragraph of the story.

    A caption names a picture ("AP Photo/…", "FILE -", "Getty Images") or is one sentence
    with a full date (the day the picture was taken): "Flags flutter in Beijing, April 8, 2025."
    """
    if _PICTURE_RE.search(para):
        return True
    body = re.sub(r"\s*(?:\([^()]{1,60}\)|\[[^\[\]]{1,60}\]|/\s*\w[\w ]{0,30})$", "", para)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z(“\"])", body) if s.strip()]
    return len(sentences) <= 1 and len(body.split()) <= 45 and bool(_FULL_DATE_RE.search(body))


# --------------------------------------------------------------------------- credits


@dataclass(frozen=True, slots=True)
class Credit:
    """A credit found on the page: whose text it names, and where."""

    name: str
    evidence: Evidence


def _credit(
    name: str, kind: str, text: str, start: int, end: int, why: str, *, field: str = ""
) -> Credit:
    return Credit(name, Evidence(kind, text[start:end], start, end, field=field, why=why))


def _place(para: Para, paras: list[Para]) -> str:
    return "the last paragraph" if para is paras[-1] else f"paragraph {para.number}"


def _chain(value: str, names: KnownNames, *, bare: bool) -> tuple[Known, list[str]] | None:
    """Resolve "AFP", "BSS/AFP", "Reuters-Asia": the last known agency of a relay chain.

    `bare` (a token standing alone in parentheses) accepts agencies spelled exactly only;
    otherwise any agency or outlet name counts. Every link must be a known name.
    """
    links = [p.strip() for p in re.split(r"\s*/\s*", value) if p.strip()]
    if not links or len(links) > 4:
        return None
    found: list[Known] = []
    for link in links:
        known = names.agency(link) if bare else names.lookup(link)
        if known is None:
            return None
        found.append(known)
    return found[-1], links


def _chain_why(links: list[str], origin: Known) -> str:
    if len(links) < 2:
        return ""
    relays = ", ".join(links[:-1])
    last = links[-1]
    return f"; {relays} relays {last}, the last agency in the chain, so the text is {origin.name}'s"


_DATELINE_RE = re.compile(
    r"^(?:(?P<place>[A-Z][A-Za-z .'’/-]{1,40}?)(?:\s*\[[A-Za-z .]{2,30}\])?"
    r"(?:,\s*[A-Z][A-Za-z .]{1,30}?)?,?\s*)?"
    rf"(?:(?P<date>{_DATE})\s*)?"
    r"(?P<credit>\((?P<paren>[^()\n]{1,40})\)|/(?P<wire>[^/\n]{2,40})/)"
    # "New Delhi, Mar 5 (PTI) The …": Indian agencies print no dash after the credit.
    r"(?P<dash>\s*(?:--|[-–—:])|\s+(?=[A-Z]))"
)


def dateline_credit(text: str, paras: list[Para], names: KnownNames) -> Credit | None:
    """The agency in the dateline that opens the story: "BANGKOK (AP) —", "/PRNewswire/ --"."""
    for para in paras[:25]:
        m = _DATELINE_RE.match(para.text)
        if m is None:
            continue
        start, end = para.start + m.start("credit"), para.start + m.end("credit")
        if m.group("paren") is not None:
            if not m.group("dash").strip() and not (m.group("place") and m.group("date")):
                continue
            resolved = _chain(m.group("paren"), names, bare=True)
            if resolved is None and m.group("place"):
                resolved = _chain(m.group("paren"), names, bare=False)
            if resolved is None:
                continue
            origin, links = resolved
            why = f"from '{text[start:end]}' in the dateline of {_place(para, paras)}"
            why += _chain_why(links, origin)
            return _credit(origin.name, "dateline", text, start, end, why)
        wire = m.group("wire").strip()
        if not (m.group("place") or m.group("date")):
            continue
        known = names.lookup(wire) or names.lookup(re.split(r"[-–]", wire)[0])
        if known is None and not re.search(r"(?i)wire|newswire|presswire", wire):
            continue
        name = known.name if known else wire
        why = f"from '{text[start:end]}' in the dateline of {_place(para, paras)}: a newswire"
        return _credit(name, "dateline", text, start, end, why)
    return None


_BYLINE_RE = re.compile(
    r"^By\s+(?:(?P<who>.{2,80}?)(?P<sep>\s+[-–—]{1,2}\s*|\s*[|,]\s*|\s+\(|\s+of\s+(?:the\s+)?))?"
    r"(?P<outlet>[^|,()–—]{2,60}?)\)?\s*$"
)


# "ELAINE KURTENBACH, Associated Press": a wire byline without "By" (agencies only).
_NAME_AGENCY_RE = re.compile(
    r"^(?P<who>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,4}(?:\s+and\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,4})?)"
    r"\s*[,|–—]\s*(?P<outlet>[A-Z][\w .&'’-]{1,40}?)\s*$"
)


def byline_credit(text: str, paras: list[Para], names: KnownNames) -> Credit | None:
    """A byline naming the outlet: "By ELAINE KURTENBACH – Associated Press", "By AFP"."""
    for para in paras[:40]:
        if len(para.text) > 140 or is_caption(para.text):
            continue
        m = _BYLINE_RE.match(para.text) or _NAME_AGENCY_RE.match(para.text)
        if m is None:
            continue
        outlet = re.sub(r"\s+(?:staff|wire|news\s+service)$", "", m.group("outlet"), flags=re.I)
        known = names.lookup(outlet)
        if known is not None and m.re is _NAME_AGENCY_RE and known.kind != "agency":
            known = None
        if known is None:
            continue
        start = para.start + m.start("outlet")
        end = start + len(outlet)
        why = f"from the byline '{para.text}' ({_place(para, paras)})"
        return _credit(known.name, "byline", text, start, end, why)
    return None


_END_PAREN_RE = re.compile(r"(?:^|(?<=[.!?\"”’]))\s*(?P<credit>\((?P<chain>[^()\n]{2,40})\))\s*$")
_END_SOURCE_RE = re.compile(
    r"(?P<credit>\(\s*(?:source|sources|via|from)\s*:?\s*(?P<chain>[^()\n]{2,60}?)\s*\))\s*$",
    re.IGNORECASE,
)
_END_DASH_RE = re.compile(
    r"(?:^|(?<=[.!?\"”’)\]])\s*)"
    r"(?P<credit>(?:--|[-–—])\s*(?P<chain>[A-Za-z][\w .&'’/-]{1,40}?))\s*$"
)
_AGENCIES_VIA_RE = re.compile(
    r"(?P<credit>(?:(?:news\s+)?agencies|wires?|agency\s+reports?)\s+via\s+(?P<chain>[^,;()\n]{2,40}?))"
    r"\.?\s*$",
    re.IGNORECASE,
)
_INPUTS_FROM_RE = re.compile(
    r"(?P<credit>\(?\s*with\s+(?:inputs?|additional\s+reporting|reporting)\s+(?:from|by)\s+"
    r"(?P<chain>[^()\n]{2,60}?)\s*\)?)\.?\s*$",
    re.IGNORECASE,
)
_TRUNCATED_RE = re.compile(r"(?:^|(?<=[.!?\"”’]))\s*(?P<credit>\((?P<prefix>[A-Z][A-Za-z]{1,10}))$")


def _truncated(prefix: str, names: KnownNames) -> Known | None:
    """The one agency whose name starts with a cut-off credit ("(Re" -> Reuters), if one."""
    found = {
        known.name: known
        for known in names.by_key.values()
        if known.kind == "agency"
        and any(s.startswith(prefix) and s != prefix for s in known.spellings)
    }
    return next(iter(found.values())) if len(found) == 1 else None


_CAPTION_VERB_RE = re.compile(
    r"\b(?:is|are|(?:walk|stand|pose|look|speak|gather|attend|hold|show|display|wave|sit|arrive|"
    r"leave|take|flutter|work|march|shout|chant|greet|shake|watch|wait|ride|drive|fly)(?:s|ing)?|"
    r"seen|pictured|shown|displayed)\b",
    re.IGNORECASE,
)


def _short_sentence(para: str) -> bool:
    """One short sentence that describes a picture ("Protesters gather outside. (AFP)")."""
    body = re.sub(r"\s*\([^()]{1,60}\)\s*$", "", para)
    return (
        len(body.split()) <= 25
        and not re.search(r"[.!?][\"”’]?\s+\S", body)
        and bool(_CAPTION_VERB_RE.search(body))
    )


def without_credits(statement: str) -> str:
    """Return a statement without the wire dateline before it or the agency credit after it.

    The patterns that find an article's credit (`dateline_credit`, `end_credit`) strip them
    from one claim's text, so that "BANGKOK (AP) — China banned …" and "China banned …
    (Reuters)" read as the same statement (claim families, sources/ingest/statements.py).
    """
    m = _DATELINE_RE.match(statement)
    if m is not None and (m.group("dash").strip() or (m.group("place") and m.group("date"))):
        statement = statement[m.end() :]
    for pattern in (_END_SOURCE_RE, _END_PAREN_RE, _END_DASH_RE):
        m = pattern.search(statement)
        if m is not None and m.start("credit") > 0:
            statement = statement[: m.start("credit")]
    return statement.strip()


def end_credit(text: str, paras: list[Para], names: KnownNames) -> Credit | None:
    """A credit closing a paragraph ("(AFP)", "-- BERNAMA", "Agencies via Xinhua"), last first."""
    for para in reversed(paras):
        if is_caption(para.text):
            continue
        place = _place(para, paras)
        for pattern, bare, how in (
            (_END_PAREN_RE, True, "at the end of"),
            (_END_SOURCE_RE, False, "at the end of"),
            (_END_DASH_RE, True, "signing off"),
            (_AGENCIES_VIA_RE, False, "closing"),
            (_INPUTS_FROM_RE, False, "closing"),
        ):
            m = pattern.search(para.text)
            if m is None:
                continue
            if pattern is _END_PAREN_RE and para is not paras[-1] and _short_sentence(para.text):
                continue  # "Protesters gather outside. (AFP)": a caption's picture credit
            resolved = _chain(m.group("chain"), names, bare=bare)
            if resolved is None:
                continue
            origin, links = resolved
            start, end = para.start + m.start("credit"), para.start + m.end("credit")
            why = f"from '{text[start:end]}' {how} {place}" + _chain_why(links, origin)
            return _credit(origin.name, "wire-credit", text, start, end, why)
    last = paras[-1] if paras else None
    if last is not None and last.end == len(text.rstrip()):
        m = _TRUNCATED_RE.search(last.text)
        known = _truncated(m.group("prefix"), names) if m else None
        if m and known is not None:
            start, end = last.start + m.start("credit"), last.start + m.end("credit")
            why = (
                f"from '{text[start:end]}', a credit cut off at the very end of the text: "
                f"{known.name} is the only agency whose name begins so"
            )
            return _credit(known.name, "wire-credit", text, start, end, why)
    return None


_REUTERS_SIGNOFF_RE = re.compile(
    r"\(?\s*(?:(?:Additional\s+)?Reporting|Writing)\s+by\s+[^;\n()]{2,200};"
    r"[^\n()]{0,300}?\b(?:Editing|Writing)\s+by\s+[^\n()]{2,200}?\s*(?:\)|$)",
    re.MULTILINE,
)
_ASSISTANCE_RE = re.compile(
    r"(?m)^[ \t]*(?P<credit>(?:--|[-–—])[ \t]*With\s+assistance\s+from\s+[^\n]{2,200}?\.?)$"
)
_STAFF_CONTRIBUTED_RE = re.compile(
    r"\b(?:(?:writers?|reporters?|correspondents?|journalists?)\s+[^.\n]{2,150}?\s+"
    r"contributed\s+to\s+this\s+(?:story|report|article))"
)


def signoff_credit(text: str, paras: list[Para], names: KnownNames) -> Credit | None:
    """A house sign-off: Reuters' "(Reporting by …; Editing by …)", "AP writer X contributed …"."""
    signoffs = list(_REUTERS_SIGNOFF_RE.finditer(text))
    if signoffs:
        m = signoffs[-1]
        reuters = names.lookup("Reuters") or Known("Reuters", "agency", ("Reuters",), ())
        why = f"from the sign-off '{m.group(0)}': Reuters' 'Reporting by …; Editing by …' credit"
        return _credit(reuters.name, "sign-off", text, m.start(), m.end(), why)
    if m := _ASSISTANCE_RE.search(text):
        bloomberg = names.lookup("Bloomberg") or Known("Bloomberg", "agency", ("Bloomberg",), ())
        why = f"from the sign-off '{m['credit']}': Bloomberg's '--With assistance from …' credit"
        return _credit(bloomberg.name, "sign-off", text, m.start("credit"), m.end("credit"), why)
    for m in _STAFF_CONTRIBUTED_RE.finditer(text):
        before = text[max(0, m.start() - 60) : m.start()]
        found = list(names.authors.finditer(before))
        if found and before[found[-1].end() :].strip() == "":
            known = names.lookup(found[-1].group(0))
            if known is not None:
                start = m.start() - len(before) + found[-1].start()
                why = f"from the sign-off '{text[start : m.end()]}'"
                return _credit(known.name, "sign-off", text, start, m.end(), why)
    return None


def relay_credit(text: str, paras: list[Para], names: KnownNames) -> Credit | None:
    """A sentence that only credits an agency: "BelTA reports citing the Izvestia newspaper."."""
    for para in paras[:40]:
        for m in names.authors.finditer(para.text):
            before = para.text[: m.start()]
            if before.strip() and not re.search(r"[.!?\"”’]\s+$", before):
                continue  # not the start of a sentence
            rest = para.text[m.end() :]
            tail = re.match(
                r"\s+(?:reports|reported|informs|writes)"
                r"(?:\s*,?\s*(?:citing|quoting|with\s+reference\s+to)\s+[^.!?\n]{2,80})?\s*\.",
                rest,
            )
            if tail is None:
                continue
            known = names.lookup(m.group(0))
            if known is None:
                continue
            start, end = para.start + m.start(), para.start + m.end() + tail.end()
            why = f"from '{text[start:end]}' ({_place(para, paras)}): the page relays {known.name}"
            return _credit(known.name, "wire-credit", text, start, end, why)
    return None


_SOURCE_LINE_RE = re.compile(
    r"(?:^|(?<=\s))(?P<label>Sources?|Source\(s\)|References?|Reference\(s\)|Via|"
    r"Originally\s+published\s+(?:on|by|at|in))\s*:\s*(?P<value>[^\n|;]{0,80}?)"
    r"\s*(?=$|[|;]|\s+(?:Published|Updated|By|Date)\b)",
    re.IGNORECASE,
)


_UNLISTED_NAME_RE = re.compile(
    r"^(?:The\s+)?[A-Z][\w&'’.-]*(?:\s+(?:[A-Z][\w&'’.-]*|of|and|&|for|on|de|la))"
    r"{0,5}$"
)
_NOT_AN_OUTLET = re.compile(
    r"(?i)\b(?:company|statement|press|release|data|graphics?|photo|image|file|handout|"
    r"staff|agencies|reports?|ministry|government|website|internet|social|media|"
    r"calculations?|estimates?|survey)\b"
)


def _unlisted_outlet(value: str) -> bool:
    """Whether a `Source:` value looks like a site's name or domain the registry lacks.

    "orevault.example", "Harbour Mining Weekly" yes; "company statement", "Reuters
    graphics", "official data" — not outlets — no.
    """
    value = value.strip()
    if looks_like_domain(value):
        return True
    return bool(_UNLISTED_NAME_RE.match(value)) and not _NOT_AN_OUTLET.search(value)


def source_credit(text: str, paras: list[Para], names: KnownNames) -> Credit | None:
    """A `Source:` or `Reference(s):` field naming an outlet (known, or a site's name/domain)."""
    for i, para in enumerate(paras):
        if is_caption(para.text) and not para.text.lower().startswith(("source", "reference")):
            continue
        for m in _SOURCE_LINE_RE.finditer(para.text):
            value = m.group("value")
            candidates = [(value, para, m.start("value"))] if value.strip() else []
            if not value.strip():  # "Reference(s):" then the item's title and its site
                candidates = [(p.text, p, 0) for p in paras[i + 1 : i + 4]]
            for candidate, where, offset in candidates:
                known = names.lookup(candidate)
                name = known.name if known is not None else ""
                if known is None and where is para and _unlisted_outlet(candidate):
                    name = candidate.strip()  # a site the registry does not know yet
                if not name:
                    continue
                start = where.start + offset + (len(candidate) - len(candidate.lstrip()))
                end = start + len(candidate.strip())
                why = f"from the field '{m.group(0).strip()}' ({_place(para, paras)})"
                if where is not para:
                    label = m.group("label")
                    why = f"from '{text[start:end]}' under '{label}:' ({_place(para, paras)})"
                return _credit(name, "source-field", text, start, end, why)
    return None


def republication_credit(text: str, paras: list[Para], names: KnownNames) -> Credit | None:
    """A statement that the page republishes another outlet (or unnamed state media)."""
    for pattern in STATEMENT_PATTERNS:
        for m in pattern.finditer(text):
            origin = _clean(m.group("origin"), names)
            if origin:
                why = f"from the statement '{m.group(0).strip()}'"
                return _credit(origin, "republication", text, m.start(), m.end(), why)
    return None


_EXCHANGE = (
    r"(?:NYSE(?:\s+American)?|NASDAQ|Nasdaq|TSX(?:-?V)?|TSXV|ASX|LSE|AIM|OTC\w*|CSE|HKEX|SGX)"
)
_RELEASE_RE = re.compile(
    r"^(?P<place>[A-Z][A-Za-z .,'’-]{1,50}?)\s*[-–—,]+\s*"
    rf"(?P<date>{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}})\s*[-–—/]+\s*"
    r"(?P<name>[A-Z][\w&.’'-]*(?:\s+(?:[A-Z&][\w&.’'-]*|of|and|de))*?)"
    rf"\s*(?:\(\s*{_EXCHANGE}\s*:\s*[A-Z.]{{1,6}}\s*\))?,?\s+"
    r"(?:today\s+announced|announced\s+today|announces|today\s+reported|reported\s+today)\b"
)


def press_release_credit(text: str, paras: list[Para], names: KnownNames) -> Credit | None:
    """A press release's own dateline: "CITY – Date – X Corp. (NYSE: X) announced today"."""
    for para in paras[:15]:
        m = _RELEASE_RE.match(para.text)
        if m is None:
            continue
        name = m.group("name").strip()
        known = names.lookup(name, kinds=frozenset({"company", "agency", "outlet", "other"}))
        start, end = para.start + m.start("name"), para.start + m.end("name")
        why = f"from the press release's dateline in {_place(para, paras)}: {name} announces"
        return _credit(known.name if known else name, "press-release", text, start, end, why)
    return None


_COPYRIGHT_RE = re.compile(r"(?:©|\(c\)|\bcopyright\b)", re.IGNORECASE)


def copyright_credit(text: str, paras: list[Para], names: KnownNames) -> Credit | None:
    """A copyright line naming an agency or an outlet (also on a mirror of the outlet's page)."""
    for para in paras:
        m = _COPYRIGHT_RE.search(para.text)
        if m is None or is_caption(para.text.replace("Copyright", "")):
            continue
        tail = para.text[m.start() :]
        found = names.agencies.search(tail) or names.authors.search(tail)
        known = names.lookup(found.group(0)) if found else None
        if known is None or tail[found.end() :].lstrip().startswith("/"):
            continue
        start = para.start + m.start()
        end = start + found.end()
        why = f"from the copyright line '{para.text[:120]}' ({_place(para, paras)})"
        return _credit(known.name, "copyright", text, start, end, why)
    return None


_EMAIL_RE = re.compile(r"[\w.+-]+@(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


def email_credit(text: str, paras: list[Para], names: KnownNames) -> Credit | None:
    """A reporter's e-mail address on an outlet's domain ("lee@koreaherald.com")."""
    for para in paras[:60]:
        if len(para.text) > 160:
            continue
        for m in _EMAIL_RE.finditer(para.text):
            known = names.by_domain.get(registrable_domain(m.group("domain")))
            if known is None or known.kind not in TEXT_KINDS:
                continue
            start, end = para.start + m.start(), para.start + m.end()
            why = (
                f"from the e-mail address '{m.group(0)}' ({_place(para, paras)}) "
                f"on {known.name}'s domain"
            )
            return _credit(known.name, "email-domain", text, start, end, why)
    return None


def self_reference_credit(text: str, paras: list[Para], names: KnownNames) -> Credit | None:
    """An outlet naming its own staff: "a Global Times reporter", "Global Times learned"."""
    for m in names.authors.finditer(text):
        before, after = text[max(0, m.start() - 6) : m.start()], text[m.end() : m.end() + 30]
        staff = re.match(r"\s+(?:reporters?|correspondents?|journalists?)\b", after)
        if staff and re.search(r"\b(?:an?|the|this)\s+$", before, re.IGNORECASE):
            end = m.end() + staff.end()
        elif learned := re.match(r"\s+(?:has\s+)?learned\b", after):
            end = m.end() + learned.end()
        else:
            continue
        known = names.lookup(m.group(0))
        if known is None:
            continue
        start = m.start()
        why = f"from '{text[start:end]}': the outlet refers to its own reporting"
        return _credit(known.name, "self-reference", text, start, end, why)
    return None


Rule = Callable[[str, list[Para], KnownNames], Credit | None]
# The first rule that finds a credit wins: wire credits before an outlet's own marks.
RULES: tuple[Rule, ...] = (
    dateline_credit,
    byline_credit,
    end_credit,
    signoff_credit,
    relay_credit,
    source_credit,
    republication_credit,
    press_release_credit,
    copyright_credit,
    email_credit,
    self_reference_credit,
)


def find_origin(text: str, *, names: KnownNames | None = None) -> Credit | None:
    """Return whose text this is and the credit that says so, or None when nothing credits it."""
    names = names or known_names()
    paras = paragraphs(text)
    for rule in RULES:
        if (credit := rule(text, paras, names)) is not None:
            return credit
    return None


def text_origin(text: str) -> tuple[str, dict]:
    """Return (`PageMeta.origin_name`, `PageMeta.origin_evidence`) for the canonical text."""
    credit = find_origin(text)
    if credit is None:
        return "", {}
    return credit.name, credit.evidence.as_dict()


# --------------------------------------------------------------------------- republication

# The named origin runs up to the end of the sentence or line.
_ORIGIN = r"(?P<origin>[^\n.;!?()]{2,120}?)"
_END = r"(?=\s*(?:[.;!?(\n]|,\s|$))"

STATEMENT_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"\b(?:originates|originated)\s+from\s+(?:the\s+)?{_ORIGIN}{_END}",
        rf"\bthis\s+(?:item|article|story|report|content|piece|post)\s+(?:comes|is\s+taken|was\s+taken)"
        rf"\s+from\s+(?:the\s+)?{_ORIGIN}{_END}",
        rf"\b(?:republished|reprinted|syndicated|adapted|reproduced)\s+(?:with\s+permission\s+)?"
        rf"(?:from|by)\s+(?:the\s+)?{_ORIGIN}{_END}",
        rf"\b(?:first|originally)\s+(?:appeared|published|ran)\s+(?:in|on|by)\s+(?:the\s+)?{_ORIGIN}{_END}",
        rf"\b(?:was|were|is)\s+(?:first\s+|originally\s+)published\s+(?:in|on|by)\s+(?:the\s+)?"
        rf"{_ORIGIN}{_END}",
        rf"\bcourtesy\s+of\s+(?:the\s+)?{_ORIGIN}{_END}",
    )
]
_STATE_MEDIA_RE = re.compile(
    r"\b(?P<nation>[A-Z][a-z]+)?\s*(?:state[- ](?P<kind>affiliated|owned|run|controlled|backed)"
    r"|government[- ](?P<gov>affiliated|owned|run|controlled))\s+"
    r"(?P<nation2>[A-Z][a-z]+\s+)?(?:media|news|outlets?|press|entities|sources)",
    re.IGNORECASE,
)
_NATIONS = {
    "chinese": "Chinese",
    "china": "Chinese",
    "russian": "Russian",
    "russia": "Russian",
    "iranian": "Iranian",
    "north korean": "North Korean",
    "korean": "Korean",
    "japanese": "Japanese",
    "vietnamese": "Vietnamese",
}


def state_media_origin(phrase: str) -> str:
    """Name the registry entry for unnamed state media ("Chinese state-affiliated media …")."""
    m = _STATE_MEDIA_RE.search(phrase)
    if m is None:
        return ""
    nation = ""
    for candidate in (m.group("nation2"), m.group("nation")):
        if candidate and candidate.strip().casefold() in _NATIONS:
            nation = _NATIONS[candidate.strip().casefold()]
            break
    kind = (m.group("kind") or m.group("gov") or "affiliated").casefold()
    label = "state-owned" if kind in {"owned", "run"} else "state-affiliated"
    return f"{nation + ' ' if nation else ''}{label} media (unspecified)"


def canonical_name(name: str, names: KnownNames | None = None) -> str:
    """Return the registry's name for a known outlet or agency, or `name` tidied."""
    cleaned = name.strip().strip(".,;:")
    kinds = frozenset({"agency", "outlet", "company"})
    known = (names or known_names()).lookup(cleaned, kinds=kinds)
    return known.name if known else cleaned


def _clean(origin: str, names: KnownNames) -> str:
    """Turn the words after "originates from" into an outlet name."""
    origin = " ".join(origin.split()).strip(" ,:-–—\"'“”‘’")
    if state := state_media_origin(origin):
        return state
    known = names.authors.search(origin)
    if known and names.lookup(known.group(0)):
        return names.lookup(known.group(0)).name
    # "the website of X", "X's website": keep it short and literal; never invent a name.
    origin = re.sub(
        r"^(?:the\s+)?(?:website|site|pages?|newsletter)\s+of\s+", "", origin, flags=re.I
    )
    origin = re.sub(r"(?:['’]s)?\s+(?:website|site)$", "", origin, flags=re.I)
    return canonical_name(origin, names) if 2 <= len(origin) <= 80 else ""
