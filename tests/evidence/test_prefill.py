"""The evidence form filled from a URL: title, outlet, publisher and date from the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import Corroboration, Independence
from tests.evidence.conftest import ARTICLE_HTML
from tests.factories import PublisherFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
# The claim fixture's article is published by "Global Times" (tests/conftest.py).
SAME_PUBLISHER_HTML = ARTICLE_HTML.replace(b"Coastline Courier", b"Global Times")


def prefill(rclient, claim, **params):
    return rclient.get(reverse("evidence:prefill", args=[claim.pk]), params, **HTMX)


def test_a_url_fills_outlet_publisher_and_date_from_the_page(allow_loopback, site, claim, rclient):
    courier = PublisherFactory(name="Coastline Courier")
    url = site.route("/ferry", ARTICLE_HTML)
    response = prefill(rclient, claim, url=url, stance="supports", excerpt="eleven weeks")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page and 'id="evidence-form-fields"' in page
    assert "Title: Harbour ferry returns after winter repairs" in page
    assert 'name="outlet" value="Coastline Courier"' in page
    assert f'<option value="{courier.pk}" selected>' in page
    assert 'name="published_on" value="2026-11-20"' in page
    assert "eleven weeks</textarea>" in page  # what the reviewer typed is kept
    assert "Filled in: outlet, publisher, published on" in page
    assert site.paths() == ["/ferry"]


def test_what_the_reviewer_typed_is_not_overwritten(allow_loopback, site, claim, rclient):
    url = site.route("/ferry", ARTICLE_HTML)
    page = prefill(rclient, claim, url=url, outlet="Harbour Radio").content.decode()
    assert 'name="outlet" value="Harbour Radio"' in page
    assert "Outlet: Coastline Courier — no publisher in the registry for it" in page


def test_a_url_the_guard_refuses_is_never_fetched_and_says_why(allow_loopback, claim, rclient):
    page = prefill(rclient, claim, url="http://10.1.2.3/intranet").content.decode()
    assert "The page could not be read: refused: 10.1.2.3 is a private address" in page
    assert 'name="url" value="http://10.1.2.3/intranet"' in page


def test_a_bad_url_is_named(allow_loopback, claim, rclient):
    page = prefill(rclient, claim, url="not a url at all").content.decode()
    assert "The page could not be read: url: enter a valid URL" in page


def test_independence_is_judged_with_the_publisher_the_page_gave(
    allow_loopback, site, claim, rclient, django_capture_on_commit_callbacks
):
    # The page's own site name says it is the claim article's publisher, under another domain.
    url = site.route("/mirror", SAME_PUBLISHER_HTML)
    page = prefill(rclient, claim, url=url, stance="supports").content.decode()
    publisher = claim.article.publisher
    assert f'<option value="{publisher.pk}" selected>' in page
    with django_capture_on_commit_callbacks(execute=True):
        rclient.post(
            reverse("claims:corroboration_add", args=[claim.pk]),
            {"stance": "supports", "url": url, "outlet": "Global Times", "publisher": publisher.pk},
        )
    evidence = Corroboration.objects.get(claim=claim)
    assert evidence.independence == Independence.NOT_INDEPENDENT
    assert "same publisher" in evidence.independence_reason


def test_the_claim_page_s_url_field_asks_for_the_fill(claim, rclient):
    page = rclient.get(claim.get_absolute_url()).content.decode()
    assert f'hx-get="{reverse("evidence:prefill", args=[claim.pk])}"' in page
    assert 'hx-params="not csrfmiddlewaretoken"' in page


def test_opened_directly_the_fill_is_the_claim_page(claim, rclient):
    response = rclient.get(reverse("evidence:prefill", args=[claim.pk]))
    assert response.status_code == 302
    assert response["Location"] == claim.get_absolute_url() + "#evidence"
