"""The upload page: each file judged alone, a clear refusal for what cannot be a batch.

An empty file is one rejected file of its batch (named, "the file is empty"), not a refusal
of the whole upload by the form; an upload of no files is a form error and no batch; more
files than Django reads in one request (DATA_UPLOAD_MAX_NUMBER_FILES) is the site's 400 page
saying the limit; a zip entry too large for the file limit or for what is left of the
archive's unpacked total is refused alone while the rest of the zip is imported.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from imports import queue
from sources.models import ImportBatch, ImportFile, ImportOutcome
from tests.factories import zip_of
from tests.imports.test_queue import article_text

pytestmark = pytest.mark.django_db

TOO_MANY = "at most 1,000 files per upload; zip them"


@pytest.fixture
def admin(make_user):
    return make_user("ada", "admin")


@pytest.fixture
def client_for(client, admin):
    client.force_login(admin)
    return client


def html_page(n: int) -> bytes:
    return (
        b"<html><head><title>Plant</title></head><body><article><p>"
        + article_text(n)
        + b"</p></article></body></html>"
    )


def post(client, files, **data):
    return client.post(reverse("imports:upload"), {"files": files, **data})


def reasons(batch: ImportBatch) -> dict[str, str]:
    """Each file's name → its reason if it was rejected, else its outcome."""
    return {
        f.name: f.reason if f.outcome == ImportOutcome.REJECTED else f.outcome
        for f in ImportFile.objects.filter(batch=batch)
    }


# --- Empty files -----------------------------------------------------------------------------


def test_upload_with_an_empty_file_rejects_that_file_alone_and_names_it(client_for):
    files = [
        SimpleUploadedFile("plant.html", html_page(1)),
        SimpleUploadedFile("name.html", b""),
        SimpleUploadedFile("notes.txt", article_text(2)),
    ]
    response = post(client_for, files)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:batch", args=[batch.pk])
    assert reasons(batch) == {
        "plant.html": ImportOutcome.PENDING,
        "name.html": "name.html: the file is empty",
        "notes.txt": ImportOutcome.PENDING,
    }
    queue.import_batch_process(batch_id=batch.pk, worker="w1")
    assert reasons(batch)["plant.html"] == reasons(batch)["notes.txt"] == ImportOutcome.IMPORTED
    page = client_for.get(response["Location"]).content.decode()
    assert "name.html: the file is empty" in page


def test_empty_entry_of_a_zip_is_rejected_on_sight_and_the_rest_imported(client_for):
    data = zip_of({"one.txt": article_text(1), "empty.txt": b"", "two.txt": article_text(2)})
    post(client_for, [SimpleUploadedFile("batch.zip", data)])
    batch = ImportBatch.objects.get()
    assert reasons(batch) == {
        "batch.zip/one.txt": ImportOutcome.PENDING,
        "batch.zip/empty.txt": "batch.zip/empty.txt: the file is empty",
        "batch.zip/two.txt": ImportOutcome.PENDING,
    }


def test_file_of_white_space_is_still_refused_by_the_parser(client_for):
    post(client_for, [SimpleUploadedFile("blank.txt", b"  \n\n ")])
    batch = ImportBatch.objects.get()
    queue.import_batch_process(batch_id=batch.pk, worker="w1")
    assert reasons(batch)["blank.txt"].startswith("blank.txt: empty file")


# --- No files, too many files ----------------------------------------------------------------


def test_upload_with_no_files_is_refused_with_a_form_error_and_creates_no_batch(client_for):
    response = client_for.post(reverse("imports:upload"), {"default_publisher": ""})
    assert response.status_code == 200
    assert response.context["form"].errors == {"files": ["Choose at least one file to import."]}
    assert "Choose at least one file to import." in response.content.decode()
    assert not ImportBatch.objects.exists()


def too_many_files() -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(f"p{i}.txt", article_text(i)) for i in range(1_001)]


