"""The write layer for claims: evidence rules, locking, bulk actions, history and reverts."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from claims import services
from claims.models import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Corroboration,
    Credibility,
    Independence,
    Note,
    Rating,
    Stance,
)
from claims.services import (
    ClaimRefused,
    EvidenceRequired,
    ReasonRequired,
    RevertRefused,
    StaleEdit,
)
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    CorroborationFactory,
    PublisherFactory,
)

pytestmark = pytest.mark.django_db


def support(claim, *, independence=Independence.INDEPENDENT, outlet="Reuters", **kwargs):
    return CorroborationFactory(
        claim=claim, stance=Stance.SUPPORTS, independence=independence, outlet=outlet, **kwargs
    )


# -- Status and the evidence rule ------------------------------------------------------------


def test_verify_refused_without_any_corroboration(claim, alice):
    with pytest.raises(EvidenceRequired) as exc:
        services.claim_set_status(
            claim=claim, status=ClaimStatus.VERIFIED, reason="Matches filings", by=alice, version=1
        )
    assert str(exc.value) == (
        "Cannot mark as verified: it needs at least one supporting corroboration judged "
        "independent (this claim has none)."
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNREVIEWED
    assert claim.version == 1


def test_verify_refused_without_independent_support(claim, alice):
    support(claim, independence=Independence.NOT_INDEPENDENT)
    CorroborationFactory(claim=claim, stance=Stance.CONTRADICTS)
    with pytest.raises(EvidenceRequired) as exc:
        services.claim_set_status(
            claim=claim, status=ClaimStatus.VERIFIED, reason="Matches filings", by=alice, version=1
        )
    assert str(exc.value) == (
        "Cannot mark as verified: it needs at least one supporting corroboration judged "
        "independent (this claim has 1 supporting, 0 of them independent)."
    )


def test_verify_accepted_with_independent_support_records_reviewer(claim, alice):
    support(claim)
    saved = services.claim_set_status(
        claim=claim, status=ClaimStatus.VERIFIED, reason="Matches filings", by=alice, version=1
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VERIFIED
    assert (claim.reviewed_by, claim.version) == (alice, 2)
    assert claim.reviewed_at is not None
    assert saved.version == 2
    record = claim.history.latest()
    assert (record.history_user, record.history_change_reason) == (alice, "Matches filings")


def test_refute_refused_without_contradicting_evidence(claim, alice):
    support(claim)
    with pytest.raises(EvidenceRequired) as exc:
        services.claim_set_status(
            claim=claim, status=ClaimStatus.REFUTED, reason="Wrong", by=alice, version=None
        )
    assert str(exc.value) == (
        "Cannot mark as refuted: it needs at least one contradicting corroboration "
        "(this claim has none)."
    )


def test_refute_accepted_with_contradicting_evidence_of_any_independence(claim, alice):
    CorroborationFactory(
        claim=claim, stance=Stance.CONTRADICTS, independence=Independence.NOT_INDEPENDENT
    )
    saved = services.claim_set_status(
        claim=claim, status=ClaimStatus.REFUTED, reason="Customs data", by=alice, version=None
    )
    assert saved.status == ClaimStatus.REFUTED


@pytest.mark.parametrize("status", [ClaimStatus.VERIFIED, ClaimStatus.REFUTED, "disputed"])
def test_verdicts_that_need_a_reason_are_refused_without_one(claim, alice, status):
    support(claim)
    CorroborationFactory(claim=claim, stance=Stance.CONTRADICTS)
    with pytest.raises(ReasonRequired, match="A reason is required"):
        services.claim_set_status(claim=claim, status=status, reason="  ", by=alice, version=1)


def test_long_reason_is_shortened_to_fit_the_history_column(claim, alice):
    support(claim)
    services.claim_set_status(
        claim=claim, status=ClaimStatus.VERIFIED, reason="Checked. " * 40, by=alice, version=1
    )
    reason = claim.history.latest().history_change_reason
    assert len(reason) == 100
    assert reason.startswith("Checked. Checked.")
    assert reason.endswith("…")


def test_going_back_to_in_review_clears_the_verdict(claim, alice):
    services.claim_set_status(
        claim=claim, status=ClaimStatus.UNVERIFIABLE, reason="", by=alice, version=1
    )
    saved = services.claim_set_status(
        claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=alice, version=2
    )
    assert (saved.reviewed_by, saved.reviewed_at, saved.version) == (None, None, 3)
    assert claim.history.latest().history_change_reason == "status → in_review"


def test_stale_edit_refused_with_the_changes_listed(claim, alice, bob):
    services.claim_set_status(
        claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=bob, version=1
    )
    services.claim_assign(claim=claim, assignee=bob, by=bob, version=2)
    with pytest.raises(StaleEdit) as exc:
        services.claim_set_status(
            claim=claim, status=ClaimStatus.NOT_A_CLAIM, reason="", by=alice, version=1
        )
    changes = exc.value.changes
    assert len(changes) == 2
    assert changes[0].startswith("status: Unreviewed → In review (bob, ")
    assert changes[1].startswith("assignee: — → bob (bob, ")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.IN_REVIEW


def test_stale_edit_names_each_field_in_words_not_by_its_attribute(claim, alice, bob):
    services.claim_set_status(
        claim=claim, status=ClaimStatus.UNVERIFIABLE, reason="", by=bob, version=1
    )
    with pytest.raises(StaleEdit) as exc:
        services.claim_set_credibility(claim=claim, credibility=4, by=alice, version=1)
    fields = [change.split(":")[0] for change in exc.value.changes]
    assert fields == ["status", "reviewed by", "reviewed at"]
    assert exc.value.changes[1].startswith("reviewed by: — → bob (bob, ")


def test_edit_with_the_current_version_is_accepted(claim, alice, bob):
    services.claim_set_status(
        claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=bob, version=1
    )
    saved = services.claim_set_status(
        claim=claim, status=ClaimStatus.NOT_A_CLAIM, reason="", by=alice, version=2
    )
    assert (saved.status, saved.version) == (ClaimStatus.NOT_A_CLAIM, 3)


# -- Credibility and assignment --------------------------------------------------------------


def test_credibility_confirmed_refused_with_one_independent_source(claim, alice):
    support(claim, outlet="Reuters")
    support(claim, outlet="reuters ")  # the same outlet twice is still one source
    with pytest.raises(EvidenceRequired) as exc:
        services.claim_set_credibility(
            claim=claim, credibility=Credibility.CONFIRMED, by=alice, version=1
        )
    assert "at least 2 different publishers or outlets (this claim has 1)" in str(exc.value)


def test_credibility_confirmed_accepted_with_two_independent_sources(claim, alice):
    support(claim, outlet="Reuters")
    support(claim, outlet="Korea Herald")
    saved = services.claim_set_credibility(
        claim=claim, credibility=Credibility.CONFIRMED, by=alice, version=1, reason="Two wires"
    )
    assert (saved.credibility, saved.version) == (Credibility.CONFIRMED, 2)
    assert claim.history.latest().history_change_reason == "Two wires"


def test_credibility_refused_on_a_stale_version(claim, alice, bob):
    services.claim_set_credibility(claim=claim, credibility=4, by=bob, version=1)
    with pytest.raises(StaleEdit) as exc:
        services.claim_set_credibility(claim=claim, credibility=2, by=alice, version=1)
    assert exc.value.changes[0].startswith("credibility: not rated yet → 4 — Doubtful (bob, ")


def test_assign_records_who_assigned_whom(claim, lead, bob):
    saved = services.claim_assign(claim=claim, assignee=bob, by=lead)
    assert (saved.assignee, saved.version) == (bob, 2)
    record = claim.history.latest()
    assert (record.history_user, record.history_change_reason) == (lead, "assigned to bob")


# -- Who may assign, and what takes triage work ----------------------------------------------


def test_a_reviewer_takes_an_unassigned_claim_and_their_own_again(claim, reviewer):
    assert services.claim_assign(claim=claim, assignee=reviewer, by=reviewer).assignee == reviewer
    again = services.claim_assign(claim=claim, assignee=reviewer, by=reviewer)
    assert (again.assignee, again.version) == (reviewer, 2)


def test_a_reviewer_cannot_take_a_claim_a_lead_gave_to_someone_else(claim, lead, reviewer, bob):
    services.claim_assign(claim=claim, assignee=bob, by=lead)
    with pytest.raises(ClaimRefused) as refused:
        services.claim_assign(claim=claim, assignee=reviewer, by=reviewer)
    assert str(refused.value) == (
        f"Claim #{claim.pk} is assigned to bob: only a lead can reassign it; "
        "a reviewer takes unassigned claims."
    )
    claim.refresh_from_db()
    assert (claim.assignee, claim.version) == (bob, 2)


def test_a_reviewer_cannot_assign_someone_else_or_nobody(claim, reviewer, bob):
    for assignee in (bob, None):
        with pytest.raises(ClaimRefused, match="only a lead can assign a claim to someone else"):
            services.claim_assign(claim=claim, assignee=assignee, by=reviewer)
    assert claim.history.count() == 1


def test_a_lead_reassigns_a_claim_given_to_someone_else(claim, lead, bob):
    services.claim_assign(claim=claim, assignee=bob, by=None)  # the system may, as a lead may
    assert services.claim_assign(claim=claim, assignee=lead, by=lead).assignee == lead
    assert services.claim_assign(claim=claim, assignee=None, by=lead).assignee is None


def test_bulk_assign_refuses_a_reviewer_claims_of_others(lead, reviewer, bob):
    free, taken = ClaimFactory(), ClaimFactory()
    services.claim_assign(claim=taken, assignee=bob, by=lead)
    results = services.claims_bulk_assign(
        claim_ids=[free.pk, taken.pk], assignee=reviewer, by=reviewer
    )
    assert [r.ok for r in results] == [True, False]
    assert results[1].message.startswith(f"Claim #{taken.pk} is assigned to bob")
    taken.refresh_from_db()
    assert taken.assignee == bob


CHROME_REFUSAL = "is page chrome (page furniture such as a share button or a photo credit)"


@pytest.fixture
def chrome():
    return ClaimFactory(kind=ClaimKind.CHROME)


def test_chrome_takes_no_status_credibility_or_assignee(chrome, lead, reviewer):
    attempts = [
        lambda: services.claim_set_status(
            claim=chrome, status=ClaimStatus.NOT_A_CLAIM, reason="", by=reviewer, version=None
        ),
        lambda: services.claim_set_credibility(
            claim=chrome, credibility=Credibility.DOUBTFUL, by=reviewer, version=None
        ),
        lambda: services.claim_assign(claim=chrome, assignee=reviewer, by=reviewer),
        lambda: services.claim_assign(claim=chrome, assignee=reviewer, by=lead),
    ]
    for attempt in attempts:
        with pytest.raises(ClaimRefused) as refused:
            attempt()
        assert str(refused.value).startswith(f"Claim #{chrome.pk} {CHROME_REFUSAL}")
    chrome.refresh_from_db()
    assert (chrome.status, chrome.assignee, chrome.version) == (ClaimStatus.UNREVIEWED, None, 1)
    assert chrome.history.count() == 1


def test_bulk_actions_refuse_chrome_claim_by_claim(chrome, lead):
    other = ClaimFactory()
    for results in (
        services.claims_bulk_set_status(
            claim_ids=[chrome.pk, other.pk], status=ClaimStatus.IN_REVIEW, reason="", by=lead
        ),
        services.claims_bulk_assign(claim_ids=[chrome.pk, other.pk], assignee=lead, by=lead),
    ):
        assert [r.ok for r in results] == [False, True]
        assert CHROME_REFUSAL in results[0].message
    chrome.refresh_from_db()
    assert (chrome.status, chrome.assignee, chrome.version) == (ClaimStatus.UNREVIEWED, None, 1)


def test_a_retired_claim_takes_no_bulk_status(lead):
    kept = ClaimFactory()
    retired = ClaimFactory(article=kept.article, retired=True, merged_into=kept)
    [result] = services.claims_bulk_set_status(
        claim_ids=[retired.pk], status=ClaimStatus.IN_REVIEW, reason="", by=lead
    )
    assert (result.ok, result.message) == (
        False,
        f"Claim #{retired.pk} is retired: nothing is changed on it; work on claim #{kept.pk}.",
    )


# -- Bulk ------------------------------------------------------------------------------------


def test_bulk_set_status_refuses_per_claim_and_records_the_rest(alice):
    with_evidence = [ClaimFactory(), ClaimFactory()]
    for c in with_evidence:
        support(c)
    without = ClaimFactory()
    ids = [with_evidence[0].pk, without.pk, with_evidence[1].pk, 999_999]

    results = services.claims_bulk_set_status(
        claim_ids=ids, status=ClaimStatus.VERIFIED, reason="Checked filings", by=alice
    )

    assert [(r.claim_id, r.ok) for r in results] == [
        (with_evidence[0].pk, True),
        (without.pk, False),
        (with_evidence[1].pk, True),
        (999_999, False),
    ]
    assert results[1].message.startswith("Cannot mark as verified")
    assert results[3].message == "Claim not found."
    for c in with_evidence:
        c.refresh_from_db()
        assert (c.status, c.reviewed_by, c.version) == (ClaimStatus.VERIFIED, alice, 2)
        record = c.history.latest()
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            "~",
            alice,
            "Checked filings",
        )
    without.refresh_from_db()
    assert without.status == ClaimStatus.UNREVIEWED
    assert without.history.count() == 1


def test_bulk_set_status_reads_in_constant_queries(alice, django_assert_num_queries):
    claims = [ClaimFactory() for _ in range(5)]
    for c in claims:
        support(c)
    # savepoint, claims, their corroborations, one UPDATE, one history INSERT, release
    with django_assert_num_queries(6) as ctx:
        services.claims_bulk_set_status(
            claim_ids=[c.pk for c in claims], status="in_review", reason="", by=alice
        )
    selects = [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2


def test_bulk_set_status_without_reason_refuses_every_claim(alice):
    claims = [ClaimFactory(), ClaimFactory()]
    results = services.claims_bulk_set_status(
        claim_ids=[c.pk for c in claims], status="disputed", reason="", by=alice
    )
    assert [r.ok for r in results] == [False, False]
    assert results[0].message == "A reason is required to mark a claim as disputed."


def test_bulk_assign_reports_each_claim(lead, bob):
    done, already = ClaimFactory(), ClaimFactory(assignee=bob)
    results = services.claims_bulk_assign(claim_ids=[done.pk, already.pk], assignee=bob, by=lead)
    assert [(r.ok, r.message) for r in results] == [
        (True, "Assigned to bob."),
        (True, "Already assigned to bob."),
    ]
    done.refresh_from_db()
    assert (done.assignee, done.version) == (bob, 2)
    assert done.history.latest().history_user == lead
    assert already.history.count() == 1


# -- Corroborations --------------------------------------------------------------------------


@pytest.fixture
def state_media():
    owner = PublisherFactory(name="People's Daily")
    return {
        "owner": owner,
        "gt": PublisherFactory(name="Global Times", domains=["globaltimes.cn"], parent=owner),
    }


def test_corroboration_from_same_publisher_is_judged_not_independent(state_media, alice):
    claim = ClaimFactory(article=ArticleFactory(publisher=state_media["gt"]))
    c = services.corroboration_create(
        claim=claim, by=alice, stance=Stance.SUPPORTS, url="https://www.globaltimes.cn/x.html"
    )
    assert (c.independence, c.independence_reason) == (
        Independence.NOT_INDEPENDENT,
        "same publisher: Global Times",
    )
    assert not c.independence_overridden
    assert (c.created_by, c.history.latest().history_user) == (alice, alice)


def test_corroboration_from_parent_owner_is_judged_not_independent(state_media, alice):
    claim = ClaimFactory(article=ArticleFactory(publisher=state_media["gt"]))
    c = services.corroboration_create(
        claim=claim, by=alice, stance=Stance.SUPPORTS, publisher=state_media["owner"]
    )
    assert c.independence == Independence.NOT_INDEPENDENT
    assert c.independence_reason == "same owner: People's Daily owns Global Times"


def test_corroboration_citing_the_claims_source_is_judged_not_independent(state_media, alice):
    claim = ClaimFactory(article=ArticleFactory(publisher=state_media["gt"]))
    c = services.corroboration_create(
        claim=claim,
        by=alice,
        stance=Stance.SUPPORTS,
        outlet="Mining Weekly",
        excerpt="An industry insider told the Global Times that output doubled.",
    )
    assert c.independence == Independence.NOT_INDEPENDENT
    assert c.independence_reason.startswith("cites the claim's source")


def test_corroboration_from_near_duplicate_article_is_judged_not_independent(state_media, alice):
    text = "Headline\n" + " ".join(f"Sentence number {i} about magnets." for i in range(12))
    claim = ClaimFactory(article=ArticleFactory(publisher=state_media["gt"], text=text))
    copy = ClaimFactory(article=ArticleFactory(text=text + " Republished with permission."))
    c = services.corroboration_create(
        claim=claim, by=alice, stance=Stance.SUPPORTS, evidence_claim=copy
    )
    assert (c.independence, c.independence_reason) == (
        Independence.NOT_INDEPENDENT,
        "near-identical text (syndicated copy)",
    )


def test_corroboration_from_different_publisher_is_judged_independent(state_media, alice):
    claim = ClaimFactory(article=ArticleFactory(publisher=state_media["gt"]))
    c = services.corroboration_create(
        claim=claim, by=alice, stance=Stance.SUPPORTS, outlet="Reuters", excerpt="Output rose."
    )
    assert c.independence == Independence.INDEPENDENT


def test_manual_independence_needs_a_reason(claim, alice):
    with pytest.raises(ReasonRequired):
        services.corroboration_create(
            claim=claim, by=alice, stance=Stance.SUPPORTS, outlet="X", independence="independent"
        )
    assert not Corroboration.objects.exists()


def test_manual_independence_is_recorded_and_survives_edits(claim, alice, bob):
    c = services.corroboration_create(
        claim=claim,
        by=alice,
        stance=Stance.SUPPORTS,
        outlet="Global Times",
        independence=Independence.INDEPENDENT,
        independence_reason="Bylined field reporting, not the desk story",
    )
    assert (c.independence, c.independence_overridden) == (Independence.INDEPENDENT, True)
    assert c.history.latest().independence_reason == "Bylined field reporting, not the desk story"
    edited = services.corroboration_update(corroboration=c, by=bob, excerpt="New words.")
    assert (edited.independence, edited.independence_overridden) == ("independent", True)
    rejudged = services.corroboration_update(corroboration=c, by=bob, independence=None)
    assert (rejudged.independence, rejudged.independence_overridden) == ("not_independent", False)


def test_manual_independence_reason_can_be_reworded(claim, alice):
    c = services.corroboration_create(
        claim=claim,
        by=alice,
        stance=Stance.SUPPORTS,
        outlet="Global Times",
        independence=Independence.INDEPENDENT,
        independence_reason="Field reporting",
    )
    c = services.corroboration_update(
        corroboration=c, by=alice, independence_reason="Bylined field reporting"
    )
    assert (c.independence, c.independence_reason) == ("independent", "Bylined field reporting")
    with pytest.raises(ReasonRequired):
        services.corroboration_update(corroboration=c, by=alice, independence_reason=" ")


def test_corroboration_update_rejudges_independence(claim, alice):
    c = services.corroboration_create(claim=claim, by=alice, stance="supports", outlet="Reuters")
    assert c.independence == Independence.INDEPENDENT
    c = services.corroboration_update(corroboration=c, by=alice, outlet="Global Times")
    assert (c.independence, c.independence_reason) == (
        Independence.NOT_INDEPENDENT,
        "same publisher: Global Times",
    )


def test_corroboration_needs_to_say_where_the_evidence_is(claim, alice):
    with pytest.raises(ValidationError, match="Say where the evidence is"):
        services.corroboration_create(claim=claim, by=alice, stance=Stance.SUPPORTS)


def test_evidence_published_in_the_future_is_refused_naming_the_field(claim, alice):
    with pytest.raises(ValidationError) as exc:
        services.corroboration_create(
            claim=claim,
            by=alice,
            stance=Stance.SUPPORTS,
            outlet="Reuters",
            published_on=datetime.date(2099, 1, 1),
        )
    assert exc.value.message_dict == {
        "published_on": [
            "2099-01-01 is in the future: evidence cannot have been published after today."
        ]
    }
    assert not Corroboration.objects.exists()
    c = services.corroboration_create(claim=claim, by=alice, stance=Stance.SUPPORTS, outlet="AP")
    with pytest.raises(ValidationError, match="2099-01-01 is in the future"):
        services.corroboration_update(
            corroboration=c, by=alice, published_on=datetime.date(2099, 1, 1)
        )
    c.refresh_from_db()
    assert c.published_on is None


def test_evidence_dated_today_or_tomorrow_is_accepted(claim, alice):
    """Tomorrow too: somewhere it is already tomorrow when a reviewer here reads the piece."""
    today = timezone.localdate()
    for day in (today, today + datetime.timedelta(days=1)):
        c = services.corroboration_create(
            claim=claim, by=alice, stance=Stance.SUPPORTS, outlet="AP", published_on=day
        )
        assert c.published_on == day


def test_claim_of_the_same_article_is_not_evidence(claim, alice):
    text = claim.article.text
    sibling = Claim.objects.create(
        article=claim.article, start=0, end=text.index("\n"), text=text[: text.index("\n")]
    )
    with pytest.raises(ValidationError, match="same one"):
        services.corroboration_create(
            claim=claim, by=alice, stance=Stance.SUPPORTS, evidence_claim=sibling
        )
    with pytest.raises(ValidationError, match="itself"):
        services.corroboration_create(
            claim=claim, by=alice, stance=Stance.SUPPORTS, evidence_claim=claim
        )


def test_corroboration_does_not_bump_the_claim_version(claim, alice):
    services.corroboration_create(claim=claim, by=alice, stance="supports", outlet="Reuters")
    claim.refresh_from_db()
    assert claim.version == 1


def test_corroboration_delete_is_recorded_with_user_and_reason(claim, alice):
    c = support(claim)
    pk = c.pk
    services.corroboration_delete(corroboration=c, by=alice, reason="Wrong article")
    assert not Corroboration.objects.filter(pk=pk).exists()
    record = Corroboration.history.filter(id=pk).latest()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "-",
        alice,
        "Wrong article",
    )


def test_evidence_edit_on_a_stale_version_is_refused_listing_the_changes(claim, alice, bob):
    c = services.corroboration_create(
        claim=claim, by=alice, stance=Stance.SUPPORTS, outlet="Reuters", excerpt="Output rose."
    )
    seen = c.version
    services.corroboration_update(
        corroboration=c, by=alice, version=seen, excerpt="Output rose 5 percent."
    )

    with pytest.raises(StaleEdit) as exc:
        services.corroboration_update(
            corroboration=c, by=bob, version=seen, stance=Stance.CONTRADICTS
        )

    assert exc.value.subject == "evidence"
    assert str(exc.value).startswith(
        "This evidence was changed by someone else since you opened it "
        "(you saw version 1, it is now at version 2)."
    )
    (change,) = exc.value.changes
    assert change.startswith("excerpt: Output rose. → Output rose 5 percent. (alice, ")
    c.refresh_from_db()
    assert (c.stance, c.excerpt, c.version) == ("supports", "Output rose 5 percent.", 2)
    assert c.history.count() == 2  # the refused edit recorded nothing


def test_evidence_edit_with_the_current_version_is_accepted_and_bumps_it(claim, alice, bob):
    c = services.corroboration_create(claim=claim, by=alice, stance="supports", outlet="Reuters")
    first = services.corroboration_update(corroboration=c, by=alice, version=1, url="")
    second = services.corroboration_update(corroboration=c, by=bob, version=2, outlet="AP")
    assert (first.version, second.version, second.outlet) == (2, 3, "AP")


def test_revert_of_evidence_makes_a_page_opened_before_it_stale(claim, alice, bob):
    c = services.corroboration_create(claim=claim, by=alice, stance="supports", outlet="Reuters")
    services.corroboration_update(corroboration=c, by=alice, version=1, outlet="AP")
    change = c.history.filter(history_type="~").get()
    services.history_revert(kind="corroboration", history_id=change.history_id, by=bob)

    with pytest.raises(StaleEdit) as exc:
        services.corroboration_update(corroboration=c, by=alice, version=2, excerpt="Late.")

    assert exc.value.changes[0].startswith("outlet: AP → Reuters (bob, ")
    c.refresh_from_db()
    assert (c.outlet, c.excerpt, c.version) == ("Reuters", "", 3)


# -- Ratings and notes -----------------------------------------------------------------------


def test_rating_set_twice_updates_the_one_rating(claim, alice):
    first = services.rating_set(claim=claim, by=alice, confidence="low", rationale="Thin")
    second = services.rating_set(claim=claim, by=alice, confidence="high", rationale="Filing")
    assert first.pk == second.pk
    assert Rating.objects.filter(claim=claim).count() == 1
    assert Rating.objects.get().confidence == "high"
    assert [r.history_type for r in second.history.order_by("history_id")] == ["+", "~"]


def test_ratings_of_two_reviewers_are_kept_apart(claim, alice, bob):
    services.rating_set(claim=claim, by=alice, confidence="low", rationale="")
    services.rating_set(claim=claim, by=bob, confidence="high", rationale="")
    assert Rating.objects.filter(claim=claim).count() == 2


def test_note_edit_by_its_author(claim, alice):
    note = services.note_create(claim=claim, by=alice, text="Check the filing.")
    edited = services.note_update(note=note, by=alice, text="Filing checked.")
    assert edited.text == "Filing checked."
    assert edited.history.latest().history_user == alice


def test_note_edit_on_a_stale_version_is_refused_listing_the_change(claim, alice, bob):
    note = services.note_create(claim=claim, by=alice, text="Check the filing.")
    services.note_update(note=note, by=alice, text="Filing checked.", version=1)  # another tab

    with pytest.raises(StaleEdit) as exc:
        services.note_update(note=note, by=alice, text="Called the plant.", version=1)

    assert exc.value.subject == "note"
    (change,) = exc.value.changes
    assert change.startswith("text: Check the filing. → Filing checked. (alice, ")
    note.refresh_from_db()
    assert (note.text, note.version) == ("Filing checked.", 2)


def test_revert_of_a_note_makes_its_authors_open_page_stale(claim, alice, bob):
    note = services.note_create(claim=claim, by=alice, text="Check the filing.")
    services.note_update(note=note, by=alice, text="Filing checked.", version=1)
    change = note.history.filter(history_type="~").get()
    services.history_revert(kind="note", history_id=change.history_id, by=bob)

    with pytest.raises(StaleEdit) as exc:
        services.note_update(note=note, by=alice, text="Filing checked twice.", version=2)

    assert exc.value.changes[0].startswith("text: Filing checked. → Check the filing. (bob, ")
    saved = services.note_update(note=note, by=alice, text="Filing checked twice.", version=3)
    assert (saved.text, saved.version) == ("Filing checked twice.", 4)


def test_note_edit_by_non_author_refused(claim, alice, bob):
    note = services.note_create(claim=claim, by=alice, text="Check the filing.")
    with pytest.raises(PermissionDenied):
        services.note_update(note=note, by=bob, text="Mine now.")
    assert Note.objects.get().text == "Check the filing."


# -- Reverting history -----------------------------------------------------------------------


def test_revert_status_change_keeps_later_unrelated_changes(claim, alice, bob):
    services.claim_set_status(claim=claim, status="in_review", reason="", by=alice, version=1)
    status_change = claim.history.latest()
    services.claim_assign(claim=claim, assignee=bob, by=bob, version=2)  # bob takes it

    reverted = services.history_revert(
        kind="claim", history_id=status_change.history_id, by=bob, reason="Too early"
    )

    claim.refresh_from_db()
    assert (claim.status, claim.assignee, claim.version) == ("unreviewed", bob, 4)
    assert reverted.pk == claim.pk
    record = claim.history.latest()
    assert (record.history_user, record.history_change_reason) == (
        bob,
        f"Reverted change #{status_change.history_id}: Too early",
    )


def test_revert_verdict_clears_the_reviewer_it_set(claim, alice, bob):
    services.claim_set_status(claim=claim, status="unverifiable", reason="", by=alice, version=1)
    change = claim.history.latest()
    services.history_revert(kind="claim", history_id=change.history_id, by=bob)
    claim.refresh_from_db()
    assert (claim.status, claim.reviewed_by, claim.reviewed_at) == ("unreviewed", None, None)


def test_revert_refused_when_the_field_changed_again(claim, alice):
    services.claim_set_status(claim=claim, status="in_review", reason="", by=alice, version=1)
    first = claim.history.latest()
    services.claim_set_status(claim=claim, status="unverifiable", reason="", by=alice, version=2)
    with pytest.raises(RevertRefused, match="status"):
        services.history_revert(kind="claim", history_id=first.history_id, by=alice)


def test_revert_back_to_verified_needs_the_evidence_still(claim, alice):
    evidence = support(claim)
    services.claim_set_status(claim=claim, status="verified", reason="Ok", by=alice, version=1)
    services.claim_set_status(claim=claim, status="in_review", reason="", by=alice, version=2)
    unverify = claim.history.latest()
    services.corroboration_delete(corroboration=evidence, by=alice)
    with pytest.raises(EvidenceRequired, match="Cannot mark as verified"):
        services.history_revert(kind="claim", history_id=unverify.history_id, by=alice)
    claim.refresh_from_db()
    assert claim.status == "in_review"


def test_revert_corroboration_creation_deletes_it(claim, alice, bob):
    c = services.corroboration_create(claim=claim, by=alice, stance="supports", outlet="Reuters")
    created = c.history.get(history_type="+")
    services.history_revert(kind="corroboration", history_id=created.history_id, by=bob)
    assert not Corroboration.objects.filter(pk=c.pk).exists()
    deletion = Corroboration.history.filter(id=c.pk).latest()
    assert (deletion.history_type, deletion.history_user) == ("-", bob)
    assert deletion.history_change_reason == f"Reverted change #{created.history_id}"


def test_revert_corroboration_deletion_brings_it_back(claim, alice, bob):
    c = services.corroboration_create(
        claim=claim, by=alice, stance="supports", outlet="Reuters", excerpt="Output rose."
    )
    pk = c.pk
    services.corroboration_delete(corroboration=c, by=alice, reason="Oops")
    deletion = Corroboration.history.filter(id=pk).latest()

    restored = services.history_revert(
        kind="corroboration", history_id=deletion.history_id, by=bob, reason="Needed"
    )

    again = Corroboration.objects.get(pk=pk)
    assert (again.outlet, again.excerpt, again.independence) == (
        "Reuters",
        "Output rose.",
        Independence.INDEPENDENT,
    )
    assert restored.pk == pk
    record = Corroboration.history.filter(id=pk).latest()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        bob,
        f"Reverted change #{deletion.history_id}: Needed",
    )


def test_revert_rating_change_restores_the_earlier_confidence(claim, alice):
    services.rating_set(claim=claim, by=alice, confidence="low", rationale="Thin")
    rating = services.rating_set(claim=claim, by=alice, confidence="high", rationale="Thin")
    change = rating.history.latest()
    services.history_revert(kind="rating", history_id=change.history_id, by=alice)
    assert Rating.objects.get().confidence == "low"


def test_revert_note_edit_restores_the_text(claim, alice, bob):
    note = services.note_create(claim=claim, by=alice, text="First.")
    services.note_update(note=note, by=alice, text="Second.")
    edit = note.history.latest()
    services.history_revert(kind="note", history_id=edit.history_id, by=bob)
    assert Note.objects.get().text == "First."


def test_revert_of_a_claim_creation_is_refused(claim, alice):
    created = claim.history.get()
    with pytest.raises(RevertRefused):
        services.history_revert(kind="claim", history_id=created.history_id, by=alice)
