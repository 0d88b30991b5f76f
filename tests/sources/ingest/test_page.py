"""Page parsing on handmade pages: wrapped wire copy, press releases, widgets, dates, meta."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise

import pytest

from sources.ingest.page import BlockRole, find_date, guess_language, parse_page

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


def test_caption_with_agency_credit_is_split():
    text = "Workers at a mine in Baotou on Monday. (Yonhap)\nThe mine reopened.\n"
    roles = _roles(text)
    assert roles[0] == (BlockRole.CAPTION, "Workers at a mine in Baotou on Monday.")
    assert roles[1] == (BlockRole.CREDIT, "(Yonhap)")


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
    source = "Headline here\nSource: Lakeside Courier\n" + told.split("\n", 1)[1]
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
