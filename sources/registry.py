"""The publisher registry in memory: find a publisher by name, alias or web domain.

One query loads every publisher (`PublisherRegistry.load()`); look-ups then cost nothing,
so an import run keeps one registry (`unless_changed`: until a publisher changes).
`find_or_create` records an unknown site as a publisher "new — not reviewed" (reviewed=False,
ownership unknown) for a lead to grade — never from an empty or placeholder value.

Pages read the registry through `PublisherRegistry.shared()`: one frozen registry a process,
kept while `registry_version()` — one small aggregate over the publishers' history — is
unchanged. Every write to a publisher (a form, the admin, an import, a revert, a delete)
goes through the model and so adds a history row in the same transaction, which changes the
version; a process that misses it anyway (a write that bypassed the model) reloads after
`SHARED_MAX_AGE` seconds. Loading the ~1,800 publishers was most of the time of the claim
page (70 ms of 110 at 1M claims); the version check costs one query of under a millisecond.
The shared registry cannot be changed (`add` and `find_or_create` raise), so a request can
never see another's unsaved or rolled-back publisher.
"""

from __future__ import annotations

import re
import threading
import time

from django.db.models import Count, Max
from django.utils.safestring import SafeString, mark_safe

from sources.ingest.domains import host_of, looks_like_address, registrable_domain
from sources.ingest.names import PLACEHOLDERS, is_placeholder, name_key  # noqa: F401
from sources.models import Article, Ownership, Publisher, PublisherKind
from workbench.widgets import options_html

# An article's links to the registry: who published it and whose text it is.
ARTICLE_PUBLISHER_FIELDS = tuple(Article._meta.get_field(name) for name in ("publisher", "origin"))
# Reload the shared registry (and a worker's, `unless_changed`) at least this often, even when
# its version says nothing changed.
SHARED_MAX_AGE = 300.0


def registry_version() -> tuple:
    """What changes whenever a publisher is created, changed or deleted: one query.

    The number of history rows, the last one's id and its time: a write adds a row in its
    own transaction; the time keeps two states apart after a rolled-back write reused an id.
    """
    row = Publisher.history.aggregate(n=Count("pk"), last=Max("pk"), at=Max("history_date"))
    return (row["n"], row["last"], row["at"])


