"""The export record, defined once: every field with its Python and SQL renderings.

`RECORD` is the table of the record's fields, in CSV column order; `docs/export-schema.json`
describes the result (version `SCHEMA_VERSION`) and is generated from it too (`record_schema`,
written by `manage.py export_schema`). Each field says where its value comes from
(a model path such as "article__publisher__name", read through `getattr` on the Python path
and as a column on the SQL path) and its `Kind`, which renders the value four ways (the
record's value from the model's (Python), the same in SQL, its JSON text in SQL, and its
CSV cell in Python and in SQL) and gives its JSON Schema type; the model field the path
reads adds whether it can be null, its choices and its help text. `records` (the ORM path)
and `postgres` (the SQL path) are both generated from this table, and `formats` writes the
CSV columns it names: adding a field is one row here, then `manage.py export_schema`.

Two kinds of record: **full** (every field) and **plain** (fields not marked `full`).

Computed values are rules (`claims.exports.expressions`) evaluated in Python and compiled
to SQL from the same definition: the ratings' consensus and agreement, the evidence count a
spreadsheet shows, and the one-line summaries of evidence, ratings and notes in CSV cells.

Also here, used by every CSV the workbench writes: `neutralise` (a cell a spreadsheet would
run as a formula gets a leading `'`), and its SQL twin generated from the same prefixes; and
`canonical_json`, the record's text in JSON Lines and in the content hash.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from claims.choices import CREDIBILITY_LABELS, NOT_RATED_LABEL, STATUS_LABELS
from claims.exports.expressions import (
    Coalesce,
    Const,
    Expr,
    Greatest,
    Match,
    Present,
    Ref,
    Sum,
    both,
    differ,
    eq,
    first_of,
    ge,
    gt,
    join_present,
    lit,
    one_of,
    sql_constant,
    text,
    when,
)
from claims.models import (
    Claim,
    ClaimKind,
    Confidence,
    Corroboration,
    Independence,
    Note,
    Rating,
    Stance,
)
from families.inheritance import VERDICT_STATUSES

SCHEMA_VERSION = "2.2"
DETAILS = ("full", "plain")


# --- Spreadsheet safety ----------------------------------------------------------------------

# Leading characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(value: object) -> object:
    """Make a cell safe for spreadsheets: text starting like a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralised_sql(expr: str) -> str:
    """`neutralise` of a SQL text expression (the same FORMULA_PREFIXES).

    ascii() is the first character's code point (0 for ''): no substring is built.
    """
    codes = ", ".join(str(ord(prefix)) for prefix in FORMULA_PREFIXES)
    return f"(CASE WHEN ascii({expr}) IN ({codes}) THEN '''' || {expr} ELSE {expr} END)"


# --- Canonical JSON --------------------------------------------------------------------------

# One encoder for every record: json.dumps() with options builds a new one per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(record: object) -> str:
    """The record as canonical JSON: sorted keys, no spaces, UTF-8 characters kept."""
    return _CANONICAL.encode(record)


# --- Renderings in SQL -----------------------------------------------------------------------


def json_sql(value: object) -> str:
    """A SQL literal of the canonical JSON of a Python value."""
    return lit(canonical_json(value))


def _csv_cell(value: object) -> str:
    """The CSV text Python writes for one cell (neutralised) of a row of several."""
    if value == "" or value is None:
        return ""  # alone on a row, csv.writer would write `""`
    buffer = io.StringIO()
    csv.writer(buffer).writerow([neutralise(value)])
    return buffer.getvalue().removesuffix("\r\n")


def csv_sql(*values: object) -> str:
    """A SQL literal of the CSV cells Python writes for values (neutralised, quoted) in a row."""
    return lit(",".join(_csv_cell(value) for value in values))


def json_text_sql(expr: str) -> str:
    """JSON of a text expression (null stays null): PostgreSQL escapes strings as json.dumps."""
    return f"COALESCE(to_json({expr})::text, 'null')"


def iso_datetime_sql(expr: str) -> str:
    """A timestamptz as Python's `datetime.isoformat()` in UTC (microseconds only if any)."""
    return (
        f"to_char(({expr}) AT TIME ZONE 'UTC', CASE WHEN to_char({expr}, 'US') = '000000'"
        """ THEN 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'"""
        """ ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"' END)"""
    )


