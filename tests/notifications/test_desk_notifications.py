"""The desk's reasons to tell someone: claims assigned to you (a hand-out, a claim's
assignee, a bulk assign) and a claim you judged was adjudicated, through `RECIPIENTS`, with
Django's test mail outbox (immediate and digest)."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from claims import services as claim_services
from desk.services import claim_adjudicate, handout_create
from notifications.models import EmailMode, Notification
from notifications.services import notification_setting_set
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db


def _with_email(user):
    user.email = f"{user.username}@example.org"
    user.save()
    return user


@pytest.fixture
def team(make_user):
    return {
        "lead": _with_email(make_user("lena", "lead")),
        "ann": _with_email(make_user("ann", "reviewer")),
        "bob": _with_email(make_user("bob", "reviewer")),
    }


@pytest.fixture
def claims3(db):
    article = ArticleFactory(text="Head\nOne is so. Two is so. Three is so.")
    out = []
    for sentence in ("One is so.", "Two is so.", "Three is so."):
        start = article.text.index(sentence)
        out.append(ClaimFactory(article=article, start=start, end=start + len(sentence)))
    return out


def _hand_out(team, **kwargs):
    return handout_create(
        filter="",
        reviewers=[team["ann"], team["bob"]],
        strategy="round_robin",
        by=team["lead"],
        **kwargs,
    )


def test_a_hand_out_tells_each_reviewer_once_committed_and_not_the_lead(
    team, claims3, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        hand_out = _hand_out(team, overlap=2, name="Tuesday batch")
        assert not Notification.objects.exists()  # not before the commit
    rows = {n.user.username: n for n in Notification.objects.select_related("user")}
    assert set(rows) == {"ann", "bob"}
    assert rows["ann"].kind == "assigned" and rows["ann"].url == "/desk/mine/"
    assert rows["ann"].text == "lena handed you 3 claims (Tuesday batch)"
    assert hand_out.claim_count == 3


def test_a_reviewer_given_no_claims_by_a_hand_out_is_not_told(
    team, claims3, django_capture_on_commit_callbacks
):
    claims3[0].delete()
    claims3[1].delete()
    with django_capture_on_commit_callbacks(execute=True):
        _hand_out(team, overlap=1)  # one claim, round-robin: ann gets it, bob nothing
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["ann"]


def test_immediate_email_for_one_and_the_digest_for_the_other(
    team, claims3, django_capture_on_commit_callbacks
):
    notification_setting_set(by=team["ann"], email=EmailMode.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=True):
        _hand_out(team, overlap=2, due_on=datetime.date(2026, 12, 9))
    [message] = mail.outbox
    assert message.to == ["ann@example.org"]
    assert "lena handed you 3 claims" in message.subject and "due 2026-12-09" in message.subject
    assert "/desk/mine/" in message.body
    call_command("send_notification_digest", stdout=StringIO())
    assert [m.to for m in mail.outbox] == [["ann@example.org"], ["bob@example.org"]]
    assert "1 notifications" in mail.outbox[1].subject
    assert "lena handed you 3 claims" in mail.outbox[1].body


def test_a_claim_assigned_to_you_tells_you_but_taking_one_yourself_does_not(
    team, claims3, django_capture_on_commit_callbacks
):
    a, b, _ = claims3
    with django_capture_on_commit_callbacks(execute=True):
        claim_services.claim_assign(claim=a, assignee=team["ann"], by=team["lead"])
        claim_services.claim_assign(claim=b, assignee=team["bob"], by=team["bob"])
        claim_services.claim_assign(claim=a, assignee=None, by=team["lead"])
    [notification] = Notification.objects.all()
    assert notification.user == team["ann"]
    assert notification.text == f"lena assigned you claim #{a.pk}"
    assert notification.url == f"/claims/{a.pk}/"


def test_a_bulk_assign_tells_the_assignee_once(team, claims3, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        claim_services.claims_bulk_assign(
            claim_ids=[c.pk for c in claims3], assignee=team["bob"], by=team["lead"]
        )
    [notification] = Notification.objects.all()
    assert notification.user == team["bob"] and notification.text == "lena assigned you 3 claims"
    assert notification.url == "/claims/?assignee=mine"


def test_an_adjudication_tells_the_reviewers_who_judged(
    team, claims3, django_capture_on_commit_callbacks
):
    _hand_out(team, overlap=2)
    claim = claims3[0]
    for user, verdict in (("ann", "unverifiable"), ("bob", "disputed")):
        claim_services.rating_set(
            claim=claim, by=team[user], confidence="high", rationale="r", proposed_verdict=verdict
        )
    Notification.objects.all().delete()
    notification_setting_set(by=team["bob"], email=EmailMode.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=True):
        claim_adjudicate(
            claim=claim, verdict="unverifiable", reason="No source says", by=team["lead"]
        )
    rows = Notification.objects.filter(kind="adjudicated").select_related("user")
    assert sorted(n.user.username for n in rows) == ["ann", "bob"]
    expected = f"lena adjudicated claim #{claim.pk} you judged: unverifiable"
    assert {n.text for n in rows} == {expected}
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    assert expected in mail.outbox[0].subject
    call_command("send_notification_digest", stdout=StringIO())
    assert [m.to for m in mail.outbox] == [["bob@example.org"], ["ann@example.org"]]
    assert expected in mail.outbox[1].body
