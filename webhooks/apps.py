from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from imports.workers import on_worker_death
        from webhooks import receivers  # noqa: F401 — connects to workbench.events.event
        from webhooks.tasks import deliver_webhook

        # The attempt a dead worker was making is made again (the receiver may have had it:
        # the same webhook-id lets it see a repeat).
        on_worker_death(deliver_webhook, deliver_webhook.enqueue)
