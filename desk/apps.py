from django.apps import AppConfig


class DeskConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "desk"
    verbose_name = "Desk"

    def ready(self) -> None:
        from desk import receivers  # noqa: F401 — connects to workbench.events.event
