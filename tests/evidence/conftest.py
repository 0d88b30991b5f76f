"""Fixtures of the evidence tests: a local web site, bodies kept in memory, evidence to attach."""

from __future__ import annotations

import pytest

from tests.local_site import start_site

# Invented pages (never text from ../shared).
ARTICLE_HTML = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Harbour ferry returns after winter repairs | Coastline Courier</title>
<meta property="og:title" content="Harbour ferry returns after winter repairs">
<meta property="og:site_name" content="Coastline Courier">
<meta name="author" content="Mira Okonkwo">
<meta property="article:published_time" content="2026-11-20T08:30:00+00:00">
<script src="https://tracker.invalid/t.js"></script>
</head><body>
<nav>Home | Local | Sport</nav>
<article>
<h1>Harbour ferry returns after winter repairs</h1>
<p>The harbour ferry will carry passengers again from Monday, the port authority said on
Thursday, after eleven weeks of repairs to its hull and engines.</p>
<p>\xe2\x80\x9cEvery crossing will run on time \xe2\x80\x94 or we will refund the fare,\xe2\x80\x9d
said the operator's director, Tomas Rieve, who added that timetables are posted at the quay.</p>
<p>The repairs cost the city 1.2 million crowns, paid from the maintenance budget that the
council approved last spring for the ferry and the two river pontoons.</p>
</article>
<footer>Copyright Coastline Courier</footer>
</body></html>"""

CHANGED_HTML = ARTICLE_HTML.replace(b"eleven weeks", b"fourteen weeks")


@pytest.fixture
def site():
    site, stop = start_site()
    yield site
    stop()


@pytest.fixture(autouse=True)
def evidence_in_memory(settings):
    """Captured bodies go to an in-memory storage, new for each test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture
def allow_loopback(settings, monkeypatch):
    """The site on 127.0.0.1 counts as public; every other address is judged as usual."""
    from tests.local_site import loopback_counts_as_public

    settings.OUTBOUND_ALLOW_PRIVATE_URLS = False
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    settings.EVIDENCE_TIMEOUT_SECONDS = 1.0
    settings.EVIDENCE_MAX_BYTES = 200_000
    loopback_counts_as_public(monkeypatch)
    return settings


@pytest.fixture
def attach(claim, reviewer, django_capture_on_commit_callbacks):
    """Attach evidence through the claims service, running what waits for the commit
    (the archive row; the capture task is queued, run it with `capture_evidence.call`)."""
    from claims.services import corroboration_create

    def attach_(url: str, excerpt: str = "", stance: str = "supports", on=None):
        with django_capture_on_commit_callbacks(execute=True):
            return corroboration_create(
                claim=on or claim, by=reviewer, stance=stance, url=url, excerpt=excerpt
            )

    return attach_
