"""Exports of a selection that holds no claim, and the ExportRecord of what was delivered.

A search matching nothing (on PostgreSQL the search resolves to an empty `pk__in` list), an
article without claims, a publisher with none: each export is a valid, empty file with 200,
from the view and from `export_claims`, on SQLite and PostgreSQL. An ExportRecord is written
only once the stream's last chunk was produced: an export that fails or is abandoned half
way leaves none.
"""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import QueryDict, StreamingHttpResponse
from django.urls import reverse

from claims.exports import Export, export_queryset, postgres, recorded_stream
from claims.exports.formats import csv_header
from claims.models import ClaimStatus, ExportRecord
from claims.triage import parse_filters
from tests.claims.test_exports import article_claims, export_url
from tests.factories import ArticleFactory, PublisherFactory
from workbench.roles import sync_roles

pytestmark = pytest.mark.django_db

NO_MATCH = "zzzznomatch"
# What each format writes for no claims: CSV its header row, JSON Lines nothing, JSON and
# ClaimReview an empty array.
EMPTY = {
    "csv": csv_header("full").encode(),
    "jsonl": b"",
    "json": b"[\n]\n",
    "claimreview": b"[\n]\n",
}


@pytest.fixture
def client_for(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def verified(reviewer):
    return article_claims(publisher=PublisherFactory(name="Harbour Ledger"), reviewer=reviewer)


def body(response) -> bytes:
    assert isinstance(response, StreamingHttpResponse), type(response)
    return b"".join(response.streaming_content)


def assert_empty_file(fmt: str, content: bytes) -> None:
    assert content == EMPTY[fmt]
    if fmt in ("json", "claimreview"):
        assert json.loads(content) == []


def assert_one_record(content: bytes, **expected) -> ExportRecord:
    record = ExportRecord.objects.get()
    assert record.claim_count == expected.pop("claim_count", 0)
    assert record.content_hash == hashlib.sha256(content).hexdigest()
    for name, value in expected.items():
        assert getattr(record, name) == value, name
    return record


# --- The view --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(EMPTY))
def test_export_of_a_search_matching_nothing_is_a_valid_empty_file(client_for, verified, fmt):
    response = client_for.get(export_url(status="all", q=NO_MATCH, format=fmt))
    assert response.status_code == 200
    content = body(response)
    assert_empty_file(fmt, content)
    assert_one_record(content, filters={"q": [NO_MATCH], "status": list(ClaimStatus.values)})


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_export_of_an_article_without_claims_is_a_valid_empty_file(client_for, verified, fmt):
    empty = ArticleFactory(publisher=verified[0].article.publisher)
    response = client_for.get(export_url(status="all", article=empty.pk, format=fmt))
    assert response.status_code == 200
    assert_empty_file(fmt, body(response))


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "claimreview"])
def test_export_of_a_publisher_without_claims_is_a_valid_empty_file(client_for, verified, fmt):
    nobody = PublisherFactory(name="Quiet Press")
    response = client_for.get(export_url(status="all", publisher=nobody.pk, format=fmt))
    assert response.status_code == 200
    assert_empty_file(fmt, body(response))


def test_export_search_with_a_match_still_exports_it(client_for, verified):
    """The empty case is not everything: a search that matches exports its claims."""
    word = "produced"  # in verified[1]'s text ("The plant produced …")
    assert word in verified[1].text
    response = client_for.get(export_url(status="all", q=word, format="jsonl"))
    content = body(response)
    ids = [json.loads(line)["id"] for line in content.decode().splitlines()]
    assert verified[1].pk in ids
    assert_one_record(content, claim_count=len(ids))


# --- The command -----------------------------------------------------------------------------


def run_export(*args) -> bytes:
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    call_command("export_claims", *args, stdout=stdout)
    stdout.flush()
    return raw.getvalue()


@pytest.mark.parametrize("fmt", list(EMPTY))
def test_command_export_of_a_search_matching_nothing_is_a_valid_empty_file(verified, fmt):
    content = run_export("--format", fmt, "--q", NO_MATCH)
    assert_empty_file(fmt, content)
    assert_one_record(content, origin="cli")


def test_command_export_to_a_file_of_a_search_matching_nothing(tmp_path, verified, capsys):
    path = tmp_path / "none.csv"
    call_command("export_claims", "--format", "csv", "--q", NO_MATCH, "-o", str(path))
    assert_empty_file("csv", path.read_bytes())
    assert_one_record(path.read_bytes(), origin="cli")
    assert capsys.readouterr().err.startswith(f"0 claims exported to {path}")


@pytest.mark.parametrize("plain", [False, True])
def test_command_plain_export_of_an_article_without_claims(verified, plain):
    empty = ArticleFactory()
    args = ["--format", "csv", "--article", str(empty.pk)] + (["--plain"] if plain else [])
    content = run_export(*args)
    assert content == csv_header("plain" if plain else "full").encode()


# --- Record only what was delivered ----------------------------------------------------------


class Broken(RuntimeError):
    pass


@pytest.fixture
def breaks_after_first_chunk(monkeypatch):
    """The export's stream fails after its first chunk (a lost connection to the database,
    a bug in a writer): what the client or the file got is incomplete."""
    real = Export.stream

    def stream(self):
        chunks = real(self)
        yield next(chunks)
        raise Broken("the database went away")

    monkeypatch.setattr(Export, "stream", stream)


