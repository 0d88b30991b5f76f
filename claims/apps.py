from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims"

    def ready(self) -> None:
        from claims.report_jobs import make_report_pdf, report_job_resume
        from imports.workers import on_worker_death

        on_worker_death(make_report_pdf, report_job_resume)
