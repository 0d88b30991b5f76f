"""Credibility "not rated yet" is not 6, and the verdict's reason is kept on the claim.

Until claims migration 0013 every claim started at credibility 6 ("truth cannot be judged"),
so a 6 nobody set looked like a reviewer's 6 in the queue, on the claim page and in exports.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.models import Claim, ClaimStatus, Credibility, Independence
from claims.services import EvidenceCounts, verdict_warnings
from tests.factories import ArticleFactory, ClaimFactory, CorroborationFactory

pytestmark = pytest.mark.django_db


def test_a_new_claim_is_not_rated_yet_and_a_rated_six_stays_six(reviewer):
    claim = ClaimFactory()
    assert claim.credibility is None
    assert claim.credibility_label == "Not rated yet"

    services.claim_set_credibility(
        claim=claim, credibility=Credibility.CANNOT_BE_JUDGED, by=reviewer, version=claim.version
    )
    claim.refresh_from_db()
    assert claim.credibility == 6
    assert claim.credibility_label == "6 — Truth cannot be judged"


def queue_cell(page: str, claim: Claim) -> str:
    row = page[page.index(f'<tr data-claim-id="{claim.pk}"') :]
    return row[: row.index("</tr>")].split("<td")[5]  # the credibility column


def test_queue_and_claim_page_tell_not_rated_from_six(rclient, reviewer):
    article = ArticleFactory()
    unrated = ClaimFactory(article=article)
    six = ClaimFactory(
        article=article,
        start=0,
        end=article.text.index("\n"),
        text=article.text[: article.text.index("\n")],
        credibility=Credibility.CANNOT_BE_JUDGED,
    )
    page = rclient.get(reverse("claims:list")).content.decode()
    assert 'title="Not rated yet"' in queue_cell(page, unrated)
    assert ">6<" not in queue_cell(page, unrated)
    assert ">6</td>" in queue_cell(page, six)

    detail = rclient.get(reverse("claims:detail", args=[unrated.pk])).content.decode()
    assert '<span id="credibility-now">Not rated yet</span>' in detail
    assert "— not rated yet —" in detail  # the form offers no value as chosen
    detail = rclient.get(reverse("claims:detail", args=[six.pk])).content.decode()
    assert '<span id="credibility-now">6 — Truth cannot be judged</span>' in detail

    only_unrated = rclient.get(reverse("claims:list") + "?credibility=none").content.decode()
    assert f'data-claim-id="{unrated.pk}"' in only_unrated
    assert f'data-claim-id="{six.pk}"' not in only_unrated
    assert "Not rated yet" in only_unrated.split("</dl>")[0]  # the active filters say so


def test_posting_no_credibility_is_refused_with_the_field_named(rclient):
    claim = ClaimFactory()
    response = rclient.post(
        reverse("claims:credibility", args=[claim.pk]),
        {"credibility": "", "version": claim.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code in (400, 409, 422)
    assert "Credibility" in response.content.decode()
    claim.refresh_from_db()
    assert claim.credibility is None


def test_a_verified_claim_not_rated_yet_is_warned_about():
    claim = ClaimFactory(status=ClaimStatus.VERIFIED)
    counts = EvidenceCounts(supporting=1, supporting_independent=1, contradicting=0)
    assert any("not rated yet" in w for w in verdict_warnings(claim, counts))
    claim.credibility = Credibility.CANNOT_BE_JUDGED
    assert any("credibility is 6" in w for w in verdict_warnings(claim, counts))
    claim.credibility = Credibility.PROBABLY_TRUE
    assert verdict_warnings(claim, counts) == []


def test_exports_give_no_credibility_for_a_claim_not_rated_yet(rclient):
    unrated = ClaimFactory(status=ClaimStatus.IN_REVIEW)
    url = reverse("claims:export") + "?status=all&format="
    [record] = [json.loads(line) for line in b"".join(rclient.get(url + "jsonl")).splitlines()]
    assert record["credibility"] is None
    assert record["credibility_label"] == "Not rated yet"
    rows = list(csv.DictReader(io.StringIO(b"".join(rclient.get(url + "csv")).decode())))
    assert [(r["id"], r["credibility"], r["credibility_label"]) for r in rows] == [
        (str(unrated.pk), "", "Not rated yet")
    ]


def test_the_verdicts_reason_is_kept_and_cleared_with_the_verdict(reviewer):
    claim = ClaimFactory()
    CorroborationFactory(claim=claim, independence=Independence.INDEPENDENT)
    services.claim_set_status(
        claim=claim,
        status=ClaimStatus.VERIFIED,
        reason="  Two filings agree.  ",
        by=reviewer,
        version=claim.version,
    )
    claim.refresh_from_db()
    assert claim.verdict_reason == "Two filings agree."
    services.claim_set_status(
        claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=reviewer, version=claim.version
    )
    claim.refresh_from_db()
    assert claim.verdict_reason == ""
    [result] = services.claims_bulk_set_status(
        claim_ids=[claim.pk], status=ClaimStatus.VERIFIED, reason="Bulk: filings.", by=reviewer
    )
    assert result.ok
    claim.refresh_from_db()
    assert claim.verdict_reason == "Bulk: filings."


# --- The migration ---------------------------------------------------------------------------

BEFORE, AFTER = (
    ("claims", "0012_merge_boundaries_and_versions"),
    (
        "claims",
        "0013_credibility_not_rated_verdict_reason",
    ),
)


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_a_reviewers_six_and_empties_the_default_one(migrate_to):
    apps = migrate_to(BEFORE)
    Article = apps.get_model("sources", "Article")
    Claim_ = apps.get_model("claims", "Claim")
    History = apps.get_model("claims", "HistoricalClaim")
    text = "Headline\nOne rose. Two fell. Three held. Four grew."
    article = Article.objects.create(
        text=text,
        received_text=text,
        title="Headline",
        source_name="m.html",
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
    now = timezone.now()

    def claim(start: int, end: int, *history: dict, **fields):
        made = Claim_.objects.create(
            article=article, start=start, end=end, text=text[start:end], kind="statement", **fields
        )
        rows = [{"history_type": "+", "credibility": 6, "status": "unreviewed"}, *history]
        for i, row in enumerate(rows):
            values = {
                "id": made.id,
                "article_id": article.id,
                "start": start,
                "end": end,
                "kind": "statement",
                "status": "unreviewed",
                "score": 0,
                "speaker": "",
                "version": 1,
                "retired": False,
                "created_at": now,
                "updated_at": now,
                "history_date": now + timezone.timedelta(seconds=i),
            }
            History.objects.create(**(values | row))
        return made.id

    default = claim(9, 18)
    set_six = claim(
        19, 28, {"history_type": "~", "credibility": 6, "history_change_reason": "credibility → 6"}
    )
    back_to_six = claim(
        29,
        40,
        {"history_type": "~", "credibility": 3, "history_change_reason": "looks plausible"},
        {"history_type": "~", "credibility": 6, "history_change_reason": "the filing is gone"},
    )
    verified = claim(
        41,
        51,
        {"history_type": "~", "status": "verified", "history_change_reason": "Filings agree."},
        status="verified",
        credibility=2,
    )

    migrate_to(AFTER)
    credibility = dict(Claim.objects.values_list("id", "credibility"))
    assert credibility == {default: None, set_six: 6, back_to_six: 6, verified: 2}
    assert Claim.objects.get(id=verified).verdict_reason == "Filings agree."
    assert Claim.objects.get(id=default).verdict_reason == ""
    assert not Claim.history.filter(id=default, credibility=6).exists()


def test_export_command_filters_the_claims_not_rated_yet(tmp_path):
    from django.core.management import call_command

    unrated = ClaimFactory()
    rated = ClaimFactory(credibility=Credibility.POSSIBLY_TRUE)
    out = tmp_path / "claims.jsonl"
    call_command("export_claims", "--format", "jsonl", "--credibility", "none", "-o", str(out))
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [unrated.pk]
    call_command("export_claims", "--format", "jsonl", "--credibility", "3", "-o", str(out))
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [rated.pk]
