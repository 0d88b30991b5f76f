"""Export records built in SQL and streamed with COPY: the PostgreSQL fast path.

`claims.exports` builds records from model instances (per-chunk prefetches); that is the
path on SQLite and for ClaimReview. On PostgreSQL, CSV, JSON Lines and JSON, full or plain,
take this path instead: `COPY (SELECT …) TO STDOUT (FORMAT binary)` statements in which
PostgreSQL writes, per claim, either

- the record's canonical JSON (`claims.exports.canonical_json`, byte for byte: keys sorted,
  compact, UTF-8 kept, dates as Python's `isoformat()`), or
- the CSV line `claims.exports.csv_row` + `csv.writer` would write (neutralised cells,
  minimal quoting, `\\r\\n`),

from the claim, its article and publisher, and for full records the neighbouring claims (a
window over the articles' claims, chrome skipped) and per-claim aggregates of
corroborations, ratings, notes and the four historical tables, each aggregated once and
joined by claim id. Each COPY row holds one article's lines (`string_agg` over the sorted
claims), so Python handles one message per article: it hashes the bytes (the content hash
is the file's SHA-256) and hands them on undecoded. Nothing grows with the number of
claims. The binary COPY format carries each text column unescaped (a length and the bytes).

Chunks: the selection is exported one range of article ids at a time (the leading sort
key, so the chunks come out in export order), about CHUNK_CLAIMS claims each, so every
chunk's joins, window and sort fit in EXPORT_WORK_MEM (set for the export's transaction,
with JIT off: compiling the record's expressions costs more than a chunk takes). The
export is one read-only REPEATABLE READ transaction whose snapshot is shared with
CONNECTIONS - 1 more connections that run the next chunks while this one's rows are read.
A sliced selection (its own order and limit) is one COPY; so is an export run inside the
caller's transaction (its uncommitted rows are invisible to another connection).

The selection is the export queryset compiled to SQL (`values_list` of the claim columns),
materialised per chunk; the aggregates and the neighbour window are restricted to it with
`IN (…)` so a small selection reads only its own claims' rows.
"""

from __future__ import annotations

import csv
import io
import struct
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from django.db import connections, transaction
from django.db.models import QuerySet

from claims.models import Claim, ClaimKind, Confidence, Corroboration, Note, Rating

# Rows per block of text handed to the response/file.
BLOCK_ROWS = 1000
BINARY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
HEADER_SIZE = len(BINARY_SIGNATURE) + 8  # signature, flags, header extension length

# Code points of exports.FORMULA_PREFIXES.
FORMULA_CODES_SQL = "(61, 43, 45, 64, 9, 13)"


def supported(queryset: QuerySet) -> bool:
    """True when the queryset's database can run the SQL path (PostgreSQL)."""
    return connections[queryset.db].vendor == "postgresql"


# --- SQL building blocks ---------------------------------------------------------------------


def lit(value: str) -> str:
    """A SQL string literal (with % doubled: the statement goes through %-formatting)."""
    return "'" + value.replace("'", "''").replace("%", "%%") + "'"


def j_text(expr: str) -> str:
    """JSON of a text expression (null stays null): PostgreSQL escapes strings as json.dumps."""
    return f"COALESCE(to_json({expr})::text, 'null')"


def j_int(expr: str) -> str:
    return f"COALESCE(({expr})::text, 'null')"


def j_bool(expr: str) -> str:
    return f"CASE WHEN {expr} THEN 'true' ELSE 'false' END"


def iso_datetime(expr: str) -> str:
    """A timestamptz as Python's `datetime.isoformat()` in UTC (microseconds only if any)."""
    return (
        f"to_char(({expr}) AT TIME ZONE 'UTC', CASE WHEN to_char({expr}, 'US') = '000000'"
        """ THEN 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'"""
        """ ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"' END)"""
    )


def iso_date(expr: str) -> str:
    return f"to_char({expr}, 'YYYY-MM-DD')"


def j_datetime(expr: str) -> str:
    return f"""COALESCE('"' || {iso_datetime(expr)} || '"', 'null')"""


