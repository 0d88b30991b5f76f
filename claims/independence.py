"""Judge whether a piece of evidence is independent of the claim it is attached to.

Ten reprints of one wire story are one source. Each side — the claim's article, and the
evidence (another imported article's claim, or a URL / outlet / excerpt) — has a publisher
(who put it online) and may have an origin (whose text it is: `Article.origin` — a credit,
or the source the page says it republishes, `Article.republishes`). Evidence is not
independent when the two sides share a publisher, a website or an origin; when the owner
chains of their publishers or origins meet (`PublisherRegistry.chain`); when the texts are
copies (one syndication cluster, near-identical, one containing most of the other, or a
verbatim passage of 12+ words outside quotation marks that the claim or the evidence is
in); or when the evidence merely cites the claim's source. It is unknown only when a side
has neither a publisher nor an origin (nor a website), and the verdict then names the
article that needs one.

Each rule is a small function in `RULES`, tried in order; the first that has an opinion
wins. To add a rule, write a function `(Evidence) -> Verdict | None` and put it in `RULES`
where it belongs.

`source_keys` is the one definition of "a source" for counting evidence (the credibility
suggestion here, the credibility-1 rule in claims/services.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from claims.models import Claim, Credibility, Independence, Stance
from claims.querysets import SOURCE_RELATED
from families.models import family_id_of
from sources.ingest.domains import registrable_domain
from sources.ingest.fingerprint import (
    CONTAINMENT_THRESHOLD,
    JACCARD_THRESHOLD,
    containment,
    jaccard,
)
from sources.ingest.passages import PASSAGE_MIN_WORDS, Passage, shared_passages
from sources.ingest.syndication import UnionFind
from sources.models import Article, Ownership, Publisher
from sources.registry import PublisherRegistry, name_key

STATE_MEDIA = frozenset({Ownership.STATE_OWNED, Ownership.STATE_AFFILIATED})
# How many words of a shared passage the reason quotes.
SNIPPET_WORDS = 8

Verdict = tuple[str, str]


# -- What the rules look at -----------------------------------------------------------------


@dataclass
class Side:
    """One side of the comparison: the claim's article, or the evidence."""

    label: str  # "the claim's article", "the evidence"
    publisher: Publisher | None = None
    article: Article | None = None
    outlet: str = ""
    url: str = ""

    @cached_property
    def origins(self) -> list[tuple[Publisher, str]]:
        """(publisher, how) for whose text it is, other than the publisher itself."""
        if self.article is None or self.article.origin_id is None:
            return []
        origin = self.article.origin
        if origin is None or (self.publisher is not None and origin.pk == self.publisher.pk):
            return []
        # A page that says it republishes a source is described so, not as a credit.
        return [(origin, "republishes" if self.article.republishes else "origin")]

    @cached_property
    def domain(self) -> str:
        return registrable_domain(self.url or (self.article.url if self.article else ""))

    @property
    def identified(self) -> bool:
        """Whether anything says who it comes from: a publisher, an origin, a name, a site."""
        return bool(self.publisher or self.origins or self.outlet.strip() or self.domain)

    def text_of(self, origin: Publisher, how: str) -> str:
        if how == "republishes":
            return f"{self.label} republishes {origin}"
        return f"{self.label} is {origin}'s text"


@dataclass
class Evidence:
    """Everything the rules may look at; the publishers are resolved once, up front."""

    claim: Claim
    mine: Side
    theirs: Side
    excerpt: str = ""
    evidence_claim: Claim | None = None
    registry: PublisherRegistry = field(default_factory=PublisherRegistry.shared)

    def chain(self, publisher: Publisher | None) -> list[Publisher]:
        return self.registry.chain(publisher) if publisher is not None else []

    @property
    def quoted_text(self) -> str:
        """The words of the evidence itself: the excerpt and the evidence claim's text."""
        parts = [self.excerpt, self.evidence_claim.text if self.evidence_claim else ""]
        return "\n".join(p for p in parts if p)

    @cached_property
    def passages(self) -> list[Passage]:
        """Verbatim passages the two articles share (a = the claim's, b = the evidence's)."""
        if self.evidence_claim is None:
            return []
        return shared_passages(self.claim.article.text, self.evidence_claim.article.text)


Rule = Callable[[Evidence], Verdict | None]


