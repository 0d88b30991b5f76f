"""Reading history: one timeline per claim, field-level diffs, fixed query counts."""

import pytest

from claims import services
from claims.claim_page import ClaimPage
from claims.history import claim_timeline
from claims.models import Claim, ClaimStatus, Independence, Stance
from sources.registry import PublisherRegistry
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    CorroborationFactory,
    NoteFactory,
    PublisherFactory,
    RatingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def busy_claim(alice, bob, *, rounds: int = 1) -> Claim:
    """A claim whose status, evidence, ratings and notes have each been changed."""
    claim = ClaimFactory()
    version = 1
    for i in range(rounds):
        c = services.corroboration_create(
            claim=claim, by=alice, stance=Stance.SUPPORTS, outlet=f"Wire {i}"
        )
        services.corroboration_update(corroboration=c, by=bob, stance=Stance.CONTEXT)
        services.rating_set(claim=claim, by=alice, confidence="low", rationale=f"r{i}")
        services.rating_set(claim=claim, by=alice, confidence="high", rationale=f"r{i}")
        note = services.note_create(claim=claim, by=bob, text=f"Note {i}")
        services.note_update(note=note, by=bob, text=f"Note {i}, edited")
        services.claim_set_status(
            claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=alice, version=version
        )
        services.claim_set_status(
            claim=claim, status=ClaimStatus.UNVERIFIABLE, reason="", by=bob, version=version + 1
        )
        version += 2
        services.corroboration_delete(corroboration=c, by=bob, reason="Duplicate")
    return claim


def test_timeline_merges_claim_corroboration_rating_and_note_entries(alice, bob):
    claim = busy_claim(alice, bob)
    timeline = claim_timeline(claim)

    kinds = {(e.kind, e.history_type) for e in timeline}
    assert kinds == {
        ("claim", "+"),
        ("claim", "~"),
        ("corroboration", "+"),
        ("corroboration", "~"),
        ("corroboration", "-"),
        ("rating", "+"),
        ("rating", "~"),
        ("note", "+"),
        ("note", "~"),
    }
    dates = [e.date for e in timeline]
    assert dates == sorted(dates, reverse=True)
    # The deleted corroboration is still on the timeline, newest first.
    newest = timeline[0]
    assert (newest.kind, newest.history_type, newest.reason) == (
        "corroboration",
        "-",
        "Duplicate",
    )
    assert newest.user == bob
    assert newest.object_label.startswith("Corroboration #")


def test_timeline_shows_field_level_diffs_with_labels(alice, bob):
    claim = busy_claim(alice, bob)
    timeline = claim_timeline(claim)

    status_change = next(e for e in timeline if e.kind == "claim" and e.user == bob)
    by_field = {c.field: c for c in status_change.changes}
    assert set(by_field) == {"status", "reviewed_by", "reviewed_at"}
    assert (by_field["status"].old, by_field["status"].new) == ("In review", "Unverifiable")
    assert by_field["status"].verbose_name == "status"
    assert (by_field["reviewed_by"].old, by_field["reviewed_by"].new) == ("—", "bob")

    stance_change = next(e for e in timeline if e.kind == "corroboration" and e.history_type == "~")
    assert [(c.field, c.old, c.new) for c in stance_change.changes] == [
        ("stance", "Supports", "Context")
    ]
    rating_change = next(e for e in timeline if e.kind == "rating" and e.history_type == "~")
    assert [(c.field, c.old, c.new) for c in rating_change.changes] == [
        ("confidence", "Low", "High")
    ]
    assert rating_change.object_label == "Rating by alice"
    note_change = next(e for e in timeline if e.kind == "note" and e.history_type == "~")
    assert [(c.old, c.new) for c in note_change.changes] == [("Note 0", "Note 0, edited")]


def test_timeline_lists_the_values_a_creation_set(alice):
    claim = ClaimFactory()
    services.corroboration_create(
        claim=claim, by=alice, stance=Stance.SUPPORTS, outlet="Reuters", excerpt="Output rose."
    )
    created = claim_timeline(claim)[0]
    values = {c.field: c.new for c in created.changes}
    assert values["outlet"] == "Reuters"
    assert values["independence"] == "Independent"
    assert "updated_at" not in values


def test_timeline_leaves_out_other_claims(alice, bob):
    claim = busy_claim(alice, bob)
    other = busy_claim(alice, bob)
    assert {e.object_id for e in claim_timeline(claim) if e.kind == "claim"} == {claim.pk}
    assert len(claim_timeline(claim)) == len(claim_timeline(other))


def test_timeline_limit_keeps_the_newest(alice, bob):
    claim = busy_claim(alice, bob)
    full = claim_timeline(claim)
    assert claim_timeline(claim, limit=3) == full[:3]


@pytest.mark.parametrize("rounds", [1, 4])
def test_timeline_query_count_is_fixed(alice, bob, rounds, django_assert_num_queries):
    claim = busy_claim(alice, bob, rounds=rounds)
    # One query per historical table (claim, corroboration, rating, note), users joined.
    with django_assert_num_queries(4):
        timeline = claim_timeline(claim)
        labels = [(e.object_label, str(e.user), [c.new for c in e.changes]) for e in timeline]
    # The claim's creation, then per round 3 evidence, 2 rating, 2 note and 2 status entries.
    assert len(labels) == 1 + 9 * rounds


# -- Claim querysets -------------------------------------------------------------------------


def test_the_claim_page_loads_the_claim_and_its_sources_in_five_queries(
    django_assert_num_queries, rf
):
    owner = PublisherFactory(name="Owner Group")
    claim = ClaimFactory(article=ArticleFactory(publisher=PublisherFactory(parent=owner)))
    evidence = ClaimFactory()
    CorroborationFactory(claim=claim, publisher=PublisherFactory())
    CorroborationFactory(claim=claim, evidence_claim=evidence)
    CorroborationFactory(claim=claim)
    RatingFactory.create_batch(2, claim=claim)
    NoteFactory.create_batch(2, claim=claim)
    claim.assignee = UserFactory()
    claim.save()

    request = rf.get("/")
    request.user = UserFactory()
    PublisherRegistry.shared()  # as an earlier page left it

    # claim with article and users; corroborations; ratings; notes; the registry's version
    # (every publisher and owner from memory)
    with django_assert_num_queries(5):
        loaded = Claim.objects.for_detail().get(pk=claim.pk)
        page = ClaimPage(request, loaded)
        corroborations = page.sourced_corroborations  # the evidence panel's
        shown = [
            loaded.article.publisher.parent.name,
            str(loaded.assignee),
            str(loaded.reviewed_by),
            *(
                (
                    str(c.publisher),
                    c.evidence_claim and c.evidence_claim.article.publisher.name,
                )
                for c in corroborations
            ),
            *(str(r.reviewer) for r in loaded.ratings.all()),
            *(str(n.author) for n in loaded.notes.all()),
        ]
    assert shown[0] == "Owner Group"
    assert len(shown) == 3 + 3 + 2 + 2


def test_with_evidence_counts_counts_independent_support():
    claim = ClaimFactory()
    CorroborationFactory(claim=claim, independence=Independence.INDEPENDENT)
    CorroborationFactory(claim=claim, independence=Independence.NOT_INDEPENDENT)
    CorroborationFactory(
        claim=claim, stance=Stance.CONTRADICTS, independence=Independence.INDEPENDENT
    )
    bare = ClaimFactory()
    counts = {
        c.pk: (c.evidence_count, c.supporting_independent)
        for c in Claim.objects.with_evidence_counts()
    }
    assert counts[claim.pk] == (3, 1)
    assert counts[bare.pk] == (0, 0)
