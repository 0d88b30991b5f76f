"""Hostile zips: every refusal names the entry and says why; nothing of a refused file is kept."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports import queue, uploads
from sources.ingest.archive import ArchiveError, ArchiveLimits, open_zip, shown_name, shown_text
from sources.models import Article, ImportFile, ImportOutcome

GOOD = (
    b"Magnet plant opens in Baotou\n\nThe plant produced 900 tonnes of magnets in 2024, the "
    b"company said. Output rose 5 percent.\n"
)
LIMITS = ArchiveLimits(
    max_file_bytes=1_000_000, max_total_bytes=5_000_000, max_entries=50, max_ratio=100
)


def build(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return buffer.getvalue()


def read(data: bytes, limits: ArchiveLimits = LIMITS) -> dict[str, str]:
    """{entry name: reason or "ok"}."""
    entries = open_zip(io.BytesIO(data), name="up.zip", limits=limits)
    return {e.name: e.reason or "ok" for e in entries}


def test_good_entries_are_read_with_their_type():
    entries = list(
        open_zip(
            io.BytesIO(build([("a/one.txt", GOOD), ("two.HTML", b"<p>x</p>")])),
            name="up.zip",
            limits=LIMITS,
        )
    )
    assert [(e.name, e.content_type, e.data) for e in entries] == [
        ("up.zip/a/one.txt", "txt", GOOD),
        ("up.zip/two.HTML", "html", b"<p>x</p>"),
    ]


def test_zip_bomb_by_compression_ratio_is_refused():
    result = read(build([("bomb.txt", b"\0" * 900_000), ("ok.txt", GOOD)]))
    assert result["up.zip/ok.txt"] == "ok"
    assert result["up.zip/bomb.txt"].startswith("up.zip/bomb.txt: compression ratio too high")


def test_entries_past_the_total_unpacked_size_are_refused_alone_unread():
    """A zip bomb by total size: what fits is read, each entry past the total is refused by
    name, with the limit, and never read; an entry that still fits after it is read."""
    data = build(
        [(f"part{i}.txt", bytes(range(256)) * 3000) for i in range(7)] + [("last.txt", GOOD)]
    )
    limits = ArchiveLimits(max_file_bytes=1_000_000, max_total_bytes=5_000_000, max_ratio=1000)
    entries = list(open_zip(io.BytesIO(data), name="up.zip", limits=limits))
    result = {e.name: e.reason or "ok" for e in entries}
    assert [result[f"up.zip/part{i}.txt"] for i in range(6)] == ["ok"] * 6  # 4,608,000 bytes
    assert result["up.zip/part6.txt"] == (
        "up.zip/part6.txt: left out, the archive would be too large when unpacked "
        "(5,376,000 bytes with the files before it; the limit is 5,000,000)"
    )
    assert result["up.zip/last.txt"] == "ok"
    assert entries[6].data is None
    assert sum(len(e.data or b"") for e in entries) <= limits.max_total_bytes


def test_entry_over_the_file_limit_is_refused_alone_though_it_takes_the_total_over():
    limits = ArchiveLimits(max_file_bytes=1000, max_total_bytes=3000, max_ratio=1000)
    huge = bytes(range(256)) * 20  # 5,120 bytes: over the file limit and the total
    result = read(build([("a.txt", GOOD), ("huge.txt", huge), ("b.txt", GOOD)]), limits)
    assert result == {
        "up.zip/a.txt": "ok",
        "up.zip/huge.txt": "up.zip/huge.txt: file too large (5,120 bytes; the limit is 1,000)",
        "up.zip/b.txt": "ok",
    }


def test_too_many_entries_refuses_the_whole_archive():
    data = build([(f"f{i}.txt", GOOD) for i in range(51)])
    with pytest.raises(ArchiveError, match=r"up.zip: too many entries \(51; the limit is 50\)"):
        open_zip(io.BytesIO(data), name="up.zip", limits=LIMITS)


def test_not_a_zip_is_refused():
    with pytest.raises(ArchiveError, match=r"up\.zip: not a readable zip archive"):
        open_zip(io.BytesIO(b"PK\x03\x04 truncated"), name="up.zip", limits=LIMITS)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("/etc/passwd.txt", "unsafe path in archive (absolute path)"),
        ("C:/Windows/evil.txt", "unsafe path in archive (absolute path)"),
        ("../../evil.txt", "unsafe path in archive ('..' component)"),
        ("a/../../evil.txt", "unsafe path in archive ('..' component)"),
        ("inner.zip", "nested zip archive"),
        ("photo.jpg", "unsupported file type '.jpg'"),
        ("README", "unsupported file type '(none)'"),
    ],
)
def test_unsafe_or_unsupported_entry_is_refused_with_its_name(name, reason):
    data = build([(zipfile.ZipInfo(name), GOOD), ("ok.txt", GOOD)])
    result = read(data)
    assert result["up.zip/ok.txt"] == "ok"
    [(entry, why)] = [(n, r) for n, r in result.items() if n != "up.zip/ok.txt"]
    assert why.startswith(f"{entry}: {reason}")


def test_nested_zip_is_refused_not_opened():
    inner = build([("deep.txt", GOOD)])
    result = read(build([("inner.zip", inner)]))
    assert list(result) == ["up.zip/inner.zip"]
    assert "zips inside zips are not accepted" in result["up.zip/inner.zip"]


def test_symlink_entry_is_refused():
    info = zipfile.ZipInfo("link.txt")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    result = read(build([(info, b"/etc/passwd")]))
    assert result == {"up.zip/link.txt": "up.zip/link.txt: symbolic link in archive (not a file)"}


def _set_encrypted_flag(data: bytes) -> bytes:
    """Set the 'encrypted' bit in the local and central headers (zipfile cannot encrypt)."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = out.find(signature)
        out[at + offset] |= 0x1
    return bytes(out)