def j_date(expr: str) -> str:
    return f"""COALESCE('"' || {iso_date(expr)} || '"', 'null')"""


def j_object(members: dict[str, str]) -> str:
    """A JSON object from {key: SQL expression of its JSON text}, keys sorted like Python.

    One concat() call: chained `||` would copy the growing text once per member.
    """
    parts = []
    for n, key in enumerate(sorted(members)):
        parts += [lit(("{" if n == 0 else ",") + f'"{key}":'), members[key]]
    return "concat(" + ", ".join(parts) + ", '}')"


def neutralised(expr: str) -> str:
    """`exports.neutralise` of a text expression: a leading `'` before formula characters.

    ascii() is the first character's code point (0 for ''): no substring is built.
    """
    return f"(CASE WHEN ascii({expr}) IN {FORMULA_CODES_SQL} THEN '''' || {expr} ELSE {expr} END)"


def csv_cell(expr: str, *, test: str | None = None) -> str:
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


def csv_text(expr: str) -> str:
    """A neutralised, quoted text cell; null becomes the empty cell.

    The leading `'` neutralising a formula never calls for quotes: the raw text decides.
    """
    text = f"COALESCE({expr}, '')"
    return csv_cell(neutralised(text), test=text)


# --- The query -------------------------------------------------------------------------------


def _table(model) -> str:
    return f'"{model._meta.db_table}"'


