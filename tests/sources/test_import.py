"""Importing articles: every statement becomes a claim with an exact span, nothing half-written."""

from datetime import datetime

import pytest
from django.utils import timezone

from claims.models import Claim, ClaimKind
from imports.in_process import articles_import
from sources.models import Article, ImportFile, ImportOutcome, Ownership, Publisher
from tests.conftest import sample_path, seed_path

pytestmark = pytest.mark.django_db


def _aware(*args):
    return timezone.make_aware(datetime(*args), timezone.get_default_timezone())


def test_every_claim_span_round_trips(imported_samples):
    claims = list(Claim.objects.select_related("article"))
    assert len(claims) > 80
    for claim in claims:
        assert claim.article.text[claim.start : claim.end] == claim.text
        assert claim.text == claim.text.strip()


def test_seed_metadata(imported_seeds):
    gt = imported_seeds["000"]
    assert (
        gt.title == "China's state-owned industrial giants set up joint rare-earth innovation hub"
    )
    assert gt.published_at == _aware(2022, 7, 20, 23, 43)
    assert gt.published_raw == "Jul 20, 2022 11:43 PM"
    assert gt.publisher.name == "Global Times"

    ree = imported_seeds["001"]
    assert ree.publisher.name == "Rare Earth Exchanges"
    assert ree.published_at is None
    assert ree.title

    xiongan = imported_seeds["002"]
    assert xiongan.title == "Nation plans world-class rare-earth cluster in Xiongan New Area"
    assert xiongan.publisher.name == "Global Times"

    jiangxi = imported_seeds["003"]
    assert jiangxi.title.startswith("China’s Jiangxi Province to boost rare earths")
    assert jiangxi.published_at == _aware(2019, 7, 9, 19, 48, 40)
    assert jiangxi.published_raw == "2019/7/9 19:48:40"
    assert jiangxi.byline == "Wang Cong and Yang Kunyi"
    assert jiangxi.publisher.name == "Global Times"

    herald = imported_seeds["004"]
    assert herald.title == "Korea, China to collaborate on rare earths processing"
    assert herald.published_at == _aware(2011, 4, 21, 18, 53)
    assert herald.published_raw == "April 21, 2011 - 18:53"
    assert herald.byline == "고영아"
    assert herald.publisher.name == "The Korea Herald"
    assert herald.language == "en"


def test_mojibake_is_repaired_and_recorded(imported_seeds):
    ree = imported_seeds["001"]
    assert "โ" in ree.received_text
    assert not Claim.objects.filter(article=ree, text__contains="โ").exists()
    assert "โ" not in ree.text
    assert "group’s headquarters" in ree.text
    kinds = {r["kind"] for r in ree.repairs}
    assert "mojibake-cp874" in kinds
    for repair in ree.repairs:
        assert ree.received_text[repair["start"] : repair["end"]] == repair["original"]
        assert (
            ree.text[repair["canonical_start"] : repair["canonical_end"]] == repair["replacement"]
        )


def test_disclaimer_sentences_are_disclaimer_claims(imported_seeds):
    disclaimers = list(
        Claim.objects.filter(article=imported_seeds["001"], kind=ClaimKind.DISCLAIMER)
    )
    assert len(disclaimers) == 2
    assert "state-affiliated Chinese media" in disclaimers[0].text
    assert "verified with independent sources" in disclaimers[1].text
    assert all(c in Claim.objects.triageable() for c in disclaimers)


@pytest.mark.parametrize(
    ("prefix", "chrome"),
    [
        ("001", "0 Comments"),
        ("001", "Loading new replies..."),
        ("003", "blog comments powered by Disqus"),
        ("004", "Link copied"),
    ],
)
def test_page_chrome_is_kept_but_not_triaged(imported_seeds, prefix, chrome):
    article = imported_seeds[prefix]
    span = Claim.objects.get(article=article, text__contains=chrome)
    assert span.kind == ClaimKind.CHROME
    assert not Claim.objects.triageable().filter(pk=span.pk).exists()


def test_every_body_sentence_is_a_claim(imported_seeds):
    herald = imported_seeds["004"]
    texts = list(Claim.objects.triageable().filter(article=herald).values_list("text", flat=True))
    assert any(t.startswith("State-run Korea Resources Corp. said Thursday") for t in texts)
    assert any(t.startswith("The Korean government pledged last month") for t in texts)
    assert any(t.startswith("China has been curbing its annual rare earth export") for t in texts)


def test_reimport_creates_nothing(imported_samples, sample_paths):
    before = (Article.objects.count(), Claim.objects.count(), Claim.history.count())
    _, results = articles_import([(p.name, p.read_bytes()) for p in sample_paths], by=None)
    assert {r.outcome for r in results} == {ImportOutcome.DUPLICATE}
    assert (Article.objects.count(), Claim.objects.count(), Claim.history.count()) == before


