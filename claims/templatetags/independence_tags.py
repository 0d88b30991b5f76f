"""Template filters for independence verdicts."""

from django import template

from claims import independence
from claims.models import Independence

register = template.Library()


@register.filter
def needs_publisher(corroboration):
    """The article an "unknown" verdict waits for: no publisher, origin or website, or None."""
    if corroboration.independence != Independence.UNKNOWN:
        return None
    evidence = corroboration.evidence_claim
    return independence.unidentified_article(
        corroboration.claim.article, evidence.article if evidence is not None else None
    )
