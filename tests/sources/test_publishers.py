"""The publisher registry shipped by sources migration 0005, and import matching against it."""

import pytest

from imports.in_process import articles_import
from sources.models import Ownership, Publisher
from sources.registry import PublisherRegistry
from tests.conftest import seed_path

pytestmark = pytest.mark.django_db


def chain(name: str) -> list[str]:
    return [p.name for p in Publisher.objects.get(name=name).owner_chain()]


def test_registry_has_the_sample_outlets_and_wire_services_ungraded():
    names = {
        "Global Times",
        "The Korea Herald",
        "Rare Earth Exchanges",
        "Reuters",
        "Agence France-Presse",
        "Associated Press",
        "Xinhua",
        "Kyodo News",
        "Yonhap",
        "Chinese state-affiliated media (unspecified)",
    }
    found = Publisher.objects.filter(name__in=names)
    assert {p.name for p in found} == names
    assert {p.reliability for p in found} == {"F"}


def test_owner_chains_are_recorded():
    assert chain("Global Times") == [
        "Global Times",
        "People's Daily",
        "Central Committee of the Chinese Communist Party",
    ]
    assert chain("The Korea Herald") == ["The Korea Herald", "Herald Corporation"]
    assert chain("Reuters") == ["Reuters", "Thomson Reuters", "Woodbridge Company"]


@pytest.mark.parametrize(
    ("name", "ownership"),
    [
        ("Global Times", Ownership.STATE_AFFILIATED),
        ("People's Daily", Ownership.STATE_OWNED),
        ("Xinhua", Ownership.STATE_OWNED),
        ("The Korea Herald", Ownership.PRIVATE),
        ("Associated Press", Ownership.PRIVATE),
        ("Agence France-Presse", Ownership.PUBLIC_BROADCASTER),
        ("Yonhap", Ownership.STATE_AFFILIATED),
    ],
)
def test_ownership_is_recorded(name, ownership):
    assert Publisher.objects.get(name=name).ownership == ownership


def test_registry_rows_have_history():
    gt = Publisher.objects.get(name="Global Times")
    assert gt.history.filter(history_change_reason__contains="migration 0005").exists()


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("AFP", "Agence France-Presse"),
        ("Korea Herald", "The Korea Herald"),
        ("Yonhap News Agency", "Yonhap"),
        ("globaltimes.cn", "Global Times"),
        ("https://www.globaltimes.cn/page/202507/1.shtml", "Global Times"),
        ("https://en.yna.co.kr/view/AEN2025", "Yonhap"),
        ("http://english.news.cn/20250101/x.htm", "Xinhua"),
    ],
)
def test_registry_finds_publishers_by_alias_and_domain(spelling, expected):
    assert PublisherRegistry.load().find(name=spelling).name == expected


def test_import_uses_the_registry_entry_for_a_known_masthead_and_source_field():
    _, results = articles_import(
        [(p.name, p.read_bytes()) for p in (seed_path("003"), seed_path("004"))], by=None
    )
    gt, herald = (r.article for r in results)
    assert gt.publisher == Publisher.objects.get(name="Global Times")
    assert herald.publisher == Publisher.objects.get(name="The Korea Herald")
    assert herald.publisher.ownership == Ownership.PRIVATE


def test_import_recognises_a_registry_alias_that_the_parser_does_not_know():
    Publisher.objects.filter(name="Rare Earth Exchanges").update(aliases=["REE Weekly"])
    page = b"Magnets ahead\nBy Aino Virta Source: REE Weekly\n\nThe plant made 900 tonnes.\n"
    _, [result] = articles_import([("ree.txt", page)], by=None)
    assert result.article.publisher.name == "Rare Earth Exchanges"


def test_unknown_outlet_is_created_unknown_for_a_lead_to_grade():
    page = (
        b"Magnets ahead\nBy Aino Virta Source: Tampere Mining Gazette Published: 2024/3/5\n\n"
        b"The plant made 900 tonnes.\n"
    )
    _, [result] = articles_import([("t.txt", page)], by=None)
    assert result.article.publisher.name == "Tampere Mining Gazette"
    assert result.article.publisher.ownership == Ownership.UNKNOWN
    assert result.article.publisher.reliability == "F"


def _stored(text: str, **meta):
    """Store one invented page with the given PageMeta values; return the article."""
    from imports.storing import articles_store
    from sources.ingest.pipeline import process_bytes

    processed = process_bytes(text.encode(), source_name="invented.txt")
    for field, value in meta.items():
        setattr(processed.meta, field, value)
    (result,) = articles_store([processed], by=None)
    return result.article


INVENTED = (
    "Harbour board approves a second container berth\n\n"
    "The harbour board of Port Elmsworth approved a second container berth on Monday, "
    "its chair said. Work is due to start in the spring and cost about 40 million crowns.\n"
)


@pytest.mark.django_db
def test_publisher_from_the_pages_registered_domain_keeps_why():
    article = _stored(INVENTED, url="https://lite.globaltimes.cn/page/1.html", publisher_name="")
    assert article.publisher.name == "Global Times"
    assert article.publisher_evidence["kind"] == "url-domain"
    assert "globaltimes.cn" in article.publisher_evidence["why"]


@pytest.mark.django_db
def test_the_url_outranks_an_outlet_named_in_the_text():
    # A mirror of another outlet's story is published by the site it is on.
    article = _stored(INVENTED, url="https://www.yna.co.kr/view/1", publisher_name="Global Times")
    assert article.publisher.name == "Yonhap"


@pytest.mark.django_db
def test_unknown_site_becomes_a_new_unreviewed_publisher_named_after_its_site_name():
    article = _stored(
        INVENTED,
        url="https://news.elmsworth-harbour.com.au/a/1",
        site_name="Elmsworth Harbour News",
    )
    assert article.publisher.name == "Elmsworth Harbour News"
    assert article.publisher.reviewed is False
    assert article.publisher.domains == ["elmsworth-harbour.com.au"]
    assert article.publisher_evidence["kind"] == "new-site"


@pytest.mark.django_db
def test_no_publisher_from_an_empty_or_placeholder_field():
    before = Publisher.objects.count()
    article = _stored(INVENTED, publisher_name="author")
    assert article.publisher is None
    assert Publisher.objects.count() == before


@pytest.mark.django_db
def test_origin_is_stored_with_its_evidence():
    evidence = {"kind": "wire-credit", "text": "(AFP)", "start": 10, "end": 15, "why": "credit"}
    article = _stored(
        INVENTED, url="https://www.yna.co.kr/view/2", origin_name="AFP", origin_evidence=evidence
    )
    assert article.origin.name == "Agence France-Presse"
    assert article.origin_evidence == evidence
    assert article.publisher.name == "Yonhap"
