"""The SQL path of exports (claims/exports/postgres.py) against the Python path.

On PostgreSQL both paths run over the same varied selection and must write the same bytes
(CSV, JSON Lines, JSON) and the same count and content hash. Those differential tests are
marked `postgres`: on SQLite (where both would take the Python path and agree trivially)
they are reported as skipped, "needs PostgreSQL: …". On SQLite the Python path is the
fallback: the other tests check it is the one used and that its records fit the schema.
"""

from __future__ import annotations

import csv
import io
import json
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.http import QueryDict

from claims.exports import Export, export_queryset, expressions, postgres, schema
from claims.models import Claim, ClaimKind, ClaimStatus, Independence, Stance
from claims.triage import parse_filters
from evidence.models import Archive, Capture
from families.models import ClaimFamily, FamilyMember, HowJoined
from tests.claims.test_exports import RECORD_VALIDATOR
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    CorroborationFactory,
    NoteFactory,
    PublisherFactory,
    RatingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"
DIFFERENTIAL = pytest.mark.postgres("the SQL export path is compared with the Python path")

# Text that exercises JSON escaping, CSV quoting and formula neutralisation.
LINES = [
    'The "Ministry" said, output rose 5%.',
    '=HYPERLINK("http://evil.example")\tback\\slash',
    "-5 tonnes; café ☕ 𝄞 – “quoted”",
    "@SUM(A1) rose\r\nafter a break.",
    "+1 more, with a \x01 control.",
    "Plain last sentence.",
]


def varied_selection() -> None:
    """Two publishers' articles with chrome between claims, evidence, ratings, notes and
    families (`add_families`)."""
    alice, bob, carol = (UserFactory(username=n) for n in ("alice", "bob", "Émile"))
    wire = PublisherFactory(name="=Wire Service")
    for n, publisher in enumerate([PublisherFactory(name="Global Times"), wire, None]):
        text = "\n".join(LINES) + f"\nArticle {n}."
        article = ArticleFactory(
            publisher=publisher,
            text=text,
            received_text=text,
            title=f'+Title "{n}", part',
            url="" if n else "https://example.org/a",
            published_at=None if n == 2 else datetime(2026, 1, 2, 3, 4, 5, n * 1000, tzinfo=UTC),
        )
        offset = 0
        for i, line in enumerate(LINES):
            start, end = offset, offset + len(line)
            offset = end + 1
            claim = ClaimFactory(
                article=article,
                start=start,
                end=end,
                text=line,
                kind=ClaimKind.CHROME if i == 2 and n == 0 else ClaimKind.STATEMENT,
                status=[ClaimStatus.VERIFIED, ClaimStatus.UNREVIEWED, ClaimStatus.REFUTED][i % 3],
                speaker=["", "=Speaker", "Ministry of Commerce"][i % 3],
                credibility=1 + i % 6,
                score=10 * i,
                reviewed_by=alice if i % 2 else None,
                reviewed_at=datetime(2026, 2, 1, 12, 0, 0, i * 7, tzinfo=UTC) if i % 2 else None,
            )
            if i in (0, 3):
                archived = CorroborationFactory(
                    claim=claim,
                    publisher=wire,
                    independence=Independence.INDEPENDENT,
                    independence_reason="different owner",
                    published_on=date(2026, 1, 3),
                    excerpt='-"Output" rose,\nsharply.',
                )
                if i == 0:  # an archived copy (evidence.Archive): once found, once not checked
                    archive_of(archived, excerpt_status="found" if n == 0 else "")
                CorroborationFactory(
                    claim=claim,
                    url="",
                    outlet="",
                    excerpt="",
                    stance=Stance.CONTRADICTS,
                    independence=Independence.NOT_INDEPENDENT,
                )
            if i in (1, 3, 4):
                RatingFactory(claim=claim, reviewer=alice, confidence="high", rationale="=sum")
                RatingFactory(claim=claim, reviewer=carol, confidence="low", rationale="")
            if i == 3:
                RatingFactory(claim=claim, reviewer=bob, confidence="high", rationale="a,b")
            if i in (0, 4):
                NoteFactory(claim=claim, author=bob, text='@note, "quoted"\nsecond line')
                NoteFactory(claim=claim, author=alice, text="Fine.")
    add_families()


