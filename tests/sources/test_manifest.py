"""Import manifests: the URL, publisher, date, byline, title and language win over the page."""

from __future__ import annotations

import json
from datetime import datetime
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from imports import queue
from sources.ingest.manifest import ManifestError, apply_manifest, parse_manifest
from sources.ingest.pipeline import process_text
from sources.models import Article, ImportBatch, ImportFile, ImportOutcome
from tests.factories import zip_of

# An invented page dump that names its own byline, date and publisher.
PAGE = (
    "Ferry timetable changes for winter\n"
    "By Ola Brekke Source: Fjordside Post\n"
    "Published: 5 March 2024\n\n"
    "The island ferry will run four times a day from November, the operator said. "
    "Evening sailings stop until April.\n"
)


def page(n: int) -> bytes:
    """A distinct small page dump (the number makes every text different)."""
    return (
        f"Bridge {n} reopens after repairs\n\n"
        f"Bridge {n} reopened on Friday after {n + 3} months of repairs, the council said. "
        f"Traffic rose {n % 7 + 2} percent on the first day.\n"
    ).encode()


def run(*args, jobs: int = 1) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("import_articles", *args, "--jobs", str(jobs), stdout=out, stderr=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def article(name: str) -> Article:
    return Article.objects.select_related("publisher").get(source_name__endswith=name)


# ------------------------------------------------------------------------------ parsing


def test_csv_rows_are_read_with_spreadsheet_row_numbers():
    manifest = parse_manifest(
        b"file,url,published,language\n"
        b"a.txt,https://post.example/a,2024-03-05,en\n"
        b"\n"
        b"sub/b.txt,,,\n",
        name="m.csv",
    )
    a = manifest.lookup("a.txt")
    assert (a.row, a.values) == (
        2,
        {"url": "https://post.example/a", "published": "2024-03-05", "language": "en"},
    )
    assert manifest.lookup("sub/b.txt").values == {}  # empty values say nothing
    assert manifest.lookup("other/a.txt") is a  # a bare name is about that file anywhere
    assert manifest.lookup("b.txt") is None  # a path is about that path only


@pytest.mark.parametrize(
    ("line", "field", "words"),
    [
        ('{"file": "a.txt", "url": "post.example/a"}', "url", "not a web address"),
        ('{"file": "a.txt", "url": "ftp://post.example/a"}', "url", "not a web address"),
        ('{"file": "a.txt", "published": "last Tuesday"}', "published", "not a date"),
        ('{"file": "a.txt", "published": "2024-02-31"}', "published", "not a date"),
        ('{"file": "a.txt", "published": "2024-03-05 99"}', "published", "not a date"),
        ('{"file": "a.txt", "language": "English please"}', "language", "not a language"),
        ('{"file": "a.txt", "outlet": "https://post.example/"}', "outlet", "is a web address"),
        ('{"file": "a.txt", "byline": 7}', "byline", "must be text"),
    ],
)
def test_a_bad_value_makes_its_row_bad_naming_row_and_field(line, field, words):
    manifest = parse_manifest(f'{{"file": "ok.txt"}}\n{line}\n'.encode(), name="m.jsonl")
    row = manifest.lookup("a.txt")
    assert row.bad
    assert row.reason.startswith(f"m.jsonl row 2, field {field!r}: ")
    assert words in row.reason
    assert not manifest.lookup("ok.txt").bad


def test_a_file_listed_twice_is_bad():
    manifest = parse_manifest(b"file,title\na.txt,One\n./a.txt,Two\n", name="m.csv")
    row = manifest.lookup("a.txt")
    assert row.bad and "listed twice (rows 2 and 3)" in row.reason


def test_rows_that_name_no_file_are_problems_of_the_manifest():
    manifest = parse_manifest(b'{"url": "https://post.example/a"}\nnot json\n', name="m.jsonl")
    assert manifest.problems == [
        "m.jsonl row 1, field 'file': no file named",
        "m.jsonl row 2: not a JSON object (Expecting value)",
    ]


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"url,title\nx,y\n", "no 'file' column"), (b"", "empty manifest"), (b"\xff\xfe", "UTF-8")],
)
def test_an_unreadable_manifest_is_refused_whole(data, words):
    with pytest.raises(ManifestError, match=words):
        parse_manifest(data, name="m.csv")


