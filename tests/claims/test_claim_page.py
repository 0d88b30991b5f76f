"""The claim page as panels: each renders alone in few queries and refreshes on its events."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.urls import reverse

from claims import services
from claims.candidates import lexeme_frequencies
from claims.claim_page import (
    CLAIM_CHANGED,
    EVIDENCE_CHANGED,
    NOTES_CHANGED,
    PANELS,
    RATINGS_CHANGED,
)
from claims.models import Claim, ClaimKind, ClaimStatus, Credibility, Note, Stance
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

HTMX = {"HTTP_HX_REQUEST": "true"}
SENTENCES = 6


def busy_claim(n: int) -> Claim:
    """A claim with `n` of everything a panel lists: evidence, ratings, notes, changes."""
    text = "Headline\n" + " ".join(f"Plant {i} produced {i} tonnes." for i in range(SENTENCES))
    article = ArticleFactory(
        text=text,
        received_text=text,
        publisher=PublisherFactory(parent=PublisherFactory()),
        origin=PublisherFactory(),
        origin_evidence={"kind": "republication"},
    )
    claims = []
    for match in re.finditer(r"Plant[^.]*\.", text):
        claims.append(
            Claim.objects.create(
                article=article,
                start=match.start(),
                end=match.end(),
                text=match.group(),
                kind=ClaimKind.STATEMENT,
            )
        )
    claim = claims[1]
    for i in range(n):
        evidence = CorroborationFactory(
            claim=claim, publisher=PublisherFactory(), evidence_claim=ClaimFactory()
        )
        services.corroboration_update(corroboration=evidence, by=None, outlet=f"Outlet {i}")
        RatingFactory(claim=claim, reviewer=UserFactory())
        note = NoteFactory(claim=claim, author=UserFactory())
        services.note_update(note=note, by=note.author, text=f"Edited {i}")
        services.claim_set_status(
            claim=claim,
            status=[ClaimStatus.IN_REVIEW, ClaimStatus.UNREVIEWED][i % 2],
            reason="",
            by=None,
            version=None,
        )
    claim.refresh_from_db()
    return claim


def panel_url(claim: Claim, name: str) -> str:
    return reverse("claims:detail", args=[claim.pk]) + f"?panel={name}"


def panels_in(content: str) -> set[str]:
    """The panels an answer holds, by the id each panel's element has (a panel inside
    another, the suggestion in the verdict, is counted with it)."""
    found = {name for name, element in PANEL_IDS.items() if f'id="{element}"' in content}
    return found - {inner for inner, outer in INSIDE.items() if outer in found}


INSIDE = {"suggestion": "verdict", "verdict_warning": "verdict"}


def listeners(content: str) -> dict[str, set[str]]:
    """{panel: the events it refreshes itself on}, read from a page's htmx attributes."""
    found = {}
    for name, events in re.findall(r'hx-get="[^"?]*\?panel=(\w+)" hx-trigger="([^"]*)"', content):
        found[name] = set(re.findall(r"([\w-]+) from:body", events))
    return found


PANEL_IDS = {
    "header": "claim-header",
    "context": "context",
    "boundaries": "claim-boundaries",
    "evidence": "evidence",
    "candidates": "candidates",
    "history": "history",
    "verdict": "verdict",
    "suggestion": "suggested-credibility",
    "verdict_warning": "verdict-warning",
    "ratings": "ratings",
    "notes": "notes",
    "source": "source",
}

# Every request: session, user and the user's permissions (2: the view checks one), then the
# claim with its article and people, then each panel's own reads. The publisher registry is
# one query (its version; the publishers themselves only after one changed) and gives every
# publisher shown from memory:
# context: the article's claims (spans); boundaries: the spans; evidence: its corroborations,
# the registry (their sources and the evidence form's publishers); candidates: the
# corroborations (attached claims are no candidates), the registry, the candidate prefilter
# (PostgreSQL: rare lexemes first; the planner's statistics of them are read once per process,
# before counting) and the candidates read, however many; history: the four
# history tables; verdict and the suggestion in it: the corroborations and the registry
# (suggested credibility); the verdict's warning: the corroborations; ratings; notes; source:
# the registry (the article's publishers).
PANEL_QUERIES = {
    "header": 5,
    "context": 6,
    "boundaries": 6,
    "evidence": 7,
    "candidates": {"sqlite": 9, "postgresql": 10},
    "history": 10,  # and the blind-review check (desk.blind) in each of these three
    "verdict": 7,
    "suggestion": 7,
    "verdict_warning": 6,
    "ratings": 7,
    "notes": 7,
    "source": 6,
}


def test_every_panel_of_the_page_has_its_partial_and_an_element():
    assert set(PANEL_QUERIES) == set(PANELS) == set(PANEL_IDS)


