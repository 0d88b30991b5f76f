"""The REST API (/api/v1/): tokens, the queue and claims, writes through the services."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.tokens import api_token_create, api_token_revoke
from claims import services
from claims.exports import Export
from claims.models import Claim, ClaimKind, ClaimStatus, Independence
from claims.triage import PAGE_SIZE
from tests.factories import ArticleFactory, ClaimFactory, CorroborationFactory

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def token(reviewer) -> str:
    return api_token_create(user=reviewer, name="tests", expires_days=30).secret


@pytest.fixture
def api(token) -> Client:
    """A client that sends the reviewer's token (no session: CSRF does not apply)."""
    return Client(**bearer(token))


def error(response) -> dict:
    return response.json()["error"]


# --- Tokens ----------------------------------------------------------------------------------


def test_the_command_prints_a_token_as_its_last_line_and_keeps_only_its_hash(reviewer):
    out = StringIO()
    call_command("create_api_token", reviewer.username, "--expires", "7", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    assert secret.startswith("wb_")
    token = ApiToken.objects.get()
    assert secret not in {token.digest, token.prefix, token.name}
    assert (token.expires_at - timezone.now()).days in (6, 7)
    response = Client(**bearer(secret)).get(reverse("api:claims"))
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_command_refuses_a_user_it_does_not_know_and_a_bad_expiry(reviewer):
    with pytest.raises(CommandError, match="USERNAME: there is no user 'nobody'"):
        call_command("create_api_token", "nobody", stdout=StringIO())
    with pytest.raises(CommandError, match="expires: between 1 and 3650 days"):
        call_command("create_api_token", reviewer.username, "--expires", "0", stdout=StringIO())
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "header",
    ["Bearer wb_nothing", "Bearer wb_12345678_wrong", "Bearer ", "Bearer {secret}x"],
)
def test_a_bad_token_is_refused_never_taken_as_anonymous(token, header):
    response = Client(HTTP_AUTHORIZATION=header.format(secret=token)).get(reverse("api:claims"))
    assert response.status_code == 401
    assert error(response)["code"] == "authentication_failed"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_no_credentials_is_401_not_a_login_redirect(client):
    response = client.get(reverse("api:claims"))
    assert response.status_code == 401
    assert error(response)["code"] == "not_authenticated"


def test_an_expired_or_revoked_token_stops_working(reviewer, token):
    api = Client(**bearer(token))
    assert api.get(reverse("api:claims")).status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get(reverse("api:claims")).status_code == 401
    other = api_token_create(user=reviewer, name="second", expires_days=None)
    api = Client(**bearer(other.secret))
    assert api.get(reverse("api:claims")).status_code == 200
    api_token_revoke(token=other.token, by=reviewer)
    assert error(api.get(reverse("api:claims")))["code"] == "authentication_failed"
    assert other.token.history.first().history_change_reason == "API token revoked"


def test_an_inactive_users_token_is_refused(reviewer, token):
    reviewer.is_active = False
    reviewer.save()
    assert Client(**bearer(token)).get(reverse("api:claims")).status_code == 401


def test_a_user_creates_lists_and_revokes_tokens_on_their_page(rclient, reviewer, lead):
    page = rclient.post(reverse("api_tokens"), {"name": "CMS sync", "expires_days": 30})
    assert page.status_code == 200
    secret = page.context["created"].secret
    assert secret in page.content.decode()  # shown once…
    listing = rclient.get(reverse("api_tokens")).content.decode()
    assert secret not in listing  # …and never again
    assert "CMS sync" in listing and "active" in listing
    assert Client(**bearer(secret)).get(reverse("api:claims")).status_code == 200

    theirs = api_token_create(user=lead, name="lead's", expires_days=None).token
    assert rclient.post(reverse("api_token_revoke", args=[theirs.pk])).status_code == 404
    mine = ApiToken.objects.get(user=reviewer)
    assert rclient.post(reverse("api_token_revoke", args=[mine.pk])).status_code == 302
    assert Client(**bearer(secret)).get(reverse("api:claims")).status_code == 401
    assert "revoked" in rclient.get(reverse("api_tokens")).content.decode()

    refused = rclient.post(reverse("api_tokens"), {"name": "", "expires_days": 30})
    assert refused.status_code == 400
    assert ApiToken.objects.filter(user=reviewer).count() == 1