def iso_date_sql(expr: str) -> str:
    """A date as Python's `date.isoformat()`."""
    return f"to_char({expr}, 'YYYY-MM-DD')"


def csv_cell_sql(expr: str, *, test: str | None = None) -> str:
    """A text cell as Python's csv module writes it (excel dialect, QUOTE_MINIMAL).

    `test` is the text whose characters decide the quoting (default: `expr` itself);
    four strpos() scans cost half a regular expression match.
    """
    test = test or expr
    special = " OR ".join(
        f"strpos({test}, {char}) > 0" for char in ("'\"'", "','", "chr(13)", "chr(10)")
    )
    return (
        f"(CASE WHEN {special} THEN '\"' || replace({expr}, '\"', '\"\"') || '\"' ELSE {expr} END)"
    )


def csv_text_sql(expr: str) -> str:
    """A neutralised, quoted text cell; null becomes the empty cell.

    The leading `'` neutralising a formula never calls for quotes: the raw text decides.
    """
    value = f"COALESCE({expr}, '')"
    return csv_cell_sql(neutralised_sql(value), test=value)


def choice_sql(expr: str, values: Mapping, default: str, render: Callable[[object], str]) -> str:
    """CASE mapping each known value of `expr` to a constant (`render(label)`), else `default`.

    Constants are cheaper than converting the value per row."""
    whens = " ".join(
        f"WHEN {sql_constant(value if isinstance(value, str) else int(value))} THEN {render(label)}"
        for value, label in values.items()
    )
    return f"(CASE {expr} {whens} ELSE {default} END)"