@pytest.mark.parametrize("n", [2, 12])
@pytest.mark.parametrize("name", list(PANELS))
def test_each_panel_renders_alone_in_a_fixed_number_of_queries(
    rclient, django_assert_num_queries, name, n
):
    claim = busy_claim(n)
    expected = PANEL_QUERIES[name]
    if isinstance(expected, dict):
        expected = expected[connection.vendor]
    if connection.vendor == "postgresql":
        lexeme_frequencies()

    with django_assert_num_queries(expected):
        response = rclient.get(panel_url(claim, name), **HTMX)

    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert panels_in(content) == {name}


def test_a_panel_url_opened_directly_is_the_whole_page(rclient):
    claim = busy_claim(1)

    content = rclient.get(panel_url(claim, "notes")).content.decode()

    assert "<html" in content
    assert panels_in(content) == set(PANELS) - set(INSIDE)


def test_an_unknown_panel_is_refused_saying_so(rclient):
    claim = busy_claim(1)

    response = rclient.get(panel_url(claim, "secrets"), **HTMX)

    assert response.status_code == 400
    assert response.content.decode() == "The claim page has no panel 'secrets'."


def test_the_page_says_which_events_refresh_which_panel(rclient):
    claim = busy_claim(1)

    content = rclient.get(claim.get_absolute_url()).content.decode()

    assert listeners(content) == {
        name: set(panel.listens) for name, panel in PANELS.items() if panel.listens
    }
    # A note re-renders the notes (its own answer) and the timeline, nothing else.
    assert {name for name, events in listeners(content).items() if NOTES_CHANGED in events} == {
        "history"
    }


def test_a_note_answers_with_the_notes_panel_and_the_event_the_timeline_refreshes_on(
    rclient, django_assert_num_queries
):
    claim = busy_claim(12)
    url = reverse("claims:note_add", args=[claim.pk])

    # Far fewer than the whole page's 17-18: session, user, permissions (2), the retired
    # check, the claim; the note and its history record in a savepoint (4 statements); the
    # claim for the panel, the blind-review check (desk.blind) and its notes.
    with django_assert_num_queries(13):
        response = rclient.post(url, {"text": "Rang the plant manager."}, **HTMX)

    assert response.status_code == 200
    content = response.content.decode()
    assert panels_in(content) == {"notes"}
    assert "Rang the plant manager." in content and "Note added." in content
    assert json.loads(response["HX-Trigger"]) == {NOTES_CHANGED: {}}
    timeline = rclient.get(panel_url(claim, "history"), **HTMX).content.decode()
    assert "Rang the plant manager." in timeline


ACTIONS = [
    ("status", {"status": "unverifiable", "version": "{version}"}, "verdict", CLAIM_CHANGED),
    ("credibility", {"credibility": 3, "version": "{version}"}, "verdict", CLAIM_CHANGED),
    ("corroboration_add", {"stance": "context", "outlet": "AP"}, "evidence", EVIDENCE_CHANGED),
    ("rating", {"confidence": "low", "rationale": "One source."}, "ratings", RATINGS_CHANGED),
    ("note_add", {"text": "Called."}, "notes", NOTES_CHANGED),
]  # fmt: skip


@pytest.mark.parametrize(("action", "data", "panel", "event"), ACTIONS)
def test_each_action_answers_with_its_panel_and_names_what_changed(
    rclient, action, data, panel, event
):
    claim = busy_claim(1)
    data = {k: str(v).format(version=claim.version) for k, v in data.items()}

    response = rclient.post(reverse(f"claims:{action}", args=[claim.pk]), data, **HTMX)

    assert response.status_code == 200
    assert panels_in(response.content.decode()) == {panel}
    assert json.loads(response["HX-Trigger"]) == {event: {}}


def test_a_candidate_attached_lands_in_the_evidence_panel(rclient):
    claim = busy_claim(0)
    other = ClaimFactory()

    response = rclient.post(
        reverse("claims:candidate_attach", args=[claim.pk]),
        {"evidence_claim": other.pk, "stance": "supports"},
        **HTMX,
    )

    assert panels_in(response.content.decode()) == {"evidence"}
    assert f"Claim #{other.pk} attached as supports." in response.content.decode()
    assert json.loads(response["HX-Trigger"]) == {EVIDENCE_CHANGED: {}}


def test_a_refusal_is_said_in_its_panel_and_changes_nothing(rclient):
    claim = busy_claim(0)

    response = rclient.post(reverse("claims:note_add", args=[claim.pk]), {"text": ""}, **HTMX)

    assert response.status_code == 409
    assert panels_in(response.content.decode()) == {"notes"}
    assert "HX-Trigger" not in response
    assert not Note.objects.filter(claim=claim).exists()


