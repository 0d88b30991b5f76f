"""Export records built in SQL and streamed with COPY: the PostgreSQL fast path.

Generated from `schema.RECORD`, as `records` is: each field's column is read along its
model path, rendered by its kind's SQL, and rules are compiled from the same definitions
the Python path evaluates. On PostgreSQL, CSV, JSON Lines and JSON, full or plain, take
this path: `COPY (SELECT …) TO STDOUT (FORMAT binary)` statements in which PostgreSQL
writes, per claim, either the record's canonical JSON (`schema.canonical_json`, byte for
byte: keys sorted, compact, UTF-8 kept, dates as Python's `isoformat()`), or the CSV line
`formats.csv_row` + `csv.writer` would write (neutralised cells, minimal quoting, `\\r\\n`).

One statement, one function per CTE: the selection (`c`), the neighbouring claims (`nb`, a
window over the articles' claims, chrome skipped), the articles (`arts`) and reviewers
(`usr`) rendered once each, per-claim aggregates of corroborations, ratings and notes
(`corr`, `rat`, `notes`) and the change counts (`hist`), each aggregated once and joined by
claim id. Rows are sorted on their pieces and only then concatenated. Each COPY row holds
one article's lines (`string_agg` over the sorted claims), so Python handles one message
per article: it hashes the bytes (the content hash is the file's SHA-256) and hands them on
undecoded. The binary COPY format carries each text column unescaped (a length and the
bytes).

Chunks: the selection is exported one range of article ids at a time (the leading sort
key, so the chunks come out in export order), about CHUNK_CLAIMS claims each, so every
chunk's joins, window and sort fit in EXPORT_WORK_MEM (set for the export's transaction,
with JIT off: compiling the record's expressions costs more than a chunk takes). The
export is one read-only REPEATABLE READ transaction whose snapshot is shared with
CONNECTIONS - 1 more connections that run the next chunks while this one's rows are read.
A sliced selection (its own order and limit) is one COPY; so is an export run inside the
caller's transaction (its uncommitted rows are invisible to another connection).

The selection is the export queryset compiled to SQL (`values_list` of the claim columns),
materialised per chunk. The aggregates read the range of the selection's claim ids and the
neighbour window the range of its article ids (`cb`, computed once); a selection sparse in
its range drops the other claims' rows in the scan (`selection_filter`), so a small
selection reads only its own claims' rows and articles.
"""

from __future__ import annotations

import struct
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial

import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import QuerySet

from claims.exports.expressions import concat, lit
from claims.exports.formats import Tally, csv_header, member_cells
from claims.exports.records import summary_record
from claims.exports.schema import (
    CONTEXT,
    DETAIL,
    Changes,
    Constant,
    Count,
    Family,
    Field,
    Items,
    List,
    Object,
    Summary,
    csv_sql,
    csv_text_sql,
    json_sql,
    record_fields,
)
from claims.models import Claim, ClaimKind
from families.models import FamilyMember
from families.querysets import EXPORT_FACTS
from workbench.db import is_postgres

# Rows per block of text handed to the response/file.
BLOCK_ROWS = 1000
BINARY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
HEADER_SIZE = len(BINARY_SIGNATURE) + 8  # signature, flags, header extension length
FORMATS = ("json", "csv")


def supported(queryset: QuerySet) -> bool:
    """True when the queryset's database can run the SQL path (PostgreSQL)."""
    return is_postgres(queryset)


# --- SQL building blocks ---------------------------------------------------------------------