def add_families() -> None:
    """Families over the articles' lines (claims in article order: line i of article n):
    - the first lines' family, a verified representative: the second lines of the other two
      articles (unreviewed) inherit its verdict, the other first lines (verified) keep theirs;
    - the fifth lines (unreviewed) with the chrome third line of the first article: no
      verdict, and the chrome member is not counted;
    - the last lines (refuted), their representative gone: their own verdict."""
    claims = list(Claim.objects.order_by("article_id", "start"))
    line = {(n, i): claims[n * len(LINES) + i] for n in range(3) for i in range(len(LINES))}

    def family(representative, members):
        fam = ClaimFamily.objects.create(representative=representative)
        for claim in members:
            FamilyMember.objects.create(family=fam, claim=claim, how=HowJoined.EXACT)

    first = line[0, 0]
    family(first, [line[n, 0] for n in range(3)] + [line[1, 1], line[2, 1]])
    family(line[0, 4], [line[0, 4], line[1, 4], line[0, 2]])
    family(None, [line[0, 5], line[2, 5]])


def archive_of(evidence, *, excerpt_status: str) -> None:
    """An archived copy of the evidence's URL, captured with microseconds, its link gone."""
    capture = Capture.objects.create(
        evidence=evidence,
        purpose="attach",
        requested_url=evidence.url,
        retrieved_at=datetime(2026, 1, 4, 5, 6, 7, 890, tzinfo=UTC),
        sha256="ab" * 32,
    )
    Archive.objects.create(
        evidence=evidence,
        url=evidence.url,
        state="captured",
        capture=capture,
        excerpt_status=excerpt_status,
        link_state="gone",
        rereview=True,
    )


def selection(query: str):
    return export_queryset(parse_filters(QueryDict(query)), None)


def exported(queryset, fmt: str, *, sql: bool, **options) -> tuple[str, Export]:
    export = Export(queryset, fmt, sql=sql, **options)
    return b"".join(export.stream()).decode(), export


QUERIES = [
    "status=all",
    "status=verified&status=refuted",
    "status=all&kind=statement&evidence=yes",
    "status=unreviewed&credibility=2",
    "status=all&evidence=changed",
]


@DIFFERENTIAL
@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
@pytest.mark.parametrize(("detail", "notes"), [("full", True), ("full", False), ("plain", False)])
def test_sql_path_writes_what_the_python_path_writes(query, fmt, detail, notes):
    varied_selection()
    queryset = selection(query)
    options = {"include_notes": notes, "bom": True, "detail": detail}
    fast, fast_export = exported(queryset, fmt, sql=True, **options)
    slow, slow_export = exported(queryset, fmt, sql=False, **options)
    # On other databases the SQL path falls back to the Python one.
    assert fast_export.uses_sql is POSTGRES and not slow_export.uses_sql
    assert fast == slow
    assert fast_export.tally.count == slow_export.tally.count == queryset.count() > 0
    assert fast_export.tally.hexdigest == slow_export.tally.hexdigest
    if fmt == "jsonl":
        for line in fast.splitlines():
            RECORD_VALIDATOR.validate(json.loads(line))
            assert json.loads(line)["detail"] == detail


def test_sql_path_covers_the_interesting_cases():
    varied_selection()
    text, _ = exported(selection("status=all"), "jsonl", sql=True)
    records = [json.loads(line) for line in text.splitlines()]
    assert not [r for r in records if r["kind"] == ClaimKind.CHROME]
    # Chrome is skipped by the context: the claim after it sees the one before it.
    first_article = [r for r in records if r["article_id"] == records[0]["article_id"]]
    assert first_article[2]["context"]["before"] == LINES[1]
    assert any(r["ratings"]["agreement"] == "2 of 3 agree" for r in records)
    assert any(r["ratings"]["consensus"] is None and r["ratings"]["count"] == 2 for r in records)
    assert any(len(r["corroborations"]) == 2 for r in records)
    assert any(len(r.get("notes", [])) == 2 for r in records)
    by_line = {(r["article_id"], r["text"]): r for r in records}
    articles = sorted({r["article_id"] for r in records})
    rep = by_line[articles[0], LINES[0]]
    assert rep["family"]["verdict"] == {
        "status": "verified",
        "source": "own",
        "inherited_from": None,
    }
    assert rep["family"]["size"] == 5 and rep["family"]["representative_id"] == rep["id"]
    copy_id = by_line[articles[1], LINES[1]]["id"]
    copy = by_line[articles[1], LINES[1]]["family"]
    assert copy["verdict"] == {
        "status": "verified",
        "source": "inherited",
        "inherited_from": rep["id"],
    }
    no_verdict = by_line[articles[1], LINES[4]]["family"]
    assert no_verdict["size"] == 2  # the chrome member is not counted
    assert no_verdict["verdict"] == {"status": None, "source": None, "inherited_from": None}
    gone = by_line[articles[2], LINES[5]]["family"]
    assert gone["representative_id"] is None and gone["verdict"]["source"] == "own"
    assert by_line[articles[1], LINES[0]]["family"]["verdict"]["source"] == "own"
    assert by_line[articles[2], LINES[3]]["family"] is None
    alone_id = by_line[articles[2], LINES[3]]["id"]
    rows = list(csv.reader(io.StringIO(exported(selection("status=all"), "csv", sql=True)[0])))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    # The family's columns close each row; a claim in no family leaves them empty.
    family_columns = [
        "family_id",
        "family_size",
        "family_representative",
        "family_verdict",
        "verdict_source",
        "verdict_inherited_from",
    ]
    assert rows[0][-6:] == family_columns
    by_id = {int(row[rows[0].index("id")]): row[-6:] for row in rows[1:]}
    assert by_id[copy_id] == [str(copy["id"]), "5", str(rep["id"]), "verified", "inherited",
                              str(rep["id"])]  # fmt: skip
    assert by_id[alone_id] == [""] * 6