def test_encrypted_entry_is_refused():
    result = read(_set_encrypted_flag(build([("secret.txt", GOOD)])))
    assert result == {"up.zip/secret.txt": "up.zip/secret.txt: encrypted entry (cannot be read)"}


def test_oversized_entry_is_refused_by_its_header():
    limits = ArchiveLimits(max_file_bytes=1000, max_total_bytes=10**6, max_entries=5)
    result = read(build([("big.txt", bytes(range(256)) * 8)]), limits)
    assert result["up.zip/big.txt"] == (
        "up.zip/big.txt: file too large (2,048 bytes; the limit is 1,000)"
    )


def test_entry_whose_header_lies_about_its_size_is_refused_while_reading():
    data = bytearray(build([("liar.txt", bytes(range(256)) * 40)]))
    # Declare 100 bytes where 10,240 are: patch the size in both headers.
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    data[local + 22 : local + 26] = (100).to_bytes(4, "little")
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    result = read(bytes(data))
    assert result["up.zip/liar.txt"].startswith("up.zip/liar.txt: ")
    assert result["up.zip/liar.txt"] != "ok"


@pytest.mark.django_db
def test_hostile_zip_upload_keeps_only_reasons_for_refused_entries(settings):
    settings.IMPORT_MAX_FILE_BYTES = 200_000
    link = zipfile.ZipInfo("link.txt")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    data = build(
        [
            ("good.txt", GOOD),
            (zipfile.ZipInfo("../escape.txt"), GOOD + b" escape"),
            (zipfile.ZipInfo("/abs.txt"), GOOD + b" abs"),
            ("bomb.txt", b"\0" * 190_000),
            ("big.txt", bytes(range(256)) * 1000),
            ("inner.zip", build([("deep.txt", GOOD)])),
            (link, b"/etc/passwd"),
            ("tool.exe", b"MZ"),
        ]
    )
    batch = uploads.import_batch_create_from_uploads(
        files=[SimpleUploadedFile("hostile.zip", data)], by=None
    )
    queue.import_batch_process(batch_id=batch.pk, worker="w1")
    rows = {f.name: f for f in ImportFile.objects.filter(batch=batch)}
    assert rows.pop("hostile.zip/good.txt").outcome == ImportOutcome.IMPORTED
    assert len(rows) == 7
    for name, row in rows.items():
        assert row.outcome == ImportOutcome.REJECTED, name
        assert row.reason.startswith(f"{name}: "), row.reason
        assert row.content is None
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_zip_over_its_limits_is_one_rejected_file_and_nothing_else(settings):
    settings.IMPORT_ZIP_MAX_ENTRIES = 3
    data = build([(f"f{i}.txt", GOOD + str(i).encode()) for i in range(4)])
    batch = uploads.import_batch_create_from_uploads(
        files=[SimpleUploadedFile("many.zip", data)], by=None
    )
    [row] = ImportFile.objects.filter(batch=batch)
    assert (row.name, row.outcome) == ("many.zip", ImportOutcome.REJECTED)
    assert row.reason == "many.zip: too many entries (4; the limit is 3)"
    batch.refresh_from_db()
    assert batch.status == "done"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("gt-001.txt", "gt-001.txt"),
        ("/srv/drop/2024/05/gt-001.txt", "gt-001.txt"),
        ("../shared/seeds/001_gt.txt", "001_gt.txt"),
        ("C:\\Users\\ana\\Desktop\\gt-001.txt", "gt-001.txt"),
        # An archive's entry keeps the archive's name and its place in it: the uploader's names.
        ("batch.zip/again/good-copy.txt", "batch.zip/again/good-copy.txt"),
        ("/srv/drop/batch.zip/world/gt-001.txt", "batch.zip/world/gt-001.txt"),
        ("/srv/drop/batch.ZIP", "batch.ZIP"),
        ("", ""),
    ],
)
def test_a_file_is_shown_without_the_directories_it_was_read_from(name, shown):
    assert shown_name(name) == shown


def test_a_reason_loses_the_directories_of_its_file():
    name = "/srv/drop/batch.zip/world/a.txt"
    reason = f"{name}: file too large (2,048 bytes; the limit is 1,000)"
    assert (
        shown_text(reason, name) == "batch.zip/world/a.txt: file too large (2,048 bytes; "
        "the limit is 1,000)"
    )
    assert shown_text("/srv/drop/up.zip: not a readable zip", "/srv/drop/up.zip") == (
        "up.zip: not a readable zip"
    )
    assert shown_text("empty file", "a.txt") == "empty file"
