"""Exports (CSV, JSON Lines, JSON, ClaimReview) and the verified-claim report."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from django.db import connection
from django.http import QueryDict, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from claims import services
from claims.exports import Export
from claims.exports.formats import CLAIMREVIEW_RATINGS
from claims.exports.schema import neutralise
from claims.models import Claim, ClaimKind, ClaimStatus, ExportRecord, Independence
from claims.triage import parse_filters, triage_queryset
from sources.registry import PublisherRegistry
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    CorroborationFactory,
    NoteFactory,
    PublisherFactory,
    RatingFactory,
)

pytestmark = pytest.mark.django_db

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "export-schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text())
# The keys every record has, full or plain: the documented list, which holds the old keys
# (id, article_id, start, end, text, kind, status, credibility, score, speaker).
DOCUMENTED_KEYS = frozenset(SCHEMA["required"])
REGISTRY = Resource.from_contents(SCHEMA) @ Registry()
RECORD_VALIDATOR = Draft202012Validator(SCHEMA, format_checker=FormatChecker())
ARRAY_VALIDATOR = Draft202012Validator(
    {"$ref": SCHEMA["$id"] + "#/$defs/export"}, registry=REGISTRY, format_checker=FormatChecker()
)

# schema.org definitions (https://schema.org/ClaimReview, /Rating, /Claim), written down as
# test data: the properties we use, each with the types schema.org allows for it. A property
# is allowed on a type when schema.org defines it there or on a supertype
# (ClaimReview → Review → CreativeWork → Thing; Claim → CreativeWork → Thing;
# Rating → Intangible → Thing; NewsArticle → Article → CreativeWork).
SCHEMA_ORG = {
    "ClaimReview": {
        "claimReviewed": {"Text"},  # ClaimReview
        "reviewRating": {"Rating"},  # Review
        "itemReviewed": {"Thing"},  # Review
        "author": {"Organization", "Person"},  # CreativeWork
        "creator": {"Organization", "Person"},  # CreativeWork
        "datePublished": {"Date", "DateTime"},  # CreativeWork
        "reviewBody": {"Text"},  # Review
        "url": {"URL"},  # Thing
    },
    "Rating": {
        "ratingValue": {"Number", "Text"},
        "bestRating": {"Number", "Text"},
        "worstRating": {"Number", "Text"},
        "alternateName": {"Text"},  # Thing
    },
    "Claim": {
        "appearance": {"CreativeWork"},  # Claim
        "firstAppearance": {"CreativeWork"},  # Claim
        "author": {"Organization", "Person"},  # CreativeWork
        "datePublished": {"Date", "DateTime"},  # CreativeWork
    },
    "NewsArticle": {
        "headline": {"Text"},  # CreativeWork
        "url": {"URL"},  # Thing
        "datePublished": {"Date", "DateTime"},  # CreativeWork
        "publisher": {"Organization", "Person"},  # CreativeWork
    },
    "Organization": {"name": {"Text"}, "url": {"URL"}},
    "Person": {"name": {"Text"}},
}
SUBTYPES = {
    "Thing": {"Thing", "Claim", "CreativeWork", "NewsArticle", "Organization", "Person", "Rating"},
    "CreativeWork": {"CreativeWork", "Article", "NewsArticle", "Claim"},
}
# What Google's ClaimReview guidelines and the issue require of each object.
REQUIRED = {
    "ClaimReview": {"claimReviewed", "reviewRating", "itemReviewed", "author", "url"},
    "Rating": {"ratingValue", "bestRating", "worstRating", "alternateName"},
    "Claim": {"appearance"},
}


def check_schema_org(value, expected_types: set[str], path: str = "$") -> None:
    """Assert `value` is one of `expected_types` and its properties fit schema.org's definitions."""
    if "Text" in expected_types and isinstance(value, str):
        return
    if {"Date", "DateTime"} & expected_types and isinstance(value, str):
        timezone.datetime.fromisoformat(value)
        return
    if "URL" in expected_types and isinstance(value, str):
        assert value.startswith(("http://", "https://")), f"{path}: {value!r} is not a URL"
        return
    if "Number" in expected_types and isinstance(value, int | float):
        return
    if isinstance(value, list):  # a property with several values (JSON-LD: an array)
        for n, each in enumerate(value):
            check_schema_org(each, expected_types, f"{path}[{n}]")
        return
    assert isinstance(value, dict), f"{path}: expected {expected_types}, got {value!r}"
    kind = value.get("@type")
    allowed_kinds = set().union(*(SUBTYPES.get(t, {t}) for t in expected_types))
    assert kind in allowed_kinds, f"{path}: @type {kind!r} is not one of {expected_types}"
    properties = SCHEMA_ORG[kind]
    for name, item in value.items():
        if name.startswith("@"):
            continue
        assert name in properties, f"{path}: schema.org {kind} has no property {name!r}"
        check_schema_org(item, properties[name], f"{path}.{name}")
    missing = REQUIRED.get(kind, set()) - set(value)
    assert not missing, f"{path}: {kind} lacks {missing}"


