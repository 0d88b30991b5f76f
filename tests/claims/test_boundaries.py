"""Reviewers' boundary fixes (claims/boundaries.py): each action, each refusal, each revert.

Every test ends where it started on the span rule: `article.text[start:end] == claim.text`
for every claim of the article (`assert_spans_hold`).
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from claims import boundaries, services
from claims.boundaries import RevertRefused, SpanRefused, StaleEdit
from claims.candidates import candidate_evidence
from claims.exports import Export, export_queryset
from claims.history import claim_timeline
from claims.models import (
    BoundaryAction,
    BoundaryChange,
    Claim,
    ClaimKind,
    ClaimStatus,
    Corroboration,
    Note,
    Rating,
    Stance,
)
from claims.triage import parse_filters, triage_queryset
from sources.ingest.fingerprint import sketch
from sources.models import Article
from tests.factories import (
    ArticleFactory,
    CorroborationFactory,
    NoteFactory,
    RatingFactory,
)

pytestmark = pytest.mark.django_db

HEADLINE = "Harbour crane maker expands"
FIRST = "Lindqvist Cranes said it will double output at its Tarnby yard by 2027."
SECOND = "The company employs 1,200 people, according to its annual report."
THIRD = "“We are hiring welders,” chief executive Mara Holm said."
CHROME = "Link copied"
TEXT = f"{HEADLINE}\n{FIRST} {SECOND} {THIRD}\n{CHROME}"


def claim_of(article: Article, sentence: str, kind: str = ClaimKind.STATEMENT, **fields) -> Claim:
    start = article.text.index(sentence)
    end = start + len(sentence)
    return Claim.objects.create(
        article=article, start=start, end=end, text=sentence, kind=kind, score=50, **fields
    )


@pytest.fixture
def article() -> Article:
    return ArticleFactory(text=TEXT, received_text=TEXT)


@pytest.fixture
def claims(article) -> dict[str, Claim]:
    return {
        "headline": claim_of(article, HEADLINE, ClaimKind.HEADLINE),
        "first": claim_of(article, FIRST),
        "second": claim_of(article, SECOND),
        "third": claim_of(article, THIRD, ClaimKind.QUOTE, speaker="Mara Holm"),
        "chrome": claim_of(article, CHROME, ClaimKind.CHROME),
    }


def at(sentence: str, word: str) -> int:
    """The offset in TEXT where `word` starts inside `sentence`."""
    return TEXT.index(sentence) + sentence.index(word)


def assert_spans_hold(article: Article) -> None:
    text = Article.objects.get(pk=article.pk).text
    current = set()
    for claim in Claim.objects.filter(article=article):
        assert text[claim.start : claim.end] == claim.text, claim.pk
        assert claim.text == claim.text.strip(), claim.pk
        if not claim.retired:
            assert (claim.start, claim.end) not in current, claim.pk
            current.add((claim.start, claim.end))


def queue_ids() -> set[int]:
    filters = parse_filters(QueryDict("status=all"))
    return set(triage_queryset(filters, None).values_list("pk", flat=True))


def refused(call, **kwargs) -> SpanRefused:
    with pytest.raises(SpanRefused) as exc:
        call(**kwargs)
    return exc.value


def reload(claim: Claim) -> Claim:
    return Claim.objects.get(pk=claim.pk)


def verdict(claim: Claim, by) -> Claim:
    services.claim_set_status(
        claim=claim, status=ClaimStatus.NOT_A_CLAIM, reason="", by=by, version=None
    )
    return reload(claim)


# -- Split -----------------------------------------------------------------------------------


def test_split_keeps_the_claim_as_first_part_and_makes_an_unreviewed_second(
    article, claims, alice, bob
):
    claim = claims["first"]
    services.claim_set_status(
        claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=bob, version=None
    )
    evidence = CorroborationFactory(claim=claim, stance=Stance.SUPPORTS)
    rating = RatingFactory(claim=claim, reviewer=bob)
    note = NoteFactory(claim=claim, author=bob)
    claim = reload(claim)

    first, second = boundaries.claim_split(
        claim=claim, at=at(FIRST, "at its"), by=alice, version=claim.version
    )

    assert first.pk == claim.pk
    assert first.text == "Lindqvist Cranes said it will double output"
    assert second.text == "at its Tarnby yard by 2027."
    assert first.end < second.start  # the space at the cut belongs to neither
    assert (first.status, second.status) == (ClaimStatus.IN_REVIEW, ClaimStatus.UNREVIEWED)
    assert (second.kind, second.derived_from_id) == (ClaimKind.STATEMENT, claim.pk)
    assert Corroboration.objects.get(pk=evidence.pk).claim_id == claim.pk
    assert Rating.objects.get(pk=rating.pk).claim_id == claim.pk
    assert Note.objects.get(pk=note.pk).claim_id == claim.pk
    assert {first.pk, second.pk} <= queue_ids()
    record = first.history.latest("history_id")
    assert (record.history_user, record.history_change_reason) == (
        alice,
        f"Split at {at(FIRST, 'at its')}: second part #{second.pk}",
    )
    change = BoundaryChange.objects.get(record=record)
    assert (change.action, change.other_record.id) == (BoundaryAction.SPLIT, second.pk)
    assert_spans_hold(article)


def test_split_shows_in_the_timeline_with_the_text_before_and_after(claims, alice):
    claim = claims["second"]
    boundaries.claim_split(claim=claim, at=at(SECOND, "according"), by=alice, version=None)

    latest = claim_timeline(reload(claim))[0]
    diff = {c.field: (c.old, c.new) for c in latest.changes}
    assert diff["text"] == (SECOND, "The company employs 1,200 people,")
    assert diff["end"] == (
        str(claim.end),
        str(claim.start + len("The company employs 1,200 people,")),
    )
    assert latest.revertible


@pytest.mark.parametrize("where", ["start", "end", "outside", "before"])
def test_split_refused_outside_the_claim_naming_the_position(claims, alice, where):
    claim = claims["first"]
    position = {
        "start": claim.start,  # the first part would be empty
        "end": claim.end,  # the second part would be empty
        "outside": claims["second"].start + 3,
        "before": claim.start - 1,
    }[where]

    exc = refused(boundaries.claim_split, claim=claim, at=position, by=alice, version=None)

    assert exc.field == "at"
    assert str(exc) == (
        f"split at: {position} is not inside claim #{claim.pk} ({claim.start}–{claim.end}): split "
        "between its first and its last character."
    )
    assert reload(claim).text == FIRST
    assert Claim.objects.count() == len(claims)


def test_split_at_a_space_trims_it_from_both_parts(article, claims, alice):
    claim = claims["second"]
    space = at(SECOND, " 1,200")

    first, second = boundaries.claim_split(claim=claim, at=space, by=alice, version=None)

    assert (first.text, second.text) == (
        "The company employs",
        "1,200 people, according to its annual report.",
    )
    assert_spans_hold(article)


def test_split_of_a_claim_with_a_verdict_needs_a_reason(claims, alice):
    claim = verdict(claims["first"], alice)

    exc = refused(
        boundaries.claim_split, claim=claim, at=at(FIRST, "at its"), by=alice, version=None
    )

    assert exc.field == "reason"
    assert str(exc) == (
        f"reason: claim #{claim.pk} is marked not a claim: say why its span changes."
    )
    first, _ = boundaries.claim_split(
        claim=claim, at=at(FIRST, "at its"), by=alice, version=None, reason="Two claims in one"
    )
    assert first.status == ClaimStatus.NOT_A_CLAIM


def test_split_on_a_stale_page_is_refused_saying_what_changed(claims, alice, bob):
    claim = claims["first"]
    seen = claim.version
    services.claim_set_status(
        claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=bob, version=seen
    )

    with pytest.raises(StaleEdit) as exc:
        boundaries.claim_split(claim=claim, at=at(FIRST, "at its"), by=alice, version=seen)

    assert "status: Unreviewed → In review (bob" in str(exc.value)
    assert reload(claim).text == FIRST


# -- Merge -----------------------------------------------------------------------------------


def test_merge_keeps_the_lower_id_with_everything_of_both_and_retires_the_other(
    article, claims, alice, bob
):
    kept, other = claims["first"], claims["second"]
    evidence = [CorroborationFactory(claim=kept), CorroborationFactory(claim=other)]
    notes = [NoteFactory(claim=kept, author=bob), NoteFactory(claim=other, author=alice)]
    ratings = [RatingFactory(claim=other, reviewer=alice)]

    # From the page of the higher id: the lower one is kept all the same.
    result = boundaries.claim_merge(claim=other, other=kept, by=bob, version=other.version)

    assert result.pk == kept.pk
    assert result.text == f"{FIRST} {SECOND}"
    assert (result.start, result.end) == (kept.start, other.end)
    gone = reload(other)
    assert (gone.retired, gone.merged_into_id) == (True, kept.pk)
    assert gone.text == SECOND  # a retired claim keeps its span and its history
    for row in [*evidence, *notes, *ratings]:
        assert type(row).objects.get(pk=row.pk).claim_id == kept.pk
    assert other.pk not in queue_ids()
    assert gone.history.count() == 2
    assert gone.history.latest("history_id").history_change_reason == (
        f"Merged claims #{kept.pk} and #{other.pk}"
    )
    assert_spans_hold(article)


def test_merge_makes_an_edit_page_of_moved_evidence_or_notes_stale(claims, alice, bob):
    evidence = CorroborationFactory(claim=claims["second"])
    note = NoteFactory(claim=claims["second"], author=bob)

    boundaries.claim_merge(claim=claims["first"], other=claims["second"], by=alice, version=None)

    with pytest.raises(StaleEdit) as exc:
        services.corroboration_update(
            corroboration=evidence, by=bob, version=evidence.version, outlet="Harbour Post"
        )
    assert str(exc.value).startswith("This evidence was changed by someone else")
    with pytest.raises(StaleEdit):
        services.note_update(note=note, by=bob, text="Edited", version=note.version)
    assert Note.objects.get(pk=note.pk).text == note.text


def test_merge_keeps_the_newer_rating_of_a_reviewer_who_rated_both(claims, alice):
    kept, other = claims["first"], claims["second"]
    old = RatingFactory(claim=kept, reviewer=alice, confidence="low")
    new = RatingFactory(claim=other, reviewer=alice, confidence="high")

    boundaries.claim_merge(claim=kept, other=other, by=alice, version=None)

    assert list(Rating.objects.filter(reviewer=alice).values_list("pk", "claim_id")) == [
        (new.pk, kept.pk)
    ]
    dropped = Rating.history.get(id=old.pk, history_type="-")
    assert dropped.history_change_reason.startswith(f"Merged claims #{kept.pk} and #{other.pk}")


@pytest.mark.parametrize(
    ("pick", "message"),
    [
        ("self", "merge with: a claim cannot be merged with itself."),
        ("far", "merge with: claim #{other} is not next to claim #{claim}: merge it with the claim "
                "just before or after it (#{before}, #{after})."),
        ("elsewhere", "merge with: claim #{other} is from another article: only neighbours merge."),
        ("missing", "merge with: there is no claim #{other}."),
    ],
)  # fmt: skip
def test_merge_refused_unless_the_other_claim_is_a_neighbour(claims, alice, pick, message):
    claim = claims["first"]
    other = {
        "self": claim.pk,
        "far": claims["third"].pk,
        "elsewhere": claim_of(ArticleFactory(text=TEXT + " ", received_text=TEXT + " "), FIRST).pk,
        "missing": 10**9,
    }[pick]

    exc = refused(boundaries.claim_merge, claim=claim, other=other, by=alice, version=None)

    assert exc.field == "with"
    assert str(exc) == message.format(
        other=other, claim=claim.pk, before=claims["headline"].pk, after=claims["second"].pk
    )
    assert not Claim.objects.filter(retired=True).exists()
    assert reload(claim).text == FIRST


def test_merge_refused_over_a_verdict_without_a_reason(claims, alice):
    other = verdict(claims["second"], alice)

    exc = refused(
        boundaries.claim_merge, claim=claims["first"], other=other, by=alice, version=None
    )

    assert str(exc) == f"reason: claim #{other.pk} is marked not a claim: say why its span changes."
    assert not reload(other).retired


def test_merge_with_a_claim_made_inside_it_gives_the_lower_id_the_outer_span(
    article, claims, alice
):
    first = claims["first"]
    inner = boundaries.claim_create(
        article=article, start=first.start, end=at(FIRST, " said"), kind=ClaimKind.STATEMENT,
        by=alice,
    )  # fmt: skip
    assert inner.text == "Lindqvist Cranes"

    kept = boundaries.claim_merge(claim=inner, other=first, by=alice, version=None)

    assert (kept.pk, kept.text) == (first.pk, FIRST)
    assert reload(inner).retired
    assert_spans_hold(article)


def test_merge_of_a_retired_claim_is_refused(claims, alice):
    boundaries.claim_merge(claim=claims["first"], other=claims["second"], by=alice, version=None)

    exc = refused(
        boundaries.claim_merge, claim=claims["second"], other=claims["third"], by=alice,
        version=None,
    )  # fmt: skip

    assert str(exc) == (
        f"claim: claim #{claims['second'].pk} was retired (merged into claim "
        f"#{claims['first'].pk}): fix a current one."
    )


def test_merge_checks_the_version_of_both_claims(claims, alice, bob):
    first, second = claims["first"], claims["second"]
    services.claim_assign(claim=second, assignee=bob, by=bob)

    with pytest.raises(StaleEdit):
        boundaries.claim_merge(
            claim=first, other=second, by=alice, version=first.version, other_version=1
        )
    assert not reload(second).retired


# -- Span ------------------------------------------------------------------------------------


def test_span_is_trimmed_of_whitespace_and_recorded(article, claims, alice):
    claim = claims["second"]
    start = claim.start - 1  # the space before the sentence
    end = at(SECOND, " according")

    moved = boundaries.claim_set_span(claim=claim, start=start, end=end + 1, by=alice, version=None)

    assert moved.text == "The company employs 1,200 people,"
    assert (moved.start, moved.end) == (claim.start, end)
    record = moved.history.latest("history_id")
    assert record.history_change_reason == (
        f"Span {claim.start}–{claim.end} → {moved.start}–{moved.end}"
    )
    assert BoundaryChange.objects.get(record=record).action == BoundaryAction.SPAN
    assert_spans_hold(article)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (-1, 10, "start: -1 is outside the article (its text runs from 0 to {size})."),
        (5, 10_000, "end: 10000 is outside the article (its text runs from 0 to {size})."),
        (30, 30, "end: 30 is not after start (30): the span would be empty."),
        (30, 12, "end: 12 is not after start (30): the span would be empty."),
        (None, None, "start: {gap}–{gap_end} holds only whitespace: nothing to claim."),
    ],
)
def test_span_refused_outside_the_article_or_empty(claims, alice, start, end, message):
    claim = claims["second"]
    gap = claim.start - 1
    if start is None:
        start, end = gap, gap + 1
    exc = refused(
        boundaries.claim_set_span, claim=claim, start=start, end=end, by=alice, version=None
    )
    assert str(exc) == message.format(size=len(TEXT), gap=gap, gap_end=gap + 1)
    assert reload(claim).text == SECOND


def test_span_over_a_verdict_needs_a_reason_and_onto_another_claim_is_refused(claims, alice):
    claim = verdict(claims["second"], alice)
    span = {"start": claim.start, "end": claim.end - 1}

    exc = refused(boundaries.claim_set_span, claim=claim, by=alice, version=None, **span)
    assert exc.field == "reason"

    third = claims["third"]
    exc = refused(
        boundaries.claim_set_span, claim=claim, start=third.start, end=third.end, by=alice,
        version=None, reason="Wrong sentence",
    )  # fmt: skip
    assert (
        str(exc)
        == f"start: claim #{third.pk} already has exactly the span {third.start}–{third.end}."
    )

    moved = boundaries.claim_set_span(claim=claim, by=alice, version=None, reason="No dot", **span)
    assert moved.text == SECOND[:-1]


def test_span_unchanged_records_nothing(claims, alice):
    claim = claims["first"]
    boundaries.claim_set_span(
        claim=claim, start=claim.start - 1, end=claim.end, by=alice, version=None
    )
    assert reload(claim).history.count() == 1
    assert not BoundaryChange.objects.exists()


# -- Create ----------------------------------------------------------------------------------


def test_create_a_claim_inside_another_claim(article, claims, alice):
    start = at(SECOND, "1,200")
    end = start + len("1,200 people")

    made = boundaries.claim_create(
        article=article, start=start, end=end + 1, kind=ClaimKind.STATEMENT, by=alice
    )

    assert made.text == "1,200 people,"
    assert made.status == ClaimStatus.UNREVIEWED
    assert made.pk in queue_ids()
    record = made.history.get()
    assert (record.history_type, record.history_user) == ("+", alice)
    assert BoundaryChange.objects.get(record=record).action == BoundaryAction.CREATE
    entry = claim_timeline(made)[0]
    assert entry.revertible
    assert {c.field: c.new for c in entry.changes}["text"] == "1,200 people,"
    assert reload(claims["second"]).text == SECOND  # the claim around it is untouched
    assert_spans_hold(article)


@pytest.mark.parametrize(
    ("span", "kind", "message"),
    [
        ("second", ClaimKind.STATEMENT, "start: claim #{pk} already has exactly the span {s}–{e}."),
        ("second", "rumour", "kind: 'rumour' is not a kind of claim (headline, statement, "
                             "quote, disclaimer, caption, subheading, chrome)."),
        ("gap", ClaimKind.STATEMENT, "start: {s}–{e} holds only whitespace: nothing to claim."),
        ("past", ClaimKind.STATEMENT, "end: {e} is outside the article (its text runs from 0 "
                                      "to {size})."),
    ],
)  # fmt: skip
def test_create_refused_naming_the_field(article, claims, alice, span, kind, message):
    second = claims["second"]
    s, e = {
        "second": (second.start, second.end),
        "gap": (second.start - 1, second.start),
        "past": (second.start, len(TEXT) + 5),
    }[span]

    exc = refused(boundaries.claim_create, article=article, start=s, end=e, kind=kind, by=alice)

    assert str(exc) == message.format(pk=second.pk, s=s, e=e, size=len(TEXT))
    assert Claim.objects.count() == len(claims)


def test_create_again_on_a_retired_claims_span(article, claims, alice):
    boundaries.claim_merge(claim=claims["first"], other=claims["second"], by=alice, version=None)
    second = claims["second"]

    made = boundaries.claim_create(
        article=article, start=second.start, end=second.end, kind=ClaimKind.STATEMENT, by=alice
    )

    assert made.text == SECOND
    assert_spans_hold(article)


# -- Kind and speaker ------------------------------------------------------------------------


def test_marking_chrome_takes_a_claim_out_of_the_queue_and_unmarking_puts_it_back(claims, alice):
    claim = claims["second"]
    assert claim.pk in queue_ids()

    chrome = boundaries.claim_set_kind(
        claim=claim, kind=ClaimKind.CHROME, by=alice, version=claim.version
    )
    assert chrome.pk not in queue_ids()
    assert chrome.score == 0
    assert chrome.history.latest("history_id").history_change_reason == "Kind statement → chrome"

    back = boundaries.claim_set_kind(
        claim=chrome, kind=ClaimKind.QUOTE, speaker=" the  annual report ", by=alice,
        version=chrome.version,
    )  # fmt: skip
    assert back.pk in queue_ids()
    assert (back.kind, back.speaker) == (ClaimKind.QUOTE, "the annual report")
    assert back.score > 0


def test_kind_refused_when_unknown_or_the_speaker_too_long(claims, alice):
    claim = claims["third"]
    exc = refused(boundaries.claim_set_kind, claim=claim, kind="gossip", by=alice, version=None)
    assert exc.field == "kind"
    exc = refused(
        boundaries.claim_set_kind, claim=claim, kind=ClaimKind.QUOTE, speaker="x" * 301, by=alice,
        version=None,
    )  # fmt: skip
    assert str(exc) == "speaker: at most 300 characters (301)."
    assert reload(claim).speaker == "Mara Holm"


def test_kind_change_on_a_stale_page_is_refused(claims, alice, bob):
    claim = claims["third"]
    boundaries.claim_set_kind(claim=claim, kind=ClaimKind.QUOTE, speaker="Holm", by=bob, version=1)
    with pytest.raises(StaleEdit) as exc:
        boundaries.claim_set_kind(claim=claim, kind=ClaimKind.CHROME, by=alice, version=1)
    assert "speaker: Mara Holm → Holm (bob" in str(exc.value)


# -- Reverting a fix -------------------------------------------------------------------------


def latest_record(claim: Claim) -> int:
    return reload(claim).history.latest("history_id").history_id


def test_revert_of_a_span_change_puts_the_span_and_text_back(article, claims, alice, bob):
    claim = claims["second"]
    boundaries.claim_set_span(
        claim=claim, start=claim.start, end=claim.end - 1, by=alice, version=None
    )

    back = boundaries.history_revert(kind="claim", history_id=latest_record(claim), by=bob)

    assert (back.start, back.end, back.text) == (claim.start, claim.end, SECOND)
    assert back.history.latest("history_id").history_change_reason.startswith("Reverted change #")
    assert_spans_hold(article)


@pytest.mark.parametrize("side", ["first", "second"])
def test_revert_of_a_split_from_either_part_retires_the_second(article, claims, alice, bob, side):
    claim = claims["first"]
    first, second = boundaries.claim_split(
        claim=claim, at=at(FIRST, "at its"), by=alice, version=None
    )
    record = latest_record(first if side == "first" else second)

    boundaries.history_revert(kind="claim", history_id=record, by=bob, reason="Was one claim")

    assert reload(first).text == FIRST
    second = reload(second)
    assert (second.retired, second.merged_into_id) == (True, first.pk)
    assert second.pk not in queue_ids()
    with pytest.raises(RevertRefused, match="This split was undone already"):
        boundaries.history_revert(kind="claim", history_id=record, by=bob)
    assert_spans_hold(article)


def test_revert_of_a_split_is_refused_once_the_second_part_was_worked_on(claims, alice, bob):
    first, second = boundaries.claim_split(
        claim=claims["first"], at=at(FIRST, "at its"), by=alice, version=None
    )
    CorroborationFactory(claim=second)
    services.claim_set_status(
        claim=second, status=ClaimStatus.IN_REVIEW, reason="", by=bob, version=None
    )

    with pytest.raises(RevertRefused) as exc:
        boundaries.history_revert(kind="claim", history_id=latest_record(first), by=bob)

    assert str(exc.value) == (
        f"Claim #{second.pk} has been worked on since the split (1 corroboration; changed since "
        f"(status)): merge it into claim #{first.pk} instead, which keeps all of it."
    )
    assert not reload(second).retired


def test_revert_of_a_merge_moves_everything_back_and_restores_a_dropped_rating(
    article, claims, alice, bob
):
    kept, other = claims["first"], claims["second"]
    evidence = CorroborationFactory(claim=other)
    note = NoteFactory(claim=other, author=bob)
    older = RatingFactory(claim=kept, reviewer=alice, confidence="low")
    newer = RatingFactory(claim=other, reviewer=alice, confidence="high")
    boundaries.claim_merge(claim=kept, other=other, by=bob, version=None)
    later = NoteFactory(claim=kept, author=bob)  # written on the merged claim: it stays there

    boundaries.history_revert(kind="claim", history_id=latest_record(kept), by=alice)

    kept, other = reload(kept), reload(other)
    assert (kept.text, other.text, other.retired, other.merged_into_id) == (
        FIRST,
        SECOND,
        False,
        None,
    )
    assert Corroboration.objects.get(pk=evidence.pk).claim_id == other.pk
    assert Note.objects.get(pk=note.pk).claim_id == other.pk
    assert Note.objects.get(pk=later.pk).claim_id == kept.pk
    assert set(Rating.objects.values_list("pk", "claim_id", "confidence")) == {
        (older.pk, kept.pk, "low"),
        (newer.pk, other.pk, "high"),
    }
    assert other.pk in queue_ids()
    assert_spans_hold(article)


def test_revert_of_a_merge_is_refused_when_the_kept_span_changed_since(claims, alice, bob):
    kept = boundaries.claim_merge(
        claim=claims["first"], other=claims["second"], by=bob, version=None
    )
    record = latest_record(kept)
    boundaries.claim_set_span(
        claim=kept, start=kept.start, end=kept.end - 1, by=alice, version=None
    )

    with pytest.raises(RevertRefused) as exc:
        boundaries.history_revert(kind="claim", history_id=record, by=alice)

    assert str(exc.value) == (
        f"Claim #{kept.pk}'s span changed again since ({kept.start}–{kept.end} → "
        f"{kept.start}–{kept.end - 1}): revert the later change first."
    )
    assert reload(claims["second"]).retired


def test_revert_of_a_merge_is_refused_when_the_span_was_claimed_again(article, claims, alice, bob):
    second = claims["second"]
    kept = boundaries.claim_merge(claim=claims["first"], other=second, by=bob, version=None)
    again = boundaries.claim_create(
        article=article, start=second.start, end=second.end, kind=ClaimKind.STATEMENT, by=alice
    )

    with pytest.raises(RevertRefused) as exc:
        boundaries.history_revert(kind="claim", history_id=latest_record(kept), by=alice)

    assert str(exc.value) == (
        f"Cannot put claim #{second.pk} back at {second.start}–{second.end}: claim #{again.pk} "
        f"already has exactly the span {second.start}–{second.end}."
    )
    assert_spans_hold(article)


def test_revert_of_a_creation_retires_the_claim_unless_it_was_worked_on(
    article, claims, alice, bob
):
    first = claims["first"]
    made = boundaries.claim_create(
        article=article,
        start=first.start,
        end=at(FIRST, " said"),
        kind=ClaimKind.STATEMENT,
        by=alice,
    )
    record = latest_record(made)
    NoteFactory(claim=made, author=alice)

    with pytest.raises(RevertRefused) as exc:
        boundaries.history_revert(kind="claim", history_id=record, by=bob)
    assert str(exc.value) == (
        f"Claim #{made.pk} has been worked on since it was created (1 note): it stays; mark it "
        "not a claim instead."
    )

    Note.objects.filter(claim=made).delete()
    boundaries.history_revert(kind="claim", history_id=record, by=bob)
    assert reload(made).retired
    assert made.pk not in queue_ids()


def test_revert_of_a_kind_change_puts_the_claim_back_in_the_queue(claims, alice, bob):
    claim = claims["second"]
    boundaries.claim_set_kind(claim=claim, kind=ClaimKind.CHROME, by=alice, version=None)

    back = boundaries.history_revert(kind="claim", history_id=latest_record(claim), by=bob)

    assert back.kind == ClaimKind.STATEMENT
    assert claim.pk in queue_ids()


def test_a_revert_of_a_reverted_fix_is_refused_rather_than_half_done(claims, alice, bob):
    claim = claims["second"]
    boundaries.claim_set_span(
        claim=claim, start=claim.start, end=claim.end - 1, by=alice, version=None
    )
    boundaries.history_revert(kind="claim", history_id=latest_record(claim), by=bob)

    with pytest.raises(RevertRefused) as exc:
        boundaries.history_revert(kind="claim", history_id=latest_record(claim), by=bob)

    assert str(exc.value) == (
        "This change moved the claim's boundaries (end) and is not a recorded fix (it undid "
        "one): make the fix again instead of reverting it."
    )
    # services.history_revert refuses it the same way when called directly.
    with pytest.raises(RevertRefused, match="not a recorded fix"):
        services.history_revert(kind="claim", history_id=latest_record(claim), by=bob)
    assert reload(claim).text == SECOND


def test_an_imported_claims_creation_is_still_not_revertible(claims, bob):
    with pytest.raises(RevertRefused, match="Claims are created by imports"):
        boundaries.history_revert(kind="claim", history_id=latest_record(claims["first"]), by=bob)
    assert not claim_timeline(claims["first"])[0].revertible


# -- What follows the new spans: queue, search, exports, candidates, fingerprints -------------


def test_search_finds_claims_by_their_new_text(claims, alice):
    _, second = boundaries.claim_split(
        claim=claims["first"], at=at(FIRST, "at its"), by=alice, version=None
    )
    found = triage_queryset(parse_filters(QueryDict("status=all&q=Tarnby")), None)
    assert list(found.values_list("pk", flat=True)) == [second.pk]

    boundaries.claim_merge(claim=claims["first"], other=second, by=alice, version=None)
    found = triage_queryset(parse_filters(QueryDict("status=all&q=Tarnby")), None)
    assert list(found.values_list("pk", flat=True)) == [claims["first"].pk]


@pytest.mark.parametrize("sql", [True, False], ids=["sql-when-postgres", "python"])
def test_exports_leave_retired_claims_out_and_take_the_merged_text(claims, alice, sql):
    boundaries.claim_merge(claim=claims["first"], other=claims["second"], by=alice, version=None)
    export = Export(export_queryset(parse_filters(QueryDict("status=all")), None), "jsonl", sql=sql)

    lines = b"".join(export.stream()).decode().splitlines()
    records = {r["id"]: r for r in map(json.loads, lines)}

    assert export.uses_sql == (sql and connection.vendor == "postgresql")
    assert claims["second"].pk not in records
    assert claims["chrome"].pk not in records
    merged = records[claims["first"].pk]
    assert merged["text"] == f"{FIRST} {SECOND}"
    # The neighbouring sentence is the next current claim, not the retired one.
    assert merged["context"] == {"before": HEADLINE, "after": THIRD}


def test_retired_claims_are_never_candidate_evidence(claims, alice):
    copy = ArticleFactory(text=f"Elsewhere\n{SECOND}", received_text=f"Elsewhere\n{SECOND}")
    elsewhere = claim_of(copy, SECOND)
    assert [c.claim.pk for c in candidate_evidence(elsewhere)] == [claims["second"].pk]

    boundaries.claim_merge(claim=claims["first"], other=claims["second"], by=alice, version=None)

    assert claims["second"].pk not in [c.claim.pk for c in candidate_evidence(elsewhere)]


def test_fingerprint_follows_chrome_marks_and_the_cluster_with_it(alice):
    story = (
        "Lindqvist Cranes said it will double output at its Tarnby yard by 2027 and hire four "
        "hundred welders, fitters and crane drivers over the next two years, the company told "
        "shareholders at its annual meeting in the harbour town on Tuesday afternoon."
    )
    extra = (
        "Separately, the town council approved a new ferry timetable that adds two evening "
        "sailings to the islands during the summer months and lowers fares for residents."
    )
    original = ArticleFactory(text=f"Cranes\n{story}", received_text=f"Cranes\n{story}")
    copy_text = f"Cranes\n{story}\n{extra}"
    copy = ArticleFactory(text=copy_text, received_text=copy_text)
    claim_of(original, story)
    copied = claim_of(copy, story)
    claim_of(copy, extra)
    for article in (original, copy):
        boundaries.claim_create(
            article=article, start=0, end=6, kind=ClaimKind.HEADLINE, by=alice
        )  # the first fix sketches the article and places it
    assert Article.objects.get(pk=copy.pk).cluster_origin_id == original.pk

    boundaries.claim_set_kind(claim=copied, kind=ClaimKind.CHROME, by=alice, version=None)

    copy = Article.objects.get(pk=copy.pk)
    assert copy.fingerprint == sketch(f"Cranes\n{extra}")
    assert copy.cluster_origin_id is None
    assert Article.objects.get(pk=original.pk).cluster_origin_id is None
    assert copy.history.latest("history_id").history_change_reason == (
        "Syndication cluster after a claim boundary fix"
    )


def test_a_claim_written_in_sql_without_the_new_columns_is_current(article):
    # bench/triage_pages.py multiplies claims in SQL and names the columns it knows.
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO claims_claim (article_id, start, "end", text, kind, status, credibility,'
            " score, speaker, version, created_at, updated_at)"
            " VALUES (%s, 0, %s, %s, 'headline', 'unreviewed', 6, 10, '', 1, %s, %s)",
            [article.pk, len(HEADLINE), HEADLINE, timezone.now(), timezone.now()],
        )
    claim = Claim.objects.get(text=HEADLINE)
    assert (claim.retired, claim.merged_into_id, claim.derived_from_id) == (False, None, None)
    assert claim.pk in queue_ids()
