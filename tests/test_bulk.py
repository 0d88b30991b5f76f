"""bulk_insert_with_history: COPY on PostgreSQL, bulk_create_with_history elsewhere; same rows.

The history rows are simple-history's either way: its switch, its default user, its fields.
"""

import pytest

from claims.models import Claim
from tests.factories import ArticleFactory, UserFactory
from workbench.bulk import bulk_insert_with_history

pytestmark = pytest.mark.django_db


def test_rows_and_history_rows_are_written_with_user_and_reason():
    article = ArticleFactory()
    user = UserFactory()
    claims = []
    for start in range(0, 30, 3):
        claim = Claim(
            article=article,
            start=start,
            end=start + 2,
            text=article.text[start : start + 2],
            kind="statement",
            score=start,
        )
        claim._history_user = user
        claim._change_reason = "Imported from x.txt"
        claims.append(claim)
    bulk_insert_with_history(claims, Claim)
    assert all(c.pk for c in claims)
    stored = {c.pk: c for c in Claim.objects.filter(article=article)}
    assert set(stored) == {c.pk for c in claims}
    first = stored[claims[3].pk]
    assert (first.start, first.end, first.text, first.score) == (9, 11, article.text[9:11], 9)
    assert first.created_at is not None and first.updated_at is not None
    assert first.status == "unreviewed" and first.version == 1
    history = Claim.history.filter(id__in=stored)
    assert history.count() == len(claims)
    assert {(h.history_type, h.history_user_id, h.history_change_reason) for h in history} == {
        ("+", user.pk, "Imported from x.txt")
    }


def test_nothing_to_insert_is_fine():
    bulk_insert_with_history([], Claim)
    assert Claim.history.count() == 0


def _claims(article, count=5):
    return [
        Claim(article=article, start=i, end=i + 2, text=article.text[i : i + 2], kind="statement")
        for i in range(0, 3 * count, 3)
    ]


def test_no_history_rows_while_simple_history_is_disabled(settings):
    settings.SIMPLE_HISTORY_ENABLED = False
    claims = _claims(ArticleFactory())
    bulk_insert_with_history(claims, Claim)
    assert Claim.objects.filter(pk__in=[c.pk for c in claims]).count() == len(claims)
    assert Claim.history.count() == 0


def test_objects_without_a_user_get_the_default_history_user(rf):
    from simple_history.models import HistoricalRecords

    user = UserFactory()
    request = rf.post("/")
    request.user = user
    HistoricalRecords.context.request = request  # what HistoryRequestMiddleware sets
    try:
        claims = _claims(ArticleFactory())
        bulk_insert_with_history(claims, Claim)
    finally:
        del HistoricalRecords.context.request
    history = Claim.history.filter(id__in=[c.pk for c in claims])
    assert history.count() == len(claims)
    assert set(history.values_list("history_user_id", flat=True)) == {user.pk}


def test_a_change_reason_longer_than_the_history_field_is_cut():
    (claim,) = _claims(ArticleFactory(), count=1)
    claim._change_reason = "Imported from " + "x" * 200
    bulk_insert_with_history([claim], Claim)
    assert Claim.history.get(id=claim.pk).history_change_reason == ("Imported from " + "x" * 86)
