"""Conflicting figures: neighbours about the same thing that give another number are shown on
both claim pages and found by the queue's `conflicts` filter."""

import pytest
from django.urls import reverse

from families.grouping import families_group_all, families_group_new
from families.models import FamilyMember, FigureConflict
from sources.ingest.statements import conflicting_figures
from tests.claims.test_views import row_ids
from tests.families.conftest import scored
from tests.families.test_grouping import claim_in

pytestmark = pytest.mark.django_db

DEAL = "Orion Mining agreed to buy the Kestrel copper mine from Northwind for $250 million."
DEAL_OTHER = "Orion Mining agreed to buy the Kestrel copper mine from Northwind for $300 million."
PORT = "Harbourtown port handled 9,000 t of dysprosium ore last month, the port authority said."
PORT_OTHER = (
    "The port authority said Harbourtown port handled 8,500 t of dysprosium ore last month."
)
UNRELATED = "Orion Mining shares rose 5% after it reported $300 million in quarterly revenue."


@pytest.mark.parametrize(
    ("a", "b", "ours", "theirs"),
    [(DEAL, DEAL_OTHER, "$250 million", "$300 million"), (PORT, PORT_OTHER, "9,000 t", "8,500 t")],
)
def test_statements_about_one_thing_with_other_figures_conflict(a, b, ours, theirs):
    [conflict] = conflicting_figures(a, b)
    assert (conflict.ours.text, conflict.theirs.text) == (ours, theirs)


def test_other_statements_or_equal_figures_do_not_conflict():
    assert conflicting_figures(DEAL, UNRELATED) == []
    assert conflicting_figures(DEAL, DEAL.replace("$250 million", "$250M")) == []


def panel(client, claim) -> str:
    url = reverse("families:claim_family", args=[claim.pk])
    return client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_conflict_shows_on_both_claim_pages_and_in_the_conflicts_filter(rclient):
    a = scored(claim_in(DEAL, outlet="Harbour Post", day=1), 40)
    b = scored(claim_in(DEAL_OTHER, outlet="Lakeside Daily", day=2), 50)
    other = scored(claim_in(UNRELATED, outlet="Orion Weekly", day=3), 90)
    families_group_all()
    assert not FamilyMember.objects.exists()  # other figures: never one family
    assert "says <strong>$300 million</strong> where this claim says <strong>$250 million" in (
        panel(rclient, a)
    )
    assert "says <strong>$250 million</strong> where this claim says <strong>$300 million" in (
        panel(rclient, b)
    )
    assert "Conflicting figures" not in panel(rclient, other)
    queue = reverse("claims:list")
    assert row_ids(rclient.get(queue, {"conflicts": "yes"})) == [b.pk, a.pk]
    assert row_ids(rclient.get(queue)) == [other.pk, b.pk, a.pk]


def test_conflicts_found_at_import_against_stored_claims():
    a = claim_in(PORT, outlet="Harbour Post", day=1)
    families_group_all()
    b = claim_in(PORT_OTHER, outlet="Lakeside Daily", day=2)
    families_group_new(claim_ids=[b.pk])
    pairs = set(FigureConflict.objects.values_list("claim_id", "other_id", "ours", "theirs"))
    assert pairs == {(a.pk, b.pk, "9,000 t", "8,500 t"), (b.pk, a.pk, "8,500 t", "9,000 t")}


def test_conflicts_filter_rejects_a_bad_value(rclient):
    response = rclient.get(reverse("claims:list"), {"conflicts": "maybe"})
    assert "conflicts: must be yes; ignored." in response.content.decode()
