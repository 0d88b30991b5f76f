"""Repair mojibake and odd spaces in the received text, recording every change.

Claims point into the canonical text by character offset, so a repair may never be a blind
global rewrite (ftfy.fix_text would also straighten correct curly quotes): each repair is a
small, recorded replacement, found by one regex scan and decided from the match's context.

Rules (each `Repair.kind`):

- "mojibake-cp874": UTF-8 punctuation read as Thai code page 874, where the lead byte E2
  became `โ` and the continuation bytes were lost (except A2 → `ข`, A6 → `ฆ`). Decided by
  context, only on lines that are not Thai text and only where `โ` is not followed by a Thai
  letter (in Thai, `โ` is a vowel that always precedes a consonant):
    * letter + `โ` + s/t/ll/re/ve/d/m + non-letter → `’` (possessive or contraction);
    * letter + `โ` + letter → `—` (`–` between two digits, a range);
    * `โ` between spaces (or line edges) → `—` (an em dash, the commoner in news copy);
    * `โ` after a space/opening bracket and before a word → `“`; after a word or punctuation
      and before a space/punctuation/end → `”`; anything else opens or closes depending on
      whether the paragraph has an open quote;
    * `โข` at line start → `•`; directly after a word → `™`; after "word " and directly
      before a letter → the repair covers the space too, ` โข` → `™ ` (the space was evidently
      displaced, and one record keeps the change explicit); otherwise → `•`;
    * `โฆ` → `…`.
- "mojibake-cp1252": UTF-8 read as Windows-1252 or Latin-1 (`â€™`, `Ã©`, `Â` + NBSP): each
  run of lead + continuation characters is re-encoded and decoded as UTF-8, and kept only
  when the result is a plausible character for that mistake (a Latin, Greek or Cyrillic
  letter, punctuation or symbol; never a control or combining mark), so real text such as
  `Ö”` is left alone. Adjacent units make one repair; a run that decodes to mojibake again
  (encoded wrongly twice) is decoded again. `â€` not followed by a continuation is `”` whose
  last byte (0x9D, undefined in Windows-1252) was dropped, and `â€"` (ASCII quote) is `—`
  whose third character `”` was straightened afterwards.
- "mojibake-macroman": UTF-8 read as Mac Roman (`‚Äô`, `¬†`, `√©`), limited to the lead
  characters `¬ √ ƒ ≈ ∆ ‚`, because the other Mac Roman leads (“ ” « … —) are common
  punctuation in correct text.
- "space": NBSP, narrow NBSP, figure/thin/hair/en/em spaces, medium mathematical space and
  ideographic space (except on a line with CJK text) → a plain space; zero-width space, word
  joiner, soft hyphen and a stray BOM → removed. ZWJ/ZWNJ are kept: some scripts need them.
  A mojibake repair whose decoded character is one of these gets the same treatment, so the
  canonical text never needs a second pass.

Anything else is left as received. The result depends on the received text only.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from typing import NamedTuple

from sources.ingest.types import Repair, Repaired

KIND_CP874 = "mojibake-cp874"
KIND_CP1252 = "mojibake-cp1252"
KIND_MACROMAN = "mojibake-macroman"
KIND_SPACE = "space"
_RUN_KINDS = frozenset({KIND_CP1252, KIND_MACROMAN})


class _Edit(NamedTuple):
    """A decided replacement of received[start:end], before canonical offsets are known."""

    start: int
    end: int
    replacement: str
    kind: str


# --- Odd spaces -------------------------------------------------------------------------

_SPACE_TO_PLAIN = (
    "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"
)
_SPACE_REMOVED = "\u200b\u2060\u00ad\ufeff"
_IDEOGRAPHIC_SPACE = "\u3000"
_SPACE_CHARS = _SPACE_TO_PLAIN + _SPACE_REMOVED + _IDEOGRAPHIC_SPACE
_SPACE_TABLE = str.maketrans(
    {**dict.fromkeys(_SPACE_TO_PLAIN, " "), **dict.fromkeys(_SPACE_REMOVED, "")}
)
_SPACE_TABLE_NON_CJK = {**_SPACE_TABLE, ord(_IDEOGRAPHIC_SPACE): " "}
_CJK_RE = re.compile(
    r"[\u1100-\u11ff\u3001-\u303f\u3040-\u30ff\u3130-\u318f\u3400-\u9fff"
    r"\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)

# --- Windows-1252 / Latin-1 and Mac Roman mojibake ---------------------------------------


def _char_to_byte(codec: str) -> dict[str, int]:
    """Map each character a single-byte codec produces back to its byte."""
    table: dict[str, int] = {}
    for byte in range(256):
        with contextlib.suppress(UnicodeDecodeError):  # cp1252 leaves five bytes undefined
            table[bytes([byte]).decode(codec)] = byte
    return table


# Latin-1 fills cp1252's five undefined bytes and also covers text decoded as Latin-1, where
# 0x80-0x9F appear as C1 controls; the two tables never disagree on a character.
_CP1252_BYTES = {**_char_to_byte("latin-1"), **_char_to_byte("cp1252")}
_MACROMAN_BYTES = _char_to_byte("mac_roman")


def _chars(table: dict[str, int], low: int, high: int) -> str:
    """Return a regex class body for the characters that stand for bytes low..high."""
    return "".join(sorted(re.escape(c) for c, b in table.items() if low <= b <= high))


_CP_CONT = f"[{_chars(_CP1252_BYTES, 0x80, 0xBF)}]"
_CP_UNIT = (
    f"[\u00c2-\u00df]{_CP_CONT}|[\u00e0-\u00ef]{_CP_CONT}{{2}}|[\u00f0-\u00f4]{_CP_CONT}{{3}}"
)
_CP_UNIT_RE = re.compile(_CP_UNIT)
_CP_RUN_RE = re.compile(f"(?:{_CP_UNIT})+")
_MAC_CONT = f"[{_chars(_MACROMAN_BYTES, 0x80, 0xBF)}]"
_MAC_UNIT = f"[¬√ƒ≈∆]{_MAC_CONT}|‚{_MAC_CONT}{{2}}"

# What a genuine UTF-8 character read through the wrong code page can plausibly have been.
_PLAUSIBLE_CP1252 = (
    (0x00A0, 0x024F),  # Latin-1 Supplement, Latin Extended-A and -B
    (0x0370, 0x04FF),  # Greek, Cyrillic
    (0x2000, 0x22FF),  # punctuation, currency, letterlike symbols, arrows, maths
    (0x2500, 0x27BF),  # box drawing, shapes, symbols, dingbats
    (0x1F300, 0x1FAFF),  # emoji
)
_PLAUSIBLE_MACROMAN = ((0x00A0, 0x01BF), (0x2000, 0x22FF))
_IMPLAUSIBLE_CATEGORIES = frozenset({"Mn", "Me", "Cc", "Cn", "Co", "Cs"})

# --- Thai code page 874 lost-byte mojibake -------------------------------------------------

_THAI_O = "\u0e42"  # โ: what the UTF-8 lead byte E2 became
_THAI_RE = re.compile(r"[\u0e00-\u0e7f]")
_ASCII_LETTER_RE = re.compile(r"[A-Za-z]")
_O_TAIL_RE = re.compile(f"(?<={_THAI_O})[{_SPACE_REMOVED}]*[\u0e02\u0e06]")
_CONTRACTION_RE = re.compile(r"(?:s|t|ll|re|ve|d|m)(?![^\W\d_])", re.IGNORECASE)
_OPENERS = frozenset("([{<‘“'\"«—–-/")
_CLOSERS = frozenset(".,;:!?)]}>…%'\"’»")
_CAN_START_QUOTE = frozenset("‘'\"([$£€#@…")

# --- The single scan -----------------------------------------------------------------------

_SCAN_RE = re.compile(
    "|".join(
        (
            # Zero-width characters between `โ` and its tail are removed anyway (space rule):
            # taking them into the unit keeps a second repair pass from finding a new `โข`.
            f"(?P<cp874>{_THAI_O}(?:[{_SPACE_REMOVED}]*[\u0e02\u0e06])?)",
            f"(?P<cp1252>{_CP_UNIT})",
            '(?P<lossy>\u00e2\u20ac"?)',  # only reached when no continuation follows
            f"(?P<mac>{_MAC_UNIT})",
            f"(?P<space>[{_SPACE_CHARS}]+)",
        )
    )
)
# Where _SCAN_RE can start. `re` searches for a single character class far faster than it
# tries an alternation at every position, so the class comes first; the lookbehind then drops
# accented letters that are not followed by a continuation character (ordinary é, ü).
_TRIGGER_RE = re.compile(
    f"[{_THAI_O}{_SPACE_CHARS}\u00c2-\u00f4¬√ƒ≈∆‚]"
    f"(?<=[{_THAI_O}{_SPACE_CHARS}]|[\u00c2-\u00f4](?={_CP_CONT})|[¬√ƒ≈∆‚](?={_MAC_CONT}))"
)


def repair_text(received: str) -> Repaired:
    """Repair mojibake and odd spaces; return the canonical text with the repairs recorded.

    Repairs are ordered by position and never overlap, so applying them to `received`
    reproduces `text` and `Repaired` can map offsets between the two.
    """
    if received.isascii():
        # Every rule starts at a non-ASCII character: clean ASCII costs one C-level pass.
        return Repaired(received=received, text=received, repairs=[])
    return _build(received, _find_edits(received))


def _find_edits(text: str) -> list[_Edit]:
    """Scan once and decide every candidate; adjacent mojibake units merge into one edit."""
    edits: list[_Edit] = []
    quotes = _QuoteState()
    pos = 0
    while trigger := _TRIGGER_RE.search(text, pos):
        match = _SCAN_RE.match(text, trigger.start())
        if match is None:
            pos = trigger.start() + 1
            continue
        kind = match.lastgroup
        if kind == "cp874":
            edit = _cp874_edit(text, match, quotes, edits[-1].end if edits else 0)
        elif kind == "space":
            edit = _space_edit(text, match)
        else:
            edit = _mojibake_edit(match, kind)
        if edit is None and kind in ("cp1252", "mac", "cp874"):
            pos = match.start() + 1  # a unit that is real text may hide a candidate inside
            continue
        pos = match.end()
        if edit is not None:
            _append(edits, edit)
    return [_finish_run(e) if e.kind in _RUN_KINDS else e for e in edits]


def _append(edits: list[_Edit], edit: _Edit) -> None:
    """Add an edit, merging adjacent code-page units so that one run is one repair."""
    if edits and edit.kind in _RUN_KINDS:
        last = edits[-1]
        if last.end == edit.start and last.kind == edit.kind:
            edits[-1] = _Edit(last.start, edit.end, last.replacement + edit.replacement, edit.kind)
            return
    edits.append(edit)


def _build(received: str, edits: list[_Edit]) -> Repaired:
    """Apply the edits and record each with its offsets in both texts."""
    pieces: list[str] = []
    repairs: list[Repair] = []
    cursor = 0
    shift = 0
    for edit in edits:
        original = received[edit.start : edit.end]
        if original == edit.replacement:
            continue
        pieces.append(received[cursor : edit.start])
        pieces.append(edit.replacement)
        canonical_start = edit.start + shift
        repairs.append(
            Repair(
                kind=edit.kind,
                start=edit.start,
                end=edit.end,
                original=original,
                replacement=edit.replacement,
                canonical_start=canonical_start,
                canonical_end=canonical_start + len(edit.replacement),
            )
        )
        shift += len(edit.replacement) - len(original)
        cursor = edit.end
    pieces.append(received[cursor:])
    return Repaired(received=received, text="".join(pieces), repairs=repairs)


# --- Spaces --------------------------------------------------------------------------------


def _space_edit(text: str, match: re.Match[str]) -> _Edit:
    """Turn a run of odd spaces into plain spaces (or nothing, for zero-width ones)."""
    run = match.group()
    table = _SPACE_TABLE
    if _IDEOGRAPHIC_SPACE in run and not _CJK_RE.search(_line_of(text, match.start())):
        table = _SPACE_TABLE_NON_CJK
    return _Edit(match.start(), match.end(), run.translate(table), KIND_SPACE)


def _line_of(text: str, pos: int) -> str:
    """Return the line (without its newline) that contains `pos`."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : end if end != -1 else len(text)]