# --- Data ------------------------------------------------------------------------------------


def article_claims(*, publisher, reviewer, status=ClaimStatus.VERIFIED, url="") -> list[Claim]:
    """An article with three claims (headline and two sentences), each with evidence, a
    rating and a note, its verdict set by `reviewer`."""
    article = ArticleFactory(publisher=publisher, url=url)
    text = article.text
    head_end = text.index("\n")
    first_end = text.index(".", head_end) + 1
    spans = [
        (0, head_end, ClaimKind.HEADLINE),
        (head_end + 1, first_end, ClaimKind.STATEMENT),
        (first_end + 1, len(text), ClaimKind.STATEMENT),
    ]
    claims = []
    for start, end, kind in spans:
        claim = ClaimFactory(
            article=article,
            start=start,
            end=end,
            text=text[start:end],
            kind=kind,
            status=status,
            reviewed_by=reviewer,
            reviewed_at=timezone.now(),
            speaker="Ministry of Commerce" if kind == ClaimKind.STATEMENT else "",
        )
        CorroborationFactory(
            claim=claim,
            independence=Independence.INDEPENDENT,
            independence_reason="different publisher, no shared owner",
            published_on=timezone.now().date(),
        )
        RatingFactory(claim=claim, reviewer=reviewer, confidence="high", rationale="Filings.")
        NoteFactory(claim=claim, author=reviewer, text="Checked against the company filing.")
        claims.append(claim)
    return claims


@pytest.fixture
def publisher():
    return PublisherFactory(name="Global Times", domains=["globaltimes.cn"])


@pytest.fixture
def verified(reviewer, publisher) -> list[Claim]:
    return article_claims(
        publisher=publisher, reviewer=reviewer, url="https://www.globaltimes.cn/page/1.html"
    )


@pytest.fixture
def client_for(client, reviewer):
    client.force_login(reviewer)
    return client


def export_url(**params) -> str:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query.setlist(key, value if isinstance(value, list) else [str(value)])
    return f"{reverse('claims:export')}?{query.urlencode()}"


def body(response) -> bytes:
    assert isinstance(response, StreamingHttpResponse), type(response)
    return b"".join(response.streaming_content)


def jsonl(response) -> list[dict]:
    return [json.loads(line) for line in body(response).decode().splitlines()]


# --- JSON / JSON Lines and the schema --------------------------------------------------------


def test_jsonl_records_validate_against_the_export_schema(client_for, verified, reviewer):
    records = jsonl(client_for.get(export_url(status="verified", format="jsonl")))
    assert [r["id"] for r in records] == [c.pk for c in verified]
    for record in records:
        RECORD_VALIDATOR.validate(record)
        assert record["schema_version"] == SCHEMA["properties"]["schema_version"]["const"]
    middle = records[1]
    assert middle["context"] == {"before": verified[0].text, "after": verified[2].text}
    assert records[0]["context"]["before"] is None
    assert records[2]["context"]["after"] is None
    assert middle["article"]["publisher"] == "Global Times"
    assert middle["article"]["url"] == "https://www.globaltimes.cn/page/1.html"
    assert (middle["credibility"], middle["credibility_label"]) == (None, "Not rated yet")
    [evidence] = middle["corroborations"]
    assert evidence["independence"] == "independent"
    assert evidence["independence_reason"] == "different publisher, no shared owner"
    assert middle["ratings"]["reviewers"] == [
        {
            "reviewer": "rita",
            "confidence": "high",
            "rationale": "Filings.",
            "rated_at": middle["ratings"]["reviewers"][0]["rated_at"],
        }
    ]
    assert middle["notes"][0]["text"] == "Checked against the company filing."
    assert middle["reviewed_by"] == "rita"
    assert middle["reviewed_at"] is not None
    # Created claim, evidence, rating and note: four recorded changes.
    assert middle["history_changes"] == 4


