"""Candidate evidence on the claim page: claims of other articles, judged, one click to attach."""

import re

import pytest
from django.urls import reverse

from claims import candidates
from claims.candidates import candidate_evidence
from claims.models import Corroboration, Independence, Stance
from sources.models import Publisher
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db

CLAIM = "China Rare Earth Group signed a $250 million deal with Baotou Steel for a magnet plant."
SAME_DEAL = "Baotou Steel and China Rare Earth Group signed a $300 million magnet plant deal."
SAME_WORDS = "China Rare Earth Group signed a deal with Baotou Steel for a magnet plant."
UNRELATED = "The central bank kept interest rates unchanged on Tuesday."


def claim_in(publisher_name: str, sentence: str, n: int):
    publisher = Publisher.objects.get(name=publisher_name)
    text = f"Headline {publisher_name} {n}\n{sentence} Other words follow here {n}."
    return ClaimFactory(article=ArticleFactory(publisher=publisher, text=text))


@pytest.fixture
def claims():
    return {
        "claim": claim_in("Global Times", CLAIM, 1),
        "reuters": claim_in("Reuters", SAME_DEAL, 2),
        "gt": claim_in("Global Times", SAME_WORDS, 3),
        "unrelated": claim_in("Associated Press", UNRELATED, 4),
    }


def test_candidates_come_from_other_outlets_with_their_independence(claims):
    found = {c.claim.pk: c for c in candidate_evidence(claims["claim"])}
    assert set(found) == {claims["reuters"].pk, claims["gt"].pk}
    assert found[claims["reuters"].pk].independence == Independence.INDEPENDENT
    assert (found[claims["gt"].pk].independence, found[claims["gt"].pk].reason) == (
        Independence.NOT_INDEPENDENT,
        "same publisher: Global Times",
    )


def test_the_closest_wording_ranks_first(claims):
    ranked = candidate_evidence(claims["claim"])
    assert ranked[0].claim == claims["gt"]
    assert ranked[0].similarity > ranked[1].similarity


def test_numeric_contradiction_is_flagged(claims):
    found = {c.claim.pk: c for c in candidate_evidence(claims["claim"])}
    [conflict] = found[claims["reuters"].pk].conflicts
    assert conflict.describe() == "money: $250 million vs $300 million"
    assert found[claims["gt"].pk].conflicts == []


def test_claims_of_the_same_article_and_attached_ones_are_not_candidates(claims):
    sibling = ClaimFactory(article=claims["claim"].article, start=0, end=8, text="Headline")
    found = candidate_evidence(claims["claim"], exclude_ids={claims["gt"].pk})
    assert [c.claim for c in found] == [claims["reuters"]]
    assert sibling.pk not in {c.claim.pk for c in found}


def test_claim_page_lists_candidates_and_attaches_one_in_one_click(client, make_user, claims):
    reviewer = make_user("alice", "reviewer")
    client.force_login(reviewer)
    claim = claims["claim"]
    url = claim.get_absolute_url()
    page = client.get(url).content.decode()
    # The search does not hold the page up: its panel loads itself once the page is shown.
    assert "Searching other articles for similar claims" in page
    assert f'hx-get="{url}?panel=candidates" hx-trigger="load, evidence-changed from:body"' in page
    assert "Suggested: 6 — Truth cannot be judged" in page
    panel = candidates_panel(client, claim)
    assert "Candidate evidence from other articles (2)" in panel
    assert "Numbers differ — money: $250 million vs $300 million" in panel
    assert "Attach as contradicts" in panel
    assert "load" not in re.search(r'hx-trigger="([^"]*)"', panel).group(1)  # loaded once

    response = client.post(
        reverse("claims:candidate_attach", args=[claim.pk]),
        {"evidence_claim": claims["reuters"].pk, "stance": Stance.CONTRADICTS},
    )
    assert response.status_code == 302
    c = Corroboration.objects.get(claim=claim)
    assert (c.evidence_claim, c.stance, c.independence) == (
        claims["reuters"],
        Stance.CONTRADICTS,
        Independence.INDEPENDENT,
    )
    assert c.history.get().history_user == reviewer
    assert "Candidate evidence from other articles (1)" in candidates_panel(client, claim)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "Suggested: 4 — Doubtful (one independent contradicting source)" in page


