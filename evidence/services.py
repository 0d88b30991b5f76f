"""Writes of the evidence app: capture an evidence URL, check its excerpt, check its link again.

Fetching happens outside any transaction (a slow page holds no lock); what it gave is then
written in one transaction — the capture row, the body in the evidence storage (gzip, named
by its SHA-256: the same bytes are stored once), and the archive's new state with a history
row saying why. The archive is edited only here.
"""

from __future__ import annotations

import difflib
import gzip
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from claims.models import Claim, Corroboration
from evidence.choices import (
    LINK_IN_DOUBT,
    CapturePurpose,
    CaptureState,
    ExcerptStatus,
    LinkState,
)
from evidence.fetching import Extracted, Fetched, extract, fetch
from evidence.models import Archive, Capture, LinkSchedule, evidence_storage
from sources.ingest.excerpts import DIFFERENT, FOUND, find_excerpt
from workbench.events import announce
from workbench.history import record_change
from workbench.models import User

DIFF_MAX_CHARS = 20_000


def body_name(sha256: str) -> str:
    """Where a body with this hash is kept in the evidence storage."""
    return f"{sha256[:2]}/{sha256}.gz"


def store_body(fetched: Fetched) -> str:
    """Keep the fetched body (gzip) in the evidence storage, once per hash; return its name."""
    if not fetched.sha256:
        return ""
    storage = evidence_storage()
    name = body_name(fetched.sha256)
    if not storage.exists(name):
        name = storage.save(name, ContentFile(gzip.compress(fetched.body, mtime=0)))
    return name


def read_body(capture: Capture) -> bytes:
    """The original bytes of a capture, as served."""
    with capture.open_body() as handle:
        return gzip.decompress(handle.read())


def _capture_row(
    evidence: Corroboration, fetched: Fetched, extracted: Extracted, purpose: str
) -> Capture:
    return Capture.objects.create(
        evidence=evidence,
        purpose=purpose,
        requested_url=fetched.requested_url,
        final_url=fetched.final_url,
        redirects=fetched.redirects,
        status_code=fetched.status_code,
        headers=fetched.headers,
        retrieved_at=fetched.retrieved_at,
        sha256=fetched.sha256,
        body_name=store_body(fetched),
        size=len(fetched.body),
        content_type=fetched.content_type,
        text=extracted.text,
        title=extracted.title,
        site_name=extracted.site_name,
        author=extracted.author,
        published=extracted.published,
        error=fetched.error or extracted.error,
    )


@transaction.atomic
def archive_create(*, evidence_id: int, by: User | None = None) -> Archive | None:
    """Record that a piece of evidence's URL is to be captured (the archive, pending).

    None for evidence without a URL, or whose URL is already archived (nothing to capture):
    the caller (evidence.tasks.archive_request) queues the capture task for the others.
    """
    evidence = Corroboration.objects.filter(pk=evidence_id).first()
    if evidence is None or not evidence.url:
        return None
    archive = Archive.objects.select_for_update().filter(evidence=evidence).first()
    if archive is not None and archive.url == evidence.url:
        return None
    if archive is None:
        archive = Archive(evidence=evidence)
    archive.url = evidence.url
    archive.state = CaptureState.PENDING
    record_change(archive, by=by, reason="capture requested")
    archive.save()
    return archive


def capture_take(*, evidence_id: int) -> Archive | None:
    """Fetch a piece of evidence's URL and archive what came back, checking the excerpt.

    Idempotent: evidence already captured at its current URL is left as it is (a task run
    twice, or taken up again after a worker died, does nothing the second time).
    """
    archive = Archive.objects.select_related("evidence").filter(evidence_id=evidence_id).first()
    if archive is None:
        return None
    if archive.state == CaptureState.CAPTURED and archive.url == archive.evidence.url:
        return archive
    fetched = fetch(archive.evidence.url)
    extracted = extract(fetched)
    with transaction.atomic():
        archive = Archive.objects.select_for_update().select_related("evidence").get(pk=archive.pk)
        capture = _capture_row(archive.evidence, fetched, extracted, CapturePurpose.ATTACH)
        archive.url = archive.evidence.url
        if capture.ok:
            archive.state, archive.capture, archive.error = CaptureState.CAPTURED, capture, ""
            _check_excerpt_into(archive)
            reason = f"captured ({capture.sha256[:12]})"
        else:
            archive.state, archive.error = CaptureState.FAILED, capture.error
            reason = f"capture failed: {capture.error}"
        archive.link_state = LinkState.UNCHECKED
        archive.version += 1
        record_change(archive, by=None, reason=reason)
        archive.save()
        if capture.ok:
            LinkSchedule.objects.update_or_create(
                archive=archive,
                defaults={
                    "checked_at": capture.retrieved_at,
                    "due_at": capture.retrieved_at + recheck_interval(),
                    "last_status": capture.status_code,
                },
            )
    return archive


