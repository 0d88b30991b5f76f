"""Writes for sources: publisher registry entries, and corrections of an article's metadata.

Importing articles (storing them, the queue, uploads) is the `imports` app's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from claims.history import ARTICLE, PUBLISHER, change_lines
from claims.services import RevertRefused, StaleEdit, corroborations_rejudge, revert_plan
from sources.clustering import recheck_cluster
from sources.ingest.countries import canonical_country
from sources.ingest.domains import is_host, listed_host
from sources.ingest.manifest import value_problem
from sources.ingest.names import is_placeholder
from sources.models import (
    ARTICLE_METADATA_FIELDS,
    ARTICLE_SOURCE_FIELDS,
    LEAD_EVIDENCE,
    Article,
    Publisher,
)
from sources.registry import PublisherRegistry
from workbench.history import record_change
from workbench.models import User

# What a lead gives of a registry entry (the registry page's form).
PUBLISHER_FIELDS = frozenset(
    {"name", "aliases", "domains", "country", "ownership", "parent", "reliability",
     "description", "kind", "typology", "facts_source", "reviewed"}
)  # fmt: skip


def _entry_before(publisher: Publisher) -> dict:
    return {
        "name": publisher.name,
        "aliases": list(publisher.aliases or []),
        "domains": list(publisher.domains or []),
        "country": publisher.country,
        "parent": publisher.parent_id,
    }


def _check_registry_entry(publisher: Publisher, *, before: dict | None = None) -> None:
    """Normalise a registry entry a lead gives; refuse what would make look-ups wrong.

    A name, alias or domain another publisher already answers to would be ambiguous (the
    registry finds publishers by them); a domain must be a host ("globaltimes.cn", no
    scheme, path or "www."); a country is stored as the registry spells it ("CN" → China);
    a parent may not be the publisher or one it owns. Values the entry already had
    (`before`) are not checked again, so an old entry stays editable. Raises
    ValidationError naming each field and what is wrong with it.
    """
    before = before or {"name": "", "aliases": [], "domains": [], "country": "", "parent": None}
    registry = PublisherRegistry.load()
    errors: dict[str, str] = {}

    def taken(value: str) -> Publisher | None:
        other = registry.by_name(value)
        return other if other is not None and other.pk != publisher.pk else None

    publisher.name = " ".join((publisher.name or "").split())
    if publisher.name != before["name"]:
        if not publisher.name:
            errors["name"] = "A publisher needs a name."
        elif is_placeholder(publisher.name):
            errors["name"] = (
                f"{publisher.name!r} names no outlet (a placeholder or a web address): give "
                "the outlet's name, and its address under domains."
            )
        elif other := taken(publisher.name):
            errors["name"] = f"{publisher.name!r} is already in the registry: {other}."
    aliases: list[str] = []
    for alias in publisher.aliases or []:
        alias = " ".join(str(alias).split())
        if not alias or alias.casefold() in {a.casefold() for a in aliases}:
            continue
        if alias not in before["aliases"] and (other := taken(alias)):
            errors.setdefault("aliases", f"{alias!r} is already a name of {other}.")
        aliases.append(alias)
    publisher.aliases = aliases
    domains: list[str] = []
    for value in publisher.domains or []:
        host = str(value).strip()
        if host not in before["domains"]:  # a domain listed already is kept as it is
            host = listed_host(host)
            if not is_host(host):
                errors.setdefault(
                    "domains",
                    f"{value!r} is not a web domain (e.g. globaltimes.cn or en.people.cn).",
                )
            elif (other := registry.listing(host)) is not None and other.pk != publisher.pk:
                errors.setdefault("domains", f"{host!r} is already listed for {other}.")
        if host not in domains:
            domains.append(host)
    publisher.domains = domains
    publisher.country = " ".join((publisher.country or "").split())
    if publisher.country and publisher.country != before["country"]:
        country = canonical_country(publisher.country)
        if country is None:
            errors["country"] = (
                f"{publisher.country!r} is not a country (e.g. China, South Korea, "
                "United States, or a two-letter code such as CN)."
            )
        else:
            publisher.country = country
    if publisher.parent_id is not None and publisher.parent_id != before["parent"]:
        chain = registry.chain(publisher.parent)
        if publisher.pk is not None and any(p.pk == publisher.pk for p in chain):
            errors["parent"] = "That would make the publisher its own owner."
    try:
        publisher.full_clean(exclude=[*errors, "locked_fields"])
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def publisher_create(
    *, by: User | None, reason: str, reviewed: bool = True, **fields: Any
) -> Publisher:
    """Add a publisher to the registry, checked as a lead's entry is; return it.

    The fields given are a lead's word: registry loads never overwrite them. `reviewed`
    False lists it as "new — not reviewed" (created in place, its ownership not yet graded).
    """
    unknown = set(fields) - PUBLISHER_FIELDS
    if unknown:
        raise TypeError(f"Cannot set publisher fields: {', '.join(sorted(unknown))}")
    if not reason.strip():
        raise ValidationError({"reason": "Say why you add this publisher (kept in its history)."})
    publisher = Publisher(reviewed=reviewed, **fields)
    _check_registry_entry(publisher)
    publisher.locked_fields = sorted(n for n, v in fields.items() if v not in (None, "", []))
    record_change(publisher, by=by, reason=reason)
    publisher.save()
    return publisher


@transaction.atomic
def publisher_update(
    *, publisher: Publisher, by: User, reason: str, version: int | None = None, **fields
) -> Publisher:
    """Change a publisher's registry entry, recording who and why in its history.

    A lead's or admin's change locks the fields it changed (registry loads, `manage.py
    load_publishers`, never overwrite them) and marks the entry reviewed. `version` (the
    latest history record the editor saw) refuses an edit made on an older page (StaleEdit).
    """
    unknown = set(fields) - PUBLISHER_FIELDS
    if unknown:
        raise TypeError(f"Cannot update publisher fields: {', '.join(sorted(unknown))}")
    # The stored entry, not the instance given (a ModelForm has already changed that one).
    publisher = Publisher.objects.select_for_update().get(pk=publisher.pk)
    _check_version(publisher, version, kind=PUBLISHER, fields=PUBLISHER_FIELDS, related=["parent"])
    before = _entry_before(publisher)
    old = {name: getattr(publisher, name) for name in fields}
    for name, value in fields.items():
        setattr(publisher, name, value)
    _check_registry_entry(publisher, before=before)
    changed = [name for name in fields if getattr(publisher, name) != old[name]]
    if by is not None and by.has_perm("sources.change_publisher"):  # lead or admin
        locked = list(publisher.locked_fields or [])
        publisher.locked_fields = [*locked, *(n for n in changed if n not in locked)]
        publisher.reviewed = True
    record_change(publisher, by=by, reason=reason)
    publisher.save()
    return publisher


@transaction.atomic
def publisher_revert(*, history_id: int, by: User | None, reason: str = "") -> Publisher:
    """Undo one recorded change of a publisher's registry entry, through `publisher_update`.

    The entry's fields it changed go back, checked as any entry is (a name another publisher
    answers to, an ownership cycle); refused if a later change touched one of them. A
    creation is not undone: publishers are never deleted (articles and evidence name them).
    """
    record = Publisher.history.filter(history_id=history_id).first()
    if record is None:
        raise RevertRefused(f"No recorded publisher change #{history_id}.")
    if record.history_type != "~":
        raise RevertRefused("A publisher's creation is not undone: edit the entry instead.")
    live = Publisher.objects.select_for_update().get(pk=record.id)
    editable = PUBLISHER_FIELDS - {"reviewed"}
    previous, changed = revert_plan(PUBLISHER, record, live, only=editable)
    values: dict[str, Any] = {}
    for f in changed:
        value = getattr(previous, f.attname)
        if f.is_relation and value is not None:
            value = Publisher.objects.filter(pk=value).first()
        values[f.name] = value
    why = f"Reverted change #{history_id}" + (f": {reason.strip()}" if reason.strip() else "")
    return publisher_update(publisher=live, by=by, reason=why, **values)


# -- Correcting an article's metadata ---------------------------------------------------------

# The edit form's field names → Article fields (ARTICLE_METADATA_FIELDS).
ARTICLE_EDIT_FIELDS = {
    "title": "title",
    "publisher": "publisher",
    "origin": "origin",
    "url": "url",
    "published": "published_at",
    "byline": "byline",
    "language": "language",
}
_FORM_NAME = {attr: name for name, attr in ARTICLE_EDIT_FIELDS.items()}


@dataclass(slots=True)
class ArticleEdit:
    """What correcting an article changed, and what followed from it."""

    article: Article
    changed: list[str]  # Article field names
    new_publisher: Publisher | None = None
    judged: int = 0  # corroborations judged again
    rejudged: list = field(default_factory=list)  # those whose independence changed
    unsupported: list[int] = field(default_factory=list)  # verified claims left unsupported
    # Copies in its syndication cluster whose origin changed with it.
    cluster_changed: list[int] = field(default_factory=list)


def _lead_evidence(value: Publisher | None, *, by: User | None, reason: str) -> dict:
    done = "set" if value is not None else "cleared"
    return {
        "kind": LEAD_EVIDENCE,
        "text": value.name if value is not None else "",
        "why": f"{done} by {by if by is not None else 'nobody'}: {' '.join(reason.split())}",
    }


def _check_version(obj, version: int | None, *, kind: str, fields, related=()) -> None:
    """Refuse an edit made on a page older than the row's last change (optimistic locking).

    `version` is the id of the latest history record the editor saw; only later changes to
    `fields` count (an article's cluster bookkeeping does not). None checks nothing.
    """
    if version is None:
        return
    records = list(
        obj.history.filter(history_id__gte=version)
        .select_related("history_user", *related)
        .order_by("history_id")
    )
    noun = type(obj)._meta.verbose_name
    if not records or records[0].history_id != version:
        raise ValidationError({"version": f"#{version} is not a recorded change of this {noun}."})
    lines = change_lines(records, kind, fields=set(fields))
    if lines:
        raise StaleEdit(
            f"This {noun} was changed by someone else since you opened it.", lines, subject=noun
        )


def _check_article_version(article: Article, version: int | None) -> None:
    """Refuse an article edit made on a page older than its metadata (`_check_version`)."""
    _check_version(
        article,
        version,
        kind=ARTICLE,
        fields=ARTICLE_METADATA_FIELDS,
        related=("publisher", "origin"),
    )


def _article_values(fields: dict) -> dict:
    """Check the form's values (the manifest's rules) and turn them into Article values."""
    errors: dict[str, str] = {}
    values: dict = {}
    for name, value in fields.items():
        if name in {"publisher", "origin"}:
            if value is not None and not isinstance(value, Publisher):
                errors[name] = f"{value!r} is not a publisher of the registry."
            values[ARTICLE_EDIT_FIELDS[name]] = value
        elif name == "published":
            if value is not None and not isinstance(value, datetime):
                errors[name] = f"{value!r} is not a date and time."
            elif value is not None and timezone.is_naive(value):
                value = timezone.make_aware(value, timezone.get_default_timezone())
            values["published_at"] = value
        else:
            value = " ".join(str(value or "").split())
            if value and (problem := value_problem(name, value)):
                errors[name] = problem
            if name == "language":
                value = value.replace("_", "-")
            values[name] = value
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def article_update(
    *,
    article: Article,
    by: User | None,
    reason: str,
    version: int | None = None,
    new_publisher: str = "",
    publisher_evidence: dict | None = None,
    origin_evidence: dict | None = None,
    **fields: Any,
) -> ArticleEdit:
    """Correct what was read off an article's page; its text never changes.

    `fields` are the edit form's (`ARTICLE_EDIT_FIELDS`: title, publisher, origin, url,
    published, byline, language); only those given change, each checked as a manifest's
    values are. `new_publisher` names a publisher to create ("new — not reviewed") and set.
    A publisher or origin set here is a lead's word, kept as its evidence unless
    `publisher_evidence` / `origin_evidence` are given (a revert restores the earlier ones);
    a lead's origin is never replaced along a syndication cluster. `version` (the latest
    history record the editor saw) refuses an edit made on an older page (StaleEdit).

    Changing publisher, origin or URL judges again every corroboration involving the article
    — as the claim's article or as the evidence's — except those set by hand, each changed
    one recorded with the reason "article #N publisher changed"; changing origin or date
    re-checks its syndication cluster, and the copies whose origin that changes are judged
    again too.
    """
    unknown = set(fields) - set(ARTICLE_EDIT_FIELDS)
    if unknown:
        raise TypeError(f"Cannot update article fields: {', '.join(sorted(unknown))}")
    if not reason.strip():
        raise ValidationError({"reason": "Say why you correct this article (kept in its history)."})
    article = Article.objects.select_for_update().without_bodies().get(pk=article.pk)
    _check_article_version(article, version)
    values = _article_values(fields)
    created = None
    if new_publisher.strip():
        if values.get("publisher") is not None:
            raise ValidationError(
                {"new_publisher": "Pick a publisher from the registry or name a new one, not both."}
            )
        try:
            created = publisher_create(
                by=by,
                reason=f"Created while correcting article #{article.pk}: {reason}",
                reviewed=False,
                name=new_publisher,
            )
        except ValidationError as exc:
            raise ValidationError(
                {"new_publisher": " ".join(m for ms in exc.message_dict.values() for m in ms)}
            ) from None
        values["publisher"] = created
    changed = [
        attr
        for attr, value in values.items()
        if getattr(article, Article._meta.get_field(attr).attname)
        != (value.pk if isinstance(value, Publisher) else value)
    ]
    edit = ArticleEdit(article=article, changed=changed, new_publisher=created)
    if not changed:
        return edit
    for attr in changed:
        setattr(article, attr, values[attr])
    if "publisher" in changed:
        article.publisher_evidence = (
            publisher_evidence
            if publisher_evidence is not None
            else _lead_evidence(article.publisher, by=by, reason=reason)
        )
    if "origin" in changed:
        article.origin_evidence = (
            origin_evidence
            if origin_evidence is not None
            else _lead_evidence(article.origin, by=by, reason=reason)
        )
    record_change(article, by=by, reason=reason)
    article.save()
    registry = PublisherRegistry.load()
    if source := [f for f in ARTICLE_SOURCE_FIELDS if f in changed]:
        what = " and ".join("URL" if f == "url" else f for f in source)
        _rejudge(
            edit,
            article.pk,
            by=by,
            reason=f"article #{article.pk} {what} changed",
            registry=registry,
        )
    if article.cluster_origin_id is not None and {"origin", "published_at"} & set(changed):
        others = recheck_cluster(article.pk)
        edit.cluster_changed = [pk for pk, what in others.items() if what == "origin"]
        for other, what in others.items():
            reason = f"article #{other} {what} changed"
            _rejudge(edit, other, by=by, reason=reason, registry=registry)
    return edit


def _rejudge(edit: ArticleEdit, article_id: int, **kwargs) -> None:
    result = corroborations_rejudge(article_id=article_id, **kwargs)
    edit.judged += result.judged
    edit.rejudged += result.changed
    edit.unsupported += [pk for pk in result.unsupported if pk not in edit.unsupported]


@transaction.atomic
def article_revert(*, history_id: int, by: User | None, reason: str = "") -> ArticleEdit:
    """Undo one recorded change of an article's metadata, through `article_update`.

    Only the metadata fields it changed go back (with the evidence they had then), and
    evidence is judged again as for any edit; refused if a later change touched one of the
    same fields, or the change was a cluster's bookkeeping rather than metadata.
    """
    record = Article.history.filter(history_id=history_id).first()
    if record is None:
        raise RevertRefused(f"No recorded article change #{history_id}.")
    if record.history_type != "~":
        raise RevertRefused(
            "Articles are created by imports; a revert cannot create or delete one."
        )
    live = Article.objects.select_for_update().without_bodies().filter(pk=record.id).first()
    if live is None:
        raise RevertRefused("The article this change was made to no longer exists.")
    previous, changed = revert_plan(ARTICLE, record, live, only=ARTICLE_METADATA_FIELDS)
    values: dict[str, Any] = {}
    for f in changed:
        value = getattr(previous, f.attname)
        if f.is_relation and value is not None:
            value = Publisher.objects.filter(pk=value).first()
            if value is None:
                raise RevertRefused(f"Cannot restore it: its earlier {f.name} no longer exists.")
        values[_FORM_NAME[f.name]] = value
    why = f"Reverted change #{history_id}" + (f": {reason.strip()}" if reason.strip() else "")
    return article_update(
        article=live,
        by=by,
        reason=why,
        publisher_evidence=previous.publisher_evidence if "publisher" in values else None,
        origin_evidence=previous.origin_evidence if "origin" in values else None,
        **values,
    )