def test_export_failing_mid_stream_leaves_no_record(client_for, verified, breaks_after_first_chunk):
    response = client_for.get(export_url(status="all", format="csv"))
    assert response.status_code == 200
    chunks = iter(response.streaming_content)
    assert next(chunks) == EMPTY["csv"]  # the header
    with pytest.raises(Broken):
        next(chunks)
    assert not ExportRecord.objects.exists()


def test_export_abandoned_by_its_reader_leaves_no_record(verified, reviewer):
    """The client went away: the server stops reading and closes the response, which closes
    the view's stream (`recorded_stream`) at its `yield`."""
    queryset = export_queryset(parse_filters(QueryDict("status=all")), reviewer)
    stream = recorded_stream(
        Export(queryset, "csv"),
        user=reviewer,
        fmt="csv",
        filters={},
        include_notes=True,
        origin="web",
    )
    assert next(stream) == EMPTY["csv"]  # the header
    stream.close()
    assert not ExportRecord.objects.exists()


def test_export_started_but_not_streamed_has_no_record_yet(client_for, verified, reviewer):
    response = client_for.get(export_url(status="all", format="jsonl"))
    assert not ExportRecord.objects.exists()
    content = body(response)
    record = assert_one_record(content, claim_count=len(verified), user=reviewer, origin="web")
    assert record.format == "jsonl"


def test_command_failing_mid_stream_leaves_no_record(tmp_path, verified, breaks_after_first_chunk):
    path = tmp_path / "x.csv"
    with pytest.raises(Broken):
        call_command("export_claims", "--format", "csv", "-o", str(path))
    assert not ExportRecord.objects.exists()
    assert list(tmp_path.iterdir()) == []  # no half-written file either


def test_command_refused_before_streaming_leaves_no_record(verified):
    with pytest.raises(CommandError):
        call_command("export_claims", "--assignee", "mine")
    assert not ExportRecord.objects.exists()


@pytest.mark.postgres("the SQL path compiles the selection into a CTE")
def test_sql_path_streams_the_empty_search(verified):
    """On PostgreSQL the search of a rare word is an id list; empty, it is no claims."""
    filters = parse_filters(QueryDict(f"status=all&q={NO_MATCH}"))
    for fmt in ("csv", "jsonl", "json"):
        export = Export(export_queryset(filters, None), fmt)
        assert export.uses_sql, connection.vendor
        assert b"".join(export.stream()) == EMPTY[fmt]
        assert export.tally.count == 0


def test_report_of_a_search_matching_nothing_is_an_empty_report(client_for, verified):
    response = client_for.get(reverse("claims:report") + f"?status=all&q={NO_MATCH}")
    assert response.status_code == 200
    record = ExportRecord.objects.get()
    assert (record.format, record.claim_count) == ("report", 0)


# --- Outside a transaction, as in production: the SQL path's chunks on several connections -----


@pytest.fixture
def role_groups(transactional_db):
    """The role groups, which the flush of a transactional test removes (users need them)."""
    sync_roles(Group, Permission)


@pytest.fixture
def articles_in_chunks(monkeypatch, reviewer):
    """Five articles of three claims, one article id per chunk (postgres.FIRST_STEP)."""
    monkeypatch.setattr(postgres, "FIRST_STEP", 1)
    monkeypatch.setattr(postgres, "CHUNK_CLAIMS", 1)
    publisher = PublisherFactory(name="Harbour Ledger")
    return [c for _ in range(5) for c in article_claims(publisher=publisher, reviewer=reviewer)]


@pytest.mark.postgres("the SQL path streams chunks outside a transaction")
@pytest.mark.django_db(transaction=True)
def test_export_in_chunks_is_recorded_once_streamed(
    role_groups, client_for, articles_in_chunks, reviewer
):
    response = client_for.get(export_url(status="all", format="jsonl"))
    assert not ExportRecord.objects.exists()
    content = body(response)
    assert len(content.splitlines()) == len(articles_in_chunks)
    assert_one_record(content, claim_count=len(articles_in_chunks), user=reviewer)


@pytest.mark.postgres("the SQL path streams chunks outside a transaction")
@pytest.mark.django_db(transaction=True)
def test_export_whose_copy_fails_mid_stream_leaves_no_record(
    role_groups, client_for, articles_in_chunks, monkeypatch
):
    """The fourth chunk's COPY fails once the first chunks were read (three start at once)."""
    real, calls = postgres._bind, []

    def bind(queryset, sql, params):
        calls.append(params)
        if len(calls) == 4:
            raise Broken("the database went away")
        return real(queryset, sql, params)

    monkeypatch.setattr(postgres, "_bind", bind)
    response = client_for.get(export_url(status="all", format="csv"))
    chunks = iter(response.streaming_content)
    assert next(chunks) == EMPTY["csv"]  # the header went out: the response is a 200
    with pytest.raises(Broken):
        list(chunks)
    assert not ExportRecord.objects.exists()


@pytest.mark.postgres("the SQL path streams chunks outside a transaction")
@pytest.mark.django_db(transaction=True)
def test_export_of_a_search_matching_nothing_outside_a_transaction(
    role_groups, client_for, verified
):
    response = client_for.get(export_url(status="all", q=NO_MATCH, format="json"))
    content = body(response)
    assert_empty_file("json", content)
    assert_one_record(content)
