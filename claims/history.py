"""Read the recorded history of a claim and what is attached to it, as field-level diffs."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone

from claims.choices import NOT_RATED_LABEL
from claims.models import BoundaryAction, BoundaryChange, Claim, Corroboration, Note, Rating
from sources.models import ARTICLE_METADATA_FIELDS, Article, Publisher, article_body_fields

# Fields that change on every save and say nothing a reader needs.
NOISE_FIELDS = frozenset({"id", "created_at", "updated_at", "version"})
# Fields shown in neither creations nor diffs of attached objects (the claim is the page).
HIDDEN_FIELDS = {
    "claim": frozenset(),
    "corroboration": frozenset({"claim", "created_by"}),
    "rating": frozenset({"claim"}),
    "note": frozenset({"claim"}),
    # The article page shows its metadata; how it was read (evidence, file) is shown beside it.
    "article": frozenset(
        {
            "sha256",
            "encoding",
            "source_name",
            "import_batch",
            "publisher_evidence",
            "origin_evidence",
        }
    ),
    # Which fields registry loads may not overwrite: bookkeeping of the lead's changes.
    "publisher": frozenset({"locked_fields"}),
}
MODELS: dict[str, type[models.Model]] = {
    "claim": Claim,
    "corroboration": Corroboration,
    "rating": Rating,
    "note": Note,
}
# Foreign keys joined in the one query per historical table, so labels need no queries.
# A claim record's boundary fix (claims/boundaries.py) is joined too: it makes a record revertible.
RELATED = {
    "claim": [
        "history_user",
        "assignee",
        "reviewed_by",
        "boundary_change__other_record",
        "boundary_change_other__record",
    ],
    "corroboration": ["history_user", "publisher", "evidence_claim"],
    "rating": ["history_user", "reviewer"],
    "note": ["history_user", "author"],
    "article": ["history_user", "publisher", "origin", "cluster_origin"],
    "publisher": ["history_user", "parent"],
}
# The article's own history is its page's timeline (`article_timeline`), not a claim's; its
# changes are reverted through sources.services.article_revert, which re-judges evidence.
ARTICLE = "article"
# A publisher's history is its registry page's timeline; sources.services.publisher_revert.
PUBLISHER = "publisher"
EMPTY = "—"
# Fields whose empty value has a name of its own: a credibility nobody set.
EMPTY_LABELS = {"credibility": NOT_RATED_LABEL.lower()}


@dataclass(frozen=True)
class FieldChange:
    field: str
    verbose_name: str
    old: str
    new: str


@dataclass
class TimelineEntry:
    history_id: int
    kind: str  # "claim", "corroboration", "rating" or "note"
    object_id: int
    object_label: str
    history_type: str  # "+" created, "~" changed, "-" deleted
    user: object | None
    date: datetime.datetime
    reason: str
    changes: list[FieldChange] = field(default_factory=list)
    boundary: BoundaryChange | None = None  # the boundary fix this claim record belongs to

    @property
    def action(self) -> str:
        return {"+": "created", "~": "changed", "-": "deleted"}[self.history_type]

    @property
    def revertible(self) -> bool:
        """What a lead may undo from a timeline.

        Imports create claims and nothing deletes one: a claim's creation only when a
        boundary fix made it (a claim split off or created from a selection is retired when
        its fix is reverted). Of an article, only a change to the metadata a lead corrects (a
        cluster's bookkeeping is recomputed, not reverted).
        """
        if self.kind == PUBLISHER:
            return self.history_type == "~" and bool(self.changes)
        if self.kind == ARTICLE:
            return self.history_type == "~" and any(
                c.field in ARTICLE_METADATA_FIELDS for c in self.changes
            )
        if self.kind == "claim" and self.history_type != "~":
            return self.boundary is not None
        return True

    @property
    def boundary_link(self) -> tuple[str, int] | None:
        """The other claim of a split or merge this record belongs to: (what it is, its id).

        A split-off part's creation names the claim it came from, the split claim its
        second part; a merge's kept claim the one merged into it, and the other the kept one.
        """
        change = self.boundary
        if change is None or change.other_record_id is None:
            return None
        mine = change.record_id == self.history_id
        other = (change.other_record if mine else change.record).id
        labels = {
            (BoundaryAction.SPLIT, True): "Second part:",
            (BoundaryAction.SPLIT, False): "Split off from",
            (BoundaryAction.MERGE, True): "Merged with",
            (BoundaryAction.MERGE, False): "Merged into",
        }
        return labels[(change.action, mine)], other


def boundary_change_of(record: models.Model) -> BoundaryChange | None:
    """The boundary fix a historical claim record belongs to, if any (joined: no query)."""
    for name in ("boundary_change", "boundary_change_other"):
        try:
            return getattr(record, name)
        except ObjectDoesNotExist:
            continue
    return None


@cache
def history_model(kind: str) -> type[models.Model]:
    """Return the historical model for a kind of object ("claim", "corroboration", …).

    Cached: django-simple-history's `Model.history` builds a new manager class on every
    access (`from_queryset`), a millisecond per timeline of four tables; the timelines read
    the historical models' own managers instead."""
    if kind == ARTICLE:
        return Article.history.model
    if kind == PUBLISHER:
        return Publisher.history.model
    try:
        return MODELS[kind].history.model
    except KeyError:
        raise ValueError(f"Unknown kind of history: {kind!r}") from None


def _records(kind: str) -> models.QuerySet:
    """The historical records of a kind with the relations its labels read, unordered
    (`entries_for` orders each object's records itself)."""
    return history_model(kind)._default_manager.select_related(*RELATED[kind]).order_by()


def tracked_fields(record: models.Model, kind: str) -> list[models.Field]:
    """The fields of a historical record worth comparing, in model order."""
    hidden = NOISE_FIELDS | HIDDEN_FIELDS[kind]
    return [f for f in type(record).tracked_fields if f.name not in hidden]


def changed_fields(new: models.Model, old: models.Model | None, kind: str) -> list[models.Field]:
    """Return the tracked fields whose values differ between two records of one object.

    simple-history's `diff_against` compares them; the fields come back in model order.
    Without an `old` record every non-empty field counts as changed (a creation).
    """
    fields = tracked_fields(new, kind)
    if old is None:
        return [f for f in fields if getattr(new, f.attname) not in (None, "", [], {})]
    delta = new.diff_against(old, excluded_fields=NOISE_FIELDS | HIDDEN_FIELDS[kind])
    changed = set(delta.changed_fields)
    return [f for f in fields if f.name in changed]


def display_value(record: models.Model, model_field: models.Field) -> str:
    """Show a recorded value as a reader knows it: choice labels, names, local times."""
    value = getattr(record, model_field.attname)
    if value is None or value == "":
        return EMPTY
    if model_field.is_relation:
        # Only use what the query joined: never a query per value.
        if model_field.is_cached(record):
            related = getattr(record, model_field.name)
            return str(related) if related is not None else f"deleted #{value}"
        return f"#{value}"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return format_date(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def format_date(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def field_changes(new: models.Model, old: models.Model | None, kind: str) -> list[FieldChange]:
    """Field-level diff of two consecutive records of one object, for display."""
    return [
        FieldChange(
            field=f.name,
            verbose_name=str(f.verbose_name),
            old=display_value(old, f) if old is not None else EMPTY,
            new=display_value(new, f),
        )
        for f in changed_fields(new, old, kind)
    ]


def object_label(kind: str, record: models.Model) -> str:
    """Name the object a record is about, from the record itself (it may be deleted)."""
    if kind == "claim":
        return f"Claim #{record.id}"
    if kind == ARTICLE:
        return f"Article #{record.id}"
    if kind == PUBLISHER:
        return record.name
    if kind == "corroboration":
        stance = display_value(record, type(record)._meta.get_field("stance"))
        where = record.outlet or record.url or "evidence"
        return f"Corroboration #{record.id}: {stance} ({where})"
    if kind == "rating":
        reviewer = display_value(record, type(record)._meta.get_field("reviewer"))
        return f"Rating by {reviewer}"
    author = display_value(record, type(record)._meta.get_field("author"))
    return f"Note by {author}"


def span_text_change(new: models.Model, old: models.Model | None, text: str) -> FieldChange | None:
    """The claim's text before and after a change of its span (history keeps offsets only)."""
    if old is not None and (old.start, old.end) == (new.start, new.end):
        return None
    return FieldChange(
        field="text",
        verbose_name="text",
        old=text[old.start : old.end] if old is not None else EMPTY,
        new=text[new.start : new.end],
    )


def entries_for(
    kind: str, records: Iterable[models.Model], *, text: str | None = None
) -> list[TimelineEntry]:
    """Turn the records of one historical table into entries, each diffed to its previous.

    The previous record is the one before it in `records` (what `prev_record` would fetch,
    without a query per record). With the article's `text`, a claim record that moved the
    span also shows the claim's text before and after.
    """
    by_object: dict[int, list[models.Model]] = defaultdict(list)
    for record in records:
        by_object[record.id].append(record)
    entries = []
    for object_records in by_object.values():
        object_records.sort(key=lambda r: r.history_id)
        previous = None
        for record in object_records:
            if record.history_type == "-":
                changes = []
            elif record.history_type == "+":
                changes = field_changes(record, None, kind)
            else:
                changes = field_changes(record, previous, kind)
            if kind == "claim" and text is not None and record.history_type != "-":
                before = previous if record.history_type == "~" else None
                if moved := span_text_change(record, before, text):
                    changes.append(moved)
            entries.append(
                TimelineEntry(
                    history_id=record.history_id,
                    kind=kind,
                    object_id=record.id,
                    object_label=object_label(kind, record),
                    history_type=record.history_type,
                    user=record.history_user,
                    date=record.history_date,
                    reason=record.history_change_reason or "",
                    changes=changes,
                    boundary=boundary_change_of(record) if kind == "claim" else None,
                )
            )
            previous = record
    return entries


def claim_timeline(
    claim: Claim, *, limit: int = 200, visible: Mapping[type, Q] | None = None
) -> list[TimelineEntry]:
    """Return the history of a claim and its corroborations, ratings and notes, newest first.

    One query per historical table, whatever the number of entries. Attached objects are
    found by `claim_id` in their historical tables, so deleted ones are included. All
    records of the claim are read (diffs need each record's predecessor); `limit` cuts the
    merged list. `visible` ({model: filter}, desk.blind.visibility_filters) leaves out the
    records of ratings and notes the reader may not see.
    """
    entries: list[TimelineEntry] = []
    for kind, model in MODELS.items():
        records = _records(kind)
        if kind == "claim":
            records = records.filter(id=claim.pk)
        else:
            records = records.filter(claim_id=claim.pk)
        if visible and model in visible:
            records = records.filter(visible[model])
        entries.extend(entries_for(kind, records, text=claim.article.text))
    entries.sort(key=lambda e: (e.date, e.history_id), reverse=True)
    return entries[:limit]


def article_timeline(article: Article, *, limit: int = 200) -> list[TimelineEntry]:
    """Return the recorded changes of an article's metadata, newest first (one query)."""
    records = _records(ARTICLE).filter(id=article.pk)
    records = records.defer(*article_body_fields("cluster_origin__"))  # a label is enough
    entries = entries_for(ARTICLE, records)
    entries.sort(key=lambda e: (e.date, e.history_id), reverse=True)
    return entries[:limit]


def publisher_timeline(publisher: Publisher, *, limit: int = 50) -> list[TimelineEntry]:
    """Return the recorded changes of a publisher's registry entry, newest first (one query)."""
    records = _records(PUBLISHER).filter(id=publisher.pk)
    entries = entries_for(PUBLISHER, records)
    entries.sort(key=lambda e: (e.date, e.history_id), reverse=True)
    return entries[:limit]


def label_display(record: models.Model, model_field: models.Field) -> str:
    """A recorded value as a short line shows it: a choice by its label ("In review", not
    "in_review"), else `display_value`."""
    if model_field.choices and not model_field.is_relation:
        value = getattr(record, model_field.attname)
        if value in (None, ""):
            return EMPTY_LABELS.get(model_field.name, EMPTY)
        return str(dict(model_field.flatchoices).get(value, value))
    return display_value(record, model_field)


def change_lines(records: Iterable[models.Model], kind: str, *, fields=None) -> list[str]:
    """Describe each record's change from the one before it, one line per field.

    Lines look like "status: Unreviewed → In review (bob, 2026-11-22 21:40)", each field
    named by its verbose name ("reviewed by", not "reviewed_by") and each choice by its label;
    the first record is the state the reader saw. `fields` (names) limits the lines to those
    fields.
    """
    lines: list[str] = []
    previous = None
    for record in records:
        if previous is not None:
            who = record.history_user if record.history_user is not None else "nobody"
            when = format_date(record.history_date)
            for f in changed_fields(record, previous, kind):
                if fields is None or f.name in fields:
                    old, new = label_display(previous, f), label_display(record, f)
                    lines.append(f"{f.verbose_name}: {old} → {new} ({who}, {when})")
        previous = record
    return lines
