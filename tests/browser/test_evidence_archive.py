# ruff: noqa: F811 — the evidence fixtures, imported, are parameters here
"""Evidence in the browser: a URL typed in fills the form; the archived copy runs nothing."""

import pytest
from playwright.sync_api import expect

from claims.services import corroboration_create
from evidence.tasks import capture_evidence
from tests.browser.test_reviewer_flow import log_in
from tests.evidence.conftest import (  # noqa: F401 — fixtures
    ARTICLE_HTML,
    allow_loopback,
    evidence_in_memory,
    site,
)
from tests.factories import ClaimFactory, PublisherFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_url_typed_in_fills_outlet_publisher_and_date(
    live_server,
    roles,
    make_user,
    new_page,
    console,
    allow_loopback,
    site,
):
    reviewer = make_user("rita", "reviewer")
    claim = ClaimFactory()
    PublisherFactory(name="Coastline Courier")
    url = site.route("/ferry", ARTICLE_HTML)
    page = new_page()
    log_in(page, live_server, reviewer, then=f"/claims/{claim.pk}/")
    page.locator("#evidence summary").click()
    page.locator("#id_excerpt").fill("eleven weeks of repairs")

    page.locator("#id_url").fill(url)
    page.locator("#id_url").press("Tab")  # change

    expect(page.locator("#evidence-prefill")).to_contain_text("Harbour ferry returns")
    expect(page.locator("#id_outlet")).to_have_value("Coastline Courier")
    expect(page.locator("#id_published_on")).to_have_value("2026-11-20")
    expect(page.locator("#id_publisher option:checked")).to_have_text("Coastline Courier")
    expect(page.locator("#id_excerpt")).to_have_value("eleven weeks of repairs")
    expect(page.locator("#id_url")).to_have_value(url)
    assert console.csp_violations() == []
    assert console.script_errors() == []


def test_the_archived_copy_of_a_page_with_scripts_runs_none_of_them(
    live_server,
    roles,
    make_user,
    new_page,
    console,
    allow_loopback,
    site,
):
    reviewer = make_user("rita", "reviewer")
    claim = ClaimFactory()
    hostile = ARTICLE_HTML.replace(
        b"</article>", b"<p>&lt;img src=x onerror=alert(1)&gt; in the text.</p></article>"
    )
    evidence = corroboration_create(
        claim=claim, by=reviewer, stance="supports", url=site.route("/p", hostile)
    )
    capture_evidence.call(evidence.pk)  # queued once committed (on_commit, at once here)
    page = new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, live_server, reviewer, then=f"/evidence/{evidence.pk}/archive/")

    expect(page.locator("#archive-text")).to_contain_text("<img src=x onerror=alert(1)>")
    assert page.locator("#archive-text img").count() == 0
    assert dialogs == []
    assert console.csp_violations() == []
