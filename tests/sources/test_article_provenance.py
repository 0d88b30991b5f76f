"""The article page says who published the page and whose text it is, and why."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from imports.in_process import articles_import
from sources.ingest.provenance import text_origin
from tests.factories import ArticleFactory, PublisherFactory

pytestmark = pytest.mark.django_db

# Invented wire copy.
WIRE = (
    "Smelter output rises\n\n"
    "Paragraph one says the smelter restarted.\n\n"
    "Paragraph two says output rose 4 percent.\n\n"
    "Paragraph three says prices held.\n\n"
    "Paragraph four says exports fell.\n\n"
    "Paragraph five says the port reopened.\n\n"
    "Output rose again in May, the company said. (AFP)\n\n"
    "Stocks were flat.\n"
)


@pytest.fixture
def client(make_user):
    client = Client()
    client.force_login(make_user("rita", "reviewer"))
    return client


def _wire_article(**extra):
    name, evidence = text_origin(WIRE)
    return ArticleFactory(
        text=WIRE,
        publisher=PublisherFactory(name="Harbour Gazette"),
        publisher_evidence={
            "kind": "html-meta",
            "field": "og:site_name",
            "why": "from og:site_name",
        },
        origin=PublisherFactory(name=name),
        origin_evidence=evidence,
        **extra,
    )


def test_article_page_shows_origin_and_publisher_with_their_evidence(client):
    article = _wire_article()
    html = client.get(f"/sources/articles/{article.pk}/").content.decode()
    assert (
        "origin: " in html
        and "Agence France-Presse</a> — from &#x27;(AFP)&#x27; at the end of paragraph 7" in html
    )
    assert '<mark class="credit">(AFP)</mark>' in html
    assert "publisher: Harbour Gazette — from og:site_name" in html


def test_an_uncredited_article_says_no_credit_names_its_origin(client):
    article = ArticleFactory(text="Headline\nOfficials said output rose 5 percent.")
    html = client.get(f"/sources/articles/{article.pk}/").content.decode()
    assert "no credit on the page says whose text it is" in html
    assert 'class="credit"' not in html


def test_a_stale_span_is_not_highlighted(client):
    article = _wire_article()
    article.origin_evidence = {**article.origin_evidence, "start": 0, "end": 5}
    article.save()
    html = client.get(f"/sources/articles/{article.pk}/").content.decode()
    assert "at the end of paragraph 7" in html
    assert 'class="credit"' not in html


def test_showing_the_origin_costs_no_extra_query(client):
    with_origin = _wire_article()
    without = ArticleFactory(publisher=with_origin.publisher)
    counts = []
    for article in (with_origin, without):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/sources/articles/{article.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_an_imported_wire_copy_keeps_its_origin_and_shows_it(client):
    _, results = articles_import([("wire.txt", WIRE.encode())], by=None, origin="test")
    article = results[0].article
    assert article.origin is not None and article.origin.name == "Agence France-Presse"
    assert WIRE[article.origin_evidence["start"] : article.origin_evidence["end"]] == "(AFP)"
    html = client.get(f"/sources/articles/{article.pk}/").content.decode()
    assert '<mark class="credit">(AFP)</mark>' in html


def test_article_page_links_an_inherited_origin_to_the_credited_copy(client):
    credited = _wire_article(title="Smelter output rises")
    copy = ArticleFactory(
        text=WIRE.replace(" (AFP)", ""),
        origin=credited.origin,
        origin_evidence={
            "kind": "cluster",
            "article": credited.pk,
            "text": credited.title,
            "why": f"its text is a near-copy of article #{credited.pk}, whose origin is AFP",
        },
    )
    html = client.get(f"/sources/articles/{copy.pk}/").content.decode()
    assert f"its text is a near-copy of article #{credited.pk}, whose origin is AFP" in html
    assert f'(<a href="/sources/articles/{credited.pk}/">Smelter output rises</a>)' in html


# --- One field for whose text it is (sources migrations 0010 and 0011) -------------------

BEFORE, AFTER = (
    ("sources", "0009_import_batch_task_ids"),
    (
        "sources",
        "0011_remove_article_republished_from",
    ),
)


@pytest.mark.django_db(transaction=True)
def test_migration_folds_republished_from_into_origin_keeping_every_value(migrate_to):
    import hashlib

    from sources.models import Article

    apps = migrate_to(BEFORE)
    Old = apps.get_model("sources", "Article")
    Pub = apps.get_model("sources", "Publisher")
    wire, courier = Pub.objects.create(name="Nordic Wire"), Pub.objects.create(name="Courier")

    def article(n: int, **fields) -> int:
        text = f"Headline {n}\nThe ferry ran {n} times."
        return Old.objects.create(
            text=text,
            received_text=text,
            source_name=f"{n}.txt",
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            **fields,
        ).pk

    credited = {"kind": "wire-credit", "text": "(NW)", "start": 3, "end": 7, "why": "credit"}
    only_republished = article(1, republished_from=wire)
    both_same = article(2, republished_from=wire, origin=wire, origin_evidence=credited)
    both_differ = article(3, republished_from=courier, origin=wire, origin_evidence=credited)
    neither = article(4)

    migrate_to(AFTER)
    got = {a.pk: a for a in Article.objects.select_related("origin")}
    assert got[only_republished].origin.name == "Nordic Wire"
    assert got[only_republished].origin_evidence["kind"] == "republication"
    assert got[only_republished].republishes == got[only_republished].origin
    assert got[both_same].origin_evidence == credited and got[both_same].republishes is None
    assert got[both_differ].origin.name == "Nordic Wire"
    assert got[both_differ].origin_evidence == {
        **credited,
        "republishes": {"id": courier.pk, "name": "Courier"},
    }
    assert got[neither].origin is None and got[neither].origin_evidence == {}
