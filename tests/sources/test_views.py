"""Source pages: pinned query counts that do not grow with the number of rows."""

import re

import pytest

from sources.services import publisher_update
from tests.factories import ArticleFactory, ClaimFactory, PublisherFactory

pytestmark = pytest.mark.django_db

# Session, user, two permission lookups, the header's groups, then the page's own reads.
ARTICLE_LIST_QUERIES = 6
PUBLISHER_DETAIL_QUERIES = 8


@pytest.mark.parametrize("articles", [3, 30])
def test_article_list_queries_do_not_grow(lead_client, django_assert_num_queries, articles):
    publisher = PublisherFactory()
    for _ in range(articles):
        ClaimFactory(article=ArticleFactory(publisher=publisher))
    with django_assert_num_queries(ARTICLE_LIST_QUERIES):
        response = lead_client.get("/sources/articles/")
    assert response.status_code == 200
    links = re.findall(r'href="/sources/articles/\d+/"', response.content.decode())
    assert len(links) == min(articles, 50)


@pytest.mark.parametrize("changes", [1, 12])
def test_publisher_page_queries_do_not_grow(
    lead_client, make_user, django_assert_num_queries, changes
):
    owner = PublisherFactory(name="Owner Group")
    publisher = PublisherFactory(name="Daily Example", parent=owner)
    lead = make_user("editor", "lead")
    for n in range(changes):
        publisher_update(publisher=publisher, by=lead, reason=f"check {n}", description=f"Desk {n}")
    with django_assert_num_queries(PUBLISHER_DETAIL_QUERIES):
        response = lead_client.get(f"/sources/publishers/{publisher.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("check ") == changes
    assert "Owner Group" in body


def test_lead_edits_a_publisher_with_a_reason_kept_in_history(lead_client):
    owner = PublisherFactory(name="Herald Corporation")
    publisher = PublisherFactory(name="The Example Herald")
    response = lead_client.post(
        f"/sources/publishers/{publisher.pk}/",
        {
            "name": "The Example Herald",
            "aliases": "Example Herald\nEH",
            "domains": "www.exampleherald.test",
            "country": "Korea",
            "ownership": "private",
            "parent": owner.pk,
            "reliability": "B",
            "description": "",
            "reason": "Ownership from the company register",
        },
    )
    assert response.status_code == 302
    publisher.refresh_from_db()
    assert publisher.aliases == ["Example Herald", "EH"]
    assert publisher.domains == ["exampleherald.test"]
    assert publisher.parent == owner and publisher.reliability == "B"
    last = publisher.history.latest()
    assert last.history_change_reason == "Ownership from the company register"
    assert last.history_user.username == "lena"


def test_publisher_cannot_become_its_own_owner(lead_client):
    parent = PublisherFactory(name="Parent")
    child = PublisherFactory(name="Child", parent=parent)
    response = lead_client.post(
        f"/sources/publishers/{parent.pk}/",
        {
            "name": "Parent",
            "ownership": "private",
            "parent": child.pk,
            "reliability": "F",
            "reason": "loop",
        },
    )
    assert response.status_code == 200
    assert "its own owner" in response.content.decode()
    parent.refresh_from_db()
    assert parent.parent is None


def counts_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_article_page_counts_one_claim_and_one_span_of_chrome_in_the_singular(rclient):
    article = ArticleFactory(text="Headline\nThe plant opened. Link copied")
    ClaimFactory(article=article)
    chrome = article.text.index("Link copied")
    ClaimFactory(article=article, kind="chrome", start=chrome, end=len(article.text))

    text = counts_text(rclient.get(article.get_absolute_url()))

    assert "1 claim " in text and "1 claims" not in text
    assert "1 span of page chrome (greyed) is kept but not triaged" in text


def test_article_page_counts_several_in_the_plural(rclient):
    article = ArticleFactory(text="Headline\nThe plant opened. Output rose. Link copied. Share")
    ClaimFactory(article=article)
    ClaimFactory(article=article, start=article.text.index("Output"))
    for words in ("Link copied.", "Share"):
        at = article.text.index(words)
        ClaimFactory(article=article, kind="chrome", start=at, end=at + len(words))

    text = counts_text(rclient.get(article.get_absolute_url()))

    assert "2 claims " in text
    assert "2 spans of page chrome (greyed) are kept but not triaged" in text


SERVER_PATH = "/srv/workbench/drop/2024-05/"


def test_article_pages_show_the_file_name_not_the_server_path(rclient):
    article = ArticleFactory(source_name=f"{SERVER_PATH}gt-001.txt")
    claim = ClaimFactory(article=article, kind="statement")
    for url in (article.get_absolute_url(), "/sources/articles/", claim.get_absolute_url()):
        content = rclient.get(url).content.decode()
        assert "gt-001.txt" in content, url
        assert SERVER_PATH not in content, url


def test_an_untitled_article_is_named_by_its_file_name(rclient):
    article = ArticleFactory(title="", source_name=f"{SERVER_PATH}gt-002.txt")
    assert str(article) == "gt-002.txt"
