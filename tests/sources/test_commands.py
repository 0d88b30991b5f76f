"""The management commands users and hidden checks run: import_articles, export_*."""

import json
import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.models import Claim
from sources.models import Article
from tests.claims.test_exports import DOCUMENTED_KEYS
from tests.conftest import sample_path

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command(*args, stdout=out, stderr=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_import_folder_prints_a_line_per_file_and_a_summary(tmp_path, sample_paths):
    for p in sample_paths:
        shutil.copy(p, tmp_path / p.name)
    code, out = run("import_articles", str(tmp_path), "--jobs", "1")
    assert code == 0, out
    lines = out.strip().splitlines()
    assert len(lines) == len(sample_paths) + 1
    assert all("imported with" in line for line in lines[:-1])
    assert lines[-1].startswith(f"{len(sample_paths)} files: {len(sample_paths)} imported")
    assert Article.objects.count() == len(sample_paths)


def test_import_twice_creates_nothing_new(tmp_path):
    path = tmp_path / "herald.txt"
    shutil.copy(sample_path("04"), path)
    run("import_articles", str(path))
    counts = (Article.objects.count(), Claim.objects.count())
    code, out = run("import_articles", str(path))
    assert code == 0
    assert "duplicate of article" in out
    assert (Article.objects.count(), Claim.objects.count()) == counts


def test_import_in_parallel_processes_gives_the_same_result(tmp_path, sample_paths):
    for p in sample_paths:
        shutil.copy(p, tmp_path / p.name)
    code, out = run("import_articles", str(tmp_path), "--jobs", "2")
    assert code == 0, out
    assert Article.objects.count() == len(sample_paths)
    for claim in Claim.objects.select_related("article"):
        assert claim.article.text[claim.start : claim.end] == claim.text


def test_import_in_processes_over_several_groups_reports_every_file_once_in_order(
    tmp_path, monkeypatch
):
    """The pool parses a group while the last one is stored: the outcomes are the same."""
    from imports.management.commands import import_articles
    from sources.models import ImportFile, ImportOutcome

    monkeypatch.setattr(import_articles, "STORE_GROUP", 3)
    herald = sample_path("04").read_bytes()
    for n in range(8):
        (tmp_path / f"p{n}.txt").write_bytes(
            f"Plant {n} opens\n\nThe plant made {n * 10 + 7} tonnes in 2024, it said.\n".encode()
        )
    (tmp_path / "p3.txt").write_bytes(b"")  # rejected, among the others
    (tmp_path / "p5.txt").write_bytes(herald)
    (tmp_path / "p6.txt").write_bytes(herald)  # a copy of p5, in the next group
    code, out = run("import_articles", str(tmp_path), "--jobs", "2")
    assert code == 1, out
    lines = out.strip().splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [
        str(tmp_path / f"p{n}.txt") for n in range(8)
    ]
    assert "p3.txt: rejected:" in lines[3] and "empty" in lines[3]
    assert "p6.txt: duplicate of article" in lines[6]
    assert lines[-1].startswith("8 files: 6 imported") and "1 duplicate, 1 rejected" in lines[-1]
    assert Article.objects.count() == 6
    for file in ImportFile.objects.filter(outcome=ImportOutcome.IMPORTED):
        assert file.claims_created == Claim.objects.filter(article=file.article).count() > 0
    assert not ImportFile.objects.filter(content__isnull=False).exists()


def test_rejected_file_gives_reason_and_non_zero_exit(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "ok.txt").write_bytes(sample_path("04").read_bytes())
    (tmp_path / "slides.pdf").write_bytes(b"%PDF-1.4")
    code, out = run(
        "import_articles",
        str(tmp_path / "empty.txt"),
        str(tmp_path / "ok.txt"),
        str(tmp_path / "slides.pdf"),
        str(tmp_path / "missing.txt"),
    )
    assert code == 1
    assert "empty.txt: rejected:" in out and "empty" in out
    assert "slides.pdf: rejected:" in out and "unsupported file type" in out
    assert "missing.txt: rejected:" in out and "no such file" in out
    assert "1 imported" in out and "3 rejected" in out
    assert Article.objects.count() == 1


def test_export_articles_jsonl(tmp_path):
    run("import_articles", str(sample_path("03")))
    code, out = run("export_articles", "--format", "jsonl")
    assert code == 0, out
    [record] = [json.loads(line) for line in out.splitlines()]
    article = Article.objects.get()
    assert record["id"] == article.pk
    assert record["title"] == article.title
    assert record["publisher"] == "Fjordland Courier"
    assert record["published"].startswith("2021-09-14T10:20:35")
    assert record["byline"] == "Maren Holt and Jonas Ekberg"
    assert record["source_name"].endswith(sample_path("03").name)
    assert record["sha256"] == article.sha256
    assert record["text"] == article.text


def test_export_claims_jsonl_excludes_chrome():
    run("import_articles", str(sample_path("04")))
    code, out = run("export_claims", "--format", "jsonl")
    assert code == 0, out
    records = [json.loads(line) for line in out.splitlines()]
    article = Article.objects.get()
    assert len(records) == Claim.objects.triageable().count()
    assert len(records) < Claim.objects.count()
    assert {r["kind"] for r in records}.isdisjoint({"chrome"})
    for r in records:
        assert article.text[r["start"] : r["end"]] == r["text"]
        assert set(r) >= DOCUMENTED_KEYS


def test_export_json_is_one_valid_document():
    run("import_articles", str(sample_path("04")))
    code, out = run("export_claims", "--format", "json")
    assert code == 0, out
    assert isinstance(json.loads(out), list)


def test_database_failure_mid_import_is_a_clear_error_and_a_rerun_completes(tmp_path, monkeypatch):
    from django.db import OperationalError

    import imports.queue as command

    for name in ("03", "04"):
        shutil.copy(sample_path(name), tmp_path / f"{name}.txt")
    real = command.articles_store
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(command, "articles_store", failing)
    with pytest.raises(CommandError, match="run the same command again"):
        call_command("import_articles", str(tmp_path), "--jobs", "1", stdout=StringIO())
    assert calls and Article.objects.count() == 0
    monkeypatch.setattr(command, "articles_store", real)
    code, out = run("import_articles", str(tmp_path), "--jobs", "1")
    assert code == 0 and Article.objects.count() == 2, out
