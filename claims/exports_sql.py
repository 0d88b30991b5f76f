"""The full export record built in SQL and streamed with COPY: the PostgreSQL fast path.

`claims.exports` builds full records from model instances (per-chunk prefetches); that is
the path on SQLite and for ClaimReview. On PostgreSQL, CSV, JSON Lines and JSON take this
path instead: one `COPY (SELECT …) TO STDOUT (FORMAT binary)` in which PostgreSQL writes,
per claim,

- the record's canonical JSON (`claims.exports.canonical_json`, byte for byte: keys sorted,
  compact, UTF-8 kept, dates as Python's `isoformat()`), and
- for CSV, the CSV line `claims.exports.csv_row` + `csv.writer` would write (neutralised
  cells, minimal quoting, `\\r\\n`),

from the claim, its article and publisher, the neighbouring claims (a window over the
articles' claims, chrome skipped), and per-claim aggregates of corroborations, ratings,
notes and the four historical tables, each aggregated once and joined by claim id.
Python only splits the COPY messages, hashes the JSON lines (`Tally`) and hands out blocks
of text: nothing grows with the number of claims. The binary COPY format carries each text
column unescaped (a length and the bytes).

The selection is the export queryset compiled to SQL (`values_list` of the claim columns)
and used as a subquery; the aggregates and the neighbour window are restricted to it with
`IN (…)` so a small selection reads only its own claims' rows.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from django.db import connections
from django.db.models import QuerySet

from claims.models import Claim, ClaimKind, Confidence, Corroboration, Note, Rating

# Rows per block of text handed to the response/file.
BLOCK_ROWS = 1000
BINARY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
HEADER_SIZE = len(BINARY_SIGNATURE) + 8  # signature, flags, header extension length

FORMULA_PREFIXES_SQL = "('=', '+', '-', '@', chr(9), chr(13))"


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


def choice_case(expr: str, labels: dict, default: str) -> str:
    whens = " ".join(
        f"WHEN {lit(str(value)) if isinstance(value, str) else int(value)} THEN {lit(str(label))}"
        for value, label in labels.items()
    )
    return f"(CASE {expr} {whens} ELSE {lit(default)} END)"


def neutralised(expr: str) -> str:
    """`exports.neutralise` of a text expression: a leading `'` before formula characters."""
    return (
        f"(CASE WHEN left({expr}, 1) IN {FORMULA_PREFIXES_SQL} THEN '''' || {expr} ELSE {expr} END)"
    )


def csv_cell(expr: str) -> str:
    """A text cell as Python's csv module writes it (excel dialect, QUOTE_MINIMAL)."""
    return (
        f"(CASE WHEN {expr} ~ '[\",\\r\\n]' THEN '\"' || replace({expr}, '\"', '\"\"') || '\"'"
        f" ELSE {expr} END)"
    )


def csv_text(expr: str) -> str:
    """A neutralised, quoted text cell; null becomes the empty cell."""
    return csv_cell(neutralised(f"COALESCE({expr}, '')"))


def csv_int(expr: str) -> str:
    return f"({expr})::text"


# --- The query -------------------------------------------------------------------------------


def _table(model) -> str:
    return f'"{model._meta.db_table}"'


