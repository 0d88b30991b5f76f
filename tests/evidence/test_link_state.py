"""What became of an archived link, where reviewers see it: claim page, queue, verdict."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, ClaimStatus
from claims.triage import parse_filters
from evidence.choices import LinkState
from evidence.models import Archive
from evidence.services import link_rechecked, links_sweep
from evidence.tasks import capture_evidence
from tests.evidence.conftest import ARTICLE_HTML, CHANGED_HTML

pytestmark = pytest.mark.django_db


def later() -> timezone.datetime:
    return timezone.now() + timedelta(days=31)


@pytest.fixture
def changing(allow_loopback, site, attach, claim):
    """Evidence of the claim whose page is archived, then changes ("eleven" → "fourteen")."""
    pages = [ARTICLE_HTML]
    url = site.route("/ferry", lambda: pages[-1])
    evidence = attach(url, excerpt="after eleven weeks of repairs")
    capture_evidence.call(evidence.pk)
    pages.append(CHANGED_HTML)
    return evidence


def verified(claim: Claim) -> Claim:
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.VERIFIED)
    claim.refresh_from_db()
    return claim


def test_a_changed_page_is_shown_on_the_claim_page_with_its_diff(changing, claim, rclient):
    sweep = links_sweep(now=later())
    assert sweep.found == {LinkState.CHANGED: 1}
    archive = Archive.objects.get(evidence=changing)
    assert archive.rereview
    page = rclient.get(claim.get_absolute_url()).content.decode()
    assert "Link content changed" in page
    removed = [line for line in archive.link_diff.splitlines() if line.startswith("-")]
    added = [line for line in archive.link_diff.splitlines() if line.startswith("+")]
    assert any("eleven weeks" in line for line in removed)
    assert any("fourteen weeks" in line for line in added)
    assert "fourteen weeks" in page  # the diff, on the page
    assert reverse("evidence:link_rechecked", args=[changing.pk]) in page


def test_a_page_gone_404_is_shown_as_gone(allow_loopback, site, attach, claim, rclient):
    url = site.route("/notice", ARTICLE_HTML)
    evidence = attach(url)
    capture_evidence.call(evidence.pk)
    site.route("/notice", b"no more", status=404)
    links_sweep(now=later())
    archive = Archive.objects.get(evidence=evidence)
    assert (archive.link_state, archive.rereview) == (LinkState.GONE, True)
    assert "Link gone" in rclient.get(claim.get_absolute_url()).content.decode()


def test_the_queue_lists_claims_whose_evidence_source_changed(changing, claim, rclient):
    other = Claim.objects.exclude(pk=claim.pk).first()  # none, or one without such evidence
    links_sweep(now=later())
    url = reverse("claims:list") + "?status=all&evidence=changed"
    page = rclient.get(url).content.decode()
    assert f'data-claim-id="{claim.pk}"' in page
    assert other is None or f'data-claim-id="{other.pk}"' not in page
    assert "evidence whose source changed or died" in page  # the filter, in words
    assert "source changed</span>" in page  # not verified: no re-review yet


def test_a_verified_claim_on_a_changed_source_is_flagged_for_re_review_until_re_checked(
    changing, claim, rclient, reviewer
):
    verified(claim)
    links_sweep(now=later())
    queue = rclient.get(reverse("claims:list") + "?status=verified").content.decode()
    assert "re-review</span>" in queue
    verdict = rclient.get(claim.get_absolute_url()).content.decode()
    assert "Flagged for re-review: the source of 1 piece of evidence is gone or changed" in verdict

    response = rclient.post(reverse("evidence:link_rechecked", args=[changing.pk]))

    assert response.status_code == 302
    archive = Archive.objects.get(evidence=changing)
    assert (archive.rereview, archive.link_state) == (False, LinkState.CHANGED)
    last = archive.history.latest("history_id")
    assert last.history_change_reason == "re-checked by a reviewer (link content changed)"
    assert last.history_user == reviewer
    assert "Flagged for re-review" not in rclient.get(claim.get_absolute_url()).content.decode()
    queue = rclient.get(reverse("claims:list") + "?status=verified&evidence=changed")
    assert f'data-claim-id="{claim.pk}"' not in queue.content.decode()


def test_the_same_change_found_again_does_not_flag_a_re_checked_claim_again(changing, claim):
    links_sweep(now=later())
    link_rechecked(archive=Archive.objects.get(evidence=changing), by=None)
    links_sweep(now=later() + timedelta(days=31))
    assert not Archive.objects.get(evidence=changing).rereview


def test_setting_a_verdict_on_an_excerpt_not_found_warns_and_does_not_refuse(
    allow_loopback, site, attach, claim, rclient
):
    evidence = attach(
        site.route("/ferry", ARTICLE_HTML),
        excerpt="the bridge was closed all year",
        stance="contradicts",
    )
    capture_evidence.call(evidence.pk)
    assert Archive.objects.get(evidence=evidence).excerpt_status == "not_found"
    claim.refresh_from_db()
    response = rclient.post(
        reverse("claims:status", args=[claim.pk]),
        {"status": "refuted", "reason": "The port says otherwise.", "version": claim.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    assert "1 piece of evidence quotes an excerpt the archived page does not have" in (
        response.content.decode()
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REFUTED


def test_an_unknown_evidence_filter_is_named_and_ignored():
    filters = parse_filters(QueryDict("evidence=rotten"))
    assert filters.evidence == ""
    assert filters.errors == ["evidence: must be yes, no or changed; ignored."]
