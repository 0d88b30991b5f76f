"""Independence of evidence from a claim's own source: publisher, owner, citation, copies."""

import pytest

from claims.independence import judge
from claims.models import Independence
from sources.ingest.fingerprint import jaccard
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


def test_jaccard_of_identical_and_unrelated_texts():
    text = "one two three four five six seven eight"
    assert jaccard(text, text) == 1.0
    assert jaccard(text, "nine ten eleven twelve thirteen fourteen") == 0.0
    assert jaccard("", text) == 0.0
    assert 0.0 < jaccard(text, text + " nine") < 1.0


# -- The must-shows, on the samples and the shipped registry ------------------------


def first_statement(article):
    from claims.models import ClaimKind

    return article.claims.filter(kind=ClaimKind.STATEMENT).order_by("start").first()


def test_global_times_claim_corroborated_by_another_global_times_article_is_not_independent(
    imported_seeds,
):
    claim = first_statement(imported_seeds["000"])
    other_gt = first_statement(imported_seeds["003"])
    assert claim.article.publisher.name == other_gt.article.publisher.name == "Global Times"
    assert judge(claim=claim, evidence_claim=other_gt) == (
        Independence.NOT_INDEPENDENT,
        "same publisher: Global Times",
    )


def test_rare_earth_exchanges_disclaimer_is_linked_to_the_state_media_origin(imported_seeds):
    from claims.models import ClaimKind

    ree = imported_seeds["001"]
    assert ree.publisher.name == "Rare Earth Exchanges"
    # Whose text it is, from the disclaimer: the origin, with the statement as its evidence.
    assert ree.republishes == ree.origin
    assert ree.origin.name == "Chinese state-affiliated media (unspecified)"
    assert ree.origin.ownership == Ownership.STATE_AFFILIATED
    assert ree.origin_evidence["kind"] == "republication"
    disclaimer = ree.claims.get(kind=ClaimKind.DISCLAIMER, text__contains="originates from")
    assert disclaimer.start <= ree.origin_evidence["start"] < disclaimer.end


def test_state_media_evidence_for_a_republished_state_media_item_is_not_independent(
    imported_seeds,
):
    ree_claim = first_statement(imported_seeds["001"])
    value, reason = judge(claim=ree_claim, evidence_claim=first_statement(imported_seeds["000"]))
    assert value == Independence.NOT_INDEPENDENT
    assert reason.startswith(
        "the claim's article republishes Chinese state-affiliated media (unspecified); "
        "Global Times is China state media"
    )
    # The Korea Herald is not Chinese state media: independent of the newsletter's origin.
    herald = first_statement(imported_seeds["004"])
    assert judge(claim=ree_claim, evidence_claim=herald)[0] == Independence.INDEPENDENT


def test_evidence_from_the_named_origin_of_a_reprint_is_not_independent():
    from sources.models import Publisher

    xinhua = Publisher.objects.get(name="Xinhua")
    herald = Publisher.objects.get(name="The Korea Herald")
    claim = ClaimFactory(
        article=ArticleFactory(
            publisher=herald,
            origin=xinhua,
            origin_evidence={"kind": "republication", "why": "the page says it republishes Xinhua"},
            text=WIRE_TEXT,
        )
    )
    value, reason = judge(claim=claim, url="http://english.news.cn/2025/x.htm")
    assert value == Independence.NOT_INDEPENDENT
    assert reason == "the claim's article republishes Xinhua; the evidence is from Xinhua"
    # Citing the origin is citing the claim's source.
    value, reason = judge(
        claim=claim, outlet="Kyodo News", excerpt="BEIJING (Xinhua) -- Exports will be curbed."
    )
    assert (value, reason) == (Independence.NOT_INDEPENDENT, "cites the claim's source: “(Xinhua)”")


def test_registry_owner_chain_makes_a_sister_outlet_not_independent():
    from sources.models import Publisher

    reuters = Publisher.objects.get(name="Reuters")
    claim = ClaimFactory(article=ArticleFactory(publisher=reuters, text=WIRE_TEXT))
    sister = PublisherFactory(
        name="Reuters Breakingviews", parent=Publisher.objects.get(name="Thomson Reuters")
    )
    value, reason = judge(claim=claim, publisher=sister)
    assert value == Independence.NOT_INDEPENDENT
    assert reason == "same owner: Thomson Reuters owns both Reuters and Reuters Breakingviews"
    # The owner found from its domain in the registry.
    assert judge(claim=claim, url="https://www.thomsonreuters.com/en/press.html")[1] == (
        "same owner: Thomson Reuters owns Reuters"
    )