# --- Windows-1252 / Mac Roman --------------------------------------------------------------


def _mojibake_edit(match: re.Match[str], group: str) -> _Edit | None:
    """Decode one mojibake unit back to its UTF-8 character, if that character is plausible."""
    if group == "lossy":
        # `â€` + `"` is an em dash whose third character (”) was later straightened.
        lost = "\u2014" if match.group().endswith('"') else "\u201d"
        return _Edit(match.start(), match.end(), lost, KIND_CP1252)
    decoded = _decode_unit(match.group(), mac=group == "mac")
    if decoded is None:
        return None
    return _Edit(
        match.start(), match.end(), decoded, KIND_MACROMAN if group == "mac" else KIND_CP1252
    )


def _decode_unit(unit: str, *, mac: bool) -> str | None:
    """Re-encode one unit with the code page that produced it and decode it as UTF-8."""
    table, plausible = (
        (_MACROMAN_BYTES, _PLAUSIBLE_MACROMAN) if mac else (_CP1252_BYTES, _PLAUSIBLE_CP1252)
    )
    try:
        decoded = bytes(table[c] for c in unit).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return decoded if _is_plausible(decoded, plausible) else None


def _finish_run(edit: _Edit) -> _Edit:
    """Peel further layers off a doubly encoded run, then normalise the spaces it decoded to.

    Text that went through the Windows-1252 mistake twice (`Ã¢â‚¬â„¢`) decodes to mojibake
    again; it is peeled while the whole replacement is still made of plausible units.
    """
    text = edit.replacement
    while edit.kind == KIND_CP1252 and _CP_RUN_RE.fullmatch(text):
        units = [_decode_unit(m.group(), mac=False) for m in _CP_UNIT_RE.finditer(text)]
        if any(unit is None for unit in units):
            break
        text = "".join(unit for unit in units if unit)
    return edit._replace(replacement=text.translate(_SPACE_TABLE))