def qn(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table(model) -> str:
    return qn(model._meta.db_table)


def j_fields(members: dict[str, str]) -> list[str]:
    """The parts for `concat` of a JSON object from {key: SQL of its JSON text}, keys sorted
    like Python's canonical JSON."""
    parts = []
    for n, key in enumerate(sorted(members)):
        parts += [lit(("{" if n == 0 else ",") + f'"{key}":'), members[key]]
    return [*parts, "'}'"]


def j_object(members: dict[str, str]) -> str:
    """A JSON object from {key: SQL expression of its JSON text} (one `concat`)."""
    return concat(j_fields(members))


def comma_separated(cells: list[str]) -> list[str]:
    """The parts for `concat` of CSV cell expressions separated by commas."""
    parts: list[str] = []
    for n, cell in enumerate(cells):
        parts += ([] if n == 0 else ["','"]) + [cell]
    return parts


def csv_line(cells: list[str]) -> str:
    """One CSV line of cell expressions, ending in \\r\\n."""
    return concat([*comma_separated(cells), "chr(13) || chr(10)"])


class Scope:
    """A model's table under `alias`, and the LEFT JOINs of the relations its paths cross
    (aliased `<alias>_<relation>`)."""

    def __init__(self, model, alias: str) -> None:
        self.model, self.alias = model, alias
        self.joins: dict[str, str] = {}

    def column(self, path: str) -> str:
        """The SQL column of a model path ("publisher__name" → the publisher's name)."""
        model, alias, names = self.model, self.alias, path.split("__")
        for name in names[:-1]:
            relation = model._meta.get_field(name)
            related = relation.related_model
            joined = f"{alias}_{name}"
            if relation.concrete:  # a foreign key of this model
                theirs, ours = relation.target_field.column, relation.column
            else:  # a reverse one-to-one: the related row's key points here
                theirs, ours = relation.field.column, relation.field.target_field.column
            self.joins.setdefault(
                joined,
                f" LEFT JOIN {_table(related)} {joined}"
                f" ON {joined}.{qn(theirs)} = {alias}.{qn(ours)}",
            )
            model, alias = related, joined
        return f"{alias}.{qn(model._meta.get_field(names[-1]).column)}"

    def source(self) -> str:
        return f"{_table(self.model)} {self.alias}" + "".join(self.joins.values())


def _empty_rendering(member, fmt: str, **record) -> str:
    """SQL literal of what Python writes for a member with no rows (no ratings, no evidence):
    its JSON, or its CSV cells."""
    if fmt == "json":
        return json_sql(record[member.name])
    return csv_sql(*(cell(record) for cell in member_cells(member)))


# --- The CTEs --------------------------------------------------------------------------------


class _Bound:
    """A placeholder parameter: the low or high end of a chunk's article-id range."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


LOW, HIGH = _Bound("low"), _Bound("high")


def selection_cte(queryset: QuerySet, claim_cols, *, chunked: bool) -> tuple[str, list]:
    """The CTE `c`: the selection's claims (columns renamed c_<name>), materialised once;
    with `chunked`, only those of the articles in [LOW, HIGH)."""
    # A sliced selection keeps its order and limit; otherwise the order goes (sorted later).
    base = queryset if queryset.query.is_sliced else queryset.order_by()
    sel_sql, params = base.values_list(*claim_cols).query.sql_with_params()
    # The compiled SELECT names the columns after the table: renamed.
    names = ", ".join(f"c_{name}" for name in claim_cols)
    cte = f"c AS MATERIALIZED (SELECT * FROM ({sel_sql}) AS s ({names})"
    if chunked:
        return cte + " WHERE s.c_article_id >= %s AND s.c_article_id < %s)", [*params, LOW, HIGH]
    return cte + ")", [*params]


def bounds_cte() -> str:
    """The CTE `cb`: the selection's lowest and highest claim id and article id, and whether
    its claims fill more than half of the claim ids between (`dense`); computed once for
    every CTE reading rows by claim or by article (a subquery on `c` in each would scan `c`
    again)."""
    return (
        "cb AS (SELECT min(c_id) AS min_c_id, max(c_id) AS max_c_id,"
        " min(c_article_id) AS min_c_article_id, max(c_article_id) AS max_c_article_id,"
        " count(*) * 2 > max(c_id) - min(c_id) AS dense FROM c)"
    )


def selection_filter(column: str, *, chunked: bool, key: str = "c_id") -> str:
    """`column` belongs to the selection — a claim id of a table of things attached to
    claims (corroborations, ratings, notes, history), or with `key="c_article_id"` an
    article id of the claims the neighbour window reads — as a condition on its rows.

    Claims are stored article by article, so a chunk's claims have neighbouring ids: the
    rows are read as one index range scan between the selection's lowest and highest id,
    not a probe per claim or article. When the selection fills most of its claim ids (every
    claim, or most of them), the rows of the few unselected ones (their articles) are left
    for the join on claim id to drop; when it is sparse (a narrow filter), they are dropped
    in the scan against a hash of the selection's ids, so a narrow selection never reads
    the range's other claims. `dense` is a constant of the statement, so the hash is built
    only when it is needed. Unchunked (a slice, or inside the caller's transaction) the
    selection has any size: the rows are joined to its ids (a join spills to disk when
    large, a hashed subquery cannot).
    """
    in_range = f"{column} BETWEEN (SELECT min_{key} FROM cb) AND (SELECT max_{key} FROM cb)"
    selected = f"{column} IN (SELECT {key} FROM c)"
    if chunked:
        return f"{in_range} AND ((SELECT dense FROM cb) OR {selected})"
    return f"{in_range} AND {selected}"


def neighbours_cte(text: Field, fmt: str, *, chunked: bool) -> tuple[str, list]:
    """The CTE `nb`: each current claim's text of the selection's articles (chrome and
    retired claims skipped), rendered once (`j`) and handed by the window to the claims
    before and after it (`before_j`, `after_j`)."""
    render = rendering(text.kind, fmt)
    # The chunk's range as constants too: the planner estimates the rows from them.
    in_range = " AND article_id >= %s AND article_id < %s" if chunked else ""
    articles = selection_filter("article_id", chunked=chunked, key="c_article_id")
    cte = (
        "nb AS (SELECT id, j, lag(j) OVER w AS before_j, lead(j) OVER w AS after_j"
        f" FROM (SELECT id, article_id, {qn('start')}, {render(qn(text.path))} AS j"
        f" FROM {_table(Claim)} WHERE kind <> {lit(ClaimKind.CHROME)} AND NOT retired"
        f" AND {articles}"
        + in_range
        # OFFSET 0 keeps the subquery: pulled up, its rendering would run in lag() and lead().
        + f" OFFSET 0) t WINDOW w AS (PARTITION BY article_id ORDER BY {qn('start')}, id))"
    )
    return cte, [LOW, HIGH] if chunked else []


def rendering(kind, fmt: str):
    """The kind's SQL rendering of a column in `fmt`: its JSON text, or its CSV cell."""
    return kind.json_sql if fmt == "json" else kind.csv_sql


def object_piece(fields: tuple[Field, ...], fmt: str) -> Callable[[Scope], str]:
    """An object's part of a record: its JSON object, or its CSV cells (fields with one)."""

    def piece(scope: Scope) -> str:
        if fmt == "json":
            return j_object({f.name: f.kind.json_sql(scope.column(f.path)) for f in fields})
        cells = [f.kind.csv_sql(scope.column(f.path)) for f in fields if f.csv]
        return concat(comma_separated(cells))

    return piece


def value_piece(field: Field, path: str, fmt: str) -> Callable[[Scope], str]:
    """A value's part of a record (at `path` of the related row): its JSON, or its CSV cell."""
    render = rendering(field.kind, fmt)
    return lambda scope: render(scope.column(path))


def related_cte(name: str, relation: str, piece: Callable[[Scope], str]) -> str:
    """The CTE `name`: the related rows (an article, a reviewer) the selection's claims point
    to through `relation`, each one's part of the records computed once (`j`): `piece` of the
    related row's scope."""
    field = Claim._meta.get_field(relation)
    scope = Scope(field.related_model, "a")
    piece = piece(scope)
    return (
        f"{name} AS MATERIALIZED (SELECT a.id, {piece} AS j FROM {scope.source()}"
        f" WHERE a.id IN (SELECT c_{field.column} FROM c))"
    )


def _order(scope: Scope, items: Items) -> str:
    """ORDER BY of the items' order: text by code point, null as empty (as Python sorts)."""
    terms = []
    for path in items.order:
        column = scope.column(path)
        *_, last = path.split("__")
        model = items.model
        for name in path.split("__")[:-1]:
            model = model._meta.get_field(name).related_model
        if model._meta.get_field(last).get_internal_type() in ("CharField", "TextField"):
            column = f"COALESCE({column}, '') COLLATE \"C\""
        terms.append(column)
    return ", ".join(terms)


def items_cte(name: str, member: List | Summary, fmt: str, of_selection) -> str:
    """The CTE `name`: per claim with items (corroborations, ratings, notes), its part of the
    records (`j`): the JSON list or summary, or the CSV cells; aggregated once per claim.

    The items are sorted once (claim, then the items' order) in a subquery that also renders
    each one (`i`), and the aggregates read them in that order: an aggregate's own ORDER BY
    would sort every claim's few items apart (PostgreSQL 15 starts a sort per group). An
    ordered subquery's rows reach a grouping over it alone in order (no join in between to
    reorder them, and its output cannot be split between parallel workers).
    """
    items = member.items
    scope = Scope(items.model, "i")
    env = {f.name: f.kind.sql(scope.column(f.path)) for f in items.fields}
    # key: (the aggregate over `{}`, the per-item value it reads, or None for count(*)).
    aggregates: dict[str, tuple[str, str | None]] = {}

    def count(key: str, column: Count) -> str:
        if column.where is None:
            aggregates[key] = ("count(*)", None)
        else:
            aggregates[key] = ("count(*) FILTER (WHERE {})", column.where.sql(env))
        return f"g.{qn(key)}"

    def listed(listing: List) -> list[str]:
        """The list's JSON, or its CSV cells."""
        if fmt == "json":
            obj = j_object({f.name: f.kind.json_sql(scope.column(f.path)) for f in items.fields})
            aggregates[listing.name] = ("string_agg({}, ',')", obj)
            return [f"'[' || g.{qn(listing.name)} || ']'"]
        cells = []
        for column in listing.columns:
            if isinstance(column, Count):
                cells.append(f"{count(column.csv, column)}::text")
            else:
                aggregates[column.csv] = ("string_agg({}, chr(10))", column.line.sql(env))
                cells.append(csv_text_sql(f"g.{qn(column.csv)}"))
        return cells

    if isinstance(member, List):
        cells = listed(member)
    else:
        counts = {key: count(key, column) for key, column in member.counts.items()}
        cells = [rules_sql(member.fields, counts, fmt, listed)]
    piece = cells[0] if fmt == "json" else concat(comma_separated(cells))
    claim = scope.column("claim")
    rendered = "".join(
        f", {value} AS {qn(key)}" for key, (_, value) in aggregates.items() if value is not None
    )
    grouped = ", ".join(
        f"{aggregate.format(f'i.{qn(key)}')} AS {qn(key)}"
        for key, (aggregate, _) in aggregates.items()
    )
    return (
        f"{name} AS (SELECT claim_id, {piece} AS j"
        f" FROM (SELECT claim_id, {grouped}"
        f" FROM (SELECT {claim} AS claim_id{rendered} FROM {scope.source()}"
        f" WHERE {of_selection(claim)} ORDER BY {claim}, {_order(scope, items)}) i"
        " GROUP BY claim_id) g)"
    )


def rules_sql(members, env: dict[str, str], fmt: str, listed=None) -> str:
    """The SQL of an object of `members` — rules (`Computed`) over `env` (name: SQL
    expression), objects of them, and where a `List` stands `listed(list)` (a summary's
    items: [its JSON] or its CSV cells) — as its JSON, or its CSV cells joined by commas."""

    def build(fields) -> tuple[dict[str, str], list[str]]:
        json, cells = {}, []
        for sub in fields:
            if isinstance(sub, List):
                rendered = listed(sub)
                if fmt == "json":
                    json[sub.name] = rendered[0]
                else:
                    cells += rendered
            elif isinstance(sub, Object):
                sub_json, sub_cells = build(sub.fields)
                json[sub.name] = j_object(sub_json)
                cells += sub_cells
            else:
                value = sub.rule.sql(env)
                json[sub.name] = sub.kind.json_sql(value)
                if sub.csv:
                    cells.append(sub.kind.csv_sql(value))
        return json, cells

    json, cells = build(members)
    return j_object(json) if fmt == "json" else concat(comma_separated(cells))


def family_cte(of_selection) -> tuple[str, list]:
    """The CTE `fam`: the family facts (`EXPORT_FACTS`, compiled from the queryset the Python
    path reads) of the selected claims that are in a family."""
    sql, params = FamilyMember.objects.export_facts().query.sql_with_params()
    names = ", ".join(EXPORT_FACTS)
    return (
        f"fam AS (SELECT * FROM ({sql}) AS f ({names}) WHERE {of_selection('f.claim_id')})",
        list(params),
    )


def history_cte(changes: Changes, of_selection) -> str:
    """The CTE `hist`: the number of recorded changes of each selected claim (`n`)."""
    parts = [
        f"SELECT {key} AS claim_id FROM {_table(model.history.model)} WHERE {of_selection(key)}"
        for model, key in changes.tables
    ]
    return (
        "hist AS (SELECT claim_id, count(*) AS n FROM ("
        + " UNION ALL ".join(parts)
        + ") h GROUP BY claim_id)"
    )


# --- The statement ---------------------------------------------------------------------------


def record_sql(
    queryset: QuerySet,
    *,
    fmt: str,
    detail: str = "full",
    include_notes: bool = True,
    chunked: bool = False,
) -> tuple[str, list]:
    """SELECT of (number of claims, text) rows for `queryset` in export order.

    `fmt` is "json" (the records' canonical JSON, lines joined by \\n) or "csv" (CSV lines,
    each ending in \\r\\n); only that format's pieces are computed.
    With `chunked`, the SELECT covers the claims whose article id is in [LOW, HIGH): the
    parameters hold the `LOW` and `HIGH` placeholders, replaced per chunk by `bind_chunk`;
    each row then holds one article's claims (one COPY message per article, not per claim).
    Otherwise (a sliced selection, in its own order) each row is one claim.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown SQL export format {fmt!r}")
    members = [
        m
        for m in record_fields(detail)
        if not (isinstance(m, List) and m.optional and not include_notes)
    ]
    left_out = [
        m for m in record_fields(detail) if isinstance(m, List) and m.optional and m not in members
    ]
    full = detail == "full"
    claim_fields = [m for m in members if isinstance(m, Field) and "__" not in m.path]
    # The text comes rendered from the neighbour window in full records (nb has it: it is
    # the widest column, left out of the selection).
    windowed = {"text"} if full else set()
    claim_cols = [f.path for f in claim_fields if f.path not in windowed]
    relations = {m.name: m for m in members if isinstance(m, Field) and "__" in m.path}
    for path in [f.path.split("__")[0] for f in relations.values()] + [
        m.path for m in members if isinstance(m, Object) and m.path
    ]:
        claim_cols.append(Claim._meta.get_field(path).column)
    for member in members:
        if isinstance(member, Family):  # the claim's own fields its rules read
            claim_cols += [Claim._meta.get_field(path).column for path in member.claim_paths]
    claim_cols = list(dict.fromkeys(claim_cols))

    selection, params = selection_cte(queryset, claim_cols, chunked=chunked)
    # cb is only computed when a CTE reads it (an unreferenced CTE never runs).
    ctes = [selection, bounds_cte()]
    of_selection = partial(selection_filter, chunked=chunked)

    # The pieces of each record, sorted; the record is concatenated from them afterwards.
    # Each *_j piece is the format's rendering: JSON, or CSV cell(s) for CSV.
    pieces = {f"c_{col}": f"c.c_{col}" for col in ("article_id", "start", "id", *claim_cols)}
    joins = []
    if full:
        text = next(f for f in claim_fields if f.path == "text")
        cte, nb_params = neighbours_cte(text, fmt, chunked=chunked)
        ctes.append(cte)
        params += nb_params
        # Chrome claims are not in the window: their text is read and rendered here.
        render = rendering(text.kind, fmt)
        pieces[f"{text.name}_j"] = (
            f"COALESCE(nb.j, (SELECT {render('x.' + qn(text.path))}"
            f" FROM {_table(Claim)} x WHERE x.id = c.c_id))"
        )
        # Mostly null: the defaults are filled in after the sort (narrower rows to sort).
        pieces |= {f"{f.name}_j": f"nb.{f.name}_j" for f in CONTEXT.fields}
        joins.append(" LEFT JOIN nb ON nb.id = c.c_id")

    for member in members:
        if isinstance(member, Object) and member.path:  # the article: every claim has one
            cte_name = f"{member.name}_rows"
            ctes.append(related_cte(cte_name, member.path, object_piece(member.fields, fmt)))
            pieces[f"{member.name}_j"] = f"{cte_name}.j"
            column = Claim._meta.get_field(member.path).column
            joins.append(f" JOIN {cte_name} ON {cte_name}.id = c.c_{column}")
    for name, field in relations.items():  # the reviewer's name: a claim may have none
        relation, rest = field.path.split("__", 1)
        cte_name = f"{name}_rows"
        ctes.append(related_cte(cte_name, relation, value_piece(field, rest, fmt)))
        pieces[f"{name}_j"] = f"{cte_name}.j"
        column = Claim._meta.get_field(relation).column
        joins.append(f" LEFT JOIN {cte_name} ON {cte_name}.id = c.c_{column}")
    for member in members:
        if isinstance(member, List | Summary):
            cte_name = f"{member.name}_rows"
            ctes.append(items_cte(cte_name, member, fmt, of_selection))
            pieces[f"{member.name}_j"] = f"{cte_name}.j"
            joins.append(f" LEFT JOIN {cte_name} ON {cte_name}.claim_id = c.c_id")
        elif isinstance(member, Changes):
            ctes.append(history_cte(member, of_selection))
            pieces[f"{member.name}_j"] = "hist.n"
            joins.append(" LEFT JOIN hist ON hist.claim_id = c.c_id")
        elif isinstance(member, Family):
            cte, fam_params = family_cte(of_selection)
            ctes.append(cte)
            params += fam_params
            env = {name: f"fam.{name}" for name in EXPORT_FACTS} | {
                path: f"c.c_{Claim._meta.get_field(path).column}" for path in member.claim_paths
            }
            rendered = rules_sql(member.fields, env, fmt)
            pieces[f"{member.name}_j"] = f"CASE WHEN fam.claim_id IS NOT NULL THEN {rendered} END"
            joins.append(" LEFT JOIN fam ON fam.claim_id = c.c_id")

    if fmt == "json":
        json = {m.name: _member_sql(m, fmt, detail, windowed) for m in members}
        line, separator = concat(j_fields(json)), "chr(10)"
    else:
        # A member left out (notes) keeps its CSV columns, empty.
        cells = [
            _empty_rendering(m, fmt, **{m.name: []})
            if m in left_out
            else _member_sql(m, fmt, detail, windowed)
            for m in record_fields(detail)
        ]
        line, separator = csv_line([cell for cell in cells if cell is not None]), "''"

    inner = (
        "SELECT "
        + ", ".join(f"{expr} AS {name}" for name, expr in pieces.items())
        + " FROM c"
        + "".join(joins)
    )
    return _lines_select(ctes, line, separator, f"({inner}) AS o", chunked=chunked), params


def _member_sql(member, fmt: str, detail: str, windowed: set[str]) -> str | None:
    """The SQL of a member's JSON text, or of its CSV cell(s) (None: no CSV column), over
    the sorted pieces `o`."""
    json = fmt == "json"
    if isinstance(member, Constant):
        value = detail if member.value is DETAIL else member.value
        if json:
            return json_sql(value)
        return _empty_rendering(member, "csv", **{member.name: value}) if member.csv else None
    if isinstance(member, Field) and "__" not in member.path:
        if member.path in windowed:
            return f"o.{member.name}_j"
        if json:
            return member.kind.json_sql(f"o.c_{member.path}")
        return member.kind.csv_sql(f"o.c_{member.path}") if member.csv else None
    if isinstance(member, Field):  # through a relation (the reviewer's name)
        default = json_sql(None) if json else "''"
        return f"COALESCE(o.{member.name}_j, {default})"
    if isinstance(member, Object) and member.path:  # the article: always there
        return f"o.{member.name}_j"
    if isinstance(member, Object):  # the neighbouring sentences
        default = json_sql(None) if json else "''"
        values = {f.name: f"COALESCE(o.{f.name}_j, {default})" for f in member.fields}
        if json:
            return concat(j_fields(values))
        return concat(comma_separated([values[f.name] for f in member.fields if f.csv]))
    if isinstance(member, Summary):
        empty = summary_record(member, [])
        return (
            f"COALESCE(o.{member.name}_j, {_empty_rendering(member, fmt, **{member.name: empty})})"
        )
    if isinstance(member, List):
        return f"COALESCE(o.{member.name}_j, {_empty_rendering(member, fmt, **{member.name: []})})"
    if isinstance(member, Changes):
        return f"COALESCE(o.{member.name}_j, 0)::text"
    if isinstance(member, Family):  # null: in no family
        empty = _empty_rendering(member, fmt, **{member.name: None})
        return f"COALESCE(o.{member.name}_j, {empty})"
    raise TypeError(f"no SQL rendering for {member!r}")


def _lines_select(ctes: list[str], line: str, separator: str, source: str, *, chunked: bool):
    """The statement's last SELECT: (claims, text) rows of `line` over `source` (aliased `o`,
    with c_article_id, c_start and c_id) in export order."""
    ordered = (
        f"SELECT o.c_article_id, {line} AS line"
        f" FROM {source} ORDER BY o.c_article_id, o.c_start, o.c_id"
    )
    if chunked:
        # One row per article: its lines in order (the aggregate reads the sorted rows as
        # they come), so Python handles one COPY message per article instead of per claim.
        select = (
            f"SELECT count(*)::int4, string_agg(r.line, {separator}) FROM ({ordered}) AS r"
            " GROUP BY r.c_article_id ORDER BY r.c_article_id"
        )
    else:
        select = f"SELECT 1::int4, r.line FROM ({ordered}) AS r"
    return "WITH " + ", ".join(ctes) + " " + select


def bind_chunk(params: list, low: int, high: int) -> list:
    """The parameters with the chunk's article-id range in place of LOW and HIGH."""
    return [low if p is LOW else high if p is HIGH else p for p in params]


# --- Streaming -------------------------------------------------------------------------------

# Claims per chunk aimed at: each chunk's joins, window and sort stay in EXPORT_WORK_MEM.
CHUNK_CLAIMS = 12_500
FIRST_STEP = 256  # article ids in the first chunk; later steps adapt to the rows they bring
EXPORT_WORK_MEM = "64MB"
# Chunks in flight at once, each on its own connection sharing the export's snapshot
# (outside transactions): while one chunk's rows are read, the others are being joined and
# sorted. Two leave a core idle whenever both of the others wait to be read; see the bench.
CONNECTIONS = 3


def _bind(queryset: QuerySet, sql: str, params: list) -> str:
    """The statement with its parameters merged (COPY takes no parameters)."""
    conn = connections[queryset.db]
    conn.ensure_connection()
    raw = conn.connection
    return psycopg.ClientCursor(raw).mogrify(sql, params)


@contextmanager
def _export_transaction(queryset: QuerySet) -> Iterator[str]:
    """One read-only REPEATABLE READ transaction for every chunk, with the memory the
    chunks' joins and sorts need; the value is its exported snapshot's id, so a second
    connection can read the same data."""
    conn = connections[queryset.db]
    with transaction.atomic(using=queryset.db), conn.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute(SETTINGS_SQL, [EXPORT_WORK_MEM])
        cursor.execute("SELECT pg_export_snapshot()")
        yield cursor.fetchone()[0]


# JIT-compiling the record's expressions costs more than a chunk takes to run.
SETTINGS_SQL = (
    "SELECT current_setting('work_mem'), current_setting('jit'),"
    " set_config('work_mem', %s, true), set_config('jit', 'off', true)"
)


@contextmanager
def _other_connections(queryset: QuerySet, snapshot: str) -> Iterator[list]:
    """CONNECTIONS - 1 more connections reading `snapshot`, closed afterwards."""
    conn = connections[queryset.db]
    opened: list = []
    try:
        for _ in range(CONNECTIONS - 1):
            raw = psycopg.connect(**conn.get_connection_params())
            opened.append(raw)
            with raw.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute(f"SET TRANSACTION SNAPSHOT {lit(snapshot)}")
                cursor.execute(SETTINGS_SQL, [EXPORT_WORK_MEM])
        yield opened
    finally:
        for raw in opened:
            raw.close()


def _article_bounds(queryset: QuerySet) -> tuple[int | None, int | None]:
    """The lowest and highest article id of the selection (two index probes at most)."""
    sel_sql, sel_params = queryset.order_by().values_list("article_id").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"SELECT min(s.a), max(s.a) FROM ({sel_sql}) AS s (a)", sel_params)
        return cursor.fetchone()