def assert_too_many_page(response) -> None:
    assert response.status_code == 400
    page = response.content.decode()
    assert TOO_MANY in page
    assert "<title>Bad request" in page  # the site's page (its base template), not Django's
    assert f'href="{reverse("imports:upload")}"' in page
    assert not ImportBatch.objects.exists()


def test_upload_of_1001_files_says_the_limit(client_for):
    """The view reads the files first (the test client skips the CSRF check)."""
    assert_too_many_page(post(client_for, too_many_files()))


def test_upload_of_1001_files_says_the_limit_when_the_csrf_middleware_reads_them(admin):
    """As in a browser: the CSRF middleware reads the form, and Django raises there."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    client.get(reverse("imports:upload"))
    token = client.cookies["csrftoken"].value
    response = post(client, too_many_files(), csrfmiddlewaretoken=token)
    assert_too_many_page(response)


# --- Zips over the unpacked total ------------------------------------------------------------


def test_zip_entry_over_the_file_limit_is_rejected_alone_though_it_takes_the_total_over(
    client_for, settings
):
    settings.IMPORT_MAX_FILE_BYTES = 2_000
    settings.IMPORT_ZIP_MAX_TOTAL_BYTES = 5_000
    settings.IMPORT_ZIP_MAX_RATIO = 10_000
    huge = bytes(range(32, 127)) * 100  # 9,500 bytes: over both limits
    data = zip_of({"one.txt": article_text(1), "huge.txt": huge, "two.txt": article_text(2)})
    post(client_for, [SimpleUploadedFile("batch.zip", data)])
    batch = ImportBatch.objects.get()
    assert reasons(batch) == {
        "batch.zip/one.txt": ImportOutcome.PENDING,
        "batch.zip/huge.txt": (
            "batch.zip/huge.txt: file too large (9,500 bytes; the limit is 2,000)"
        ),
        "batch.zip/two.txt": ImportOutcome.PENDING,
    }
    queue.import_batch_process(batch_id=batch.pk, worker="w1")
    assert reasons(batch)["batch.zip/one.txt"] == ImportOutcome.IMPORTED


def test_zip_entry_that_takes_the_total_over_is_rejected_alone(client_for, settings):
    settings.IMPORT_MAX_FILE_BYTES = 2_000
    settings.IMPORT_ZIP_MAX_TOTAL_BYTES = 2_000
    settings.IMPORT_ZIP_MAX_RATIO = 10_000
    big = b"Magnet plant.\n\n" + bytes(range(32, 127)) * 20  # 1,915 bytes: under the file limit
    first, last = article_text(1), article_text(2)
    data = zip_of({"one.txt": first, "big.txt": big, "two.txt": last})
    post(client_for, [SimpleUploadedFile("batch.zip", data)])
    total = len(first) + len(big)
    assert total > 2_000 >= len(first) + len(last)
    assert reasons(ImportBatch.objects.get()) == {
        "batch.zip/one.txt": ImportOutcome.PENDING,
        "batch.zip/big.txt": (
            f"batch.zip/big.txt: left out, the archive would be too large when unpacked "
            f"({total:,} bytes with the files before it; the limit is 2,000)"
        ),
        "batch.zip/two.txt": ImportOutcome.PENDING,
    }


def test_zip_with_too_many_entries_is_still_refused_whole(client_for, settings):
    settings.IMPORT_ZIP_MAX_ENTRIES = 2
    data = zip_of({f"p{i}.txt": article_text(i) for i in range(3)})
    post(client_for, [SimpleUploadedFile("batch.zip", data)])
    assert reasons(ImportBatch.objects.get()) == {
        "batch.zip": "batch.zip: too many entries (3; the limit is 2)"
    }


def test_other_bad_requests_keep_djangos_page(client_for, settings):
    settings.ALLOWED_HOSTS = ["workbench.example"]
    response = client_for.get(reverse("imports:upload"), headers={"host": "elsewhere.example"})
    assert response.status_code == 400
    assert TOO_MANY not in response.content.decode()
