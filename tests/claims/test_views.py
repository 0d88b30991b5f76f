"""The reviewer's web app through Django's test client: the queue, the claim page, safety."""

from __future__ import annotations

import base64
import html
import json
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from claims import services
from claims.models import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Corroboration,
    Credibility,
    Independence,
    Note,
    Rating,
    Stance,
)
from claims.triage import (
    NOT_RATED_SORT,
    ORDERINGS,
    PAGE_SIZE,
    RELEVANCE,
    parse_filters,
    triage_queryset,
    with_sort_key,
)
from imports.in_process import articles_import
from sources.models import Article
from tests.factories import (
    ArticleFactory,
    CorroborationFactory,
    NoteFactory,
    PublisherFactory,
    RatingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = "/claims/"


# -- Building articles and claims -------------------------------------------------------------


def article_with(sentences: list[str], **kwargs):
    """An article whose text is a headline and then `sentences`, one claimable span each."""
    text = "Headline\n" + " ".join(f"{s}." for s in sentences)
    return ArticleFactory(text=text, received_text=text, **kwargs)


def claim_at(article, index: int, **kwargs) -> Claim:
    """Create the claim over sentence `index` of an `article_with` article."""
    body = article.text.index("\n") + 1
    start, end = list(re.finditer(r"[^ .][^.]*\.", article.text[body:]))[index].span()
    fields = {"kind": ClaimKind.STATEMENT, "score": 50} | kwargs
    return Claim.objects.create(
        article=article,
        start=body + start,
        end=body + end,
        text=article.text[body + start : body + end],
        **fields,
    )


def many_claims(n: int, *, article=None, **kwargs) -> list[Claim]:
    article = article or article_with([f"Plant {i} produced {i} tonnes" for i in range(n)])
    return [claim_at(article, i, **kwargs) for i in range(n)]


def support(claim, *, independence=Independence.INDEPENDENT, outlet="Reuters"):
    return CorroborationFactory(
        claim=claim, stance=Stance.SUPPORTS, independence=independence, outlet=outlet
    )


def row_ids(response) -> list[int]:
    """The claim ids of the queue rows, in the order shown."""
    return [int(i) for i in re.findall(r'<tr data-claim-id="(\d+)"', response.content.decode())]


def alerts(response) -> list[str]:
    content = response.content.decode()
    return [html.unescape(a) for a in re.findall(r'role="alert"[^>]*>(.*?)</p>', content, re.S)]


def htmx(**headers) -> dict:
    return {"HTTP_HX_REQUEST": "true", **headers}


# -- Users --------------------------------------------------------------------------------------


# -- The queue ----------------------------------------------------------------------------------


def test_queue_shows_open_claims_highest_score_first_and_never_chrome(rclient):
    article = article_with(["A rose", "B fell", "C held", "D grew", "Link copied"])
    low = claim_at(article, 0, score=10)
    high = claim_at(article, 1, score=90, status=ClaimStatus.IN_REVIEW)
    claim_at(article, 2, score=99, status=ClaimStatus.VERIFIED)
    claim_at(article, 3, score=95, status=ClaimStatus.NOT_A_CLAIM)
    claim_at(article, 4, score=100, kind=ClaimKind.CHROME)

    response = rclient.get(QUEUE)

    assert response.status_code == 200
    assert row_ids(response) == [high.pk, low.pk]
    assert "Link copied" not in response.content.decode()


@pytest.fixture
def scenario(reviewer, lead):
    """Claims that differ in one way each, named so the filter table can refer to them."""
    times = PublisherFactory(name="Global Times")
    herald = PublisherFactory(name="Korea Herald")
    gt = article_with(["Q says", "S says", "D says", "X says"], publisher=times)
    kh = article_with(["H says", "V says"], publisher=herald)
    claims = {
        "quote": claim_at(gt, 0, kind=ClaimKind.QUOTE, assignee=reviewer, credibility=2, score=90),
        "statement": claim_at(gt, 1, score=80),
        "disputed": claim_at(gt, 2, status=ClaimStatus.DISPUTED, score=70),
        "chrome": claim_at(gt, 3, kind=ClaimKind.CHROME, score=100),
        "headline": claim_at(
            kh,
            0,
            kind=ClaimKind.HEADLINE,
            assignee=lead,
            status=ClaimStatus.IN_REVIEW,
            credibility=Credibility.CANNOT_BE_JUDGED,
            score=60,
        ),
        "verified": claim_at(kh, 1, status=ClaimStatus.VERIFIED, score=50),
    }
    support(claims["quote"])
    return {"claims": claims, "times": times, "herald": herald, "gt": gt, "kh": kh, "lead": lead}


FILTERS = [
    ("", ["quote", "statement", "headline"]),
    ("status=verified", ["verified"]),
    ("status=verified&status=disputed", ["disputed", "verified"]),
    ("status=all", ["quote", "statement", "disputed", "headline", "verified"]),
    ("kind=quote", ["quote"]),
    ("kind=headline&kind=statement", ["statement", "headline"]),
    ("publisher={times}", ["quote", "statement"]),
    ("article={kh}", ["headline"]),
    ("article={kh}&status=all", ["headline", "verified"]),
    ("assignee=mine", ["quote"]),
    ("assignee=none", ["statement"]),
    ("assignee={lead}", ["headline"]),
    ("evidence=yes", ["quote"]),
    ("evidence=no", ["statement", "headline"]),
    ("credibility=2", ["quote"]),
    ("credibility=6", ["headline"]),
    ("credibility=none", ["statement"]),
    ("status=all&kind=quote&publisher={times}&evidence=yes", ["quote"]),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS, ids=[q or "default" for q, _ in FILTERS])
def test_queue_filter_shows_exactly_the_matching_claims(rclient, scenario, query, expected):
    query = query.format(times=scenario["times"].pk, kh=scenario["kh"].pk, lead=scenario["lead"].pk)
    response = rclient.get(f"{QUEUE}?{query}")

    assert response.status_code == 200
    assert alerts(response) == []
    assert row_ids(response) == [scenario["claims"][name].pk for name in expected]


def test_queue_search_finds_the_words_on_either_database(rclient):
    article = article_with(
        [
            "China restricts rare earth magnet exports",
            "The soybean harvest was late",
            "Rare earth prices fell in May",
        ]
    )
    magnets, soy, prices = (claim_at(article, i) for i in range(3))

    assert row_ids(rclient.get(QUEUE, {"q": "rare earth"})) in (
        [prices.pk, magnets.pk],
        [magnets.pk, prices.pk],
    )
    assert row_ids(rclient.get(QUEUE, {"q": "soybean"})) == [soy.pk]
    assert row_ids(rclient.get(QUEUE, {"q": "exports magnet"})) == [magnets.pk]
    empty = rclient.get(QUEUE, {"q": "lithium"})
    assert row_ids(empty) == []
    assert "No claims match these filters." in empty.content.decode()


def test_queue_search_keeps_score_order_unless_best_match_is_asked_for(rclient):
    article = article_with(["Rare earth output rose", "Output of rare earth magnets rose"])
    first, second = claim_at(article, 0, score=10), claim_at(article, 1, score=90)

    by_score = rclient.get(QUEUE, {"q": "rare earth"})
    relevance = rclient.get(QUEUE, {"q": "rare earth", "o": "rank"})

    assert row_ids(by_score) == [second.pk, first.pk]
    assert relevance.context["filters"].o == RELEVANCE
    assert "Best match first" in relevance.content.decode()
    assert alerts(relevance) == []
    assert set(row_ids(relevance)) == {first.pk, second.pk}


def test_queue_best_match_ranks_on_postgres_and_falls_back_to_score_on_sqlite(rclient):
    article = article_with(
        [
            "Magnets, magnets and more magnets: the magnet plant makes magnets",
            "The plant also makes a magnet",
        ]
    )
    many, one = claim_at(article, 0, score=10), claim_at(article, 1, score=90)

    ranked = row_ids(rclient.get(QUEUE, {"q": "magnet", "o": "rank"}))
    if connection.vendor == "postgresql":
        # Stemmed full-text ranking: the claim saying "magnet" most often comes first.
        assert ranked == [many.pk, one.pk]
    else:
        # SQLite has no ranking (every match ranks 0): ties break on the newest id.
        assert ranked == [one.pk, many.pk]


def cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


BAD_PARAMETERS = [
    ("status=bogus", "status: unknown bogus; ignored."),
    ("kind=chrome", "kind: only claim kinds can be shown (page chrome never is); ignored."),
    ("credibility=9", "credibility: must be 1–6 or none (not rated yet); ignored."),
    ("credibility=high", "credibility: 'high' is not a number; ignored."),
    ("assignee=alice", "assignee: 'alice' is not a user; ignored."),
    ("assignee=²", "assignee: '²' is not a user; ignored."),
    ("assignee=99999999999999999999999", "is not a user; ignored."),
    ("evidence=maybe", "evidence: must be yes, no or changed; ignored."),
    ("o=password", "o: cannot order by 'password'; ordered by score."),
    ("o=rank", "o: cannot order by 'rank'; ordered by score."),
    ("publisher=abc", "publisher: 'abc' is not a number; ignored."),
    ("publisher=99999999999999999999999", "publisher: '99999999999999999999999' is not a number"),
    ("article=-1", "article: '-1' is not a number; ignored."),
    ("after=garbage", "after: not a page of this queue; showing the first page."),
    (f"after={cursor(['abc', 1])}", "after: not a page of this queue"),
    (f"after={cursor([1, 10**30])}", "after: not a page of this queue"),
    (f"after={cursor([[1], {}])}", "after: not a page of this queue"),
    (f"o=-updated&after={cursor(['yesterday', 1])}", "after: not a page of this queue"),
    (f"o=-updated&after={cursor([5, 1])}", "after: not a page of this queue"),
    (f"q=plant&o=rank&after={cursor(['abc', 1])}", "after: not a page of this queue"),
]


@pytest.mark.parametrize(("query", "message"), BAD_PARAMETERS, ids=[q for q, _ in BAD_PARAMETERS])
def test_queue_reports_a_bad_parameter_and_shows_the_default_queue(rclient, query, message):
    claims = many_claims(3)

    response = rclient.get(f"{QUEUE}?{query}")

    assert response.status_code == 200
    assert any(message in a for a in alerts(response)), alerts(response)
    if "q=" not in query:
        assert sorted(row_ids(response)) == sorted(c.pk for c in claims)


def test_queue_search_ignores_nul_characters(rclient):
    claim = many_claims(1)[0]

    response = rclient.get(QUEUE, {"q": "Plant\x00"})

    assert response.status_code == 200
    assert row_ids(response) == [claim.pk]


def test_queue_reports_every_bad_parameter_at_once(rclient):
    response = rclient.get(f"{QUEUE}?status=bogus&evidence=maybe&o=password")

    assert [a.split(":")[0] for a in alerts(response)] == ["status", "evidence", "o"]


def walk_pages(client, url: str) -> list[int]:
    """Follow the queue's "Next page" links from `url`; return every row id seen."""
    seen, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        assert alerts(response) == []
        seen.extend(row_ids(response))
        pages += 1
        assert pages < 20, "the pager does not end"
        found = re.search(r'rel="next" href="([^"]+)"', response.content.decode())
        url = QUEUE + html.unescape(found.group(1)) if found else ""
    return seen


@pytest.fixture
def big_queue():
    """2.5 pages of open claims with many ties in every sort key, plus closed ones."""
    n = PAGE_SIZE * 2 + 25
    claims = many_claims(n)
    for i, claim in enumerate(claims):
        claim.score = i % 7
        claim.credibility = None if i % 7 == 3 else 1 + i % 6  # some not rated yet
        if i % 10 == 9:
            claim.status = ClaimStatus.VERIFIED
    Claim.objects.bulk_update(claims, ["score", "credibility", "status"])
    # Half the claims changed in the same instant: ties in the `updated_at` key too.
    tied = [c.pk for c in claims[::2]]
    Claim.objects.filter(pk__in=tied).update(updated_at=claims[0].updated_at)
    return Claim.objects.filter(status__in=["unreviewed", "in_review"])


@pytest.mark.parametrize("o", list(ORDERINGS))
def test_queue_pages_walk_every_open_claim_once_in_order(rclient, big_queue, o):
    _, name, _, desc = ORDERINGS[o]
    rows = list(with_sort_key(big_queue, o).values_list(name, "id"))
    expected = [pk for _, pk in sorted(rows, reverse=desc)]

    seen = walk_pages(rclient, f"{QUEUE}?o={o}")

    assert len(seen) == len(set(seen)) == len(expected) > 2 * PAGE_SIZE
    assert seen == expected


def test_queue_pages_in_relevance_order_walk_every_match_once(rclient, big_queue, reviewer):
    filters = parse_filters(QueryDict("q=plant+tonnes&o=rank"))
    expected = list(
        triage_queryset(filters, reviewer).order_by("-rank", "-id").values_list("id", flat=True)
    )

    seen = walk_pages(rclient, f"{QUEUE}?q=plant+tonnes&o=rank")

    assert len(seen) == len(set(seen)) == len(expected) > 2 * PAGE_SIZE
    assert seen == expected


def walk_back(client, url: str) -> list[list[int]]:
    """Follow the "Previous page" links from `url`; return each page's row ids, last first."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        assert alerts(response) == []
        pages.append(row_ids(response))
        assert len(pages) < 20, "the pager does not end"
        found = re.search(r'rel="prev" href="([^"]+)"', response.content.decode())
        url = QUEUE + html.unescape(found.group(1)) if found else ""
    return pages


@pytest.mark.parametrize("o", ["-score", "credibility", "-updated", "id"])
def test_queue_previous_pages_walk_back_to_the_first_page(rclient, big_queue, o):
    forward = []
    url = f"{QUEUE}?o={o}"
    while url:  # every page forward, remembering each one's rows
        response = rclient.get(url)
        forward.append(row_ids(response))
        found = re.search(r'rel="next" href="([^"]+)"', response.content.decode())
        url = QUEUE + html.unescape(found.group(1)) if found else ""
        last = response
    assert len(forward) == 3
    back = re.search(r'rel="prev" href="([^"]+)"', last.content.decode()).group(1)

    pages = walk_back(rclient, QUEUE + html.unescape(back))

    assert pages == forward[-2::-1]  # the second page, then the first
    first = rclient.get(QUEUE + html.unescape(back)).content.decode()
    assert "« First page" in first and 'rel="next"' in first


def test_queue_column_headers_sort_and_say_how(rclient, big_queue):
    page = rclient.get(QUEUE).content.decode()
    score = re.search(r'<th scope="col" aria-sort="(\w+)"><a href="\?([^"]*)"[^>]*>Score', page)
    assert score.group(1) == "descending"  # the default order
    assert html.unescape(score.group(2)) == "o=score"  # a click turns it round

    credibility = re.search(r'aria-sort="(\w+)"><a href="\?([^"]*)"[^>]*>Credibility', page)
    assert credibility.group(1) == "none"
    sorted_page = rclient.get(f"{QUEUE}?{html.unescape(credibility.group(2))}")
    ids = row_ids(sorted_page)
    by_credibility = dict(Claim.objects.filter(pk__in=ids).values_list("pk", "credibility"))
    keys = [NOT_RATED_SORT if by_credibility[i] is None else by_credibility[i] for i in ids]
    assert keys == sorted(keys)
    assert 'aria-sort="ascending"><a href="?o=-credibility"' in sorted_page.content.decode()


def test_queue_states_its_filters_above_the_rows(rclient, reviewer):
    claim = many_claims(1, status=ClaimStatus.IN_REVIEW, kind=ClaimKind.QUOTE)[0]

    page = rclient.get(f"{QUEUE}?status=in_review&kind=quote&evidence=no&q=Plant")
    plain = rclient.get(QUEUE).content.decode()

    shown = re.search(r'id="active-filters">(.*?)</p>', page.content.decode(), re.S).group(1)
    chips = [html.unescape(c) for c in re.findall(r'class="filter-chip">([^<]*)<', shown)]
    assert chips == ["Status: In review", "Kind: Quote", "Evidence: no evidence", "Search: “Plant”"]
    assert "Clear filters" in shown
    assert row_ids(page) == [claim.pk]
    assert "Clear filters" not in re.search(r'id="active-filters">(.*?)</p>', plain, re.S).group(1)


def test_queue_status_is_chosen_with_checkboxes(rclient):
    page = rclient.get(f"{QUEUE}?status=verified&status=refuted").content.decode()

    boxes = re.findall(r'<input type="checkbox" name="status" value="(\w+)" ?(checked)?>', page)
    assert {value for value, checked in boxes if checked} == {"verified", "refuted"}
    assert len(boxes) == len(ClaimStatus.values)
    assert 'name="status" multiple' not in page


def test_queue_first_page_link_drops_the_cursor(rclient, big_queue):
    first = rclient.get(QUEUE)
    second = rclient.get(
        QUEUE
        + html.unescape(re.search(r'rel="next" href="([^"]+)"', first.content.decode()).group(1))
    )

    assert "« First page" not in first.content.decode()
    assert "« First page" in second.content.decode()
    assert set(row_ids(first)).isdisjoint(row_ids(second))


def test_queue_htmx_request_gets_only_the_table_fragment(rclient):
    claim = many_claims(1)[0]

    fragment = rclient.get(QUEUE, **htmx())
    page = rclient.get(QUEUE)

    assert "<html" not in fragment.content.decode()
    assert row_ids(fragment) == [claim.pk]
    assert 'id="claims-table"' in fragment.content.decode()
    assert "<html" in page.content.decode()
    assert row_ids(page) == [claim.pk]
    assert "HX-Request" in fragment["Vary"]


def test_queue_boosted_htmx_request_gets_the_full_page(rclient):
    many_claims(1)

    response = rclient.get(QUEUE, **htmx(HTTP_HX_BOOSTED="true"))

    assert "<html" in response.content.decode()


def test_claim_page_fragment_url_opened_directly_renders_the_full_page(rclient):
    claim = many_claims(1)[0]
    url = reverse("claims:detail", args=[claim.pk]) + "?fragment=workspace"

    assert "<html" in rclient.get(url).content.decode()
    fragment = rclient.get(url, **htmx()).content.decode()
    assert "<html" not in fragment
    assert f"Claim #{claim.pk}" in fragment


# -- Query counts: fixed, whatever the number of rows ----------------------------------------

# Every page: session, user, the user's permissions (2) and groups (page header), then:
# queue: the page's ids in queue order, then its rows by id (claims/triage.py triage_page),
# count (PostgreSQL: EXPLAIN, then an exact count when small), the publisher
# registry's version (the publishers filter; the publishers themselves only when one changed
# since the last page: one more query) and reviewers for the filters. A claim family is one
# row (claims/triage.py family_rows); a page with families reads their sizes, outlets and
# verdicts in one more query, whatever their number (FAMILY_FACTS_QUERIES,
# tests/families/test_queue.py);
QUEUE_QUERIES = {"sqlite": 10, "postgresql": 11}
FAMILY_FACTS_QUERIES = 1
# claim page: claim with its corroborations, ratings and notes (4), the article's spans, the
# four history tables; the publisher registry's version (suggested credibility, the evidence
# form's publishers), whether a blind hand-out hides the other ratings from this reviewer
# (desk/blind.py) and the reviewers. The candidates are not searched: their panel loads
# itself after the page (tests/claims/test_candidates.py);
CLAIM_PAGE_QUERIES = {"sqlite": 16, "postgresql": 16}


def warm_registry(client) -> None:
    """Load the shared publisher registry once, as the page before this one would have."""
    assert client.get(reverse("claims:list")).status_code == 200


# article page: article, spans, status counts, its history; publisher list: publishers with
# article counts.
ARTICLE_PAGE_QUERIES = 9
PUBLISHER_LIST_QUERIES = 6


@pytest.mark.parametrize("n", [3, 30])
def test_queue_page_runs_a_fixed_number_of_queries(rclient, django_assert_num_queries, n, reviewer):
    claims = many_claims(n, assignee=reviewer)
    for claim in claims:
        support(claim)
    PublisherFactory.create_batch(n)
    warm_registry(rclient)

    with django_assert_num_queries(QUEUE_QUERIES[connection.vendor]):
        response = rclient.get(QUEUE)

    assert len(row_ids(response)) == n


@pytest.mark.parametrize("n", [3, 30])
def test_claim_page_runs_a_fixed_number_of_queries(rclient, django_assert_num_queries, n):
    publisher = PublisherFactory(
        name="Global Times", parent=PublisherFactory(name="People's Daily")
    )
    claims = many_claims(
        n, article=article_with([f"S{i} rose" for i in range(n)], publisher=publisher)
    )
    claim = claims[0]
    other = many_claims(n)
    # Whose text each side is: read for every corroboration's independence, never per row.
    wire = PublisherFactory(name="Nordic Wire")
    Article.objects.filter(pk__in={c.article_id for c in [claim, *other]}).update(
        origin=wire, origin_evidence={"kind": "republication"}
    )
    for i in range(n):
        evidence = CorroborationFactory(
            claim=claim, publisher=PublisherFactory(), evidence_claim=other[i]
        )
        services.corroboration_update(corroboration=evidence, by=None, outlet=f"Outlet {i}")
        RatingFactory(claim=claim, reviewer=UserFactory())
        note = NoteFactory(claim=claim, author=UserFactory())
        services.note_update(note=note, by=note.author, text=f"Edited {i}")
        services.claim_set_credibility(
            claim=claim, credibility=1 + i % 5 + 1, by=None, version=None
        )

    warm_registry(rclient)

    with django_assert_num_queries(CLAIM_PAGE_QUERIES[connection.vendor]):
        response = rclient.get(reverse("claims:detail", args=[claim.pk]))

    assert response.status_code == 200
    assert len(response.context["corroborations"]) == n
    assert len(response.context["notes"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_article_page_runs_a_fixed_number_of_queries(rclient, django_assert_num_queries, n):
    publisher = PublisherFactory(
        name="Global Times", parent=PublisherFactory(name="People's Daily")
    )
    article = article_with([f"S{i} rose" for i in range(n)], publisher=publisher)
    claims = many_claims(n, article=article)
    for i, claim in enumerate(claims):
        claim.status = ClaimStatus.values[i % len(ClaimStatus.values)]
        claim.save()

    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        response = rclient.get(article.get_absolute_url())

    assert response.status_code == 200
    assert response.content.decode().count('class="span span-') == n


@pytest.mark.parametrize("n", [3, 30])
def test_publisher_list_runs_a_fixed_number_of_queries(rclient, django_assert_num_queries, n):
    parent = PublisherFactory(name="Parent Group")
    for i in range(n):
        ArticleFactory(publisher=PublisherFactory(name=f"Outlet {i:02}", parent=parent))

    with django_assert_num_queries(PUBLISHER_LIST_QUERIES):
        response = rclient.get(reverse("sources:publisher_list"))

    assert response.status_code == 200
    assert response.content.decode().count("Parent Group</td>") == n


# -- Bulk actions -------------------------------------------------------------------------------


def test_lead_bulk_assigns_claims_and_sees_each_result(lclient, reviewer):
    first, second = many_claims(2)

    response = lclient.post(
        reverse("claims:bulk"),
        {"ids": [first.pk, second.pk], "action": "assign", "assignee": reviewer.pk},
        **htmx(),
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    for claim in (first, second):
        assert f"#{claim.pk}</a>: Assigned to rita." in content
        claim.refresh_from_db()
        assert claim.assignee == reviewer


def test_reviewer_cannot_bulk_assign(rclient, lead):
    claim = many_claims(1)[0]

    response = rclient.post(
        reverse("claims:bulk"), {"ids": [claim.pk], "action": "assign", "assignee": lead.pk}
    )

    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.assignee is None


def test_bulk_verify_refuses_the_claim_without_evidence_and_changes_the_other(rclient):
    supported, bare = many_claims(2)
    support(supported)

    response = rclient.post(
        reverse("claims:bulk"),
        {"ids": [supported.pk, bare.pk], "action": "status", "status": "verified", "reason": "ok"},
    )

    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "<html" in content
    assert f"#{supported.pk}</a>: Marked as verified." in content
    assert (
        f"#{bare.pk}</a>: Cannot mark as verified: it needs at least one supporting "
        "corroboration judged independent (this claim has none)."
    ) in content
    supported.refresh_from_db()
    bare.refresh_from_db()
    assert (supported.status, bare.status) == (ClaimStatus.VERIFIED, ClaimStatus.UNREVIEWED)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "status", "status": "in_review"}, "Select at least one claim first."),
        ({"ids": ["²", "99999999999999999999"], "action": "status"}, "Select at least one"),
        ({"ids": ["CLAIM"], "action": "status", "status": "bogus"}, "Unknown status 'bogus'."),
        ({"ids": ["CLAIM"], "action": "delete"}, "Choose an action."),
    ],
)
def test_bulk_reports_a_bad_request_instead_of_crashing(rclient, data, message):
    claim = many_claims(1)[0]
    data = {
        k: [str(claim.pk) if v == "CLAIM" else v for v in vs] if k == "ids" else vs
        for k, vs in data.items()
    }

    response = rclient.post(reverse("claims:bulk"), data)

    assert response.status_code == 200
    assert any(message in a for a in alerts(response))


# -- Who may take a claim, and chrome out of triage, on every way in ----------------------------

CHROME_REFUSAL = "is page chrome (page furniture such as a share button or a photo credit)"


def test_take_refuses_a_claim_a_lead_gave_to_someone_else(rclient, lclient, reviewer):
    claim = many_claims(1)[0]
    bob = UserFactory(username="bob")
    services.claim_assign(claim=claim, assignee=bob, by=None)

    response = rclient.post(reverse("claims:take", args=[claim.pk]), **htmx())

    assert response.status_code == 409
    assert response.content.decode() == (
        f"Claim #{claim.pk} is assigned to bob: only a lead can reassign it; "
        "a reviewer takes unassigned claims."
    )
    claim.refresh_from_db()
    assert (claim.assignee, claim.version) == (bob, 2)
    # Without htmx: back to the queue, saying why.
    response = rclient.post(reverse("claims:take", args=[claim.pk]), follow=True)
    assert any("only a lead can reassign it" in str(m) for m in response.context["messages"])
    # The claim page offers no "Assign to me" on someone else's claim.
    page = rclient.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert reverse("claims:take", args=[claim.pk]) not in page
    # A lead may take it.
    assert lclient.post(reverse("claims:take", args=[claim.pk]), **htmx()).status_code == 204
    claim.refresh_from_db()
    assert claim.assignee.username == "lena"


def test_take_still_takes_an_unassigned_claim(rclient, reviewer):
    claim = many_claims(1)[0]
    page = rclient.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert reverse("claims:take", args=[claim.pk]) in page

    assert rclient.post(reverse("claims:take", args=[claim.pk]), **htmx()).status_code == 204
    claim.refresh_from_db()
    assert claim.assignee == reviewer


@pytest.fixture
def chrome():
    article = article_with(["Link copied", "Plant 1 produced 5 tonnes"])
    return claim_at(article, 0, kind=ClaimKind.CHROME), claim_at(article, 1)


def _unchanged(claim) -> None:
    claim.refresh_from_db()
    assert (claim.status, claim.assignee, claim.credibility, claim.version) == (
        ClaimStatus.UNREVIEWED,
        None,
        None,  # not rated yet
        1,
    )


def test_quick_status_and_take_refuse_chrome(rclient, chrome):
    claim, _ = chrome
    for name, data in [("quick_status", {"status": "not_a_claim"}), ("take", {})]:
        response = rclient.post(reverse(f"claims:{name}", args=[claim.pk]), data, **htmx())
        assert response.status_code == 409, name
        assert response.content.decode().startswith(f"Claim #{claim.pk} {CHROME_REFUSAL}")
    _unchanged(claim)


def test_bulk_status_and_bulk_assign_refuse_chrome_and_change_the_rest(lclient, chrome, lead):
    claim, other = chrome
    for data in [
        {"action": "status", "status": "in_review"},
        {"action": "assign", "assignee": lead.pk},
    ]:
        response = lclient.post(reverse("claims:bulk"), {"ids": [claim.pk, other.pk], **data})
        content = html.unescape(response.content.decode())
        assert f"#{claim.pk}</a>: Claim #{claim.pk} {CHROME_REFUSAL}" in content
    _unchanged(claim)
    other.refresh_from_db()
    assert (other.status, other.assignee) == (ClaimStatus.IN_REVIEW, lead)


def test_the_claim_page_of_chrome_says_why_it_takes_no_verdict(rclient, lclient, chrome, lead):
    claim, _ = chrome
    page = rclient.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert CHROME_REFUSAL in html.unescape(page)
    assert reverse("claims:status", args=[claim.pk]) not in page
    # A form posted all the same (an old page) is refused in the verdict panel.
    for client, name, data in [
        (rclient, "status", {"status": "not_a_claim", "reason": "", "version": 1}),
        (rclient, "credibility", {"credibility": 4, "version": 1}),
        (lclient, "assign", {"assignee": lead.pk}),
    ]:
        response = client.post(reverse(f"claims:{name}", args=[claim.pk]), data, **htmx())
        assert response.status_code == 409, name
        assert any(CHROME_REFUSAL in a for a in alerts(response)), name
    _unchanged(claim)


# -- The claim page's actions ---------------------------------------------------------------------


@pytest.fixture
def claim():
    publisher = PublisherFactory(name="Global Times", domains=["globaltimes.cn"])
    return many_claims(1, article=article_with(["Output rose 5 percent"], publisher=publisher))[0]


def post_status(client, claim, status, reason="", version=None, **extra):
    version = claim.version if version is None else version
    return client.post(
        reverse("claims:status", args=[claim.pk]),
        {"status": status, "reason": reason, "version": version},
        **extra,
    )


def test_verify_without_evidence_is_refused_saying_what_is_missing(rclient, claim):
    response = post_status(rclient, claim, "verified", "Matches filings", **htmx())

    assert response.status_code == 409
    assert "<html" not in response.content.decode()
    assert alerts(response) == [
        "Cannot mark as verified: it needs at least one supporting corroboration judged "
        "independent (this claim has none)."
    ]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNREVIEWED


def test_verify_refused_without_htmx_shows_the_full_page_with_409(rclient, claim):
    response = post_status(rclient, claim, "verified", "Matches filings")

    assert response.status_code == 409
    content = response.content.decode()
    assert "<html" in content
    assert any("this claim has none" in a for a in alerts(response))
    assert content.count("this claim has none") == 1


def test_verify_without_a_reason_is_refused(rclient, claim):
    support(claim)

    response = post_status(rclient, claim, "verified", "", **htmx())

    assert response.status_code == 409
    assert alerts(response) == ["A reason is required to mark a claim as verified."]


def test_add_independent_support_then_verify(rclient, reviewer, claim):
    added = rclient.post(
        reverse("claims:corroboration_add", args=[claim.pk]),
        {"stance": "supports", "outlet": "Reuters", "url": "https://www.reuters.com/x"},
        **htmx(),
    )
    assert added.status_code == 200
    assert "Evidence added." in added.content.decode()
    evidence = Corroboration.objects.get(claim=claim)
    assert evidence.independence == Independence.INDEPENDENT

    verified = post_status(rclient, claim, "verified", "Reuters confirms", **htmx())

    assert verified.status_code == 200
    assert '<span class="status status-verified">Verified</span>' in verified.content.decode()
    claim.refresh_from_db()
    assert (claim.status, claim.reviewed_by) == (ClaimStatus.VERIFIED, reviewer)


def test_evidence_from_the_claims_own_site_does_not_count_for_verified(rclient, claim):
    rclient.post(
        reverse("claims:corroboration_add", args=[claim.pk]),
        {"stance": "supports", "url": "https://www.globaltimes.cn/page/1.html"},
        **htmx(),
    )

    response = post_status(rclient, claim, "verified", "Says so itself", **htmx())

    assert response.status_code == 409
    assert "this claim has 1 supporting, 0 of them independent" in alerts(response)[0]


def test_corroboration_without_a_source_is_refused_in_its_panel(rclient, claim):
    response = rclient.post(
        reverse("claims:corroboration_add", args=[claim.pk]), {"stance": "supports"}, **htmx()
    )

    assert response.status_code == 409
    assert alerts(response) == [
        "Say where the evidence is: a URL, an outlet, an excerpt or another claim."
    ]
    assert not Corroboration.objects.exists()


def test_evidence_refused_by_its_form_names_the_field_as_a_reader_knows_it(rclient, claim):
    response = rclient.post(
        reverse("claims:corroboration_add", args=[claim.pk]),
        {"stance": "supports", "outlet": "Reuters", "evidence_claim": "999999"},
        **htmx(),
    )

    assert response.status_code == 409
    assert alerts(response) == ["evidence claim: There is no claim #999999."]
    assert not Corroboration.objects.exists()


def test_evidence_dated_in_the_future_is_refused_naming_the_field(rclient, claim):
    response = rclient.post(
        reverse("claims:corroboration_add", args=[claim.pk]),
        {"stance": "supports", "outlet": "Reuters", "published_on": "2099-01-01"},
        **htmx(),
    )

    assert response.status_code == 409
    assert alerts(response) == [
        "published on: 2099-01-01 is in the future: evidence cannot have been published "
        "after today."
    ]
    assert not Corroboration.objects.exists()
    # The date picker stops at the same day (tomorrow), so a browser warns before posting.
    tomorrow = services.latest_publication_date().isoformat()
    assert re.search(rf'name="published_on"[^>]* max="{tomorrow}"', response.content.decode())


def test_edit_on_a_stale_page_is_refused_listing_the_change(rclient, lead, claim):
    seen = claim.version
    services.claim_set_status(
        claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=lead, version=seen
    )

    response = post_status(rclient, claim, "unverifiable", version=seen, **htmx())

    assert response.status_code == 409
    (message,) = alerts(response)
    assert message.startswith("Not saved: someone changed this claim since you opened it (")
    assert "status: Unreviewed → In review (lena, " in message
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REVIEW


def test_credibility_one_needs_two_independent_sources(rclient, claim):
    support(claim)

    response = rclient.post(
        reverse("claims:credibility", args=[claim.pk]),
        {"credibility": 1, "version": claim.version},
        **htmx(),
    )

    assert response.status_code == 409
    assert "this claim has 1)" in alerts(response)[0]
    claim.refresh_from_db()
    assert claim.credibility is None  # not rated yet, as before


def test_rating_is_saved_once_per_reviewer_and_updated(rclient, reviewer, claim):
    url = reverse("claims:rating", args=[claim.pk])

    rclient.post(url, {"confidence": "low", "rationale": "One source."}, **htmx())
    response = rclient.post(url, {"confidence": "high", "rationale": "Two sources."}, **htmx())

    assert response.status_code == 200
    rating = Rating.objects.get(claim=claim)
    assert (rating.reviewer, rating.confidence, rating.rationale) == (
        reviewer,
        "high",
        "Two sources.",
    )
    assert "High confidence — Two sources." in response.content.decode()


def test_note_is_added_and_edited_by_its_author(rclient, reviewer, claim):
    rclient.post(reverse("claims:note_add", args=[claim.pk]), {"text": "Called the plant."})
    note = Note.objects.get(claim=claim)
    assert note.author == reviewer

    edit_url = reverse("claims:note_edit", args=[claim.pk, note.pk])
    assert rclient.get(edit_url).status_code == 200
    response = rclient.post(edit_url, {"text": "Called the plant twice.", "version": note.version})

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.text == "Called the plant twice."


def hidden_version(response) -> int:
    """The version an edit form carries (its hidden `version` input)."""
    (value,) = re.findall(r'<input type="hidden" name="version" value="(\d+)"', response.text)
    return int(value)


def edit_evidence(client, evidence, version, **extra):
    url = reverse("claims:corroboration_edit", args=[evidence.claim_id, evidence.pk])
    data = {"stance": "supports", "outlet": "Reuters", "excerpt": "Output rose 5 percent."}
    return client.post(url, {**data, "version": version}, **extra)


def test_evidence_edit_page_carries_the_version_it_shows(rclient, claim):
    evidence = support(claim)
    url = reverse("claims:corroboration_edit", args=[claim.pk, evidence.pk])

    page = rclient.get(url)
    fragment = rclient.get(url, **htmx())

    assert hidden_version(page) == evidence.version == 1
    assert "<html" in page.text
    assert "<html" not in fragment.text and hidden_version(fragment) == 1


def test_evidence_edit_on_a_stale_page_is_refused_listing_what_changed(rclient, lead, claim):
    evidence = support(claim)
    seen = evidence.version
    services.corroboration_update(
        corroboration=evidence, by=lead, version=seen, outlet="Korea Herald", excerpt="Denied."
    )

    response = edit_evidence(rclient, evidence, seen, **htmx())

    assert response.status_code == 409
    assert "<html" not in response.text  # the form fragment, refusal included
    (message,) = alerts(response)
    assert message.startswith("Not saved: someone changed this evidence since you opened it (")
    assert "outlet: Reuters → Korea Herald (lena, " in message
    assert "excerpt: Output rose. → Denied. (lena, " in message
    # The form now shows the evidence as it is, at its new version, to review and retry.
    assert hidden_version(response) == 2
    assert 'value="Korea Herald"' in response.text
    evidence.refresh_from_db()
    assert (evidence.outlet, evidence.excerpt, evidence.version) == ("Korea Herald", "Denied.", 2)


def test_evidence_edit_refused_without_htmx_shows_the_full_page_with_409(rclient, lead, claim):
    evidence = support(claim)
    services.corroboration_update(corroboration=evidence, by=lead, version=1, outlet="AP")

    response = edit_evidence(rclient, evidence, 1)

    assert response.status_code == 409
    assert "<html" in response.text
    assert "outlet: Reuters → AP (lena, " in alerts(response)[0]


def test_evidence_edit_on_the_current_version_saves_and_goes_back_to_the_claim(rclient, claim):
    evidence = support(claim)

    response = edit_evidence(rclient, evidence, evidence.version, **htmx())

    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("claims:detail", args=[claim.pk])
    evidence.refresh_from_db()
    assert (evidence.excerpt, evidence.version) == ("Output rose 5 percent.", 2)


def test_evidence_edit_without_a_version_is_refused_naming_the_field(rclient, claim):
    evidence = support(claim)
    url = reverse("claims:corroboration_edit", args=[claim.pk, evidence.pk])

    response = rclient.post(url, {"stance": "contradicts", "outlet": "AP"}, **htmx())

    assert alerts(response) == ["version: This field is required."]
    evidence.refresh_from_db()
    assert (evidence.stance, evidence.version) == ("supports", 1)


def remove_evidence(client, evidence, **data):
    url = reverse("claims:corroboration_remove", args=[evidence.claim_id, evidence.pk])
    return client.post(url, data, **htmx())


def test_evidence_removal_carries_the_version_the_page_shows(rclient, claim):
    evidence = support(claim)
    page = rclient.get(reverse("claims:detail", args=[claim.pk])).text
    form = page[page.index(reverse("claims:corroboration_remove", args=[claim.pk, evidence.pk])) :]
    form = form[: form.index("</form>")]
    assert f'<input type="hidden" name="version" value="{evidence.version}">' in form

    response = remove_evidence(rclient, evidence, version=evidence.version)

    assert response.status_code == 200
    assert not Corroboration.objects.filter(pk=evidence.pk).exists()
    assert Corroboration.history.filter(id=evidence.pk).latest().history_type == "-"


def test_evidence_removal_on_a_stale_page_is_refused_listing_what_changed(rclient, lead, claim):
    evidence = support(claim)
    seen = evidence.version
    services.corroboration_update(
        corroboration=evidence, by=lead, version=seen, stance="contradicts", excerpt="Denied."
    )

    response = remove_evidence(rclient, evidence, version=seen)

    assert response.status_code == 409
    (message,) = alerts(response)
    assert message.startswith("Not saved: someone changed this evidence since you opened it (")
    assert "stance: Supports → Contradicts (lena, " in message
    evidence.refresh_from_db()  # still there, as the lead left it
    assert (evidence.stance, evidence.version) == ("contradicts", 2)


def test_evidence_removal_without_a_version_is_refused_naming_the_field(rclient, claim):
    evidence = support(claim)

    response = remove_evidence(rclient, evidence)

    assert response.status_code == 409
    assert alerts(response) == ["version: This field is required."]
    assert Corroboration.objects.filter(pk=evidence.pk).exists()


def test_note_edit_on_a_stale_page_is_refused_listing_what_changed(rclient, reviewer, claim):
    note = services.note_create(claim=claim, by=reviewer, text="Called the plant.")
    edit_url = reverse("claims:note_edit", args=[claim.pk, note.pk])
    first_tab = rclient.get(edit_url)
    rclient.post(edit_url, {"text": "Called the plant twice.", "version": 1})  # another tab

    response = rclient.post(
        edit_url, {"text": "Emailed the plant.", "version": hidden_version(first_tab)}, **htmx()
    )

    assert response.status_code == 409
    assert "<html" not in response.text
    (message,) = alerts(response)
    assert message.startswith("Not saved: someone changed this note since you opened it (")
    assert "text: Called the plant. → Called the plant twice. (rita, " in message
    assert hidden_version(response) == 2
    note.refresh_from_db()
    assert (note.text, note.version) == ("Called the plant twice.", 2)


def test_note_edit_page_opened_before_a_revert_is_stale(rclient, lclient, reviewer, claim):
    note = services.note_create(claim=claim, by=reviewer, text="Called the plant.")
    services.note_update(note=note, by=reviewer, text="Called the plant twice.", version=1)
    edit_url = reverse("claims:note_edit", args=[claim.pk, note.pk])
    opened = rclient.get(edit_url)
    change = note.history.filter(history_type="~").get()
    lclient.post(
        reverse("claims:revert", args=[claim.pk]),
        {"kind": "note", "history_id": change.history_id, "reason": "Kept the first"},
    )

    response = rclient.post(edit_url, {"text": "Mine.", "version": hidden_version(opened)})

    assert response.status_code == 409
    assert "text: Called the plant twice. → Called the plant. (lena, " in alerts(response)[0]
    note.refresh_from_db()
    assert note.text == "Called the plant."


def test_note_cannot_be_edited_by_someone_else(lclient, reviewer, claim):
    note = services.note_create(claim=claim, by=reviewer, text="Mine.")
    edit_url = reverse("claims:note_edit", args=[claim.pk, note.pk])

    assert lclient.get(edit_url).status_code == 403
    assert lclient.post(edit_url, {"text": "Theirs."}).status_code == 403
    note.refresh_from_db()
    assert note.text == "Mine."


def test_lead_reverts_a_status_change(lclient, reviewer, claim):
    services.claim_set_status(
        claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=reviewer, version=None
    )
    change = claim.history.latest("history_id")

    response = lclient.post(
        reverse("claims:revert", args=[claim.pk]),
        {"kind": "claim", "history_id": change.history_id, "reason": "Too early"},
        **htmx(),
    )

    assert response.status_code == 200
    assert f"Change #{change.history_id} reverted." in response.content.decode()
    assert f"Reason: Reverted change #{change.history_id}" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNREVIEWED


def test_revert_without_a_reason_is_refused_naming_the_field(lclient, reviewer, claim):
    services.claim_set_status(
        claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=reviewer, version=None
    )
    change = claim.history.latest("history_id")

    response = lclient.post(
        reverse("claims:revert", args=[claim.pk]),
        {"kind": "claim", "history_id": change.history_id, "reason": "  "},
        **htmx(),
    )

    assert response.status_code == 409
    assert alerts(response) == ["reason: Say why you revert this change (kept in its history)."]
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REVIEW


def test_each_revert_button_asks_for_confirmation_and_a_reason(lclient, reviewer, claim):
    services.claim_set_status(
        claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=reviewer, version=None
    )
    change = claim.history.latest("history_id").history_id

    content = lclient.get(reverse("claims:detail", args=[claim.pk])).content.decode()

    form = re.search(rf'<form[^>]*aria-label="Revert change {change}".*?</form>', content, re.S)
    assert form, "the change has a revert form"
    assert f'hx-confirm="Revert change #{change} (Claim #{claim.pk})?' in form.group()
    assert re.search(r'<input type="text"[^>]* name="reason"[^>]* required', form.group())
    assert f'id="revert-reason-claim-{change}"' in form.group()  # one id a change


def test_revert_refuses_a_change_of_another_claim(lclient, reviewer, claim):
    other = many_claims(1)[0]
    services.claim_set_status(
        claim=other, status=ClaimStatus.IN_REVIEW, reason="", by=reviewer, version=None
    )
    change = other.history.latest("history_id")

    response = lclient.post(
        reverse("claims:revert", args=[claim.pk]),
        {"kind": "claim", "history_id": change.history_id, "reason": "Too early"},
        **htmx(),
    )

    assert response.status_code == 409
    assert alerts(response) == [f"Change #{change.history_id} is not in this claim's history."]
    other.refresh_from_db()
    assert other.status == ClaimStatus.IN_REVIEW


@pytest.mark.parametrize("history_id", ["", "abc", "²", "99999999999999999999999"])
def test_revert_of_a_malformed_change_id_is_refused(lclient, claim, history_id):
    response = lclient.post(
        reverse("claims:revert", args=[claim.pk]),
        {"kind": "claim", "history_id": history_id, "reason": "Too early"},
    )

    assert response.status_code == 409
    assert "Choose a recorded change to revert." in alerts(response)


def test_history_shows_each_change_with_before_and_after(rclient, reviewer, claim):
    services.claim_set_status(
        claim=claim, status=ClaimStatus.IN_REVIEW, reason="Looking", by=reviewer, version=None
    )

    content = rclient.get(reverse("claims:detail", args=[claim.pk])).content.decode()

    assert "Reason: Looking" in content
    assert "<td>status</td><td><del>Unreviewed</del></td><td><ins>In review</ins></td>" in content


# -- Safety: escaping, CSP, CSRF ------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


@pytest.fixture
def hostile_claim():
    text = (
        f"Magnet plant {SCRIPT} opens\n\n"
        f"Officials said {IMG} output rose 5 percent {SCRIPT} last year. "
        "The plant produced 900 tonnes of magnets in 2024, the company said.\n"
    )
    _, (result,) = articles_import([("hostile.txt", text.encode())], by=None, origin="test")
    claim = result.article.claims.triageable().get(text__contains="onerror")
    assert SCRIPT in claim.text
    return claim


def assert_escaped(content: str) -> None:
    assert SCRIPT not in content
    assert "onerror=alert" not in content.replace("onerror=alert(1)&gt;", "")
    assert "<img src=x" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_imported_markup_is_escaped_on_the_claim_page(rclient, hostile_claim):
    assert_escaped(rclient.get(hostile_claim.get_absolute_url()).content.decode())


def test_imported_markup_is_escaped_on_the_article_page(rclient, hostile_claim):
    assert_escaped(rclient.get(hostile_claim.article.get_absolute_url()).content.decode())


def test_imported_markup_is_escaped_in_the_queue(rclient, hostile_claim):
    response = rclient.get(QUEUE)
    assert hostile_claim.pk in row_ids(response)
    assert_escaped(response.content.decode())


@pytest.mark.parametrize(
    "url", [QUEUE, "/sources/articles/", "/sources/publishers/", "CLAIM", "ARTICLE"]
)
def test_pages_send_a_csp_with_a_nonce_on_every_script(rclient, claim, url):
    url = {"CLAIM": claim.get_absolute_url(), "ARTICLE": claim.article.get_absolute_url()}.get(
        url, url
    )
    response = rclient.get(url)

    policy = response["Content-Security-Policy"]
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", policy).group(1)
    content = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", content)
    assert len(scripts) >= 2  # htmx and app.js
    assert all(f'nonce="{nonce}"' in tag and "src=" in tag for tag in scripts), scripts
    assert "object-src 'none'" in policy
    # No inline handlers or styles: the policy would block them.
    assert not re.search(r"<[^>]+\s(on[a-z]+|style)=", content)


def test_the_nonce_changes_on_every_response(rclient):
    first = rclient.get(QUEUE)["Content-Security-Policy"]
    second = rclient.get(QUEUE)["Content-Security-Policy"]
    assert first != second


@pytest.fixture
def csrf_client(reviewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    return client


def test_post_without_csrf_token_is_refused(csrf_client, claim):
    csrf_client.get(claim.get_absolute_url())

    response = csrf_client.post(reverse("claims:note_add", args=[claim.pk]), {"text": "Hi."})

    assert response.status_code == 403
    assert not Note.objects.exists()


def test_post_with_the_pages_csrf_header_is_accepted(csrf_client, claim):
    page = csrf_client.get(claim.get_absolute_url()).content.decode()
    headers = json.loads(html.unescape(re.search(r"<body hx-headers='([^']+)'", page).group(1)))

    response = csrf_client.post(
        reverse("claims:note_add", args=[claim.pk]),
        {"text": "Hi."},
        HTTP_X_CSRFTOKEN=headers["X-CSRFToken"],
        **htmx(),
    )

    assert response.status_code == 200
    assert Note.objects.get().text == "Hi."