def test_wire_reprint_with_the_agency_in_brackets_is_not_independent():
    from sources.models import Publisher

    afp = Publisher.objects.get(name="Agence France-Presse")
    claim = ClaimFactory(article=ArticleFactory(publisher=afp, text=WIRE_TEXT))
    value, reason = judge(
        claim=claim,
        outlet="The Straits Times",
        excerpt="PARIS (AFP) - Beijing announced new export controls on Friday.",
    )
    assert (value, reason) == (Independence.NOT_INDEPENDENT, "cites the claim's source: “(AFP)”")


def test_excerpt_copying_the_claims_article_is_a_near_duplicate(gt_claim, registry):
    excerpt = (
        "The measures cover samarium, gadolinium and terbium and take effect next month. "
        "Officials said the rules protect national security."
    )
    assert judge(claim=gt_claim, publisher=registry["reuters"], excerpt=excerpt) == (
        Independence.NOT_INDEPENDENT,
        "near-identical text: the excerpt copies the claim's article",
    )


def test_evidence_article_in_the_same_syndication_cluster_is_not_independent(gt_claim, registry):
    origin = gt_claim.article
    copy = ArticleFactory(publisher=registry["korea_herald"], cluster_origin=origin)
    origin.cluster_origin = origin
    origin.save()
    value, reason = judge(claim=gt_claim, evidence_claim=ClaimFactory(article=copy))
    assert value == Independence.NOT_INDEPENDENT
    assert (
        reason
        == f"syndicated copy: same cluster as the claim's article (origin: article {origin.pk})"
    )


def test_unrelated_outlet_with_its_own_words_is_independent(imported_seeds):
    claim = first_statement(imported_seeds["004"])
    assert judge(claim=claim, outlet="Reuters", excerpt="Seoul signed a deal with Baotou.") == (
        Independence.INDEPENDENT,
        "different publisher, no shared owner",
    )


# -- Credibility suggestion -----------------------------------------------------------------


def _evidence(claim, stance, publisher, independence=Independence.INDEPENDENT):
    from tests.factories import CorroborationFactory

    return CorroborationFactory(
        claim=claim,
        stance=stance,
        publisher=publisher,
        url="",
        outlet="",
        independence=independence,
    )


def test_credibility_suggestion_follows_the_independent_sources(gt_claim, registry):
    from claims.independence import suggest_credibility
    from claims.models import Stance

    assert suggest_credibility(gt_claim) == (
        6,
        "no independent supporting or contradicting evidence",
    )
    _evidence(gt_claim, Stance.SUPPORTS, registry["reuters"])
    assert suggest_credibility(gt_claim) == (2, "one independent supporting source")
    _evidence(gt_claim, Stance.SUPPORTS, registry["reuters"])  # same source again: still one
    assert suggest_credibility(gt_claim)[0] == 2
    _evidence(gt_claim, Stance.SUPPORTS, registry["peoples_daily"], Independence.NOT_INDEPENDENT)
    assert suggest_credibility(gt_claim)[0] == 2
    _evidence(gt_claim, Stance.SUPPORTS, registry["korea_herald"])
    assert suggest_credibility(gt_claim) == (1, "two independent supporting sources")
    other = PublisherFactory(name="Kyodo News")
    _evidence(gt_claim, Stance.CONTRADICTS, other)
    assert suggest_credibility(gt_claim)[0] == 3


def test_independent_contradictions_outweighing_make_it_doubtful_or_improbable(gt_claim, registry):
    from claims.independence import suggest_credibility
    from claims.models import Stance

    _evidence(gt_claim, Stance.CONTRADICTS, registry["reuters"])
    assert suggest_credibility(gt_claim)[0] == 4
    _evidence(gt_claim, Stance.CONTRADICTS, registry["korea_herald"])
    assert suggest_credibility(gt_claim) == (5, "two independent contradicting sources")


# -- Issue 11: independence that holds (invented outlets and texts) --------------------------