def _is_plausible(decoded: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    """Tell whether a decoded character is something text really contains."""
    code = ord(decoded)
    if unicodedata.category(decoded) in _IMPLAUSIBLE_CATEGORIES:
        return False
    return any(low <= code <= high for low, high in ranges)


# --- Thai code page 874 --------------------------------------------------------------------


class _QuoteState:
    """Whether the current paragraph has an open quotation, and whether its line is Thai."""

    __slots__ = ("line_end", "line_start", "open", "thai")

    def __init__(self) -> None:
        self.line_start = -1
        self.line_end = -1
        self.open = False
        self.thai = False

    def enter(self, text: str, pos: int) -> None:
        """Move to the line containing `pos`, resetting the quote balance on a new line."""
        if self.line_start <= pos < self.line_end:
            return
        self.line_start = text.rfind("\n", 0, pos) + 1
        end = text.find("\n", pos)
        self.line_end = end if end != -1 else len(text)
        self.open = False
        self.thai = _is_thai_line(text[self.line_start : self.line_end])


def _is_thai_line(line: str) -> bool:
    """Tell whether a line is Thai text, where `โ` is a real vowel rather than mojibake.

    Only Thai letters that cannot be mojibake (not `โ`, nor the `ข`/`ฆ` right after it) and
    ASCII letters are counted: no repair changes either, so a repaired line gets the same
    answer and the repair is idempotent.
    """
    if not _THAI_RE.search(line):
        return False
    tails = _O_TAIL_RE.findall(line)  # `ข`/`ฆ` after `โ`, zero-width characters between
    mojibake = line.count(_THAI_O) + len(tails)
    thai = len(_THAI_RE.findall(line)) - mojibake
    return thai > 0 and thai * 5 >= len(_ASCII_LETTER_RE.findall(line))


def _cp874_edit(text: str, match: re.Match[str], quotes: _QuoteState, floor: int) -> _Edit | None:
    """Decide what a `โ` (or `โข`, `โฆ`) stood for, from the characters around it."""
    start, end = match.span()
    quotes.enter(text, start)
    after = text[end : end + 1]
    if quotes.thai or ("\u0e00" <= after <= "\u0e7f" and after != _THAI_O):
        return None  # Thai text: `โ` opens a syllable here
    before = text[start - 1 : start] if start else ""
    tail = match.group()[-1] if len(match.group()) > 1 else ""
    if tail == "\u0e06":
        return _Edit(start, end, "…", KIND_CP874)
    if tail == "\u0e02":
        return _trademark_or_bullet(text, start, end, before, after, quotes.line_start, floor)
    replacement = _single_o(text, end, before, after, quotes.open)
    if replacement == "“":
        quotes.open = True
    elif replacement == "”":
        quotes.open = False
    return _Edit(start, end, replacement, KIND_CP874)


def _trademark_or_bullet(
    text: str, start: int, end: int, before: str, after: str, line_start: int, floor: int
) -> _Edit:
    """Tell ™ (E2 84 A2) from • (E2 80 A2): both came out as `โข`."""
    if not text[line_start:start].strip():
        return _Edit(start, end, "•", KIND_CP874)
    if _is_word(before):
        return _Edit(start, end, "™", KIND_CP874)
    displaced = (
        before == " "
        and start - 1 >= floor
        and _is_word(text[start - 2 : start - 1])
        and after.isalpha()
    )
    if displaced:
        return _Edit(start - 1, end, "™ ", KIND_CP874)
    return _Edit(start, end, "•", KIND_CP874)


def _single_o(text: str, end: int, before: str, after: str, quote_open: bool) -> str:
    """Choose among ’ — – “ ” for a lone `โ` from its neighbours and the quote balance."""
    left_word, right_word = _is_word(before), _is_word(after)
    left_space = before == "" or before.isspace()
    right_space = after == "" or after.isspace()
    if left_word and _CONTRACTION_RE.match(text, end):
        return "’"
    if left_word and right_word:
        return "–" if before.isdigit() and after.isdigit() else "—"
    if left_space and right_space:
        return "—"
    if (left_space or before in _OPENERS) and (right_word or after in _CAN_START_QUOTE):
        return "“"
    if (left_word or before in _CLOSERS) and (right_space or after in _CLOSERS):
        return "”"
    return "”" if quote_open else "“"


def _is_word(char: str) -> bool:
    """Tell whether a character is a letter or digit (the mojibake letters themselves are not)."""
    return char.isalnum() and char not in (_THAI_O, "\u0e02", "\u0e06")
