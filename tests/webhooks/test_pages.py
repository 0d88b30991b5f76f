"""The webhooks pages: admins only; add, edit, deactivate endpoints; deliveries; Send again."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.webhooks.conftest import PUBLIC_URL
from webhooks.models import Delivery, Endpoint
from webhooks.services import deliveries_create, event_payload
from webhooks.tasks import deliver_webhook

pytestmark = pytest.mark.django_db


def test_pages_are_for_admins_only_others_are_told_why(rclient, lclient, make_endpoint):
    endpoint = make_endpoint()
    for client in (rclient, lclient):
        for url in (reverse("webhooks:list"), reverse("webhooks:endpoint", args=[endpoint.pk])):
            response = client.get(url)
            assert response.status_code == 403
            assert (
                "manage webhook endpoints: that needs the admin role" in response.content.decode()
            )


def test_admin_adds_an_endpoint_and_sees_its_secret(aclient, admin_user):
    response = aclient.post(
        reverse("webhooks:add"),
        {"url": PUBLIC_URL, "description": "CMS", "events": ["claim.status_changed", "note.added"]},
    )
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("webhooks:endpoint", args=[endpoint.pk])
    assert endpoint.events == ["claim.status_changed", "note.added"]
    assert endpoint.active and endpoint.created_by == admin_user
    assert endpoint.secret.startswith("whsec_")
    page = aclient.get(response["Location"]).content.decode()
    assert endpoint.secret in page
    record = endpoint.history.get()
    assert (record.history_user, record.history_change_reason) == (
        admin_user,
        "webhook endpoint added",
    )
    assert not hasattr(record, "secret")  # the secret stays out of history


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:8000/hook", "127.0.0.1 is a loopback address"),
        ("http://169.254.169.254/latest", "169.254.169.254 is a link-local address"),
        ("http://10.0.0.7/hook", "10.0.0.7 is a private address"),
    ],
)
def test_a_private_url_is_refused_at_save_naming_the_field(aclient, settings, url, message):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = aclient.post(reverse("webhooks:add"), {"url": url, "events": ["note.added"]})
    assert response.status_code == 400
    assert not Endpoint.objects.exists()
    errors = response.context["form"].errors
    assert list(errors) == ["url"]
    assert errors["url"][0].startswith(message)
    assert message in response.content.decode()


def test_an_endpoint_without_events_is_refused(aclient):
    response = aclient.post(reverse("webhooks:add"), {"url": PUBLIC_URL})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["events"]


def test_admin_edits_an_endpoint_and_a_private_url_is_refused(aclient, settings, make_endpoint):
    endpoint = make_endpoint(events=["note.added"])
    url = reverse("webhooks:endpoint", args=[endpoint.pk])
    data = {"url": PUBLIC_URL + "/v2", "events": ["rating.saved"], "description": "", "active": ""}
    assert aclient.post(url, data).status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events, endpoint.active) == (
        PUBLIC_URL + "/v2", ["rating.saved"], False,
    )  # fmt: skip
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = aclient.post(url, {**data, "url": "http://localhost:9/hook"})
    assert response.status_code == 400
    assert "a loopback address" in response.context["form"].errors["url"][0]
    endpoint.refresh_from_db()
    assert endpoint.url == PUBLIC_URL + "/v2"


def test_admin_deactivates_and_activates_an_endpoint(aclient, make_endpoint):
    endpoint = make_endpoint()
    assert aclient.post(reverse("webhooks:active", args=[endpoint.pk])).status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.active
    page = aclient.get(reverse("webhooks:list")).content.decode()
    assert "inactive" in page and "Activate</button>" in page
    aclient.post(reverse("webhooks:active", args=[endpoint.pk]), {"active": "1"})
    endpoint.refresh_from_db()
    assert endpoint.active
    assert [r.history_change_reason for r in endpoint.history.order_by("history_id")] == [
        "webhook endpoint added", "deactivated", "activated",
    ]  # fmt: skip


@pytest.fixture
def delivery(make_endpoint):
    make_endpoint(events=["note.added"])
    (delivery,) = deliveries_create(payload=event_payload(type="note.added", data={"note": 1}))
    return delivery


def test_deliveries_and_their_attempts_are_listed(
    aclient, allow_private, receiver, make_endpoint, delivery
):
    from webhooks.models import Endpoint as E

    E.objects.filter(pk=delivery.endpoint_id).update(url=receiver.url())
    receiver.answers = [503]
    deliver_webhook.call(delivery.pk)
    page = aclient.get(reverse("webhooks:endpoint", args=[delivery.endpoint_id])).content.decode()
    assert delivery.msg_id in page and "note.added" in page and "Pending" in page
    response = aclient.get(reverse("webhooks:delivery", args=[delivery.pk]))
    page = response.content.decode()
    assert "503" in page and "automatic" in page and " ms</td>" in page
    assert 'hx-trigger="every 2s"' in page  # a retry is due: the panel refreshes itself
    assert "&quot;note&quot;:1" in page  # the payload as sent


def test_the_attempts_fragment_alone_for_htmx(aclient, delivery):
    url = reverse("webhooks:delivery", args=[delivery.pk])
    response = aclient.get(url, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="attempts"')
    assert "<html" not in content
    assert "HX-Request" in response["Vary"]


def test_send_again_enqueues_an_attempt_and_says_so(aclient, admin_user, delivery):
    url = reverse("webhooks:resend", args=[delivery.pk])
    response = aclient.post(url)
    assert response.status_code == 302
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["kwargs"] == {"manual": True, "requested_by": admin_user.pk}
    response = aclient.post(url, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="attempts"')
    assert f"Sending {delivery.msg_id} again" in content
    assert "?until=1" in content  # refreshes until the attempt is logged
    assert DBTaskResult.objects.count() == 2


def test_send_again_to_an_inactive_endpoint_is_refused(aclient, admin_user, delivery):
    from webhooks.services import endpoint_set_active

    endpoint_set_active(endpoint=delivery.endpoint, active=False, by=admin_user)
    response = aclient.post(reverse("webhooks:resend", args=[delivery.pk]), follow=True)
    assert "The endpoint is inactive: activate it to send to it again." in response.content.decode()
    assert not DBTaskResult.objects.exists()


def test_only_the_admin_role_manages_webhooks(make_user):
    for role, allowed in (("reviewer", False), ("lead", False), ("admin", True)):
        assert make_user(f"{role}9", role).has_perm("webhooks.manage_endpoints") is allowed


def test_the_attempts_panel_refreshes_only_while_something_is_due(aclient, delivery):
    url = reverse("webhooks:delivery", args=[delivery.pk])
    assert 'hx-trigger="every 2s"' in aclient.get(url).content.decode()  # the first, now
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() + timedelta(hours=1)
    )
    assert 'hx-trigger="every 30s"' in aclient.get(url).content.decode()  # a retry, later
    Delivery.objects.filter(pk=delivery.pk).update(status="delivered", next_attempt_at=None)
    attempts_tag = re.search(r'<section id="attempts"[^>]*>', aclient.get(url).content.decode())
    assert "hx-trigger" not in attempts_tag.group(0)  # delivered: the panel stops polling
    assert 'hx-trigger="every 2s"' in aclient.get(url + "?until=1").content.decode()  # resent
