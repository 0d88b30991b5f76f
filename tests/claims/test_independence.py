"""Independence of evidence from a claim's own source: publisher, owner, citation, copies."""

import pytest

from claims.independence import judge, shingle_similarity
from claims.models import Independence
from sources.models import Ownership
from tests.factories import ArticleFactory, ClaimFactory, PublisherFactory

pytestmark = pytest.mark.django_db

WIRE_TEXT = (
    "China tightens rare earth exports\n"
    "Beijing announced new export controls on seven rare earth elements on Friday. "
    "The measures cover samarium, gadolinium and terbium and take effect next month. "
    "Officials said the rules protect national security and meet international obligations."
)


@pytest.fixture
def registry():
    """State media with a shared owner, and two unrelated outlets."""
    peoples_daily = PublisherFactory(
        name="People's Daily", ownership=Ownership.STATE_OWNED, domains=["people.com.cn"]
    )
    global_times = PublisherFactory(
        name="Global Times",
        aliases=["GT", "Huanqiu Shibao"],
        domains=["globaltimes.cn"],
        parent=peoples_daily,
        ownership=Ownership.STATE_OWNED,
    )
    china_daily_online = PublisherFactory(name="People's Daily Online", parent=peoples_daily)
    reuters = PublisherFactory(name="Reuters", domains=["reuters.com"])
    korea_herald = PublisherFactory(name="The Korea Herald", domains=["koreaherald.com"])
    return {
        "peoples_daily": peoples_daily,
        "global_times": global_times,
        "pd_online": china_daily_online,
        "reuters": reuters,
        "korea_herald": korea_herald,
    }


@pytest.fixture
def gt_claim(registry):
    return ClaimFactory(article=ArticleFactory(publisher=registry["global_times"], text=WIRE_TEXT))


def test_same_publisher_by_outlet_alias_is_not_independent(gt_claim):
    assert judge(claim=gt_claim, outlet="gt") == (
        Independence.NOT_INDEPENDENT,
        "same publisher: Global Times",
    )


def test_same_publisher_by_url_subdomain_is_not_independent(gt_claim):
    value, reason = judge(claim=gt_claim, url="https://www.en.globaltimes.cn/page/2025/1.shtml")
    assert value == Independence.NOT_INDEPENDENT
    assert reason == "same publisher: Global Times"


def test_parent_organisation_is_not_independent_of_its_outlet(gt_claim, registry):
    value, reason = judge(claim=gt_claim, publisher=registry["peoples_daily"])
    assert value == Independence.NOT_INDEPENDENT
    assert reason == "same owner: People's Daily owns Global Times"


def test_sister_outlets_of_one_owner_are_not_independent(gt_claim):
    value, reason = judge(claim=gt_claim, outlet="People’s Daily Online")
    assert value == Independence.NOT_INDEPENDENT
    assert reason == "same owner: People's Daily owns both Global Times and People's Daily Online"


@pytest.mark.parametrize(
    "excerpt",
    [
        "A ministry official told the Global Times the controls were routine.",
        "Global Times reported that output would rise.",
        "According to the Global Times, output would rise.",
        "BEIJING, March 3 (Global Times) -- Output would rise.",
        "Output would rise, an expert told GT.",
        "Output would rise. — People's Daily",
    ],
)
def test_evidence_citing_the_claims_source_is_not_independent(gt_claim, registry, excerpt):
    value, reason = judge(claim=gt_claim, publisher=registry["reuters"], excerpt=excerpt)
    assert value == Independence.NOT_INDEPENDENT
    assert reason.startswith("cites the claim's source: ")


def test_mentioning_the_source_without_citing_it_stays_independent(gt_claim, registry):
    excerpt = "Exports fell 20 percent in April, customs data showed."
    assert judge(claim=gt_claim, publisher=registry["reuters"], excerpt=excerpt)[0] == (
        Independence.INDEPENDENT
    )


def test_near_identical_evidence_article_is_a_syndicated_copy(gt_claim, registry):
    copy_text = WIRE_TEXT.replace("on Friday", "on Friday, state media said") + " Ends."
    copy = ClaimFactory(article=ArticleFactory(publisher=registry["korea_herald"], text=copy_text))
    value, reason = judge(claim=gt_claim, evidence_claim=copy)
    assert (value, reason) == (
        Independence.NOT_INDEPENDENT,
        "near-identical text (syndicated copy)",
    )


def test_evidence_claim_takes_its_articles_publisher(gt_claim, registry):
    other = ClaimFactory(article=ArticleFactory(publisher=registry["pd_online"]))
    value, reason = judge(claim=gt_claim, evidence_claim=other)
    assert value == Independence.NOT_INDEPENDENT
    assert reason.startswith("same owner: People's Daily")


def test_different_publisher_without_shared_owner_is_independent(gt_claim, registry):
    assert judge(claim=gt_claim, url="https://www.reuters.com/markets/x") == (
        Independence.INDEPENDENT,
        "different publisher, no shared owner",
    )


def test_unregistered_outlet_is_independent(gt_claim):
    assert judge(claim=gt_claim, outlet="Mining Weekly")[0] == Independence.INDEPENDENT


def test_unidentified_source_is_unknown(gt_claim):
    assert judge(claim=gt_claim, excerpt="Output rose sharply.") == (
        Independence.UNKNOWN,
        "source not identified",
    )


def test_shingle_similarity_of_identical_and_unrelated_texts():
    text = "one two three four five six seven eight"
    assert shingle_similarity(text, text) == 1.0
    assert shingle_similarity(text, "nine ten eleven twelve thirteen fourteen") == 0.0
    assert shingle_similarity("", text) == 0.0
    assert 0.0 < shingle_similarity(text, text + " nine") < 1.0