def iter_rows(
    queryset: QuerySet, *, include_notes: bool, fmt: str, detail: str = "full"
) -> Iterator[tuple[int, memoryview]]:
    """Yield (number of claims, their lines as bytes) from binary COPYs: one article's
    claims per pair (one claim's in a sliced selection), in export order.

    The selection is exported in chunks of consecutive article ids (the leading sort key, so
    the chunks come out in export order), one COPY each, sized to about CHUNK_CLAIMS claims:
    the step in article ids adapts to the claims the chunks before held. With CONNECTIONS
    connections on the same snapshot, the next chunks' COPYs are running (joining and
    sorting) while this one's rows are read; their rows wait in the server until they are
    read, so the memory here does not grow. A sliced selection (its own order and limit) is
    one COPY; a selection Django knows to be empty (`provably_empty`) none.
    """
    if provably_empty(queryset):
        return
    conn = connections[queryset.db]
    if conn.in_atomic_block:
        # The caller's transaction: its uncommitted rows are invisible to another
        # connection, and its settings are its own. One COPY, as the caller would run it.
        sql, params = record_sql(
            queryset, detail=detail, include_notes=include_notes, fmt=fmt, chunked=False
        )
        with conn.cursor() as cursor:
            yield from _copy_rows(cursor, _bind(queryset, sql, params))
        return
    chunked = not queryset.query.is_sliced
    sql, params = record_sql(
        queryset, detail=detail, include_notes=include_notes, fmt=fmt, chunked=chunked
    )
    with _export_transaction(queryset) as snapshot:
        if not chunked:
            with conn.cursor() as cursor:
                yield from _copy_rows(cursor, _bind(queryset, sql, params))
            return
        low, last = _article_bounds(queryset)
        if low is None:
            return
        with (
            connections[queryset.db].cursor() as first,
            _other_connections(queryset, snapshot) as others,
            # COPY starts answering only once its first rows are out (after the chunk's joins
            # and sort): threads wait for that while another chunk's rows are read.
            ThreadPoolExecutor(max_workers=max(1, CONNECTIONS - 1)) as starter,
        ):
            free = [first] + [other.cursor() for other in others]
            running: deque = deque()  # (cursor, copy context, future copy, width)
            step = FIRST_STEP

            def start() -> None:
                nonlocal low
                if low > last or not free:
                    return
                cursor = free.pop(0)
                statement = _bind(queryset, sql, bind_chunk(params, low, low + step))
                context = cursor.copy(f"COPY ({statement}) TO STDOUT (FORMAT binary)")
                running.append((cursor, context, starter.submit(context.__enter__), step))
                low += step

            try:
                for _ in free[:]:
                    start()
                while running:
                    cursor, context, started, width = running[0]
                    count = 0
                    for row in _parse_copy(started.result()):
                        count += row[0]
                        yield row
                    running.popleft()
                    context.__exit__(None, None, None)
                    free.append(cursor)
                    # Aim the next chunks at CHUNK_CLAIMS (at most 4 times wider, at least half).
                    scale = CHUNK_CLAIMS / max(count, 1)
                    step = max(1, int(width * min(4.0, max(0.5, scale))))
                    start()
            except BaseException as exc:
                # The reader went away or a COPY failed: cancel the COPYs still running.
                while running:
                    _, context, started, _ = running.popleft()
                    if started.exception() is None:
                        context.__exit__(type(exc), exc, exc.__traceback__)
                raise


