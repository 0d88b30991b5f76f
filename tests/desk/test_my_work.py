"""My work: assigned, due, waiting for me, done; a fixed number of queries."""

import datetime

from django.urls import reverse

from claims import services as claim_services
from claims.models import Claim, ClaimKind
from desk.querysets import my_work
from desk.services import handout_create


def test_sections(desk, claims6):
    today = datetime.date(2026, 12, 4)
    soon = handout_create(
        filter="?q=one",
        reviewers=[desk["ann"], desk["bob"]],
        strategy="round_robin",
        overlap=2,
        due_on=today + datetime.timedelta(days=1),
        by=desk["lead"],
    )
    later = handout_create(
        filter="?q=two",
        reviewers=[desk["ann"]],
        strategy="round_robin",
        due_on=today + datetime.timedelta(days=30),
        by=desk["lead"],
    )
    a, b = claims6[0], claims6[1]
    claim_services.rating_set(
        claim=a, by=desk["bob"], confidence="low", rationale="", proposed_verdict="disputed"
    )
    work = my_work(desk["ann"], today=today)
    assert [(x.hand_out_id, x.claim_id) for x in work.assigned] == [
        (later.pk, b.pk),
        (soon.pk, a.pk),
    ]
    assert [x.claim_id for x in work.due] == [a.pk]
    assert [x.claim_id for x in work.waiting] == [a.pk]  # bob is done with it
    assert work.done == []
    bob = my_work(desk["bob"], today=today)
    assert [x.claim_id for x in bob.done] == [a.pk] and bob.assigned == []


def test_claims_merged_away_or_marked_chrome_are_no_open_work(desk, claims6):
    handout_create(filter="", reviewers=[desk["ann"]], strategy="round_robin", by=desk["lead"])
    merged, chrome = claims6[0], claims6[1]
    Claim.objects.filter(pk=merged.pk).update(retired=True)
    Claim.objects.filter(pk=chrome.pk).update(kind=ClaimKind.CHROME)
    work = my_work(desk["ann"])
    assert {x.claim_id for x in work.assigned} == {c.pk for c in claims6[2:]}


def test_my_work_page_query_count_is_fixed(desk, claims6, client, django_assert_num_queries):
    handout_create(
        filter="",
        reviewers=[desk["ann"], desk["bob"]],
        strategy="round_robin",
        overlap=2,
        by=desk["lead"],
    )
    client.force_login(desk["ann"])
    client.get(reverse("desk:mine"))  # session, permissions cached as for any page
    # session, user, due hand-outs, the four sections (4; none due: three), the permissions
    # the nav and tabs read (3)
    with django_assert_num_queries(9):
        page = client.get(reverse("desk:mine"))
    assert page.status_code == 200
    assert page.content.decode().count(reverse("claims:detail", args=[claims6[0].pk])) >= 1


def test_my_work_queryset_is_four_queries(desk, claims6, django_assert_num_queries):
    handout_create(filter="", reviewers=[desk["ann"]], strategy="round_robin", by=desk["lead"])
    with django_assert_num_queries(4):  # the due hand-outs (none), assigned, waiting, done
        work = my_work(desk["ann"])
        assert len(work.assigned) == 6
        assert all(x.claim.text and x.hand_out.pk for x in work.assigned)


def test_my_work_with_hand_outs_due_is_five_queries(desk, claims6, django_assert_num_queries):
    today = datetime.date(2026, 12, 4)
    for days in (1, 2):
        handout_create(
            filter="",
            reviewers=[desk["ann"]],
            strategy="round_robin",
            due_on=today + datetime.timedelta(days=days),
            by=desk["lead"],
        )
    with django_assert_num_queries(5):  # the due hand-outs, then the four sections
        work = my_work(desk["ann"], today=today)
    assert len(work.due) == 12 and work.due[0].hand_out.due_on == today + datetime.timedelta(1)


def test_waiting_for_me_is_kept_when_another_reviewer_is_done(desk, claims6):
    hand_out = handout_create(
        filter="",
        reviewers=[desk["ann"], desk["bob"], desk["cy"]],
        strategy="round_robin",
        overlap=2,
        by=desk["lead"],
    )
    claim = claims6[0]
    judge, other = [a.reviewer for a in hand_out.assignments.filter(claim=claim)]
    claim_services.rating_set(
        claim=claim, by=judge, confidence="low", rationale="", proposed_verdict="disputed"
    )
    waiting = hand_out.assignments.filter(claim=claim, waiting_since__isnull=False)
    assert [a.reviewer for a in waiting] == [other]
    assert [x.claim_id for x in my_work(other).waiting] == [claim.pk]
    assert not hand_out.assignments.exclude(claim=claim).filter(waiting_since__isnull=False)
    assert all(a.state == "open" for a in waiting)


def test_my_work_rows_show_the_hand_out_and_escape_the_claim(desk, client):
    from tests.factories import ArticleFactory, ClaimFactory

    article = ArticleFactory(text="Head\nThe <b>plant</b> & port opened.")
    start = article.text.index("The <b>")
    ClaimFactory(article=article, start=start, end=len(article.text))
    handout_create(
        filter="",
        reviewers=[desk["ann"]],
        strategy="round_robin",
        blind=True,
        due_on=datetime.date(2026, 12, 6),
        name="Port <week>",
        by=desk["lead"],
    )
    client.force_login(desk["ann"])
    page = client.get(reverse("desk:mine")).content.decode()
    assert "The &lt;b&gt;plant&lt;/b&gt; &amp; port opened." in page
    assert "· Port &lt;week&gt; · blind · due 2026-12-06" in page
    assert "Nothing done yet." in page and "<b>plant" not in page
