"""A very long text (one sentence of megabytes) is shown a window at a time, never inline."""

import re

import pytest

from claims.models import Claim, ClaimKind
from sources.highlight import CONTEXT_CHARS, PAGE_CHARS, window
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

WORDS = "tonnes of ore were shipped from the northern port "  # 50 characters


def huge_article(chars: int = 1_200_000):
    """A page of one sentence: `chars` characters, every one of them one claim."""
    text = "Headline\n" + (WORDS * (chars // len(WORDS))).strip() + "."
    article = ArticleFactory(text=text, received_text=text)
    headline = Claim.objects.create(
        article=article, start=0, end=8, text="Headline", kind=ClaimKind.HEADLINE
    )
    body = Claim.objects.create(
        article=article, start=9, end=len(text), text=text[9:], kind=ClaimKind.STATEMENT
    )
    return article, headline, body


def test_the_claim_page_of_a_huge_claim_shows_a_window_of_it(rclient):
    _, _, claim = huge_article()

    response = rclient.get(claim.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert len(html) < 2 * PAGE_CHARS + 100_000  # not the 1.2 MB text, let alone twice
    context = re.search(r'id="claim-context"[^>]*data-text-start="(\d+)"', html)
    assert int(context.group(1)) == claim.start
    assert f"goes on for {claim.end - claim.start - CONTEXT_CHARS} more characters" in html
    assert f"Showing characters {claim.start + 1}–{claim.start + PAGE_CHARS} of {claim.end}" in html


def test_the_article_page_of_a_huge_text_is_read_a_window_at_a_time(rclient):
    article, _, _ = huge_article()
    url = article.get_absolute_url()

    first = rclient.get(url).content.decode()
    later = rclient.get(f"{url}?from={PAGE_CHARS}").content.decode()
    beyond = rclient.get(f"{url}?from=99999999").content.decode()

    assert len(first) < PAGE_CHARS + 100_000
    assert f"Showing characters 1–{PAGE_CHARS} of {len(article.text)}" in first
    assert f'href="{url}?from={PAGE_CHARS}">Later text' in first
    assert 'data-text-start="0"' in first
    assert f'data-text-start="{PAGE_CHARS}"' in later
    assert f'href="{url}?from=0">Earlier text' in later
    assert "Later text" not in beyond  # past the end: the last character's window


def test_a_text_of_ordinary_length_is_shown_whole(rclient, claim):
    html = rclient.get(claim.get_absolute_url()).content.decode()
    article = rclient.get(claim.article.get_absolute_url()).content.decode()

    assert "Showing characters" not in html and "goes on for" not in html
    assert "Showing characters" not in article


@pytest.mark.parametrize(
    ("length", "start", "end", "limit", "within", "expected"),
    [
        (100, 40, 50, 30, None, (30, 60)),  # evenly around
        (100, 0, 10, 30, None, (0, 30)),  # at the start: the rest after
        (100, 90, 100, 30, None, (70, 100)),  # at the end: the rest before
        (100, 10, 90, 30, None, (10, 40)),  # longer than the limit: its beginning
        (100, 10, 20, 1000, None, (0, 100)),  # all of a short text
        (100, 40, 50, 30, (35, 60), (35, 60)),  # inside its paragraph
    ],
)
def test_a_window_holds_the_claim_and_spends_the_rest_around_it(
    length, start, end, limit, within, expected
):
    shown = window(length, start, end, limit=limit, within=within)
    assert (shown.start, shown.end) == expected
    assert shown.end - shown.start <= limit