def test_manifest_values_win_over_the_page():
    meta = process_text(PAGE, source_name="ferry.txt").meta
    assert (meta.byline, meta.publisher_name) == ("Ola Brekke", "Fjordside Post")
    row = parse_manifest(
        b"file,publisher,published,byline,title,url\n"
        b"ferry.txt,Coastline Weekly,2024-03-07 09:30,Kari Dahl,Winter ferries,https://cw.example/f\n",
        name="m.csv",
    ).lookup("ferry.txt")
    apply_manifest(meta, row.as_dict())
    assert meta.publisher_name == "Coastline Weekly"
    assert meta.publisher_evidence == {
        "kind": "manifest",
        "text": "Coastline Weekly",
        "field": "publisher",
        "why": "manifest row 2",
    }
    assert meta.published == datetime(2024, 3, 7, 9, 30)
    assert meta.published_raw == "2024-03-07 09:30"
    assert (meta.byline, meta.title, meta.url) == (
        "Kari Dahl",
        "Winter ferries",
        "https://cw.example/f",
    )


def test_spreadsheet_column_names_are_read_and_other_columns_ignored_by_name():
    manifest = parse_manifest(
        b"Filename,Outlet,Date,Author,Headline,Origin,Event,Notes\n"
        b"a.txt,Coastline Weekly,5 March 2024,Kari Dahl,Ferries,Nordic Wire,ferry-2024,checked\n",
        name="m.csv",
    )
    assert manifest.lookup("a.txt").values == {
        "publisher": "Coastline Weekly",
        "published": "5 March 2024",
        "byline": "Kari Dahl",
        "title": "Ferries",
        "origin": "Nordic Wire",
    }
    assert manifest.ignored == {"Event", "Notes"}
    assert manifest.notice() == (
        "m.csv: ignored column(s) Event, Notes (the columns read are file, url, publisher, "
        "origin, published, byline, title, language)"
    )


def test_a_field_under_its_own_name_wins_over_its_alias():
    manifest = parse_manifest(
        b'{"file": "a.txt", "outlet": "Other Name", "publisher": "Coastline Weekly"}\n',
        name="m.jsonl",
    )
    assert manifest.lookup("a.txt").values == {"publisher": "Coastline Weekly"}
    assert manifest.ignored == set() and manifest.notice() == ""


def test_a_manifest_origin_is_whose_text_it_is_with_its_row_as_evidence():
    meta = process_text(PAGE, source_name="ferry.txt").meta
    row = parse_manifest(b"file,origin\nferry.txt,Nordic Wire\n", name="m.csv").lookup("ferry.txt")
    apply_manifest(meta, row.as_dict())
    assert meta.origin_name == "Nordic Wire"
    assert meta.origin_evidence == {
        "kind": "manifest",
        "text": "Nordic Wire",
        "field": "origin",
        "why": "manifest row 2",
    }


# ------------------------------------------------------------------------------ the command

pytestmark_db = pytest.mark.django_db(transaction=True)


@pytestmark_db
@pytest.mark.parametrize("jobs", [1, 2])  # 2: pages parsed in worker processes
def test_csv_manifest_with_relative_paths_and_bare_names(tmp_path, jobs):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "ferry.txt").write_text(PAGE, encoding="utf-8")
    (pages / "two.txt").write_bytes(page(2))
    (pages / "three.txt").write_bytes(page(3))  # not in the manifest: imports as before
    manifest = tmp_path / "meta" / "manifest.csv"
    manifest.parent.mkdir()
    manifest.write_text(
        "file,url,publisher,published,byline,title,language\n"
        "../pages/ferry.txt,https://cw.example/ferry,Coastline Weekly,2024-03-07,"
        "Kari Dahl,Winter ferries,nb\n"
        "two.txt,https://cw.example/bridge-2,,,,,\n",
        encoding="utf-8",
    )
    code, out = run(str(pages), "--manifest", str(manifest), jobs=jobs)
    assert code == 0, out
    ferry = article("ferry.txt")
    assert ferry.url == "https://cw.example/ferry"
    assert ferry.publisher.name == "Coastline Weekly"
    assert ferry.publisher_evidence["kind"] == "manifest"
    assert ferry.publisher_evidence["why"] == "manifest row 2"
    assert ferry.published_at.date().isoformat() == "2024-03-07"
    assert (ferry.byline, ferry.title, ferry.language) == ("Kari Dahl", "Winter ferries", "nb")
    assert article("two.txt").url == "https://cw.example/bridge-2"
    three = article("three.txt")
    assert three.url == "" and three.title == "Bridge 3 reopens after repairs"