class _Bound:
    """A placeholder parameter: the low or high end of a chunk's article-id range."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


LOW, HIGH = _Bound("low"), _Bound("high")


def concat(parts: list[str]) -> str:
    """concat() of SQL text expressions, adjacent string literals folded into one."""
    folded: list[str] = []
    for part in parts:
        if folded and _is_literal(part) and _is_literal(folded[-1]):
            folded[-1] = folded[-1][:-1] + part[1:]
        else:
            folded.append(part)
    if len(folded) == 1:
        return folded[0]
    return "concat(" + ", ".join(folded) + ")"


def _is_literal(expr: str) -> bool:
    return (
        len(expr) >= 2
        and expr[0] == "'"
        and expr[-1] == "'"
        and "'" not in expr[1:-1].replace("''", "")
    )


def j_fields(members: dict[str, str]) -> list[str]:
    """The parts of a JSON object (see `j_object`) for `concat`."""
    parts = []
    for n, key in enumerate(sorted(members)):
        parts += [lit(("{" if n == 0 else ",") + f'"{key}":'), members[key]]
    return [*parts, "'}'"]


def py_json(value) -> str:
    """A SQL literal of the canonical JSON of a Python value (`exports.canonical_json`)."""
    from claims import exports

    return lit(exports.canonical_json(value))


def py_csv(value) -> str:
    """A SQL literal of the CSV cell Python writes for a value (neutralised, quoted)."""
    from claims import exports

    if value == "":
        return "''"
    buffer = io.StringIO()
    csv.writer(buffer).writerow([exports.neutralise(value)])
    return lit(buffer.getvalue().removesuffix("\r\n"))


def choice_map(expr: str, values: dict, default: str, render) -> str:
    """CASE mapping each known value of `expr` to a constant (`render(label)`), else `default`."""
    whens = " ".join(
        f"WHEN {lit(str(value)) if isinstance(value, str) else int(value)} THEN {render(label)}"
        for value, label in values.items()
    )
    return f"(CASE {expr} {whens} ELSE {default} END)"


def comma_separated(cells: list[str]) -> list[str]:
    """The parts for `concat` of CSV cell expressions separated by commas."""
    parts: list[str] = []
    for n, cell in enumerate(cells):
        parts += ([] if n == 0 else ["','"]) + [cell]
    return parts


def csv_line(cells: list[str]) -> str:
    """One CSV line of cell expressions, ending in \\r\\n."""
    return concat([*comma_separated(cells), "chr(13) || chr(10)"])


def article_piece(*, with_csv: bool, plain: bool = False) -> str:
    """An article's part of a record (`a` the article, `p` its publisher): its JSON object
    (without publisher_id in plain records), or its four CSV cells article_title,
    publisher, article_published and article_url."""
    if with_csv:
        return concat(
            comma_separated(
                [
                    csv_text("a.title"),
                    csv_text("p.name"),
                    f"COALESCE({iso_datetime('a.published_at')}, '')",
                    csv_text("a.url"),
                ]
            )
        )
    members = {
        "id": j_int("a.id"),
        "title": j_text("a.title"),
        "publisher": j_text("p.name"),
        "publisher_id": j_int("a.publisher_id"),
        "published": j_datetime("a.published_at"),
        "url": j_text("NULLIF(a.url, '')"),
    }
    if plain:
        del members["publisher_id"]
    return j_object(members)


def articles_cte(*, with_csv: bool, plain: bool = False) -> str:
    """The CTE `arts`: the selection's articles, each one's part of the records (see
    `article_piece`) computed once, not once per claim."""
    article_model = Claim._meta.get_field("article").related_model
    publisher_table = _table(article_model._meta.get_field("publisher").related_model)
    return (
        f"arts AS MATERIALIZED (SELECT a.id, {article_piece(with_csv=with_csv, plain=plain)}"
        f" AS j FROM {_table(article_model)} a"
        f" LEFT JOIN {publisher_table} p ON p.id = a.publisher_id"
        " WHERE a.id IN (SELECT c_article_id FROM c))"
    )


def record_sql(
    queryset: QuerySet, *, include_notes: bool, fmt: str, chunked: bool = False
) -> tuple[str, list]:
    """SELECT of (number of claims, text) rows for `queryset` in export order.

    `fmt` is "json" (the records' canonical JSON, lines joined by \\n) or "csv" (CSV lines,
    each ending in \\r\\n); only that format's pieces are computed.
    With `chunked`, the SELECT covers the claims whose article id is in [LOW, HIGH): the
    parameters hold the `LOW` and `HIGH` placeholders, replaced per chunk by `bind_chunk`;
    each row then holds one article's claims (one COPY message per article, not per claim).
    Otherwise (a sliced selection, in its own order) each row is one claim.
    The pieces each record needs are computed once per article (the article and publisher),
    per user, per rated/corroborated/annotated claim, and once per claim for its text (the
    neighbour window passes the text's JSON and CSV cell on to the claims before and after);
    rows are sorted on their pieces and only then concatenated.
    """
    from claims import exports

    if fmt not in ("json", "csv"):
        raise ValueError(f"unknown SQL export format {fmt!r}")
    with_csv = fmt == "csv"
    conn = connections[queryset.db]
    claim_cols = (
        "id",
        "article_id",
        "start",
        "end",
        "kind",
        "status",
        "credibility",
        "score",
        "speaker",
        "reviewed_by_id",
        "reviewed_at",
    )
    user_table = f'"{Claim._meta.get_field("reviewed_by").related_model._meta.db_table}"'
    article_model = Claim._meta.get_field("article").related_model
    publisher_table = _table(article_model._meta.get_field("publisher").related_model)
    claim_table = _table(Claim)
    qn = conn.ops.quote_name

    selection, params = _selection_cte(queryset, claim_cols, chunked=chunked)
    ctes = [selection]
    in_range = " AND {col} >= %s AND {col} < %s" if chunked else ""
    ids = "(SELECT c_id FROM c)"

    def of_selection(column: str, *, exact: bool = False) -> str:
        """`column` (a claim id) is in the selection's id range: claims are stored article
        by article, so a chunk's claims have neighbouring ids and the range is one index
        scan, not a probe per claim. Rows of claims in the range but not selected are
        dropped by the join on claim id; `exact` drops them here already (for history,
        which has rows for every claim: a narrow selection would aggregate many for
        nothing). Unchunked (a slice, or inside the caller's transaction), the selection's
        ids may lie anywhere in the table: always exact."""
        in_range = f"{column} BETWEEN (SELECT min(c_id) FROM c) AND (SELECT max(c_id) FROM c)"
        return f"{in_range} AND {column} IN {ids}" if exact or not chunked else in_range

    # Neighbouring claims (chrome and retired claims skipped) of the selection's articles: each
    # claim's text as JSON (or CSV cell) once, handed to the claims before and after it by the
    # window.
    text_j = csv_text("text") if with_csv else "to_json(text)::text"
    ctes.append(
        "nb AS (SELECT id, j, lag(j) OVER w AS before_j, lead(j) OVER w AS after_j"
        + f" FROM (SELECT id, article_id, {qn('start')}, {text_j} AS j"
        f" FROM {claim_table} WHERE kind <> {lit(ClaimKind.CHROME)} AND NOT retired"
        " AND article_id IN (SELECT c_article_id FROM c)"
        + in_range.format(col="article_id")
        # OFFSET 0 keeps the subquery: pulled up, its to_json() would run in lag() and lead().
        + f" OFFSET 0) t WINDOW w AS (PARTITION BY article_id ORDER BY {qn('start')}, id))"
    )
    if chunked:
        params += [LOW, HIGH]

    ctes.append(articles_cte(with_csv=with_csv))
    # Reviewers who set a verdict: the name as JSON and as CSV cell, once each.
    user_j = csv_text("username") if with_csv else j_text("username")
    ctes.append(
        f"usr AS MATERIALIZED (SELECT id, {user_j} AS j"
        + f" FROM {user_table} WHERE id IN (SELECT c_reviewed_by_id FROM c))"
    )

    # Corroborations: the JSON array and the CSV cells, in created order.
    corr_obj = j_object(
        {
            "id": j_int("co.id"),
            "url": j_text("NULLIF(co.url, '')"),
            "outlet": j_text("NULLIF(co.outlet, '')"),
            "publisher": j_text("cp.name"),
            "published_on": j_date("co.published_on"),
            "excerpt": j_text("co.excerpt"),
            "stance": j_text("co.stance"),
            "evidence_claim_id": j_int("co.evidence_claim_id"),
            "independence": j_text("co.independence"),
            "independence_reason": j_text("co.independence_reason"),
            "independence_overridden": j_bool("co.independence_overridden"),
        }
    )
    # exports._corroboration_cell: the non-empty parts joined by " | ".
    corr_cell = (
        "concat_ws(' | ', NULLIF(co.stance, ''),"
        " NULLIF(co.independence || CASE WHEN co.independence_reason <> ''"
        " THEN ' (' || co.independence_reason || ')' ELSE '' END, ''),"
        " COALESCE(NULLIF(cp.name, ''), NULLIF(co.outlet, '')),"
        " NULLIF(co.url, ''),"
        f" {iso_date('co.published_on')},"
        " CASE WHEN co.excerpt <> '' THEN '“' || co.excerpt || '”' END)"
    )
    corr_order = "co.created_at, co.id"
    # The three CSV cells corroboration_count, independent_supporting, corroborations.
    corr_cells = concat(["n::text", "','", "supporting::text", "','", csv_text("cells")])
    corr_json = "'[' || objs || ']'"
    ctes.append(
        f"corr AS (SELECT claim_id, {corr_cells if with_csv else corr_json} AS j"
        + " FROM (SELECT co.claim_id, count(*) AS n,"
        " count(*) FILTER (WHERE co.stance = 'supports' AND co.independence = 'independent')"
        " AS supporting, "
        + (
            f"string_agg({corr_cell}, chr(10) ORDER BY {corr_order}) AS cells"
            if with_csv
            else f"string_agg({corr_obj}, ',' ORDER BY {corr_order}) AS objs"
        )
        + f" FROM {_table(Corroboration)} co"
        f" LEFT JOIN {publisher_table} cp ON cp.id = co.publisher_id"
        f" WHERE {of_selection('co.claim_id')} GROUP BY co.claim_id) g)"
    )

    # Ratings: counts per confidence and the reviewers sorted by name (code points) then id;
    # the whole summary object (exports.ratings_summary) per rated claim.
    rating_order = "COALESCE(ru.username, '') COLLATE \"C\", r.id"
    rating_obj = j_object(
        {
            "reviewer": j_text("ru.username"),
            "confidence": j_text("r.confidence"),
            "rationale": j_text("r.rationale"),
            "rated_at": j_datetime("r.updated_at"),
        }
    )
    level_counts = ", ".join(
        f"count(*) FILTER (WHERE r.confidence = {lit(level)}) AS {qn('n_' + level)}"
        for level in Confidence.values
    )
    levels = [(v, f"g.{qn('n_' + v)}") for v in Confidence.values]
    total = "g.n"
    top = "GREATEST(" + ", ".join(n for _, n in levels) + ")"
    # exports.ratings_summary: the consensus is the level when exactly one level leads.
    leaders = " + ".join(f"(CASE WHEN {n} = {top} THEN 1 ELSE 0 END)" for _, n in levels)
    consensus = (
        f"CASE WHEN {top} > 0 AND {leaders} = 1 THEN CASE {top} "
        + " ".join(f"WHEN {n} THEN {lit(v)}" for v, n in levels)
        + " END END"
    )
    agreement = f"CASE WHEN {total} > 1 THEN {top} || ' of ' || {total} || ' agree' END"
    ratings = j_object(
        {
            "count": j_int(total),
            "counts": j_object({v: j_int(n) for v, n in levels}),
            "consensus": j_text(consensus),
            "agreement": j_text(agreement),
            "unanimous": j_bool(f"{total} > 1 AND {top} = {total}"),
            "reviewers": "'[' || g.objs || ']'",
        }
    )
    # The three CSV cells ratings, rating_agreement, rating_consensus.
    rating_cells = concat(
        [csv_text("g.cells"), "','", csv_text(agreement), "','", csv_text(consensus)]
    )
    ctes.append(
        f"rat AS (SELECT g.claim_id, {rating_cells if with_csv else ratings} AS j"
        + f" FROM (SELECT r.claim_id, count(*) AS n, {level_counts}, "
        + (
            f"string_agg(COALESCE(ru.username, 'None') || ': ' || r.confidence, chr(10)"
            f" ORDER BY {rating_order}) AS cells"
            if with_csv
            else f"string_agg({rating_obj}, ',' ORDER BY {rating_order}) AS objs"
        )
        + f" FROM {_table(Rating)} r LEFT JOIN {user_table} ru ON ru.id = r.reviewer_id"
        f" WHERE {of_selection('r.claim_id')} GROUP BY r.claim_id) g)"
    )

    if include_notes:
        note_obj = j_object(
            {
                "id": j_int("nt.id"),
                "author": j_text("nu.username"),
                "text": j_text("nt.text"),
                "created_at": j_datetime("nt.created_at"),
                "updated_at": j_datetime("nt.updated_at"),
            }
        )
        ctes.append(
            "notes AS (SELECT claim_id, "
            + (csv_text("cells") if with_csv else "'[' || objs || ']'")
            + " AS j FROM (SELECT nt.claim_id, "
            + (
                "string_agg(COALESCE(NULLIF(nu.username, ''), '—') || ': ' || nt.text, chr(10)"
                " ORDER BY nt.id) AS cells"
                if with_csv
                else f"string_agg({note_obj}, ',' ORDER BY nt.id) AS objs"
            )
            + f" FROM {_table(Note)} nt LEFT JOIN {user_table} nu ON nu.id = nt.author_id"
            f" WHERE {of_selection('nt.claim_id')} GROUP BY nt.claim_id) g)"
        )

    # Recorded changes: the claim's history and its corroborations', ratings' and notes'.
    history_parts = [
        f"SELECT {key} AS claim_id FROM {_table(model)} WHERE {of_selection(key, exact=True)}"
        for model, key in (
            (Claim.history.model, "id"),
            (Corroboration.history.model, "claim_id"),
            (Rating.history.model, "claim_id"),
            (Note.history.model, "claim_id"),
        )
    ]
    ctes.append(
        "hist AS (SELECT claim_id, count(*) AS n FROM ("
        + " UNION ALL ".join(history_parts)
        + ") h GROUP BY claim_id)"
    )

    # The pieces of each record, sorted; the record is concatenated from them afterwards.
    # Each *_j piece is the format's rendering: JSON, or CSV cell(s) for CSV.
    pieces = {
        "c_article_id": "c.c_article_id",
        "c_start": "c.c_start",
        "c_id": "c.c_id",
        "c_end": "c.c_end",
        "c_kind": "c.c_kind",
        "c_status": "c.c_status",
        "c_credibility": "c.c_credibility",
        "c_score": "c.c_score",
        "c_reviewed_at": "c.c_reviewed_at",
        # Chrome claims are not in the window: their text is read and converted here (the
        # selection leaves the text out: it is the widest column, and nb has it).
        "text_j": "COALESCE(nb.j, (SELECT "
        + (csv_text("x.text") if with_csv else "to_json(x.text)::text")
        + f" FROM {claim_table} x WHERE x.id = c.c_id))",
        "c_speaker": "c.c_speaker",
        # Mostly null: the defaults are filled in after the sort (narrower rows to sort).
        "before_j": "nb.before_j",
        "after_j": "nb.after_j",
        "art_j": "arts.j",
        "corr_j": "corr.j",
        "rat_j": "rat.j",
        "usr_j": "usr.j",
        "hist_n": "hist.n",
    }
    if include_notes:
        pieces["notes_j"] = "notes.j"

    kind_j = choice_map(
        "o.c_kind",
        dict(zip(ClaimKind.values, ClaimKind.values, strict=True)),
        j_text("o.c_kind"),
        py_json,
    )
    status_j = choice_map(
        "o.c_status", {v: v for v in exports.STATUS_LABELS}, j_text("o.c_status"), py_json
    )
    status_label_j = choice_map("o.c_status", exports.STATUS_LABELS, j_text("o.c_status"), py_json)
    credibility_label_j = choice_map(
        "o.c_credibility", exports.CREDIBILITY_LABELS, "'\"\"'", py_json
    )
    members = {
        "schema_version": py_json(exports.SCHEMA_VERSION),
        "detail": py_json("full"),
        "id": "o.c_id::text",
        "article_id": "o.c_article_id::text",
        "start": "o.c_start::text",
        "end": "o.c_end::text",
        "text": "o.text_j",
        "kind": kind_j,
        "status": status_j,
        "status_label": status_label_j,
        "credibility": "o.c_credibility::text",
        "credibility_label": credibility_label_j,
        "score": "o.c_score::text",
        "speaker": j_text("NULLIF(o.c_speaker, '')"),
        "article": "o.art_j",
        "context": concat(
            [
                "'{\"after\":'",
                "COALESCE(o.after_j, 'null')",
                "',\"before\":'",
                "COALESCE(o.before_j, 'null')",
                "'}'",
            ]
        ),
        "ratings": f"COALESCE(o.rat_j, {py_json(exports.ratings_summary([]))})",
        "corroborations": "COALESCE(o.corr_j, '[]')",
        "reviewed_by": "COALESCE(o.usr_j, 'null')",
        "reviewed_at": j_datetime("o.c_reviewed_at"),
        "history_changes": "COALESCE(o.hist_n, 0)::text",
    }
    if include_notes:
        members["notes"] = "COALESCE(o.notes_j, '[]')"

    if with_csv:
        csv_choice = {
            "kind": choice_map(
                "o.c_kind", {v: v for v in ClaimKind.values}, csv_text("o.c_kind"), py_csv
            ),
            "status": choice_map(
                "o.c_status", {v: v for v in exports.STATUS_LABELS}, csv_text("o.c_status"), py_csv
            ),
            "status_label": choice_map(
                "o.c_status", exports.STATUS_LABELS, csv_text("o.c_status"), py_csv
            ),
            "credibility_label": choice_map(
                "o.c_credibility", exports.CREDIBILITY_LABELS, "''", py_csv
            ),
        }
        cells = {
            "schema_version": py_csv(exports.SCHEMA_VERSION),
            "id": "o.c_id::text",
            "article_id": "o.c_article_id::text",
            "start": "o.c_start::text",
            "end": "o.c_end::text",
            "text": "o.text_j",
            "kind": csv_choice["kind"],
            "status": csv_choice["status"],
            "credibility": "o.c_credibility::text",
            "score": "o.c_score::text",
            "speaker": csv_text("o.c_speaker"),
            "status_label": csv_choice["status_label"],
            "credibility_label": csv_choice["credibility_label"],
            # article_title, publisher, article_published, article_url
            "article_title": "o.art_j",
            # ISO dates never start like a formula nor need quoting.
            "reviewed_at": f"COALESCE({iso_datetime('o.c_reviewed_at')}, '')",
            "sentence_before": "COALESCE(o.before_j, '')",
            "sentence_after": "COALESCE(o.after_j, '')",
            # ratings, rating_agreement, rating_consensus
            "ratings": "COALESCE(o.rat_j, ',,')",
            # corroboration_count, independent_supporting, corroborations
            "corroboration_count": "COALESCE(o.corr_j, '0,0,')",
            "notes": "COALESCE(o.notes_j, '')" if include_notes else "''",
            "reviewed_by": "COALESCE(o.usr_j, '')",
            "history_changes": "COALESCE(o.hist_n, 0)::text",
        }
        covered = {"article_title": 4, "ratings": 3, "corroboration_count": 3}
        names = [n for n in cells for _ in range(covered.get(n, 1))]
        assert len(names) == len(exports.CSV_COLUMNS_FULL)
        assert [n for n in exports.CSV_COLUMNS_FULL if n in cells] == list(cells)
        line, separator = csv_line(list(cells.values())), "''"
    else:
        line, separator = concat(j_fields(members)), "chr(10)"

    inner = (
        "SELECT "
        + ", ".join(f"{expr} AS {name}" for name, expr in pieces.items())
        + " FROM c"
        + " JOIN arts ON arts.id = c.c_article_id"
        + " LEFT JOIN usr ON usr.id = c.c_reviewed_by_id"
        + " LEFT JOIN nb ON nb.id = c.c_id"
        + " LEFT JOIN corr ON corr.claim_id = c.c_id"
        + " LEFT JOIN rat ON rat.claim_id = c.c_id"
        + (" LEFT JOIN notes ON notes.claim_id = c.c_id" if include_notes else "")
        + " LEFT JOIN hist ON hist.claim_id = c.c_id"
    )
    return _lines_select(ctes, line, separator, f"({inner}) AS o", chunked=chunked), params


def _selection_cte(queryset: QuerySet, claim_cols, *, chunked: bool) -> tuple[str, list]:
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


def plain_record_sql(queryset: QuerySet, *, fmt: str, chunked: bool = False) -> tuple[str, list]:
    """As `record_sql`, for plain records (`exports.iter_plain_records` and
    `exports.stream_plain_csv`): the claim's columns and its article's."""
    from claims import exports

    if fmt not in ("json", "csv"):
        raise ValueError(f"unknown SQL export format {fmt!r}")
    # The claim's own columns of the Python path's plain rows (the article's come from arts).
    claim_cols = tuple(name for name in exports.PLAIN_COLUMNS if "__" not in name)
    selection, params = _selection_cte(queryset, claim_cols, chunked=chunked)
    if fmt == "csv":
        cells = [
            py_csv(exports.SCHEMA_VERSION),
            "o.c_id::text",
            "o.c_article_id::text",
            "o.c_start::text",
            "o.c_end::text",
            csv_text("o.c_text"),
            csv_cell("o.c_kind"),
            csv_cell("o.c_status"),
            "o.c_credibility::text",
            "o.c_score::text",
            csv_text("o.c_speaker"),
            # article_title, publisher, article_published, article_url
            "a.j",
            f"COALESCE({iso_datetime('o.c_reviewed_at')}, '')",
        ]
        line, separator = csv_line(cells), "''"
    else:
        members = {
            "schema_version": py_json(exports.SCHEMA_VERSION),
            "detail": py_json("plain"),
            "id": "o.c_id::text",
            "article_id": "o.c_article_id::text",
            "start": "o.c_start::text",
            "end": "o.c_end::text",
            "text": j_text("o.c_text"),
            "kind": j_text("o.c_kind"),
            "status": j_text("o.c_status"),
            "credibility": "o.c_credibility::text",
            "score": "o.c_score::text",
            "speaker": j_text("NULLIF(o.c_speaker, '')"),
            "article": "a.j",
            "reviewed_at": j_datetime("o.c_reviewed_at"),
        }
        line, separator = concat(j_fields(members)), "chr(10)"
    articles = articles_cte(with_csv=fmt == "csv", plain=True)
    source = "c AS o JOIN arts AS a ON a.id = o.c_article_id"
    return _lines_select([selection, articles], line, separator, source, chunked=chunked), params


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
    import psycopg

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
    import psycopg

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


def _statement(queryset: QuerySet, *, detail: str, include_notes: bool, fmt: str, chunked: bool):
    if detail == "plain":
        return plain_record_sql(queryset, fmt=fmt, chunked=chunked)
    return record_sql(queryset, include_notes=include_notes, fmt=fmt, chunked=chunked)


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
    one COPY.
    """
    conn = connections[queryset.db]
    if conn.in_atomic_block:
        # The caller's transaction: its uncommitted rows are invisible to another
        # connection, and its settings are its own. One COPY, as the caller would run it.
        sql, params = _statement(
            queryset, detail=detail, include_notes=include_notes, fmt=fmt, chunked=False
        )
        with conn.cursor() as cursor:
            yield from _copy_rows(cursor, _bind(queryset, sql, params))
        return
    chunked = not queryset.query.is_sliced
    sql, params = _statement(
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


def _copy_rows(cursor, select: str) -> Iterator[tuple[int, memoryview]]:
    """Run one `COPY (select) TO STDOUT (FORMAT binary)` and yield its rows."""
    with cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT binary)") as copy:
        yield from _parse_copy(copy)


def _parse_copy(copy) -> Iterator[tuple[int, memoryview]]:
    """The (int4, text) of each row of a binary COPY of those two columns."""
    unpack_row = struct.Struct("!hiii").unpack_from  # fields, int4 length, int4, text length
    first = True
    for message in copy:
        data = bytes(message)
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
        # A view, not a copy: the caller joins the rows into a block (the one copy).
        yield count, memoryview(data)[offset : offset + size]


def _blocks(queryset: QuerySet, *, fmt: str, tally, **options) -> Iterator[list]:
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


def _hashed(data: bytes, tally) -> bytes:
    """`data`, hashed as part of the file (UTF-8 from PostgreSQL to the file, never decoded)."""
    tally.add_bytes(data)
    return data


def stream_jsonl(queryset: QuerySet, *, tally, **options) -> Iterator[bytes]:
    """JSON Lines text in blocks (as `exports.stream_jsonl`); `options` are iter_rows's."""
    for block in _blocks(queryset, fmt="json", tally=tally, **options):
        block.append(b"")  # the last line's \n, in the one copy join makes
        yield _hashed(b"\n".join(block), tally)


def stream_json(queryset: QuerySet, *, tally, **options) -> Iterator[bytes]:
    """One JSON array, one record per line (as `exports.stream_json`)."""
    yield _hashed(b"[", tally)
    separator = b"\n"
    for block in _blocks(queryset, fmt="json", tally=tally, **options):
        # A row holds an article's records one per line (canonical JSON has no raw newline,
        # and no UTF-8 sequence holds the byte): each line break becomes ",\n".
        yield _hashed(separator + b"\n".join(block).replace(b"\n", b",\n"), tally)
        separator = b",\n"
    yield _hashed(b"\n]\n", tally)


def stream_csv(queryset: QuerySet, *, bom: bool, tally, **options) -> Iterator[bytes]:
    """CSV text in blocks, header first (as `exports.stream_csv`/`stream_plain_csv`)."""
    from claims import exports

    plain = options.get("detail") == "plain"
    head = ",".join(exports.CSV_COLUMNS_PLAIN if plain else exports.CSV_COLUMNS_FULL) + "\r\n"
    yield _hashed(((exports.BOM + head) if bom else head).encode(), tally)
    for block in _blocks(queryset, fmt="csv", tally=tally, **options):
        yield _hashed(b"".join(block), tally)