# --- Kinds: how a value is rendered -----------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """How a field's value is rendered, from the model's value (Python) or column (SQL).

    `python`: the record's value; `sql`: the same in SQL; `json_sql`: its JSON text in SQL;
    `csv`: the record's value as a CSV cell (neutralised by the writer); `csv_sql`: the
    finished cell in SQL (neutralised, quoted). `json_schema`: the JSON Schema of the value
    when it is not null; `null`: when the value is null — never (""), when the model's value
    is None ("none"), or when it is empty or None ("empty"); the model field says whether it
    can be (`record_schema`).
    """

    name: str
    python: Callable[[object], object]
    sql: Callable[[str], str]
    json_sql: Callable[[str], str]
    csv: Callable[[object], object]
    csv_sql: Callable[[str], str]
    json_schema: Mapping[str, object]
    null: str = ""


def _same(value):
    return value


def _blank_if_none(value):
    return "" if value is None else value


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


INT = Kind(
    "int",
    python=_same,
    sql=_same,
    json_sql=lambda e: f"{e}::text",
    csv=_same,
    csv_sql=lambda e: f"{e}::text",
    json_schema={"type": "integer"},
)
OPTIONAL_INT = Kind(
    "int or null",
    python=_same,
    sql=_same,
    json_sql=lambda e: f"COALESCE(({e})::text, 'null')",
    csv=_blank_if_none,
    csv_sql=lambda e: f"COALESCE(({e})::text, '')",
    json_schema={"type": "integer"},
    null="none",
)
BOOL = Kind(
    "boolean",
    python=_same,
    sql=_same,
    json_sql=lambda e: f"CASE WHEN {e} THEN 'true' ELSE 'false' END",
    csv=_same,
    csv_sql=lambda e: f"CASE WHEN {e} THEN 'True' ELSE 'False' END",
    json_schema={"type": "boolean"},
)
TEXT = Kind(
    "text",
    python=_same,
    sql=_same,
    json_sql=lambda e: f"to_json({e})::text",
    csv=_same,
    csv_sql=csv_text_sql,
    json_schema={"type": "string"},
)
NULLABLE_TEXT = Kind(
    "text or null",
    python=_same,
    sql=_same,
    json_sql=json_text_sql,
    csv=_blank_if_none,
    csv_sql=csv_text_sql,
    json_schema={"type": "string"},
    null="none",
)
# Empty text is exported as null.
OPTIONAL_TEXT = Kind(
    "text, null when empty",
    python=lambda v: v or None,
    sql=lambda e: f"NULLIF({e}, '')",
    json_sql=lambda e: json_text_sql(f"NULLIF({e}, '')"),
    csv=lambda v: v or "",
    csv_sql=csv_text_sql,
    json_schema={"type": "string"},
    null="empty",
)
# ISO dates never start like a formula nor need quoting: no neutralising in SQL.
DATETIME = Kind(
    "date-time",
    python=_iso,
    sql=iso_datetime_sql,
    json_sql=lambda e: f"""COALESCE('"' || {iso_datetime_sql(e)} || '"', 'null')""",
    csv=lambda v: v or "",
    csv_sql=lambda e: f"COALESCE({iso_datetime_sql(e)}, '')",
    json_schema={"type": "string", "format": "date-time"},
    null="none",
)
DATE = Kind(
    "date",
    python=_iso,
    sql=iso_date_sql,
    json_sql=lambda e: f"""COALESCE('"' || {iso_date_sql(e)} || '"', 'null')""",
    csv=lambda v: v or "",
    csv_sql=lambda e: f"COALESCE({iso_date_sql(e)}, '')",
    json_schema={"type": "string", "format": "date"},
    null="none",
)


def labelled(name: str, labels: Mapping, *, default: str | None = None) -> Kind:
    """A value shown by its label (`default`, or the value itself when None, if unknown).

    In SQL each known value maps to its rendered label, a constant; the labels (and the
    default) are the values the schema allows."""

    def python(value):
        return labels.get(value, value if default is None else default)

    return Kind(
        name,
        python=python,
        sql=lambda e: choice_sql(e, labels, e if default is None else lit(default), lit),
        json_sql=lambda e: choice_sql(
            e, labels, json_text_sql(e) if default is None else json_sql(default), json_sql
        ),
        csv=_blank_if_none,
        csv_sql=lambda e: choice_sql(
            e, labels, csv_text_sql(e) if default is None else csv_sql(default), csv_sql
        ),
        json_schema={
            "enum": list(dict.fromkeys([*labels.values(), *([] if default is None else [default])]))
        },
    )


CLAIM_KIND = labelled("claim kind", {v: v for v in ClaimKind.values})
STATUS = labelled("status", {v: v for v in STATUS_LABELS})
STATUS_LABEL = labelled("status label", STATUS_LABELS)
# A claim nobody rated has no credibility: its label says so.
CREDIBILITY_LABEL = labelled("credibility label", CREDIBILITY_LABELS, default=NOT_RATED_LABEL)


# --- Fields ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One member of a record.

    `path` is the model path of its value (Python: attributes; SQL: a column through the
    path's joins); `csv` names its CSV column ("" for none); `full` keeps it out of plain
    records; `doc` describes it in the JSON Schema (default: the help text of the model
    field the path starts with).
    """

    name: str
    kind: Kind
    path: str = ""
    csv: str = ""
    full: bool = False
    doc: str = ""


@dataclass(frozen=True)
class Constant:
    """The same value in every record (`DETAIL`: the record's detail)."""

    name: str
    value: object
    csv: str = ""
    full: bool = False
    doc: str = ""


DETAIL = object()


@dataclass(frozen=True)
class Object:
    """A nested object: the related row at `path` (the article), or, without a path, values
    found by the export (the neighbouring sentences)."""

    name: str
    fields: tuple[Field, ...]
    path: str = ""
    full: bool = False
    doc: str = ""


@dataclass(frozen=True)
class Count:
    """A CSV column: how many items (with `where`, how many of them hold it)."""

    csv: str
    where: Expr | None = None


@dataclass(frozen=True)
class Lines:
    """A CSV column: each item's `line`, one line per item."""

    csv: str
    line: Expr


@dataclass(frozen=True)
class Items:
    """The rows of `model` attached to a claim (its `claim` foreign key), each a record of
    `fields`, ordered by the paths of `order` (text by code point, empty first)."""

    model: type
    fields: tuple[Field, ...]
    order: tuple[str, ...]


