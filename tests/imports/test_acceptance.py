"""One acceptance rule: the upload page and `import_articles` accept and refuse the same files.

Before the imports app the command had its own rules: files without a suffix were read as
text, an empty zip gave nothing at all, an oversize file was refused only while parsing (with
a wrong size). The same files through both paths now give the same outcomes and reasons.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from imports import queue, uploads
from sources.models import ImportBatch, ImportFile, ImportOutcome
from tests.factories import zip_of
from tests.imports.test_queue import article_text as page

LIMIT = 2_000


def files() -> dict[str, bytes]:
    html = b"<html><head><title>Crane</title></head><body><article><p>"
    return {
        "ok.txt": page(1),
        "page.html": html + page(2) + b"</p></article></body></html>",
        "empty.txt": b"",  # refused on sight (no bytes), by name
        "slides.pdf": b"%PDF-1.4",
        "README": page(3),  # no suffix: the command used to read it as text
        "big.txt": page(4) + b"x" * LIMIT,  # the command used to refuse it only when parsing
        "empty.zip": zip_of({}),  # the command used to report nothing for it
        "nested.zip": zip_of({"one.txt": page(5), "inner.zip": zip_of({"deep.txt": page(6)})}),
        "entries.zip": zip_of({"fine.txt": page(7), "huge.txt": page(8) + b"y" * LIMIT}),
        "notes.md": page(9),
    }


def verdicts(batch: ImportBatch) -> dict[str, tuple[bool, str]]:
    """Each file's name → (accepted, reason); accepted means imported or duplicate."""
    return {
        f.name: (f.outcome != ImportOutcome.REJECTED, f.reason)
        for f in ImportFile.objects.filter(batch=batch)
    }


@pytest.mark.django_db
def test_upload_and_command_accept_and_refuse_the_same_files_with_the_same_reasons(
    settings, tmp_path, monkeypatch
):
    settings.IMPORT_MAX_FILE_BYTES = LIMIT
    given = files()
    uploaded = uploads.import_batch_create_from_uploads(
        files=[SimpleUploadedFile(name, data) for name, data in given.items()], by=None
    )
    queue.import_batch_process(batch_id=uploaded.pk, worker="w1")

    for name, data in given.items():
        (tmp_path / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)  # the command names files as given: the same names
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_articles", *given, "--jobs", "1", stdout=out, stderr=out)
    command = ImportBatch.objects.get(origin="cli")

    by_upload, by_command = verdicts(uploaded), verdicts(command)
    assert by_command == by_upload
    accepted = {name for name, (ok, _) in by_upload.items() if ok}
    assert accepted == {"ok.txt", "page.html", "nested.zip/one.txt", "entries.zip/fine.txt"}
    reasons = {name: reason for name, (ok, reason) in by_upload.items() if not ok}
    assert set(reasons) == {
        "empty.txt",
        "slides.pdf",
        "README",
        "big.txt",
        "empty.zip",
        "nested.zip/inner.zip",
        "entries.zip/huge.txt",
        "notes.md",
    }
    assert reasons["empty.txt"] == "empty.txt: the file is empty"
    assert "unsupported file type '(none)'" in reasons["README"]
    assert "unsupported file type '.md'" in reasons["notes.md"]
    assert f"file too large ({LIMIT + len(page(4)):,} bytes" in reasons["big.txt"]
    assert reasons["empty.zip"] == "empty.zip: no files in the archive"
    assert "nested zip archive" in reasons["nested.zip/inner.zip"]
    assert "file too large" in reasons["entries.zip/huge.txt"]
    # What the command prints is what the batch holds: one line per file, then the summary.
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == len(by_command) + 1
    for name, (ok, reason) in by_command.items():
        line = next(line for line in lines if line.startswith(f"{name}: "))
        assert (("rejected: " not in line) == ok) and reason in line
    assert lines[-1] == "12 files: 0 imported (0 claims), 4 duplicate, 8 rejected"
