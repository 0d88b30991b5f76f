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
from tests.factories import ArticleFactory, ClaimFactory, CorroborationFactory, open_claims

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


def test_requests_over_the_tokens_budget_are_throttled(api, reviewer, monkeypatch):
    from django.core.cache import cache

    from api.throttling import TokenRateThrottle

    cache.clear()
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    statuses = [api.get(reverse("api:claims")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = api.get(reverse("api:claims"))
    assert error(throttled)["code"] == "throttled"
    assert error(throttled)["retry_after"] > 0
    # The budget is the token's: another token of the same user has its own.
    other = api_token_create(user=reviewer, name="second", expires_days=None).secret
    assert Client(**bearer(other)).get(reverse("api:claims")).status_code == 200
    cache.clear()


# --- The queue and claims --------------------------------------------------------------------


def test_the_claims_list_walks_the_queue_by_cursor_without_a_count(api):
    claims = open_claims(PAGE_SIZE + 7, score=lambda i: i % 5)
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
    claims = open_claims(3, score=lambda i: i % 5)
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


def test_evidence_is_changed_by_patch_and_removed_with_the_version_seen(api, lead):
    claim = ClaimFactory()
    evidence = CorroborationFactory(claim=claim, outlet="Harbour Wire")
    url = reverse("api:corroboration", args=[claim.pk, evidence.pk])
    changed = api.patch(url, {"excerpt": "Exports doubled.", "version": 1}, "application/json")
    assert changed.status_code == 200
    [record] = changed.json()["corroborations"]
    assert (record["excerpt"], record["outlet"]) == ("Exports doubled.", "Harbour Wire")
    stale = api.patch(url, {"excerpt": "Exports tripled.", "version": 1}, "application/json")
    assert (stale.status_code, error(stale)["code"]) == (409, "stale_version")
    assert any(line.startswith("excerpt: ") for line in error(stale)["changes"])
    assert api.delete(url + "?version=1").status_code == 409  # it is at version 2 now
    removed = api.delete(url + "?version=2&reason=Wrong+story")
    assert removed.status_code == 200
    assert removed.json()["corroborations"] == []
    assert evidence.history.latest().history_change_reason == "Wrong story"


def test_only_a_notes_author_changes_or_removes_it(api, reviewer, lead):
    claim = ClaimFactory()
    mine = services.note_create(claim=claim, by=reviewer, text="Called the port.")
    theirs = services.note_create(claim=claim, by=lead, text="Lead's note.")
    url = reverse("api:note", args=[claim.pk, mine.pk])
    assert api.patch(url, {"text": "Called twice.", "version": 1}, "application/json").json()[
        "notes"
    ][0]["text"] in ("Called twice.", "Lead's note.")
    refused = api.delete(reverse("api:note", args=[claim.pk, theirs.pk]) + "?version=1")
    assert (refused.status_code, error(refused)["code"]) == (403, "permission_denied")
    assert api.delete(url + "?version=1").status_code == 409
    assert api.delete(url + "?version=2").status_code == 200
    assert list(claim.notes.values_list("text", flat=True)) == ["Lead's note."]
    no_version = api.delete(reverse("api:note", args=[claim.pk, theirs.pk]))
    assert error(no_version)["message"].startswith("version:")


def test_articles_read_with_their_claims_spans_and_page_newest_first(api):
    claims = open_claims(3, score=lambda i: i % 5)
    article = claims[0].article
    body = api.get(reverse("api:article", args=[article.pk])).json()
    assert body["text"] == article.text
    assert [(c["start"], c["end"]) for c in body["claims"]] == [(c.start, c.end) for c in claims]
    for span in body["claims"]:
        assert body["text"][span["start"] : span["end"]] == Claim.objects.get(pk=span["id"]).text
    older = ArticleFactory()
    listing = api.get(reverse("api:articles")).json()
    assert [a["id"] for a in listing["results"]] == [older.pk, article.pk]
    assert "text" not in listing["results"][0]
    assert listing["next"] is None


def test_a_lead_patches_a_publisher_with_a_reason_and_a_reviewer_cannot(api, lead):
    from sources.models import Publisher
    from tests.factories import PublisherFactory

    publisher = PublisherFactory(name="Harbour Post", domains=["harbourpost.example"])
    lead_token = api_token_create(user=lead, name="t", expires_days=None).secret
    url = reverse("api:publisher", args=[publisher.pk])
    body = {"reliability": "B", "aliases": ["The Harbour Post"], "reason": "Graded."}
    saved = Client(**bearer(lead_token)).patch(url, body, "application/json")
    assert saved.status_code == 200
    assert (saved.json()["reliability"], saved.json()["aliases"]) == ("B", ["The Harbour Post"])
    assert Publisher.objects.get(pk=publisher.pk).history.latest().history_change_reason == (
        "Graded."
    )
    no_reason = Client(**bearer(lead_token)).patch(url, {"reliability": "C"}, "application/json")
    assert error(no_reason)["fields"]["reason"] == ["This field is required."]
    assert api.patch(url, body, "application/json").status_code == 403
    names = [p["name"] for p in api.get(reverse("api:publishers")).json()["results"]]
    assert "Harbour Post" in names


def test_the_export_streams_the_webs_bytes_and_is_recorded_as_an_api_export(api, reviewer):
    from claims.models import ExportRecord

    open_claims(3, score=lambda i: i % 5)
    query = {"status": "all", "format": "jsonl"}
    streamed = b"".join(api.get(reverse("api:exports"), query).streaming_content)
    web = Client()
    web.force_login(reviewer)
    page = b"".join(web.get(reverse("claims:export"), query).streaming_content)
    assert streamed == page and streamed.count(b"\n") == 3
    assert list(ExportRecord.objects.values_list("origin", flat=True).order_by("id")) == [
        "api",
        "web",
    ]
    bad = api.get(reverse("api:exports"), {"format": "xlsx"})
    assert (bad.status_code, error(bad)["code"]) == (400, "invalid_parameter")


# --- Imports ---------------------------------------------------------------------------------

PLANT = b"Magnet plant opens\nThe plant produced 900 tonnes in 2024. Output rose 5 percent.\n"
PORT = b"Port traffic rises\nThe port handled 12 ships in May. Exports doubled since March.\n"


@pytest.fixture
def admin_api(make_user) -> Client:
    admin = make_user("ada", "admin")
    return Client(**bearer(api_token_create(user=admin, name="t", expires_days=None).secret))


def test_an_admin_imports_files_with_a_manifest_and_follows_the_batch(admin_api, api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from imports.queue import import_batch_process

    manifest = b"file,title,url\nplant.txt,Magnets: the plant opens,https://harbour.example/1\n"
    response = admin_api.post(
        reverse("api:imports"),
        {
            "files": [
                SimpleUploadedFile("plant.txt", PLANT),
                SimpleUploadedFile("port.txt", PORT),
                SimpleUploadedFile("blank.txt", b""),
            ],
            "manifest": SimpleUploadedFile("manifest.csv", manifest),
        },
    )
    assert response.status_code == 201
    batch = response.json()
    assert response["Location"] == batch["url"]
    assert batch["counts"] == {
        "total": 3,
        "pending": 2,
        "imported": 0,
        "duplicate": 0,
        "rejected": 1,
        "claims": 0,
    }
    import_batch_process(batch_id=batch["id"], worker="tests")
    done = admin_api.get(batch["url"]).json()
    assert done["finished"] and done["counts"]["imported"] == 2
    files = {f["name"]: f for f in done["files"]}
    assert files["blank.txt"]["reason"] == "blank.txt: the file is empty"
    article = admin_api.get(reverse("api:article", args=[files["plant.txt"]["article_id"]]))
    assert article.json()["title"] == "Magnets: the plant opens"
    assert article.json()["url"] == "https://harbour.example/1"
    assert api.get(batch["url"]).status_code == 403  # a reviewer does not import


def test_an_import_without_files_or_with_a_broken_manifest_is_refused_and_makes_no_batch(
    admin_api,
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sources.models import ImportBatch

    empty = admin_api.post(reverse("api:imports"), {})
    assert error(empty)["fields"]["files"] == ["Choose at least one file to import."]
    broken = admin_api.post(
        reverse("api:imports"),
        {
            "files": [SimpleUploadedFile("plant.txt", PLANT)],
            "manifest": SimpleUploadedFile("manifest.csv", b"title,url\nNo file column,x\n"),
        },
    )
    assert broken.status_code == 400
    assert error(broken)["fields"]["manifest"][0].startswith("manifest.csv")
    assert not ImportBatch.objects.exists()
