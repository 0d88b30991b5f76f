"""Sending a delivery: signed per Standard Webhooks, retried with backoff, every attempt logged,
redirects not followed, private addresses refused when the attempt is made."""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from standardwebhooks import Webhook

from claims import services
from claims.models import ClaimStatus
from tests.factories import ClaimFactory
from webhooks.models import Attempt, Delivery, DeliveryStatus
from webhooks.services import deliveries_create, event_payload, retry_delay
from webhooks.tasks import deliver_webhook, delivery_send_again, event_deliver
from workbench.roles import sync_roles

pytestmark = pytest.mark.django_db


def make_delivery(endpoint) -> Delivery:
    payload = event_payload(type="note.added", data={"claim": {"id": 7}, "by": "rita"})
    (delivery,) = deliveries_create(payload=payload)
    assert delivery.endpoint == endpoint
    return delivery


def retries_of(delivery: Delivery) -> list[DBTaskResult]:
    return [
        t
        for t in DBTaskResult.objects.filter(task_path=deliver_webhook.module_path)
        if t.args_kwargs["args"] == [delivery.pk] and t.run_after != get_date_max()
    ]


def test_the_request_is_signed_and_verifies_with_standardwebhooks(
    allow_private, receiver, make_endpoint
):
    endpoint = make_endpoint(url=receiver.url("/in?source=workbench"))
    delivery = make_delivery(endpoint)
    assert deliver_webhook.call(delivery.pk) == "delivered"
    (request,) = receiver.requests
    assert request.path == "/in?source=workbench"
    assert request.headers["webhook-id"] == delivery.msg_id
    assert request.headers["content-type"] == "application/json"
    assert Webhook(endpoint.secret).verify(request.body, request.headers) == delivery.payload
    assert request.json == {
        "type": "note.added",
        "timestamp": delivery.payload["timestamp"],
        "data": {"claim": {"id": 7}, "by": "rita"},
    }
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(make_endpoint(url=receiver.url()).secret).verify(request.body, request.headers)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("delivered", 1, None)
    (attempt,) = delivery.attempt_log.all()
    assert (attempt.status_code, attempt.error, attempt.manual) == (200, "", False)


@pytest.fixture
def worker_db(transactional_db):
    """A committed database, as a `db_worker` in its own process would see it."""
    sync_roles(Group, Permission)  # a transactional test's flush dropped the role groups


