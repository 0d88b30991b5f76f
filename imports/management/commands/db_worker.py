"""`manage.py db_worker`: django-tasks-db's worker, beating while it runs (imports/workers.py).

The same command, options and behaviour as django-tasks-db's own (this app comes before
`django_tasks_db` in INSTALLED_APPS, so its command of the same name is the one run), around
which the worker's heartbeat runs: the worker first hands on what dead workers left, then
records a beat every IMPORT_WORKER_BEAT_SECONDS until it stops. With `--reload` the command
runs twice — the reloader, then the worker in a child process: only the child beats, since
its process is the one that claims files and its `--worker-id` the one on the tasks.
"""

from __future__ import annotations

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as LibraryCommand

from imports.workers import worker_heartbeat


class Command(LibraryCommand):
    help = "Run a database background worker that records a heartbeat (imports/workers.py)"

    def handle(self, *args, **options) -> None:
        reloader = (
            options["reload"]
            and not options["batch"]
            and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        )
        if reloader:  # this process only watches the code; the worker runs in its child
            return super().handle(*args, **options)
        with worker_heartbeat(worker_id=options["worker_id"]):
            return super().handle(*args, **options)
