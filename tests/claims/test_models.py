"""Database constraints keep every claim's span valid and unique."""

import pytest
from django.db import IntegrityError, transaction

from claims.models import Claim
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db


def test_span_must_be_non_empty():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(article=article, start=5, end=5, text="", kind="statement")


def test_span_end_before_start_is_refused():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(article=article, start=9, end=4, text="x", kind="statement")


def test_same_span_twice_is_refused():
    claim = ClaimFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            article=claim.article, start=claim.start, end=claim.end, text=claim.text, kind="quote"
        )


def test_factory_claim_round_trips():
    claim = ClaimFactory()
    assert claim.article.text[claim.start : claim.end] == claim.text
    assert claim.text.endswith(".")
