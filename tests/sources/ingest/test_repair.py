"""Repairing mojibake and odd spaces, and mapping offsets between received and canonical text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sources.ingest.repair import repair_text
from sources.ingest.types import Repair, Repaired
from tests.conftest import SAMPLES_DIR, sample_path, seed_path, shared_path


def read_seed(prefix: str) -> str:
    """Return the text of the real sample article whose file name starts with `prefix`."""
    return seed_path(f"{prefix}_").read_text(encoding="utf-8")


def apply(received: str, repairs: list[Repair]) -> str:
    """Apply repairs to the received text, as a reader of the stored repairs would."""
    pieces, cursor = [], 0
    for r in repairs:
        pieces += [received[cursor : r.start], r.replacement]
        cursor = r.end
    return "".join([*pieces, received[cursor:]])


def assert_consistent(result: Repaired) -> None:
    """Check every invariant the rest of the pipeline relies on."""
    received, text, repairs = result.received, result.text, result.repairs
    previous_end = previous_canonical_end = 0
    for r in repairs:
        assert r.start < r.end  # nothing is ever inserted out of thin air
        assert previous_end <= r.start and previous_canonical_end <= r.canonical_start
        assert r.original == received[r.start : r.end]
        assert r.replacement == text[r.canonical_start : r.canonical_end]
        assert r.original != r.replacement
        previous_end, previous_canonical_end = r.end, r.canonical_end
    assert apply(received, repairs) == text


def fixed(received: str) -> tuple[str, list[tuple[str, str, str]]]:
    """Repair `received`; return the text and the repairs as (kind, original, replacement)."""
    result = repair_text(received)
    assert_consistent(result)
    return result.text, [(r.kind, r.original, r.replacement) for r in result.repairs]


# --- Text that must be left alone --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Plain ASCII, with 'straight' and \"double\" quotes -- and dashes.\n",
        "Correct “curly” quotes, ‘single’ ones, an em dash — an en dash – and … an ellipsis™.",
        "Grüße aus Köln: Müßiggang, “Élysée”, «École», ‚Äpfel‘, ÖSTERREICH”, Ö”.",
        "ภาษาไทยเป็นภาษาราชการของประเทศไทย โรงเรียน แม่น้ำโขง โฆษณา",
        "東京タワー\u3000と\u3000한국어 텍스트",
        "Texto en español: ¿Qué pasa? ¡Año nuevo!",
        "ZWJ and ZWNJ matter in some scripts: \u200d \u200c कि",
    ],
)
def test_correct_text_is_untouched(text: str) -> None:
    assert fixed(text) == (text, [])


def test_ascii_takes_the_shortcut() -> None:
    result = repair_text("Hello, world.\n" * 100)
    assert result.repairs == [] and result.text == result.received


def test_thai_letter_o_is_mojibake_only_outside_thai_text() -> None:
    thai = "ผมไปโรงเรียนโดยรถประจำทางทุกวัน โ ทุกวัน"
    assert fixed(thai) == (thai, [])
    assert fixed("the groupโs office")[0] == "the group’s office"


# --- cp874 lost-byte mojibake --------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        ("the groupโs headquarters", "the group’s headquarters"),
        ("Chinaโs lead", "China’s lead"),
        ("we donโt know", "we don’t know"),
        ("theyโre, weโve, sheโd, Iโm, youโll.", "they’re, we’ve, she’d, I’m, you’ll."),
        ("the 1990โs", "the 1990’s"),
        ("Liu LeiyunโParty Secretary", "Liu Leiyun—Party Secretary"),
        ("Rare Earth Groupโmet", "Rare Earth Group—met"),
        ("tech transferโareas", "tech transfer—areas"),
        ("yes โ no", "yes — no"),
        ("pages 10โ12", "pages 10–12"),
        ("a โstrategic opportunity periodโ and", "a “strategic opportunity period” and"),
        ("for cooperation.โ He urged", "for cooperation.” He urged"),
        ("new โplatforms,โ accelerated", "new “platforms,” accelerated"),
        ("(โquoted)", "(“quoted)"),
        ("โStart of a line", "“Start of a line"),
        ("she said:โThe endโ", "she said:“The end”"),
        ("Brandโข is", "Brand™ is"),
        ("Rare Earth Exchanges โขcontinues to", "Rare Earth Exchanges™ continues to"),
        ("โข first\nโข second", "• first\n• second"),
        ("  โข indented", "  • indented"),
        ("red โข green", "red • green"),
        ("and so onโฆ", "and so on…"),
    ],
)
def test_cp874_is_repaired_by_context(received: str, expected: str) -> None:
    text, repairs = fixed(received)
    assert text == expected
    assert repairs and all(kind == "mojibake-cp874" for kind, _, _ in repairs)


def test_displaced_trademark_is_one_repair_covering_the_space() -> None:
    result = repair_text("Exchanges โขcontinues")
    (repair,) = result.repairs
    assert (repair.start, repair.end, repair.original, repair.replacement) == (
        9,
        12,
        " โข",
        "™ ",
    )


def test_ambiguous_quotes_alternate_within_a_paragraph() -> None:
    # ":โ" + letter could open or close; the balance decides, and it resets per paragraph.
    text, _ = fixed("He said:โYes.โNo:โMaybe\nShe said:โYes")
    assert text == "He said:“Yes.”No:“Maybe\nShe said:“Yes"


# --- cp1252 / Latin-1 and Mac Roman mojibake ------------------------------------------------


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        ("donâ€™t", "don’t"),
        ("â€œquotedâ€\x9d", "“quoted”"),
        ("he said â€ then", "he said ” then"),  # the 0x9D byte was dropped
        ("a â€” b â€“ c", "a — b – c"),
        ('a â€" b', "a — b"),  # the em dash's ” was straightened afterwards
        ("cafÃ© crÃ¨me Ã¼ber", "café crème über"),
        ("costÂ\xa0â‚¬5 Â©", "cost €5 ©"),  # the NBSP it decodes to becomes a plain space
        ("GroÃ\x9fe", "Große"),  # decoded as Latin-1: the C1 control stands for 0x9F
        ("Ã¢â‚¬â„¢ twice", "’ twice"),  # encoded wrongly twice
        ("Ð¿Ñ€Ð¸Ð²ÐµÑ‚", "привет"),
        ("ðŸ˜€ and â†’", "😀 and →"),
    ],
)
def test_cp1252_mojibake(received: str, expected: str) -> None:
    text, repairs = fixed(received)
    assert text == expected
    assert {kind for kind, _, _ in repairs} == {"mojibake-cp1252"}


def test_a_cp1252_run_is_one_repair() -> None:
    _, repairs = fixed("Ð¿Ñ€Ð¸Ð²ÐµÑ‚ and Ã©")
    assert repairs == [
        ("mojibake-cp1252", "Ð¿Ñ€Ð¸Ð²ÐµÑ‚", "привет"),
        ("mojibake-cp1252", "Ã©", "é"),
    ]


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        ("don‚Äôt", "don’t"),
        ("‚Äúhi‚Äù ‚Äî there", "“hi” — there"),
        ("caf√©", "café"),
        ("a¬†b", "a b"),
        ("wait‚Ä¶", "wait…"),
    ],
)
def test_macroman_mojibake(received: str, expected: str) -> None:
    text, repairs = fixed(received)
    assert text == expected
    assert {kind for kind, _, _ in repairs} == {"mojibake-macroman"}


# --- Odd spaces ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        ("a\u00a0b", "a b"),
        ("10\u202f000", "10 000"),
        ("x\u2007y\u2009z\u200ay\u2003w", "x y z y w"),
        ("zero\u200bwidth", "zerowidth"),
        ("soft\u00adhyphen", "softhyphen"),
        ("stray\ufeffbom", "straybom"),
        ("latin\u3000text", "latin text"),
    ],
)
def test_odd_spaces(received: str, expected: str) -> None:
    text, repairs = fixed(received)
    assert text == expected
    assert {kind for kind, _, _ in repairs} == {"space"}


def test_ideographic_space_is_kept_in_cjk_text() -> None:
    assert fixed("東京\u3000タワー") == ("東京\u3000タワー", [])


def test_mixed_repairs_keep_order() -> None:
    text, repairs = fixed("Itโs\u00a0cafÃ© ‚Äô ok")
    assert text == "It’s café ’ ok"
    assert [kind for kind, _, _ in repairs] == [
        "mojibake-cp874",
        "space",
        "mojibake-cp1252",
        "mojibake-macroman",
    ]


# --- The sample articles -------------------------------------------------------------------


def assert_cp874_repaired(received: str, fragments: tuple[str, ...]) -> Repaired:
    """Check that every `โ` of a cp874-mangled page is repaired into the expected fragments."""
    result = repair_text(received)
    assert_consistent(result)
    assert "โ" not in result.text
    for fragment in fragments:
        assert fragment in result.text
    assert {r.kind for r in result.repairs} == {"mojibake-cp874"}
    assert len(result.repairs) == received.count("โ")
    assert len(result.text) == len(received) - received.count("โข")
    return result


def test_seed_001_cp874_mojibake_is_repaired() -> None:
    fragments = (
        "group’s",
        "Liu Leiyun—Party Secretary",
        "“strategic opportunity period”",
        "“golden window for cooperation.”",
        "Exchanges™ continues",
    )
    assert_cp874_repaired(read_seed("001"), fragments)


def test_seed_000_nbsp_is_repaired_and_located() -> None:
    received = read_seed("000")
    result = repair_text(received)
    assert_consistent(result)
    assert "\u00a0" not in result.text
    first = result.repairs[0]
    assert (first.kind, first.original, first.replacement) == ("space", "\u00a0", " ")
    assert first.start == received.index("\u00a0")
    assert result.text[first.canonical_start - 3 : first.canonical_end + 3] == "to  set"
    assert len(result.repairs) == received.count("\u00a0")


def test_all_seeds_are_consistent_and_idempotent() -> None:
    for path in sorted(shared_path("seeds").glob("*.txt")):
        result = repair_text(path.read_text(encoding="utf-8"))
        assert_consistent(result)
        assert repair_text(result.text).repairs == []


def test_all_samples_are_consistent_and_idempotent() -> None:
    paths = sorted(SAMPLES_DIR.glob("*.txt"))
    assert len(paths) >= 5
    for path in paths:
        result = repair_text(path.read_text(encoding="utf-8"))
        assert_consistent(result)
        assert repair_text(result.text).repairs == []


def test_sample_02_cp874_mojibake_is_repaired() -> None:
    received = sample_path("02").read_text(encoding="utf-8")
    fragments = (
        "the institute’s campus",
        "Ilse Marren—chair of Ostmark Cobalt Corp—visited",
        "a “new chapter for Valdorian industry.”",
        "Cobalt Watch™ will follow",
    )
    assert len(assert_cp874_repaired(received, fragments).repairs) == 8


# --- Offset maps ---------------------------------------------------------------------------


def inside_repair(result: Repaired, pos: int, *, canonical: bool) -> bool:
    """Tell whether `pos` falls strictly inside a repaired span of either text."""
    for r in result.repairs:
        start, end = (r.canonical_start, r.canonical_end) if canonical else (r.start, r.end)
        if start < pos < end:
            return True
    return False


def assert_maps_agree(result: Repaired) -> None:
    """Check to_canonical and to_received against each other and against the texts."""
    received, text = result.received, result.text
    for pos in range(len(received) + 1):
        canonical = result.to_canonical(pos)
        assert 0 <= canonical <= len(text)
        if inside_repair(result, pos, canonical=False):
            continue
        back = result.to_received(canonical)
        # Equal, except that a position before removed characters maps to after them.
        assert back >= pos and result.to_canonical(back) == canonical
        assert all(r.replacement == "" for r in result.repairs if pos <= r.start < back)
        untouched = not any(r.start <= pos < r.end for r in result.repairs)
        if untouched and pos < len(received):
            assert received[pos] == text[canonical]
    for pos in range(len(text) + 1):
        if not inside_repair(result, pos, canonical=True):
            assert result.to_canonical(result.to_received(pos)) == pos


def test_offset_maps_on_a_handmade_example() -> None:
    result = repair_text("Aโs\u200b b\u00a0cafÃ© Exchanges โขgo")
    assert result.text == "A’s b café Exchanges™ go"
    assert_maps_agree(result)
    assert result.to_canonical(result.received.index("b")) == result.text.index("b")
    assert result.to_received(result.text.index("go")) == result.received.index("go")
    # A position inside a replacement points at the start of what it replaced.
    inside = result.text.index("™") + 1  # between ™ and the displaced space
    assert result.to_received(inside) == result.received.index(" โข")


def test_offset_maps_on_seed_001() -> None:
    assert_maps_agree(repair_text(read_seed("001")))


def test_offset_maps_on_sample_02() -> None:
    assert_maps_agree(repair_text(sample_path("02").read_text(encoding="utf-8")))


# --- Properties ----------------------------------------------------------------------------

PIECES = [
    "a",
    "Word",
    "s",
    "t ",
    "12",
    " ",
    " ",
    "\n",
    ".",
    ",",
    ":",
    "(",
    ")",
    "'",
    '"',
    "“",
    "”",
    "‘",
    "’",
    "—",
    "–",
    "…",
    "โ",
    "โ",
    "โข",
    "โฆ",
    "â€™",
    "â€",
    "Ã©",
    "Â\u00a0",
    "‚Äô",
    "¬†",
    "\u00a0",
    "\u200b",
    "\u00ad",
    "\u3000",
    "\ufeff",
    "ภาษาไทย",
    "โรงเรียน",
    "ข",
    "東京",
    "한국어",
    "Ö”",
    "é",
]

mixed_text = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
any_text = st.text(max_size=60)


@settings(max_examples=300, deadline=None)
@given(st.one_of(mixed_text, any_text))
def test_repair_is_consistent_on_any_text(received: str) -> None:
    result = repair_text(received)
    assert result.received == received
    assert_consistent(result)


@settings(max_examples=200, deadline=None)
@given(mixed_text)
def test_offset_maps_agree_on_any_text(received: str) -> None:
    assert_maps_agree(repair_text(received))


@settings(max_examples=300, deadline=None)
@given(mixed_text)
def test_cp874_repair_is_idempotent(received: str) -> None:
    once = repair_text(received)
    twice = repair_text(once.text)
    assert not [r for r in twice.repairs if r.kind == "mojibake-cp874"]
    assert not [r for r in twice.repairs if r.kind == "space"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="ascii"), max_size=80))
def test_ascii_is_never_repaired(received: str) -> None:
    assert repair_text(received).repairs == []


@pytest.mark.parametrize("received", ["โ\u200bข", "x โ\u200bข y", "ab โ\u2060ขcd"])
def test_zero_width_inside_a_cp874_unit_is_repaired_in_one_pass(received):
    """Found by hypothesis: removing the zero-width space used to join a new `โข`."""
    first = repair_text(received)
    assert "โ" not in first.text and "\u200b" not in first.text and "\u2060" not in first.text
    assert repair_text(first.text).repairs == []