def provably_empty(queryset: QuerySet) -> bool:
    """True when Django knows the selection holds no claim without asking the database: a
    search whose list of matches is empty (`pk__in=[]`, workbench/search.py) or `.none()`.
    Such a queryset compiles to no SQL (`EmptyResultSet`), so the selection's CTE cannot be
    built; its export is the format's empty file."""
    try:
        queryset.query.sql_with_params()
    except EmptyResultSet:
        return True
    return False


def _copy_rows(cursor, select: str) -> Iterator[tuple[int, memoryview]]:
    """Run one `COPY (select) TO STDOUT (FORMAT binary)` and yield its rows."""
    with cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT binary)") as copy:
        yield from _parse_copy(copy)


def _parse_copy(copy) -> Iterator[tuple[int, memoryview]]:
    """The (int4, text) of each row of a binary COPY of those two columns."""
    unpack_row = struct.Struct("!hiii").unpack_from  # fields, int4 length, int4, text length
    first = True
    for message in copy:
        # Each message is a buffer of its own (psycopg makes a new one per message): rows
        # are views into it, copied only when the caller joins them into a block.
        data = memoryview(message)
        offset = 0
        if first:
            first = False
            offset = HEADER_SIZE
            if len(data) <= offset:
                continue
        # One message per row: field count (2 bytes), then length + bytes per field.
        if data[offset : offset + 2] == b"\xff\xff":  # trailer
            continue
        _, _, count, size = unpack_row(data, offset)
        offset += 14
        yield count, data[offset : offset + size]