@DIFFERENTIAL
@pytest.mark.parametrize("detail", ["full", "plain"])
def test_sql_path_takes_a_sliced_selection(detail):
    varied_selection()
    queryset = selection("status=all")[2:7]
    fast, _ = exported(queryset, "jsonl", sql=True, detail=detail)
    slow, _ = exported(queryset, "jsonl", sql=False, detail=detail)
    assert fast == slow and len(fast.splitlines()) == 5


def test_sql_path_stops_cleanly_when_the_reader_goes_away():
    varied_selection()
    stream = Export(selection("status=all"), "jsonl").stream()
    next(stream)
    stream.close()
    assert Claim.objects.count() == 18  # the connection is usable again


def test_fallback_on_other_databases_fits_the_schema():
    varied_selection()
    export = Export(selection("status=all"), "jsonl")
    assert export.uses_sql is POSTGRES
    if not POSTGRES:
        text = b"".join(export.stream()).decode()
        records = [json.loads(line) for line in text.splitlines()]
        assert len(records) == export.tally.count == 17
        for record in records:
            RECORD_VALIDATOR.validate(record)
        rows = list(csv.reader(io.StringIO(exported(selection("status=all"), "csv", sql=True)[0])))
        assert len(rows) == 18
    # SQLite has no COPY, no second connection or snapshot: the Python path serves every
    # export there; ClaimReview always takes it; plain records take SQL where full ones do.
    for fmt in ("csv", "jsonl", "json"):
        assert Export(selection("status=all"), fmt).uses_sql is POSTGRES
    assert not Export(selection("status=all"), "claimreview").uses_sql
    assert Export(selection("status=all"), "jsonl", detail="plain").uses_sql is POSTGRES


@pytest.mark.postgres("the generated SQL is run")
def test_generated_concatenation_joins_text_as_concat_does_a_null_part_adding_nothing():
    parts = ["'a'", "NULL::text", "'b'", "'c'", "chr(10)", "upper('d')", "NULL::text"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {expressions.concat(parts)}, concat({', '.join(parts)})")
        assert cursor.fetchone() == ("abc\nD", "abc\nD")
        cursor.execute(f"SELECT {expressions.concat(['NULL::text'])}")
        assert cursor.fetchone() == ("",)


# --- Chunks: one COPY per range of article ids ------------------------------------------------


@pytest.fixture
def small_chunks(monkeypatch):
    """One article id per chunk: every boundary between articles is a boundary of chunks."""
    monkeypatch.setattr(postgres, "FIRST_STEP", 1)
    monkeypatch.setattr(postgres, "CHUNK_CLAIMS", 1)


# Chunks are for exports outside a transaction (the web view's and the command's); inside
# the caller's transaction (the tests above), the SQL path is one COPY.


@DIFFERENTIAL
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
@pytest.mark.parametrize("detail", ["full", "plain"])
def test_sql_path_in_chunks_writes_what_the_python_path_writes(small_chunks, fmt, detail):
    varied_selection()
    queryset = selection("status=all")
    fast, fast_export = exported(queryset, fmt, sql=True, detail=detail)
    slow, slow_export = exported(queryset, fmt, sql=False, detail=detail)
    assert fast == slow
    assert fast_export.tally.hexdigest == slow_export.tally.hexdigest


@DIFFERENTIAL
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_sparse_selection_in_chunks_writes_what_the_python_path_writes(monkeypatch, fmt):
    """A chunk whose claims are a minority of its claim ids drops the other claims' evidence,
    ratings, notes and history while scanning them (postgres.selection_filter)."""
    varied_selection()
    queryset = selection("status=verified")
    ids = sorted(queryset.values_list("id", flat=True))
    assert len(ids) * 2 <= ids[-1] - ids[0]  # sparse in its range
    monkeypatch.setattr(postgres, "FIRST_STEP", 10**6)  # every article in one chunk
    fast, _ = exported(queryset, fmt, sql=True)
    slow, _ = exported(queryset, fmt, sql=False)
    assert fast == slow


@pytest.mark.postgres("chunks are COPYs over ranges of article ids")
@pytest.mark.django_db(transaction=True)
def test_chunks_follow_the_articles_and_leave_the_settings_alone(small_chunks):
    varied_selection()
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
    statements = []
    real = postgres._bind

    def bind(queryset, sql, params):
        statements.append(params)
        return real(queryset, sql, params)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(postgres, "_bind", bind)
        text, export = exported(selection("status=all"), "jsonl", sql=True)
    assert len(statements) >= 3 and export.tally.count == 17  # one COPY per article at least
    article_ids = [json.loads(line)["article_id"] for line in text.splitlines()]
    assert article_ids == sorted(article_ids)
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] == work_mem


