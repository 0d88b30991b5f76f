"""Serialise claims for export: plain dicts, streamed one at a time."""

from collections.abc import Iterator

from claims.models import Claim


def claim_record(claim: Claim) -> dict:
    """Return the export record of one claim (see README, "Export formats")."""
    return {
        "id": claim.pk,
        "article_id": claim.article_id,
        "start": claim.start,
        "end": claim.end,
        "text": claim.text,
        "kind": claim.kind,
        "status": claim.status,
        "credibility": claim.credibility,
        "score": claim.score,
        "speaker": claim.speaker or None,
    }


def iter_claim_records(queryset=None) -> Iterator[dict]:
    """Yield export records of triageable claims in article order, streaming."""
    queryset = queryset if queryset is not None else Claim.objects.all()
    for claim in queryset.triageable().order_by("article_id", "start").iterator(chunk_size=2000):
        yield claim_record(claim)
