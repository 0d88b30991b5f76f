"""Hand-outs: the queue's filter, round-robin and by load, overlap, refusals, history."""

from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from claims import services as claim_services
from desk.models import Assignment, HandOut
from desk.services import handout_create, share_out
from workbench.events import event


def test_round_robin_with_overlap_gives_each_claim_to_two_different_reviewers(desk, claims6):
    reviewers = [desk["ann"], desk["bob"], desk["cy"]]
    hand_out = handout_create(
        filter="/claims/?status=unreviewed",
        reviewers=reviewers,
        strategy="round_robin",
        overlap=2,
        by=desk["lead"],
    )
    rows = list(Assignment.objects.filter(hand_out=hand_out).values_list("claim_id", "reviewer_id"))
    assert hand_out.claim_count == 6 and len(rows) == 12
    per_claim = Counter(c for c, _ in rows)
    assert set(per_claim.values()) == {2}
    assert len(set(rows)) == 12  # never the same reviewer twice on a claim
    assert Counter(r for _, r in rows) == {u.pk: 4 for u in reviewers}
    assert hand_out.filter == "status=unreviewed"
    record = hand_out.history.get()
    assert record.history_user == desk["lead"]
    assert Assignment.history.filter(hand_out_id=hand_out.pk).count() == 12


def test_the_filter_is_the_queues(desk, claims6):
    """`publisher=` etc. select as the queue selects: here the two best-scored of a search."""
    claim_services.claim_set_status(
        claim=claims6[0], status="not_a_claim", reason="", by=desk["lead"], version=None
    )
    hand_out = handout_create(
        filter="?q=two", reviewers=[desk["ann"]], strategy="round_robin", by=desk["lead"]
    )
    assert list(
        Assignment.objects.filter(hand_out=hand_out).values_list("claim_id", flat=True)
    ) == [claims6[1].pk]


def test_by_load_gives_claims_to_whoever_has_least_open_work(desk, claims6):
    for _ in range(2):  # ann has two open assignments (of claim A) already
        handout_create(
            filter="?q=one", reviewers=[desk["ann"]], strategy="round_robin", by=desk["lead"]
        )
    hand_out = handout_create(
        filter="", reviewers=[desk["ann"], desk["bob"]], strategy="by_load", by=desk["lead"]
    )
    counts = Counter(
        Assignment.objects.filter(hand_out=hand_out).values_list("reviewer__username", flat=True)
    )
    # bob gets the first two, then they take turns.
    assert counts == {"ann": 2, "bob": 4}


def test_share_out_by_load_balances_the_totals():
    pairs = list(share_out(range(7), [1, 2, 3], strategy="by_load", overlap=1, load={1: 2}))
    assert Counter(r for _, r in pairs) == {1: 1, 2: 3, 3: 3}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"filter": "?credibility=9"}, "filter"),
        ({"reviewers": []}, "reviewers"),
        ({"overlap": 3}, "overlap"),
        ({"strategy": "lottery"}, "strategy"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(desk, claims6, kwargs, field):
    given = {
        "filter": "",
        "reviewers": [desk["ann"], desk["bob"]],
        "strategy": "round_robin",
        "overlap": 2,
    } | kwargs
    with pytest.raises(ValidationError) as refused:
        handout_create(by=desk["lead"], **given)
    assert field in refused.value.message_dict
    assert not HandOut.objects.exists() and not Assignment.objects.exists()


def test_a_reviewer_cannot_hand_claims_out(desk, claims6):
    with pytest.raises(PermissionDenied):
        handout_create(filter="", reviewers=[desk["bob"]], strategy="round_robin", by=desk["ann"])


def test_one_claim_assigned_event_per_reviewer(desk, claims6):
    seen = []

    def listen(sender, type, data, **kwargs):
        seen.append((type, data["reviewer"], data["claim_count"]))

    event.connect(listen, dispatch_uid="test-desk-assigned")
    try:
        handout_create(
            filter="",
            reviewers=[desk["ann"], desk["bob"]],
            strategy="round_robin",
            by=desk["lead"],
        )
    finally:
        event.disconnect(dispatch_uid="test-desk-assigned")
    assert sorted(seen) == [("claim.assigned", "ann", 3), ("claim.assigned", "bob", 3)]


def test_a_judgement_completes_the_reviewers_assignment(desk, claims6):
    hand_out = handout_create(
        filter="",
        reviewers=[desk["ann"], desk["bob"]],
        strategy="round_robin",
        overlap=2,
        by=desk["lead"],
    )
    claim = claims6[0]
    claim_services.rating_set(claim=claim, by=desk["ann"], confidence="high", rationale="x")
    assert not Assignment.objects.filter(hand_out=hand_out, state="done").exists()
    claim_services.rating_set(
        claim=claim, by=desk["ann"], confidence="high", rationale="x", proposed_verdict="disputed"
    )
    done = Assignment.objects.get(hand_out=hand_out, state="done")
    assert (done.claim_id, done.reviewer_id) == (claim.pk, desk["ann"].pk)
    assert done.done_at is not None
    assert done.history.latest().history_change_reason == "judgement saved"
