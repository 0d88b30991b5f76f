"""Turn uploaded bytes into text, or refuse them with a reason the user can act on.

The first ingestion stage. It decides the character encoding, refuses what is not text
(empty, binary) and normalises line endings; everything it returns is the article's
*received* text, which the repair stage then maps to the canonical text.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from sources.ingest.types import IngestError

# Checked longest first, so the UTF-32 LE mark (FF FE 00 00) is not taken for UTF-16 LE.
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"PK\x03\x04", "ZIP archive or Office document"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\x7fELF", "ELF executable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
)

# Control characters that never belong in an article; \t \n \r \f are ordinary layout.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_RATIO = 0.02

# charset_normalizer ranks legacy code pages that fit equally well in an arbitrary order
# (short cp1252 text comes out as cp1125); news text in a single-byte page is far more often
# Windows-1252 than anything else, so it wins ties.
_PREFERRED_LEGACY = ("cp1252",)
_CHAOS_TIE = 0.01
_WIDE_UNICODE = ("utf_16", "utf_32", "utf-16", "utf-32")


def decode_bytes(data: bytes, *, name: str = "") -> tuple[str, str]:
    """Decode uploaded bytes to text with LF line endings; return `(text, encoding_name)`.

    `encoding_name` is a Python codec name such that `data.decode(encoding_name)` gives the
    text before line-ending normalisation (a byte-order mark is part of the codec:
    "utf-8-sig", "utf-16", "utf-32"). Raises `IngestError` naming the file when the bytes
    are empty, binary, or in no text encoding that fits.
    """
    label = name or "input"
    if not data:
        raise IngestError(f"{label}: empty file")
    refuse_magic(data, label)
    text, encoding = _decode(data, label)
    refuse_controls(text, label)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError(f"{label}: empty file")
    return text, encoding


def refuse_magic(data: bytes, label: str) -> None:
    """Refuse files that start like a well-known binary format, whatever they decode to."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise IngestError(f"{label}: binary file ({what})")


def _decode(data: bytes, label: str) -> tuple[str, str]:
    """Pick the encoding: byte-order mark, then strict UTF-8, then detection."""
    for bom, codec, reported in _BOMS:
        if data.startswith(bom):
            return _decode_strict(data[len(bom) :], codec, label), reported
    if b"\x00" in data:
        return _decode_nul_bearing(data, label)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _decode_detected(data, label)


def _decode_strict(data: bytes, codec: str, label: str) -> str:
    """Decode with a codec the byte-order mark promised; a mismatch is the file's fault."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{label}: starts with a {codec} byte-order mark but is not valid {codec} "
            f"(bad bytes at offset {exc.start})"
        ) from exc


def _decode_nul_bearing(data: bytes, label: str) -> tuple[str, str]:
    """Accept NUL bytes only as the high bytes of BOM-less UTF-16 text; otherwise refuse.

    Text in UTF-16 without a byte-order mark has a NUL in every other byte (for Latin
    script), which is how it is told apart from a binary file that merely contains NULs.
    """
    if len(data) % 2 == 0:
        even_nuls = data[0::2].count(0)
        odd_nuls = data[1::2].count(0)
        half = len(data) // 2
        for nuls, other, codec in (
            (odd_nuls, even_nuls, "utf-16-le"),
            (even_nuls, odd_nuls, "utf-16-be"),
        ):
            if nuls >= 0.6 * half and other == 0:
                try:
                    return data.decode(codec), codec
                except UnicodeDecodeError:
                    break
    raise IngestError(f"{label}: binary file (contains NUL bytes)")


def _decode_detected(data: bytes, label: str) -> tuple[str, str]:
    """Decode with charset_normalizer's best guess, preferring Windows-1252 on a tie."""
    # Without a byte-order mark, UTF-16/32 was already ruled in or out by the NUL check; a
    # guess of it here turns arbitrary bytes into CJK-looking noise.
    matches = [m for m in from_bytes(data) if not m.encoding.startswith(_WIDE_UNICODE)]
    if not matches:
        raise IngestError(f"{label}: not valid UTF-8 and no text encoding fits")
    best = matches[0]  # charset_normalizer ranks best first
    encoding = best.encoding
    for preferred in _PREFERRED_LEGACY:
        for match in matches:
            tied = match.chaos <= best.chaos + _CHAOS_TIE
            if tied and preferred in match.could_be_from_charset:
                encoding = preferred
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise IngestError(f"{label}: not valid UTF-8 and no text encoding fits") from exc
    return text.removeprefix("\ufeff"), encoding


def refuse_controls(text: str, label: str) -> None:
    """Refuse text that is mostly control characters: a binary file that happened to decode."""
    controls = len(_CONTROL_RE.findall(text))
    if controls and controls > _MAX_CONTROL_RATIO * len(text):
        share = 100 * controls / len(text)
        raise IngestError(f"{label}: binary file ({share:.0f}% control characters)")