@dataclass(frozen=True)
class List:
    """The items as a list of records; their CSV columns summarise them."""

    name: str
    items: Items
    columns: tuple[Count | Lines, ...] = ()
    full: bool = False
    optional: bool = False  # left out when the export leaves it out (notes)
    doc: str = ""


@dataclass(frozen=True)
class Summary:
    """An object summarising the items: `counts` (name: Count) are counted over them, and
    `fields` are rules over the counts (a `List` field lists the items)."""

    name: str
    items: Items
    counts: Mapping[str, Count]
    fields: tuple[Field | Object | List, ...]
    full: bool = False
    doc: str = ""


@dataclass(frozen=True)
class Computed:
    """A summary's value: `rule` over the summary's counts, rendered by a kind that keeps
    the value as it is (INT, BOOL, NULLABLE_TEXT: the rule computes the record's value)."""

    name: str
    kind: Kind
    rule: Expr
    csv: str = ""
    doc: str = ""


@dataclass(frozen=True)
class Changes:
    """The number of recorded changes of the claim and what is attached to it: the rows of
    the historical tables of `tables` ((model, its column holding the claim id))."""

    name: str
    tables: tuple[tuple[type, str], ...]
    csv: str = ""
    full: bool = False
    doc: str = ""


@dataclass(frozen=True)
class Family:
    """The claim's family of copies (families.models); null when the claim is in none.

    `fields` are rules (`Computed`, or objects of them) over what the family's export facts
    read of the claim's membership (`families.querysets.EXPORT_FACTS`: family, size,
    representative and its status) and the claim's own fields named in `claim_paths`."""

    name: str
    fields: tuple[Computed | Object, ...]
    full: bool = False
    doc: str = ""
    claim_paths: tuple[str, ...] = ("id", "status")


# --- The record ------------------------------------------------------------------------------

ARTICLE = Object(
    "article",
    path="article",
    fields=(
        Field("id", INT, "id"),
        Field("title", TEXT, "title", csv="article_title"),
        Field("publisher", NULLABLE_TEXT, "publisher__name", csv="publisher"),
        Field("publisher_id", OPTIONAL_INT, "publisher_id", full=True),
        Field("published", DATETIME, "published_at", csv="article_published"),
        Field("url", OPTIONAL_TEXT, "url", csv="article_url"),
    ),
)

# The sentences before and after: the neighbouring claims, page chrome and retired ones skipped.
CONTEXT = Object(
    "context",
    full=True,
    doc="The neighbouring claims (sentences) of the same article, page chrome skipped.",
    fields=(
        Field("before", NULLABLE_TEXT, csv="sentence_before"),
        Field("after", NULLABLE_TEXT, csv="sentence_after"),
    ),
)

CORROBORATIONS = Items(
    Corroboration,
    order=("created_at", "id"),
    fields=(
        Field("id", INT, "id"),
        Field("url", OPTIONAL_TEXT, "url"),
        Field("outlet", OPTIONAL_TEXT, "outlet"),
        Field(
            "publisher",
            NULLABLE_TEXT,
            "publisher__name",
            doc="The registered publisher the evidence comes from.",
        ),
        Field("published_on", DATE, "published_on"),
        Field("excerpt", TEXT, "excerpt"),
        Field("stance", TEXT, "stance"),
        Field("evidence_claim_id", OPTIONAL_INT, "evidence_claim_id"),
        Field("independence", TEXT, "independence"),
        Field("independence_reason", TEXT, "independence_reason"),
        Field("independence_overridden", BOOL, "independence_overridden"),
        # The archived copy of the evidence's URL (evidence.Archive); null without one.
        Field(
            "captured_at",
            DATETIME,
            "archive__capture__retrieved_at",
            doc="When the archived copy of the evidence's URL was captured (null: none yet).",
        ),
        Field(
            "capture_sha256",
            OPTIONAL_TEXT,
            "archive__capture__sha256",
            doc="SHA-256 of the archived copy's bytes as served (null: no archived copy).",
        ),
        Field(
            "excerpt_status",
            OPTIONAL_TEXT,
            "archive__excerpt_status",
            doc="The excerpt looked up in the archived copy: found, different (found with "
            "differences), not_found, no_text (nothing to look in); null: not checked.",
        ),
        Field(
            "link_state",
            NULLABLE_TEXT,
            "archive__link_state",
            doc="What became of the URL since it was archived (null: not archived).",
        ),
    ),
)
# "supports | independent (different owner) | Xinhua | https://… | 2026-01-03 | “excerpt”"
CORROBORATION_LINE = join_present(
    " | ",
    Ref("stance"),
    text(
        Ref("independence"),
        when(Present(Ref("independence_reason")), text(" (", Ref("independence_reason"), ")"), ""),
    ),
    first_of(Ref("publisher"), Ref("outlet")),
    Ref("url"),
    Ref("published_on"),
    when(Present(Ref("excerpt")), text("“", Ref("excerpt"), "”")),
)
INDEPENDENT_SUPPORT = both(
    eq(Ref("stance"), Stance.SUPPORTS.value),
    eq(Ref("independence"), Independence.INDEPENDENT.value),
)