def test_json_export_is_one_array_valid_against_the_schema(client_for, verified):
    data = json.loads(body(client_for.get(export_url(status="verified", format="json"))))
    ARRAY_VALIDATOR.validate(data)
    assert len(data) == len(verified)


def test_schema_refuses_a_record_it_does_not_describe(client_for, verified):
    [record, *_] = jsonl(client_for.get(export_url(status="verified", format="jsonl")))
    for broken in (
        {k: v for k, v in record.items() if k != "schema_version"},
        record | {"status": "probably"},
        record | {"surprise": 1},
        record | {"detail": "plain"},  # a plain record carries no evidence
    ):
        assert list(RECORD_VALIDATOR.iter_errors(broken)), broken


def test_notes_can_be_left_out(client_for, verified):
    records = jsonl(client_for.get(export_url(status="verified", format="jsonl", notes=0)))
    assert records and all("notes" not in r for r in records)
    for record in records:
        RECORD_VALIDATOR.validate(record)
    text = body(client_for.get(export_url(status="verified", format="csv", notes=0))).decode()
    assert "company filing" not in text
    assert ExportRecord.objects.filter(include_notes=False).count() == 2


# --- CSV -------------------------------------------------------------------------------------


def test_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas(client_for, reviewer):
    text = '=HYPERLINK("http://evil.example","Click")\n-5 tonnes left.\n@SUM(A1:A9) rose.\n+1 more'
    article = ArticleFactory(text=text, received_text=text, title="=cmd|' /C calc'!A0")
    lines, offset = [], 0
    for line in text.split("\n"):
        lines.append((offset, offset + len(line)))
        offset += len(line) + 1
    for start, end in lines:
        claim = ClaimFactory(
            article=article, start=start, end=end, text=text[start:end], speaker="\tTab"
        )
        NoteFactory(claim=claim, author=reviewer, text="=1+1")
    response = client_for.get(export_url(format="csv"))
    rows = list(csv.reader(io.StringIO(body(response).decode())))
    header, data = rows[0], rows[1:]
    assert len(data) == 4
    cells = [cell for row in data for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    by_column = [dict(zip(header, row, strict=True)) for row in data]
    assert by_column[0]["text"] == "'" + text.split("\n")[0]
    assert [r["text"][:2] for r in by_column] == ["'=", "'-", "'@", "'+"]
    assert by_column[0]["article_title"] == "'=cmd|' /C calc'!A0"
    assert by_column[0]["speaker"] == "'\tTab"
    # Numbers stay numbers; harmless text is untouched.
    assert by_column[0]["score"] == "50"
    assert neutralise("Output rose") == "Output rose"
    assert neutralise("\rX") == "'\rX"
    assert neutralise(-5) == -5


def test_csv_for_excel_starts_with_a_bom(client_for, verified):
    plain = body(client_for.get(export_url(status="verified", format="csv")))
    excel = body(client_for.get(export_url(status="verified", format="csv", bom=1)))
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert excel.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(excel.decode("utf-8-sig"))))
    assert [int(r["id"]) for r in rows] == [c.pk for c in verified]
    assert rows[1]["sentence_before"] == verified[0].text
    assert (
        "supports | independent (different publisher, no shared owner)" in rows[1]["corroborations"]
    )
    assert rows[1]["ratings"] == "rita: high"
    assert ExportRecord.objects.filter(format="csv-bom").count() == 1


# --- Streaming, recording, filters, permissions ----------------------------------------------