WIRE_SENTENCES = [
    "The river authority of Valdoria opened the northern floodgates on Tuesday after three "
    "days of heavy rain across the upper basin.",
    "Engineers said the reservoir behind the Ostrava dam had reached ninety-four percent of "
    "its capacity by Monday evening.",
    "Farmers downstream were told to move livestock to higher ground before the water level "
    "peaks on Thursday.",
    "The authority expects to keep the gates open for at least a week.",
]
OWN_REPORTING = [
    "Shopkeepers in the market town of Lesno stacked sandbags outside their doors as the "
    "sirens sounded at noon.",
    "Our reporter counted eleven tractors queuing at the bridge toward the hills, and the "
    "mayor visited the school gym used as a shelter.",
]


def article_of(publisher, sentences, *, headline="Floodgates opened", **kwargs):
    return ArticleFactory(publisher=publisher, text=headline + "\n" + " ".join(sentences), **kwargs)


def claim_over(article, sentence):
    start = article.text.index(sentence)
    return ClaimFactory(article=article, start=start, end=start + len(sentence), text=sentence)


@pytest.fixture
def meridian():
    from sources.models import PublisherKind

    return PublisherFactory(name="Meridian Press Agency", kind=PublisherKind.AGENCY)


def test_two_copies_of_one_origin_on_different_sites_are_not_independent(meridian):
    coastline = PublisherFactory(name="Coastline Herald")
    upland = PublisherFactory(name="Upland Times")
    # Each site rewrote the agency's story: no shared text, only the shared origin.
    mine = article_of(coastline, WIRE_SENTENCES[:2], origin=meridian)
    theirs = article_of(upland, OWN_REPORTING, origin=meridian)
    value, reason = judge(
        claim=claim_over(mine, WIRE_SENTENCES[0]),
        evidence_claim=claim_over(theirs, OWN_REPORTING[0]),
    )
    assert (value, reason) == (
        Independence.NOT_INDEPENDENT,
        "same origin: both are Meridian Press Agency's text (on Coastline Herald and Upland Times)",
    )
    # The agency itself is the same source as its copy.
    claim = claim_over(mine, WIRE_SENTENCES[1])
    assert judge(claim=claim, outlet="Meridian Press Agency") == (
        Independence.NOT_INDEPENDENT,
        "same origin: the claim's article is Meridian Press Agency's text; "
        "the evidence is from Meridian Press Agency",
    )
    # And a copy is the same source as the agency's own article.
    own = article_of(meridian, WIRE_SENTENCES[2:], headline="Gates open")
    assert judge(
        claim=claim_over(own, WIRE_SENTENCES[2]),
        evidence_claim=claim_over(theirs, OWN_REPORTING[1]),
    )[1] == ("same origin: the evidence is Meridian Press Agency's text, the claim's publisher")


@pytest.fixture
def party_state():
    committee = PublisherFactory(
        name="Freedonia Party Central Committee", ownership=Ownership.STATE_OWNED
    )
    group = PublisherFactory(name="Freedonia Media Group", parent=committee)
    return {
        "committee": committee,
        "daily": PublisherFactory(name="Freedonia Daily", parent=group),
        "evening": PublisherFactory(name="Freedonia Evening News", parent=committee),
    }


def test_outlets_whose_owner_chains_meet_are_not_independent(party_state):
    claim = claim_over(article_of(party_state["daily"], WIRE_SENTENCES), WIRE_SENTENCES[0])
    value, reason = judge(claim=claim, outlet="Freedonia Evening News")
    assert value == Independence.NOT_INDEPENDENT
    assert reason == (
        "same owner: Freedonia Party Central Committee owns both Freedonia Daily and "
        "Freedonia Evening News"
    )


def test_owner_chain_of_the_origin_counts_too(party_state):
    gazette = PublisherFactory(name="Harbour Gazette")
    article = article_of(gazette, WIRE_SENTENCES, origin=party_state["daily"])
    value, reason = judge(
        claim=claim_over(article, WIRE_SENTENCES[1]), publisher=party_state["evening"]
    )
    assert value == Independence.NOT_INDEPENDENT
    assert reason == (
        "same owner: Freedonia Party Central Committee owns both Freedonia Daily and "
        "Freedonia Evening News (origin of the claim's article)"
    )


