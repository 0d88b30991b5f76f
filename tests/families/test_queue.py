"""Triage once: the queue shows a family as one row, and its actions act on every member."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from claims.models import Claim, ClaimStatus
from families.services import family_split
from tests.claims.test_views import FAMILY_FACTS_QUERIES, QUEUE_QUERIES, row_ids

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
