"""The PDF report: made by a background task (small ones at once), its progress page and
download for its owner, its title per filter, no orphan headings, CJK glyphs, its record."""

from __future__ import annotations

import re

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from claims.choices import ReportJobStatus
from claims.exports import export_queryset
from claims.models import ClaimKind, ExportRecord, ReportJob
from claims.report_jobs import WorkerState, make_report_pdf, report_worker_state
from claims.report_pdf import report_document, report_html
from claims.reports import VERIFIED_TITLE, build_report
from claims.triage import parse_filters
from tests.claims.test_exports import article_claims
from tests.factories import ArticleFactory, ClaimFactory, PublisherFactory

pytestmark = pytest.mark.django_db


def run_worker() -> None:
    """Run the waiting tasks as `db_worker` does (its Worker claims and runs each), here.

    Worker.run() itself closes the database connections between tasks, which would close
    the test's transaction: its loop is left out, its `run_task` is the one that runs.
    """
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    while (task := DBTaskResult.objects.ready().first()) is not None:
        task.claim(worker.worker_id)
        worker.run_task(task)


def ask_for_pdf(client, query: str = "status=verified"):
    return client.post(f"{reverse('claims:report_pdf')}?{query}")


def job_page(client, job: ReportJob, **headers) -> str:
    return client.get(reverse("claims:report_job", args=[job.pk]), **headers).content.decode()


@pytest.fixture
def publisher():
    return PublisherFactory(name="Global Times")


@pytest.fixture
def verified(reviewer, publisher):
    return article_claims(publisher=publisher, reviewer=reviewer)


