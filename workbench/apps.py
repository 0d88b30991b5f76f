from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    """The project package doubles as the app that owns users and roles."""

    name = "workbench"
    verbose_name = "Workbench"
