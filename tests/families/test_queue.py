"""Triage once: the queue shows a family as one row, and its actions act on every member."""

import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.urls import reverse

from claims.models import Claim, ClaimStatus
from claims.triage import family_rows, keyset, parse_filters, triage_page, triage_selection
from families.grouping import families_group_all
from families.services import family_split
from tests.claims.test_views import FAMILY_FACTS_QUERIES, QUEUE_QUERIES, row_ids
from tests.families.conftest import scored
from tests.families.test_grouping import STATEMENT, claim_in

pytestmark = pytest.mark.django_db

QUEUE = reverse("claims:list")


def summary(response, pk: int) -> str:
    body = response.content.decode()
    row = re.search(rf'<tr data-claim-id="{pk}".*?</tr>', body, re.S).group(0)
    found = re.search(r"<summary>(.*?)</summary>", row)
    return found.group(1) if found else ""


def test_family_is_one_row_at_its_best_score_with_its_outlets(rclient, family):
    _a, b, _c, other = family
    response = rclient.get(QUEUE)
    assert row_ids(response) == [b.pk, other.pk]
    assert summary(response, b.pk) == "×3 in 3 outlets"
    body = response.content.decode()
    for outlet in ("Harbour Post", "Lakeside Daily", "Kestrel Courier"):
        assert f"<li>{outlet}</li>" in body
    assert summary(response, other.pk) == ""


def test_filters_apply_to_members_and_a_family_row_shows_when_any_matches(rclient, family):
    a, b, c, other = family
    # Only a matches: the family shows as a's row.
    response = rclient.get(QUEUE, {"publisher": a.article.publisher_id})
    assert row_ids(response) == [a.pk]
    assert summary(response, a.pk) == "×3 in 3 outlets"
    # The best member is out of the filter (closed): the next best stands for the family.
    Claim.objects.filter(pk=b.pk).update(status=ClaimStatus.NOT_A_CLAIM)
    assert row_ids(rclient.get(QUEUE)) == [other.pk, c.pk]


def test_a_split_member_returns_as_its_own_row(rclient, family, lead):
    a, b, _c, other = family
    family_split(claim=a, by=lead, reason="Another plant")
    assert row_ids(rclient.get(QUEUE)) == [b.pk, other.pk, a.pk]


def test_taking_a_family_row_assigns_every_member(rclient, family, reviewer):
    a, b, c, other = family
    response = rclient.post(reverse("claims:take", args=[b.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assigned = dict(Claim.objects.values_list("pk", "assignee_id"))
    assert [assigned[x.pk] for x in (a, b, c, other)] == [reviewer.pk] * 3 + [None]


def test_bulk_action_on_a_family_row_acts_on_every_member(lclient, family, reviewer):
    a, b, c, other = family
    response = lclient.post(
        reverse("claims:bulk"),
        {"ids": [b.pk], "action": "assign", "assignee": reviewer.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assigned = dict(Claim.objects.values_list("pk", "assignee_id"))
    assert [assigned[x.pk] for x in (a, b, c, other)] == [reviewer.pk] * 3 + [None]


def test_queue_with_families_runs_the_pinned_number_of_queries(
    rclient, family, django_assert_num_queries
):
    rclient.get(QUEUE)  # the publisher registry, loaded once
    with django_assert_num_queries(QUEUE_QUERIES[connection.vendor] + FAMILY_FACTS_QUERIES):
        rclient.get(QUEUE)


def test_best_match_finds_family_rows_below_a_family_that_fills_the_first_ranks(lead):
    """Best match ranks the matches first and applies the family rule to the best of them, a
    few times a page at a time (claims/triage.py `_family_rows_in_order`): a family filling
    the first ranks is one row, and the page's other rows come from further down — the rows
    the family rule in one query over every match gives, in the same order."""
    singles = [
        scored(
            claim_in(
                f"Kestrel harbour crane {n} was idle for {n + 2} days.", outlet=f"Bay {n}", day=1
            ),
            10 + n,
        )
        for n in range(5)
    ]
    copies = [
        scored(claim_in(STATEMENT, outlet=f"Wire outlet {n}", day=2 + n), 50 + n) for n in range(16)
    ]
    families_group_all()
    filters = parse_filters(QueryDict("q=Kestrel&o=rank"))
    selection = triage_selection(filters, lead)
    ranked = list(keyset(filters.o).ordered(selection).values_list("pk", flat=True))
    one_query = list(
        keyset(filters.o).ordered(family_rows(selection, selection)).values_list("pk", flat=True)
    )
    # A page of 2 asks for 3 rows, ranked 12 at a time first: the first 12 hold fewer.
    assert len(set(ranked[:12]) & set(one_query)) < 3, "the data must need a second look"
    assert len(one_query) == len(singles) + 1

    page = triage_page(filters, lead, size=2)
    assert [row.pk for row in page.rows] == one_query[:2]
    after = parse_filters(QueryDict(f"q=Kestrel&o=rank&after={page.next_cursor}"))
    rest = triage_page(after, lead, size=10)
    assert [row.pk for row in rest.rows] == one_query[2:]
    assert {copies[-1].pk} == {row.pk for row in page.rows + rest.rows} & {c.pk for c in copies}
