"""Keyset pages (workbench/paging.py): every row once, in order, ties and ends included."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import F

from claims.models import Claim
from sources.models import Article
from tests.factories import ArticleFactory, ClaimFactory
from workbench.http import MAX_ID
from workbench.paging import Keyset

pytestmark = pytest.mark.django_db

SCORES = [5, 3, 5, 5, 1, 3, 9, 5, 0, 3, 5]  # ties in the key on every page boundary


@pytest.fixture
def claims():
    claims = [ClaimFactory(score=score) for score in SCORES]
    # Half of them changed in the same instant: ties in a datetime key too.
    moment = datetime(2026, 3, 1, 12, tzinfo=UTC)
    for i, claim in enumerate(claims):
        when = moment if i % 2 else moment + timedelta(minutes=i)
        Claim.objects.filter(pk=claim.pk).update(updated_at=when)
    return Claim.objects.all()


def walk(keyset: Keyset, qs, size: int, *, through_cursor: bool = False) -> list[list[int]]:
    """Every page's ids, following each page's start (or its encoded cursor) to the next."""
    pages, start = [], None
    while True:
        page = keyset.page(qs, start, size=size)
        assert page.is_first == (start is None)
        pages.append([row.pk for row in page.rows])
        if page.next_start is None:
            return pages
        start = page.next_start
        if through_cursor:
            start = keyset.decode(keyset.encode(start))
        assert len(pages) < 50, "the pages do not end"


@pytest.mark.parametrize("descending", [True, False])
@pytest.mark.parametrize("key", ["score", "updated_at", "id"])
@pytest.mark.parametrize("size", [1, 3, 4, 11, 12])
def test_pages_walk_every_row_once_in_order(claims, key, descending, size):
    kind = datetime if key == "updated_at" else int
    keyset = Keyset(key, descending=descending, kind=kind)
    rows = list(claims.values_list(key, "id"))
    expected = [pk for *_, pk in sorted(rows, reverse=descending)]

    pages = walk(keyset, claims, size, through_cursor=key != "id")

    assert [pk for page in pages for pk in page] == expected
    assert all(len(page) == size for page in pages[:-1])
    assert 0 < len(pages[-1]) <= size


def test_a_last_page_that_is_exactly_full_has_no_next_page(claims):
    page = Keyset("score").page(claims, None, size=len(SCORES))

    assert len(page.rows) == len(SCORES)
    assert page.next_start is None and page.is_first


def test_an_empty_list_is_one_first_and_last_page():
    page = Keyset("score").page(Claim.objects.all(), None, size=5)

    assert (page.rows, page.next_start, page.is_first) == ([], None, True)


def test_a_start_past_the_end_is_an_empty_last_page(claims):
    page = Keyset("score").page(claims, (-1, 0), size=5)

    assert (page.rows, page.next_start, page.is_first) == ([], None, False)


def test_a_computed_key_walks_its_annotation(claims):
    qs = claims.annotate(half=F("score") / 2)
    keyset = Keyset("half", descending=True, kind=int, computed=True)
    expected = [pk for _, pk in sorted(qs.values_list("half", "id"), reverse=True)]

    pages = walk(keyset, qs, 2, through_cursor=True)

    assert [pk for page in pages for pk in page] == expected


def test_a_keyset_on_id_pages_any_model():
    articles = ArticleFactory.create_batch(5)

    pages = walk(Keyset(), Article.objects.all(), 2)

    assert pages == [[a.pk for a in articles[::-1]][i : i + 2] for i in (0, 2, 4)]


def test_a_cursor_reads_back_as_its_start():
    moment = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    assert Keyset("score").decode(Keyset("score").encode((7, 42))) == (7, 42)
    dated = Keyset("updated_at", kind=datetime)
    assert dated.decode(dated.encode((moment, 42))) == (moment, 42)
    ranked = Keyset("rank", kind=float, computed=True)
    assert ranked.decode(ranked.encode((0.0607927, 42))) == (0.0607927, 42)


def cursor_of(values) -> str:
    return Keyset().encode(tuple(values))


@pytest.mark.parametrize(
    ("keyset", "cursor"),
    [
        (Keyset("score"), "garbage"),
        (Keyset("score"), "%%%"),
        (Keyset("score"), cursor_of(["abc", 1])),  # a key of the wrong type
        (Keyset("score"), cursor_of([-1, 1])),
        (Keyset("score"), cursor_of([1, 0])),  # ids start at 1
        (Keyset("score"), cursor_of([1, MAX_ID + 1])),  # too big for the database
        (Keyset("score"), cursor_of([1, True])),
        (Keyset("score"), cursor_of([[1], {}])),
        (Keyset("score"), cursor_of([1])),  # a cursor of another ordering
        (Keyset("score"), cursor_of([1, 2, 3])),
        (Keyset(), cursor_of([1, 2])),
        (Keyset("updated_at", kind=datetime), cursor_of(["yesterday", 1])),
        (Keyset("updated_at", kind=datetime), cursor_of(["2026-03-01T12:00:00", 1])),  # naive
        (Keyset("updated_at", kind=datetime), cursor_of([5, 1])),
        (Keyset("rank", kind=float, computed=True), cursor_of(["abc", 1])),
    ],
)
def test_a_cursor_that_is_not_one_of_this_ordering_is_refused(keyset, cursor):
    assert keyset.decode(cursor) is None