class PublisherRegistry:
    """All publishers in memory, keyed by normalised name/alias and by registrable domain."""

    frozen = False  # the shared registry: read-only

    def __init__(self, publishers=()) -> None:
        self._by_pk: dict[int, Publisher] = {}
        self._by_name: dict[str, Publisher] = {}
        self._by_domain: dict[str, Publisher] = {}
        self._listed: dict[str, Publisher] = {}  # hosts exactly as publishers list them
        self._mention_re: re.Pattern | None = None
        self._choices: list[tuple[int, str]] | None = None
        self._options: dict[int, str] | None = None
        for publisher in publishers:
            self.add(publisher)
        self._added = False  # set by add() from here on: not all of it was loaded
        self._loaded_at = time.monotonic()
        self._version: tuple | None = None  # see unless_changed

    @classmethod
    def load(cls) -> PublisherRegistry:
        """Read every publisher in one query."""
        return cls(Publisher.objects.all())

    @classmethod
    def unless_changed(cls, registry: PublisherRegistry | None) -> PublisherRegistry:
        """Return `registry` if no publisher has changed since it was loaded here, else load one.

        For an import worker, which stores group after group: loading the ~1,800 publishers
        for every group of 50 files was 5% of an import's time. Another worker's or a lead's
        publisher is still seen at the next group, as with a load a group (`_current`).
        """
        version = registry_version()
        if registry is not None and registry._current(version):
            return registry
        return cls._load_at(version)

    @classmethod
    def shared(cls) -> PublisherRegistry:
        """The process's read-only registry, reloaded when a publisher has changed since."""
        version = registry_version()
        cached = _shared.get("registry")
        if cached is not None and cached._current(version):
            return cached
        with _shared_lock:
            registry = cls._load_at(version)
            registry._link_owners()
            registry.frozen = True
            _shared["registry"] = registry
        return registry

    def attach(self, articles) -> None:
        """Give each article its publisher and origin from memory.

        What a page shows of an article's sources without joining the publisher table twice
        (and each publisher's owner once more): planning those joins cost more than
        running them (1.6 ms of a 0.1 ms query at 1M claims). A publisher the registry does
        not hold is left to load on first use.
        """
        for article in articles:
            if article is None:
                continue
            for field in ARTICLE_PUBLISHER_FIELDS:
                publisher = self._by_pk.get(getattr(article, field.attname))
                if publisher is not None:
                    field.set_cached_value(article, publisher)

    def attach_sources(self, corroborations) -> None:
        """Give each piece of evidence its publishers from memory: its own, and its evidence
        claim's article's (what `claims.querysets.SOURCE_RELATED` would join)."""
        publisher = None
        for c in corroborations:
            if publisher is None:
                publisher = type(c)._meta.get_field("publisher")
            if (found := self._by_pk.get(c.publisher_id)) is not None:
                publisher.set_cached_value(c, found)
            if c.evidence_claim_id is not None:
                self.attach([c.evidence_claim.article])

    def _link_owners(self) -> None:
        """Give every publisher its owner (`parent`) from memory: chains need no query."""
        parent = Publisher._meta.get_field("parent")
        for publisher in self._by_pk.values():
            owner = self._by_pk.get(publisher.parent_id)
            if owner is not None:
                parent.set_cached_value(publisher, owner)

    @classmethod
    def _load_at(cls, version: tuple) -> PublisherRegistry:
        """Load the registry, `version` being `registry_version()` read just before."""
        registry = cls.load()
        registry._version = version
        return registry

    def _current(self, version: tuple) -> bool:
        """Whether this registry still holds the publishers as stored, `version` read now.

        It does while the version is the one read before it was loaded (every write through
        the model since has changed it), nothing was added to it (a publisher it created may
        have been rolled back with its transaction), and it is not SHARED_MAX_AGE seconds old
        (for a write that bypassed the model and its history).
        """
        return (
            self._version == version
            and not self._added
            and time.monotonic() - self._loaded_at < SHARED_MAX_AGE
        )

    def add(self, publisher: Publisher) -> None:
        """Index a publisher (after creating or changing it)."""
        if self.frozen:
            raise TypeError("the shared publisher registry is read-only; use load() to change one")
        self._added = True
        self._by_pk[publisher.pk] = publisher
        for name in [publisher.name, *(publisher.aliases or [])]:
            if isinstance(name, str) and (key := name_key(name)):
                self._by_name.setdefault(key, publisher)
        for domain in publisher.domains or []:
            if isinstance(domain, str):
                # A full host (en.people.cn) and its registrable domain both lead here.
                host = domain.strip().lower().strip(".")
                if host:
                    self._by_domain.setdefault(host, publisher)
                    self._listed.setdefault(host, publisher)
                reg = registrable_domain(domain)
                if reg:
                    self._by_domain.setdefault(reg, publisher)
        self._mention_re = None
        self._choices = self._options = None

    def __len__(self) -> int:
        return len(self._by_pk)

    def choices(self) -> list[tuple[int, str]]:
        """(id, name) of every publisher, by name: what a select of publishers offers."""
        if self._choices is None:
            self._choices = sorted(
                ((p.pk, p.name) for p in self._by_pk.values()), key=lambda c: (c[1], c[0])
            )
        return self._choices

    def options_html(self, selected=None) -> SafeString:
        """The `<option>`s of `choices()`, the one whose id is `selected` selected.

        Written once a registry (every claim page and queue has this select); selecting one
        replaces that option alone.
        """
        if self._options is None:
            self._options = {pk: options_html([(pk, name)]) for pk, name in self.choices()}
        options = self._options
        chosen = str(selected) if selected not in (None, "") else None
        if chosen is None or not chosen.isdigit() or int(chosen) not in options:
            return mark_safe("".join(options.values()))
        pk = int(chosen)
        return mark_safe(
            "".join(
                options_html([(p, self._by_pk[p].name)], [p]) if p == pk else html
                for p, html in options.items()
            )
        )

    def by_name(self, name: str) -> Publisher | None:
        """Return the publisher with this name or alias (case/punctuation-insensitive)."""
        key = name_key(name or "")
        return self._by_name.get(key) if key else None

    def by_url(self, url_or_host: str) -> Publisher | None:
        """Return the publisher serving this URL or host: longest listed host first."""
        reg = registrable_domain(url_or_host or "")
        if not reg:
            return None
        host = host_of(url_or_host)
        # Walk from the full host up to the registrable domain (en.people.cn before people.cn).
        while host and host != reg and host.endswith("." + reg):
            found = self._by_domain.get(host)
            if found is not None:
                return found
            host = host.split(".", 1)[1]
        return self._by_domain.get(reg)

    def listing(self, host: str) -> Publisher | None:
        """Return the publisher whose domains list exactly this host."""
        return self._listed.get((host or "").strip().lower().strip("."))

    def mentioned_in(self, text: str) -> list[tuple[Publisher, int, int]]:
        """Return (publisher, start, end) for each registry name or alias found in text."""
        if not text:
            return []
        if self._mention_re is None:
            names = set()
            for publisher in self._by_pk.values():
                for name in [publisher.name, *(publisher.aliases or [])]:
                    if isinstance(name, str) and len(name.strip()) >= 2:
                        names.add(name.strip())
            if not names:
                return []
            alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
            self._mention_re = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        found = []
        for match in self._mention_re.finditer(text):
            value = match.group(0)
            # Short all-caps aliases (AP, GT) count only as written, not as "ap" in a word.
            if len(value) <= 4 and not value.isupper():
                continue
            publisher = self.by_name(value)
            if publisher is not None:
                found.append((publisher, match.start(), match.end()))
        return found

    def names_outlet(self, name: str) -> bool:
        """Whether a name stands for a publisher of the registry: the whole name is one, or
        ends with one after words describing it ("Japanese public broadcaster NHK") — not a
        person described by an outlet ("Xinhua correspondent Li Ming")."""
        end = len(name.rstrip(" .,;:"))
        return any(stop == end for _, _, stop in self.mentioned_in(name))

    def find(self, *, name: str = "", url: str = "") -> Publisher | None:
        """Return the publisher named (name or alias, or a name that is a URL), else by URL."""
        found = None
        if name and not is_placeholder(name):
            found = self.by_name(name)
        elif name and looks_like_address(name):
            found = self.by_url(name)
        return found or (self.by_url(url) if url else None)

    def find_or_create(
        self, *, name: str = "", url: str = "", site_name: str = "", by=None
    ) -> Publisher | None:
        """Find the publisher; else record the site as new — not reviewed, named after it.

        The new publisher takes the first real name among name and site_name, or else the
        URL's registrable domain (which becomes its domain); ownership stays unknown. A
        placeholder ("author", "admin", "n/a", a field label) never becomes a publisher.
        """
        found = self.find(name=name, url=url) or (
            self.by_name(site_name) if site_name and not is_placeholder(site_name) else None
        )
        if found is not None:
            return found
        if self.frozen:
            raise TypeError("the shared publisher registry is read-only; use load() to add one")
        domain = registrable_domain(url) if url else ""
        new_name = (
            next((n.strip() for n in (name, site_name) if n and not is_placeholder(n)), "")
            or domain
        )
        if not new_name:
            return None
        publisher = Publisher(
            name=new_name[:200],
            ownership=Ownership.UNKNOWN,
            kind=PublisherKind.OUTLET,
            domains=[domain] if domain else [],
            reviewed=False,
        )
        publisher._history_user = by
        publisher._change_reason = "Registry: new site seen on an imported page; not reviewed"
        publisher.save()
        self.add(publisher)
        return publisher

    def chain(self, publisher: Publisher | None) -> list[Publisher]:
        """Return the publisher and its owners up to the top, from memory, cycle-safe."""
        chain: list[Publisher] = []
        seen: set[int] = set()
        node = publisher
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            parent_id = node.parent_id
            node = self._by_pk.get(parent_id) if parent_id is not None else None
            if node is None and parent_id is not None and parent_id not in seen:
                node = Publisher.objects.filter(pk=parent_id).first()
                if node is not None and not self.frozen:
                    self.add(node)
        return chain


# The shared registry ("registry" → it); swapped whole, never edited.
_shared: dict[str, PublisherRegistry] = {}
_shared_lock = threading.Lock()
