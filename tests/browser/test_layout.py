"""What a page looks like, measured in the browser: nothing makes it scroll sideways, the
status badges are told apart at a glance, the site's icon loads."""

from __future__ import annotations

import itertools
import math
import re

import pytest
from playwright.sync_api import expect

from claims import services
from claims.models import ClaimStatus
from sources.models import ImportBatch, ImportFile
from tests.browser.test_reviewer_flow import log_in
from tests.factories import ArticleFactory, ClaimFactory, CorroborationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOLERANCE = 2  # px: sub-pixel rounding
# Within the columns' 500 characters (PostgreSQL refuses more): a name of 295 characters with
# not one break, under a path that makes it 463.
LONG_NAME = "gt-" + "0123456789abcdef" * 18 + ".txt"
LONG_PATH = "/srv/workbench/drop/" + "very-long-folder-name-without-spaces-" * 4 + LONG_NAME


def scroll_overflow(page) -> int:
    """How far the page is wider than its window (px); 0 or less when it does not scroll."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def widest(page) -> str:
    """The innermost elements that stick out to the right, to say what to fix."""
    return page.evaluate(
        """() => {
          const out = [];
          for (const el of document.querySelectorAll("body *")) {
            const right = el.getBoundingClientRect().right;
            const inner = [...el.children].every((c) => c.getBoundingClientRect().right < right);
            if (right > window.innerWidth + 2 && inner) {
              out.push(`${el.tagName}#${el.id}.${el.className} (${Math.round(right)}px)`);
            }
          }
          return out.slice(-8).join("; ");
        }"""
    )


@pytest.fixture
def users(roles, make_user):
    return {"reviewer": make_user("rita", "reviewer"), "admin": make_user("ada", "admin")}


def test_a_claim_page_with_a_10000_character_note_and_a_long_file_path_fits_the_window(
    live_server, users, new_page, console
):
    token = "x" * 10_000  # one word, as pasted from a log or a hash dump
    article = ArticleFactory(
        source_name=LONG_PATH, title="T" * 400, url="https://example.org/" + "p" * 600
    )
    claim = ClaimFactory(article=article)
    services.note_create(claim=claim, by=users["reviewer"], text=token)
    CorroborationFactory(
        claim=claim, outlet="o" * 200, url="https://example.org/" + "q" * 600, excerpt="e" * 900
    )
    page = new_page()
    log_in(page, live_server, users["reviewer"], then=f"/claims/{claim.pk}/")
    expect(page.locator("#notes")).to_contain_text("x" * 100)
    expect(page.locator("#source")).to_contain_text(LONG_NAME[:40])
    expect(page.locator("#history")).to_contain_text("x" * 100)  # the note's creation too

    assert scroll_overflow(page) <= TOLERANCE, widest(page)
    # The full article and the narrow layout (one column) fit as well.
    page.get_by_role("button", name="Show the full article").click()
    assert scroll_overflow(page) <= TOLERANCE, widest(page)
    page.set_viewport_size({"width": 800, "height": 900})
    assert scroll_overflow(page) <= TOLERANCE, widest(page)
    for url in (article.get_absolute_url(), "/sources/articles/"):
        page.goto(f"{live_server.url}{url}")
        assert scroll_overflow(page) <= TOLERANCE, f"{url}: {widest(page)}"
    assert console.csp_violations() == []


def test_an_import_batch_page_with_a_long_file_name_fits_the_window(
    live_server, users, new_page, console
):
    batch = ImportBatch.objects.create(origin="upload", created_by=users["admin"])
    name = "batch.zip/" + LONG_NAME
    ImportFile.objects.create(
        batch=batch, name=name, outcome="rejected", reason=f"{name}: binary file (PNG image)"
    )
    ImportFile.objects.create(batch=batch, name=LONG_PATH, outcome="rejected", reason="empty")
    page = new_page()
    log_in(page, live_server, users["admin"], then=f"/sources/import/{batch.pk}/")
    expect(page.locator("#import-files tbody tr")).to_have_count(2)

    assert scroll_overflow(page) <= TOLERANCE, widest(page)
    page.goto(f"{live_server.url}/sources/import/history/")
    assert scroll_overflow(page) <= TOLERANCE, widest(page)
    assert console.csp_violations() == []


def _rgb(css: str) -> tuple[int, int, int]:
    r, g, b = (int(v) for v in re.findall(r"\d+", css)[:3])
    return r, g, b


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _luminance(rgb) -> float:
    r, g, b = map(_linear, rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    """WCAG contrast ratio of two sRGB colours."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def lab(rgb) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour."""
    r, g, b = map(_linear, rgb)
    xyz = (
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
    )
    fx, fy, fz = (t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


# ΔE*76 below ~20 reads as "the same colour, a bit off" on a small badge: In review and
# Disputed were 15 apart, Unreviewed and Not a claim 0.
DISTINCT = 20


def test_every_status_badge_has_its_own_colour_and_legible_text(live_server, users, new_page):
    article = ArticleFactory()
    ClaimFactory(article=article)
    page = new_page()
    log_in(page, live_server, users["reviewer"], then=article.get_absolute_url())
    colours = {}
    for status in ClaimStatus.values:
        badge = page.locator(f".counts .status-{status}")
        expect(badge).to_have_count(1)
        background, text = badge.evaluate(
            "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"
        )
        colours[status] = _rgb(background)
        assert contrast(_rgb(background), _rgb(text)) >= 4.5, (status, background, text)
    too_close = [
        (a, b, round(math.dist(lab(colours[a]), lab(colours[b])), 1))
        for a, b in itertools.combinations(colours, 2)
        if math.dist(lab(colours[a]), lab(colours[b])) < DISTINCT
    ]
    assert too_close == []


def test_the_site_icon_is_linked_and_loads(live_server, users, new_page):
    page = new_page()
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    log_in(page, live_server, users["reviewer"])
    href = page.locator("link[rel=icon]").get_attribute("href")

    icon = page.request.get(f"{live_server.url}{href}")
    fallback = page.request.get(f"{live_server.url}/favicon.ico")

    assert (icon.status, icon.headers["content-type"]) == (200, "image/svg+xml")
    assert fallback.status == 200 and fallback.url.endswith(href)
    assert failed == []
