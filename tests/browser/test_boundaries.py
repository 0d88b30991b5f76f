"""A reviewer fixes the machine's claims on an article page with the mouse and the keyboard;
a lead reverts one of the fixes."""

import re

import pytest
from playwright.sync_api import expect

from claims.models import Claim, ClaimKind, ClaimStatus
from tests.browser.test_reviewer_flow import log_in
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADLINE = "Crane maker hires"
HIRES = "Lindqvist Cranes will hire 400 welders."
# The machine cut one sentence in two, and kept two sentences as one.
CUT_A = "The yard employs 1,200"
CUT_B = "people, the company said."
TWO = "Output doubles by 2027. Prices rose 5 percent."
TEXT = f"{HEADLINE}\n{HIRES} {CUT_A} {CUT_B} {TWO}\nLink copied"
ROOT = ".article-text"


@pytest.fixture
def users(roles, make_user):
    return {"reviewer": make_user("rita", "reviewer"), "lead": make_user("leo", "lead")}


@pytest.fixture
def article(db):
    article = ArticleFactory(text=TEXT, received_text=TEXT, title="Crane maker hires")
    for sentence, kind in [
        (HEADLINE, ClaimKind.HEADLINE),
        (HIRES, ClaimKind.STATEMENT),
        (CUT_A, ClaimKind.STATEMENT),
        (CUT_B, ClaimKind.STATEMENT),
        (TWO, ClaimKind.STATEMENT),
        ("Link copied", ClaimKind.CHROME),
    ]:
        start = TEXT.index(sentence)
        Claim.objects.create(
            article=article, start=start, end=start + len(sentence), text=sentence, kind=kind
        )
    return article


def char_box(page, offset: int) -> dict:
    """The box of the character at `offset` of the article text (ASCII: JS offsets agree)."""
    return page.evaluate(
        """([selector, offset]) => {
            const root = document.querySelector(selector);
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            let node, seen = 0;
            while ((node = walker.nextNode())) {
                if (seen + node.length > offset) {
                    const range = document.createRange();
                    range.setStart(node, offset - seen);
                    range.setEnd(node, offset - seen + 1);
                    const r = range.getBoundingClientRect();
                    return {left: r.left, right: r.right, middle: (r.top + r.bottom) / 2};
                }
                seen += node.length;
            }
            return null;
        }""",
        [ROOT, offset],
    )


def drag_select(page, start: int, end: int) -> None:
    """Select `start`–`end` of the article text by dragging the mouse over it."""
    first, last = char_box(page, start), char_box(page, end - 1)
    page.mouse.move(first["left"] + 1, first["middle"])
    page.mouse.down()
    page.mouse.move(last["right"] - 1, last["middle"], steps=8)
    page.mouse.up()


SUMMARY = "[data-selection-summary]"


def position(page) -> tuple[int, int]:
    """The selection as the selection tools read it (their summary line)."""
    summary = page.locator(SUMMARY).text_content()
    if match := re.match(r"Position (\d+)", summary):
        return int(match[1]), int(match[1])
    match = re.match(r"Selected (\d+)–(\d+)", summary)
    assert match, summary
    return int(match[1]), int(match[2])


def press(page, key: str) -> tuple[int, int]:
    """Press a key in the article text; return the selection once the tools have read it.

    `selectionchange` is dispatched after the key: wait for the summary to change.
    """
    before = page.locator(SUMMARY).text_content()
    page.keyboard.press(key)
    page.wait_for_function(
        "([selector, before]) => document.querySelector(selector).textContent !== before",
        arg=[SUMMARY, before],
    )
    return position(page)


def claim(text: str) -> Claim:
    return Claim.objects.get(text=text, retired=False)