def _blocks(queryset: QuerySet, *, fmt: str, tally: Tally, **options) -> Iterator[list]:
    """The rows' texts in lists of about BLOCK_ROWS claims; `tally` counts the claims."""
    block: list[bytes] = []
    held = 0
    for count, text in iter_rows(queryset, fmt=fmt, **options):
        block.append(text)
        held += count
        if held >= BLOCK_ROWS:
            tally.count += held
            yield block
            block, held = [], 0
    if block:
        tally.count += held
        yield block


def _hashed(data: bytes, tally: Tally) -> bytes:
    """`data`, hashed as part of the file (UTF-8 from PostgreSQL to the file, never decoded)."""
    tally.add_bytes(data)
    return data


def stream_jsonl(queryset: QuerySet, *, tally: Tally, **options) -> Iterator[bytes]:
    """JSON Lines text in blocks (as `formats.stream_jsonl`); `options` are iter_rows's."""
    for block in _blocks(queryset, fmt="json", tally=tally, **options):
        block.append(b"")  # the last line's \n, in the one copy join makes
        yield _hashed(b"\n".join(block), tally)


def stream_json(queryset: QuerySet, *, tally: Tally, **options) -> Iterator[bytes]:
    """One JSON array, one record per line (as `formats.stream_json`)."""
    yield _hashed(b"[", tally)
    separator = b"\n"
    for block in _blocks(queryset, fmt="json", tally=tally, **options):
        # A row holds an article's records one per line (canonical JSON has no raw newline,
        # and no UTF-8 sequence holds the byte): each line break becomes ",\n".
        yield _hashed(separator + b"\n".join(block).replace(b"\n", b",\n"), tally)
        separator = b",\n"
    yield _hashed(b"\n]\n", tally)


def stream_csv(queryset: QuerySet, *, bom: bool, tally: Tally, **options) -> Iterator[bytes]:
    """CSV text in blocks, header first (as `formats.stream_csv`)."""
    yield _hashed(csv_header(options.get("detail", "full"), bom=bom).encode(), tally)
    for block in _blocks(queryset, fmt="csv", tally=tally, **options):
        yield _hashed(b"".join(block), tally)