def record_sql(queryset: QuerySet, *, include_notes: bool, with_csv: bool) -> tuple[str, list]:
    """SELECT of (canonical JSON, CSV line or NULL) per claim of `queryset`, in its order."""
    from claims import exports

    conn = connections[queryset.db]
    claim_cols = (
        "id",
        "article_id",
        "start",
        "end",
        "text",
        "kind",
        "status",
        "credibility",
        "score",
        "speaker",
        "reviewed_by_id",
        "reviewed_at",
    )
    selection = queryset.values_list(*claim_cols)
    sel_sql, sel_params = selection.query.sql_with_params()
    # A sliced selection keeps its order and limit in the subqueries; otherwise both go.
    base = queryset if queryset.query.is_sliced else queryset.order_by()
    ids_sql, ids_params = base.values("pk").query.sql_with_params()
    arts_sql, arts_params = base.values("article_id").query.sql_with_params()
    user_table = f'"{Claim._meta.get_field("reviewed_by").related_model._meta.db_table}"'
    article_model = Claim._meta.get_field("article").related_model
    article_table = _table(article_model)
    publisher_table = _table(article_model._meta.get_field("publisher").related_model)
    claim_table = _table(Claim)
    qn = conn.ops.quote_name

    # The selection's columns, renamed (the compiled SELECT names them after the table).
    sel_names = [f"c_{name}" for name in claim_cols]
    params: list = []
    ctes = []

    # Neighbouring claims (chrome skipped) of the selection's articles.
    ctes.append(
        "nb AS (SELECT id, lag(text) OVER w AS before, lead(text) OVER w AS after"
        f" FROM {claim_table} WHERE kind <> {lit(ClaimKind.CHROME)}"
        f" AND article_id IN ({arts_sql})"
        f" WINDOW w AS (PARTITION BY article_id ORDER BY {qn('start')}, id))"
    )
    params += arts_params

    # Corroborations: the JSON array and the CSV cell, in created order.
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
    ctes.append(
        "corr AS (SELECT co.claim_id,"
        " count(*) AS n,"
        " count(*) FILTER (WHERE co.stance = 'supports' AND co.independence = 'independent')"
        " AS independent_supporting,"
        f" '[' || string_agg({corr_obj}, ',' ORDER BY {corr_order}) || ']' AS json"
        + (f", string_agg({corr_cell}, chr(10) ORDER BY {corr_order}) AS cell" if with_csv else "")
        + f" FROM {_table(Corroboration)} co"
        f" LEFT JOIN {publisher_table} cp ON cp.id = co.publisher_id"
        f" WHERE co.claim_id IN ({ids_sql}) GROUP BY co.claim_id)"
    )
    params += ids_params

    # Ratings: counts per confidence and the reviewers sorted by name (code points) then id.
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
    ctes.append(
        f"rat AS (SELECT r.claim_id, count(*) AS n, {level_counts},"
        f" '[' || string_agg({rating_obj}, ',' ORDER BY {rating_order}) || ']' AS json"
        + (
            f", string_agg(COALESCE(ru.username, 'None') || ': ' || r.confidence, chr(10)"
            f" ORDER BY {rating_order}) AS cell"
            if with_csv
            else ""
        )
        + f" FROM {_table(Rating)} r LEFT JOIN {user_table} ru ON ru.id = r.reviewer_id"
        f" WHERE r.claim_id IN ({ids_sql}) GROUP BY r.claim_id)"
    )
    params += ids_params

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
            "notes AS (SELECT nt.claim_id,"
            f" '[' || string_agg({note_obj}, ',' ORDER BY nt.id) || ']' AS json"
            + (
                ", string_agg(COALESCE(NULLIF(nu.username, ''), '—') || ': ' || nt.text, chr(10)"
                " ORDER BY nt.id) AS cell"
                if with_csv
                else ""
            )
            + f" FROM {_table(Note)} nt LEFT JOIN {user_table} nu ON nu.id = nt.author_id"
            f" WHERE nt.claim_id IN ({ids_sql}) GROUP BY nt.claim_id)"
        )
        params += ids_params

    # Recorded changes: the claim's history and its corroborations', ratings' and notes'.
    history_parts = []
    for model, key in (
        (Claim.history.model, "id"),
        (Corroboration.history.model, "claim_id"),
        (Rating.history.model, "claim_id"),
        (Note.history.model, "claim_id"),
    ):
        history_parts.append(
            f"SELECT {key} AS claim_id FROM {_table(model)} WHERE {key} IN ({ids_sql})"
        )
        params += ids_params
    ctes.append(
        "hist AS (SELECT claim_id, count(*) AS n FROM ("
        + " UNION ALL ".join(history_parts)
        + ") h GROUP BY claim_id)"
    )

    n_low, n_moderate, n_high = (f"COALESCE(rat.{qn('n_' + v)}, 0)" for v in Confidence.values)
    levels = list(zip(Confidence.values, (n_low, n_moderate, n_high), strict=True))
    total = "COALESCE(rat.n, 0)"
    top = f"GREATEST({n_low}, {n_moderate}, {n_high})"
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
            "reviewers": "COALESCE(rat.json, '[]')",
        }
    )
    status_label = choice_case("c.c_status", exports.STATUS_LABELS, "")
    credibility_label = choice_case("c.c_credibility", exports.CREDIBILITY_LABELS, "")
    members = {
        "schema_version": lit(f'"{exports.SCHEMA_VERSION}"'),
        "detail": "'\"full\"'",
        "id": j_int("c.c_id"),
        "article_id": j_int("c.c_article_id"),
        "start": j_int("c.c_start"),
        "end": j_int("c.c_end"),
        "text": j_text("c.c_text"),
        "kind": j_text("c.c_kind"),
        "status": j_text("c.c_status"),
        # The status is one of the choices; an unknown one keeps its own name.
        "status_label": j_text(f"COALESCE(NULLIF({status_label}, ''), c.c_status)"),
        "credibility": j_int("c.c_credibility"),
        "credibility_label": j_text(credibility_label),
        "score": j_int("c.c_score"),
        "speaker": j_text("NULLIF(c.c_speaker, '')"),
        "article": j_object(
            {
                "id": j_int("a.id"),
                "title": j_text("a.title"),
                "publisher": j_text("p.name"),
                "publisher_id": j_int("a.publisher_id"),
                "published": j_datetime("a.published_at"),
                "url": j_text("NULLIF(a.url, '')"),
            }
        ),
        "context": j_object({"before": j_text("nb.before"), "after": j_text("nb.after")}),
        "ratings": ratings,
        "corroborations": "COALESCE(corr.json, '[]')",
        "reviewed_by": j_text("u.username"),
        "reviewed_at": j_datetime("c.c_reviewed_at"),
        "history_changes": j_int("COALESCE(hist.n, 0)"),
    }
    if include_notes:
        members["notes"] = "COALESCE(notes.json, '[]')"

    if with_csv:
        cells = {
            "schema_version": lit(exports.SCHEMA_VERSION),
            "id": csv_int("c.c_id"),
            "article_id": csv_int("c.c_article_id"),
            "start": csv_int("c.c_start"),
            "end": csv_int("c.c_end"),
            "text": csv_text("c.c_text"),
            "kind": csv_text("c.c_kind"),
            "status": csv_text("c.c_status"),
            "credibility": csv_int("c.c_credibility"),
            "score": csv_int("c.c_score"),
            "speaker": csv_text("c.c_speaker"),
            "status_label": csv_text(f"COALESCE(NULLIF({status_label}, ''), c.c_status)"),
            "credibility_label": csv_text(credibility_label),
            "article_title": csv_text("a.title"),
            "publisher": csv_text("p.name"),
            "article_published": csv_text(iso_datetime("a.published_at")),
            "article_url": csv_text("a.url"),
            "reviewed_at": csv_text(iso_datetime("c.c_reviewed_at")),
            "sentence_before": csv_text("nb.before"),
            "sentence_after": csv_text("nb.after"),
            "ratings": csv_text("rat.cell"),
            "rating_agreement": csv_text(agreement),
            "rating_consensus": csv_text(consensus),
            "corroboration_count": csv_int("COALESCE(corr.n, 0)"),
            "independent_supporting": csv_int("COALESCE(corr.independent_supporting, 0)"),
            "corroborations": csv_text("corr.cell"),
            "notes": csv_text("notes.cell") if include_notes else "''",
            "reviewed_by": csv_text("u.username"),
            "history_changes": csv_int("COALESCE(hist.n, 0)"),
        }
        assert list(cells) == exports.CSV_COLUMNS_FULL
        csv_line = "concat_ws(',', " + ", ".join(cells.values()) + ") || chr(13) || chr(10)"
    else:
        csv_line = "NULL::text"

    sql = (
        "WITH "
        + ", ".join(ctes)
        + f" SELECT {j_object(members)} AS json, {csv_line} AS csv"
        + f" FROM ({sel_sql}) AS c ({', '.join(sel_names)})"
        + f" JOIN {article_table} a ON a.id = c.c_article_id"
        + f" LEFT JOIN {publisher_table} p ON p.id = a.publisher_id"
        + f" LEFT JOIN {user_table} u ON u.id = c.c_reviewed_by_id"
        + " LEFT JOIN nb ON nb.id = c.c_id"
        + " LEFT JOIN corr ON corr.claim_id = c.c_id"
        + " LEFT JOIN rat ON rat.claim_id = c.c_id"
        + (" LEFT JOIN notes ON notes.claim_id = c.c_id" if include_notes else "")
        + " LEFT JOIN hist ON hist.claim_id = c.c_id"
        + " ORDER BY c.c_article_id, c.c_start, c.c_id"
    )
    return sql, [*params, *sel_params]