def test_a_large_report_is_made_by_the_worker_task_which_stores_and_records_the_pdf(
    client, reviewer, verified, settings
):
    settings.REPORT_PDF_INLINE_CLAIMS = 2  # three claims: too many to make in the request
    client.force_login(reviewer)
    response = ask_for_pdf(client)
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.status, job.user, job.filters) == (
        ReportJobStatus.QUEUED,
        reviewer,
        {"status": ["verified"]},
    )
    task = DBTaskResult.objects.get(task_path=make_report_pdf.module_path)
    assert str(task.id) == job.task_id and task.args_kwargs["args"] == [job.pk]
    assert not ExportRecord.objects.exists()  # nothing delivered yet
    page = job_page(client, job)
    assert "Waiting for a worker" in page and 'id="report-download"' not in page

    run_worker()

    job.refresh_from_db()
    assert job.status == ReportJobStatus.DONE and job.progress == 100
    assert bytes(job.pdf).startswith(b"%PDF-") and job.pages >= 1 and job.claim_count == 3
    assert make_report_pdf.get_result(job.task_id).status == "SUCCESSFUL"
    record = ExportRecord.objects.get()
    assert (record.format, record.claim_count, record.user) == ("pdf", 3, reviewer)
    assert job.export_record == record and len(record.content_hash) == 64
    page = job_page(client, job)
    assert 'id="report-download"' in page and "3 claims on" in page
    download = client.get(reverse("claims:report_download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith('attachment; filename="claims-report-')
    assert download.content == bytes(job.pdf)


def test_a_small_report_is_made_in_the_request_and_nothing_is_enqueued(client, reviewer, verified):
    client.force_login(reviewer)
    ask_for_pdf(client)
    job = ReportJob.objects.get()
    assert job.status == ReportJobStatus.DONE and not job.task_id
    assert not DBTaskResult.objects.exists()
    assert 'id="report-download"' in job_page(client, job)
    assert ExportRecord.objects.get().format == "pdf"


def test_the_pdf_link_asks_for_a_job_instead_of_rendering_in_the_request(
    client, reviewer, verified
):
    """GET (an old link, a prefetch) makes nothing: it shows the button that asks for it."""
    client.force_login(reviewer)
    page = client.get(f"{reverse('claims:report_pdf')}?status=verified")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert "Make the PDF" in page.content.decode()
    assert not ReportJob.objects.exists() and not ExportRecord.objects.exists()
    queue = client.get(reverse("claims:list")).content.decode()
    form = re.search(r'<form method="post" action="([^"]*report\.pdf[^"]*)">', queue)
    assert form is not None and "Report (PDF)" in queue


def test_the_progress_fragment_polls_until_the_pdf_is_made(client, reviewer, verified, settings):
    settings.REPORT_PDF_INLINE_CLAIMS = 0
    client.force_login(reviewer)
    ask_for_pdf(client)
    job = ReportJob.objects.get()
    fragment = job_page(client, job, HTTP_HX_REQUEST="true")
    assert fragment.lstrip().startswith('<section id="report-progress"')
    assert 'hx-trigger="every 1s"' in fragment and "<html" not in fragment
    assert '<progress id="report-bar" max="100" value="0">' in fragment
    run_worker()
    fragment = job_page(client, job, HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in fragment and 'id="report-download"' in fragment


def test_only_the_user_who_asked_or_an_admin_sees_and_downloads_the_pdf(
    client, reviewer, verified, make_user
):
    client.force_login(reviewer)
    ask_for_pdf(client)
    job = ReportJob.objects.get()
    urls = [
        reverse("claims:report_job", args=[job.pk]),
        reverse("claims:report_download", args=[job.pk]),
    ]
    client.force_login(make_user("lena", "lead"))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"%PDF" not in response.content
    client.force_login(make_user("ada", "admin"))
    assert [client.get(url).status_code for url in urls] == [200, 200]


def test_a_download_before_the_pdf_is_made_says_it_is_not_ready(
    client, reviewer, verified, settings
):
    settings.REPORT_PDF_INLINE_CLAIMS = 0
    client.force_login(reviewer)
    ask_for_pdf(client)
    job = ReportJob.objects.get()
    response = client.get(reverse("claims:report_download", args=[job.pk]))
    assert response.status_code == 409
    assert f"PDF report #{job.pk} is not ready: queued" in response.content.decode()


def test_no_worker_is_said_when_the_task_waits_past_the_grace(client, reviewer, verified, settings):
    settings.REPORT_PDF_INLINE_CLAIMS = 0
    client.force_login(reviewer)
    ask_for_pdf(client)
    job = ReportJob.objects.get()
    assert report_worker_state(job=job) == WorkerState.OK  # just enqueued
    DBTaskResult.objects.update(
        enqueued_at=timezone.now()
        - timezone.timedelta(seconds=settings.REPORT_WORKER_GRACE_SECONDS + 5)
    )
    assert report_worker_state(job=job) == WorkerState.NO_WORKER
    page = job_page(client, job)
    assert "No worker is making reports" in page
    assert ".venv/bin/python manage.py db_worker" in page


def test_a_pdf_that_fails_is_not_recorded_as_an_export(
    client, reviewer, verified, settings, monkeypatch
):
    def broken(report, stage=None):
        raise RuntimeError("no fonts")

    monkeypatch.setattr("claims.report_jobs.report_pdf", broken)
    settings.REPORT_PDF_INLINE_CLAIMS = 0
    client.force_login(reviewer)
    ask_for_pdf(client)
    run_worker()
    job = ReportJob.objects.get()
    assert job.status == ReportJobStatus.FAILED and job.pdf is None
    assert job.error == "RuntimeError: no fonts"
    assert make_report_pdf.get_result(job.task_id).status == "FAILED"
    assert not ExportRecord.objects.exists()
    assert "The PDF could not be made: RuntimeError: no fonts" in job_page(client, job)


# --- What the report says and how it is laid out ---------------------------------------------


def report_for(query: str, user):
    filters = parse_filters(QueryDict(query))
    return build_report(export_queryset(filters, user), filters=filters, user=user)


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("status=verified", VERIFIED_TITLE),
        ("status=verified&q=plant", "Claim report — status: Verified; search: “plant”"),
        ("status=all&q=shipment", "Claim report — status: all; search: “shipment”"),
        ("status=verified&status=refuted", "Claim report — status: Verified, Refuted"),
        ("", "Claim report — status: Unreviewed, In review"),
    ],
)
def test_the_report_title_says_what_the_filter_is(client, reviewer, verified, query, title):
    assert report_for(query, reviewer).title == title
    client.force_login(reviewer)
    html = client.get(f"{reverse('claims:report')}?{query}").content.decode()
    assert f"<h1>{title}</h1>" in html and f"<title>{title} ·" in html
    assert f"<h1>{title}</h1>" in report_html(report_for(query, reviewer))


def test_the_report_gives_the_reason_of_the_verdict_not_of_the_import(client, reviewer):
    from claims import services

    article = ArticleFactory(publisher=PublisherFactory(name="Harbour Gazette"))
    disputed, plain = (
        ClaimFactory.build(article=article),
        ClaimFactory.build(article=ArticleFactory()),
    )
    for claim in (disputed, plain):
        claim._change_reason = "Imported from port.txt"  # as an import records its claims
        claim.save()
        services.claim_set_credibility(
            claim=claim, credibility=3, by=reviewer, version=None, reason="Graded."
        )
    services.claim_set_status(
        claim=disputed,
        status="disputed",
        reason="The filing and the port log disagree.",
        by=reviewer,
        version=None,
    )
    report = report_for("status=all", reviewer)
    reasons = {i.claim.pk: i.record["verdict_reason"] for a in report.articles for i in a.claims}
    assert reasons == {disputed.pk: "The filing and the port log disagree.", plain.pk: None}
    assert "reason: “The filing and the port log disagree.”" in report_html(report)
    client.force_login(reviewer)
    html = client.get(f"{reverse('claims:report')}?status=all").content.decode()
    assert "— “The filing and the port log disagree.”</dd>" in html


def last_text_on_each_page(document) -> list[tuple[str, str, str]]:
    """(tag, class, text) of the last piece of text laid out on each page (footer excluded)."""
    from weasyprint.formatting_structure import boxes

    found = []
    for page in document.pages:
        texts = [
            box
            for box in page._page_box.descendants()
            if isinstance(box, boxes.TextBox)
            and box.text.strip()
            and box.element is not None
            and box.element.tag != "html"  # the page-number margin box
        ]
        last = texts[-1]
        found.append((last.element_tag, last.element.get("class") or "", last.text))
    return found


def test_no_page_of_the_pdf_ends_with_a_heading(reviewer):
    """Articles of many claims, with long headings, over several pages: no heading (nor an
    article's source line, which belongs to its heading) is the last thing on a page."""
    for n in range(14):
        publisher = PublisherFactory(name=f"Harbour Gazette {n}")
        article_claims(publisher=publisher, reviewer=reviewer)
        article = ArticleFactory(publisher=publisher, title=f"A long heading, number {n}, " * 4)
        ClaimFactory(article=article, status="verified", kind=ClaimKind.STATEMENT)
    document = report_document(report_for("status=verified", reviewer))
    pages = last_text_on_each_page(document)
    assert len(pages) >= 3
    headings = [p for p in pages if p[0] in ("h1", "h2", "h3") or "source" in p[1]]
    assert headings == []


def test_chinese_japanese_and_korean_text_is_drawn_with_a_cjk_font(reviewer):
    text = "港口官员说货物已运抵。港の担当者によると到着した。항만 관계자는 도착했다고 말했다."
    article = ArticleFactory(
        title="港口报告 · 港湾レポート · 항만 보고서", text=f"Headline\n{text}"
    )
    ClaimFactory(
        article=article,
        start=9,
        end=9 + len(text),
        text=text,
        status="verified",
        kind=ClaimKind.STATEMENT,
    )
    document = report_document(report_for("status=verified", reviewer))
    document.write_pdf()  # fonts are embedded (and their glyphs looked up) while writing
    families = {font.family for font in document.fonts.values()}
    assert any(family.startswith("Noto Sans CJK") for family in families), families
    missing = {
        font.family: sorted(font.missing) for font in document.fonts.values() if font.missing
    }
    assert missing == {}
