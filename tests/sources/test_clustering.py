"""Syndication clusters: near-copies grouped, the earliest is the origin, the rest stay apart."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from imports.in_process import articles_import
from sources.ingest.fingerprint import CONTAINMENT_THRESHOLD, compare, containment, jaccard, sketch
from sources.ingest.passages import shared_passages
from sources.ingest.syndication import Item, clusters
from sources.models import Article

pytestmark = pytest.mark.django_db

STORY = (
    "Beijing announced new export controls on seven rare earth elements on Friday. "
    "The measures cover samarium, gadolinium and terbium and take effect next month. "
    "Officials said the rules protect national security and meet international obligations. "
    "Exporters must apply for licences, and the commerce ministry will review each case. "
    "Analysts expect shipments of magnets to Japan and the United States to slow in the "
    "coming weeks while companies wait for approvals. Prices of dysprosium rose on the news."
)
OTHER = (
    "Korea Resources Corp. said it will develop rare earth processing technology with a "
    "Chinese institute. The agency will share equipment, facilities and researchers with the "
    "Baotou Research Institute of Rare Earths, the largest of its kind in the country. "
    "Its chief executive signed the agreement in Baotou City, Inner Mongolia, on Thursday."
)


def page(headline: str, published: str, body: str, source: str) -> tuple[str, bytes]:
    text = f"{headline}\nSource: {source}\nPublished: {published}\n\n{body}\n"
    return (f"{source}-{published}.txt".replace(" ", "_"), text.encode())


def test_sketch_keeps_the_64_smallest_hashes_as_sorted_hex():
    fp = sketch(STORY * 3 + OTHER)
    assert len(fp) == 64
    assert fp == sorted(fp)
    assert all(re.fullmatch(r"[0-9a-f]{16}", v) for v in fp)


def test_compare_estimates_near_copies_high_and_different_texts_low():
    copy = STORY.replace("on Friday", "on Friday, state media said")
    assert compare(sketch(STORY), sketch(copy)).near_copy
    assert not compare(sketch(STORY), sketch(OTHER)).near_copy
    assert compare(sketch(STORY), sketch(OTHER)).jaccard == 0.0


def test_short_reprint_inside_a_longer_page_counts_by_containment():
    longer = STORY + " " + OTHER
    similarity = compare(sketch(STORY), sketch(longer))
    assert similarity.jaccard < 0.8
    assert similarity.containment >= 0.8
    assert similarity.near_copy


def test_near_copies_imported_together_form_one_cluster_with_the_earliest_as_origin():
    _, results = articles_import(
        [
            page("China curbs rare earth exports", "2025/4/5 10:00:00", STORY, "Global Times"),
            page("Beijing tightens export rules", "2025/4/4 09:00:00", STORY, "Xinhua"),
            page(
                "Rare earth curbs",
                "2025/4/6 08:00:00",
                STORY.replace("Prices of dysprosium rose on the news.", "(AFP)"),
                "Agence France-Presse",
            ),
            page("Korea, China to collaborate", "2025/4/4 08:00:00", OTHER, "The Korea Herald"),
        ],
        by=None,
    )
    gt, xinhua, afp, herald = (Article.objects.get(pk=r.article.pk) for r in results)
    assert gt.cluster_origin_id == xinhua.pk
    assert afp.cluster_origin_id == xinhua.pk
    assert xinhua.cluster_origin_id == xinhua.pk  # the origin points at itself
    assert herald.cluster_origin_id is None  # a different story stays alone


def test_a_copy_imported_later_joins_the_stored_cluster():
    articles_import([page("Export curbs", "2025/4/4 09:00:00", STORY, "Xinhua")], by=None)
    origin = Article.objects.get()
    assert origin.cluster_origin_id is None  # a singleton has no cluster

    _, [result] = articles_import(
        [page("Curbs on exports", "2025/4/5 09:00:00", STORY + " More to follow.", "Kyodo News")],
        by=None,
    )
    origin.refresh_from_db()
    copy = Article.objects.get(pk=result.article.pk)
    assert (origin.cluster_origin_id, copy.cluster_origin_id) == (origin.pk, origin.pk)
    assert origin.history.first().history_change_reason == "Syndication cluster at import"


def test_an_earlier_copy_imported_later_becomes_the_origin():
    articles_import([page("Export curbs", "2025/4/5 09:00:00", STORY, "Kyodo News")], by=None)
    articles_import([page("Curbs", "2025/4/6 09:00:00", STORY, "Reuters")], by=None)
    _, [early] = articles_import(
        [page("First report", "2025/4/1 09:00:00", STORY + " Ends.", "Xinhua")], by=None
    )
    origins = set(Article.objects.values_list("cluster_origin_id", flat=True))
    assert origins == {early.article.pk}


def test_seeds_are_distinct_articles(imported_seeds):
    assert not Article.objects.filter(cluster_origin__isnull=False).exists()


def test_command_recomputes_clusters_and_prints_figures(imported_samples):
    articles_import([page("Export curbs", "2025/4/4 09:00:00", STORY, "Xinhua")], by=None)
    articles_import([page("Curbs", "2025/4/5 09:00:00", STORY, "Reuters")], by=None)
    # Forget what the import did, as if the articles predated clustering.
    Article.objects.all().update(cluster_origin=None, fingerprint=[])
    out = StringIO()
    call_command("cluster_articles", stdout=out)
    assert re.fullmatch(
        r"1 clusters found, 2 articles clustered, 2 articles changed, [\d.]+ seconds\n",
        out.getvalue(),
    )
    assert Article.objects.filter(cluster_origin__isnull=False).count() == 2
    assert len(Article.objects.get(source_name__startswith="Reuters").fingerprint) > 0
    out = StringIO()
    call_command("cluster_articles", stdout=out)
    assert "0 articles changed" in out.getvalue()


# -- Containment: one article holding most of another ----------------------------------------

# A long invented page (about 1,200 words) and a short copy of four of its sentences.
LONG_SENTENCES = [
    f"The harbour at berth {n} loaded {n * 7 + 3} crates of tin for buyer {n * 13 % 97} "
    f"on shift {n % 5} under pilot {n * 11 % 89}."
    for n in range(80)
]
LONG = " ".join(LONG_SENTENCES)
SHORT = " ".join(LONG_SENTENCES[30:34])


def test_containment_is_the_shorter_texts_share():
    assert containment(SHORT, LONG) == containment(LONG, SHORT) == 1.0
    assert jaccard(SHORT, LONG) < 0.1
    # Two copied sentences in a page of its own words: a third of it, not most of it.
    part = " ".join([*LONG_SENTENCES[30:32], OTHER])
    assert 0.2 < containment(part, LONG) < CONTAINMENT_THRESHOLD
    # Too short to be called a copy of anything (fewer than 12 words).
    assert containment("tin for buyer 3 on shift", LONG) == 0.0


def test_containment_clusters_a_short_copy_inside_a_long_page():
    items = [Item(1, sketch(LONG)), Item(2, sketch(SHORT)), Item(3, sketch(OTHER))]
    similarity = compare(items[0].fingerprint, items[1].fingerprint)
    # The sketches alone cannot tell: too few of the short text's shingles are sampled.
    assert not similarity.near_copy and not similarity.conclusive
    assert clusters(items) == {}
    texts = {1: LONG, 2: SHORT, 3: OTHER}
    asked = []

    def load(ids):
        asked.append(set(ids))
        return {i: texts[i] for i in ids}

    assert clusters(items, load_texts=load) == {1: 1, 2: 1}
    assert asked == [{1, 2}]  # one load, for the undecided pair only


def test_a_digest_of_two_unrelated_stories_does_not_join_them():
    digest = STORY + " " + OTHER
    items = [Item(1, sketch(STORY)), Item(2, sketch(OTHER)), Item(3, sketch(digest))]
    assert compare(items[1].fingerprint, items[2].fingerprint).near_copy
    assert clusters(items[1:]) == {2: 2, 3: 2}  # one story inside a page: one cluster
    # Holding two stories that are not copies of each other, it does not join them: it stays
    # with the one it nearly is (Jaccard), and the other story stays alone.
    assert clusters(items) == {1: 1, 3: 1}


def test_a_page_sharing_one_paragraph_is_not_clustered_by_containment():
    own = " ".join(f"Reporter {n} interviewed {n * 3} dock workers about wages." for n in range(40))
    mixed = own + " " + " ".join(LONG_SENTENCES[10:13])
    items = [Item(1, sketch(LONG)), Item(2, sketch(mixed))]
    texts = {1: LONG, 2: mixed}
    assert containment(mixed, LONG) < CONTAINMENT_THRESHOLD
    assert clusters(items, load_texts=lambda ids: {i: texts[i] for i in ids}) == {}


def test_import_clusters_a_short_copy_with_the_long_page_it_came_from():
    articles_import([page("Harbour ledger", "2025/4/4 09:00:00", LONG, "Xinhua")], by=None)
    _, [result] = articles_import(
        [page("Tin shipments", "2025/4/5 09:00:00", SHORT, "Kyodo News")], by=None
    )
    origin = Article.objects.get(source_name__startswith="Xinhua")
    copy = Article.objects.get(pk=result.article.pk)
    assert (origin.cluster_origin_id, copy.cluster_origin_id) == (origin.pk, origin.pk)
    # Recomputing everything finds the same cluster.
    Article.objects.all().update(cluster_origin=None)
    call_command("cluster_articles", stdout=StringIO())
    assert set(Article.objects.values_list("cluster_origin_id", flat=True)) == {origin.pk}


# -- Verbatim passages outside quotation marks -------------------------------------------------

PASSAGE = "The river authority opened the northern floodgates on Tuesday after three days of rain"


def test_shared_passage_has_character_spans_in_both_texts():
    a = f"Flood news. {PASSAGE}. Nothing else here."
    b = f"Sandbags in Lesno as sirens sounded. {PASSAGE.lower()}, officials said."
    [p] = shared_passages(a, b)
    assert a[p.a_start : p.a_end] == PASSAGE
    assert b[p.b_start : p.b_end] == PASSAGE.lower()
    assert p.words == 14
    assert p.overlaps_a(0, 20) and not p.overlaps_a(0, 11)


def test_words_in_quotation_marks_do_not_count():
    for opening, closing in [("“", "”"), ('"', '"'), ("„", "“"), ("«", "»")]:
        a = f"The minister said {opening}{PASSAGE}{closing} at noon."
        b = f"Earlier, a spokesman repeated {opening}{PASSAGE}{closing} on radio."
        assert shared_passages(a, b) == [], opening
    # A quotation inside a copied passage is part of its span, not of its word count.
    sentence = f"Officials said “yes” and {PASSAGE}"
    [p] = shared_passages(f"One. {sentence}.", f"Two. {sentence}!")
    assert p.words == 14 + 3


def test_a_line_break_closes_an_unbalanced_quotation():
    a = f"He said “it was fine\n{PASSAGE} today."
    b = f"Other words.\n{PASSAGE} again."
    assert [p.words for p in shared_passages(a, b)] == [14]


def test_passages_shorter_than_twelve_words_are_ignored():
    short = "opened the northern floodgates on Tuesday after three days of rain"  # 11 words
    assert shared_passages(f"A {short} B", f"C {short} D") == []


# ---------------------------------------------------------------- origin along a cluster


def bare(headline: str, published: str, body: str) -> tuple[str, bytes]:
    """A page with no source line: only its body may say whose text it is."""
    text = f"{headline}\nPublished: {published}\n\n{body}\n"
    return (f"{headline}-{published}.txt".replace(" ", "_").replace("/", "-"), text.encode())


def test_an_uncredited_copy_gets_the_credited_copys_origin_with_the_reason():
    _, [credited] = articles_import(
        [bare("Export curbs", "2025/4/4 09:00:00", "BEIJING (AP) — " + STORY)], by=None
    )
    assert credited.article.origin.name == "Associated Press"
    _, [copy, other] = articles_import(
        [
            bare("Curbs widen", "2025/4/5 09:00:00", STORY),
            bare("Korea deal", "2025/4/5 10:00:00", OTHER),
        ],
        by=None,
    )
    copy_article = Article.objects.get(pk=copy.article.pk)
    assert copy_article.cluster_origin_id == credited.article.pk
    assert copy_article.origin.name == "Associated Press"
    assert copy_article.origin_evidence == {
        "kind": "cluster",
        "article": credited.article.pk,
        "text": "Export curbs",
        "why": f"its text is a near-copy of article #{credited.article.pk}, "
        "whose origin is Associated Press",
    }
    assert copy_article.history.first().history_change_reason == (
        "Origin passed along its syndication cluster"
    )
    assert Article.objects.get(pk=other.article.pk).origin is None  # not a copy: nothing


def test_an_inherited_origin_is_taken_back_when_the_cluster_credits_two_origins():
    articles_import([bare("Export curbs", "2025/4/4 09:00:00", "BEIJING (AP) — " + STORY)], by=None)
    _, [copy] = articles_import([bare("Curbs widen", "2025/4/5 09:00:00", STORY)], by=None)
    assert Article.objects.get(pk=copy.article.pk).origin.name == "Associated Press"
    articles_import([bare("Curbs again", "2025/4/6 09:00:00", STORY + " (Reuters)")], by=None)
    copy_article = Article.objects.get(pk=copy.article.pk)
    assert copy_article.origin is None and copy_article.origin_evidence == {}
    # Recomputing every cluster leaves it so (the members still disagree).
    call_command("cluster_articles", stdout=StringIO())
    assert Article.objects.get(pk=copy.article.pk).origin is None


def test_the_pages_own_credit_is_never_replaced_by_the_clusters():
    articles_import([bare("Export curbs", "2025/4/4 09:00:00", "BEIJING (AP) — " + STORY)], by=None)
    _, [own] = articles_import(
        [bare("Curbs widen", "2025/4/5 09:00:00", "BEIJING (AFP) — " + STORY)], by=None
    )
    article = Article.objects.get(pk=own.article.pk)
    assert article.origin.name == "Agence France-Presse"
    assert article.origin_evidence["kind"] != "cluster"
