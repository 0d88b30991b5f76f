"""Boundary fixes through the web: the claim page's panel, the selection tools, the answers."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import strip_tags

from claims import boundaries, services
from claims.models import Claim, ClaimKind, ClaimStatus
from sources.highlight import highlight
from tests.factories import ArticleFactory, CorroborationFactory

pytestmark = pytest.mark.django_db

FIRST = "Lindqvist Cranes said it will double output at its Tarnby yard by 2027."
SECOND = "The company employs 1,200 people, according to its annual report."
CREDIT = "Photo: Tarnby Harbour Authority"
TEXT = f"Harbour crane maker expands\n{FIRST} {SECOND}\n{CREDIT}"


@pytest.fixture
def article():
    return ArticleFactory(text=TEXT, received_text=TEXT)


def claim_of(article, sentence: str, kind=ClaimKind.STATEMENT) -> Claim:
    start = article.text.index(sentence)
    return Claim.objects.create(
        article=article, start=start, end=start + len(sentence), text=sentence, kind=kind
    )


@pytest.fixture
def first(article):
    return claim_of(article, FIRST)


@pytest.fixture
def second(article):
    return claim_of(article, SECOND)


@pytest.fixture
def credit(article):
    return claim_of(article, CREDIT, ClaimKind.CHROME)


HTMX = {"HTTP_HX_REQUEST": "true"}


def alerts(response) -> list[str]:
    content = response.content.decode()
    return [html.unescape(a) for a in re.findall(r'role="alert"[^>]*>(.*?)</p>', content, re.S)]


def flashes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def url(name: str, claim: Claim) -> str:
    return reverse(f"claims:{name}", args=[claim.pk])


# -- From the claim page's Boundaries panel ----------------------------------------------------


def test_split_from_the_claim_page_swaps_the_workspace(rclient, first):
    at = first.start + FIRST.index("at its")

    response = rclient.post(url("split", first), {"at": at, "version": first.version}, **HTMX)

    assert response.status_code == 200
    assert response.templates[0].name == "workspace"  # the claim page's fragment
    second = Claim.objects.get(derived_from=first)
    content = response.content.decode()
    assert f"Claim #{first.pk} split: its second part is claim #{second.pk}." in content
    assert "<html" not in content  # the workspace fragment only
    first.refresh_from_db()
    assert first.text == "Lindqvist Cranes said it will double output"


def test_split_without_htmx_redirects_to_the_claim(rclient, first):
    at = first.start + FIRST.index("at its")
    response = rclient.post(url("split", first), {"at": at, "version": first.version})
    assert response.status_code == 302
    assert response["Location"] == url("detail", first)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"at": "abc"}, "Not saved — split at: Enter a whole number."),
        ({}, "Not saved — split at: This field is required."),
        ({"at": "-4"}, "Not saved — split at: Ensure this value is greater than or equal to 0."),
        ({"at": "3"}, "Not saved — split at: 3 is not inside claim #{pk} ({s}–{e}): split between "
                      "its first and its last character."),
    ],
)  # fmt: skip
def test_split_refusal_names_the_field_in_the_boundaries_panel(rclient, first, data, message):
    response = rclient.post(url("split", first), {**data, "version": first.version}, **HTMX)

    assert response.status_code == 409
    assert alerts(response) == [message.format(pk=first.pk, s=first.start, e=first.end)]
    assert Claim.objects.count() == 1


def test_split_on_a_stale_page_is_refused_listing_the_change(rclient, lead, first):
    services.claim_set_status(
        claim=first, status=ClaimStatus.IN_REVIEW, reason="", by=lead, version=None
    )
    at = first.start + FIRST.index("at its")

    response = rclient.post(url("split", first), {"at": at, "version": 1}, **HTMX)

    assert response.status_code == 409
    [alert] = alerts(response)
    assert alert.startswith("Not saved: someone changed this claim since you opened it")
    assert "status: Unreviewed → In review (lena" in alert


def test_merge_from_the_page_of_the_claim_merged_away_goes_to_the_kept_one(rclient, first, second):
    response = rclient.post(url("merge", second), {"with": first.pk, "version": second.version})

    assert response.status_code == 302
    assert response["Location"] == url("detail", first)
    assert flashes(response) == [
        f"Claims #{first.pk} and #{second.pk} merged into claim #{first.pk}."
    ]
    second.refresh_from_db()
    assert second.retired


def test_merge_with_htmx_redirects_the_browser_to_the_kept_claim(rclient, first, second):
    response = rclient.post(
        url("merge", second), {"with": first.pk, "version": second.version}, **HTMX
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == url("detail", first)


def test_merge_with_a_claim_that_is_not_a_neighbour_is_refused(rclient, first, second, credit):
    response = rclient.post(
        url("merge", first), {"with": credit.pk, "version": first.version}, **HTMX
    )

    assert response.status_code == 409
    assert alerts(response) == [
        f"Not saved — merge with: claim #{credit.pk} is not next to claim #{first.pk}: merge it "
        f"with the claim just before or after it (#{second.pk})."
    ]


def test_span_and_kind_from_the_claim_page(rclient, first):
    response = rclient.post(
        url("span", first), {"start": first.start, "end": first.end - 1, "version": 1}, **HTMX
    )
    assert response.status_code == 200
    first.refresh_from_db()
    assert first.text == FIRST[:-1]

    response = rclient.post(
        url("kind", first),
        {"kind": "quote", "speaker": "Mara Holm", "version": first.version},
        **HTMX,
    )
    assert response.status_code == 200
    assert f"Claim #{first.pk} is now a quote." in response.content.decode()
    first.refresh_from_db()
    assert (first.kind, first.speaker) == (ClaimKind.QUOTE, "Mara Holm")


def test_span_over_a_verdict_without_a_reason_is_refused(rclient, reviewer, first):
    services.claim_set_status(
        claim=first, status=ClaimStatus.UNVERIFIABLE, reason="", by=reviewer, version=None
    )
    first.refresh_from_db()
    data = {"start": first.start, "end": first.end - 1, "version": first.version}
    response = rclient.post(url("span", first), data, **HTMX)
    assert alerts(response) == [
        f"Not saved — reason: claim #{first.pk} is marked unverifiable: say why its span changes."
    ]


# -- From the selection tools (next = the page they are on) ------------------------------------


def test_create_from_the_article_page_goes_back_to_it(rclient, article, first):
    start = TEXT.index("1,200 people")
    data = {
        "start": start,
        "end": start + 12,
        "kind": "statement",
        "next": article.get_absolute_url(),
    }

    response = rclient.post(reverse("claims:create", args=[article.pk]), data, **HTMX)

    made = Claim.objects.get(text="1,200 people")
    assert response.status_code == 204
    assert response["HX-Redirect"] == article.get_absolute_url()
    assert flashes(response) == [f"Claim #{made.pk} created ({made.start}–{made.end})."]


def test_create_without_next_opens_the_new_claim(rclient, article):
    start = TEXT.index("1,200 people")
    response = rclient.post(
        reverse("claims:create", args=[article.pk]),
        {"start": start, "end": start + 12, "kind": "quote"},
    )
    made = Claim.objects.get()
    assert response["Location"] == url("detail", made)
    assert made.kind == ClaimKind.QUOTE


def test_a_refusal_in_the_selection_tools_is_said_there(rclient, article, first):
    data = {
        "start": first.start,
        "end": first.end,
        "kind": "statement",
        "next": article.get_absolute_url(),
    }

    response = rclient.post(reverse("claims:create", args=[article.pk]), data, **HTMX)

    assert response.status_code == 409
    assert response.templates[0].name == "claims/_selection_error.html"
    assert alerts(response) == [
        f"Not saved — start: claim #{first.pk} already has exactly the span "
        f"{first.start}–{first.end}."
    ]

    response = rclient.post(reverse("claims:create", args=[article.pk]), {**data, "kind": "gossip"})
    assert response.status_code == 409
    assert response.templates[0].name == "claims/boundary_refused.html"
    assert alerts(response) == [
        "Not saved — kind: Select a valid choice. gossip is not one of the available choices."
    ]
    assert Claim.objects.count() == 1


def test_split_from_the_article_page_goes_back_to_it(rclient, article, first):
    at = first.start + FIRST.index("at its")
    data = {"at": at, "version": first.version, "next": article.get_absolute_url()}

    response = rclient.post(url("split", first), data)

    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()


def test_create_on_an_unknown_article_is_404(rclient):
    response = rclient.post(reverse("claims:create", args=[999_999]), {"start": 0, "end": 3})
    assert response.status_code == 404


# -- The pages ---------------------------------------------------------------------------------


def test_article_page_offers_the_selection_tools_with_every_current_claim(
    rclient, article, first, second, credit
):
    boundaries.claim_merge(claim=first, other=second, by=None, version=None)

    response = rclient.get(article.get_absolute_url())

    content = response.content.decode()
    assert 'data-text-start="0"' in content
    spans = json.loads(html.unescape(re.search(r'data-spans="([^"]*)"', content).group(1)))
    assert [(s["id"], s["kind"]) for s in spans] == [(first.pk, "statement"), (credit.pk, "chrome")]
    # Chrome is a link now: its page is where it is marked a claim again.
    assert f'<a class="chrome" href="{url("detail", credit)}"' in content
    assert f'action="{reverse("claims:create", args=[article.pk])}"' in content


def test_chrome_and_retired_claims_have_a_page(rclient, first, second, credit):
    assert rclient.get(url("detail", credit)).status_code == 200
    boundaries.claim_merge(claim=first, other=second, by=None, version=None)

    response = rclient.get(url("detail", second))

    assert response.status_code == 200
    content = response.content.decode()
    assert "This claim is retired: it was merged into" in content
    assert url("split", second) not in content  # nothing to fix on a retired claim


def test_claim_page_offers_a_merge_with_each_neighbour(rclient, article, first, second, credit):
    response = rclient.get(url("detail", second))

    content = response.content.decode()
    assert f'name="with" value="{first.pk}">Merge with the previous claim (#{first.pk}' in content
    assert f'name="with" value="{credit.pk}">Merge with the next claim (#{credit.pk}' in content
    assert f'data-text-start="{TEXT.index("Lindqvist")}"' in content


def test_overlapping_claims_show_every_character_once(article, first):
    inner = boundaries.claim_create(
        article=article, start=TEXT.index("Tarnby"), end=TEXT.index(" yard"), kind="statement",
        by=None,
    )  # fmt: skip
    spans = list(Claim.objects.current().filter(article=article))

    for current in (None, first.pk, inner.pk):
        rendered = str(highlight(TEXT, spans, current_id=current))
        assert html.unescape(strip_tags(rendered)) == TEXT
    rendered = str(highlight(TEXT, spans, current_id=first.pk))
    assert rendered.count(f'id="claim-{first.pk}"') == 1
    assert f'href="{url("detail", inner)}"' in rendered  # the claim inside the current one


def test_lead_reverts_a_merge_from_the_claim_page(client, lead, first, second):
    CorroborationFactory(claim=second)
    kept = boundaries.claim_merge(claim=first, other=second, by=lead, version=None)
    record = kept.history.latest("history_id").history_id
    client.force_login(lead)

    page = client.get(url("detail", first)).content.decode()
    assert f'name="history_id" value="{record}"' in page

    response = client.post(
        url("revert", first),
        {"kind": "claim", "history_id": record, "reason": "Two claims"},
        **HTMX,
    )

    assert response.status_code == 200
    assert f"Change #{record} reverted." in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.text, second.text, second.retired) == (FIRST, SECOND, False)
    assert second.corroborations.count() == 1


@pytest.mark.parametrize(
    "name, data",
    [
        ("status", {"status": "in_review", "reason": "Looking"}),
        ("credibility", {"credibility": 2, "reason": "Plausible"}),
        ("take", {}),
        ("note_add", {"text": "A note on a retired claim."}),
        ("rating", {"confidence": "high"}),
        ("corroboration_add", {"url": "https://harbour.example/e", "stance": "supports"}),
    ],
)
def test_a_retired_claim_takes_no_more_work(rclient, first, second, name, data):
    """Its page and history stay readable; every change is refused and points to the kept claim."""
    rclient.post(url("merge", second), {"with": first.pk, "version": second.version})
    second.refresh_from_db()
    before = (second.status, second.credibility, second.version)

    response = rclient.post(url(name, second), {**data, "version": second.version})

    assert response.status_code == 302
    assert flashes(response)[-1] == (  # after the merge's own message
        f"Claim #{second.pk} is retired: nothing is changed on it; work on claim #{first.pk}."
    )
    second.refresh_from_db()
    assert (second.status, second.credibility, second.version) == before
    assert not second.notes.exists() and not second.ratings.exists()
    assert not second.corroborations.exists()
    htmx = rclient.post(url(name, second), {**data, "version": second.version}, **HTMX)
    assert htmx.status_code == 409
    assert rclient.get(url("detail", second)).status_code == 200


def test_direction_controls_are_badges_standing_for_one_character(article, first):
    text = "A \u202eexe.png\u202c file"
    span = Claim(pk=first.pk, start=2, end=11, kind=ClaimKind.STATEMENT)  # "\u202eexe.png\u202c"
    rendered = str(highlight(text, [span]))
    assert rendered.count("data-bidi-control") == 2
    assert not set(rendered) & {"\u202e", "\u202c"}
    # Each badge stands for one character: the text shown is the text, the controls marked.
    assert html.unescape(strip_tags(rendered)) == "A [U+202E]exe.png[U+202C] file"
    assert f'href="{url("detail", first)}"' in rendered  # the span's link around its badge


def test_a_split_off_part_links_to_the_claim_it_came_from_and_back(rclient, first):
    at = first.start + FIRST.index("at its")
    rclient.post(url("split", first), {"at": at, "version": first.version})
    part = Claim.objects.get(derived_from=first)

    part_page = rclient.get(url("detail", part)).content.decode()
    first_page = rclient.get(url("detail", first)).content.decode()

    came_from = f'split from <a href="{url("detail", first)}">claim #{first.pk}</a>'
    assert came_from in part_page  # the Boundaries panel
    history = part_page[part_page.index('id="history"') :]
    assert f'Split off from <a href="{url("detail", first)}">claim #{first.pk}</a>' in history
    history = first_page[first_page.index('id="history"') :]
    assert f'Second part: <a href="{url("detail", part)}">claim #{part.pk}</a>' in history


def test_a_merge_links_each_claim_s_history_to_the_other(rclient, first, second):
    boundaries.claim_merge(claim=second, other=first, by=None, version=None)

    kept = rclient.get(url("detail", first)).content.decode()
    gone = rclient.get(url("detail", second)).content.decode()

    kept, gone = (page[page.index('id="history"') :] for page in (kept, gone))
    assert f'Merged with <a href="{url("detail", second)}">claim #{second.pk}</a>' in kept
    assert f'Merged into <a href="{url("detail", first)}">claim #{first.pk}</a>' in gone


@pytest.mark.parametrize("name", ["split", "merge", "span", "kind"])
def test_a_fix_without_the_version_seen_is_refused_naming_the_field(rclient, first, second, name):
    data = {
        "split": {"at": first.start + FIRST.index("at its")},
        "merge": {"with": second.pk},
        "span": {"start": first.start, "end": first.end - 1},
        "kind": {"kind": "quote"},
    }[name]

    response = rclient.post(url(name, first), data, **HTMX)

    assert response.status_code == 409
    assert alerts(response) == ["Not saved — version: This field is required."]
    first.refresh_from_db()
    assert (first.text, first.kind, first.version) == (FIRST, ClaimKind.STATEMENT, 1)