def recheck_interval() -> timedelta:
    return timedelta(days=settings.EVIDENCE_RECHECK_DAYS)


def _check_excerpt_into(archive: Archive) -> None:
    """Set the archive's excerpt status from its evidence's excerpt and the captured text."""
    excerpt = archive.evidence.excerpt
    text = archive.capture.text if archive.capture else ""
    archive.excerpt_start = archive.excerpt_end = 0
    archive.excerpt_differences = []
    if not excerpt.strip():
        archive.excerpt_status = ExcerptStatus.NOT_CHECKED
        return
    if not text:
        archive.excerpt_status = ExcerptStatus.NO_TEXT
        return
    match = find_excerpt(excerpt, text)
    archive.excerpt_status = {
        FOUND: ExcerptStatus.FOUND,
        DIFFERENT: ExcerptStatus.DIFFERENT,
    }.get(match.status, ExcerptStatus.NOT_FOUND)
    archive.excerpt_start, archive.excerpt_end = match.start, match.end
    archive.excerpt_differences = [list(pair) for pair in match.differences]


@transaction.atomic
def excerpt_recheck(*, archive: Archive, by: User | None) -> Archive:
    """Check the evidence's excerpt against the archived copy again (after it was edited)."""
    archive = (
        Archive.objects.select_for_update().select_related("evidence", "capture").get(pk=archive.pk)
    )
    before = archive.excerpt_status
    _check_excerpt_into(archive)
    if archive.excerpt_status != before or archive.excerpt_status == ExcerptStatus.DIFFERENT:
        archive.version += 1
        record_change(archive, by=by, reason=f"excerpt {archive.get_excerpt_status_display()}")
        archive.save()
    return archive


@transaction.atomic
def link_rechecked(*, archive: Archive, by: User) -> Archive:
    """Record that a reviewer re-checked evidence whose link went bad: the flag is cleared.

    The link's state and diff stay as they are (what became of the source is still true);
    only the claim's call for a re-review ends. Nothing to clear: nothing recorded.
    """
    archive = Archive.objects.select_for_update().get(pk=archive.pk)
    if archive.rereview:
        archive.rereview = False
        archive.version += 1
        what = archive.get_link_state_display().lower()
        record_change(archive, by=by, reason=f"re-checked by a reviewer (link {what})")
        archive.save()
    return archive


# -- Link rot -------------------------------------------------------------------------------


@dataclass
class Sweep:
    """What a link sweep did: how many links it checked, what it found by state, and the
    links whose state it changed as (evidence id, URL, new state)."""

    checked: int = 0
    found: dict[str, int] = field(default_factory=dict)
    changed: list[tuple[int, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        """ "checked 12: gone 1, live 11" — the task's result and the command's last line."""
        found = ", ".join(f"{state} {n}" for state, n in sorted(self.found.items()))
        return f"checked {self.checked}" + (f": {found}" if found else "")

    def add(self, other: Sweep) -> None:
        """Count another sweep's links in this one."""
        self.checked += other.checked
        for state, n in other.found.items():
            self.found[state] = self.found.get(state, 0) + n
        self.changed.extend(other.changed)


def link_state_of(archived: Capture, fetched: Fetched, extracted: Extracted) -> tuple[str, str]:
    """What became of an archived link, judged from a new fetch: (LinkState, text diff).

    Gone: an answer of 400 or more. Unreachable: no answer (or refused now). Content changed:
    other bytes whose text differs (markup alone changing is not a change), or other bytes of
    a capture with no text (a PDF). Moved: the same content at another final URL.
    """
    if fetched.status_code is not None and fetched.status_code >= 400:
        return LinkState.GONE, ""
    if fetched.error:
        return LinkState.UNREACHABLE, ""
    if fetched.sha256 != archived.sha256:
        if not archived.text and not extracted.text:
            return LinkState.CHANGED, ""
        if extracted.text != archived.text:
            return LinkState.CHANGED, text_diff(archived.text, extracted.text)
    if fetched.final_url and fetched.final_url != archived.final_url:
        return LinkState.MOVED, ""
    return LinkState.LIVE, ""


def text_diff(before: str, after: str) -> str:
    """A unified diff of two extracted texts, line by line, cut at DIFF_MAX_CHARS."""
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), "archived", "now", lineterm="", n=1
    )
    diff = "\n".join(lines)
    return diff if len(diff) <= DIFF_MAX_CHARS else diff[: DIFF_MAX_CHARS - 1] + "…"


