"""Twenty reviewers racing on one claim from threads: no lost update, history complete, no 500."""

import threading

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from claims import services
from claims.models import Claim, ClaimStatus, Rating
from tests.factories import ClaimFactory, UserFactory
from workbench.roles import LEAD, REVIEWER, sync_roles

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
    # Leads: each takes the claim from the one before (a reviewer takes only unassigned ones).
    sync_roles(Group, Permission)  # a transactional test's flush dropped the role groups
    Group.objects.get(name=LEAD).user_set.add(*users)
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


# Only PostgreSQL has a race here: on SQLite every transaction is BEGIN IMMEDIATE, so the
# writers queue for the database lock and the test would pass with or without the fix.
needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: real concurrent connections (SQLite serialises every writer)",
)


def _race(target, args_list: list[tuple]) -> list[BaseException]:
    """Run `target(*args)` for each args in threads released at once; return what they raised."""
    barrier = threading.Barrier(len(args_list))
    raised: list[BaseException] = []
    lock = threading.Lock()

    def run(*args) -> None:
        try:
            barrier.wait()
            target(*args)
        except BaseException as exc:  # every failure is what the test reports
            with lock:
                raised.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=args) for args in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting"
    return raised


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_reviewers_first_rating_saved_twenty_times_at_once_is_one_rating():
    claim = ClaimFactory()
    reviewer = UserFactory()
    confidences = ["low", "moderate", "high"]

    raised = _race(
        lambda n: services.rating_set(
            claim=claim, by=reviewer, confidence=confidences[n % 3], rationale=f"Look {n}"
        ),
        [(n,) for n in range(THREADS)],
    )

    assert raised == []
    rating = Rating.objects.get(claim=claim, reviewer=reviewer)  # exactly one
    history = list(rating.history.order_by("history_id"))
    assert [r.history_type for r in history][:1] == ["+"]
    assert all(r.history_type == "~" for r in history[1:])
    assert (rating.confidence, rating.rationale) == (history[-1].confidence, history[-1].rationale)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_reviewers_first_rating_posted_twenty_times_at_once_never_fails():
    claim = ClaimFactory()
    reviewer = UserFactory()
    sync_roles(Group, Permission)  # a transactional test's flush dropped the role groups
    Group.objects.get(name=REVIEWER).user_set.add(reviewer)
    url = reverse("claims:rating", args=[claim.pk])
    clients = []
    for _ in range(THREADS):
        client = Client()
        client.force_login(reviewer)
        clients.append(client)
    statuses: list[int] = []

    def post(client, n) -> None:
        # The test client re-raises a view's exception: an IntegrityError would surface here.
        response = client.post(url, {"confidence": "high", "rationale": f"Filing {n}"})
        statuses.append(response.status_code)

    raised = _race(post, [(client, n) for n, client in enumerate(clients)])

    assert raised == []
    assert statuses == [302] * THREADS
    assert Rating.objects.filter(claim=claim).count() == 1
    assert Rating.objects.get().reviewer == reviewer