def same_publisher(ev: Evidence) -> Verdict | None:
    """The evidence comes from the claim's own publisher."""
    mine, theirs = ev.mine.publisher, ev.theirs.publisher
    if mine and theirs and mine.pk == theirs.pk:
        return Independence.NOT_INDEPENDENT, f"same publisher: {mine}"
    return None


def same_site(ev: Evidence) -> Verdict | None:
    """The evidence is on the claim article's own website (registrable domain)."""
    if ev.mine.domain and ev.mine.domain == ev.theirs.domain:
        return Independence.NOT_INDEPENDENT, f"same website: {ev.mine.domain}"
    return None


def same_origin(ev: Evidence) -> Verdict | None:
    """The two sides carry one origin's text, or one side is the other's origin."""
    for origin, how in ev.mine.origins:
        for other, _ in ev.theirs.origins:
            if other.pk == origin.pk:
                carriers = " and ".join(
                    str(side.publisher or "an unidentified site") for side in (ev.mine, ev.theirs)
                )
                return (
                    Independence.NOT_INDEPENDENT,
                    f"same origin: both are {origin}'s text (on {carriers})",
                )
        theirs = ev.theirs.publisher
        if theirs is not None and theirs.pk == origin.pk:
            if how == "republishes":
                return (
                    Independence.NOT_INDEPENDENT,
                    f"the claim's article republishes {origin}; the evidence is from {theirs}",
                )
            return (
                Independence.NOT_INDEPENDENT,
                f"same origin: {ev.mine.text_of(origin, how)}; the evidence is from {theirs}",
            )
    mine = ev.mine.publisher
    for other, how in ev.theirs.origins:
        if mine is not None and other.pk == mine.pk:
            return (
                Independence.NOT_INDEPENDENT,
                f"same origin: {ev.theirs.text_of(other, how)}, the claim's publisher",
            )
    return None


def _owned(common: Publisher, a: Publisher, b: Publisher) -> str:
    if common.pk == a.pk:
        return f"{common} owns {b}"
    if common.pk == b.pk:
        return f"{common} owns {a}"
    return f"{common} owns both {a} and {b}"


def shared_owner(ev: Evidence) -> Verdict | None:
    """The owner chains of the two sides meet: publishers first, then origins.

    Two outlets controlled by one party-state, a parent and its outlet, sister titles of one
    group: the shared owner is named.
    """
    mine = [(ev.mine.publisher, "")] if ev.mine.publisher else []
    mine += [(p, f" (origin of {ev.mine.label})") for p, _ in ev.mine.origins]
    theirs = [(ev.theirs.publisher, "")] if ev.theirs.publisher else []
    theirs += [(p, f" (origin of {ev.theirs.label})") for p, _ in ev.theirs.origins]
    for a, a_note in mine:
        a_chain = ev.chain(a)
        for b, b_note in theirs:
            b_ids = {p.pk for p in ev.chain(b)}
            common = next((p for p in a_chain if p.pk in b_ids), None)
            if common is not None and a.pk != b.pk:
                return (
                    Independence.NOT_INDEPENDENT,
                    f"same owner: {_owned(common, a, b)}{a_note or b_note}",
                )
    return None


def unnamed_state_origin(ev: Evidence) -> Verdict | None:
    """The claim's article republishes unnamed state media of the evidence's country.

    An unnamed origin ("Chinese state-affiliated media (unspecified)") covers every state
    outlet of its country: any of them may be the one republished.
    """
    theirs = ev.theirs.publisher
    for origin, how in ev.mine.origins:
        if not origin.name.endswith("(unspecified)") or origin.ownership not in STATE_MEDIA:
            continue
        state = next(
            (
                p
                for p in ev.chain(theirs)
                if p.ownership in STATE_MEDIA and p.country and p.country == origin.country
            ),
            None,
        )
        if state is not None:
            return (
                Independence.NOT_INDEPENDENT,
                f"{ev.mine.text_of(origin, how)}; {theirs} is {state.country} "
                "state media and may be that origin",
            )
    return None


