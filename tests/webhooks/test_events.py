"""The services announce events; the webhooks app makes deliveries of them once committed."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from claims import services
from claims.exports import Export, export_queryset, recorded_stream
from claims.models import ClaimStatus, Stance
from claims.report_jobs import report_job_create, report_job_run
from claims.triage import parse_filters
from imports.in_process import articles_import
from tests.conftest import sample_path
from tests.factories import ClaimFactory
from webhooks.models import Delivery, DeliveryStatus
from webhooks.tasks import deliver_webhook, event_deliver

pytestmark = pytest.mark.django_db


def test_a_status_change_makes_a_delivery_and_a_task_only_once_committed(
    make_endpoint, claim, reviewer, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint()
    with django_capture_on_commit_callbacks() as callbacks:
        services.claim_set_status(
            claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=reviewer, version=None
        )
        assert not Delivery.objects.exists()  # not before the commit
    # One delivery callback (the notifications app adds its own beside it).
    [deliver] = [c for c in callbacks if getattr(c, "func", None) is event_deliver]
    with django_capture_on_commit_callbacks(execute=True):
        deliver()
    delivery = Delivery.objects.get()
    assert delivery.endpoint == endpoint
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.msg_id.startswith("msg_")
    assert delivery.payload["type"] == "claim.status_changed"
    assert delivery.payload["data"] == {
        "claim": {
            "id": claim.pk,
            "status": "in_review",
            "version": claim.version + 1,
            "url": reverse("api:claim", kwargs={"pk": claim.pk}),
        },
        "by": "rita",
        "previous_status": "unreviewed",
    }
    task = DBTaskResult.objects.get()
    assert task.task_path == deliver_webhook.module_path
    assert task.args_kwargs["args"] == [delivery.pk]


def test_a_rolled_back_status_change_sends_nothing(
    settings, allow_private, receiver, make_endpoint, claim, reviewer,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """With tasks run at once (ImmediateBackend), anything sent before the commit would reach
    the receiver: the rolled-back change reaches nobody, the committed one does."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    make_endpoint(url=receiver.url())
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.claim_set_status(
            claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=reviewer, version=None
        )
        raise RuntimeError("the request failed after the change")
    assert receiver.requests == []
    assert not Delivery.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_set_status(
            claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=reviewer, version=None
        )
    assert [r.json["type"] for r in receiver.requests] == ["claim.status_changed"]
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_only_active_endpoints_subscribed_to_the_type_get_a_delivery(
    make_endpoint, admin_user, claim, reviewer, django_capture_on_commit_callbacks
):
    from webhooks.services import endpoint_set_active

    wanted = make_endpoint(events=["claim.status_changed", "note.added"])
    make_endpoint(events=["note.added"])  # another type
    inactive = make_endpoint(events=["claim.status_changed"])
    endpoint_set_active(endpoint=inactive, active=False, by=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_set_status(
            claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=reviewer, version=None
        )
    assert [d.endpoint for d in Delivery.objects.all()] == [wanted]


def test_the_absolute_api_url_uses_site_url(
    settings, make_endpoint, claim, reviewer, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://workbench.example.org/"
    make_endpoint()
    with django_capture_on_commit_callbacks(execute=True):
        services.note_create(claim=claim, by=reviewer, text="Called the plant.")
    data = Delivery.objects.get().payload["data"]
    assert data["claim"]["url"] == f"https://workbench.example.org/api/v1/claims/{claim.pk}/"


def test_bulk_status_change_announces_each_changed_claim_only(
    make_endpoint, reviewer, django_capture_on_commit_callbacks
):
    make_endpoint()
    first, second = ClaimFactory(), ClaimFactory()
    with django_capture_on_commit_callbacks(execute=True):
        results = services.claims_bulk_set_status(
            claim_ids=[first.pk, second.pk, 999999], status="in_review", reason="", by=reviewer
        )
    assert [r.ok for r in results] == [True, True, False]
    claims = sorted(d.payload["data"]["claim"]["id"] for d in Delivery.objects.all())
    assert claims == sorted([first.pk, second.pk])
    assert {d.event_type for d in Delivery.objects.all()} == {"claim.status_changed"}


def test_evidence_rating_and_note_are_announced(
    make_endpoint, claim, reviewer, django_capture_on_commit_callbacks
):
    make_endpoint()
    with django_capture_on_commit_callbacks(execute=True):
        c = services.corroboration_create(
            claim=claim, by=reviewer, stance=Stance.SUPPORTS, url="https://reuters.com/a",
            outlet="Reuters",
        )  # fmt: skip
        r = services.rating_set(claim=claim, by=reviewer, confidence="high", rationale="Agree.")
        services.rating_set(claim=claim, by=reviewer, confidence="high", rationale="Agree.")
        n = services.note_create(claim=claim, by=reviewer, text="Called the plant.")
    payloads = {d.event_type: d.payload["data"] for d in Delivery.objects.all()}
    assert set(payloads) == {"corroboration.added", "rating.saved", "note.added"}  # once each
    assert payloads["corroboration.added"]["corroboration"] == {
        "id": c.pk,
        "stance": "supports",
        "independence": c.independence,
    }
    assert payloads["rating.saved"]["rating"] == {
        "id": r.pk, "confidence": "high", "proposed_verdict": ""
    }  # fmt: skip
    assert payloads["note.added"]["note"] == {"id": n.pk}
    assert {p["claim"]["id"] for p in payloads.values()} == {claim.pk}
    assert {p["by"] for p in payloads.values()} == {"rita"}


def test_a_finished_import_is_announced_with_its_outcomes(
    make_endpoint, admin_user, django_capture_on_commit_callbacks
):
    make_endpoint(events=["import.finished"])
    path = sample_path("01")
    with django_capture_on_commit_callbacks(execute=True):
        batch, _ = articles_import(
            [(path.name, path.read_bytes()), ("empty.txt", b"")], by=admin_user, origin="test"
        )
    delivery = Delivery.objects.get()
    assert delivery.payload["data"] == {
        "batch": {
            "id": batch.pk,
            "origin": "test",
            "status": "done",
            "files": {"imported": 1, "duplicate": 0, "rejected": 1},
            "url": reverse("imports:batch", args=[batch.pk]),
        },
        "by": "ada",
    }


def test_a_delivered_export_and_a_report_are_announced(
    make_endpoint, rclient, claim, django_capture_on_commit_callbacks
):
    make_endpoint(events=["export.created"])
    with django_capture_on_commit_callbacks(execute=True):
        response = rclient.get(reverse("claims:export") + "?format=jsonl&status=all")
        b"".join(response.streaming_content)
        assert rclient.get(reverse("claims:report") + "?status=all").status_code == 200
    exports = [d.payload["data"] for d in Delivery.objects.order_by("id")]
    assert [(e["export"]["format"], e["export"]["claim_count"]) for e in exports] == [
        ("jsonl", 1),
        ("report", 1),
    ]
    assert all(e["by"] == "rita" and len(e["export"]["content_hash"]) == 64 for e in exports)


def test_an_abandoned_export_is_not_announced(
    make_endpoint, reviewer, claim, django_capture_on_commit_callbacks
):
    """The reader went away after the first chunk (the stream is closed at its `yield`)."""
    make_endpoint(events=["export.created"])
    queryset = export_queryset(parse_filters(QueryDict("status=all")), reviewer)
    stream = recorded_stream(
        Export(queryset, "csv"), user=reviewer, fmt="csv", filters={}, include_notes=True,
        origin="web",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        next(stream)
        stream.close()
    assert not Delivery.objects.exists()


def test_a_pdf_report_made_in_the_background_is_announced(
    make_endpoint, reviewer, claim, django_capture_on_commit_callbacks
):
    make_endpoint(events=["export.created"])
    with django_capture_on_commit_callbacks(execute=True):
        job = report_job_create(
            filters=parse_filters(QueryDict("status=all")), include_notes=True, by=reviewer
        )
        report_job_run(job_id=job.pk)
    (delivery,) = Delivery.objects.all()
    export = delivery.payload["data"]["export"]
    assert (export["format"], export["claim_count"]) == ("pdf", 1)
    assert delivery.payload["data"]["by"] == "rita"
