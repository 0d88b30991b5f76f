"""Notifications: who is told what (mentions, a finished import, a watched claim), the bell
and list with mark-read, and e-mail at once or as a daily digest (Django's test outbox)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from claims import services as claim_services
from claims.models import ClaimStatus
from imports.in_process import articles_import
from notifications.mentions import mentioned_usernames
from notifications.models import EmailMode, Notification
from notifications.receivers import RECIPIENTS
from notifications.services import notification_setting_set, watch_set
from tests.conftest import sample_path
from workbench.events import EVENT_TYPES

pytestmark = pytest.mark.django_db


def digest() -> str:
    out = StringIO()
    call_command("send_notification_digest", stdout=out)
    return out.getvalue()


@pytest.fixture
def mira(make_user):
    user = make_user("mira", "reviewer")
    user.email = "mira@example.org"
    user.save()
    return user


def test_mentions_are_parsed_in_one_place():
    text = "Ask @mira and @lena.k, not ann@example.org; @mira again. (@otto)"
    assert mentioned_usernames(text) == ["mira", "lena.k", "otto"]
    assert mentioned_usernames("no one here, e-mail x@y.org") == []


def test_every_event_with_recipients_is_a_documented_event():
    assert set(RECIPIENTS) <= set(EVENT_TYPES)


def test_a_mention_in_a_note_notifies_once_committed(
    claim, reviewer, mira, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        claim_services.note_create(claim=claim, by=reviewer, text="@mira can you check the figure?")
        assert not Notification.objects.exists()  # not before the commit
    [notification] = Notification.objects.all()
    assert notification.user == mira
    assert notification.kind == "mentioned"
    assert notification.url == f"/claims/{claim.pk}/"
    assert "rita mentioned you" in notification.text


def test_the_author_mentioning_themselves_is_not_told(
    claim, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        claim_services.note_create(claim=claim, by=reviewer, text="note to self @rita")
    assert not Notification.objects.exists()


def test_an_import_you_started_tells_you_when_it_finished(
    admin_user, django_capture_on_commit_callbacks
):
    path = sample_path("01")
    with django_capture_on_commit_callbacks(execute=True):
        batch, _ = articles_import([(path.name, path.read_bytes())], by=admin_user, origin="t")
    [notification] = Notification.objects.all()
    assert notification.user == admin_user and notification.kind == "import_finished"
    assert notification.text == f"Your import #{batch.pk} finished: 1 imported"


def test_a_watched_claim_changed_tells_its_watchers_but_not_who_changed_it(
    claim, reviewer, mira, django_capture_on_commit_callbacks
):
    watch_set(claim=claim, by=mira, watching=True)
    watch_set(claim=claim, by=reviewer, watching=True)
    with django_capture_on_commit_callbacks(execute=True):
        claim_services.claim_set_status(
            claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=reviewer, version=None
        )
    [notification] = Notification.objects.all()
    assert notification.user == mira and notification.kind == "watched_claim"
    assert "status changed by rita" in notification.text
    watch_set(claim=claim, by=mira, watching=False)
    with django_capture_on_commit_callbacks(execute=True):
        claim_services.claim_set_status(
            claim=claim, status=ClaimStatus.UNREVIEWED, reason="", by=reviewer, version=None
        )
    assert Notification.objects.count() == 1


def test_immediate_email_is_sent_at_once(claim, reviewer, mira, django_capture_on_commit_callbacks):
    notification_setting_set(by=mira, email=EmailMode.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=True):
        claim_services.note_create(claim=claim, by=reviewer, text="@mira look")
    [message] = mail.outbox
    assert message.to == ["mira@example.org"]
    assert "rita mentioned you" in message.subject and f"/claims/{claim.pk}/" in message.body
    assert Notification.objects.get().emailed_at is not None
    digest()
    assert len(mail.outbox) == 1  # never twice


def test_daily_digest_sends_one_email_of_what_is_pending(
    claim, reviewer, mira, django_capture_on_commit_callbacks
):
    for text in ("@mira first", "@mira second"):
        with django_capture_on_commit_callbacks(execute=True):
            claim_services.note_create(claim=claim, by=reviewer, text=text)
    assert mail.outbox == []  # the default is the daily digest
    digest()
    [message] = mail.outbox
    assert message.to == ["mira@example.org"] and "2 notifications" in message.subject
    assert message.body.count("rita mentioned you") == 2
    digest()
    assert len(mail.outbox) == 1


def test_no_email_setting_sends_none(claim, reviewer, mira, django_capture_on_commit_callbacks):
    notification_setting_set(by=mira, email=EmailMode.NONE)
    with django_capture_on_commit_callbacks(execute=True):
        claim_services.note_create(claim=claim, by=reviewer, text="@mira look")
    digest()
    assert mail.outbox == [] and Notification.objects.count() == 1
    with pytest.raises(ValueError, match="email: 'weekly' is not one of"):
        notification_setting_set(by=mira, email="weekly")


def test_bell_list_and_mark_read(client, claim, reviewer, mira, django_capture_on_commit_callbacks):
    for text in ("@mira one", "@mira two"):
        with django_capture_on_commit_callbacks(execute=True):
            claim_services.note_create(claim=claim, by=reviewer, text=text)
    client.force_login(mira)
    page = client.get("/claims/").content.decode()
    assert 'hx-get="/notifications/bell/"' in page
    bell = client.get("/notifications/bell/").content.decode()
    assert '<span class="badge" id="bell-count">2</span>' in bell
    listing = client.get("/notifications/").content.decode()
    assert "2 unread" in listing and listing.count("rita mentioned you") == 2
    first = Notification.objects.order_by("id").first()
    response = client.post("/notifications/read/", {"id": first.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "1 unread" in response.content.decode()
    assert response["HX-Trigger"] == "notifications-changed"
    client.post("/notifications/read/", headers={"HX-Request": "true"})
    assert not Notification.objects.unread().exists()
    assert "bell-count" not in client.get("/notifications/bell/").content.decode()


def test_someone_elses_notification_cannot_be_marked_read(client, claim, reviewer, mira):
    other = Notification.objects.create(user=reviewer, kind="mentioned", text="x")
    client.force_login(mira)
    client.post("/notifications/read/", {"id": other.pk})
    other.refresh_from_db()
    assert other.read_at is None


def test_watch_button_on_the_claim_page(rclient, claim, reviewer):
    page = rclient.get(f"/claims/{claim.pk}/").content.decode()
    assert f'hx-get="/notifications/claims/{claim.pk}/watch/"' in page
    assert (
        "Watch this claim"
        in rclient.get(f"/notifications/claims/{claim.pk}/watch/").content.decode()
    )
    response = rclient.post(
        f"/notifications/claims/{claim.pk}/watch/set/",
        {"watching": "1"},
        headers={"HX-Request": "true"},
    )
    assert "Stop watching" in response.content.decode()


def test_notification_pages_need_a_login(client):
    assert client.get("/notifications/").status_code == 302
    assert client.get("/notifications/bell/").status_code == 302