def same_cluster(ev: Evidence) -> Verdict | None:
    """The evidence article is a copy in the claim article's syndication cluster."""
    if ev.evidence_claim is None:
        return None
    mine, theirs = ev.claim.article, ev.evidence_claim.article
    origin = mine.cluster_origin_id
    if origin is not None and origin == theirs.cluster_origin_id:
        return (
            Independence.NOT_INDEPENDENT,
            f"syndicated copy: same cluster as the claim's article (origin: article {origin})",
        )
    return None


def near_duplicate(ev: Evidence) -> Verdict | None:
    """The evidence's article is a copy of the claim's: near-identical, or most of it inside.

    Compared on word 5-shingles (sources/ingest/fingerprint.py): Jaccard ≥ 0.5, or containment
    (|A ∩ B| / min(|A|, |B|)) ≥ 0.5 — a short reprint inside a longer page.
    """
    if ev.evidence_claim is None:
        return None
    mine, theirs = ev.claim.article.text, ev.evidence_claim.article.text
    if jaccard(mine, theirs) >= JACCARD_THRESHOLD:
        return Independence.NOT_INDEPENDENT, "near-identical text (syndicated copy)"
    share = containment(mine, theirs)
    if share >= CONTAINMENT_THRESHOLD:
        shorter = "the evidence's article" if len(theirs) <= len(mine) else "the claim's article"
        longer = "the claim's" if shorter == "the evidence's article" else "the evidence's"
        return (
            Independence.NOT_INDEPENDENT,
            f"copy: {share:.0%} of {shorter} is in {longer} (one contains most of the other)",
        )
    return None


def _snippet(text: str, start: int, end: int) -> str:
    words = text[start:end].split()
    more = "…" if len(words) > SNIPPET_WORDS else ""
    return " ".join(words[:SNIPPET_WORDS]) + more


def shared_passage(ev: Evidence) -> Verdict | None:
    """The claim, or the evidence claim, is in a verbatim passage both articles share.

    A passage is 12+ words outside quotation marks (sources/ingest/passages.py). A page that
    mixes a wire passage with its own reporting is a copy only there: claims elsewhere in it
    stay independent.
    """
    if ev.evidence_claim is None:
        return None
    claim, other = ev.claim, ev.evidence_claim
    for p in ev.passages:
        if p.overlaps_a(claim.start, claim.end) or p.overlaps_b(other.start, other.end):
            quoted = _snippet(claim.article.text, p.a_start, p.a_end)
            return (
                Independence.NOT_INDEPENDENT,
                f"shared passage: {p.words} words copied verbatim (“{quoted}”)",
            )
    return None


def excerpt_copies_article(ev: Evidence) -> Verdict | None:
    """The quoted excerpt shares a verbatim passage (12+ words, unquoted) with the article."""
    if len(ev.excerpt.split()) < PASSAGE_MIN_WORDS:
        return None
    if shared_passages(ev.claim.article.text, ev.excerpt):
        return (
            Independence.NOT_INDEPENDENT,
            "near-identical text: the excerpt copies the claim's article",
        )
    return None


# Ways a text says where it got its information, before and after an outlet's name.
_CITED_BEFORE = re.compile(
    r"(?:\btold\s+"
    r"|\baccording\s+to\s+(?:a\s+report\s+(?:by|in|from)\s+)?"
    r"|\b(?:reported|quoted|cited|published|first\s+reported)\s+(?:by|in)\s+"
    r"|\b(?:in\s+an\s+interview\s+with|speaking\s+to|via)\s+"
    r"|(?:[—–]|(?<!\w)--?)\s*)(?:the\s+)?$",
    re.IGNORECASE,
)
_CITED_AFTER = re.compile(
    r"^\s+(?:has\s+)?(?:reported|reports|said|says|wrote|writes|quoted|cited)\b", re.IGNORECASE
)
_PAREN_BEFORE = re.compile(r"\(\s*(?:the\s+)?$", re.IGNORECASE)
_PAREN_AFTER = re.compile(r"^\s*\)")


