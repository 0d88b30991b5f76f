"""Check every archived evidence link that is due again; print what was checked and changed.

For cron (the tasks framework has no schedule of its own), e.g. every hour:

    17 * * * *  cd /srv/workbench && .venv/bin/python manage.py check_evidence_links

Each link is checked again EVIDENCE_RECHECK_DAYS after its last check, so an hourly run
spreads the work; a run with nothing due prints "checked 0". `--enqueue` hands the sweep to
a `db_worker` instead (the check_evidence_links task) and returns at once. The exit status
is non-zero only on an error (a link gone, moved or changed is a finding, not an error).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from evidence.choices import LinkState
from evidence.services import links_sweep
from evidence.tasks import check_evidence_links


class Command(BaseCommand):
    help = "Check the archived evidence links that are due; print what changed."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--workers", type=int, default=4, help="links fetched at a time (default 4)"
        )
        parser.add_argument(
            "--batch", type=int, default=500, help="links read and written per transaction"
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="queue the sweep for a db_worker and return"
        )

    def handle(self, *args, workers: int, batch: int, enqueue: bool, **options) -> None:
        if workers < 1 or batch < 1:
            raise CommandError("--workers and --batch must be at least 1.")
        if enqueue:
            result = check_evidence_links.enqueue(workers)
            self.stdout.write(f"queued the link sweep (task {result.id})")
            return
        sweep = links_sweep(workers=workers, batch=batch)
        for evidence_id, url, state in sweep.changed:
            self.stdout.write(f"evidence #{evidence_id}: {LinkState(state).label.lower()} {url}")
        self.stdout.write(sweep.summary())
