"""Candidate evidence: claims of other articles that say the same thing, or the opposite.

A whole-table trigram scan is too slow at a million claims, so the lookup is two steps
(`similar_claims`): a full-text prefilter on the claim's rarest terms (at most 200 rows;
PostgreSQL's planner statistics say which are rare, SQLite takes the longest words), then
similarity ranking of those. Each candidate comes with its computed
independence (`independence.judge`) and the quantities on which it disagrees with the claim
(`sources.ingest.numbers`), so a reviewer sees "$250 million vs $300 million" at a glance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from claims import independence
from claims.models import Claim
from sources.ingest.fingerprint import set_jaccard
from sources.ingest.numbers import NumericConflict, numeric_conflicts
from sources.models import Article, article_body_fields
from sources.registry import PublisherRegistry
from workbench.db import is_postgres

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
        # Who published each article and whose text it is (what the judgement compares) come
        # from the publisher registry below, not three joins of the publisher table.
        .select_related("article")
        # The judgement reads the article's text; the rest of the page dump is not needed.
        .defer(*article_body_fields("article__", keep=("text",)))
    )
    rows = similar_claims(queryset, claim, limit=limit + len(exclude_ids))
    rows = [r for r in rows if r.pk not in exclude_ids and r.similarity >= MIN_SIMILARITY][:limit]
    if not rows:
        return []
    registry = registry or PublisherRegistry.shared()
    registry.attach([row.article for row in rows])
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


# -- Similar claims: a bounded prefilter, then ranking in Python ------------------------------

PREFILTER_LIMIT = 200
RARE_LEXEMES = 6
_WORD_RE = re.compile(r"[^\W\d_][\w'’-]{2,}")
_STOPWORDS = frozenset(
    {
        "the",
        "and",
        "for",
        "that",
        "with",
        "this",
        "from",
        "have",
        "has",
        "had",
        "was",
        "were",
        "are",
        "been",
        "its",
        "their",
        "they",
        "them",
        "said",
        "says",
        "will",
        "would",
        "could",
        "should",
        "also",
        "which",
        "while",
        "about",
        "into",
        "over",
        "more",
        "than",
        "other",
        "after",
        "before",
        "such",
        "these",
        "those",
        "there",
        "where",
        "when",
        "what",
        "who",
        "whom",
        "whose",
        "not",
        "but",
        "all",
        "any",
        "can",
        "may",
        "might",
        "must",
        "our",
        "out",
        "per",
        "some",
        "very",
        "just",
        "only",
        "being",
        "both",
        "each",
        "most",
        "many",
        "much",
        "according",
        "told",
        "year",
        "years",
    }
)


def rare_lexemes(claim_id: int, *, limit: int = RARE_LEXEMES) -> list[str]:
    """The claim's `limit` least frequent lexemes (PostgreSQL: one query).

    Frequencies come from the planner's statistics of the stored tsvector column
    (`pg_stats.most_common_elems`, gathered by ANALYZE): a lexeme missing from that list is
    rarer than any listed one.
    """
    table = Claim._meta.db_table
    sql = f"""
        WITH mine AS (
            SELECT unnest(tsvector_to_array(search_vector)) AS lexeme
            FROM {table} WHERE id = %s
        ), stats AS (
            SELECT unnest(most_common_elems::text::text[]) AS lexeme,
                   unnest(most_common_elem_freqs) AS freq
            FROM pg_stats
            WHERE schemaname = current_schema() AND tablename = %s
              AND attname = 'search_vector'
        )
        SELECT mine.lexeme FROM mine LEFT JOIN stats USING (lexeme)
        WHERE length(mine.lexeme) > 2
        ORDER BY coalesce(stats.freq, 0), length(mine.lexeme) DESC, mine.lexeme
        LIMIT %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [claim_id, table, limit])
        return [row[0] for row in cursor.fetchall()]


def keywords(text: str, *, limit: int = RARE_LEXEMES) -> list[str]:
    """The longest distinct non-stopwords of a text (SQLite's stand-in for rare lexemes)."""
    words = {w.casefold().strip("'’-") for w in _WORD_RE.findall(text)}
    words = {w for w in words if len(w) > 3 and w not in _STOPWORDS}
    return sorted(words, key=lambda w: (-len(w), w))[:limit]


def similar_claims(queryset: QuerySet, claim, *, limit: int) -> list:
    """Rank claims of `queryset` by similarity to `claim`, after a bounded prefilter.

    Prefilter, at most PREFILTER_LIMIT triageable claims of other articles (no chrome, no
    retired claims) —
    PostgreSQL: the claim's rarest lexemes OR-ed into a tsquery against the stored
    `search_vector` (GIN); SQLite: claims containing any of the claim's longest words. The
    prefiltered texts are ranked in Python (`word_similarity`): on PostgreSQL that is several
    times faster than pg_trgm `similarity()` over 200 rows (each call re-trigrams both
    texts). The best `limit` rows are then read with `queryset`'s joins; each gets a
    `similarity` attribute. Queries: PostgreSQL 3, SQLite 2 (1 and 0 when nothing matches).
    """
    others = queryset.model.objects.triageable().exclude(article_id=claim.article_id)
    if is_postgres(queryset):
        lexemes = rare_lexemes(claim.pk)
        if not lexemes:
            return []
        tsquery = " | ".join("'" + lex.replace("'", "''") + "'" for lex in lexemes)
        column = f'"{queryset.model._meta.db_table}"."search_vector"'
        prefilter = others.filter(
            RawSQL(f"{column} @@ %s::tsquery", [tsquery], output_field=BooleanField())
        )
    else:
        words = keywords(claim.text)
        if not words:
            return []
        condition = Q()
        for word in words:
            condition |= Q(text__icontains=word)
        prefilter = others.filter(condition)
    texts = list(prefilter.order_by().values_list("id", "text")[:PREFILTER_LIMIT])
    mine = _word_set(claim.text)
    scored = sorted(
        ((set_jaccard(mine, _word_set(text)), pk) for pk, text in texts),
        key=lambda item: (-item[0], item[1]),
    )[:limit]
    if not scored:
        return []
    score = {pk: value for value, pk in scored}
    rows = list(queryset.filter(pk__in=score))
    for row in rows:
        row.similarity = score[row.pk]
    rows.sort(key=lambda r: (-r.similarity, r.pk))
    return rows


def word_similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' word sets (0–1)."""
    return set_jaccard(_word_set(a), _word_set(b))


def _word_set(text: str) -> set[str]:
    """The text's words (1-shingles) of three letters or more, case-folded."""
    return set(_WORD_RE.findall(text.casefold()))
