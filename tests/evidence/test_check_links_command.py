"""`manage.py check_evidence_links`: the sweep for cron, saying what it checked and found."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from evidence.models import Archive, LinkSchedule
from evidence.tasks import capture_evidence, check_evidence_links
from tests.evidence.conftest import ARTICLE_HTML

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("check_evidence_links", *args, stdout=out)
    return out.getvalue()


def test_the_command_checks_due_links_and_prints_what_changed(allow_loopback, site, attach):
    live = attach(site.route("/ferry", ARTICLE_HTML))
    gone_url = site.route("/notice", ARTICLE_HTML.replace(b"eleven", b"nine"))
    gone = attach(gone_url)
    for evidence in (live, gone):
        capture_evidence.call(evidence.pk)
    assert run() == "checked 0\n"  # nothing due yet

    site.route("/notice", b"gone", status=404)
    # Due now (schedules are bookkeeping, not history: moved in bulk).
    LinkSchedule.objects.update(due_at=timezone.now() - timedelta(minutes=1))
    out = run("--workers", "2")

    assert out == f"evidence #{gone.pk}: gone {gone_url}\nchecked 2: gone 1, live 1\n"
    assert Archive.objects.get(evidence=gone).link_state == "gone"
    first_live = Archive.objects.get(evidence=live)
    assert (first_live.link_state, first_live.version) == ("live", 3)
    reasons = [h.history_change_reason for h in first_live.history.order_by("history_id")]
    assert reasons[-1] == "link check: live, unchanged"
    assert first_live.history.latest("history_id").version == 3


def test_the_command_can_queue_the_sweep_for_a_worker(db):
    out = run("--enqueue")
    task = DBTaskResult.objects.get(task_path=check_evidence_links.module_path)
    assert out == f"queued the link sweep (task {task.id})\n"


def test_bad_options_are_an_error_naming_them(db):
    with pytest.raises(CommandError, match="--workers and --batch must be at least 1"):
        run("--workers", "0")