def test_an_action_without_htmx_still_redirects_to_the_page(rclient):
    claim = busy_claim(0)

    response = rclient.post(reverse("claims:note_add", args=[claim.pk]), {"text": "Called."})

    assert response.status_code == 302
    assert response["Location"] == claim.get_absolute_url()


# -- The verdict's warnings ------------------------------------------------------------------


def verified_claim(*, credibility: int = Credibility.PROBABLY_TRUE) -> Claim:
    claim = ClaimFactory()
    CorroborationFactory(
        claim=claim, stance=Stance.SUPPORTS, independence="independent", outlet="Reuters"
    )
    services.claim_set_status(
        claim=claim, status=ClaimStatus.VERIFIED, reason="Reuters", by=None, version=None
    )
    services.claim_set_credibility(claim=claim, credibility=credibility, by=None, version=None)
    claim.refresh_from_db()
    return claim


def warnings_in(content: str) -> list[str]:
    block = re.search(r'<div id="verdict-warning"[^>]*>(.*?)</div>', content, re.S)
    assert block, "the verdict panel has its warning element"
    return re.findall(r'<p class="msg msg-warning"[^>]*>(.*?)</p>', block.group(1), re.S)


def test_a_verified_claim_with_contradicting_evidence_is_warned_about_in_the_verdict(rclient):
    claim = verified_claim()
    assert warnings_in(rclient.get(claim.get_absolute_url()).content.decode()) == []
    CorroborationFactory(claim=claim, stance=Stance.CONTRADICTS, outlet="AP")

    content = rclient.get(claim.get_absolute_url()).content.decode()

    assert warnings_in(content) == [
        "Verified, yet 1 piece of evidence contradicts it: review the verdict."
    ]


def test_a_verified_claim_whose_truth_cannot_be_judged_is_warned_about(rclient):
    claim = verified_claim(credibility=Credibility.CANNOT_BE_JUDGED)
    for _ in range(2):
        CorroborationFactory(claim=claim, stance=Stance.CONTRADICTS)

    content = rclient.get(panel_url(claim, "verdict"), **HTMX).content.decode()

    assert warnings_in(content) == [
        "Verified, yet 2 pieces of evidence contradict it: review the verdict.",
        "Verified, yet its credibility is 6 (truth cannot be judged): set the credibility "
        "the evidence supports.",
    ]


def test_an_open_claim_with_contradicting_evidence_gets_no_warning(rclient):
    claim = ClaimFactory()
    CorroborationFactory(claim=claim, stance=Stance.CONTRADICTS)

    assert warnings_in(rclient.get(claim.get_absolute_url()).content.decode()) == []


def test_the_warning_refreshes_itself_when_evidence_changes(rclient):
    claim = verified_claim()
    CorroborationFactory(claim=claim, stance=Stance.CONTRADICTS)

    content = rclient.get(panel_url(claim, "verdict_warning"), **HTMX).content.decode()

    assert listeners(content) == {"verdict_warning": {EVIDENCE_CHANGED}}
    assert len(warnings_in(content)) == 1


def test_a_message_is_shown_once_and_a_panel_s_flash_only_in_its_action_s_answer(rclient):
    claim = busy_claim(0)
    url = reverse("claims:note_add", args=[claim.pk])

    page = rclient.post(url, {"text": "Called."}, follow=True).content.decode()
    assert page.count("Note added.") == 1 and "data-flash>Note added.</p>" in page
    assert "Note added." not in rclient.get(claim.get_absolute_url()).content.decode()

    answer = rclient.post(url, {"text": "Called again."}, **HTMX).content.decode()
    assert "data-flash>Note added.</p>" in answer
    assert "Note added." not in rclient.get(panel_url(claim, "notes"), **HTMX).content.decode()
    assert "Note added." not in rclient.get(claim.get_absolute_url()).content.decode()


def test_the_source_panel_says_which_source_the_article_republishes(rclient):
    # One field, Article.origin: a republication statement is an origin whose evidence says so.
    daily = PublisherFactory(name="Harbour Daily")
    republished = ClaimFactory(
        article=ArticleFactory(
            origin=daily,
            origin_evidence={"kind": "republication", "why": "from the statement '…'"},
        )
    )
    content = rclient.get(panel_url(republished, "source"), **HTMX).content.decode()
    assert "Republishes:" in content and "Harbour Daily" in content
    # A credit ("(HD)" at a paragraph's end) is whose text it is, not a republication.
    credited = ClaimFactory(
        article=ArticleFactory(origin=daily, origin_evidence={"kind": "wire-credit"})
    )
    assert "Republishes:" not in rclient.get(panel_url(credited, "source"), **HTMX).content.decode()