RATINGS = Items(
    Rating,
    # Reviewers by name (code points), then the order they rated in.
    order=("reviewer__username", "id"),
    fields=(
        Field("reviewer", NULLABLE_TEXT, "reviewer__username"),
        Field("confidence", TEXT, "confidence"),
        Field("rationale", TEXT, "rationale"),
        Field("rated_at", DATETIME, "updated_at"),
    ),
)

# The ratings rule: how far the reviewers agree. Agreement needs at least two ratings; the
# consensus is the confidence most reviewers gave, when exactly one level leads.
MIN_RATINGS_TO_AGREE = 2
RATING_COUNTS: dict[str, Count] = {
    "count": Count(""),
    **{f"n_{level}": Count("", where=eq(Ref("confidence"), level)) for level in Confidence.values},
}
_TOTAL = Ref("count")
_LEVELS = {level: Ref(f"n_{level}") for level in Confidence.values}
_TOP = Greatest(tuple(_LEVELS.values()))
_LEADERS = Sum(tuple(when(eq(n, _TOP), 1, 0) for n in _LEVELS.values()))
_AGREED = ge(_TOTAL, MIN_RATINGS_TO_AGREE)

RATING_SUMMARY = Summary(
    "ratings",
    full=True,
    items=RATINGS,
    counts=RATING_COUNTS,
    fields=(
        List(
            "reviewers",
            RATINGS,
            # "alice: high", one reviewer a line
            columns=(
                Lines(
                    "ratings",
                    text(Coalesce(Ref("reviewer"), Const("None")), ": ", Ref("confidence")),
                ),
            ),
        ),
        Computed(
            "agreement",
            NULLABLE_TEXT,
            when(_AGREED, text(_TOP, " of ", _TOTAL, " agree")),
            csv="rating_agreement",
            doc='e.g. "2 of 3 agree" (null with fewer than two ratings).',
        ),
        Computed(
            "consensus",
            NULLABLE_TEXT,
            when(
                both(gt(_TOP, 0), eq(_LEADERS, 1)),
                Match(_TOP, tuple((n, Const(level)) for level, n in _LEVELS.items())),
            ),
            csv="rating_consensus",
            doc="The confidence most reviewers gave, when one level leads.",
        ),
        Computed("count", INT, _TOTAL),
        Object("counts", tuple(Computed(level, INT, n) for level, n in _LEVELS.items())),
        Computed("unanimous", BOOL, both(_AGREED, eq(_TOP, _TOTAL))),
    ),
)

CORROBORATION_LIST = List(
    "corroborations",
    CORROBORATIONS,
    full=True,
    columns=(
        Count("corroboration_count"),
        Count("independent_supporting", where=INDEPENDENT_SUPPORT),
        Lines("corroborations", CORROBORATION_LINE),
    ),
)

NOTES = Items(
    Note,
    order=("id",),
    fields=(
        Field("id", INT, "id"),
        Field("author", NULLABLE_TEXT, "author__username"),
        Field("text", TEXT, "text"),
        Field("created_at", DATETIME, "created_at"),
        Field("updated_at", DATETIME, "updated_at"),
    ),
)
NOTE_LIST = List(
    "notes",
    NOTES,
    full=True,
    optional=True,
    doc="Absent when the export leaves notes out.",
    # "alice: Checked against the filing.", one note a line
    columns=(Lines("notes", text(first_of(Ref("author"), "—"), ": ", Ref("text"))),),
)