@pytest.fixture
def mixed_page():
    """A wire story, and a page that copies its first sentence between its own reporting."""
    wire = article_of(PublisherFactory(name="Northern Courier"), WIRE_SENTENCES)
    page = article_of(
        PublisherFactory(name="Lesno Daily"),
        [OWN_REPORTING[0], WIRE_SENTENCES[0], OWN_REPORTING[1]],
        headline="Sandbags in Lesno",
    )
    return wire, page


def test_verbatim_passage_makes_the_claims_in_it_not_independent(mixed_page):
    wire, page = mixed_page
    value, reason = judge(
        claim=claim_over(wire, WIRE_SENTENCES[0]), evidence_claim=claim_over(page, OWN_REPORTING[0])
    )
    assert value == Independence.NOT_INDEPENDENT
    assert reason == (
        "shared passage: 21 words copied verbatim "
        "(“The river authority of Valdoria opened the northern…”)"
    )
    # The evidence claim inside the passage: the same, from the other side.
    value, _ = judge(
        claim=claim_over(wire, WIRE_SENTENCES[2]),
        evidence_claim=claim_over(page, WIRE_SENTENCES[0]),
    )
    assert value == Independence.NOT_INDEPENDENT


def test_claims_elsewhere_in_a_page_that_copies_one_passage_stay_independent(mixed_page):
    wire, page = mixed_page
    assert judge(
        claim=claim_over(wire, WIRE_SENTENCES[2]), evidence_claim=claim_over(page, OWN_REPORTING[1])
    ) == (Independence.INDEPENDENT, "different publisher, no shared owner")


QUOTED = "the new bridge across the river will open to traffic in the first week of May next year"


@pytest.mark.parametrize(
    ("opening", "closing", "expected"),
    [
        ("“", "”", Independence.INDEPENDENT),
        ('"', '"', Independence.INDEPENDENT),
        ("", "", Independence.NOT_INDEPENDENT),  # the same words unquoted are a copy
    ],
)
def test_shared_words_inside_quotation_marks_do_not_make_a_copy(opening, closing, expected):
    mine_sentence = f"Officials at the ceremony repeated {opening}{QUOTED}{closing} twice."
    theirs_sentence = (
        f"In parliament on Monday, the minister promised {opening}{QUOTED}{closing} again."
    )
    mine = article_of(
        PublisherFactory(name="Riverside Chronicle"),
        [mine_sentence, *WIRE_SENTENCES[:3]],
        headline="Bridge date set",
    )
    theirs = article_of(
        PublisherFactory(name="Capital Observer"),
        [*OWN_REPORTING, theirs_sentence, "Opposition members asked who would pay for the road."],
        headline="Minister promises bridge",
    )
    value, reason = judge(
        claim=claim_over(mine, mine_sentence), evidence_claim=claim_over(theirs, theirs_sentence)
    )
    assert value == expected, reason


def test_unknown_only_when_an_article_has_neither_publisher_nor_origin(meridian):
    upland = PublisherFactory(name="Upland Times")
    # No publisher, but whose text it is is known: judged on the origin.
    with_origin = article_of(None, WIRE_SENTENCES, origin=meridian, url="")
    assert judge(claim=claim_over(with_origin, WIRE_SENTENCES[0]), publisher=upland) == (
        Independence.INDEPENDENT,
        "different publisher, no shared owner",
    )
    bare = article_of(None, WIRE_SENTENCES[1:], url="", title="Gates opened upstream")
    assert judge(claim=claim_over(bare, WIRE_SENTENCES[1]), publisher=upland) == (
        Independence.UNKNOWN,
        f"the claim's article has no publisher or origin: set one on article {bare.pk} "
        "(“Gates opened upstream”)",
    )
    # The evidence's article is named when it is the one without a publisher.
    mine = article_of(upland, OWN_REPORTING, headline="Lesno")
    value, reason = judge(
        claim=claim_over(mine, OWN_REPORTING[0]), evidence_claim=claim_over(bare, WIRE_SENTENCES[2])
    )
    assert value == Independence.UNKNOWN
    assert reason.startswith(
        f"the evidence's article has no publisher or origin: set one on article {bare.pk}"
    )