def test_export_is_streamed_lazily_and_recorded_when_done(client_for, verified, reviewer):
    response = client_for.get(export_url(status="verified", format="jsonl"))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"].startswith('attachment; filename="claims-')
    assert response["Content-Type"].startswith("application/x-ndjson")
    # Nothing was delivered yet: the record is written at the end of the stream.
    assert not ExportRecord.objects.exists()
    content = body(response)
    record = ExportRecord.objects.get()
    assert record.user == reviewer
    assert record.origin == "web"
    assert record.format == "jsonl"
    assert record.filters == {"status": ["verified"]}
    assert record.include_notes is True
    assert record.claim_count == len(verified)
    # JSON Lines are the canonical records, so the hash is the file's own SHA-256.
    assert record.content_hash == hashlib.sha256(content).hexdigest()


def test_export_takes_the_queue_filter(client_for, verified, reviewer):
    other = PublisherFactory(name="Korea Herald")
    article_claims(publisher=other, reviewer=reviewer)
    article_claims(publisher=other, reviewer=reviewer, status=ClaimStatus.UNREVIEWED)
    chrome = ClaimFactory(kind=ClaimKind.CHROME, status=ClaimStatus.VERIFIED)
    params = {"status": ["verified", "refuted"], "publisher": other.pk}
    records = jsonl(client_for.get(export_url(format="jsonl", **params)))
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query.setlist(key, value if isinstance(value, list) else [str(value)])
    queue = triage_queryset(parse_filters(query), reviewer)
    assert sorted(r["id"] for r in records) == sorted(queue.values_list("pk", flat=True))
    assert len(records) == 3
    assert {r["article"]["publisher"] for r in records} == {"Korea Herald"}
    # The queue's default filter (open claims), and chrome never.
    default = jsonl(client_for.get(export_url(format="jsonl")))
    assert {r["status"] for r in default} == {"unreviewed"}
    everything = jsonl(client_for.get(export_url(format="jsonl", status="all")))
    assert chrome.pk not in {r["id"] for r in everything}
    assert len(everything) == 9


def test_export_needs_login_and_the_export_permission(client, verified, make_user):
    url = export_url(format="csv")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    assert client.get(url).status_code == 403
    assert client.get(reverse("claims:report")).status_code == 403
    client.force_login(make_user("lena", "lead"))
    assert client.get(url).status_code == 200
    assert client.get(export_url(format="xml")).status_code == 400


# --- ClaimReview -----------------------------------------------------------------------------


def test_claimreview_fits_schema_org_and_publishes_verdicts_only(client_for, reviewer, publisher):
    claims = [
        *article_claims(publisher=publisher, reviewer=reviewer),
        *article_claims(publisher=publisher, reviewer=reviewer, status=ClaimStatus.REFUTED),
        *article_claims(publisher=publisher, reviewer=reviewer, status=ClaimStatus.DISPUTED),
        *article_claims(publisher=publisher, reviewer=reviewer, status=ClaimStatus.UNVERIFIABLE),
    ]
    response = client_for.get(export_url(format="claimreview", status="all"))
    assert response["Content-Type"].startswith("application/ld+json")
    reviews = json.loads(body(response))
    assert len(reviews) == 9
    by_id = {c.pk: c for c in claims}
    for review in reviews:
        assert review["@context"] == "https://schema.org"
        assert review["@type"] == "ClaimReview"
        check_schema_org(review, {"ClaimReview"})
        claim = by_id[int(review["url"].rstrip("/").rsplit("/", 1)[1])]
        assert review["claimReviewed"] == claim.text
        rating = review["reviewRating"]
        assert rating["ratingValue"] == CLAIMREVIEW_RATINGS[claim.status]
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        assert rating["alternateName"] == claim.get_status_display()
        assert review["url"].endswith(f"/claims/{claim.pk}/")
        item = review["itemReviewed"]
        assert item["appearance"]["headline"] == claim.article.title
        assert item["appearance"]["publisher"] == {"@type": "Organization", "name": "Global Times"}
        assert review["datePublished"] == claim.reviewed_at.date().isoformat()
    values = {r["reviewRating"]["alternateName"]: r["reviewRating"]["ratingValue"] for r in reviews}
    assert values == {"Refuted": 1, "Disputed": 3, "Verified": 5}
    speakers = [r["itemReviewed"].get("author") for r in reviews]
    assert {"@type": "Organization", "name": "Ministry of Commerce"} in speakers


