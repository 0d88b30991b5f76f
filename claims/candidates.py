"""Candidate evidence: claims of other articles that say the same thing, or the opposite.

A whole-table trigram scan is too slow at a million claims, so the lookup is two steps
(workbench/search.py `similar_claims`): a full-text prefilter on the claim's rarest terms
(at most 200 rows), then similarity ranking of those. Each candidate comes with its computed
independence (`independence.judge`) and the quantities on which it disagrees with the claim
(`sources.ingest.numbers`), so a reviewer sees "$250 million vs $300 million" at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass

from claims import independence
from claims.models import Claim
from sources.ingest.numbers import NumericConflict, numeric_conflicts
from sources.models import Article, article_body_fields
from sources.registry import PublisherRegistry
from workbench.search import similar_claims

CANDIDATE_LIMIT = 8
MIN_SIMILARITY = 0.15


@dataclass
class Candidate:
    claim: Claim
    similarity: float
    independence: str
    reason: str
    conflicts: list[NumericConflict]
    # When independence is unknown: the article that needs a publisher (for a link to it).
    needs_publisher: Article | None = None

    @property
    def independence_label(self) -> str:
        return independence.Independence(self.independence).label


def candidate_evidence(
    claim: Claim,
    *,
    limit: int = CANDIDATE_LIMIT,
    exclude_ids: set[int] | frozenset[int] = frozenset(),
    registry: PublisherRegistry | None = None,
) -> list[Candidate]:
    """Return up to `limit` claims of other articles most like `claim`, best first.

    Two queries on PostgreSQL (rare lexemes, then prefilter + ranking), one on SQLite; the
    publisher registry is one more unless passed. `exclude_ids`: claims already attached.
    """
    queryset = (
        Claim.objects.triageable()
        .exclude(article_id=claim.article_id)
        # Who published each article and whose text it is: what the judgement compares.
        .select_related("article__publisher", "article__origin", "article__republished_from")
        # The judgement reads the article's text; the rest of the page dump is not needed.
        .defer(*article_body_fields("article__", keep=("text",)))
    )
    rows = similar_claims(queryset, claim, limit=limit + len(exclude_ids))
    rows = [r for r in rows if r.pk not in exclude_ids and r.similarity >= MIN_SIMILARITY][:limit]
    if not rows:
        return []
    registry = registry or PublisherRegistry.load()
    candidates = []
    for row in rows:
        value, reason = independence.judge(claim=claim, evidence_claim=row, registry=registry)
        conflicts = numeric_conflicts(claim.text, row.text)
        needs = (
            independence.unidentified_article(claim.article, row.article)
            if value == independence.Independence.UNKNOWN
            else None
        )
        candidates.append(Candidate(row, float(row.similarity), value, reason, conflicts, needs))
    return candidates