# --- Streaming -------------------------------------------------------------------------------


def _bind(queryset: QuerySet, sql: str, params: list) -> str:
    """The statement with its parameters merged (COPY takes no parameters)."""
    import psycopg

    conn = connections[queryset.db]
    conn.ensure_connection()
    raw = conn.connection
    return psycopg.ClientCursor(raw).mogrify(sql, params)


def iter_rows(
    queryset: QuerySet, *, include_notes: bool, with_csv: bool
) -> Iterator[tuple[bytes, bytes | None]]:
    """Yield (JSON line, CSV line or None) as bytes, one pair per claim, from a binary COPY."""
    sql, params = record_sql(queryset, include_notes=include_notes, with_csv=with_csv)
    conn = connections[queryset.db]
    statement = f"COPY ({_bind(queryset, sql, params)}) TO STDOUT (FORMAT binary)"
    unpack_len = struct.Struct("!i").unpack_from
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
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
            offset += 2
            (size,) = unpack_len(data, offset)
            offset += 4
            line = data[offset : offset + size]
            offset += size
            (size,) = unpack_len(data, offset)
            offset += 4
            yield line, (data[offset : offset + size] if size >= 0 else None)


def stream_jsonl(queryset: QuerySet, *, include_notes: bool, tally) -> Iterator[str]:
    """JSON Lines text in blocks; `tally` gets the count and the hash of the file itself."""
    block: list[bytes] = []
    for line, _ in iter_rows(queryset, include_notes=include_notes, with_csv=False):
        block.append(line)
        if len(block) == BLOCK_ROWS:
            yield _flush_lines(block, tally)
            block = []
    if block:
        yield _flush_lines(block, tally)


