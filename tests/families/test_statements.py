"""The plain-text side of claim families: normal forms, signatures, matching, grouping."""

import csv
import random
from pathlib import Path

import pytest

from sources.ingest.provenance import without_credits
from sources.ingest.statements import (
    BANDS,
    EXACT,
    MAX_BUCKET,
    MIN_SHARED_BANDS,
    NEAR_EXACT_HOW,
    PARAPHRASE_HOW,
    Signature,
    Statement,
    bucket_pairs,
    candidate_pairs,
    candidate_pairs_with,
    family_groups,
    match,
    normalise,
    signature,
)

PAIRS = Path(__file__).resolve().parents[2] / "families" / "data" / "pairs.csv"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Output “rose” sharply.", 'Output "rose" sharply'),
        ("Output rose — sharply.", "Output rose -- sharply."),
        ("Output rose\nsharply.", "Output  rose sharply."),
        ("HARBOURTOWN (Example Wire) — Output rose sharply.", "Output rose sharply."),
        ("Output rose sharply. (Example Wire)", "Output rose sharply."),
        ("Output rose sharply. -- EXAMPLE WIRE", "Output rose sharply."),
    ],
)
def test_normal_form_ignores_quotes_dashes_wraps_and_credits(a, b):
    assert normalise(a) == normalise(b)


def test_normal_form_keeps_the_words():
    assert normalise("Output rose sharply.") != normalise("Output fell sharply.")


def test_without_credits_leaves_a_plain_sentence_alone():
    text = "The mine (in the north) produced ore."
    assert without_credits(text) == text


def test_signature_of_a_short_statement_is_its_exact_key_only():
    assert signature("China bans exports.").bands == ()
    assert len(signature("The trade ministry said the new rules would start soon.").bands) == BANDS


def test_match_says_how():
    base = (
        "The trade ministry said the new licensing rules for magnet exports would start in March."
    )
    assert match(base, base.upper()).how == EXACT
    assert match(base, base.replace("would start", "will start")).how == NEAR_EXACT_HOW
    reordered = "The new licensing rules for magnet exports will start in March, the ministry said."
    assert match(base, reordered).how == PARAPHRASE_HOW


def test_conflicting_figures_are_not_one_statement():
    a = "The deal between Orion Holdings and Baytree Mining is worth $250 million."
    assert match(a, a.replace("$250", "$300")) is None


def test_within_one_article_only_copies_count():
    a = "The trade ministry said the new licensing rules for magnet exports would start in March."
    b = "The new licensing rules for magnet exports will start in March, the ministry said."
    assert match(a, b, same_article=True) is None
    assert match(a, a + " ", same_article=True).how == EXACT


def test_family_groups_join_chains_and_keep_strangers_out():
    texts = [
        "Northwind Metals said output at its Kestrel plant would double by the end of the decade.",
        "Northwind Metals says output at its Kestrel plant will double by the end of the decade.",
        "HARBOURTOWN (Example Wire) — Northwind Metals said output at its Kestrel plant would "
        "double by the end of the decade.",
        "Prices of dysprosium oxide fell for a third straight week in Harbourtown.",
    ]
    found = family_groups([Statement(i + 1, t, i + 1) for i, t in enumerate(texts)])
    assert [sorted(g) for g in found] == [[1, 2, 3]]
    assert found[0][3].how == EXACT


def labelled_pairs():
    with PAIRS.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_labelled_pairs_say_how_each_was_judged():
    rows = labelled_pairs()
    assert len(rows) >= 30
    assert all(r["same"] in {"yes", "no"} and r["judged"].strip() for r in rows)


def test_precision_and_recall_on_the_labelled_pairs():
    tp = fp = fn = 0
    for row in labelled_pairs():
        found, same = match(row["a"], row["b"]) is not None, row["same"] == "yes"
        tp += found and same
        fp += found and not same
        fn += same and not found
    assert tp / (tp + fp) >= 0.85
    assert tp / (tp + fn) >= 0.95


