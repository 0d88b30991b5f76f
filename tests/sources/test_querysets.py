"""Reads of articles: their heavy bodies defined once, and no page loads one it does not show."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sources.models import ARTICLE_BODY_FIELDS, Article, article_body_fields
from tests.factories import ArticleFactory, ClaimFactory, PublisherFactory

pytestmark = pytest.mark.django_db

TABLE = Article._meta.db_table


def article_columns(queries) -> set[str]:
    """The columns of the article table that any of `queries` selected (SELECT lists only)."""
    columns: set[str] = set()
    for query in queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        # The select list ends at the first FROM outside quotes; joined columns are qualified.
        select = re.split(r"\bFROM\b", sql, maxsplit=1)[0]
        columns |= set(re.findall(rf'"{TABLE}"\."(\w+)"', select))
        # A join of the same table under an alias (T3."text", U0."text") counts too.
        columns |= {
            name
            for alias, name in re.findall(r'\b([A-Z]\d+)\."(\w+)"', select)
            if name in ARTICLE_BODY_FIELDS
        }
    return columns


def loaded_bodies(client, url: str) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return article_columns(queries.captured_queries) & set(ARTICLE_BODY_FIELDS)


@pytest.fixture
def article():
    article = ArticleFactory(
        publisher=PublisherFactory(parent=PublisherFactory()),
        original_html="<html><body>" + "saved page " * 1000 + "</body></html>",
        fingerprint=["a1", "b2"],
    )
    ClaimFactory(article=article)
    return article


def test_body_fields_are_the_fields_history_leaves_out():
    tracked = {f.name for f in Article.history.model._meta.fields}
    assert set(ARTICLE_BODY_FIELDS).isdisjoint(tracked)
    assert {"title", "publisher", "url"} <= tracked


def test_without_bodies_defers_every_body_field_but_those_kept():
    deferred, is_defer = Article.objects.without_bodies().query.deferred_loading
    assert is_defer and deferred == set(ARTICLE_BODY_FIELDS)
    kept, _ = Article.objects.without_bodies(keep=("text",)).query.deferred_loading
    assert kept == set(ARTICLE_BODY_FIELDS) - {"text"}


def test_body_fields_through_a_join_are_prefixed():
    assert article_body_fields("article__", keep=("text", "repairs")) == [
        "article__received_text",
        "article__original_html",
        "article__fingerprint",
    ]


def test_keeping_a_field_that_is_not_a_body_is_refused():
    with pytest.raises(ValueError, match="not article body fields: title"):
        article_body_fields(keep=("title",))


def test_without_bodies_loads_them_only_when_read(article, django_assert_num_queries):
    with django_assert_num_queries(1):
        loaded = Article.objects.without_bodies().get(pk=article.pk)
    assert loaded.title == article.title
    with django_assert_num_queries(1):
        assert loaded.original_html.startswith("<html>")


def test_in_cluster_is_the_origin_and_its_copies():
    origin = ArticleFactory()
    Article.objects.filter(pk=origin.pk).update(cluster_origin=origin)
    copy = ArticleFactory(cluster_origin=origin)
    ArticleFactory()  # not in the cluster

    assert set(Article.objects.in_cluster(origin.pk)) == {origin, copy}


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        ("/sources/articles/", set()),  # the list used to load every saved HTML page
        ("/sources/clusters/{pk}/", set()),
        ("/sources/articles/{pk}/", {"text", "repairs"}),
        ("/claims/", set()),
        ("/claims/{claim}/", {"text", "repairs"}),
    ],
)
def test_pages_load_only_the_article_bodies_they_show(lead_client, article, page, shown):
    url = page.format(pk=article.pk, claim=article.claims.get().pk)
    assert loaded_bodies(lead_client, url) == shown
