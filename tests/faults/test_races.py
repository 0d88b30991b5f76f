"""Twenty reviewers racing on one claim from threads: no lost update, history complete."""

import threading

import pytest
from django.db import connection, connections

from claims import services
from claims.models import Claim, ClaimStatus
from tests.factories import ClaimFactory, UserFactory

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_reviewers_racing_on_one_claim_lose_no_update():
    claim = ClaimFactory()
    reviewers = [UserFactory() for _ in range(THREADS)]
    seen_version = claim.version
    barrier = threading.Barrier(THREADS)
    outcomes: list[tuple[str, str]] = []
    lock = threading.Lock()

    def review(user, status: str) -> None:
        try:
            barrier.wait()
            services.claim_set_status(
                claim=Claim.objects.get(pk=claim.pk),
                status=status,
                reason=f"{user.username} looked at it",
                by=user,
                version=seen_version,  # everyone saw the same version
            )
            result = ("saved", user.username)
        except services.StaleEdit as exc:
            assert exc.changes, "a refusal must say what changed in between"
            result = ("stale", user.username)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    statuses = [ClaimStatus.IN_REVIEW, ClaimStatus.UNVERIFIABLE, ClaimStatus.NOT_A_CLAIM]
    threads = [
        threading.Thread(target=review, args=(user, statuses[n % 3]))
        for n, user in enumerate(reviewers)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert len(outcomes) == THREADS
    saved = [who for what, who in outcomes if what == "saved"]
    assert len(saved) == 1, outcomes  # exactly one reviewer's edit of that version wins
    claim.refresh_from_db()
    assert claim.version == seen_version + 1
    changes = claim.history.filter(history_type="~")
    assert changes.count() == 1
    assert changes.get().history_user.username == saved[0]
    assert connection.vendor in {"postgresql", "sqlite"}


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_without_a_version_are_serialised_and_all_recorded():
    claim = ClaimFactory()
    users = [UserFactory() for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)

    def assign(user) -> None:
        try:
            barrier.wait()
            services.claim_assign(claim=Claim.objects.get(pk=claim.pk), assignee=user, by=user)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=assign, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    claim.refresh_from_db()
    # Row locks serialise the writers: every assignment is a recorded change, none lost.
    assert claim.version == 1 + THREADS
    assert claim.history.filter(history_type="~").count() == THREADS
    assert claim.assignee_id == claim.history.latest().assignee_id
