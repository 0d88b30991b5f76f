"""PDF reports made in the background: the job row, the task a `db_worker` runs, its state.

As imports do (imports/tasks.py, imports/progress.py): the task is a Django task stored and
run by django-tasks-db (`manage.py db_worker`); its id is kept on the job row
(`ReportJob.task_id`) and the job page asks the tasks framework about it
(`make_report_pdf.get_result`) to tell whether a worker is taking tasks. The task writes its
progress on the row as it goes. The PDF is recorded as an ExportRecord when it is made.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.tasks import TaskResultStatus, task
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone

from claims.choices import ReportJobStatus
from claims.exports import (
    export_queryset,
    export_record_create,
    filter_params,
)
from claims.models import ReportJob
from claims.report_pdf import report_pdf
from claims.reports import build_report
from claims.triage import parse_filters

logger = logging.getLogger(__name__)


class WorkerState:
    """What the job page says about the workers (`report_worker_state`)."""

    OK = ""
    NO_WORKER = "no_worker"
    STALLED = "stalled"


def report_job_filters(job: ReportJob):
    """The job's queue filter, parsed as the queue parses it (triage.TriageFilters)."""
    return parse_filters(QueryDict(urlencode(job.filters, doseq=True)))


@transaction.atomic
def report_job_create(*, filters, include_notes: bool, by) -> ReportJob:
    """Record a PDF report to make for `by`, of the queue filter `filters`; not started."""
    return ReportJob.objects.create(
        user=by, filters=filter_params(filters), include_notes=include_notes
    )


def report_job_enqueue(*, job: ReportJob) -> ReportJob:
    """Hand the job to a background worker; its task id is kept on the row."""
    result = make_report_pdf.enqueue(job.pk)
    ReportJob.objects.filter(pk=job.pk).update(task_id=result.id)
    job.task_id = result.id
    return job


def _progress(job: ReportJob, stage: str, percent: int, **fields) -> None:
    values = {"stage": stage, "progress": percent, **fields}
    ReportJob.objects.filter(pk=job.pk).update(**values)
    for name, value in values.items():
        setattr(job, name, value)


def report_job_run(*, job_id: int) -> ReportJob:
    """Make the job's PDF: build the report, lay it out, store it, record the export.

    Runs in the worker (the task below) or, for a small selection, in the request. A failure
    is written on the row (status failed, the error) and raised again, so the task's result
    says failed too; no export record is written for a PDF that was not made.
    """
    job = ReportJob.objects.select_related("user").get(pk=job_id)
    if job.status == ReportJobStatus.DONE:
        return job
    try:
        _progress(job, "Selecting the claims", 5, status=ReportJobStatus.RUNNING)
        filters = report_job_filters(job)
        report = build_report(
            export_queryset(filters, job.user),
            filters=filters,
            user=job.user,
            include_notes=job.include_notes,
        )
        _progress(job, f"Building the report of {report.shown} claims", 20)
        rendered = report_pdf(report, stage=lambda what, percent: _progress(job, what, percent))
        with transaction.atomic():
            record = export_record_create(
                user=job.user,
                fmt="pdf",
                filters=job.filters,
                include_notes=job.include_notes,
                origin="web",
                count=report.shown,
                content_hash=report.content_hash,
            )
            _progress(
                job,
                "Done",
                100,
                status=ReportJobStatus.DONE,
                pdf=rendered.data,
                pages=rendered.pages,
                claim_count=report.shown,
                export_record=record,
                finished_at=timezone.now(),
            )
    except Exception as exc:
        logger.exception("PDF report #%s failed", job_id)
        _progress(
            job,
            "Failed",
            job.progress,
            status=ReportJobStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}",
            finished_at=timezone.now(),
        )
        raise
    return job


@task
def make_report_pdf(job_id: int) -> int:
    """Make a PDF report in the background; returns its page count."""
    return report_job_run(job_id=job_id).pages


def report_job_resume(job_id: int) -> None:
    """Make the report again in another worker: the one making it died (imports.workers)."""
    job = ReportJob.objects.filter(pk=job_id).first()
    if job is None or job.status in (ReportJobStatus.DONE, ReportJobStatus.FAILED):
        return
    _progress(job, "Queued again: the worker making it stopped", 0, status=ReportJobStatus.QUEUED)
    report_job_enqueue(job=job)


def report_worker_state(*, job: ReportJob) -> str:
    """Tell whether a worker will make the job's PDF; the page says so instead of waiting.

    An idle `db_worker` polls every second, so the job's task still READY after
    REPORT_WORKER_GRACE_SECONDS means no worker is taking tasks (NO_WORKER). A job that is
    not finished while its task is gone or ended (a worker killed while making it) is
    STALLED: ask for the report again.
    """
    if job.status in (ReportJobStatus.DONE, ReportJobStatus.FAILED):
        return WorkerState.OK
    if not job.task_id:
        return WorkerState.STALLED
    try:
        result = make_report_pdf.get_result(job.task_id)
    except TaskResultDoesNotExist:
        return WorkerState.STALLED
    if result.status == TaskResultStatus.READY:
        grace = timezone.now() - timedelta(seconds=settings.REPORT_WORKER_GRACE_SECONDS)
        if result.enqueued_at is not None and result.enqueued_at <= grace:
            return WorkerState.NO_WORKER
        return WorkerState.OK
    if result.status == TaskResultStatus.RUNNING:
        return WorkerState.OK
    return WorkerState.STALLED  # the task ended but the job did not: the worker died in it