def attribution(text: str, registry: PublisherRegistry, sources: Iterable[Publisher]):
    """Return the phrase by which `text` attributes itself to one of `sources`, or None."""
    wanted = {p.pk for p in sources}
    if not wanted or not text.strip():
        return None
    for publisher, start, end in registry.mentioned_in(text):
        if publisher.pk not in wanted:
            continue
        before, after = text[:start], text[end:]
        # "the Global Times said": the article belongs to the phrase.
        lead = re.search(r"\bthe\s+$", before, re.IGNORECASE)
        phrase_start = lead.start() if lead else start
        for before_re, after_re in (
            (_PAREN_BEFORE, _PAREN_AFTER),
            (_CITED_BEFORE, None),
            (None, _CITED_AFTER),
        ):
            b = before_re.search(before) if before_re else None
            a = after_re.search(after) if after_re else None
            if (before_re is None or b) and (after_re is None or a):
                s = b.start() if b else phrase_start
                e = end + (a.end() if a else 0)
                return " ".join(text[s:e].split())
    return None


def cites_claim_source(ev: Evidence) -> Verdict | None:
    """The evidence text attributes itself to the claim's source (publisher, owners, origin)."""
    sources = [*ev.chain(ev.mine.publisher)]
    for origin, _ in ev.mine.origins:
        sources += ev.chain(origin)
    phrase = attribution(ev.quoted_text, ev.registry, sources)
    if phrase is None:
        return None
    return Independence.NOT_INDEPENDENT, f"cites the claim's source: “{phrase}”"


def unidentified_article(claim_article: Article, evidence_article: Article | None):
    """Return the article (the claim's first) with no publisher, origin or website, or None."""
    for article in (claim_article, evidence_article):
        if article is None:
            continue
        has_origin = article.origin_id is not None
        if article.publisher_id is None and not has_origin and not registrable_domain(article.url):
            return article
    return None


def source_not_identified(ev: Evidence) -> Verdict | None:
    """A side says nothing of where it comes from; an article side is named, to be fixed."""
    article = unidentified_article(
        ev.claim.article, ev.evidence_claim.article if ev.evidence_claim else None
    )
    if article is not None:
        side = (
            "the claim's article" if article.pk == ev.claim.article_id else "the evidence's article"
        )
        return (
            Independence.UNKNOWN,
            f"{side} has no publisher or origin: set one on article {article.pk} (“{article}”)",
        )
    if not ev.theirs.identified:
        return Independence.UNKNOWN, "source not identified"
    return None


def same_family(ev: Evidence) -> Verdict | None:
    """The evidence claim and the claim are one claim family: copies of one statement."""
    if ev.evidence_claim is None:
        return None
    family = family_id_of(ev.claim)
    if family is None or family != family_id_of(ev.evidence_claim):
        return None
    return Independence.NOT_INDEPENDENT, f"copies of one statement (claim family #{family})"


RULES: list[Rule] = [
    same_publisher,
    same_site,
    same_origin,
    shared_owner,
    unnamed_state_origin,
    same_family,
    same_cluster,
    near_duplicate,
    shared_passage,
    excerpt_copies_article,
    cites_claim_source,
    source_not_identified,
]
DEFAULT_VERDICT: Verdict = (Independence.INDEPENDENT, "different publisher, no shared owner")


def evidence_publisher(
    registry: PublisherRegistry,
    *,
    publisher: Publisher | None = None,
    url: str = "",
    outlet: str = "",
    evidence_claim: Claim | None = None,
) -> Publisher | None:
    """Identify who published the evidence: evidence claim, given publisher, outlet, URL."""
    if evidence_claim is not None:
        return evidence_claim.article.publisher
    if publisher is not None:
        return publisher
    return registry.find(name=outlet, url=url)


def judge(
    *,
    claim: Claim,
    publisher: Publisher | None = None,
    url: str = "",
    outlet: str = "",
    excerpt: str = "",
    evidence_claim: Claim | None = None,
    registry: PublisherRegistry | None = None,
) -> Verdict:
    """Return (Independence value, reason) for evidence attached to `claim`.

    Pass a `registry` when judging many pieces of evidence, to load publishers once.
    """
    registry = registry or PublisherRegistry.shared()
    if evidence_claim is not None and not url:
        url = evidence_claim.article.url
    ev = Evidence(
        claim=claim,
        mine=Side("the claim's article", claim.article.publisher, claim.article),
        theirs=Side(
            "the evidence",
            evidence_publisher(
                registry, publisher=publisher, url=url, outlet=outlet, evidence_claim=evidence_claim
            ),
            evidence_claim.article if evidence_claim is not None else None,
            outlet=outlet,
            url=url,
        ),
        excerpt=excerpt,
        evidence_claim=evidence_claim,
        registry=registry,
    )
    for rule in RULES:
        verdict = rule(ev)
        if verdict is not None:
            return verdict
    return DEFAULT_VERDICT


