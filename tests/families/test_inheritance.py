"""Verdicts follow copies: a member shows its representative's verdict, credibility and
evidence as inherited, its own verdict wins, and copies are never independent of each other."""

import re

import pytest
from django.urls import reverse

from claims import services
from claims.history import history_model
from claims.independence import count_sources, judge
from claims.models import Claim, ClaimStatus, Corroboration, Independence, Stance
from families.models import ClaimFamily
from sources.registry import PublisherRegistry
from tests.factories import PublisherFactory
from tests.families.conftest import scored
from tests.families.test_grouping import OTHER, claim_in

pytestmark = pytest.mark.django_db

QUEUE = reverse("claims:list")


def panel(client, claim) -> str:
    url = reverse("families:claim_family", args=[claim.pk])
    return client.get(url, HTTP_HX_REQUEST="true").content.decode()


def give_verdict(rep: Claim, lead) -> None:
    evidence = claim_in(OTHER, outlet="Independent Gazette", day=9)
    services.corroboration_create(
        claim=rep,
        by=lead,
        stance=Stance.SUPPORTS,
        outlet="Independent Gazette",
        excerpt="The plant's owner confirmed the doubling.",
        independence=Independence.INDEPENDENT,
        independence_reason="checked by hand",
        evidence_claim=evidence,
    )
    services.claim_set_status(
        claim=rep, status=ClaimStatus.VERIFIED, reason="Company filing", by=lead, version=None
    )
    services.claim_set_credibility(claim=rep, credibility=2, by=lead, version=None)


def test_member_page_shows_the_representatives_verdict_as_inherited(rclient, family, lead):
    a, _b, c, _ = family
    rep = Claim.objects.get(pk=ClaimFamily.objects.get().representative_id)
    assert rep == a  # the earliest
    give_verdict(rep, lead)
    body = panel(rclient, c)
    assert "Already checked:" in body
    assert f'inherited from <a href="/claims/{rep.pk}/">claim #{rep.pk}</a>' in body
    assert "Credibility 2 — inherited" in body
    assert "The plant&#x27;s owner confirmed" in body or "The plant's owner confirmed" in body
    assert "Already checked" not in panel(rclient, rep)  # the representative's own


def test_member_own_verdict_wins_and_reverting_it_brings_the_inherited_back(rclient, family, lead):
    a, _b, c, _ = family
    give_verdict(a, lead)
    services.claim_set_status(
        claim=c, status=ClaimStatus.UNVERIFIABLE, reason="Another plant", by=lead, version=None
    )
    body = panel(rclient, c)
    assert "Already checked" not in body
    assert "own verdict (Unverifiable) overrides the family's Verified" in body
    record = history_model("claim").objects.filter(id=c.pk).latest("history_id")
    services.history_revert(kind="claim", history_id=record.history_id, by=lead, reason="No")
    assert Claim.objects.get(pk=c.pk).status == ClaimStatus.UNREVIEWED
    assert "Already checked:" in panel(rclient, c)


def test_queue_row_of_a_checked_family_says_already_checked(rclient, family, lead):
    a, b, _c, other = family
    give_verdict(a, lead)
    body = rclient.get(QUEUE).content.decode()
    row = re.search(rf'<tr data-claim-id="{b.pk}".*?</tr>', body, re.S).group(0)
    assert f'Already checked: Verified (<a href="/claims/{a.pk}/">claim #{a.pk}</a>)' in row
    other_row = re.search(rf'<tr data-claim-id="{other.pk}".*?</tr>', body, re.S).group(0)
    assert "Already checked" not in other_row


def test_copies_of_one_statement_are_not_independent_evidence(family):
    a, b, _c, _ = family
    # Different publishers, no shared owner: only the family says they are copies.
    value, reason = judge(claim=a, evidence_claim=Claim.objects.get(pk=b.pk))
    assert value == Independence.NOT_INDEPENDENT
    assert "claim family #" in reason


def test_copies_of_one_statement_count_as_one_source(family):
    _a, b, c, _ = family
    target = scored(claim_in(OTHER, outlet="Orion Daily", day=8), 10)
    for copy in (b, c):
        Corroboration.objects.create(
            claim=target,
            stance=Stance.SUPPORTS,
            evidence_claim=copy,
            independence=Independence.INDEPENDENT,
        )
    rows = target.corroborations.select_related(
        "evidence_claim__article__publisher", "evidence_claim__family_member"
    )
    assert count_sources(rows, PublisherRegistry.shared()) == 1
    loner = claim_in("Tin stocks at the Harbourtown exchange rose.", outlet="Tin Times", day=9)
    Corroboration.objects.create(
        claim=target, stance=Stance.SUPPORTS, evidence_claim=loner, publisher=PublisherFactory()
    )
    assert count_sources(rows.all(), PublisherRegistry.shared()) == 2
