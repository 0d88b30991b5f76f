"""workbench/search.py: the same matches whichever way PostgreSQL is asked; SQLite falls back."""

import pytest
from django.db import connection

from claims.models import Claim
from tests.factories import ArticleFactory
from workbench import search

pytestmark = pytest.mark.django_db


def _claims(*sentences: str) -> list[Claim]:
    text = "Headline\n" + " ".join(sentences)
    article = ArticleFactory(text=text, received_text=text)
    claims, pos = [], len("Headline\n")
    for sentence in sentences:
        claims.append(
            Claim.objects.create(
                article=article,
                start=pos,
                end=pos + len(sentence),
                text=sentence,
                kind="statement",
            )
        )
        pos += len(sentence) + 1
    return claims


def test_rare_and_common_paths_find_the_same_claims(monkeypatch):
    tampere, _other, both = _claims(
        "The Tampere plant opened.", "The Oulu plant closed.", "Tampere and Oulu agreed."
    )
    found = set(search.search(Claim.objects.all(), "Tampere").values_list("pk", flat=True))
    assert found == {tampere.pk, both.pk}
    if connection.vendor == "postgresql":
        # Few expected matches: answered from the GIN index first…
        assert sorted(search._few_matches("claims_claim", "Tampere")) == sorted(found)
        # …and the walking plan finds exactly the same claims.
        monkeypatch.setattr(search, "FEW_MATCHES", -1)
        assert search._few_matches("claims_claim", "Tampere") is None
        walked = search.search(Claim.objects.all(), "Tampere").values_list("pk", flat=True)
        assert set(walked) == found
    else:
        assert connection.vendor == "sqlite"  # substring fallback, no index


def test_no_match_counts_zero_without_an_error():
    _claims("The Tampere plant opened.")
    qs = search.search(Claim.objects.all(), "Reykjavik")
    assert list(qs) == []
    assert search.estimated_count(qs) == (0, True)


@pytest.mark.postgres("the index is PostgreSQL's")
def test_the_open_queue_has_a_text_index_of_its_own_with_the_queue_s_condition():
    """Ranked search of open claims reads every match: the open queue's GIN index (claims
    migration 0015) gives them from one small bitmap, where the all-claims GIN index had to
    be ANDed with a bitmap of the whole open queue (two thirds of the page at a million
    claims). Its condition must be the queue index's, or the planner cannot use it."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, am.amname, pg_get_expr(i.indpred, i.indrelid),
                   pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            JOIN pg_am am ON am.oid = c.relam
            WHERE c.relname IN ('claim_queue_fts', 'claim_queue_idx')
            """
        )
        found = {name: (method, condition, text) for name, method, condition, text in cursor}
    assert set(found) == {"claim_queue_fts", "claim_queue_idx"}, found
    method, condition, definition = found["claim_queue_fts"]
    assert method == "gin" and "(search_vector)" in definition, definition
    assert condition == found["claim_queue_idx"][1], (condition, found["claim_queue_idx"][1])
