"""Judge whether a piece of evidence is independent of the claim it is attached to.

Ten reprints of one wire story are one source: evidence is not independent when it comes
from the claim's own publisher, from an outlet with the same owner, from the outlet the
claim's article says it republishes (`Article.republished_from`), from a copy in the same
syndication cluster or a near-identical text, or when it merely cites the claim's
source. Each rule is a small function in `RULES`, tried in order; the first that has an
opinion wins. To add a rule, write a function `(Evidence) -> Verdict | None` and put it in
`RULES` where it belongs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from urllib.parse import urlsplit

from claims.models import Claim, Credibility, Independence, Stance
from sources.models import Ownership, Publisher

NEAR_DUPLICATE_THRESHOLD = 0.5
# An excerpt of at least this many words whose shingles are this much inside the claim's
# article copies it.
EXCERPT_MIN_WORDS = 12
EXCERPT_CONTAINMENT = 0.8
SHINGLE_SIZE = 5
STATE_MEDIA = frozenset({Ownership.STATE_OWNED, Ownership.STATE_AFFILIATED})

Verdict = tuple[str, str]


# -- Small text helpers (no database) -------------------------------------------------------


def shingle_similarity(a: str, b: str, *, size: int = SHINGLE_SIZE) -> float:
    """Return the Jaccard similarity of the word `size`-shingles of two texts (0.0–1.0).

    Texts shorter than `size` words count as one shingle, so they match only if identical.
    """
    sa, sb = _shingles(a, size), _shingles(b, size)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def shingle_containment(part: str, whole: str, *, size: int = SHINGLE_SIZE) -> float:
    """Return the share of `part`'s word shingles found in `whole` (0.0–1.0)."""
    sa, sb = _shingles(part, size), _shingles(whole, size)
    return len(sa & sb) / len(sa) if sa else 0.0


