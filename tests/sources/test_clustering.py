"""Syndication clusters: near-copies grouped, the earliest is the origin, the rest stay apart."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from sources.clustering import compare, sketch
from sources.models import Article
from sources.services import articles_import

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


def test_command_recomputes_clusters_and_prints_figures(imported_seeds):
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