def claimreview_of(client, claim: Claim) -> dict:
    reviews = json.loads(body(client.get(export_url(format="claimreview", status="all"))))
    [review] = [r for r in reviews if r["url"].endswith(f"/claims/{claim.pk}/")]
    check_schema_org(review, {"ClaimReview"})
    return review


def test_claimreview_appears_at_the_articles_own_url_never_the_workbench_page(
    client_for, reviewer, publisher
):
    [online, *_] = article_claims(
        publisher=publisher, reviewer=reviewer, url="https://www.globaltimes.cn/page/7.html"
    )
    [offline, *_] = article_claims(publisher=publisher, reviewer=reviewer, url="")
    appearance = claimreview_of(client_for, online)["itemReviewed"]["appearance"]
    assert appearance["url"] == "https://www.globaltimes.cn/page/7.html"
    appearance = claimreview_of(client_for, offline)["itemReviewed"]["appearance"]
    assert "url" not in appearance  # where it appeared is unknown: not /sources/articles/N/
    assert "/sources/articles/" not in json.dumps(claimreview_of(client_for, offline))


def test_claimreview_types_a_speaker_the_registry_knows_as_an_organisation(
    client_for, reviewer, publisher
):
    PublisherFactory(name="Nippon Hoso Kyokai", aliases=["NHK"], domains=["nhk.or.jp"])
    claims = article_claims(publisher=publisher, reviewer=reviewer)
    speakers = {
        claims[0]: "Japanese public broadcaster NHK",
        claims[1]: "NHK correspondent Aiko Tanabe",
        claims[2]: "Aiko Tanabe",
    }
    for claim, speaker in speakers.items():
        Claim.objects.filter(pk=claim.pk).update(speaker=speaker)
    authors = {
        speaker: claimreview_of(client_for, claim)["itemReviewed"]["author"]
        for claim, speaker in speakers.items()
    }
    assert authors == {
        "Japanese public broadcaster NHK": {
            "@type": "Organization",
            "name": "Japanese public broadcaster NHK",
        },
        "NHK correspondent Aiko Tanabe": {
            "@type": "Person",
            "name": "NHK correspondent Aiko Tanabe",
        },
        "Aiko Tanabe": {"@type": "Person", "name": "Aiko Tanabe"},
    }


def test_claimreview_states_the_claim_on_one_line_and_publishes_the_verdicts_reason(
    client_for, reviewer, publisher
):
    article = ArticleFactory(
        publisher=publisher, text="Port traffic rose\nsharply in the\n  third quarter."
    )
    claim = ClaimFactory(article=article, start=0, end=len(article.text), text=article.text)
    CorroborationFactory(claim=claim, independence=Independence.INDEPENDENT)
    services.claim_set_status(
        claim=claim,
        status=ClaimStatus.VERIFIED,
        reason="The port authority's quarterly figures agree.",
        by=reviewer,
        version=claim.version,
    )
    review = claimreview_of(client_for, claim)
    assert review["claimReviewed"] == "Port traffic rose sharply in the third quarter."
    assert review["reviewBody"] == "The port authority's quarterly figures agree."
    claim.refresh_from_db()
    assert claim.text == article.text  # the claim keeps the article's own line breaks


def test_queue_export_menu_explains_a_claimreview_without_verdicts(client_for, verified):
    page = client_for.get(reverse("claims:list")).content.decode()  # the default: open claims
    assert 'id="claimreview-none"' in page
    assert "publishes verified, disputed and refuted claims only" in page
    link = re.search(r'id="claimreview-none".*?href="([^"]+)"', page, re.S).group(1)
    reviews = json.loads(body(client_for.get(link.replace("&amp;", "&"))))
    assert sorted(int(r["url"].rstrip("/").rsplit("/", 1)[1]) for r in reviews) == sorted(
        c.pk for c in verified
    )
    page = client_for.get(reverse("claims:list") + "?status=verified").content.decode()
    assert 'id="claimreview-none"' not in page
    assert "format=claimreview" in page


