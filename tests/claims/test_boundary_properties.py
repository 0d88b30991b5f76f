"""Property tests: whatever fixes reviewers make, in whatever order, the span rule holds.

Random sequences of splits, merges, span moves, creations, kind changes and reverts on an
article with awkward text (astral characters, CJK, non-breaking spaces, line breaks). After
every step `article.text[start:end] == claim.text` for every claim, no two current claims
share a span, no claim starts or ends with whitespace — and a refused step changed nothing.
"""

from itertools import count

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims import boundaries
from claims.models import BoundaryChange, Claim, ClaimKind
from tests.factories import ArticleFactory, UserFactory

SENTENCES = [
    "Lindqvist Cranes will double output by 2027.",
    "The yard employs 1,200 people.",
    "“We are hiring,” Mara Holm said.",
    "Ore from 白云鄂博 arrives weekly 🚢 by ship.",
    "Prices rose\u00a05 percent.",
    "Link copied",
]

EXAMPLES = count()

step = st.tuples(
    st.sampled_from(["split", "merge", "span", "create", "kind", "revert"]),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=60),
)


def snapshot(article) -> list[tuple]:
    return sorted(
        Claim.objects.filter(article=article).values_list(
            "pk", "start", "end", "text", "kind", "retired", "merged_into_id", "version"
        )
    )


def assert_span_rule(article) -> None:
    spans = set()
    for claim in Claim.objects.filter(article=article):
        assert article.text[claim.start : claim.end] == claim.text
        assert claim.text and claim.text == claim.text.strip()
        if not claim.retired:
            assert (claim.start, claim.end) not in spans
            spans.add((claim.start, claim.end))


def apply(article, user, op: str, a: int, b: int, c: int) -> None:
    current = list(Claim.objects.current().filter(article=article).order_by("start", "end", "pk"))
    size = len(article.text)
    claim = current[a % len(current)] if current else None
    if op == "split" and claim:
        point = claim.start + b % max(claim.end - claim.start, 1)
        boundaries.claim_split(claim=claim, at=point, by=user, version=None, reason="p")
    elif op == "merge" and len(current) > 1:
        index = current.index(claim)
        other = current[index + 1] if index + 1 < len(current) else current[index - 1]
        boundaries.claim_merge(claim=claim, other=other, by=user, version=None, reason="p")
    elif op == "span" and claim:
        start = b % (size + 1)
        boundaries.claim_set_span(
            claim=claim, start=start, end=start + c, by=user, version=None, reason="p"
        )
    elif op == "create":
        start = b % (size + 1)
        boundaries.claim_create(
            article=article, start=start, end=start + c, kind=ClaimKind.STATEMENT, by=user
        )
    elif op == "kind" and claim:
        kind = ClaimKind.CHROME if claim.kind != ClaimKind.CHROME else ClaimKind.STATEMENT
        boundaries.claim_set_kind(claim=claim, kind=kind, by=user, version=None)
    elif op == "revert":
        fixes = list(BoundaryChange.objects.filter(record__article_id=article.pk))
        if fixes:
            fix = fixes[a % len(fixes)]
            boundaries.history_revert(kind="claim", history_id=fix.record_id, by=user)


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    order=st.permutations(range(len(SENTENCES))),
    steps=st.lists(step, min_size=1, max_size=12),
)
def test_any_sequence_of_fixes_keeps_the_span_rule(order, steps):
    with transaction.atomic():
        check_fixes(order, steps)
        transaction.set_rollback(True)  # each example starts from an empty database


def check_fixes(order, steps) -> None:
    text = f"Headline {next(EXAMPLES)}\n" + " ".join(SENTENCES[i] for i in order) + "\n"
    article = ArticleFactory(text=text, received_text=text)
    user = UserFactory(username="prop")
    for sentence in SENTENCES[:3]:
        start = text.index(sentence)
        Claim.objects.create(
            article=article,
            start=start,
            end=start + len(sentence),
            text=sentence,
            kind=ClaimKind.STATEMENT,
        )
    for op, a, b, c in steps:
        before = snapshot(article)
        try:
            apply(article, user, op, a, b, c)
        except (boundaries.SpanRefused, boundaries.RevertRefused):
            assert snapshot(article) == before  # nothing half-written
        assert_span_rule(article)