HISTORY_CHANGES = Changes(
    "history_changes",
    # The same records the claim page's history shows.
    tables=((Claim, "id"), (Corroboration, "claim_id"), (Rating, "claim_id"), (Note, "claim_id")),
    csv="history_changes",
    full=True,
    doc="Recorded changes of the claim and its corroborations, ratings and notes.",
)

# A verdict follows copies (families/inheritance.py): the claim's own verdict wins; else the
# representative's, when the representative is another claim and has one.
VERDICTS = tuple(sorted(VERDICT_STATUSES))
VERDICT_SOURCES = ("own", "inherited")
_OWN = one_of(Ref("status"), VERDICTS)
_INHERITED = both(
    one_of(Ref("representative_status"), VERDICTS), differ(Ref("representative_id"), Ref("id"))
)
_SOURCE = when(_OWN, "own", when(_INHERITED, "inherited"))
_VERDICT = Match(
    _SOURCE, ((Const("own"), Ref("status")), (Const("inherited"), Ref("representative_status")))
)

FAMILY = Family(
    "family",
    full=True,
    doc="The claim's family: the claims of any article that make the same statement"
    " (null: in none).",
    fields=(
        Computed("id", INT, Ref("family_id"), csv="family_id", doc="Family id."),
        Computed(
            "size", INT, Ref("size"), csv="family_size", doc="Its current claims, this one too."
        ),
        Computed(
            "representative_id",
            OPTIONAL_INT,
            Ref("representative_id"),
            csv="family_representative",
            doc="The claim a family's verdict is set on (null: none left).",
        ),
        Object(
            "verdict",
            doc="The verdict that applies to this claim: its own, or else the representative's"
            " (inherited); nulls when neither has one.",
            fields=(
                Computed(
                    "status",
                    replace(NULLABLE_TEXT, name="verdict", json_schema={"enum": list(VERDICTS)}),
                    _VERDICT,
                    csv="family_verdict",
                ),
                Computed(
                    "source",
                    replace(
                        NULLABLE_TEXT,
                        name="verdict source",
                        json_schema={"enum": list(VERDICT_SOURCES)},
                    ),
                    _SOURCE,
                    csv="verdict_source",
                ),
                Computed(
                    "inherited_from",
                    OPTIONAL_INT,
                    when(eq(_SOURCE, "inherited"), Ref("representative_id")),
                    csv="verdict_inherited_from",
                    doc="The representative's id when the verdict is inherited.",
                ),
            ),
        ),
    ),
)

# In CSV column order.
RECORD = (
    Constant("schema_version", SCHEMA_VERSION, csv="schema_version"),
    Constant("detail", DETAIL),
    Field("id", INT, "id", csv="id", doc="Claim id."),
    Field("article_id", INT, "article_id", csv="article_id"),
    Field("start", INT, "start", csv="start", doc="First character of the span."),
    Field("end", INT, "end", csv="end", doc="One past the last character."),
    Field("text", TEXT, "text", csv="text", doc="The claim: the article's text from start to end."),
    Field(
        "kind",
        CLAIM_KIND,
        "kind",
        csv="kind",
        doc="Page chrome is never exported from the queue or the command.",
    ),
    Field("status", STATUS, "status", csv="status"),
    Field(
        "credibility",
        OPTIONAL_INT,
        "credibility",
        csv="credibility",
        doc="Admiralty information credibility: 1 confirmed … 5 improbable, 6 cannot be judged;"
        " null (an empty cell) when nobody has rated the claim yet.",
    ),
    Field("score", INT, "score", csv="score"),
    Field("speaker", OPTIONAL_TEXT, "speaker", csv="speaker"),
    Field("status_label", STATUS_LABEL, "status", csv="status_label", full=True),
    Field(
        "credibility_label", CREDIBILITY_LABEL, "credibility", csv="credibility_label", full=True
    ),
    ARTICLE,
    Field(
        "reviewed_at",
        DATETIME,
        "reviewed_at",
        csv="reviewed_at",
        doc="When the current verdict was set.",
    ),
    Field(
        "verdict_reason",
        OPTIONAL_TEXT,
        "verdict_reason",
        csv="verdict_reason",
        doc="Why the reviewer set the current verdict; null without a verdict or a reason.",
    ),
    CONTEXT,
    RATING_SUMMARY,
    CORROBORATION_LIST,
    NOTE_LIST,
    Field("reviewed_by", NULLABLE_TEXT, "reviewed_by__username", csv="reviewed_by", full=True),
    HISTORY_CHANGES,
    FAMILY,
)