def test_schema_org_check_catches_a_wrong_property():
    with pytest.raises(AssertionError, match="no property"):
        check_schema_org({"@type": "Rating", "ratingValue": 5, "verdict": "true"}, {"Rating"})
    with pytest.raises(AssertionError, match="lacks"):
        check_schema_org({"@type": "Rating", "ratingValue": 5}, {"Rating"})


# --- The report ------------------------------------------------------------------------------


def report_hash(client, query: str = "status=verified") -> str:
    html = client.get(f"{reverse('claims:report')}?{query}").content.decode()
    marker = 'id="report-hash" class="hash">sha256:'
    return html[html.index(marker) + len(marker) :][:64]


def test_report_shows_the_selection_grouped_by_article(client_for, verified, reviewer):
    article_claims(publisher=PublisherFactory(name="Korea Herald"), reviewer=reviewer)
    response = client_for.get(reverse("claims:report") + "?status=verified&status=refuted")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Claim report — status: Verified, Refuted</h1>" in html
    assert "<b>Status:</b> Verified, Refuted" in html
    assert '<span id="report-total">6</span>' in html
    assert html.count('<section class="article"') == 2
    assert html.count('<article class="claim"') == 6
    assert html.count("<svg") == 1 and "bar bar-verified" in html
    assert ">Global Times<" in html and ">Korea Herald<" in html  # chart labels
    assert "different publisher, no shared owner" in html
    assert f"<mark>{verified[1].text}</mark>" in html
    assert "style=" not in html  # CSP forbids inline styles
    assert "Change log" in html
    record = ExportRecord.objects.get()
    assert (record.format, record.claim_count, record.user) == ("report", 6, reviewer)


def test_report_hash_is_stable_and_changes_with_a_claim(client_for, verified, reviewer):
    first = report_hash(client_for)
    assert first == report_hash(client_for)
    # The same selection exported as JSON Lines hashes the same.
    export = body(client_for.get(export_url(status="verified", format="jsonl")))
    assert hashlib.sha256(export).hexdigest() == first
    services.claim_set_credibility(claim=verified[0], credibility=2, by=reviewer, version=None)
    assert report_hash(client_for) != first


def test_report_pdf_is_a_pdf(client_for, verified):
    """Three claims: made in the request, then downloaded from the job (test_report_pdf.py)."""
    response = client_for.post(reverse("claims:report_pdf") + "?status=verified", follow=True)
    download = reverse("claims:report_download", args=[response.context["job"].pk])
    assert download in response.content.decode()
    response = client_for.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="claims-report-')
    assert response.content.startswith(b"%PDF")
    assert ExportRecord.objects.get().format == "pdf"


# --- Query counts ----------------------------------------------------------------------------


def count_queries(client, url: str, *, stream: bool) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if stream:
            body(response)
        else:
            assert response.status_code == 200
    return len(queries)


# Session, user and the user's permissions (4), whether blind review hides anything from the
# user (desk.blind, 1), claims (1), prefetches of corroborations, ratings, notes (3),
# neighbours (1), history counts (4), family facts (1), export record insert (1) = 16.
EXPORT_QUERIES = 16
# The SQL path: session, user, permissions (4), blind review (1), COPY (1), export record (1).
EXPORT_QUERIES_SQL = 7
# Session, user, permissions (4), blind review (1), counts by status (1), claims + prefetches +
# neighbours + history counts + family facts (10), change log (4), chart (1), export record
# insert and update (2) = 23.
REPORT_QUERIES = 23


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "claimreview"])
def test_export_query_count_does_not_grow_with_the_claims(client_for, reviewer, publisher, fmt):
    url = export_url(status="verified", format=fmt)
    article_claims(publisher=publisher, reviewer=reviewer)
    PublisherRegistry.shared()  # loaded once a process; each export asks only its version
    few = count_queries(client_for, url, stream=True)
    for _ in range(9):
        article_claims(publisher=PublisherFactory(), reviewer=reviewer)
    assert Claim.objects.filter(status=ClaimStatus.VERIFIED).count() == 30
    PublisherRegistry.shared()
    many = count_queries(client_for, url, stream=True)
    # On PostgreSQL, full CSV/JSON Lines/JSON records are built in SQL (claims/exports/postgres.py):
    # one COPY instead of the claims, prefetch, neighbour and history queries.
    expected = EXPORT_QUERIES_SQL if Export(Claim.objects.all(), fmt).uses_sql else EXPORT_QUERIES
    if fmt == "claimreview":
        expected += 1  # the registry's version: which speakers are outlets
        expected += 1  # the published fact-checks of the batch (publishing/)
    assert few == many == expected