@pytest.mark.parametrize("seed", range(5))
def test_the_pairs_of_new_statements_are_those_of_all_pairs_that_hold_one(seed):
    """An import walks only its statements' buckets: the same pairs as comparing every
    statement and keeping those with a new one — boilerplate buckets (over MAX_BUCKET)
    skipped alike, exact copies chained alike."""
    rng = random.Random(seed)
    signatures = {}
    for pk in range(1, 3 * MAX_BUCKET):
        # Few band values: buckets of every size; two boilerplate ones (value 0 of bands 0
        # and 1), where the odd statements share two bands and are no pair for it.
        bands = tuple(0 if band < 2 and pk % 2 else rng.randrange(12) for band in range(BANDS))
        signatures[pk] = Signature(f"key {rng.randrange(40)}", bands if pk % 7 else ())
    new = set(rng.sample(sorted(signatures), 60)) | {10**6}  # one with no signature
    expected = {p for p in candidate_pairs(signatures) if p[0] in new or p[1] in new}
    assert candidate_pairs_with(signatures, new) == expected
    assert expected  # the case is not empty


@pytest.mark.parametrize("seed", range(5))
def test_an_import_needs_only_the_stored_statements_of_its_compared_buckets(seed):
    """An import reads the stored statements sharing a value with its own that is compared
    (held by 2 to MAX_BUCKET statements of all), and names the others `not_compared`
    (families/grouping.py families_group_new): the same pairs as with every statement given —
    none through a boilerplate bucket whose members were only partly read."""
    rng = random.Random(seed)
    signatures = {}
    for pk in range(1, 3 * MAX_BUCKET):
        bands = tuple(0 if band < 2 and pk % 2 else rng.randrange(12) for band in range(BANDS))
        signatures[pk] = Signature(f"key {rng.randrange(40)}", bands if pk % 7 else ())
    new = set(rng.sample(sorted(signatures), 60))
    held: dict[tuple[int, int], int] = {}
    for sig in signatures.values():
        for key in enumerate(sig.bands):
            held[key] = held.get(key, 0) + 1
    mine = {key for pk in new for key in enumerate(signatures[pk].bands)}
    not_compared = {key for key in mine if not 2 <= held[key] <= MAX_BUCKET}
    keys = {signatures[pk].exact for pk in new}
    read = {
        pk: sig
        for pk, sig in signatures.items()
        if pk in new or sig.exact in keys or (set(enumerate(sig.bands)) & mine) - not_compared
    }
    assert len(read) < len(signatures) and not_compared  # the case reads less, and skips
    expected = {p for p in candidate_pairs(signatures) if p[0] in new or p[1] in new}
    assert candidate_pairs_with(read, new, not_compared) == expected


def test_a_partly_read_boilerplate_bucket_pairs_nobody():
    """x and t share two boilerplate band values only (held by MAX_BUCKET + 1 statements):
    no pair. t is read for y (two other bands): the two boilerplate buckets then hold only x
    and t of the import's statements, and only `not_compared` keeps them from pairing."""
    unique = iter(range(100, 10**6))
    x = (0, 0, *(next(unique) for _ in range(BANDS - 2)))
    t = (0, 0, 7, 7, *(next(unique) for _ in range(BANDS - 4)))
    y = (next(unique), next(unique), 7, 7, *(next(unique) for _ in range(BANDS - 4)))
    read = {1: Signature("x", x), 2: Signature("t", t), 3: Signature("y", y)}
    assert candidate_pairs_with(read, {1, 3}, {(0, 0), (1, 0)}) == {(2, 3)}
    assert candidate_pairs_with(read, {1, 3}) == {(1, 2), (2, 3)}


@pytest.mark.parametrize("seed", range(5))
def test_bucket_pairs_are_the_members_sharing_enough_bands(seed):
    """Every pair of each bucket compared band by band, boilerplate buckets skipped: the
    pairs `bucket_pairs` lists without comparing them all."""
    rng = random.Random(seed)
    # Value 0 of each band is boilerplate (~240 members), the others ~45.
    members = {
        pk: tuple(0 if rng.random() < 0.4 else rng.randrange(1, 8) for _ in range(BANDS))
        for pk in range(1, 600)
    }
    buckets = {}
    for pk, bands in members.items():
        for key in enumerate(bands):
            buckets.setdefault(key, []).append((pk, bands))
    expected = set()
    for members_of in buckets.values():
        if 2 <= len(members_of) <= MAX_BUCKET:
            for x, xb in members_of:
                for y, yb in members_of:
                    shared = sum(a == b for a, b in zip(xb, yb, strict=True))
                    if x < y and shared >= MIN_SHARED_BANDS:
                        expected.add((x, y))
    found = bucket_pairs((band, m) for (band, _), m in buckets.items())
    assert found == expected and expected
    assert any(len(m) > MAX_BUCKET for m in buckets.values())  # some are skipped
