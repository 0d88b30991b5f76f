"""The activity feed: per claim, article, user and the whole desk, read from the history
records (no second log), newest first, walked by a keyset with a fixed number of queries,
and blind review respected."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from claims import services as claim_services
from claims.models import Claim
from desk.activity import Scope, activity_page
from desk.services import handout_create
from sources.services import article_update
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db


def _kinds(page) -> list[tuple[str, str]]:
    return [(e.kind, e.action) for e in page.entries]


def _walk(scope, *, size, viewer=None) -> list:
    entries, after = [], ""
    while True:
        page = activity_page(scope, viewer=viewer, after=after, size=size)
        entries.extend(page.entries)
        if page.next_cursor is None:
            return entries
        after = page.next_cursor


def test_a_claims_feed_is_its_history_and_what_is_attached_newest_first(desk, claims6):
    claim, other = claims6[0], claims6[1]
    claim_services.claim_set_status(
        claim=claim, status="in_review", reason="", by=desk["ann"], version=None
    )
    claim_services.corroboration_create(
        claim=claim, by=desk["ann"], stance="supports", url="https://x.example/a", outlet="X"
    )
    claim_services.rating_set(claim=claim, by=desk["bob"], confidence="low", rationale="thin")
    claim_services.note_create(claim=claim, by=desk["ann"], text="check the date")
    claim_services.note_create(claim=other, by=desk["ann"], text="another claim")
    page = activity_page(Scope(claim_id=claim.pk))
    assert _kinds(page) == [
        ("note", "created"),
        ("rating", "created"),
        ("corroboration", "created"),
        ("claim", "changed"),
        ("claim", "created"),
    ]
    assert {e.claim_id for e in page.entries} == {claim.pk}
    assert page.entries[0].user == desk["ann"] and page.entries[0].claim_text == claim.text
    assert page.entries[3].reason == "status → in_review"
    assert page.entries[0].url == f"/claims/{claim.pk}/"


def test_an_articles_feed_has_its_metadata_changes_and_its_claims(desk, claims6):
    article = claims6[0].article
    elsewhere = ClaimFactory(article=ArticleFactory())
    article_update(article=article, by=desk["lead"], reason="typo", byline="Staff")
    claim_services.note_create(claim=claims6[2], by=desk["ann"], text="on this article")
    claim_services.note_create(claim=elsewhere, by=desk["ann"], text="not on it")
    entries = activity_page(Scope(article_id=article.pk)).entries
    assert ("article", "changed") in _kinds_of(entries)
    assert {e.claim_id for e in entries if e.kind != "article"} == {c.pk for c in claims6}
    assert [e.kind for e in entries][:2] == ["note", "article"]
    assert entries[1].url == f"/sources/articles/{article.pk}/"


def _kinds_of(entries):
    return [(e.kind, e.action) for e in entries]


def test_a_users_feed_is_what_they_did(desk, claims6):
    claim_services.note_create(claim=claims6[0], by=desk["ann"], text="ann's")
    claim_services.rating_set(claim=claims6[1], by=desk["bob"], confidence="high", rationale="b")
    entries = activity_page(Scope(user_id=desk["bob"].pk)).entries
    assert _kinds_of(entries) == [("rating", "created")]
    assert entries[0].user == desk["bob"]


def test_pages_walk_every_row_once_even_when_rows_share_a_time(desk, db):
    article = ArticleFactory(text="x" * 200)
    same = timezone.now() - datetime.timedelta(days=1)
    claims = [Claim(article=article, start=i, end=i + 1, text="x") for i in range(7)]
    bulk_create_with_history(claims, Claim, default_date=same, default_change_reason="import")
    for claim in Claim.objects.filter(article=article)[:3]:
        claim_services.note_create(claim=claim, by=desk["ann"], text="n")
    everything = _walk(Scope(), size=50)
    walked = _walk(Scope(), size=3)
    assert [(e.kind, e.history_id) for e in walked] == [(e.kind, e.history_id) for e in everything]
    assert len({(e.kind, e.history_id) for e in walked}) == len(walked) == 7 + 3 + 1  # + article


def test_a_page_costs_the_same_queries_whatever_its_length(
    desk, claims6, django_assert_num_queries
):
    for claim in claims6:
        claim_services.note_create(claim=claim, by=desk["ann"], text="n")
        claim_services.rating_set(claim=claim, by=desk["bob"], confidence="low", rationale="r")
    desk["cy"].has_perm("claims.view_claim")  # a request has read the user's permissions
    for size in (2, 19):  # 19: everything (an article, 6 claims, 6 notes, 6 ratings)
        # the union, the users, the claims' texts; and whether the viewer is blinded anywhere
        with django_assert_num_queries(4):
            page = activity_page(Scope(), viewer=desk["cy"], size=size)
        assert len(page.entries) == size


def test_blind_review_hides_the_other_reviewers_rating_records(desk, claims6):
    handout_create(
        filter="",
        reviewers=[desk["ann"], desk["bob"]],
        strategy="round_robin",
        overlap=2,
        blind=True,
        by=desk["lead"],
    )
    claim = claims6[0]
    claim_services.rating_set(
        claim=claim, by=desk["bob"], confidence="low", rationale="r", proposed_verdict="disputed"
    )
    scope = Scope(claim_id=claim.pk)
    assert "rating" not in [e.kind for e in activity_page(scope, viewer=desk["ann"]).entries]
    assert "rating" not in [e.kind for e in activity_page(Scope(), viewer=desk["ann"]).entries]
    assert "rating" in [e.kind for e in activity_page(scope, viewer=desk["lead"]).entries]
    claim_services.rating_set(
        claim=claim, by=desk["ann"], confidence="high", rationale="r", proposed_verdict="refuted"
    )
    ratings = [e for e in activity_page(scope, viewer=desk["ann"]).entries if e.kind == "rating"]
    assert {e.user for e in ratings} == {desk["ann"], desk["bob"]}


def test_activity_pages_and_links_from_the_claim_and_article_pages(client, desk, claims6):
    claim = claims6[0]
    claim_services.note_create(claim=claim, by=desk["ann"], text="a note")
    client.force_login(desk["bob"])
    claim_page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert f'href="/desk/activity/claims/{claim.pk}/"' in claim_page
    article_page = client.get(f"/sources/articles/{claim.article_id}/").content.decode()
    assert f'href="/desk/activity/articles/{claim.article_id}/"' in article_page
    page = client.get(f"/desk/activity/claims/{claim.pk}/").content.decode()
    assert f"Activity of claim #{claim.pk}" in page
    assert f'<a href="/desk/activity/users/{desk["ann"].pk}/">ann</a>' in page
    assert "created note #" in page
    assert client.get(f"/desk/activity/users/{desk['ann'].pk}/").status_code == 200
    assert client.get("/desk/activity/claims/999999/").status_code == 404
    bad = client.get("/desk/activity/?after=nonsense").content.decode()
    assert "after: not a page of this feed" in bad


def test_older_entries_load_as_a_fragment(client, desk, claims6):
    client.force_login(desk["bob"])
    first = activity_page(Scope(), size=2)
    response = client.get(
        f"/desk/activity/?after={first.next_cursor}", headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<h1>" not in body and "<li" in body
    assert client.get("/desk/activity/").status_code == 200


def test_activity_needs_a_login(client):
    assert client.get("/desk/activity/").status_code == 302