@pytest.mark.postgres("other connections share the export's snapshot")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_chunks_on_several_connections_outside_a_transaction(small_chunks, fmt):
    """Committed data: the next chunks run on other connections with the same snapshot."""
    varied_selection()
    opened = []
    real = postgres._other_connections

    @contextmanager
    def others(queryset, snapshot):
        with real(queryset, snapshot) as connections:
            opened.append((snapshot, len(connections)))
            yield connections

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(postgres, "_other_connections", others)
        fast, fast_export = exported(selection("status=all"), fmt, sql=True)
    slow, slow_export = exported(selection("status=all"), fmt, sql=False)
    # A snapshot was exported and shared with the other connections.
    assert opened == [(opened[0][0], postgres.CONNECTIONS - 1)] and opened[0][0]
    assert fast == slow and fast_export.tally.hexdigest == slow_export.tally.hexdigest
    # A reader that goes away mid-export (chunks still running) leaves the connection clean.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(postgres, "BLOCK_ROWS", 1)
        stream = Export(selection("status=all"), "jsonl").stream()
        # One COPY row per article: the first block is the first article's claims.
        assert next(stream).count(b"\n") == 5
        stream.close()
    assert Claim.objects.count() == 18
    assert not connection.in_atomic_block


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "claimreview"])
@pytest.mark.parametrize("sql", [True, False])
def test_the_recorded_hash_is_the_files_sha256(fmt, sql):
    """`sha256sum` of a downloaded export prints the hash its ExportRecord keeps."""
    import hashlib

    varied_selection()
    text, export = exported(selection("status=all"), fmt, sql=sql, bom=True)
    assert export.tally.hexdigest == hashlib.sha256(text.encode()).hexdigest()
    # The same selection again: the same file, the same hash; a change changes it.
    assert exported(selection("status=all"), fmt, sql=sql, bom=True)[1].tally.hexdigest == (
        export.tally.hexdigest
    )
    Claim.objects.filter(status=ClaimStatus.VERIFIED).update(status=ClaimStatus.REFUTED)
    assert exported(selection("status=all"), fmt, sql=sql, bom=True)[1].tally.hexdigest != (
        export.tally.hexdigest
    )


@DIFFERENTIAL
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_sql_path_takes_chrome_claims_outside_the_neighbour_window(fmt):
    """The queue never exports chrome, but any queryset can: its text is read on its own."""
    varied_selection()
    queryset = Claim.objects.filter(kind=ClaimKind.CHROME) | selection("status=all")
    fast, fast_export = exported(queryset, fmt, sql=True)
    slow, _ = exported(queryset, fmt, sql=False)
    assert fast == slow and fast_export.tally.count == 18  # 17 + the chrome claim


# --- One definition: the schema drives both paths --------------------------------------------


def added_fields(monkeypatch) -> None:
    """Add a claim field and an article field to the record, one row each in the schema."""
    article = replace(
        schema.ARTICLE,
        fields=(
            *schema.ARTICLE.fields,
            schema.Field("source_name", schema.TEXT, "source_name", csv="article_source"),
        ),
    )
    record = [article if member is schema.ARTICLE else member for member in schema.RECORD]
    record.insert(3, schema.Field("version", schema.INT, "version", csv="claim_version"))
    monkeypatch.setattr(schema, "RECORD", tuple(record))