def links_due(*, now: datetime | None = None, limit: int = 500) -> list[LinkSchedule]:
    """The link checks due by `now`, the longest waiting first."""
    now = now or timezone.now()
    return list(
        LinkSchedule.objects.filter(due_at__lte=now)
        .select_related("archive__capture", "archive__link_capture", "archive__evidence__claim")
        .order_by("due_at", "pk")[:limit]
    )


def links_check(
    *, schedules: Iterable[LinkSchedule], workers: int = 4, now: datetime | None = None
) -> Sweep:
    """Fetch the links of `schedules` again (`workers` at a time) and record what changed.

    An archive whose link is in a new state (or changed again) gets a recheck capture and a
    history row; links found live at their first check are recorded so in one bulk update
    (with their history rows); every schedule moves on by EVIDENCE_RECHECK_DAYS, in bulk too.
    """
    schedules = [s for s in schedules if s.archive.capture_id is not None]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        fetches = list(pool.map(lambda s: fetch(s.archive.url), schedules))
    sweep = Sweep()
    now = now or timezone.now()
    with transaction.atomic():
        first_live = []
        for schedule, fetched in zip(schedules, fetches, strict=True):
            state, changed = _link_record(schedule.archive, fetched)
            if changed == FIRST_LIVE:
                first_live.append(schedule.archive)
            elif changed:
                sweep.changed.append((schedule.archive.evidence_id, schedule.archive.url, state))
            schedule.checked_at = now
            schedule.due_at = now + recheck_interval()
            schedule.last_status = fetched.status_code
            sweep.checked += 1
            sweep.found[state] = sweep.found.get(state, 0) + 1
        bulk_update_with_history(
            first_live,
            Archive,
            ["link_state", "version", "updated_at"],
            default_change_reason=FIRST_LIVE_REASON,
        )
        LinkSchedule.objects.bulk_update(schedules, ["checked_at", "due_at", "last_status"])
    return sweep


def links_sweep(*, now: datetime | None = None, workers: int = 4, batch: int = 500) -> Sweep:
    """Check every link due by `now`, a batch at a time, until none is due."""
    now = now or timezone.now()
    total = Sweep()
    while due := links_due(now=now, limit=batch):
        total.add(links_check(schedules=due, workers=workers, now=now))
    return total


# `_link_record` found a link live at its first check: the caller records it, in bulk.
FIRST_LIVE = "first live"
FIRST_LIVE_REASON = "link check: live, unchanged"


def _link_record(archive: Archive, fetched: Fetched) -> tuple[str, bool | str]:
    """Record a new fetch of an archived link if it says something new; return its state and
    whether that is a change a reviewer sees — or FIRST_LIVE: the archive's first check found
    the link live, which it is left to the caller to save (with its history row, in bulk:
    the first sweep finds most links so)."""
    extracted = (
        extract(fetched)
        if fetched.sha256 != archive.capture.sha256
        else Extracted(text=archive.capture.text)
    )
    state, diff = link_state_of(archive.capture, fetched, extracted)
    previous = archive.link_capture or archive.capture
    same = state == archive.link_state and (
        state != LinkState.CHANGED or fetched.sha256 == previous.sha256
    )
    if same or (state == LinkState.LIVE and archive.link_state == LinkState.UNCHECKED):
        if state != archive.link_state:  # unchecked → live: a history row (in bulk), no capture
            archive.link_state = state
            archive.version += 1
            archive.updated_at = fetched.retrieved_at
            return state, FIRST_LIVE
        return state, False
    capture = _capture_row(archive.evidence, fetched, extracted, CapturePurpose.RECHECK)
    archive.link_state = state
    archive.link_capture = capture if state != LinkState.LIVE else None
    archive.link_changed_at = fetched.retrieved_at
    archive.link_diff = diff
    archive.rereview = state in LINK_IN_DOUBT
    archive.version += 1
    what = LinkState(state).label.lower()
    if fetched.status_code and state == LinkState.GONE:
        what += f" ({fetched.status_code})"
    record_change(archive, by=None, reason=f"link check: {what}")
    archive.save()
    if state in LINK_IN_DOUBT:
        claim: Claim = archive.evidence.claim
        announce(
            sender=Archive,
            type="evidence.link_changed",
            data={
                "claim": {"id": claim.pk, "status": claim.status},
                "corroboration": {"id": archive.evidence_id, "url": archive.url},
                "link_state": state,
                "status_code": fetched.status_code,
            },
        )
    return state, True
