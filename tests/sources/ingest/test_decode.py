"""Decoding uploaded bytes: encodings, byte-order marks, line endings and refusals."""

from __future__ import annotations

import codecs

import pytest

from sources.ingest.decode import decode_bytes
from sources.ingest.types import IngestError
from tests.conftest import SAMPLES_DIR, shared_path


def refusal(data: bytes, name: str = "foo.txt") -> str:
    """Return the reason `decode_bytes` gives for refusing `data`."""
    with pytest.raises(IngestError) as caught:
        decode_bytes(data, name=name)
    return caught.value.reason


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n"])
def test_empty_or_blank_files_are_refused_by_name(data: bytes) -> None:
    assert refusal(data) == "foo.txt: empty file"


def test_a_nameless_input_is_still_described() -> None:
    with pytest.raises(IngestError, match=r"^input: empty file$"):
        decode_bytes(b"")


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"IHDR" * 10, "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF document"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (b"GIF89a\x01\x00", "GIF image"),
        (b"PK\x03\x04\x14\x00", "ZIP archive"),
        (b"\x1f\x8b\x08\x00", "gzip archive"),
        (b"\x7fELF\x02\x01\x01", "ELF executable"),
    ],
)
def test_well_known_binary_formats_are_refused(data: bytes, what: str) -> None:
    reason = refusal(data, name="foo.bin")
    assert reason.startswith("foo.bin: binary file (")
    assert what in reason


def test_nul_bytes_mean_binary() -> None:
    assert refusal(b"Hello\x00world, this has a NUL", name="foo.bin") == (
        "foo.bin: binary file (contains NUL bytes)"
    )


def test_mostly_control_characters_mean_binary() -> None:
    reason = refusal(b"\x01\x02\x03\x04\x05 some text \x06\x07\x08\x0e\x0f", name="foo.bin")
    assert reason.startswith("foo.bin: binary file (") and "control characters" in reason


def test_a_stray_control_character_in_a_long_text_is_kept() -> None:
    data = b"A long enough line of ordinary article text. " * 10 + b"\x1a\n"
    text, _ = decode_bytes(data, name="foo.txt")
    assert "\x1a" in text


def test_undecodable_bytes_are_refused_with_the_reason() -> None:
    reason = refusal(bytes(range(0x80, 0x100)) * 4)
    assert reason == "foo.txt: not valid UTF-8 and no text encoding fits"


def test_utf8_is_returned_unchanged() -> None:
    text, encoding = decode_bytes("Grüße “quoted” — ok\n".encode(), name="foo.txt")
    assert (text, encoding) == ("Grüße “quoted” — ok\n", "utf-8")


def test_utf8_byte_order_mark_is_stripped() -> None:
    data = codecs.BOM_UTF8 + "café\n".encode()
    text, encoding = decode_bytes(data, name="foo.txt")
    assert text == "café\n"
    assert encoding == "utf-8-sig"
    assert data.decode(encoding) == text


def test_cp1252_bytes_are_detected() -> None:
    text, encoding = decode_bytes(b"caf\xe9 \x93quoted\x94", name="foo.txt")
    assert text == "café “quoted”"
    assert encoding == "cp1252"


def test_another_legacy_code_page_is_detected() -> None:
    original = "Привет мир, как дела у тебя сегодня? Всё хорошо, спасибо."
    text, encoding = decode_bytes(original.encode("cp1251"), name="foo.txt")
    assert text == original
    assert codecs.lookup(encoding).name == "cp1251"


@pytest.mark.parametrize(("codec", "reported"), [("utf-16", "utf-16"), ("utf-32", "utf-32")])
def test_utf16_and_utf32_with_byte_order_mark(codec: str, reported: str) -> None:
    data = "Grüße “x”\r\n한국어\r\n".encode(codec)  # Python's codec writes the BOM
    text, encoding = decode_bytes(data, name="foo.txt")
    assert text == "Grüße “x”\n한국어\n"
    assert encoding == reported


@pytest.mark.parametrize("codec", ["utf-16-be", "utf-16-le"])
def test_utf16_with_explicit_bom_in_either_byte_order(codec: str) -> None:
    data = "\ufeffHello, world".encode(codec)
    assert decode_bytes(data, name="foo.txt") == ("Hello, world", "utf-16")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_not_mistaken_for_binary(codec: str) -> None:
    text, encoding = decode_bytes("Plain English text.\n".encode(codec), name="foo.txt")
    assert (text, encoding) == ("Plain English text.\n", codec)


def test_a_broken_utf16_file_is_refused_by_name() -> None:
    reason = refusal(codecs.BOM_UTF16_LE + b"a\x00b", name="foo.txt")
    assert reason.startswith("foo.txt: ") and "utf-16" in reason


def test_line_endings_become_lf() -> None:
    text, _ = decode_bytes(b"one\r\ntwo\rthree\n\r\nfour", name="foo.txt")
    assert text == "one\ntwo\nthree\n\nfour"


@pytest.mark.parametrize("folder", ["samples", "seeds"])
def test_the_seeds_decode_as_utf8(folder) -> None:
    paths = sorted((SAMPLES_DIR if folder == "samples" else shared_path("seeds")).glob("*.txt"))
    assert len(paths) >= 5
    for path in paths:
        data = path.read_bytes()
        text, encoding = decode_bytes(data, name=path.name)
        assert encoding == "utf-8"
        assert text == data.decode("utf-8").replace("\r\n", "\n")
