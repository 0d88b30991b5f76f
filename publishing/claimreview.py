"""A published fact-check as schema.org ClaimReview: for the export and for the public page.

Both go through the export's one builder (`claims.exports.formats.claimreview`) with the
fact-check as its `Publication`: the public page's JSON-LD is the export's record of the claim.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from claims.exports.formats import Publication, claimreview
from claims.exports.records import iter_full_records
from claims.models import Claim
from publishing.models import FactCheck
from sources.registry import PublisherRegistry

# What a JSON text must not contain raw inside <script>: "</script>", "<!--", and "&" for
# good measure (the same characters Django's json_script escapes).
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def publication(fact_check: FactCheck) -> Publication:
    """The fact-check as ClaimReview carries it (reviewers named only when chosen)."""
    reviewers: tuple[str, ...] = ()
    if fact_check.show_reviewers:
        people = [fact_check.author, fact_check.signed_off_by]
        reviewers = tuple(dict.fromkeys(p.get_username() for p in people if p is not None))
    return Publication(
        rating=fact_check.rating,
        review_body=fact_check.review_body,
        date_published=fact_check.published_at.isoformat(),
        path=fact_check.get_absolute_url(),
        reviewers=reviewers,
    )


def publications(claim_ids: list[int]) -> dict[int, Publication]:
    """{claim id: Publication} of the published fact-checks of `claim_ids` (one query)."""
    rows = FactCheck.objects.published().filter(claim_id__in=claim_ids)
    return {fc.claim_id: publication(fc) for fc in rows.select_related("author", "signed_off_by")}


def organisation() -> str:
    return getattr(settings, "CLAIMREVIEW_ORGANISATION", "Claim workbench")


def fact_check_claimreview(fact_check: FactCheck, *, base_url: str) -> dict:
    """The ClaimReview of a published fact-check: the export's record of its claim."""
    [record] = iter_full_records(Claim.objects.filter(pk=fact_check.claim_id), include_notes=False)
    return claimreview(
        record,
        base_url=base_url,
        organisation=organisation(),
        is_outlet=PublisherRegistry.shared().names_outlet,
        publication=publication(fact_check),
    )


def ld_json_script(data: dict) -> SafeString:
    """`data` in a <script type="application/ld+json"> element, safe inside HTML.

    Django's json_script writes type="application/json"; search engines read ld+json. The
    browser never runs it (not JavaScript), so the CSP needs no nonce for it.
    """
    text = json.dumps(data, ensure_ascii=False, indent=1).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')