# -- Counting sources ---------------------------------------------------------------------------


def source_keys(c, registry: PublisherRegistry) -> tuple[tuple, ...]:
    """Who a piece of evidence comes from, as keys: evidence sharing a key is one source.

    A source is the evidence article's origin if set (whose text it is), else its
    publisher — with their owners, since outlets of one owner are not independent of each
    other — and a clustered article also counts as its syndication cluster, so copies of
    one wire story count once, and an evidence claim in a claim family counts as its family,
    so copies of one statement count once. Evidence without an article: its publisher, else
    the outlet named, else the website. Nothing identified: no keys (it is no source).
    """
    article = c.evidence_claim.article if c.evidence_claim_id is not None else None
    keys: list[tuple] = []
    if article is not None:
        primary = article.origin or article.publisher
        if article.cluster_origin_id is not None:
            keys.append(("cluster", article.cluster_origin_id))
        if (family := family_id_of(c.evidence_claim)) is not None:
            keys.append(("family", family))
    else:
        primary = c.publisher or registry.find(name=c.outlet, url=c.url)
    if primary is not None:
        keys += [("publisher", p.pk) for p in registry.chain(primary)]
    elif article is None and name_key(c.outlet):
        keys.append(("outlet", name_key(c.outlet)))
    elif domain := registrable_domain(article.url if article is not None else c.url):
        keys.append(("site", domain))
    return tuple(keys)


def count_sources(corroborations: Iterable, registry: PublisherRegistry) -> int:
    """Count the distinct sources among these corroborations (see `source_keys`)."""
    groups = UnionFind()
    roots: dict[tuple, int] = {}
    for n, c in enumerate(corroborations):
        keys = source_keys(c, registry)
        if not keys:
            continue
        groups.union(n, n)
        for key in keys:
            if key in roots:
                groups.union(n, roots[key])
            else:
                roots[key] = n
    return len({groups.find(x) for x in groups.parent})


def _count(n: int, noun: str) -> str:
    words = {1: "one", 2: "two", 3: "three"}
    return f"{words.get(n, n)} independent {noun} source{'s' if n != 1 else ''}"


def suggest_credibility(
    claim: Claim, *, corroborations=None, registry: PublisherRegistry | None = None
) -> tuple[int, str]:
    """Suggest an Admiralty credibility (1–6) from the independent evidence, with why.

    Only evidence judged independent counts, and each source once (`count_sources`: copies
    of one wire story, one origin's text, outlets of one owner are one source):

    - 1 confirmed: two or more independent supporting sources, none contradicting;
    - 2 probably true: one independent supporting source, none contradicting;
    - 3 possibly true: independent sources disagree, supporting ones at least as many;
    - 4 doubtful: independent contradicting sources outnumber supporting ones;
    - 5 improbable: two or more independent contradicting sources and no supporting one;
    - 6 cannot be judged: no independent supporting or contradicting evidence.

    Pass the claim's `corroborations` (with evidence_claim__article) to avoid queries.
    """
    if corroborations is None:
        corroborations = claim.corroborations.select_related(*SOURCE_RELATED)
    registry = registry or PublisherRegistry.shared()
    independent = [c for c in corroborations if c.independence == Independence.INDEPENDENT]
    sup = count_sources([c for c in independent if c.stance == Stance.SUPPORTS], registry)
    con = count_sources([c for c in independent if c.stance == Stance.CONTRADICTS], registry)
    if con > sup:
        if con >= 2 and sup == 0:
            return Credibility.IMPROBABLE, _count(con, "contradicting")
        why = _count(con, "contradicting") + (f", {_count(sup, 'supporting')}" if sup else "")
        return Credibility.DOUBTFUL, why
    if sup and con:
        return (
            Credibility.POSSIBLY_TRUE,
            f"independent sources disagree: {sup} supporting, {con} contradicting",
        )
    if sup >= 2:
        return Credibility.CONFIRMED, _count(sup, "supporting")
    if sup == 1:
        return Credibility.PROBABLY_TRUE, _count(1, "supporting")
    return Credibility.CANNOT_BE_JUDGED, "no independent supporting or contradicting evidence"
