"""Page parsing on handmade pages: wrapped wire copy, press releases, widgets, dates, meta."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise

import pytest

from sources.ingest.dates import find_date
from sources.ingest.language import guess_language
from sources.ingest.page import parse_page
from sources.ingest.pipeline import process_text
from sources.ingest.types import BlockRole

WIRE = (
    "Lithium prices slide as new mines come online\n"
    "\n"
    "By Jane Example\n"
    "\n"
    "SANTIAGO, March 5 (Reuters) - Lithium carbonate prices fell for a third\n"
    "straight week on Tuesday as output from two new mines in northern Chile\n"
    "reached the market, traders said. Prices are now 40 percent below their\n"
    "peak of last year.\n"
    "\n"
    "The Ministry of Mining said exports rose to 12,000 tonnes in February, up\n"
    "from 9,500 tonnes a year earlier, and it expects further growth as the\n"
    "second phase of the Salar project starts.\n"
)


def _roles(text: str) -> list[tuple[str, str]]:
    return [(b.role, b.text_of(text)) for b in parse_page(text).blocks]


def test_hard_wrapped_wire_copy_is_rejoined_into_paragraphs():
    roles = _roles(WIRE)
    assert roles[0] == (BlockRole.HEADLINE, "Lithium prices slide as new mines come online")
    assert roles[1] == (BlockRole.BYLINE, "By Jane Example")
    bodies = [body for role, body in roles if role == BlockRole.BODY]
    assert len(bodies) == 2
    assert bodies[0].startswith("SANTIAGO") and bodies[0].endswith("peak of last year.")
    assert bodies[1].endswith("second phase of the Salar project starts.")


def test_wire_dateline_agency_is_not_the_publisher_and_byline_is_read():
    meta = parse_page(WIRE).meta
    assert meta.publisher_name == ""  # "(Reuters)" says whose text it is, not whose page
    assert meta.byline == "Jane Example"
    assert meta.title == "Lithium prices slide as new mines come online"


def test_caption_without_final_punctuation_is_not_joined_to_next_paragraph():
    text = (
        "Jane Roe, Chief Executive of Example Metals Corporation\n"
        "Example Metals said on Monday it would double output.\n"
    )
    page = parse_page(text)
    assert [b.role for b in page.blocks] == [BlockRole.HEADLINE, BlockRole.BODY]
    text = "Some introduction sentence ends here.\n" + text
    roles = [b.role for b in parse_page(text).blocks]
    assert roles == [BlockRole.BODY, BlockRole.CAPTION, BlockRole.BODY]


def test_line_ending_in_function_word_wraps_into_the_next():
    text = (
        "Officials said the plant will open in the\n"
        "Northern Province next year, creating jobs.\n"
        "A second plant is planned.\n"
    )
    blocks = parse_page(text).blocks
    assert [b.role for b in blocks] == [BlockRole.BODY, BlockRole.BODY]
    assert blocks[0].text_of(text).endswith("creating jobs.")


def test_press_release_markers_are_chrome():
    text = (
        "FOR IMMEDIATE RELEASE\n"
        "\n"
        "Example Metals opens recycling plant in Ohio\n"
        "\n"
        "COLUMBUS, Ohio, March 5, 2024 — Example Metals Inc. today opened a plant that "
        "will recycle 5,000 tons of magnets a year.\n"
        "\n"
        "###\n"
        "\n"
        "Media contact:\n"
        "Jane Roe\n"
        "press@example.com\n"
        "+1 614 555 0100\n"
    )
    roles = _roles(text)
    chrome = [body for role, body in roles if role == BlockRole.CHROME]
    assert chrome == [
        "FOR IMMEDIATE RELEASE",
        "###",
        "Media contact:",
        "Jane Roe",
        "press@example.com",
        "+1 614 555 0100",
    ]
    assert roles[1] == (BlockRole.HEADLINE, "Example Metals opens recycling plant in Ohio")
    assert [role for role, _ in roles].count(BlockRole.BODY) == 1


@pytest.mark.parametrize(
    "line",
    [
        "Share",
        "Share this article",
        "Facebook Twitter LinkedIn Email",
        "Print",
        "Advertisement",
        "Read more: Rare earths in focus",
        "Sign up for our daily newsletter",
        "We use cookies to improve your experience.",
        "12 Comments",
        "Link copied",
        "Loading new replies...",
        "Home > World > Asia",
        "© 2024 Example News. All rights reserved.",
        "Follow us on X",
    ],
)
def test_widget_lines_are_chrome(line):
    text = f"Headline of the story here\n{line}\nThe company said profits rose 5 percent.\n"
    roles = _roles(text)
    assert (BlockRole.CHROME, line) in roles


def test_link_list_after_related_label_is_chrome():
    text = (
        "Main story headline\n"
        "The council approved the budget on Monday.\n"
        "Related\n"
        "Another story about budgets\n"
        "Yet another story: mayor speaks\n"
    )
    roles = _roles(text)
    assert roles[2] == (BlockRole.SECTION_LABEL, "Related")
    assert [role for role, _ in roles[3:]] == [BlockRole.CHROME, BlockRole.CHROME]


def test_newspaper_headline_label_is_split_from_its_text():
    text = "The body says something.\nNewspaper headline: Jiangxi boosts output\n"
    roles = _roles(text)
    assert roles[-2:] == [
        (BlockRole.CHROME, "Newspaper headline:"),
        (BlockRole.NEWSPAPER_HEADLINE, "Jiangxi boosts output"),
    ]
    assert parse_page(text).meta.title == "Jiangxi boosts output"


@pytest.mark.parametrize("credit", ["(Yonhap)", "(AFP/Jane Example)", "(Getty Images)"])
def test_caption_with_agency_credit_is_split(credit):
    text = f"Workers at a mine in Baotou on Monday. {credit}\nThe mine reopened.\n"
    roles = _roles(text)
    assert roles[0] == (BlockRole.CAPTION, "Workers at a mine in Baotou on Monday.")
    assert roles[1] == (BlockRole.CREDIT, credit)


def test_a_parenthesis_naming_no_agency_or_picture_library_is_not_a_credit():
    """Who credits a picture comes from the registry, not a list in the page rules."""
    text = "Workers at a mine in Baotou on Monday. (Harbour Unions)\nThe mine reopened.\n"
    assert all(role != BlockRole.CREDIT for role, _ in _roles(text))


def test_sentence_starting_with_by_is_not_a_byline():
    text = "Headline here\nBy the end of 2024, the mine will produce 300 tons.\n"
    assert _roles(text)[1][0] == BlockRole.BODY
    assert parse_page(text).meta.byline == ""


def test_disclaimer_paragraph_role():
    text = "Headline here\nThe firm grew.\nEditor's note: This story was updated.\n"
    assert _roles(text)[-1] == (BlockRole.DISCLAIMER, "Editor's note: This story was updated.")


@pytest.mark.parametrize(
    ("line", "expected", "raw"),
    [
        ("Updated: March 5, 2024", datetime(2024, 3, 5), "March 5, 2024"),
        ("Posted on 5 March 2024 10:20", datetime(2024, 3, 5, 10, 20), "5 March 2024 10:20"),
        ("Date: 2024-03-05", datetime(2024, 3, 5), "2024-03-05"),
        ("Tuesday, March 5, 2024", datetime(2024, 3, 5), "March 5, 2024"),
        (
            "Published: 2024-03-05T10:20:00Z",
            datetime(2024, 3, 5, 10, 20, tzinfo=UTC),
            "2024-03-05T10:20:00Z",
        ),
    ],
)
def test_dateline_prefixes_give_published(line, expected, raw):
    text = f"Some headline for the story\n{line}\nThe firm said output rose.\n"
    meta = parse_page(text).meta
    assert (meta.published, meta.published_raw) == (expected, raw)
    assert _roles(text)[1] == (BlockRole.DATELINE, line)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jul 20, 2022 11:43 PM", datetime(2022, 7, 20, 23, 43)),
        ("April 21, 2011 - 18:53", datetime(2011, 4, 21, 18, 53)),
        ("2019/7/9 19:48:40", datetime(2019, 7, 9, 19, 48, 40)),
        ("2024-03-05", datetime(2024, 3, 5)),
        (
            "2024-03-05T10:20:00+09:00",
            datetime(2024, 3, 5, 10, 20, tzinfo=timezone(timedelta(hours=9))),
        ),
        ("5 March 2024", datetime(2024, 3, 5)),
        ("5th of March, 2024", datetime(2024, 3, 5)),
        ("Sept. 30, 2023 at 9:05 a.m.", datetime(2023, 9, 30, 9, 5)),
        ("25/03/2024", datetime(2024, 3, 25)),  # first number > 12: day first
        ("03/25/2024", datetime(2024, 3, 25)),  # second number > 12: month first
        ("05/03/2024", datetime(2024, 5, 3)),  # ambiguous with slashes: month first (US)
        ("05.03.2024", datetime(2024, 3, 5)),  # ambiguous with dots: day first (European)
        (
            "2011.04.21 18:53 KST",
            datetime(2011, 4, 21, 18, 53, tzinfo=timezone(timedelta(hours=9))),
        ),
        ("12 Noon, March 5, 2024 GMT", datetime(2024, 3, 5, tzinfo=UTC)),
    ],
)
def test_find_date_formats(raw, expected):
    found = find_date(raw)
    assert found is not None
    assert found[0] == expected


def test_find_date_page_style_decides_ambiguous_numbers():
    assert find_date("05/03/2024", day_first=True)[0] == datetime(2024, 3, 5)
    assert find_date("05.03.2024", day_first=False)[0] == datetime(2024, 5, 3)


def test_find_date_rejects_impossible_dates_and_returns_the_printed_span():
    assert find_date("31/31/2024") is None
    assert find_date("no date here") is None
    text = "Published: Jul 20, 2022 11:43 PM | Updated"
    _, start, end = find_date(text)
    assert text[start:end] == "Jul 20, 2022 11:43 PM"


def test_a_source_line_on_its_own_says_whose_text_it_is_not_who_published_the_page():
    # An aggregator reposting another site's story credits it under the headline.
    page = (
        "Smelter doubles output\nSource: orevault.example\n\n"
        "The smelter doubled its output in 2024, the company said on Monday.\n"
    )
    meta = process_text(page, source_name="s.txt").meta
    assert meta.publisher_name == ""
    assert meta.origin_name == "orevault.example"
    assert meta.origin_evidence["kind"] == "source-field"
    # In the page's own header fields it is the page's source, unless it is a wire agency.
    agency = "Smelter doubles output\nBy Mari Lund Source:Xinhua Published: 2024/3/5\n\nIt grew.\n"
    meta = process_text(agency, source_name="x.txt").meta
    assert meta.publisher_name == "" and meta.origin_name == "Xinhua"
    for value in ("company statement", "Reuters graphics", "official data"):
        meta = process_text(page.replace("orevault.example", value), source_name="v.txt").meta
        assert meta.origin_name in {"", "Reuters"} and meta.publisher_name == "", value


def test_publisher_precedence_masthead_then_source_then_told():
    told_once = "Headline here\nThe mine grew, an analyst told the Harbour Gazette.\n"
    assert parse_page(told_once).meta.publisher_name == ""  # one mention is only a citation
    told = told_once + "“Prices will rise,” a trader told the Harbour Gazette.\n"
    meta = parse_page(told).meta
    assert meta.publisher_name == "Harbour Gazette"
    assert meta.publisher_evidence["kind"] == "self-reference"
    assert told[meta.publisher_evidence["start"] : meta.publisher_evidence["end"]].startswith(
        "told the Harbour Gazette"
    )
    source = (
        "Headline here\nBy Mari Lund Source: Lakeside Courier Published: 2024/3/5\n"
        + told.split("\n", 1)[1]
    )
    meta = parse_page(source).meta
    assert (meta.publisher_name, meta.publisher_evidence["kind"]) == (
        "Lakeside Courier",
        "source-line",
    )
    masthead = "The Lakeside Herald\n\nMine output grows for a third year\n" + source
    meta = parse_page(masthead).meta
    assert meta.publisher_name == "The Lakeside Herald"
    assert meta.publisher_evidence["kind"] == "masthead"
    assert meta.publisher_evidence["text"] == "The Lakeside Herald"
    cited = "Headline here\nThe mine grew, the Securities Times reported.\n"
    assert parse_page(cited).meta.publisher_name == ""


def test_title_falls_back_to_first_body_sentence():
    text = "The mine grew 5 percent. It employs 300 people.\n"
    assert parse_page(text).meta.title == "The mine grew 5 percent."


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The company said output rose and prices fell in the market.", "en"),
        ("한국과 중국이 희토류 가공 기술을 공동 개발한다.", "ko"),
        ("中国稀土集团与中国科学院宁波材料所开展合作。", "zh"),
        ("レアアースの加工技術を共同で開発する。", "ja"),
        ("Компания заявила, что производство выросло.", "ru"),
        ("قالت الشركة إن الإنتاج ارتفع.", "ar"),
        ("La société a dit que la production est en hausse dans le pays et que les prix", "fr"),
        ("", ""),
    ],
)
def test_guess_language_by_script(text, language):
    assert guess_language(text) == language


def test_blocks_are_sorted_exact_and_stripped():
    text = "  Title line here  \n\n   Body text, with a   \n  wrap.  \n\n• Share\n"
    blocks = parse_page(text).blocks
    assert [b.text_of(text) for b in blocks] == [
        "Title line here",
        "Body text, with a   \n  wrap.",
        "• Share",
    ]
    assert all(a.end <= b.start for a, b in pairwise(blocks))


# --------------------------------------------------------------------------- page furniture by kind
# Invented pages from outlets no rule names: what a line is (a button, a counter, a credit)
# decides, not which outlet prints it.

STORY = (
    "Harbour council approves a new recycling plant for the port district\n"
    "{furniture}\n"
    "The council voted 7-2 on Monday to approve a $40 million recycling plant, officials said.\n"
)


@pytest.mark.parametrize(
    "line",
    [
        # button and widget labels
        "Share",
        "Read more",
        "Subscribe",
        "Listen to this article",
        "Watch live",
        "Print this page",
        # counters
        "12 Comments",
        "3 min read",
        "1.2K views",
        "Reading time: 4 minutes",
        # trust and about boxes, newsletter prompts
        "Why you can trust the Harbour Ledger",
        "Our Standards: The Harbour Ledger Trust Principles.",
        "Get our morning briefing delivered to your inbox",
        "Sign up for the Harbour Ledger newsletter",
        # breadcrumbs and section names
        "Home > World > Asia",
        "Nation & World News",
        "Business",
        "Local News",
        # a menu glued into one line
        "News Sport Business Opinion Culture Travel Weather Podcasts",
        # photo credits
        "AP Photo/Jane Roe",
        "Credit: AP",
        "Stringer | AFP | Getty Images",
        "[EPA/YONHAP]",
        # contact fields, bare domains, symbol lines, obfuscated e-mail
        "Hotline: 0123.456.789",
        "harbourledger.example",
        "/",
        "[email protected]",
    ],
)
def test_furniture_lines_are_never_story_text(line):
    text = STORY.format(furniture=line)
    roles = dict((body, role) for role, body in _roles(text))
    assert roles[line] in {BlockRole.CHROME, BlockRole.CREDIT, BlockRole.SECTION_LABEL}


@pytest.mark.parametrize(
    "line",
    [
        "Updated an hour ago",
        "18 minutes ago",
        "Posted 2 days ago",
        "Updated 5h ago",
        "Last updated 2 hrs ago",
        "Yesterday at 10:20 AM",
        "Today, 09:15",
    ],
)
def test_relative_timestamp_is_a_dateline_kept_raw_without_a_date(line):
    text = STORY.format(furniture=line)
    assert (BlockRole.DATELINE, line) in _roles(text)
    meta = parse_page(text).meta
    assert (meta.published, meta.published_raw) == (None, line)


def test_absolute_date_wins_over_a_relative_timestamp():
    text = STORY.format(furniture="Updated 18 minutes ago\nPublished: 3 December 2024")
    meta = parse_page(text).meta
    assert (meta.published, meta.published_raw) == (datetime(2024, 12, 3), "3 December 2024")


def test_index_date_prefix_is_split_off_the_first_line():
    text = (
        " date 2024-12-03 Harbour officials approve the recycling plant in a late vote.\n"
        "The plant will open in 2026, officials said.\n"
    )
    blocks = parse_page(text).blocks
    assert (blocks[0].role, blocks[0].text_of(text)) == (BlockRole.DATELINE, "date 2024-12-03")
    assert blocks[1].role == BlockRole.BODY
    assert blocks[1].text_of(text).startswith("Harbour officials approve")
    meta = parse_page(text).meta
    assert meta.published == datetime(2024, 12, 3)
    assert not meta.title.startswith("date")


def test_index_date_glued_to_a_section_name():
    text = (
        " date 2024-12-03 Nation & World News\n"
        "Harbour council approves a new recycling plant for the port district\n"
        "The council voted 7-2 on Monday to approve the plant, officials said.\n"
    )
    roles = _roles(text)
    assert roles[0] == (BlockRole.DATELINE, "date 2024-12-03")
    assert roles[1][1] == "Nation & World News" and roles[1][0] != BlockRole.HEADLINE
    title = parse_page(text).meta.title
    assert title == "Harbour council approves a new recycling plant for the port district"


def test_sidebar_list_after_most_viewed_is_chrome():
    text = (
        "Harbour council approves a new recycling plant for the port district\n"
        "The council voted 7-2 on Monday to approve the plant, officials said.\n"
        "Most Viewed\n"
        "Ferry fares rise for the second time this year\n"
        "Lighthouse reopens after a long restoration\n"
        "Fishing fleet returns early as storms close in\n"
    )
    roles = _roles(text)
    assert roles[2] == (BlockRole.SECTION_LABEL, "Most Viewed")
    assert [role for role, _ in roles[3:]] == [BlockRole.CHROME] * 3


def test_one_headline_after_a_latest_label_is_the_headline_not_a_link():
    text = (
        "Latest News\n"
        "\n"
        "Harbour council approves a new recycling plant for the port district\n"
        "\n"
        "The council voted 7-2 on Monday to approve the plant, officials said.\n"
    )
    meta = parse_page(text).meta
    assert meta.title == "Harbour council approves a new recycling plant for the port district"


@pytest.mark.parametrize(
    "label", ["Press Release", "Exhibit 99.1", "Harbour Ledger", "Watch online"]
)
def test_label_above_the_headline_is_not_the_title(label):
    text = (
        f"{label}\n"
        "Harbour Metals to Build a Magnet Plant, Signs Supply Deal with Carmaker\n"
        "The company said on Monday the plant would employ 300 people by 2027.\n"
    )
    meta = parse_page(text).meta
    assert meta.title == "Harbour Metals to Build a Magnet Plant, Signs Supply Deal with Carmaker"
    assert _roles(text)[0][0] in {BlockRole.CHROME, BlockRole.MASTHEAD}


def test_repeated_headline_and_menu_in_the_header_are_chrome():
    text = (
        "harbourwire\n"
        "Business\n"
        "harbourwire\n"
        "Harbour Metals signs a supply deal with a carmaker for ten years\n"
        "News World Markets Environment Technology Politics Economy Stocks\n"
        "Harbour Metals signs a supply deal with a carmaker for ten years\n"
        "Aug 26, 2025 9:32 AM\n"
        "Harbour Metals said on Tuesday it signed a ten-year supply deal with a carmaker.\n"
    )
    page = parse_page(text)
    headlines = [b for b in page.blocks if b.role == BlockRole.HEADLINE]
    assert len(headlines) == 1
    assert page.meta.publisher_name == "harbourwire"
    assert page.meta.publisher_evidence["kind"] == "masthead"
    assert page.meta.published == datetime(2025, 8, 26, 9, 32)
    furniture = {BlockRole.CHROME, BlockRole.HEADLINE, BlockRole.SECTION_LABEL}
    rest = [b for b in page.blocks if b.role not in furniture]
    assert [b.role for b in rest] == [BlockRole.MASTHEAD, BlockRole.DATELINE, BlockRole.BODY]


@pytest.mark.parametrize(
    ("caption", "credit"),
    [
        ("Workers sort scrap at the port on Monday.", "Credit: Harbour Metals Corp."),
        ("Workers sort scrap at the port on Monday.", "/Xinhua"),
        ("Workers sort scrap at the port on Monday.", "[EPA/YONHAP]"),
        ("Workers sort scrap at the port on Monday.", "(AP Photo/Jane Roe, File)"),
    ],
)
def test_caption_with_a_trailing_credit_is_split(caption, credit):
    text = f"Headline of the story here\n{caption} {credit}\nThe mine reopened.\n"
    roles = _roles(text)
    assert (BlockRole.CAPTION, caption) in roles
    assert (BlockRole.CREDIT, credit) in roles


def test_wire_photo_caption_ending_in_place_and_date_is_a_caption():
    line = "Flags fly outside a company building in Harbourtown, Eastland April 8, 2025."
    text = f"Headline of the story here\n{line}\nThe report said exports fell.\n"
    assert (BlockRole.CAPTION, line) in _roles(text)
    body = "The deal was signed on April 8, 2025."
    assert (BlockRole.BODY, body) in _roles(f"Headline of the story here\n{body}\n")


@pytest.mark.parametrize(
    ("last", "body", "credit"),
    [
        ("“We are ready,” she said. — Harbourpress", "“We are ready,” she said.", "— Harbourpress"),
        ("The plant opens in May. -- HPA", "The plant opens in May.", "-- HPA"),
        ("Approval came fast. 🤝", "Approval came fast.", "🤝"),
    ],
)
def test_sign_off_glued_to_the_last_paragraph_is_split_off(last, body, credit):
    text = f"Headline of the story here\nThe council met on Monday.\n\n{last}\n"
    roles = _roles(text)
    assert roles[-2:] == [(BlockRole.BODY, body), (BlockRole.CREDIT, credit)]


@pytest.mark.parametrize(
    "line",
    [
        "-- HPA",
        "— Harbourpress",
        "Agencies via Harbourpress",
        "(source: Harbourpress)",
        "With inputs from HPA",
        "(Reporting by Jane Roe in Harbourtown; Editing by Tom Lee)",
    ],
)
def test_sign_off_lines_are_not_claims(line):
    text = f"Headline of the story here\nThe council met on Monday.\n{line}\n"
    assert _roles(text)[-1][0] in {BlockRole.CREDIT, BlockRole.BYLINE, BlockRole.CHROME}


def test_references_block_at_the_foot_is_chrome():
    text = (
        "Headline of the story here\n"
        "The council met on Monday and approved the plan.\n"
        "Reference(s):\n"
        "Harbour plans: What does the new plant mean?\n"
        "harbourledger.example\n"
    )
    roles = _roles(text)
    assert [role for role, _ in roles[2:]] == [
        BlockRole.SECTION_LABEL,
        BlockRole.CHROME,
        BlockRole.CHROME,
    ]


def test_excerpt_cut_mid_sentence_is_not_a_subheading():
    text = "Headline of the story\nThe council met on Monday.\n\nFollowing the vote, the mayor sa\n"
    assert _roles(text)[-1] == (BlockRole.BODY, "Following the vote, the mayor sa")


def test_double_spaced_hard_wrap_is_one_paragraph():
    text = (
        "Headline of the story here\n\n"
        "Harbour Metals on Tuesday\n\n"
        "said it has signed a 10-year agreement to supply\n\n"
        "concentrate to a processing plant in the\n\n"
        "port district.\n\n"
        "The company expects to supply up to\n\n"
        "10,000 tons a year from the mine.\n"
    )
    bodies = [body for role, body in _roles(text) if role == BlockRole.BODY]
    assert len(bodies) == 2
    assert bodies[0].startswith("Harbour Metals on Tuesday") and bodies[0].endswith("district.")


_WIRE_PARAGRAPHS = (
    "PORTVILLE, March 3 (Examplewire) - Harbour Metals Corporation said on Tuesday it had"
    " signed a ten-year agreement with Northern Smelting Company to supply concentrate from"
    " its Eastfield mine in Western Province, sending Harbour Metals shares up 14 percent.",
    "The deal, valued at about 2.1 billion dollars according to Portville Securities analyst"
    " Tom Lee, would make Northern Smelting Company the largest buyer of Eastfield concentrate.",
    "Chief Executive Officer Maria Lindqvist told analysts that Harbour Metals expected the"
    " first shipments to leave Portville in September, subject to approval by the Ministry of"
    " Trade and the Western Province Mining Board.",
    "Shares of Northern Smelting Company rose 3 percent on the Portville Stock Exchange.",
)


@pytest.mark.parametrize("width", range(60, 80, 2))
def test_wire_copy_wrapped_at_a_fixed_width_with_blank_lines_keeps_its_sentences(width):
    # Wrapped at ~70 columns with a blank line after every line; the wraps often fall
    # before a name ("… with Northern" / "Smelting Company …"), not after a function word.
    body = "\n\n".join("\n\n".join(textwrap.wrap(p, width)) for p in _WIRE_PARAGRAPHS)
    article = process_text(f"Harbour Metals signs supply deal\n\n{body}\n", source_name="w.txt")
    sentences = [
        " ".join(article.text[s.start : s.end].split())
        for s in article.segments
        if s.kind != "headline"
    ]
    assert sentences == [" ".join(p.split()) for p in _WIRE_PARAGRAPHS]


def test_one_line_paragraphs_with_blank_lines_between_are_not_joined():
    text = (
        "Ferry timetable changes for the winter season\n\n"
        "The harbour ferry will run every forty minutes from Monday until the end of March.\n\n"
        "Evening sailings after nine o'clock are cancelled because of low passenger numbers.\n\n"
        "Season tickets bought before November stay valid on every remaining sailing.\n\n"
        "Timetables for the islands route\n\n"
        "Printed copies are available at the terminal office and on board every vessel.\n"
    )
    bodies = [body for role, body in _roles(text) if role == BlockRole.BODY]
    assert len(bodies) == 4


# --------------------------------------------------------------------------- dates, bylines


@pytest.mark.parametrize(
    ("line", "expected", "raw"),
    [
        ("Dec 3, 2024", datetime(2024, 12, 3), "Dec 3, 2024"),
        ("3 December 2024", datetime(2024, 12, 3), "3 December 2024"),
        ("2024-12-03", datetime(2024, 12, 3), "2024-12-03"),
        (
            "December 3, 2024 at 10:12 a.m. EST",
            datetime(2024, 12, 3, 10, 12, tzinfo=timezone(timedelta(hours=-5))),
            "December 3, 2024 at 10:12 a.m. EST",
        ),
        (
            "Tue 03 Dec 2024 10.12 GMT",
            datetime(2024, 12, 3, 10, 12, tzinfo=UTC),
            "03 Dec 2024 10.12 GMT",
        ),
        ("Published: Dec. 3, 2024", datetime(2024, 12, 3), "Dec. 3, 2024"),
        ("Published: 09 Oct. 2025, 18:09", datetime(2025, 10, 9, 18, 9), "09 Oct. 2025, 18:09"),
        (
            "July 22, 2025 | 00:03 GMT +7",
            datetime(2025, 7, 22, 0, 3, tzinfo=timezone(timedelta(hours=7))),
            "July 22, 2025 | 00:03 GMT +7",
        ),
        ("03-Dec-2024", datetime(2024, 12, 3), "03-Dec-2024"),
        ("Posted 3/Dec/2024", datetime(2024, 12, 3), "3/Dec/2024"),
        # the time before the date, as the AP prints it
        (
            "Updated 3:45 PM EST, Tue December 3, 2024",
            datetime(2024, 12, 3, 15, 45, tzinfo=timezone(timedelta(hours=-5))),
            "3:45 PM EST, Tue December 3, 2024",
        ),
        (
            "Published 13:05 GMT, 3 December 2024",
            datetime(2024, 12, 3, 13, 5, tzinfo=UTC),
            "13:05 GMT, 3 December 2024",
        ),
    ],
)
def test_common_english_date_formats(line, expected, raw):
    text = f"Some headline for the story\n{line}\nThe firm said output rose.\n"
    meta = parse_page(text).meta
    assert (meta.published, meta.published_raw) == (expected, raw)


def test_press_release_dateline_between_dashes_gives_the_date():
    text = (
        "Harbour Metals to Build a Magnet Plant\n"
        "The plant will supply carmakers from 2027\n"
        "PORTVILLE – December 9, 2021 – Harbour Metals Corp. announced today that it will "
        "build a plant.\n"
    )
    meta = parse_page(text).meta
    assert (meta.published, meta.published_raw) == (datetime(2021, 12, 9), "December 9, 2021")


@pytest.mark.parametrize(
    ("lines", "byline"),
    [
        ("By Jane Roe", "Jane Roe"),
        ("By JANE ROE – Harbour Press Agency", "JANE ROE"),
        ("By Jane Roe, Associated Press", "Jane Roe"),
        ("By Jane Roe, Staff Writer", "Jane Roe"),
        ("By Jane Roe and Tom Lee", "Jane Roe and Tom Lee"),
        ("Jane Roe | Reuters", "Jane Roe"),
        ("Written by Jane Roe", "Jane Roe"),
        ("Published: 09 Oct. 2025\n-\n- LEE JAE-LIM\n- [email protected]", "LEE JAE-LIM"),
        ("Jane Roe\njane.roe@harbourledger.example", "Jane Roe"),
        ("By Staff", ""),
    ],
)
def test_byline_forms(lines, byline):
    text = (
        "Harbour council approves a new recycling plant for the port district\n"
        f"{lines}\n"
        "The council voted 7-2 on Monday to approve the plant, officials said.\n"
    )
    assert parse_page(text).meta.byline == byline


def test_wire_reporting_credit_gives_the_byline_when_the_top_has_none():
    text = (
        "Harbour Metals to supply a carmaker with magnets from its mine\n\n"
        "(Wire) - Harbour Metals has signed a letter of intent to supply a carmaker.\n\n"
        "(Reporting by Jane Roe in Portville; Editing by Tom Lee)\n"
    )
    assert parse_page(text).meta.byline == "Jane Roe"


def test_all_caps_headline_under_a_masthead_is_not_a_byline():
    text = (
        "The Harbour Herald\nPORT STRIKE ENDS\nDock workers returned on Monday, the union said.\n"
    )
    assert parse_page(text).meta.byline == ""


# --------------------------------------------------------------------------- publisher


def test_copyright_line_names_the_publisher_with_its_span():
    text = (
        "Headline of the story here\n"
        "The council met on Monday and approved the plan.\n"
        "© 2024 Harbour Ledger Media. All rights reserved.\n"
    )
    meta = parse_page(text).meta
    assert meta.publisher_name == "Harbour Ledger Media"
    evidence = meta.publisher_evidence
    assert evidence["kind"] == "copyright"
    assert text[evidence["start"] : evidence["end"]] == evidence["text"]
    assert evidence["why"]


def test_site_naming_itself_in_its_chrome_is_the_publisher():
    text = (
        "Headline of the story here\n"
        "The council met on Monday and approved the plan.\n"
        "Join the full discussion at the Harbour Ledger Forum →\n"
    )
    meta = parse_page(text).meta
    assert (meta.publisher_name, meta.publisher_evidence["kind"]) == (
        "Harbour Ledger",
        "self-reference",
    )


def test_agency_named_in_the_body_is_never_the_publisher():
    text = (
        "Russia and the US discuss cooperation on metals\n"
        "MOSCOW (Reuters) — Talks have begun, an envoy told Reuters on Monday.\n"
        "“We are ready,” he told Reuters in an interview.\n"
        "The report was first carried by the Harbour Gazette, Reuters said.\n"
    )
    meta = parse_page(text).meta
    assert meta.publisher_name == ""
    assert meta.publisher_evidence == {}


def test_byline_and_name_under_the_headline():
    text = (
        "The Harbour Chronicle\n"
        "Rare Earth Prices Hit Record Highs Again\n"
        "Metals traders say the squeeze could last into next year\n"
        "Tom Lee\n"
        "Tue 03 Dec 2024 10.12 GMT\n"
        "Prices rose for a fifth week, traders said on Tuesday, as export curbs bit.\n"
    )
    meta = parse_page(text).meta
    assert (meta.title, meta.byline) == ("Rare Earth Prices Hit Record Highs Again", "Tom Lee")
    assert (meta.publisher_name, meta.publisher_evidence["kind"]) == (
        "The Harbour Chronicle",
        "masthead",
    )


def test_agency_copyright_and_contributor_line_are_chrome_not_the_publisher():
    text = (
        "Port strike ends after three weeks\n"
        "By JANE ROE and TOM LEE Associated Press\n"
        "PORTVILLE (AP) — Dock workers returned to work on Wednesday, the union said.\n"
        "Associated Press writer Ann Kim contributed to this report.\n"
        "Copyright 2024 The Associated Press. All rights reserved.\n"
    )
    page = parse_page(text)
    assert page.meta.byline == "JANE ROE and TOM LEE"
    assert page.meta.publisher_name == ""  # the agency's copyright is its story's, not the site's
    roles = [(b.role, b.text_of(text)) for b in page.blocks]
    assert roles[-2][0] == BlockRole.CREDIT
    assert roles[-1][0] == BlockRole.CHROME


def test_a_date_line_printed_twice_is_the_sites_clock_not_the_publication_date():
    clock = "March 14, 2031 | 08:15 GMT +7"
    text = STORY.format(furniture=f"{clock}\n{clock}")
    meta = parse_page(text).meta
    assert meta.published is None
    # Printed once, the same line is the story's date.
    once = parse_page(STORY.format(furniture=clock)).meta
    assert once.published is not None and once.published.date().isoformat() == "2031-03-14"


CLOCK_PAGE = (
    "The Harbour Ledger\n"
    "Friday, March 14, 2031\n"
    "Home\n"
    "Business\n"
    "World\n"
    "Harbour council approves a new recycling plant for the port district\n"
    "By Jane Roe\n"
    "{dated}"
    "The council voted 7-2 on Monday to approve a $40 million recycling plant, officials said.\n"
)


def test_the_sites_clock_above_its_menu_is_not_the_publication_date():
    # The date strip above the site's menu is today's date on every page of the site.
    assert parse_page(CLOCK_PAGE.format(dated="")).meta.published is None
    # The story's own date by its byline is read, not the clock.
    meta = parse_page(CLOCK_PAGE.format(dated="March 10, 2031\n")).meta
    assert (meta.published, meta.published_raw) == (datetime(2031, 3, 10), "March 10, 2031")


def test_a_date_right_above_the_headline_or_labelled_is_the_storys():
    story = (
        "Harbour council approves a new recycling plant for the port district\n"
        "The council voted 7-2 on Monday to approve a $40 million recycling plant.\n"
    )
    assert parse_page(f"Business\nMarch 10, 2031\n{story}").meta.published == datetime(2031, 3, 10)
    labelled = f"The Harbour Ledger\nPublished: March 10, 2031\nHome\nBusiness\n{story}"
    assert parse_page(labelled).meta.published == datetime(2031, 3, 10)


def test_a_wire_dateline_without_its_year_is_kept_as_printed_with_no_date():
    text = (
        "Port authority renews the terminal lease\n"
        "\n"
        "HARBOURVILLE, March 2 (Examplewire) -- The port authority renewed the terminal lease"
        " for ten years on Monday, officials said.\n"
    )
    meta = parse_page(text).meta
    assert (meta.published, meta.published_raw) == (None, "March 2")
