from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evidence"
    verbose_name = "Evidence captures"

    def ready(self) -> None:
        from evidence import receivers  # noqa: F401 — connects to workbench.events.event
        from evidence.tasks import capture_evidence, check_evidence_links
        from imports.workers import on_worker_death

        # A capture or a sweep a dead worker was making is made again: both are idempotent
        # (a capture of evidence already captured does nothing; a sweep takes what is due).
        on_worker_death(capture_evidence, capture_evidence.enqueue)
        on_worker_death(check_evidence_links, check_evidence_links.enqueue)
