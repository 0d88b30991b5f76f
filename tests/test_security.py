"""Hostile input is rendered harmlessly; the security headers are on every page."""

import re

import pytest
from django.test import Client

from claims import services as claim_services
from claims.models import Claim, ClaimStatus, Corroboration
from imports.in_process import articles_import
from publishing.services import factcheck_draft, factcheck_sign_off

pytestmark = pytest.mark.django_db

HOSTILE = (
    "Hostile page <script>alert('headline')</script>\n"
    "Published: 2024-03-05\n\n"
    "The plant <img src=x onerror=alert(1)> produced 500 t in 2024, officials said.\n\n"
    "Visit javascript:alert(document.cookie) for details, the company said.\n\n"
    "The \u202egnp.exe report\u202c says exports rose 5%.\n\n"
    '"<b onmouseover=alert(2)>Bold</b> claims," the analyst said.\n'
)


@pytest.fixture
def hostile(db):
    _, [result] = articles_import([("hostile.txt", HOSTILE.encode())], by=None)
    assert result.article is not None, result.reason
    return result.article


@pytest.fixture
def client(make_user):
    client = Client()
    client.force_login(make_user("rhea", "reviewer"))
    return client


def _assert_harmless(body: str) -> None:
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "<b onmouseover" not in body
    assert not re.search(r"""href=["']?\s*javascript:""", body, re.IGNORECASE)
    for tag in re.findall(r"<script\b[^>]*>", body):
        # Only our own scripts; JSON-LD is data a browser never runs (no nonce needed).
        assert "nonce=" in tag or "src=" in tag or tag == '<script type="application/ld+json">'


def test_hostile_article_text_is_escaped_everywhere(client, hostile):
    claim = Claim.objects.triageable().filter(article=hostile, text__contains="onerror").get()
    pages = [
        "/claims/",
        "/claims/?q=plant",
        f"/claims/{claim.pk}/",
        f"/sources/articles/{hostile.pk}/",
        "/sources/articles/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        _assert_harmless(body)
    body = client.get(f"/sources/articles/{hostile.pk}/").content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    # The override is shown as a marker, never applied (test_direction_controls_… below).
    assert "\u202e" not in body and "[U+202E]</span>gnp.exe report" in body


SPOOFED = (
    "Port \u202eetaerc\u202c record \u2066quarter\u2069 output\n"
    "Published: 2024-03-05\n\n"
    "The report \u202egnp.exe\u202c says exports rose 5% in the quarter, officials said.\n"
)
BADGE = '<span class="bidi-control" data-bidi-control title="RIGHT-TO-LEFT OVERRIDE'


def test_direction_controls_in_title_and_text_are_shown_and_kept(client):
    _, [result] = articles_import([("spoofed.txt", SPOOFED.encode())], by=None)
    article = result.article
    claim = Claim.objects.triageable().filter(article=article, text__contains="gnp").get()
    pages = {
        "queue": "/claims/",
        "claim page": f"/claims/{claim.pk}/",
        "article page": f"/sources/articles/{article.pk}/",
    }
    for name, url in pages.items():
        body = client.get(url).content.decode()
        # A form field's value stays as it is (a speaker edited and saved must not gain
        # markers); everything shown as text is checked.
        body = re.sub(r' value="[^"]*"', "", body)
        for control in "\u202e\u202c\u2066\u2069":
            assert control not in body, (name, f"U+{ord(control):04X}")
        title = body.split("Port ", 1)[1].split(" output", 1)[0]  # the title, as shown
        assert title.count("[U+202E]") == 1 and "[U+2066]" in title, (name, title)
        assert f"{BADGE}" in body and "[U+202E]</span>gnp.exe" in body, name
    head = client.get(pages["article page"]).content.decode().split("</title>")[0]
    assert "<title>Port [U+202E]etaerc[U+202C] record [U+2066]quarter[U+2069] output" in head
    # The canonical text keeps every character, and every claim still points into it.
    article.refresh_from_db()
    assert article.title == "Port \u202eetaerc\u202c record \u2066quarter\u2069 output"
    assert "The report \u202egnp.exe\u202c says" in article.text
    for c in article.claims.all():
        assert article.text[c.start : c.end] == c.text
    assert "\u202egnp.exe\u202c" in claim.text


def test_javascript_url_in_evidence_is_never_a_link(client, hostile):
    claim = Claim.objects.triageable().filter(article=hostile).first()
    Corroboration.objects.create(
        claim=claim, url="javascript:alert(1)", outlet="Evil", stance="supports"
    )
    body = client.get(f"/claims/{claim.pk}/").content.decode()
    _assert_harmless(body)
    refused = client.post(
        f"/claims/{claim.pk}/corroborations/",
        {"stance": "supports", "url": "javascript:alert(1)", "excerpt": "x"},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 409
    assert "Enter a valid URL" in refused.content.decode()
    assert Corroboration.objects.filter(claim=claim).count() == 1


def test_megabyte_single_line_imports_and_renders(client):
    line = ("word " * 200_000).strip()
    _, [result] = articles_import([("long.txt", f"Long line\n{line}\n".encode())], by=None)
    assert result.article is not None
    response = client.get(f"/sources/articles/{result.article.pk}/")
    assert response.status_code == 200
    # Shown a window at a time (tests/claims/test_long_texts.py), never the megabyte inline.
    assert len(response.content) < 300_000
    assert "Later text" in response.content.decode()


@pytest.fixture
def hostile_fact_check(hostile, make_user):
    """A published fact-check of the hostile claim, with hostile words in its summary."""
    reviewer, lead = make_user("rolf", "reviewer"), make_user("lise", "lead")
    claim = Claim.objects.triageable().filter(article=hostile, text__contains="onerror").get()
    claim_services.claim_set_status(
        claim=claim, status=ClaimStatus.DISPUTED, reason="odd", by=reviewer, version=None
    )
    fact_check = factcheck_draft(
        claim=claim,
        by=reviewer,
        rating=ClaimStatus.DISPUTED,
        review_body="</script><script>alert('ld')</script> <img src=x onerror=alert(1)>",
    )
    return factcheck_sign_off(fact_check=fact_check, by=lead)


def test_public_fact_check_page_is_harmless_and_sends_the_headers(hostile_fact_check):
    response = Client().get(hostile_fact_check.get_absolute_url())  # nobody logged in
    assert response.status_code == 200
    body = response.content.decode()
    _assert_harmless(body)
    assert "<script>alert('ld')" not in body
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert ' style="' not in body and " onclick=" not in body


def test_every_page_sends_a_nonce_csp_and_no_unsafe_inline(client, hostile):
    for url in ["/claims/", f"/sources/articles/{hostile.pk}/", "/accounts/login/"]:
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self' 'nonce-" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        body = response.content.decode()
        assert ' style="' not in body and " onclick=" not in body


def test_mutating_requests_need_the_csrf_token(make_user, hostile):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("cara", "reviewer"))
    claim = Claim.objects.triageable().filter(article=hostile).first()
    refused = client.post(f"/claims/{claim.pk}/notes/", {"text": "no token"})
    assert refused.status_code == 403
    assert not claim.notes.exists()