@pytestmark_db
def test_jsonl_manifest_via_the_command(tmp_path):
    (tmp_path / "ferry.txt").write_text(PAGE, encoding="utf-8")
    manifest = tmp_path / "rows.jsonl"
    manifest.write_text(
        json.dumps(
            {
                "file": "ferry.txt",
                "url": "https://cw.example/j",
                "byline": "Kari Dahl",
                "origin": "Nordic Wire",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    code, out = run(str(tmp_path / "ferry.txt"), "--manifest", str(manifest))
    assert code == 0, out
    ferry = article("ferry.txt")
    assert (ferry.url, ferry.byline) == ("https://cw.example/j", "Kari Dahl")
    assert ferry.origin.name == "Nordic Wire" and ferry.origin.reviewed is False
    assert ferry.origin_evidence["why"] == "manifest row 1"
    assert ferry.publisher.name == "Fjordside Post"  # the manifest says nothing: the page's


@pytestmark_db
def test_bad_rows_reject_only_their_files_with_row_and_field(tmp_path):
    for n in range(1, 5):
        (tmp_path / f"p{n}.txt").write_bytes(page(n))
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "file,url,published,outlet,notes\n"
        "p1.txt,www.cw.example/p1,,,\n"
        "p2.txt,,someday,,\n"
        "p3.txt,,,https://cw.example/,\n"
        "p4.txt,,,,read twice\n"
        "p9.txt,https://cw.example/p9,,,\n",
        encoding="utf-8",
    )
    code, out = run(str(tmp_path), "--manifest", str(manifest))
    assert code == 1
    lines = out.splitlines()
    rejected = {
        line.split(": ", 1)[0].rsplit("/", 1)[-1]: line for line in lines if ": rejected: " in line
    }
    assert set(rejected) == {"p1.txt", "p2.txt", "p3.txt"}
    assert "manifest.csv row 2, field 'url'" in rejected["p1.txt"]
    assert "manifest.csv row 3, field 'published'" in rejected["p2.txt"]
    assert "manifest.csv row 4, field 'outlet': " in rejected["p3.txt"]
    assert any("row 6: 'p9.txt' is not among the files imported" in line for line in lines)
    assert any("ignored column(s) notes (the columns read are file, url," in line for line in lines)
    assert [a.source_name.rsplit("/", 1)[-1] for a in Article.objects.all()] == ["p4.txt"]
    assert lines[-1].startswith("4 files: 1 imported")


@pytestmark_db
def test_a_manifest_without_a_file_column_stops_the_command(tmp_path):
    (tmp_path / "p1.txt").write_bytes(page(1))
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("url\nhttps://cw.example/p1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no 'file' column"):
        call_command("import_articles", str(tmp_path), "--manifest", str(manifest))
    assert not Article.objects.exists()


@pytestmark_db
def test_zip_with_its_own_manifest_via_the_command(tmp_path):
    archive = tmp_path / "pages.zip"
    archive.write_bytes(
        zip_of(
            {
                "a/one.txt": page(1),
                "two.txt": page(2),
                "three.txt": page(3),
                # Last in the zip, read first: its rows apply to every entry.
                "manifest.csv": (
                    b"file,url,publisher\n"
                    b"a/one.txt,https://cw.example/one,Coastline Weekly\n"
                    b"two.txt,not a url,\n"
                    b"gone.txt,https://cw.example/gone,\n"
                ),
            }
        )
    )
    code, out = run(str(archive))
    assert code == 1
    one = article("one.txt")
    assert (one.url, one.publisher.name) == ("https://cw.example/one", "Coastline Weekly")
    assert article("three.txt").url == ""
    assert not Article.objects.filter(source_name__endswith="two.txt").exists()
    assert "pages.zip/manifest.csv row 3, field 'url'" in out
    assert "row 4: 'gone.txt' is not in the archive" in out
    assert "unsupported file type" not in out  # the manifest is read, not imported


# ------------------------------------------------------------------------------ uploads


@pytest.mark.django_db
def test_zip_manifest_via_the_upload_page_and_the_background_worker(client, make_user):
    client.force_login(make_user("ada", "admin"))
    data = zip_of(
        {
            "manifest.jsonl": (
                json.dumps(
                    {
                        "file": "ferry.txt",
                        "url": "https://cw.example/ferry",
                        "publisher": "Coastline Weekly",
                        "published": "7 March 2024",
                    }
                )
                + "\n"
                + json.dumps({"file": "bad.txt", "language": "not a code"})
                + "\n"
            ).encode(),
            "ferry.txt": PAGE.encode(),
            "bad.txt": page(1),
            "plain.txt": page(2),
        }
    )
    response = client.post(
        "/sources/import/", {"files": SimpleUploadedFile("batch.zip", data)}, follow=False
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    rows = {f.name: f for f in ImportFile.objects.filter(batch=batch)}
    assert set(rows) == {"batch.zip/ferry.txt", "batch.zip/bad.txt", "batch.zip/plain.txt"}
    assert rows["batch.zip/ferry.txt"].manifest == {
        "row": 1,
        "url": "https://cw.example/ferry",
        "publisher": "Coastline Weekly",
        "published": "7 March 2024",
    }
    bad = rows["batch.zip/bad.txt"]
    assert bad.outcome == ImportOutcome.REJECTED
    assert "manifest.jsonl row 2, field 'language'" in bad.reason
    assert bad.content is None
    queue.import_batch_process(batch_id=batch.pk, worker="w1")
    ferry = article("ferry.txt")
    assert ferry.url == "https://cw.example/ferry"
    assert ferry.publisher.name == "Coastline Weekly"  # over the page's "Source: Fjordside Post"
    assert ferry.publisher_evidence == {
        "kind": "manifest",
        "text": "Coastline Weekly",
        "field": "publisher",
        "why": "manifest row 1",
    }
    assert ferry.published_at.date().isoformat() == "2024-03-07"
    assert ferry.byline == "Ola Brekke"  # the manifest said nothing of it
    plain = ImportFile.objects.get(batch=batch, name="batch.zip/plain.txt")
    assert plain.outcome == ImportOutcome.IMPORTED and plain.manifest == {}


@pytest.mark.django_db
def test_a_zip_manifests_ignored_columns_are_shown_on_the_upload_batch_page(client, make_user):
    client.force_login(make_user("ada", "admin"))
    data = zip_of(
        {
            "manifest.csv": b"file,url,desk_notes\nferry.txt,https://cw.example/ferry,check\n",
            "ferry.txt": PAGE.encode(),
        }
    )
    response = client.post("/sources/import/", {"files": SimpleUploadedFile("b.zip", data)})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert len(batch.notices) == 1 and "desk_notes" in batch.notices[0]
    page_html = client.get(response.url).content.decode()
    assert "ignored column(s) desk_notes" in page_html
    assert ImportFile.objects.get(batch=batch).manifest["url"] == "https://cw.example/ferry"


@pytestmark_db
def test_the_commands_manifest_row_and_ignored_columns_are_kept_on_its_batch(tmp_path):
    (tmp_path / "ferry.txt").write_text(PAGE, encoding="utf-8")
    manifest = tmp_path / "rows.csv"
    manifest.write_text(
        "file,url,desk_notes\nferry.txt,https://cw.example/cli,check\n", encoding="utf-8"
    )
    code, out = run(str(tmp_path / "ferry.txt"), "--manifest", str(manifest))
    assert code == 0, out
    assert out.count("ignored column(s) desk_notes") == 1  # printed once
    batch = ImportBatch.objects.get()
    # The batch page of a command's import shows the warning, as an upload's does.
    assert len(batch.notices) == 1 and "desk_notes" in batch.notices[0]
    assert ImportFile.objects.get(batch=batch).manifest["url"] == "https://cw.example/cli"