def run_worker() -> None:
    """Run the real worker until no task is ready (`manage.py db_worker --batch`)."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def test_a_real_receiver_answering_500_then_200_gets_the_retry_from_the_worker(
    worker_db, allow_private, receiver, make_endpoint, reviewer
):
    """The change commits, the worker sends, the receiver says 500; the retry is a task due
    after the first delay; once due, the worker sends again, the receiver verifies and says
    200. Both attempts are logged with their codes."""
    receiver.answers = [500, 200]
    endpoint = make_endpoint(url=receiver.url(), events=["claim.status_changed"])
    claim = ClaimFactory()
    services.claim_set_status(
        claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=reviewer, version=None
    )
    delivery = Delivery.objects.get()
    run_worker()
    delivery.refresh_from_db()
    assert len(receiver.requests) == 1
    assert delivery.status == DeliveryStatus.PENDING
    (retry,) = retries_of(delivery)
    assert retry.run_after == delivery.next_attempt_at
    assert retry.run_after - timezone.now() <= timedelta(seconds=5)  # the first delay
    run_worker()  # not due yet: the worker leaves it
    assert len(receiver.requests) == 1

    # Time passes (moved, not waited for): the retry is due.
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    run_worker()

    first, second = receiver.requests
    for request in (first, second):
        payload = Webhook(endpoint.secret).verify(request.body, request.headers)
        assert payload["data"]["claim"]["id"] == claim.pk
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.msg_id
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 200]
    assert not retries_of(delivery) or all(t.status == "SUCCESSFUL" for t in retries_of(delivery))


def test_failures_are_retried_with_backoff_then_the_delivery_fails(
    settings, allow_private, receiver, make_endpoint
):
    settings.WEBHOOK_RETRY_DELAYS = [5, 30]
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    receiver.answers = [500, 503, 502, 500, 200]
    delivery = make_delivery(make_endpoint(url=receiver.url()))
    waits = []
    for _ in range(4):
        before = timezone.now()
        deliver_webhook.call(delivery.pk)
        delivery.refresh_from_db()
        if delivery.next_attempt_at is not None:
            waits.append(round((delivery.next_attempt_at - before).total_seconds()))
            Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert waits == [5, 30, 30]  # the last delay repeats
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 4, None)
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 503, 502, 500]
    assert deliver_webhook.call(delivery.pk) == "nothing to do"  # failed: no more automatic
    assert len(receiver.requests) == 4


def test_retry_delays_follow_the_schedule(settings):
    settings.WEBHOOK_RETRY_DELAYS = [5, 30, 120, 600, 3600]
    assert [retry_delay(n).total_seconds() for n in range(1, 8)] == [
        5, 30, 120, 600, 3600, 3600, 3600,
    ]  # fmt: skip


def test_a_retry_enqueued_for_later_is_a_task_with_run_after(
    allow_private, receiver, make_endpoint
):
    receiver.answers = [500]
    delivery = make_delivery(make_endpoint(url=receiver.url()))
    result = deliver_webhook.call(delivery.pk)
    delivery.refresh_from_db()
    assert result == f"failed; retry at {delivery.next_attempt_at.isoformat()}"
    (retry,) = retries_of(delivery)
    assert retry.run_after == delivery.next_attempt_at > timezone.now()
    # A task run before its time (a stale one) sends nothing.
    assert deliver_webhook.call(delivery.pk) == "nothing to do"
    assert len(receiver.requests) == 1


def test_a_redirect_is_not_followed(allow_private, receiver, make_endpoint):
    receiver.answers = [(302, {"Location": receiver.url("/elsewhere")})]
    delivery = make_delivery(make_endpoint(url=receiver.url()))
    deliver_webhook.call(delivery.pk)
    assert [r.path for r in receiver.requests] == ["/hook"]  # /elsewhere never asked
    (attempt,) = Attempt.objects.all()
    assert attempt.status_code == 302
    assert attempt.error == f"redirect to {receiver.url('/elsewhere')} not followed"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING  # a failure: retried later


def test_a_private_address_is_refused_when_sending_if_not_allowed(
    settings, allow_private, receiver, make_endpoint
):
    """Saved while allowed (or a name that resolved elsewhere then): the attempt checks again."""
    delivery = make_delivery(make_endpoint(url=receiver.url()))
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    deliver_webhook.call(delivery.pk)
    assert receiver.requests == []
    (attempt,) = Attempt.objects.all()
    assert attempt.status_code is None
    assert attempt.error.startswith("refused: 127.0.0.1 is a loopback address")


def test_the_attempt_connects_to_the_address_it_checked(
    allow_private, receiver, make_endpoint, monkeypatch
):
    """The name is resolved once, for the check; the connection goes to that address with the
    name as Host (no second lookup a rebinding DNS server could answer differently)."""
    real = socket.getaddrinfo
    lookups = []

    def fake(host, port, *args, **kwargs):
        if host == "hooks.test":
            lookups.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    delivery = make_delivery(make_endpoint(url=f"http://hooks.test:{receiver.port}/hook"))
    lookups.clear()  # the check when the endpoint was saved
    assert deliver_webhook.call(delivery.pk) == "delivered"
    assert lookups == ["hooks.test"]
    (request,) = receiver.requests
    assert request.headers["host"] == f"hooks.test:{receiver.port}"


def test_an_inactive_endpoint_gets_no_automatic_attempt(
    allow_private, receiver, make_endpoint, admin_user
):
    from webhooks.services import endpoint_set_active

    endpoint = make_endpoint(url=receiver.url())
    delivery = make_delivery(endpoint)
    endpoint_set_active(endpoint=endpoint, active=False, by=admin_user)
    assert deliver_webhook.call(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempt_log.get().error == "endpoint inactive: not sent"
    assert receiver.requests == []


def test_send_again_makes_one_more_attempt_logged_with_who_asked(
    allow_private, receiver, make_endpoint, admin_user
):
    receiver.answers = [200, 500]
    delivery = make_delivery(make_endpoint(url=receiver.url()))
    deliver_webhook.call(delivery.pk)
    delivery_send_again(delivery=delivery, by=admin_user)
    task = DBTaskResult.objects.get(task_path=deliver_webhook.module_path)
    assert task.args_kwargs == {
        "args": [delivery.pk],
        "kwargs": {"manual": True, "requested_by": admin_user.pk},
    }
    assert deliver_webhook.call(*task.args_kwargs["args"], **task.args_kwargs["kwargs"]) == "failed"
    delivery.refresh_from_db()
    # Delivered once, it stays delivered; the failed resend is in the log, and not retried.
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("delivered", 2, None)
    manual = delivery.attempt_log.get(manual=True)
    assert (manual.status_code, manual.requested_by) == (500, admin_user)
    assert len(receiver.requests) == 2
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]


def test_send_again_delivers_a_failed_delivery(
    settings, allow_private, receiver, make_endpoint, admin_user
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.answers = [500, 200]
    delivery = make_delivery(make_endpoint(url=receiver.url()))
    deliver_webhook.call(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert deliver_webhook.call(delivery.pk, manual=True, requested_by=admin_user.pk) == "delivered"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_event_deliver_makes_nothing_without_subscribers(make_endpoint):
    make_endpoint(events=["note.added"])
    assert event_deliver(payload=event_payload(type="rating.saved", data={})) == []
    assert not Delivery.objects.exists()


def readme_receiver_snippet() -> str:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("### Webhooks") :]
    return section[
        section.index("```python\n") + 10 : section.index("\n```", section.index("```python"))
    ]


def test_the_readme_receiver_snippet_verifies_a_delivery(
    allow_private, receiver, make_endpoint, capsys
):
    endpoint = make_endpoint(url=receiver.url())
    delivery = make_delivery(endpoint)
    deliver_webhook.call(delivery.pk)
    (request,) = receiver.requests
    snippet = readme_receiver_snippet().replace('"whsec_…"', repr(endpoint.secret))
    namespace: dict = {}
    exec(snippet, namespace)
    assert namespace["handle"](request.body, request.headers) == 204
    assert capsys.readouterr().out.startswith(f"{delivery.msg_id} note.added ")
    assert namespace["handle"](request.body + b" ", request.headers) == 400
