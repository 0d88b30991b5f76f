"""workbench.bulk: the same rows whichever database, with PostgreSQL's faster statements.

bulk_insert_with_history: COPY on PostgreSQL, bulk_create_with_history elsewhere; the history
rows are simple-history's either way: its switch, its default user, its fields.
bulk_update_fields: one UPDATE from a VALUES list on PostgreSQL, bulk_update elsewhere.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.models import Claim
from sources.models import ImportBatch, ImportFile
from tests.factories import ArticleFactory, UserFactory
from workbench.bulk import bulk_insert_with_history, bulk_update_fields

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


# ------------------------------------------------------------------------------ updates


def _files(count: int) -> list[ImportFile]:
    batch = ImportBatch.objects.create(origin="cli")
    return ImportFile.objects.bulk_create(
        ImportFile(batch=batch, name=f"f{i}.txt", content=b"bytes %d" % i, content_type="txt")
        for i in range(count)
    )


def test_update_writes_each_objects_own_values_of_the_fields_named():
    article = ArticleFactory()
    now = timezone.now()
    files = _files(3)
    values = [
        ("imported", "", article, 7, None),
        ("rejected", 'f1.txt: it\'s "empty" — ü\nand more', None, 0, b""),
        ("duplicate", "", article, 0, None),
    ]
    for file, (outcome, reason, art, claims, content) in zip(files, values, strict=True):
        file.outcome, file.reason, file.article, file.claims_created = outcome, reason, art, claims
        file.content, file.processed_at = content, now
        file.name = "not written"  # not among the fields
    bulk_update_fields(
        files, ["outcome", "reason", "article", "claims_created", "processed_at", "content"]
    )
    stored = list(ImportFile.objects.filter(pk__in=[f.pk for f in files]).order_by("pk"))
    assert [
        (
            r.outcome,
            r.reason,
            r.article,
            r.claims_created,
            None if r.content is None else bytes(r.content),
        )
        for r in stored
    ] == values
    assert {r.processed_at for r in stored} == {now}
    assert [r.name for r in stored] == ["f0.txt", "f1.txt", "f2.txt"]


def test_update_of_nothing_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        bulk_update_fields([], ["outcome"])


@pytest.mark.postgres("the VALUES list is PostgreSQL's path; elsewhere it is bulk_update")
def test_update_on_postgresql_is_one_statement_from_a_values_list():
    files = _files(50)
    for file in files:
        file.outcome, file.content = "rejected", None
    with CaptureQueriesContext(connection) as queries:
        bulk_update_fields(files, ["outcome", "content"])
    [query] = queries.captured_queries
    assert "FROM (VALUES" in query["sql"] and "CASE" not in query["sql"]
    assert set(ImportFile.objects.values_list("outcome", flat=True)) == {"rejected"}
    assert not ImportFile.objects.filter(content__isnull=False).exists()