@pytest.mark.parametrize("sql", [False, pytest.param(True, marks=DIFFERENTIAL)])
@pytest.mark.parametrize("detail", ["full", "plain"])
def test_a_field_added_to_the_schema_shows_up_in_every_format(monkeypatch, detail, sql):
    varied_selection()
    added_fields(monkeypatch)
    queryset = selection("status=all")
    text, export = exported(queryset, "jsonl", sql=sql, detail=detail)
    assert export.uses_sql is sql
    versions = dict(queryset.values_list("id", "version"))
    sources = dict(queryset.values_list("article_id", "article__source_name"))
    records = [json.loads(line) for line in text.splitlines()]
    assert len(records) == 17
    for record in records:
        assert record["version"] == versions[record["id"]]
        assert record["article"]["source_name"] == sources[record["article_id"]]
    rows = list(csv.DictReader(io.StringIO(exported(queryset, "csv", sql=sql, detail=detail)[0])))
    assert [int(r["claim_version"]) for r in rows] == [versions[r["id"]] for r in records]
    assert [r["article_source"] for r in rows] == [sources[r["article_id"]] for r in records]
    if sql:  # and byte for byte what the Python path writes
        for fmt in ("csv", "jsonl", "json"):
            assert (
                exported(queryset, fmt, sql=True, detail=detail)[0]
                == (exported(queryset, fmt, sql=False, detail=detail)[0])
            )


@DIFFERENTIAL
@pytest.mark.parametrize("detail", ["full", "plain"])
@pytest.mark.parametrize("notes", [True, False])
def test_both_paths_write_every_schema_field_and_column(detail, notes):
    varied_selection()
    queryset = selection("status=all")

    def keys(members) -> dict:
        """{name: nested keys} of the schema's members (a list: its items' keys)."""
        out = {}
        for m in members:
            if isinstance(m, schema.List) and m.optional and not notes:
                continue
            if isinstance(m, schema.Object | schema.Summary | schema.Family):
                out[m.name] = keys(m.fields)
            elif isinstance(m, schema.List):
                out[m.name] = keys(m.items.fields)
            else:
                out[m.name] = None
        return out

    def merge(a, b):
        if isinstance(a, dict) and isinstance(b, dict):
            return {k: merge(a.get(k), b.get(k)) for k in a | b}
        return a or b

    def found(value) -> dict | None:
        """The keys of a record's value, nested (a list: its items' keys, merged)."""
        if isinstance(value, list):
            merged = None
            for item in value:
                merged = merge(merged, found(item))
            return merged
        if isinstance(value, dict):
            return {k: found(v) for k, v in value.items()}
        return None

    expected = keys(schema.record_fields(detail))
    for sql in (True, False):
        text, _ = exported(queryset, "jsonl", sql=sql, detail=detail, include_notes=notes)
        merged = None
        for line in text.splitlines():
            merged = merge(merged, found(json.loads(line)))
        # Every list has items in this selection: their keys are compared too.
        assert merged == expected, sql
        header = exported(queryset, "csv", sql=sql, detail=detail, include_notes=notes)[0]
        assert header.splitlines()[0].split(",") == schema.csv_columns(detail)


def semicolon_cells(cells: list[str]) -> list[str]:
    parts: list[str] = []
    for n, cell in enumerate(cells):
        parts += ([] if n == 0 else ["';'"]) + [cell]
    return parts


def spaced_members(real):
    """JSON members separated by ", " instead of ","."""

    def j_fields(members):
        return [p.replace("',\"", "', \"") for p in real(members)]

    return j_fields


@DIFFERENTIAL
@pytest.mark.parametrize(
    ("fmt", "name", "mutant"),
    [
        ("csv", "comma_separated", lambda real: semicolon_cells),
        ("jsonl", "j_fields", spaced_members),
        ("json", "j_fields", spaced_members),
    ],
)
def test_a_changed_separator_in_the_sql_fails_the_comparison(monkeypatch, fmt, name, mutant):
    """The differential tests can fail: one separator changed in the SQL generator, and the
    SQL path no longer writes what the Python path writes (SQLite cannot tell)."""
    varied_selection()
    queryset = selection("status=all")
    same, _ = exported(queryset, fmt, sql=True)
    monkeypatch.setattr(postgres, name, mutant(getattr(postgres, name)))
    fast, _ = exported(queryset, fmt, sql=True)
    slow, _ = exported(queryset, fmt, sql=False)
    assert same == slow
    assert fast != slow