def test_claim_page_links_the_article_that_needs_a_publisher(client, make_user):
    from django.urls import reverse

    from claims import services
    from claims.models import Stance

    client.force_login(make_user("alice", "reviewer"))
    mine = article_of(PublisherFactory(name="Upland Times"), OWN_REPORTING, headline="Lesno")
    bare = article_of(None, WIRE_SENTENCES, url="", title="Gates opened upstream")
    claim = claim_over(mine, OWN_REPORTING[0])
    c = services.corroboration_create(
        claim=claim,
        by=None,
        stance=Stance.SUPPORTS,
        evidence_claim=claim_over(bare, WIRE_SENTENCES[0]),
    )
    assert c.independence == Independence.UNKNOWN
    page = client.get(claim.get_absolute_url()).content.decode()
    link = reverse("sources:article_detail", args=[bare.pk])
    needs = "needs a publisher (a lead sets it)"
    assert f'<a href="{link}">“Gates opened upstream”</a> {needs}' in page
    assert f"set one on article {bare.pk}" in page
    # A lead goes straight to the article's edit form.
    client.force_login(make_user("lena", "lead"))
    page = client.get(claim.get_absolute_url()).content.decode()
    link = reverse("sources:article_edit", args=[bare.pk])
    assert f'<a href="{link}">Set the publisher of “Gates opened upstream”</a>' in page


def test_credibility_counts_copies_of_one_story_once(meridian):
    from claims import services
    from claims.independence import suggest_credibility
    from claims.models import Credibility, Stance

    lakeside = PublisherFactory(name="Lakeside Post")
    claim = claim_over(article_of(lakeside, OWN_REPORTING, headline="Lesno"), OWN_REPORTING[1])

    def supported_by(article, sentence):
        c = services.corroboration_create(
            claim=claim,
            by=None,
            stance=Stance.SUPPORTS,
            evidence_claim=claim_over(article, sentence),
        )
        assert c.independence == Independence.INDEPENDENT, c.independence_reason

    # Two sites carrying the agency's story, rewritten: one origin, one source.
    coastline, upland = (
        PublisherFactory(name="Coastline Herald"),
        PublisherFactory(name="Upland Times"),
    )
    supported_by(article_of(coastline, WIRE_SENTENCES[:2], origin=meridian), WIRE_SENTENCES[0])
    supported_by(article_of(upland, WIRE_SENTENCES[2:], origin=meridian), WIRE_SENTENCES[2])
    assert suggest_credibility(claim) == (2, "one independent supporting source")
    # Two copies in one syndication cluster, their origin not credited: one more source.
    first = article_of(PublisherFactory(name="Valley Radio"), WIRE_SENTENCES, headline="Gates")
    first.cluster_origin = first
    first.save()
    copy = article_of(
        PublisherFactory(name="Hill Country Weekly"),
        WIRE_SENTENCES,
        headline="Gates open",
        cluster_origin=first,
    )
    supported_by(first, WIRE_SENTENCES[1])
    supported_by(copy, WIRE_SENTENCES[3])
    assert suggest_credibility(claim) == (1, "two independent supporting sources")
    saved = services.claim_set_credibility(
        claim=claim, credibility=Credibility.CONFIRMED, by=None, version=claim.version
    )
    assert saved.credibility == Credibility.CONFIRMED


def test_credibility_1_refused_when_the_support_is_two_copies_of_one_story(meridian):
    from claims import services
    from claims.independence import suggest_credibility
    from claims.models import Credibility, Stance
    from claims.services import EvidenceRequired

    claim = claim_over(
        article_of(PublisherFactory(name="Lakeside Post"), OWN_REPORTING, headline="Lesno"),
        OWN_REPORTING[1],
    )
    copies = [
        article_of(PublisherFactory(name="Coastline Herald"), WIRE_SENTENCES[:2], origin=meridian),
        article_of(PublisherFactory(name="Upland Times"), WIRE_SENTENCES[2:], origin=meridian),
    ]
    for article in copies:
        c = services.corroboration_create(
            claim=claim,
            by=None,
            stance=Stance.SUPPORTS,
            evidence_claim=claim_over(article, article.text.split("\n")[1].split(". ")[0] + "."),
        )
        assert c.independence == Independence.INDEPENDENT, c.independence_reason
    assert suggest_credibility(claim) == (2, "one independent supporting source")
    with pytest.raises(EvidenceRequired) as exc:
        services.claim_set_credibility(
            claim=claim, credibility=Credibility.CONFIRMED, by=None, version=claim.version
        )
    assert "(this claim has 1)" in str(exc.value)