def record_fields(detail: str, members: tuple | None = None) -> tuple:
    """The members of a `detail` record (of `RECORD`, or of an object's `members`), nested
    objects narrowed alike. Read from `RECORD` on every call: nothing is cached."""
    if detail not in DETAILS:
        raise ValueError(f"unknown record detail {detail!r}")
    kept = []
    for member in RECORD if members is None else members:
        if getattr(member, "full", False) and detail != "full":
            continue
        if isinstance(member, Object):
            member = replace(member, fields=record_fields(detail, member.fields))
        kept.append(member)
    return tuple(kept)


def csv_columns(detail: str) -> list[str]:
    """The CSV header of a `detail` export: every column its fields name, in order."""
    return [name for member in record_fields(detail) for name in member_columns(member)]


def member_columns(member) -> list[str]:
    """The CSV columns of one member of the record."""
    if isinstance(member, Object | Summary | Family):
        return [name for sub in member.fields for name in member_columns(sub)]
    if isinstance(member, List):
        return [column.csv for column in member.columns]
    return [member.csv] if member.csv else []


def plain_paths() -> tuple[str, ...]:
    """The model paths a plain record reads, claim first (the plain path's one query)."""
    paths = []
    for member in record_fields("plain"):
        if isinstance(member, Field):
            paths.append(member.path)
        elif isinstance(member, Object):
            paths += [f"{member.path}__{sub.path}" for sub in member.fields]
    return tuple(dict.fromkeys(paths))


# --- The record's JSON Schema (docs/export-schema.json) ---------------------------------------

SCHEMA_ID = f"urn:claim-workbench:export-schema:{SCHEMA_VERSION}"
SCHEMA_TITLE = "Claim workbench export record"
SCHEMA_DESCRIPTION = (
    "One claim as exported by the claim workbench (`export_claims`, /claims/export/)."
    " JSON Lines: one record per line; JSON: an array of records."
    f' Version {SCHEMA_VERSION}: every record carries "schema_version": "{SCHEMA_VERSION}";'
    " a change that removes or retypes a field bumps the major version, an added optional"
    ' field the minor. "detail" says which kind of record it is: "full" (everything below) or'
    ' "plain" (the per-claim columns only: the fast path for very large exports).'
    " Offsets are Unicode code points into the article's canonical text:"
    " article.text[start:end] == text. Dates are ISO 8601."
    " Changes: 2.0 made credibility null for a claim not rated yet and added verdict_reason;"
    " 2.1 added each corroboration's archived copy (captured_at, capture_sha256,"
    " excerpt_status, link_state); 2.2 added family (full records)."
    " Generated from claims/exports/schema.py by `manage.py export_schema`."
)
_FIRST_ID = ("AutoField", "BigAutoField", "SmallAutoField")


def record_schema() -> dict:
    """The JSON Schema (2020-12) of an export record, generated from `RECORD`.

    Every member is described by its kind (type, format, the labels a labelled value takes)
    and by the model field its path reads: whether it can be null, its choices, whether it
    is an id or a positive number, its help text unless the member has a `doc`. Plain
    members are required in every record; full ones in full records (notes unless left
    out), and never in plain ones.
    """
    full = [m for m in record_fields("full") if getattr(m, "full", False)]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": SCHEMA_TITLE,
        "description": SCHEMA_DESCRIPTION,
        "type": "object",
        "required": [m.name for m in record_fields("plain")],
        "properties": {m.name: _member_schema(m, Claim) for m in RECORD},
        "additionalProperties": False,
        "allOf": [
            {
                "if": {"properties": {"detail": {"const": "full"}}},
                "then": {"required": [m.name for m in full if not getattr(m, "optional", False)]},
                "else": {"not": {"anyOf": [{"required": [m.name]} for m in full]}},
            }
        ],
        "$defs": {
            "export": {
                "description": "The JSON format: one array of records.",
                "type": "array",
                "items": {"$ref": "#"},
            }
        },
    }