def test_without_javascript_the_candidates_open_with_the_page(client, make_user, claims):
    client.force_login(make_user("alice", "reviewer"))
    claim = claims["claim"]

    page = client.get(claim.get_absolute_url()).content.decode()
    link = re.search(r'<noscript><p><a href="([^"]+)">Show candidate evidence</a>', page).group(1)
    shown = client.get(claim.get_absolute_url() + link.split("#")[0]).content.decode()

    assert "<html" in shown
    assert "Candidate evidence from other articles (2)" in shown
    assert "Searching other articles" not in shown


def candidates_panel(client, claim) -> str:
    """The candidates panel as htmx asks for it right after the page is shown."""
    response = client.get(
        claim.get_absolute_url() + "?panel=candidates", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    return response.content.decode()


def test_attach_refuses_an_unknown_stance_and_a_claim_of_the_same_article(
    client, make_user, claims
):
    client.force_login(make_user("alice", "reviewer"))
    claim = claims["claim"]
    url = reverse("claims:candidate_attach", args=[claim.pk])
    assert (
        client.post(url, {"evidence_claim": claims["gt"].pk, "stance": "maybe"}).status_code == 409
    )
    sibling = ClaimFactory(article=claim.article, start=0, end=8, text="Headline")
    response = client.post(url, {"evidence_claim": sibling.pk, "stance": Stance.SUPPORTS})
    assert response.status_code == 409
    assert "Evidence must come from another article" in response.content.decode()
    assert not Corroboration.objects.exists()


@pytest.mark.parametrize("extra", [0, 20])
def test_candidate_lookup_runs_a_fixed_number_of_queries(claims, django_assert_num_queries, extra):
    from django.db import connection

    from sources.registry import PublisherRegistry

    for n in range(extra):
        claim_in("Reuters", SAME_DEAL.replace("plant", f"plant number {n}"), 10 + n)
    registry = PublisherRegistry.load()
    if connection.vendor == "postgresql":
        candidates.lexeme_frequencies()  # the planner's statistics: read once per process
    # Prefilter, then the candidate rows with their articles and families (PostgreSQL: rare
    # lexemes first), and the claim's own family (copies of one statement are not independent
    # evidence: independence.same_family), read once for all candidates.
    with django_assert_num_queries({"sqlite": 3, "postgresql": 4}[connection.vendor]):
        found = candidate_evidence(claims["claim"], registry=registry)
    assert len(found) == min(2 + extra, 8)
    assert {c.claim.article.publisher.name for c in found} <= {"Reuters", "Global Times"}


@pytest.fixture
def no_cached_statistics():
    candidates._stats.clear()
    yield
    candidates._stats.clear()


@pytest.mark.postgres("the rarity of a word comes from PostgreSQL's planner statistics")
def test_the_rarest_words_of_a_claim_come_from_the_planners_statistics(no_cached_statistics):
    from django.db import connection

    for n in range(40):
        claim_in("Reuters", f"Shipments of magnets rose again in week {n}.", 100 + n)
    claim = claim_in("Global Times", "Shipments of magnets reached Zanzibar.", 1)
    before = candidates.rare_lexemes(claim.pk, limit=2)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    candidates._stats.clear()
    after = candidates.rare_lexemes(claim.pk, limit=2)
    # Without statistics the longest words come first; with them, what few claims say.
    assert before == ["shipment", "zanzibar"]
    assert after[0] == "zanzibar"
    assert candidates.lexeme_frequencies()["magnet"] > 0.9


@pytest.mark.postgres("the near-copy branch of the prefilter is PostgreSQL's")
def test_a_near_copy_is_a_candidate_even_when_many_claims_share_its_rare_words(monkeypatch):
    monkeypatch.setattr(candidates, "PREFILTER_LIMIT", 3)
    claim = claim_in("Global Times", CLAIM, 1)
    for n in range(6):  # more claims sharing one of its rarest words than the prefilter reads
        claim_in("Associated Press", f"Baotou weather stayed mild on day {n}.", 10 + n)
    copy = claim_in("Reuters", CLAIM, 2)  # the newest row, last in the table
    found = candidate_evidence(claim)
    assert found[0].claim == copy
    assert found[0].similarity == 1.0
