"""Blind double review: hidden on the claim page, in the API and in exports and reports,
until the reviewer has saved their own rating with a proposed verdict."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from api.tokens import api_token_create
from claims import services as claim_services
from desk.blind import blinded_claims, is_blinded
from desk.services import handout_create

SECRET_RATIONALE = "Bob-rationale-7731"
SECRET_NOTE = "Bob-review-note-4412"
PUBLIC_NOTE = "Bob-plain-note-9020"


@pytest.fixture
def blind_claim(desk, claims6):
    """Claim A handed to ann and bob, blind; bob has judged it and written two notes."""
    handout_create(
        filter="?q=one",
        reviewers=[desk["ann"], desk["bob"]],
        strategy="round_robin",
        overlap=2,
        blind=True,
        by=desk["lead"],
    )
    claim = claims6[0]
    claim_services.rating_set(
        claim=claim,
        by=desk["bob"],
        confidence="high",
        rationale=SECRET_RATIONALE,
        proposed_verdict="refuted",
    )
    claim_services.note_create(claim=claim, by=desk["bob"], text=SECRET_NOTE, review=True)
    claim_services.note_create(claim=claim, by=desk["bob"], text=PUBLIC_NOTE)
    return claim


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ann_judges(desk, claim):
    claim_services.rating_set(
        claim=claim,
        by=desk["ann"],
        confidence="low",
        rationale="mine",
        proposed_verdict="verified",
    )


def test_the_rule(desk, blind_claim):
    assert is_blinded(desk["ann"], blind_claim.pk)
    assert not is_blinded(desk["bob"], blind_claim.pk)  # judged already
    assert not is_blinded(desk["lead"], blind_claim.pk)  # a lead not handed the claim
    # A rating without a proposed verdict is not a judgement yet.
    claim_services.rating_set(claim=blind_claim, by=desk["ann"], confidence="low", rationale="")
    assert is_blinded(desk["ann"], blind_claim.pk)
    _ann_judges(desk, blind_claim)
    assert not is_blinded(desk["ann"], blind_claim.pk)
    assert not blinded_claims(desk["ann"]).exists()


def test_claim_page_hides_others_judgement_until_one_gives_ones_own(desk, blind_claim):
    ann = _client(desk["ann"])
    page = ann.get(blind_claim.get_absolute_url()).content.decode()
    assert SECRET_RATIONALE not in page and SECRET_NOTE not in page
    assert "proposes refuted" not in page
    assert PUBLIC_NOTE in page  # not marked review
    assert "data-blind" in page
    assert "proposes refuted" not in page  # nor in the history panel's change reasons
    response = ann.post(
        reverse("claims:rating", args=[blind_claim.pk]),
        {"confidence": "low", "rationale": "mine", "proposed_verdict": "verified"},
    )
    assert response.status_code == 302
    page = ann.get(blind_claim.get_absolute_url()).content.decode()
    assert SECRET_RATIONALE in page and SECRET_NOTE in page and "proposes refuted" in page
    assert "data-blind" not in page


def test_unblinded_readers_see_everything_on_the_page(desk, blind_claim):
    page = _client(desk["lead"]).get(blind_claim.get_absolute_url()).content.decode()
    assert SECRET_RATIONALE in page and SECRET_NOTE in page


def test_api_record_hides_others_judgement(desk, blind_claim):
    token = api_token_create(user=desk["ann"], name="t", expires_days=None)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token.secret}"}
    url = reverse("api:claim", kwargs={"pk": blind_claim.pk})
    record = Client().get(url, **headers).json()
    text = json.dumps(record)
    assert SECRET_RATIONALE not in text and SECRET_NOTE not in text and "refuted" not in text
    assert record["ratings"]["count"] == 0
    assert [n["text"] for n in record["notes"]] == [PUBLIC_NOTE]
    _ann_judges(desk, blind_claim)
    record = Client().get(url, **headers).json()
    assert record["ratings"]["count"] == 2
    assert SECRET_NOTE in json.dumps(record)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_exports_a_blinded_reviewer_makes_hide_others_judgement(desk, blind_claim, fmt):
    # A CSV cell lists the ratings as "bob: high"; JSON has each rating's rationale.
    rating = "bob: high" if fmt == "csv" else SECRET_RATIONALE
    ann = _client(desk["ann"])
    url = reverse("claims:export") + f"?format={fmt}&q=one"
    body = b"".join(ann.get(url).streaming_content).decode()
    assert "A one." in body  # the claim itself is exported
    assert rating not in body and SECRET_NOTE not in body
    assert PUBLIC_NOTE in body
    lead_body = b"".join(_client(desk["lead"]).get(url).streaming_content).decode()
    assert rating in lead_body and SECRET_NOTE in lead_body


def test_report_a_blinded_reviewer_makes_hides_others_judgement(desk, blind_claim):
    page = _client(desk["ann"]).get(reverse("claims:report") + "?q=one").content.decode()
    assert "A one." in page
    assert SECRET_RATIONALE not in page and SECRET_NOTE not in page
    lead_page = _client(desk["lead"]).get(reverse("claims:report") + "?q=one").content.decode()
    assert SECRET_RATIONALE in lead_page or SECRET_NOTE in lead_page
