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
import time
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
        .select_related("article", "family_member")  # the judgement's claim family too
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
COPY_LEXEMES = 3
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


# The planner's statistics of the search vectors, read at most once per STATS_MAX_AGE seconds
# per process: planning a query on the pg_stats view took longer than running the rest of
# the lookup (8 ms of a 15 ms panel at 1M claims), and they only change at the next ANALYZE.
STATS_MAX_AGE = 600.0
_stats: dict[str, tuple[float, dict[str, float]]] = {}


def lexeme_frequencies(*, table: str | None = None) -> dict[str, float]:
    """The most common lexemes of the claims' `search_vector` with their frequencies (0–1).

    PostgreSQL's `pg_stats.most_common_elems`, gathered by ANALYZE: a lexeme missing from it is
    rarer than any listed one. Cached per process, database and table for STATS_MAX_AGE.
    """
    table = table or Claim._meta.db_table
    key = f"{connection.alias}:{connection.settings_dict['NAME']}:{table}"
    cached = _stats.get(key)
    if cached is not None and time.monotonic() - cached[0] < STATS_MAX_AGE:
        return cached[1]
    sql = """
        SELECT unnest(most_common_elems::text::text[]), unnest(most_common_elem_freqs)
        FROM pg_stats
        WHERE schemaname = current_schema() AND tablename = %s AND attname = 'search_vector'
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [table])
        frequencies = {lexeme: float(freq) for lexeme, freq in cursor.fetchall()}
    _stats[key] = (time.monotonic(), frequencies)
    return frequencies


def rare_lexemes(claim_id: int, *, limit: int = RARE_LEXEMES) -> list[str]:
    """The claim's `limit` least frequent lexemes of three letters or more (PostgreSQL).

    One query for the claim's lexemes; their frequencies come from `lexeme_frequencies`
    (one more query when its cache is cold). Ties: longer lexemes first, then alphabetical.
    """
    table = Claim._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tsvector_to_array(search_vector) FROM {table} WHERE id = %s", [claim_id]
        )
        row = cursor.fetchone()
    frequencies = lexeme_frequencies(table=table)
    mine = [lexeme for lexeme in (row[0] or [] if row else []) if len(lexeme) > 2]
    mine.sort(key=lambda lexeme: (frequencies.get(lexeme, 0.0), -len(lexeme), lexeme))
    return mine[:limit]


def keywords(text: str, *, limit: int = RARE_LEXEMES) -> list[str]:
    """The longest distinct non-stopwords of a text (SQLite's stand-in for rare lexemes)."""
    words = {w.casefold().strip("'’-") for w in _WORD_RE.findall(text)}
    words = {w for w in words if len(w) > 3 and w not in _STOPWORDS}
    return sorted(words, key=lambda w: (-len(w), w))[:limit]


def similar_claims(queryset: QuerySet, claim, *, limit: int) -> list:
    """Rank claims of `queryset` by similarity to `claim`, after a bounded prefilter.

    Prefilter, at most PREFILTER_LIMIT triageable claims of other articles (no chrome, no
    retired claims) —
    PostgreSQL: claims with all of the claim's COPY_LEXEMES rarest lexemes (near-copies), then
    claims with any of its RARE_LEXEMES rarest, against the stored `search_vector` (GIN);
    SQLite: claims containing any of the claim's longest words. The prefiltered texts are
    ranked in Python (`word_similarity`): on PostgreSQL that is several times faster than
    pg_trgm `similarity()` over 200 rows (each call re-trigrams both texts). The best `limit`
    rows are then read with `queryset`'s joins; each gets a `similarity` attribute. Queries:
    PostgreSQL 3, SQLite 2 (1 and 0 when nothing matches).
    """
    others = queryset.model.objects.triageable().exclude(article_id=claim.article_id)
    if is_postgres(queryset):
        lexemes = rare_lexemes(claim.pk)
        if not lexemes:
            return []
        terms = ["'" + lex.replace("'", "''") + "'" for lex in lexemes]
        column = f'"{queryset.model._meta.db_table}"."search_vector"'

        def matches(tsquery: str) -> RawSQL:
            return RawSQL(f"{column} @@ %s::tsquery", [tsquery], output_field=BooleanField())

        # Near-copies first: claims with all of its COPY_LEXEMES rarest terms (an intersection
        # of a few posting lists, small even where those terms are common because the text was
        # copied many times), then claims with any rare term. One query: PostgreSQL runs the
        # second branch of the UNION ALL only if the first leaves the LIMIT unfilled.
        every = " & ".join(terms[:COPY_LEXEMES])
        copies = others.filter(matches(every))
        rest = others.filter(matches(" | ".join(terms))).exclude(matches(every))
        prefilter = (
            copies.order_by()
            .values_list("id", "text")
            .union(rest.order_by().values_list("id", "text"), all=True)
        )
        texts = list(prefilter.order_by()[:PREFILTER_LIMIT])
    else:
        words = keywords(claim.text)
        if not words:
            return []
        condition = Q()
        for word in words:
            condition |= Q(text__icontains=word)
        texts = list(
            others.filter(condition).order_by().values_list("id", "text")[:PREFILTER_LIMIT]
        )
    mine = _word_set(claim.text)
    similarity: dict[str, float] = {}  # a text copied many times is compared once
    for _, text in texts:
        if text not in similarity:
            similarity[text] = set_jaccard(mine, _word_set(text))
    scored = sorted(
        ((similarity[text], pk) for pk, text in texts),
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