def record_schema_text() -> str:
    """`record_schema()` as the text of docs/export-schema.json (members in record order)."""
    return json.dumps(record_schema(), indent=2, ensure_ascii=False) + "\n"


def _described(schema: dict, doc: str) -> dict:
    return {**schema, "description": doc} if doc else schema


def _object_schema(properties: dict[str, dict], doc: str = "", optional=frozenset()) -> dict:
    """An object holding exactly `properties`, every one of them but the `optional` ones."""
    schema = {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "properties": properties,
        "additionalProperties": False,
    }
    return _described(schema, doc)


def _member_schema(member, model) -> dict:
    """The JSON Schema of one member of a record of `model` (None: no model behind it)."""
    if isinstance(member, Constant):
        if member.value is DETAIL:
            return _described({"enum": list(DETAILS)}, member.doc)
        return _described({"const": member.value}, member.doc)
    if isinstance(member, Field):
        return _field_schema(member, model)
    if isinstance(member, Computed):
        kind = member.kind
        return _described(_value_schema(kind.json_schema, nullable=bool(kind.null)), member.doc)
    if isinstance(member, Object):
        # Without a path: values the export finds itself (the neighbouring sentences).
        model = model._meta.get_field(member.path).related_model if member.path else None
        properties = {f.name: _member_schema(f, model) for f in member.fields}
        optional = {f.name for f in member.fields if getattr(f, "full", False)}  # not in plain
        return _object_schema(properties, member.doc, optional=optional)
    if isinstance(member, Summary):
        fields = {f.name: _member_schema(f, member.items.model) for f in member.fields}
        return _object_schema(fields, member.doc)
    if isinstance(member, List):
        items = member.items
        records = {f.name: _field_schema(f, items.model) for f in items.fields}
        return _described({"type": "array", "items": _object_schema(records)}, member.doc)
    if isinstance(member, Changes):
        return _described({"type": "integer", "minimum": 0}, member.doc)
    if isinstance(member, Family):
        fields = {f.name: _member_schema(f, None) for f in member.fields}
        schema = _object_schema(fields, member.doc)
        return {**schema, "type": ["object", "null"]}
    raise TypeError(f"no JSON Schema for {member!r}")


def _field_schema(field: Field, model) -> dict:
    """A field's schema: its kind's, narrowed by the model field its path reads."""
    kind = field.kind
    if model is None or not field.path:
        return _described(_value_schema(kind.json_schema, nullable=bool(kind.null)), field.doc)
    first, *rest = field.path.split("__")
    start = model._meta.get_field(first)
    target, on_the_way = start, False
    for name in rest:
        on_the_way |= target.null  # a null relation on the way leaves nothing to read
        target = target.related_model._meta.get_field(name)
    none = on_the_way or target.null
    nullable = {"": False, "none": none, "empty": none or target.blank}[kind.null]
    if target.is_relation:
        target = target.target_field  # a foreign key holds the related row's id
    schema = dict(kind.json_schema)
    if target.choices and "enum" not in schema:
        schema["enum"] = [value for value, _ in target.flatchoices]
    if schema.get("type") == "integer" and "enum" not in schema:
        if target.get_internal_type() in _FIRST_ID:
            schema["minimum"] = 1
        elif target.get_internal_type().startswith("Positive"):
            schema["minimum"] = 0
    return _described(_value_schema(schema, nullable=nullable), field.doc or start.help_text)


def _value_schema(value: Mapping, *, nullable: bool) -> dict:
    """The schema of a value (`value` when not null), null allowed when `nullable`."""
    schema = dict(value)
    if nullable:
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
        if "type" in schema:
            schema["type"] = [schema["type"], "null"]
    return schema