@lru_cache(maxsize=256)
def _shingles(text: str, size: int) -> frozenset[tuple[str, ...]]:
    # Cached: the claim's own article is compared with every piece of evidence.
    words = re.findall(r"\w+", text.casefold())
    if len(words) < size:
        return frozenset({tuple(words)}) if words else frozenset()
    return frozenset(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def name_key(name: str) -> str:
    """Normalise an outlet name for comparison: case, spacing and a leading "the"."""
    key = " ".join(name.casefold().replace("’", "'").split())
    return key.removeprefix("the ")


def url_host(url: str) -> str:
    """Return the host of a URL or bare domain, lower-cased and without `www.`."""
    url = url.strip()
    if not url:
        return ""
    if "//" not in url:
        url = "//" + url
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")


def host_matches(host: str, domain: str) -> bool:
    """Whether `host` is `domain` or one of its subdomains."""
    domain = url_host(domain)
    return bool(host and domain) and (host == domain or host.endswith("." + domain))


# -- The publisher registry, loaded once per judgement (or once per batch) -----------------


class PublisherDirectory:
    """All publishers in memory, with their parents linked, so rules need no more queries."""

    def __init__(self, publishers: Iterable[Publisher] | None = None) -> None:
        if publishers is None:
            publishers = Publisher.objects.only(
                "id", "name", "aliases", "domains", "parent_id", "ownership", "country"
            )
        self.by_id: dict[int, Publisher] = {p.pk: p for p in publishers}
        for publisher in self.by_id.values():
            # Link parents from memory so `owner_chain()` walks without queries.
            publisher.parent = self.by_id.get(publisher.parent_id) if publisher.parent_id else None
        self._by_name: dict[str, Publisher] = {}
        for publisher in self.by_id.values():
            for name in names_of(publisher):
                self._by_name.setdefault(name_key(name), publisher)

    def get(self, publisher: Publisher | int | None) -> Publisher | None:
        """Return the directory's copy of a publisher (parents linked), or None."""
        if publisher is None:
            return None
        pk = publisher if isinstance(publisher, int) else publisher.pk
        return self.by_id.get(pk) or (publisher if isinstance(publisher, Publisher) else None)

    def by_name(self, outlet: str) -> Publisher | None:
        """Find a publisher by name, alias or domain, case-insensitively."""
        return self._by_name.get(name_key(outlet)) if outlet.strip() else None

    def by_url(self, url: str) -> Publisher | None:
        """Find the publisher whose domain (or a parent domain of it) serves this URL."""
        host = url_host(url)
        best: tuple[int, Publisher] | None = None
        for publisher in self.by_id.values():
            for domain in publisher.domains or []:
                if isinstance(domain, str) and host_matches(host, domain):
                    length = len(url_host(domain))
                    if best is None or length > best[0]:
                        best = (length, publisher)
        return best[1] if best else None


def names_of(publisher: Publisher) -> list[str]:
    """The publisher's name and aliases (non-blank strings only)."""
    names = [publisher.name, *(publisher.aliases or [])]
    return [n for n in names if isinstance(n, str) and n.strip()]


# -- What the rules look at -----------------------------------------------------------------


@dataclass
class Evidence:
    """Everything the rules may look at; the publishers are resolved once, up front."""

    claim: Claim
    claim_publisher: Publisher | None
    publisher: Publisher | None
    url: str = ""
    outlet: str = ""
    excerpt: str = ""
    evidence_claim: Claim | None = None
    directory: PublisherDirectory = field(default_factory=PublisherDirectory)

    @cached_property
    def claim_chain(self) -> list[Publisher]:
        return self.claim_publisher.owner_chain() if self.claim_publisher else []

    @cached_property
    def evidence_chain(self) -> list[Publisher]:
        return self.publisher.owner_chain() if self.publisher else []

    @cached_property
    def origin(self) -> Publisher | None:
        """The outlet the claim's article says it republishes, part of the claim's source."""
        return self.directory.get(self.claim.article.republished_from_id)

    @cached_property
    def origin_chain(self) -> list[Publisher]:
        return self.origin.owner_chain() if self.origin else []

    @property
    def quoted_text(self) -> str:
        """The words of the evidence itself: the excerpt and the evidence claim's text."""
        parts = [self.excerpt, self.evidence_claim.text if self.evidence_claim else ""]
        return "\n".join(p for p in parts if p)


Rule = Callable[[Evidence], Verdict | None]


def same_publisher(ev: Evidence) -> Verdict | None:
    """The evidence comes from the claim's own publisher."""
    if ev.publisher and ev.claim_publisher and ev.publisher.pk == ev.claim_publisher.pk:
        return Independence.NOT_INDEPENDENT, f"same publisher: {ev.claim_publisher}"
    return None


def same_site(ev: Evidence) -> Verdict | None:
    """The evidence URL is on the claim article's own website (publisher not registered)."""
    article_host = url_host(ev.claim.article.url)
    host = url_host(ev.url)
    if (
        host
        and article_host
        and (host_matches(host, article_host) or host_matches(article_host, host))
    ):
        return Independence.NOT_INDEPENDENT, f"same website: {article_host}"
    return None


def shared_owner(ev: Evidence) -> Verdict | None:
    """The evidence's publisher and the claim's publisher have an owner in common."""
    evidence_ids = {p.pk for p in ev.evidence_chain}
    common = next((p for p in ev.claim_chain if p.pk in evidence_ids), None)
    if common is None:
        return None
    claim_pub, evidence_pub = ev.claim_publisher, ev.publisher
    if common.pk == claim_pub.pk:
        return Independence.NOT_INDEPENDENT, f"same owner: {common} owns {evidence_pub}"
    if common.pk == evidence_pub.pk:
        return Independence.NOT_INDEPENDENT, f"same owner: {common} owns {claim_pub}"
    return (
        Independence.NOT_INDEPENDENT,
        f"same owner: {common} owns both {claim_pub} and {evidence_pub}",
    )


# Ways a text says where it got its information; `{name}` is an outlet name or alias.
ATTRIBUTION_PATTERNS = [
    r"\btold\s+(?:the\s+)?{name}",
    r"\b(?:the\s+)?{name}\s+(?:has\s+)?(?:reported|reports|said|says|wrote|writes|quoted|cited)\b",
    r"\baccording\s+to\s+(?:a\s+report\s+(?:by|in|from)\s+)?(?:the\s+)?{name}",
    r"\b(?:reported|quoted|cited|published|first\s+reported)\s+(?:by|in)\s+(?:the\s+)?{name}",
    r"\b(?:in\s+an\s+interview\s+with|speaking\s+to|via)\s+(?:the\s+)?{name}",
    r"\(\s*(?:the\s+)?{name}\s*\)",
    r"(?:[—–]|(?<!\w)--?)\s*(?:the\s+)?{name}",
]


def _name_pattern(name: str) -> str:
    words = name_key(name).split()
    # Straight and curly apostrophes are the same letter here ("People’s Daily").
    body = r"\s+".join(re.escape(w).replace("'", "['’]") for w in words)
    # Names may end in punctuation ("Xinhua."); only require a boundary after a word char.
    tail = r"(?!\w)" if words and re.match(r"\w", words[-1][-1]) else ""
    return body + tail


def attribution_to(text: str, publishers: Iterable[Publisher]) -> tuple[Publisher, str] | None:
    """Return (publisher, phrase) if `text` attributes itself to one of `publishers`."""
    if not text.strip():
        return None
    for publisher in publishers:
        for name in names_of(publisher):
            name_re = _name_pattern(name)
            for template in ATTRIBUTION_PATTERNS:
                match = re.search(template.format(name=name_re), text, re.IGNORECASE)
                if match:
                    return publisher, " ".join(match.group(0).split())
    return None


def republished_source(ev: Evidence) -> Verdict | None:
    """The evidence comes from the outlet the claim's article republishes (or its owners).

    An unnamed origin ("Chinese state-affiliated media (unspecified)") covers every state
    outlet of its country: any of them may be the one republished.
    """
    origin = ev.origin
    if origin is None or not ev.evidence_chain:
        return None
    origin_ids = {p.pk for p in ev.origin_chain}
    common = next((p for p in ev.evidence_chain if p.pk in origin_ids), None)
    if common is not None:
        return (
            Independence.NOT_INDEPENDENT,
            f"the claim's article republishes {origin}; the evidence is from {ev.publisher}"
            + (f" (owned by {common})" if common.pk != ev.publisher.pk else ""),
        )
    if origin.name.endswith("(unspecified)") and origin.ownership in STATE_MEDIA:
        state = next(
            (
                p
                for p in ev.evidence_chain
                if p.ownership in STATE_MEDIA and p.country and p.country == origin.country
            ),
            None,
        )
        if state is not None:
            return (
                Independence.NOT_INDEPENDENT,
                f"the claim's article republishes {origin}; {ev.publisher} is {state.country} "
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


def cites_claim_source(ev: Evidence) -> Verdict | None:
    """The evidence text attributes itself to the claim's source (publisher, owners, origin)."""
    found = attribution_to(ev.quoted_text, [*ev.claim_chain, *ev.origin_chain])
    if found is None:
        return None
    _, phrase = found
    return Independence.NOT_INDEPENDENT, f"cites the claim's source: “{phrase}”"


def near_duplicate(ev: Evidence) -> Verdict | None:
    """The evidence is a near-identical copy of the claim's article (or of a part of it).

    Compared: the evidence claim's whole article (Jaccard of word 5-shingles), and a quoted
    excerpt of at least EXCERPT_MIN_WORDS words (its shingles contained in the article).
    """
    article_text = ev.claim.article.text
    if ev.evidence_claim is not None:
        similarity = shingle_similarity(ev.evidence_claim.article.text, article_text)
        if similarity >= NEAR_DUPLICATE_THRESHOLD:
            return Independence.NOT_INDEPENDENT, "near-identical text (syndicated copy)"
    excerpt = ev.excerpt
    long_enough = len(re.findall(r"\w+", excerpt)) >= EXCERPT_MIN_WORDS
    if long_enough and shingle_containment(excerpt, article_text) >= EXCERPT_CONTAINMENT:
        return (
            Independence.NOT_INDEPENDENT,
            "near-identical text: the excerpt copies the claim's article",
        )
    return None


def source_not_identified(ev: Evidence) -> Verdict | None:
    """Nothing says where the evidence comes from."""
    if ev.publisher is None and not ev.outlet.strip() and not url_host(ev.url):
        return Independence.UNKNOWN, "source not identified"
    return None


def claim_source_not_identified(ev: Evidence) -> Verdict | None:
    """The claim's own article has no publisher, so there is nothing to compare against."""
    if ev.claim_publisher is None and not url_host(ev.claim.article.url):
        return Independence.UNKNOWN, "the claim's own publisher is not identified"
    return None


RULES: list[Rule] = [
    same_publisher,
    same_site,
    shared_owner,
    republished_source,
    same_cluster,
    cites_claim_source,
    near_duplicate,
    source_not_identified,
    claim_source_not_identified,
]
DEFAULT_VERDICT: Verdict = (Independence.INDEPENDENT, "different publisher, no shared owner")


def find_publisher(
    directory: PublisherDirectory,
    *,
    publisher: Publisher | None = None,
    url: str = "",
    outlet: str = "",
    evidence_claim: Claim | None = None,
) -> Publisher | None:
    """Identify who published the evidence: evidence claim, given publisher, outlet, URL."""
    if evidence_claim is not None:
        return directory.get(evidence_claim.article.publisher_id)
    if publisher is not None:
        return directory.get(publisher)
    return directory.by_name(outlet) or directory.by_url(url)


def judge(
    *,
    claim: Claim,
    publisher: Publisher | None = None,
    url: str = "",
    outlet: str = "",
    excerpt: str = "",
    evidence_claim: Claim | None = None,
    directory: PublisherDirectory | None = None,
) -> Verdict:
    """Return (Independence value, reason) for evidence attached to `claim`.

    Pass a `directory` when judging many pieces of evidence, to load publishers once.
    """
    directory = directory or PublisherDirectory()
    if evidence_claim is not None and not url:
        url = evidence_claim.article.url
    ev = Evidence(
        claim=claim,
        claim_publisher=directory.get(claim.article.publisher_id),
        publisher=find_publisher(
            directory, publisher=publisher, url=url, outlet=outlet, evidence_claim=evidence_claim
        ),
        url=url,
        outlet=outlet,
        excerpt=excerpt,
        evidence_claim=evidence_claim,
        directory=directory,
    )
    for rule in RULES:
        verdict = rule(ev)
        if verdict is not None:
            return verdict
    return DEFAULT_VERDICT


# -- Credibility suggestion -------------------------------------------------------------------


def source_key(c, directory: PublisherDirectory) -> object | None:
    """Who a piece of evidence comes from, so that copies and reprints count once.

    An imported article in a syndication cluster counts as its cluster; otherwise as its
    publisher, else the outlet named, else the website.
    """
    evidence_claim = c.evidence_claim
    if evidence_claim is not None and evidence_claim.article.cluster_origin_id is not None:
        return ("cluster", evidence_claim.article.cluster_origin_id)
    publisher = find_publisher(
        directory, publisher=c.publisher, url=c.url, outlet=c.outlet, evidence_claim=evidence_claim
    )
    if publisher is not None:
        return ("publisher", publisher.pk)
    if c.outlet.strip():
        return ("outlet", name_key(c.outlet))
    if host := url_host(c.url):
        return ("site", host)
    return None


def _count(n: int, noun: str) -> str:
    words = {1: "one", 2: "two", 3: "three"}
    return f"{words.get(n, n)} independent {noun} source{'s' if n != 1 else ''}"


def suggest_credibility(
    claim: Claim, *, corroborations=None, directory: PublisherDirectory | None = None
) -> tuple[int, str]:
    """Suggest an Admiralty credibility (1–6) from the independent evidence, with why.

    Only evidence judged independent counts, and each source once (distinct publishers;
    copies in one syndication cluster are one source):

    - 1 confirmed: two or more independent supporting sources, none contradicting;
    - 2 probably true: one independent supporting source, none contradicting;
    - 3 possibly true: independent sources disagree, supporting ones at least as many;
    - 4 doubtful: independent contradicting sources outnumber supporting ones;
    - 5 improbable: two or more independent contradicting sources and no supporting one;
    - 6 cannot be judged: no independent supporting or contradicting evidence.

    Pass the claim's `corroborations` (with evidence_claim__article) to avoid queries.
    """
    if corroborations is None:
        corroborations = claim.corroborations.select_related("publisher", "evidence_claim__article")
    directory = directory or PublisherDirectory()
    supporting: set = set()
    contradicting: set = set()
    for c in corroborations:
        if c.independence != Independence.INDEPENDENT:
            continue
        key = source_key(c, directory) or ("corroboration", c.pk)
        if c.stance == Stance.SUPPORTS:
            supporting.add(key)
        elif c.stance == Stance.CONTRADICTS:
            contradicting.add(key)
    sup, con = len(supporting), len(contradicting)
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


def credibility_label(value: int) -> str:
    """ "2 — Probably true" for 2."""
    return Credibility(value).label
