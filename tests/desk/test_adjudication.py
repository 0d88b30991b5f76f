"""Adjudication: disagreements reach the leads' queue; the verdict goes through the claims'
verdict service; everyone's judgement is kept."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from claims import services as claim_services
from claims.models import Claim, Rating
from claims.services import EvidenceRequired
from desk.models import Adjudication
from desk.querysets import disagreements
from desk.services import claim_adjudicate, handout_create
from workbench.events import event


@pytest.fixture
def handed(desk, claims6):
    handout_create(
        filter="",
        reviewers=[desk["ann"], desk["bob"]],
        strategy="round_robin",
        overlap=2,
        blind=True,
        by=desk["lead"],
    )
    return claims6


def _judge(user, claim, confidence, verdict):
    claim_services.rating_set(
        claim=claim,
        by=user,
        confidence=confidence,
        rationale=f"{user} thinks so",
        proposed_verdict=verdict,
    )


def test_disagreement_is_a_verdict_differing_or_confidence_two_steps_apart(desk, handed):
    a, b, c, d = handed[:4]
    _judge(desk["ann"], a, "high", "refuted")
    _judge(desk["bob"], a, "high", "disputed")  # verdicts differ
    _judge(desk["ann"], b, "low", "disputed")
    _judge(desk["bob"], b, "high", "disputed")  # low and high
    _judge(desk["ann"], c, "moderate", "disputed")
    _judge(desk["bob"], c, "high", "disputed")  # one step: agreement
    _judge(desk["ann"], d, "low", "disputed")  # one judgement only
    assert {claim.pk for claim in disagreements()} == {a.pk, b.pk}


def test_lead_sets_the_verdict_with_a_reason_and_judgements_are_kept(desk, handed):
    claim = handed[0]
    _judge(desk["ann"], claim, "high", "unverifiable")
    _judge(desk["bob"], claim, "low", "disputed")
    seen = []
    event.connect(
        lambda sender, type, data, **kw: seen.append(type), weak=False, dispatch_uid="t-adj"
    )
    try:
        claim_adjudicate(
            claim=claim, verdict="disputed", reason="Sources conflict", by=desk["lead"]
        )
    finally:
        event.disconnect(dispatch_uid="t-adj")
    claim = Claim.objects.get(pk=claim.pk)
    assert (claim.status, claim.verdict_reason, claim.reviewed_by) == (
        "disputed",
        "Sources conflict",
        desk["lead"],
    )
    adjudication = Adjudication.objects.get()
    assert [(j["reviewer"], j["proposed_verdict"]) for j in adjudication.judgements] == [
        ("ann", "unverifiable"),
        ("bob", "disputed"),
    ]
    assert Rating.objects.filter(claim=claim).count() == 2  # the ratings stay
    assert "claim.adjudicated" in seen and "claim.status_changed" in seen
    assert claim.pk not in {c.pk for c in disagreements()}


def test_adjudication_obeys_the_verdict_rules_and_writes_nothing_when_refused(desk, handed):
    claim = handed[0]
    _judge(desk["ann"], claim, "high", "verified")
    _judge(desk["bob"], claim, "low", "refuted")
    with pytest.raises(EvidenceRequired):  # verified needs independent support
        claim_adjudicate(claim=claim, verdict="verified", reason="Looks right", by=desk["lead"])
    with pytest.raises(ValidationError) as refused:
        claim_adjudicate(claim=claim, verdict="disputed", reason=" ", by=desk["lead"])
    assert "reason" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        claim_adjudicate(claim=claim, verdict="disputed", reason="x", by=desk["ann"])
    assert not Adjudication.objects.exists()
    assert Claim.objects.get(pk=claim.pk).status == "unreviewed"


def test_adjudication_pages(desk, handed, client):
    claim = handed[0]
    _judge(desk["ann"], claim, "high", "unverifiable")
    _judge(desk["bob"], claim, "low", "disputed")
    client.force_login(desk["lead"])
    listing = client.get(reverse("desk:adjudication")).content.decode()
    assert reverse("desk:adjudicate", args=[claim.pk]) in listing
    page = client.get(reverse("desk:adjudicate", args=[claim.pk])).content.decode()
    assert "ann thinks so" in page and "bob thinks so" in page
    response = client.post(
        reverse("desk:adjudicate", args=[claim.pk]), {"verdict": "disputed", "reason": ""}
    )
    assert response.status_code == 400 and not Adjudication.objects.exists()
    response = client.post(
        reverse("desk:adjudicate", args=[claim.pk]),
        {"verdict": "disputed", "reason": "Conflicting filings"},
    )
    assert response.status_code == 302
    assert Adjudication.objects.get().reason == "Conflicting filings"
    client.force_login(desk["ann"])
    assert client.get(reverse("desk:adjudication")).status_code == 403