def test_requests_over_the_tokens_budget_are_throttled(api, settings):
    from django.core.cache import cache

    cache.clear()
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    from rest_framework.settings import api_settings

    try:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"token": "3/min"},
        }
        api_settings.reload()
        from api.throttling import TokenRateThrottle

        TokenRateThrottle.THROTTLE_RATES = {"token": "3/min"}
        statuses = [api.get(reverse("api:claims")).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        throttled = api.get(reverse("api:claims"))
        assert error(throttled)["code"] == "throttled"
        assert error(throttled)["retry_after"] > 0
    finally:
        TokenRateThrottle.THROTTLE_RATES = rates
        cache.clear()


# --- The queue and claims --------------------------------------------------------------------


def claims_of(n: int) -> list[Claim]:
    sentences = [f"Mine {i} shipped {i} tonnes of ore." for i in range(n)]
    text = " ".join(sentences)
    article = ArticleFactory(text=text, received_text=text)
    claims, at = [], 0
    for i, sentence in enumerate(sentences):
        claims.append(
            Claim(
                article=article,
                start=at,
                end=at + len(sentence),
                text=sentence,
                kind=ClaimKind.STATEMENT,
                score=i % 5,
            )
        )
        at += len(sentence) + 1
    return Claim.objects.bulk_create(claims)


def test_the_claims_list_walks_the_queue_by_cursor_without_a_count(api):
    claims = claims_of(PAGE_SIZE + 7)
    ids, url, pages = [], reverse("api:claims"), 0
    while url:
        body = api.get(url).json()
        assert set(body) == {"results", "next", "previous"}  # never a count
        ids += [r["id"] for r in body["results"]]
        url, pages = body["next"], pages + 1
        assert pages < 5
    expected = sorted(claims, key=lambda c: (-c.score, -c.pk))
    assert ids == [c.pk for c in expected]
    assert pages == 2


def test_the_claims_list_takes_the_queues_filters_and_refuses_bad_ones(api):
    claims = claims_of(3)
    Claim.objects.filter(pk=claims[0].pk).update(status=ClaimStatus.DISPUTED)
    body = api.get(reverse("api:claims"), {"status": "disputed"}).json()
    assert [r["id"] for r in body["results"]] == [claims[0].pk]
    found = api.get(reverse("api:claims"), {"q": "Mine 2"}).json()["results"]
    assert claims[2].pk in [r["id"] for r in found]
    bad = api.get(reverse("api:claims"), {"credibility": "9"})
    assert bad.status_code == 400
    assert error(bad) == {
        "code": "invalid_parameter",
        "message": "credibility: must be 1–6 or none (not rated yet); ignored.",
    }


def test_a_claim_reads_as_its_json_lines_export_record(api):
    claim = ClaimFactory()
    CorroborationFactory(claim=claim, independence=Independence.INDEPENDENT)
    record = api.get(reverse("api:claim", args=[claim.pk])).json()
    export = Export(Claim.objects.filter(pk=claim.pk), "jsonl", sql=False)
    assert record == json.loads(b"".join(export.stream()))
    chrome = ClaimFactory(article=claim.article, start=0, end=4, text=claim.article.text[:4])
    Claim.objects.filter(pk=chrome.pk).update(kind=ClaimKind.CHROME)
    missing = api.get(reverse("api:claim", args=[chrome.pk]))
    assert (missing.status_code, error(missing)["code"]) == (404, "not_found")


# --- Writes ----------------------------------------------------------------------------------


def test_a_status_is_set_through_the_service_with_its_rules_and_history(api, reviewer):
    claim = ClaimFactory()
    url = reverse("api:claim_status", args=[claim.pk])
    no_reason = api.post(url, {"status": "verified", "version": 1}, content_type="application/json")
    assert no_reason.status_code == 400
    assert error(no_reason) == {
        "code": "reason_required",
        "message": "A reason is required to mark a claim as verified.",
    }
    no_evidence = api.post(
        url, {"status": "verified", "reason": "Looks right", "version": 1}, "application/json"
    )
    assert (no_evidence.status_code, error(no_evidence)["code"]) == (409, "evidence_required")
    web = Client()
    web.force_login(reviewer)
    page = web.post(
        reverse("claims:status", args=[claim.pk]),
        {"status": "verified", "reason": "Looks right", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert error(no_evidence)["message"] in page.content.decode()  # the page's own words

    CorroborationFactory(claim=claim, independence=Independence.INDEPENDENT)
    saved = api.post(
        url, {"status": "verified", "reason": "Filings agree", "version": 1}, "application/json"
    )
    assert saved.status_code == 200
    assert (saved.json()["status"], saved.json()["verdict_reason"]) == ("verified", "Filings agree")
    claim.refresh_from_db()
    assert claim.history.latest().history_user == reviewer
    assert claim.history.latest().history_change_reason == "Filings agree"


def test_a_stale_version_is_409_with_what_changed(api, lead):
    claim = ClaimFactory()
    services.claim_set_status(
        claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=lead, version=1
    )
    response = api.post(
        reverse("api:claim_credibility", args=[claim.pk]),
        {"credibility": 3, "version": 1},
        "application/json",
    )
    assert response.status_code == 409
    refusal = error(response)
    assert refusal["code"] == "stale_version"
    assert refusal["changes"][0].startswith("status: Unreviewed → In review (lena, ")
    claim.refresh_from_db()
    assert claim.credibility is None


def test_evidence_ratings_and_notes_are_added_and_invalid_input_names_the_field(api, reviewer):
    claim = ClaimFactory()
    added = api.post(
        reverse("api:corroborations", args=[claim.pk]),
        {"stance": "supports", "outlet": "Harbour Wire", "url": "https://wire.example/a"},
        "application/json",
    )
    assert added.status_code == 201
    assert [c["outlet"] for c in added.json()["corroborations"]] == ["Harbour Wire"]
    bad = api.post(
        reverse("api:corroborations", args=[claim.pk]),
        {"stance": "supports", "evidence_claim": 999999},
        "application/json",
    )
    assert bad.status_code == 400
    assert error(bad)["message"].startswith("evidence claim: There is no claim #999999.")
    assert error(bad)["fields"]["evidence_claim"] == ["There is no claim #999999."]

    rated = api.post(
        reverse("api:ratings", args=[claim.pk]),
        {"confidence": "high", "rationale": "Two filings."},
        "application/json",
    )
    assert rated.json()["ratings"]["reviewers"][0]["confidence"] == "high"
    noted = api.post(reverse("api:notes", args=[claim.pk]), {"text": "Called the port."})
    assert noted.status_code == 201
    assert [n["text"] for n in noted.json()["notes"]] == ["Called the port."]


def test_a_retired_or_chrome_claim_takes_no_work(api):
    claim = ClaimFactory()
    Claim.objects.filter(pk=claim.pk).update(kind=ClaimKind.CHROME)
    chrome = api.post(
        reverse("api:claim_status", args=[claim.pk]),
        {"status": "in_review", "version": 1},
        "application/json",
    )
    assert (chrome.status_code, error(chrome)["code"]) == (409, "claim_refused")
    Claim.objects.filter(pk=claim.pk).update(kind=ClaimKind.STATEMENT, retired=True)
    retired = api.post(reverse("api:notes", args=[claim.pk]), {"text": "x"})
    assert (retired.status_code, error(retired)["code"]) == (409, "claim_retired")


def test_a_session_write_needs_the_csrf_token(reviewer):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reviewer)
    claim = ClaimFactory()
    response = browser.post(reverse("api:notes", args=[claim.pk]), {"text": "x"})
    assert response.status_code == 403
    assert "CSRF" in error(response)["message"]


def test_the_schema_is_valid_and_the_docs_load_from_our_own_files(rclient):
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out, stderr=StringIO())
    assert "/api/v1/claims/{id}/status/" in out.getvalue()
    docs = rclient.get(reverse("api:docs"))
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "//cdn" not in page and "unpkg" not in page
