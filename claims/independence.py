"""Judge whether a piece of evidence is independent of the claim it is attached to.

Ten reprints of one wire story are one source: evidence is not independent when it comes
from the claim's own publisher, from an outlet with the same owner, from a near-identical
copy of the same text, or when it merely cites the claim's source. Each rule is a small
function in `RULES`, tried in order; the first that has an opinion wins. To add a rule,
write a function `(Evidence) -> Verdict | None` and put it in `RULES` where it belongs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

from claims.models import Claim, Independence
from sources.models import Publisher

NEAR_DUPLICATE_THRESHOLD = 0.5
SHINGLE_SIZE = 5

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


def _shingles(text: str, size: int) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.casefold())
    if len(words) < size:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


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
            publishers = Publisher.objects.only("id", "name", "aliases", "domains", "parent_id")
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


def cites_claim_source(ev: Evidence) -> Verdict | None:
    """The evidence text attributes itself to the claim's publisher or one of its owners."""
    found = attribution_to(ev.quoted_text, ev.claim_chain)
    if found is None:
        return None
    _, phrase = found
    return Independence.NOT_INDEPENDENT, f"cites the claim's source: “{phrase}”"


def near_duplicate(ev: Evidence) -> Verdict | None:
    """The evidence claim's article is a near-identical copy of the claim's article."""
    if ev.evidence_claim is None:
        return None
    similarity = shingle_similarity(ev.evidence_claim.article.text, ev.claim.article.text)
    if similarity >= NEAR_DUPLICATE_THRESHOLD:
        return Independence.NOT_INDEPENDENT, "near-identical text (syndicated copy)"
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