def test_report_query_count_does_not_grow_with_the_claims(client_for, reviewer, publisher):
    url = reverse("claims:report") + f"?status=verified&publisher={publisher.pk}"
    article_claims(publisher=publisher, reviewer=reviewer)
    few = count_queries(client_for, url, stream=False)
    for _ in range(9):
        article_claims(publisher=publisher, reviewer=reviewer)
    many = count_queries(client_for, url, stream=False)
    # The publisher filter names the publisher in the header: one query more.
    assert few == many == REPORT_QUERIES + 1


# --- The command line ------------------------------------------------------------------------


def run_export(*args) -> str:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("export_claims", *args, stdout=out)
    return out.getvalue()


def test_command_writes_bytes_to_a_binary_standard_output(verified):
    """Piped or redirected, standard output gets the export's bytes, identical to -o's file."""
    from django.core.management import call_command

    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    call_command("export_claims", "--format", "csv", "--bom", stdout=stdout)
    stdout.flush()
    text = run_export("--format", "csv", "--bom")
    assert raw.getvalue() == text.encode() and raw.getvalue().startswith(b"\xef\xbb\xbf")
    assert raw.getvalue().count(b"\r\n") == len(verified) + 1
    record = ExportRecord.objects.order_by("pk").first()
    assert record.content_hash == hashlib.sha256(raw.getvalue()).hexdigest()


def test_command_exports_csv_with_bom_and_filters_like_the_queue(tmp_path, verified, reviewer):
    article_claims(publisher=PublisherFactory(name="Other"), reviewer=reviewer, status="refuted")
    path = tmp_path / "claims.csv"
    run_export("--format", "csv", "--bom", "--status", "verified", "--no-notes", "-o", str(path))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [int(r["id"]) for r in rows] == [c.pk for c in verified]
    assert all(r["notes"] == "" for r in rows)
    record = ExportRecord.objects.get()
    assert (record.origin, record.format, record.claim_count) == ("cli", "csv", 3)
    assert record.filters == {"status": ["verified"]}
    assert record.include_notes is False


def test_command_jsonl_keeps_the_old_keys_and_fits_the_schema(verified):
    lines = run_export("--format", "jsonl").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 3  # every status by default, unlike the queue
    for record in records:
        RECORD_VALIDATOR.validate(record)
        assert set(record) >= DOCUMENTED_KEYS
    plain = [json.loads(line) for line in run_export("--plain", "--kind", "headline").splitlines()]
    assert [r["id"] for r in plain] == [verified[0].pk]
    RECORD_VALIDATOR.validate(plain[0])
    assert plain[0]["detail"] == "plain" and "corroborations" not in plain[0]
    claimreview = json.loads(run_export("--format", "claimreview", "--base-url", "https://x.test"))
    assert claimreview[0]["url"] == f"https://x.test/claims/{verified[0].pk}/"


def test_plain_csv_fast_path_matches_the_plain_records(verified):
    from claims.exports.formats import csv_row
    from claims.exports.records import iter_plain_records

    verified[0].speaker = "=cmd"
    verified[0].save()
    output = run_export("--plain", "--format", "csv")
    rows = list(csv.reader(io.StringIO(output, newline="")))
    expected = [
        [str(cell) if cell is not None else "" for cell in csv_row(record)]
        for record in iter_plain_records(Claim.objects.order_by("article_id", "start"))
    ]
    assert rows[1:] == expected
    assert rows[1][rows[0].index("speaker")] == "'=cmd"
    record = ExportRecord.objects.get()
    assert (record.format, record.claim_count) == ("csv-plain", 3)
    # Every file export records the SHA-256 of the file itself.
    assert record.content_hash == hashlib.sha256(output.encode()).hexdigest()