def _flush_lines(block: list[bytes], tally) -> str:
    data = b"\n".join(block) + b"\n"
    tally.add_block(data, len(block))
    return data.decode()


def stream_json(queryset: QuerySet, *, include_notes: bool, tally) -> Iterator[str]:
    """One JSON array, one record per line (as `exports.stream_json`)."""
    yield "["
    block: list[bytes] = []
    first = True
    for line, _ in iter_rows(queryset, include_notes=include_notes, with_csv=False):
        block.append(line)
        if len(block) == BLOCK_ROWS:
            yield _flush_array(block, tally, first)
            first = False
            block = []
    yield (_flush_array(block, tally, first) if block else "") + "\n]\n"


def _flush_array(block: list[bytes], tally, first: bool) -> str:
    tally.add_block(b"\n".join(block) + b"\n", len(block))
    return ("\n" if first else ",\n") + b",\n".join(block).decode()


def stream_csv(queryset: QuerySet, *, include_notes: bool, bom: bool, tally) -> Iterator[str]:
    """Full-record CSV text in blocks, header first; `tally` hashes the records' JSON."""
    from claims import exports

    head = ",".join(exports.CSV_COLUMNS_FULL) + "\r\n"
    yield (exports.BOM + head) if bom else head
    lines: list[bytes] = []
    cells: list[bytes] = []
    for line, csv_line in iter_rows(queryset, include_notes=include_notes, with_csv=True):
        lines.append(line)
        cells.append(csv_line)
        if len(lines) == BLOCK_ROWS:
            tally.add_block(b"\n".join(lines) + b"\n", len(lines))
            yield b"".join(cells).decode()
            lines, cells = [], []
    if lines:
        tally.add_block(b"\n".join(lines) + b"\n", len(lines))
        yield b"".join(cells).decode()