def test_same_text_under_another_name_is_a_duplicate(db):
    data = sample_path("04").read_bytes()
    articles_import([("herald.txt", data)], by=None)
    _, [result] = articles_import([("copy-of-herald.txt", data)], by=None)
    assert result.outcome == ImportOutcome.DUPLICATE
    assert result.article.source_name == "herald.txt"
    assert "duplicate of article" in result.describe()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"   \n\n  ", "empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary"),
        ("nul.txt", b"Some text\x00\x00\x00 with NULs\x00" * 20, "binary"),
    ],
)
def test_bad_input_is_rejected_with_reason_and_nothing_written(db, name, data, reason):
    _, [result] = articles_import([(name, data)], by=None)
    assert result.outcome == ImportOutcome.REJECTED
    assert name in result.reason and reason in result.reason
    assert Article.objects.count() == 0
    assert Claim.objects.count() == 0
    assert ImportFile.objects.get(name=name).outcome == ImportOutcome.REJECTED


def test_file_over_the_size_limit_is_rejected(db):
    _, [result] = articles_import([("big.txt", b"word " * 1000)], by=None, max_bytes=1000)
    assert result.outcome == ImportOutcome.REJECTED
    assert "too large" in result.reason


def test_failure_while_storing_claims_leaves_no_article(db, monkeypatch):
    import imports.storing

    real = imports.storing.bulk_insert_with_history

    def explode(objs, model):
        if model is Claim:
            raise RuntimeError("disk full")
        return real(objs, model)

    monkeypatch.setattr(imports.storing, "bulk_insert_with_history", explode)
    with pytest.raises(RuntimeError):
        articles_import([("herald.txt", sample_path("04").read_bytes())], by=None)
    assert Article.objects.count() == 0
    assert Claim.objects.count() == 0
    assert Article.history.count() == 0


def test_import_records_history_for_article_and_every_claim(imported_samples):
    herald = imported_samples["04"]
    claims = Claim.objects.filter(article=herald)
    history = Claim.history.filter(article_id=herald.pk)
    assert history.count() == claims.count()
    assert {h.history_type for h in history} == {"+"}
    assert all(h.history_change_reason.startswith("Imported from") for h in history)
    assert herald.history.count() == 1


def test_history_names_the_file_without_the_server_s_directories(db):
    """The reason is shown on every claim's timeline; the article keeps the whole path."""
    path = "/srv/workbench/drop/2024-05/04_herald.txt"
    _, [result] = articles_import([(path, sample_path("04").read_bytes())], by=None)
    article = result.article
    reasons = {h.history_change_reason for h in Claim.history.filter(article_id=article.pk)}
    assert reasons == {"Imported from 04_herald.txt"}
    assert article.history.get().history_change_reason == "Imported from 04_herald.txt"
    assert article.source_name == path


def test_unknown_outlet_is_created_ungraded_and_known_alias_is_reused(db):
    # The Korea Herald is in the registry (sources migration 0005); the outlet below is not.
    known = Publisher.objects.get(name="The Korea Herald", ownership=Ownership.PRIVATE)
    _, [result] = articles_import([("h.txt", seed_path("004").read_bytes())], by=None)
    assert result.article.publisher == known
    page = (
        b"Magnet plant opens\nBy Aino Virta Source: Tampere Mining Gazette Published: 2024/3/5\n"
        b"\nThe plant made 900 tonnes.\n"
    )
    _, [unknown] = articles_import([("m.txt", page)], by=None)
    assert unknown.article.publisher.name == "Tampere Mining Gazette"
    assert unknown.article.publisher.ownership == Ownership.UNKNOWN
    assert unknown.article.publisher.reliability == "F"
    assert unknown.article.publisher.history.count() == 1


def test_same_text_twice_in_one_group_is_stored_once(db):
    from imports.storing import articles_store
    from sources.ingest.pipeline import process_bytes

    data = sample_path("04").read_bytes()
    items = [process_bytes(data, source_name=n) for n in ("a.txt", "b.txt")]
    first, second = articles_store(items, by=None)
    assert first.outcome == ImportOutcome.IMPORTED
    assert second.outcome == ImportOutcome.DUPLICATE
    assert second.article == first.article
    assert Article.objects.count() == 1


def test_conflict_in_a_group_falls_back_to_one_article_at_a_time(db, monkeypatch):
    """Another import storing one of the group's articles first costs only that article."""
    import imports.storing
    from imports.storing import articles_store
    from sources.ingest.pipeline import process_bytes
    from tests.factories import ArticleFactory

    items = [
        process_bytes(sample_path(p).read_bytes(), source_name=f"{p}.txt") for p in ("03", "04")
    ]
    other = ArticleFactory(sha256=items[1].sha256, text=items[1].text)
    real = imports.storing._stored_articles
    calls = []

    def racing(shas):
        # The first look misses the article another import is committing at that moment.
        calls.append(shas)
        return {} if len(calls) == 1 else real(shas)

    monkeypatch.setattr(imports.storing, "_stored_articles", racing)
    results = articles_store(items, by=None)
    assert [r.outcome for r in results] == [ImportOutcome.IMPORTED, ImportOutcome.DUPLICATE]
    assert results[1].article == other
    assert Claim.objects.filter(article=results[0].article).count() > 10
    assert not Claim.objects.filter(article=other).exists()
    assert results[0].article.publisher.pk == Publisher.objects.get(name="Fjordland Courier").pk