def test_reviewer_fixes_claims_by_selecting_text_and_a_lead_reverts_a_split(
    live_server, users, article, new_page, console
):
    page = new_page()
    article_url = article.get_absolute_url()
    log_in(page, live_server, users["reviewer"], then=article_url)
    tools = page.locator("#selection-tools")

    # 1. Mouse: select words inside a claim and make them a claim of their own.
    start = TEXT.index("400 welders")
    drag_select(page, start, start + len("400 welders"))
    expect(tools.locator("[data-selection-summary]")).to_have_text(
        f"Selected {start}–{start + 11}: “400 welders”"
    )
    assert page.url == f"{live_server.url}{article_url}"  # the drag did not follow a link
    tools.get_by_role("button", name="Create a claim from the selection").click()
    expect(page.locator("#messages")).to_contain_text(f"created ({start}–{start + 11}).")
    made = Claim.objects.get(text="400 welders")
    expect(page.locator("#messages")).to_have_text(
        f"Claim #{made.pk} created ({start}–{start + 11})."
    )
    assert made.status == ClaimStatus.UNREVIEWED
    assert claim(HIRES).text == HIRES  # the claim around it is unchanged

    # 2. Mouse: select the second sentence of a two-sentence claim and split it there.
    two = claim(TWO)
    start = TEXT.index("Prices")
    drag_select(page, start, len(TEXT) - len("\nLink copied"))
    split = tools.get_by_role("button", name=f"Split claim #{two.pk} at {start}")
    split.click()
    expect(page.locator("#messages")).to_contain_text(f"Claim #{two.pk} split")
    assert claim("Output doubles by 2027.").pk == two.pk
    assert claim("Prices rose 5 percent.").derived_from_id == two.pk

    # 3. Keyboard: put the caret in the first half of the cut sentence, select into the second
    # half with Shift + arrows, and merge the two.
    cut_a, cut_b = claim(CUT_A), claim(CUT_B)
    page.locator(ROOT).focus()
    caret = press(page, "ArrowRight")
    while caret[0] <= cut_a.start:
        caret = press(page, "ArrowRight")
    while caret[1] <= cut_b.start + 2:
        caret = press(page, "Shift+ArrowRight")
    assert caret[0] == cut_a.start + 1 < cut_a.end < cut_b.start < caret[1]
    merge = tools.get_by_role("button", name=f"Merge claims #{cut_a.pk} and #{cut_b.pk}")
    expect(merge).to_be_enabled()
    page.keyboard.press("Tab")  # leave the text with the keyboard too; the selection stays
    merge.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#messages")).to_contain_text(
        f"Claims #{cut_a.pk} and #{cut_b.pk} merged into claim #{cut_a.pk}."
    )
    cut_b.refresh_from_db()
    assert claim(f"{CUT_A} {CUT_B}").pk == cut_a.pk
    assert (cut_b.retired, cut_b.merged_into_id) == (True, cut_a.pk)
    merged_link = page.locator(f"{ROOT} a[href='/claims/{cut_a.pk}/']")
    expect(merged_link).to_have_text(f"{CUT_A} {CUT_B}")

    # 4. A lead reverts the split from the claim's history.
    lead_page = new_page()
    log_in(lead_page, live_server, users["lead"], then=f"/claims/{two.pk}/")
    entry = lead_page.locator("#history li").filter(has_text=f"Reason: Split at {start}")
    expect(entry.locator("tr").filter(has_text="text").locator("del")).to_have_text(TWO)
    entry.get_by_label("Why revert it?").fill("One claim after all")
    lead_page.once("dialog", lambda d: d.accept())
    entry.get_by_role("button", name="Revert this change").click()
    expect(lead_page.locator("#history li").first).to_contain_text("Reason: Reverted change #")
    expect(lead_page.locator("#claim-context mark.current")).to_have_text(TWO)
    assert claim(TWO).pk == two.pk
    part = Claim.objects.get(derived_from=two)
    assert (part.retired, part.merged_into_id) == (True, two.pk)

    # Every claim still is exactly its span of the text.
    for c in Claim.objects.filter(article=article):
        assert TEXT[c.start : c.end] == c.text
    assert console.csp_violations() == []
    assert console.script_errors() == []


SPOOF_SENTENCE = "The \u202egnp.exe\u202c report says exports rose 5 percent."
SPOOF_TEXT = f"Exports report\n{SPOOF_SENTENCE}"


def test_a_selection_after_a_shown_direction_control_has_the_texts_offsets(
    live_server, users, new_page, console
):
    spoofed = ArticleFactory(text=SPOOF_TEXT, received_text=SPOOF_TEXT, title="Exports report")
    start = SPOOF_TEXT.index("The")
    Claim.objects.create(
        article=spoofed,
        start=start,
        end=start + len(SPOOF_SENTENCE),
        text=SPOOF_SENTENCE,
        kind=ClaimKind.STATEMENT,
    )
    page = new_page()
    log_in(page, live_server, users["reviewer"], then=spoofed.get_absolute_url())
    expect(page.locator(f"{ROOT} [data-bidi-control]").first).to_have_text("[U+202E]")

    # Select "says" by the page's own text: the badges before it are longer than one character.
    page.evaluate(
        """([selector, word]) => {
            const root = document.querySelector(selector);
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode()) && !node.data.includes(word)) {}
            const range = document.createRange();
            range.setStart(node, node.data.indexOf(word));
            range.setEnd(node, node.data.indexOf(word) + word.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""",
        [ROOT, "says"],
    )

    says = SPOOF_TEXT.index("says")
    expect(page.locator(SUMMARY)).to_have_text(f"Selected {says}–{says + 4}: “says”")
    assert console.script_errors() == [] and console.csp_violations() == []
