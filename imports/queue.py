"""The import queue: a batch's pending files, claimed in small groups, parsed, then stored.

Uploads and the `import_articles` command both leave a batch of pending ImportFile rows (the
bytes stored with them, so a worker on any machine can process them; `imports.uploads`).
Whoever works the batch — a background task (`imports.tasks`) or the command, in its own
process — calls `import_batch_process`, which claims groups of files with
`SELECT … FOR UPDATE SKIP LOCKED`, parses them outside any transaction and stores each
group's articles and outcomes in one transaction. `import_files_claim`,
`import_files_parse` and `import_files_store` are its steps (`import_files_process` the last
two together), public so that a test (or a tool) can interleave several workers step by step.

Parsing is CPU-bound pure Python and storing mostly waits on the database, so a worker with a
process pool (`pool_parser`, the command's `--jobs`) overlaps them: it claims the next group
and hands it to the pool before storing the current one. Without that, each waited for the
other: of 15 s for 1,000 articles (`--jobs 2`), 10.6 s waiting for the pool and 4.4 s of
storing while the pool sat idle.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim
from families.grouping import families_group_new
from imports.models import process_name
from imports.storing import FileResult, StoreDefaults, articles_store
from sources.clustering import cluster_all, cluster_new
from sources.ingest.manifest import apply_manifest
from sources.ingest.pipeline import process_job
from sources.ingest.types import IngestError, ProcessedArticle
from sources.models import Article, ImportBatch, ImportFile, ImportOutcome, ImportStatus
from sources.registry import PublisherRegistry
from workbench.bulk import bulk_update_fields
from workbench.events import announce

logger = logging.getLogger(__name__)

Job = tuple[
    str, str, bytes
]  # (file name, content type, bytes): sources.ingest.pipeline.process_job
Parsed = tuple[str, int, ProcessedArticle | IngestError]

# What writing a file's outcome changes on its row.
IMPORT_FILE_OUTCOME_FIELDS = [
    "outcome",
    "reason",
    "article",
    "duplicate_of",
    "claims_created",
    "processed_at",
    "content",
]


def worker_process() -> str:
    """This process as `host:pid`: how a worker's heartbeat (imports.models) finds its claims."""
    return process_name(socket.gethostname(), os.getpid())


def worker_id() -> str:
    """A name for one run of a worker: host, process and run, so that two runs in one process
    — or a run that outlived its claim — never mistake each other's claims for their own."""
    return f"{worker_process()}:{uuid.uuid4().hex[:8]}"


def parse_in_process(jobs: list[Job], max_bytes: int) -> list[Parsed]:
    """Parse the jobs here, one after another; a parser bug costs one file, not the batch."""
    parsed: list[Parsed] = []
    for name, content_type, data in jobs:
        try:
            parsed.append(process_job((name, content_type, data), max_bytes))
        except Exception as exc:
            logger.exception("Import of %s failed", name)
            reason = f"{name}: could not be processed ({type(exc).__name__})"
            parsed.append((name, len(data), IngestError(reason)))
    return parsed


@dataclass(frozen=True, slots=True)
class Parser:
    """How a worker parses a group's jobs: `parse(jobs, max_bytes)`, one Parsed a job, in order.

    `ahead`: `parse` hands the jobs to other processes and returns at once, its results read
    when iterated. The worker then claims the next group and starts parsing it before it
    stores the current one. A parser that works here gains nothing from that and would only
    hold a second group's claims while it stores (a crash would strand both), so it does not.
    """

    parse: Callable[[list[Job], int], Iterable[Parsed]]
    ahead: bool = False


IN_PROCESS = Parser(parse_in_process)


def pool_parser(pool: Executor, *, chunksize: int = 4) -> Parser:
    """Parse in `pool` (processes: parsing is CPU-bound), each group submitted as it is claimed.

    The worker claims and submits the next group before it stores the current one: the pool
    has that group to parse while this process writes, and while it waits for a group's
    results the next one is queued behind it.
    """

    def parse(jobs: list[Job], max_bytes: int) -> Iterable[Parsed]:
        # Executor.map submits every job now and yields the results in order when read.
        return pool.map(process_job, jobs, [max_bytes] * len(jobs), chunksize=chunksize)

    return Parser(parse, ahead=True)


def import_files_claim(*, batch_id: int, worker: str, size: int) -> list[ImportFile]:
    """Claim up to `size` pending files of the batch nobody holds (or whose claim is stale).

    On PostgreSQL `SKIP LOCKED` keeps workers sharing a batch from claiming the same file;
    on SQLite every transaction starts with `BEGIN IMMEDIATE` (see settings), which
    serialises the claims instead.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.IMPORT_CLAIM_TIMEOUT_SECONDS)
    with transaction.atomic():
        ids = list(
            ImportFile.objects.filter(batch_id=batch_id, outcome=ImportOutcome.PENDING)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return []
        ImportFile.objects.filter(pk__in=ids).update(
            claimed_by=worker[:200], claimed_at=now, attempts=F("attempts") + 1
        )
    return list(
        ImportFile.objects.filter(pk__in=ids)
        .only("id", "batch_id", "name", "size", "content", "content_type", "manifest", "attempts")
        .order_by("pk")
    )


@dataclass(slots=True)
class ParsedGroup:
    """A claimed group on its way: its files, those refused already, and the parser's results.

    `results` may still be being computed elsewhere (a pool); reading them waits for them.
    """

    files: list[ImportFile]
    parsing: list[ImportFile] = field(default_factory=list)  # handed to the parser, in order
    results: Iterable[Parsed] = ()
    rejected: list[tuple[ImportFile, str]] = field(default_factory=list)


def import_files_parse(
    *, files: list[ImportFile], parse: Parser = IN_PROCESS, max_bytes: int | None = None
) -> ParsedGroup:
    """Hand the claimed files to the parser (a file tried too often is refused instead)."""
    max_bytes = settings.IMPORT_MAX_FILE_BYTES if max_bytes is None else max_bytes
    group = ParsedGroup(files)
    jobs: list[Job] = []
    for file in files:
        if file.attempts > settings.IMPORT_MAX_ATTEMPTS:
            tries = file.attempts - 1
            reason = f"{file.name}: could not be processed (gave up after {tries} attempts)"
            group.rejected.append((file, reason))
        else:
            group.parsing.append(file)
            jobs.append((file.name, file.content_type, bytes(file.content or b"")))
        file.content = None  # the parsed text is all we need from here on
    group.results = parse.parse(jobs, max_bytes)
    return group


def import_files_store(
    *,
    batch: ImportBatch,
    group: ParsedGroup,
    worker: str,
    defaults: StoreDefaults,
    publishers: PublisherRegistry | None = None,
) -> int:
    """Store a parsed group's articles and every file's outcome in one transaction.

    Only the files still claimed by `worker` are written (one whose claim went stale and was
    taken over is the other worker's to finish); returns how many. The outcomes are also set
    on the group's files, for a caller that reports them. `publishers` is the registry to
    resolve publishers with (a fresh one if not given).
    """
    parsed: list[tuple[ProcessedArticle, ImportFile]] = []
    rejected = list(group.rejected)
    for file, (_, _, outcome) in zip(group.parsing, group.results, strict=True):
        if isinstance(outcome, IngestError):
            rejected.append((file, outcome.reason))
            continue
        if file.manifest:  # the manifest row wins over what the page says
            apply_manifest(outcome.meta, file.manifest)
        parsed.append((outcome, file))
    if publishers is None:
        publishers = PublisherRegistry.load()
    with transaction.atomic():
        mine = set(
            ImportFile.objects.select_for_update()
            .filter(
                pk__in=[f.pk for f in group.files],
                claimed_by=worker[:200],
                outcome=ImportOutcome.PENDING,
            )
            .values_list("pk", flat=True)
        )
        parsed = [(p, f) for p, f in parsed if f.pk in mine]
        rejected = [(f, reason) for f, reason in rejected if f.pk in mine]
        if parsed:
            stored = articles_store(
                [p for p, _ in parsed],
                by=batch.created_by,
                batch=batch,
                publishers=publishers,
                defaults=defaults,
            )
            _import_files_own_articles(batch, stored)
            _import_files_record([f for _, f in parsed], stored)
        if rejected:
            _import_files_record(
                [f for f, _ in rejected],
                [FileResult(f.name, ImportOutcome.REJECTED, reason=r) for f, r in rejected],
            )
    return len(mine)


def import_files_process(
    *,
    batch: ImportBatch,
    files: list[ImportFile],
    worker: str,
    defaults: StoreDefaults,
    parse: Parser = IN_PROCESS,
    max_bytes: int | None = None,
) -> int:
    """Parse the claimed files, then store them and their outcomes in one transaction.

    `import_files_parse` then `import_files_store`; returns how many files were this
    worker's to write.
    """
    group = import_files_parse(files=files, parse=parse, max_bytes=max_bytes)
    return import_files_store(batch=batch, group=group, worker=worker, defaults=defaults)


def _import_files_record(files: list[ImportFile], results: list[FileResult]) -> None:
    """Write each result onto its file's row and drop the stored bytes."""
    now = timezone.now()
    for file, result in zip(files, results, strict=True):
        file.outcome = result.outcome
        file.reason = result.reason
        file.article = result.article
        file.duplicate_of = result.article if result.outcome == ImportOutcome.DUPLICATE else None
        file.claims_created = result.claims_created
        file.processed_at = now
        file.content = None
    bulk_update_fields(files, IMPORT_FILE_OUTCOME_FIELDS)


def _import_files_own_articles(batch: ImportBatch, results: list[FileResult]) -> None:
    """Turn "duplicate of itself" back into "imported" after an interrupted run.

    An article stored by this batch that no file of the batch reports as imported was
    stored by an earlier attempt whose outcome was lost (article and outcome are written in
    one transaction here, but older paths or a manual repair may have split them): the file
    that brings the same text again is the one that imported it, not a duplicate.
    """
    imported_here = {r.article.pk for r in results if r.outcome == ImportOutcome.IMPORTED}
    candidates = {
        r.article.pk
        for r in results
        if r.outcome == ImportOutcome.DUPLICATE and r.article is not None
    } - imported_here
    if not candidates:
        return
    orphans = set(
        Article.objects.filter(pk__in=candidates, import_batch=batch)
        .exclude(
            Exists(
                ImportFile.objects.filter(
                    article=OuterRef("pk"), batch=batch, outcome=ImportOutcome.IMPORTED
                )
            )
        )
        .values_list("pk", flat=True)
    )
    for result in results:
        if result.outcome != ImportOutcome.DUPLICATE or result.article.pk not in orphans:
            continue
        orphans.discard(result.article.pk)  # a second copy in the group stays a duplicate
        result.outcome = ImportOutcome.IMPORTED
        result.claims_created = Claim.objects.filter(article=result.article).count()


def import_batch_process(
    *,
    batch_id: int,
    worker: str,
    limit: int | None = None,
    group: int | None = None,
    parse: Parser = IN_PROCESS,
    max_bytes: int | None = None,
    cluster: bool = True,
    on_done: Callable[[list[ImportFile]], None] | None = None,
) -> int:
    """Claim and import the batch's pending files until none is left; return how many.

    Each round claims `group` files (IMPORT_CLAIM_GROUP), parses and stores them
    (`import_files_parse`, `import_files_store`); `on_done` then hears the group's files with
    their outcomes. With a parser that works elsewhere (`Parser.ahead`) the next group is
    claimed and handed to it before the current one is stored. A crash leaves the claimed
    groups' files pending and claimed; they can be claimed again once a live worker finds the
    dead one's heartbeat silent (`imports.workers`, IMPORT_WORKER_DEAD_SECONDS), at once after
    `import_batch_release`, or — a process that does not beat, such as `import_articles` —
    once the claim is IMPORT_CLAIM_TIMEOUT_SECONDS old. `limit` stops
    after about that many files (tests, progress). The worker that finds no file left
    pending closes the batch and, unless `cluster` is false, clusters it.
    """
    batch = ImportBatch.objects.select_related("default_publisher", "created_by").get(pk=batch_id)
    ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING
    )
    defaults = StoreDefaults(batch.default_publisher, batch.default_published)
    claimed = 0

    def claim_and_parse() -> ParsedGroup | None:
        nonlocal claimed
        size = group or settings.IMPORT_CLAIM_GROUP
        if limit is not None:
            size = min(size, limit - claimed)
        files = import_files_claim(batch_id=batch_id, worker=worker, size=size) if size > 0 else []
        if not files:
            return None
        claimed += len(files)
        return import_files_parse(files=files, parse=parse, max_bytes=max_bytes)

    done = 0
    publishers: PublisherRegistry | None = None
    current = claim_and_parse()
    while current is not None:
        following = claim_and_parse() if parse.ahead else None
        # Kept across groups until a publisher changes (one this worker created, too: its
        # group may have been rolled back).
        publishers = PublisherRegistry.unless_changed(publishers)
        done += import_files_store(
            batch=batch, group=current, worker=worker, defaults=defaults, publishers=publishers
        )
        if on_done is not None:
            on_done(current.files)
        current = following if parse.ahead else claim_and_parse()
    import_batch_finish_if_complete(batch_id=batch_id, cluster=cluster)
    return done


def import_batch_release(*, batch_id: int) -> int:
    """Release every claim on the batch's pending files; return how many are pending.

    For a batch whose worker died: its files are claimable at once instead of after the
    claim timeout. A worker that is in fact still alive loses nothing but time — it checks
    its claim before storing, so no file is done twice.
    """
    with transaction.atomic():
        pending = ImportFile.objects.filter(batch_id=batch_id, outcome=ImportOutcome.PENDING)
        count = pending.update(claimed_by="", claimed_at=None)
        if count:
            ImportBatch.objects.filter(pk=batch_id).update(
                status=ImportStatus.RUNNING, finished_at=None
            )
        else:
            import_batch_finish_if_complete(batch_id=batch_id)
    return count


def import_files_release_process(*, process: str) -> dict[int, int]:
    """Release the pending files claimed by any run in `process` (`host:pid`), a dead worker.

    Returns how many were released, by batch. Its runs' claims are `host:pid:run`
    (`worker_id`); the trailing colon keeps pid 12 from matching pid 123.
    """
    with transaction.atomic():
        held = ImportFile.objects.filter(
            outcome=ImportOutcome.PENDING, claimed_by__startswith=f"{process}:"
        )
        released = dict(held.values_list("batch_id").annotate(n=Count("id")).order_by())
        held.update(claimed_by="", claimed_at=None)
    return released


def import_batch_finish_if_complete(*, batch_id: int, cluster: bool = True) -> None:
    """Mark the batch done once none of its files is pending."""
    if ImportFile.objects.filter(batch_id=batch_id, outcome=ImportOutcome.PENDING).exists():
        return
    finished = (
        ImportBatch.objects.filter(pk=batch_id)
        .exclude(status=ImportStatus.DONE)
        .update(status=ImportStatus.DONE, finished_at=timezone.now())
    )
    if finished and cluster:  # only the worker that closed the batch clusters it
        import_batch_cluster(batch=ImportBatch.objects.get(pk=batch_id))
        # Families after clusters: a family's representative comes from the origin outlet.
        families_group_new(
            claim_ids=Claim.objects.filter(article__import_batch_id=batch_id).values_list(
                "pk", flat=True
            )
        )
    if finished:
        import_batch_announce(
            batch=ImportBatch.objects.select_related("created_by").get(pk=batch_id)
        )


def import_batch_announce(*, batch: ImportBatch) -> None:
    """Announce a finished batch ("import.finished"): its files counted by outcome."""
    outcomes = dict(
        ImportFile.objects.filter(batch=batch)
        .values_list("outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    announce(
        sender=ImportBatch,
        type="import.finished",
        data={
            "batch": {
                "id": batch.pk,
                "origin": batch.origin,
                "status": batch.status,
                "files": {o: outcomes.get(o, 0) for o in ImportOutcome.values if o != "pending"},
                "url": settings.SITE_URL.rstrip("/") + reverse("imports:batch", args=[batch.pk]),
            },
            "by": batch.created_by.get_username() if batch.created_by is not None else None,
        },
    )


# Above this many new articles, recomputing every cluster in memory is cheaper than looking
# up candidates for each new article in the index.
CLUSTER_ALL_ABOVE = 300


def import_batch_cluster(*, batch: ImportBatch) -> int:
    """Place the articles a batch imported in syndication clusters; return how many joined one.

    Runs once per batch rather than per stored group: candidate lookups then cover the whole
    batch in one pass, and storing stays a few multi-row inserts per group.
    """
    new = list(Article.objects.filter(import_batch=batch).only("id", "fingerprint", "published_at"))
    if len(new) > CLUSTER_ALL_ABOVE:
        return cluster_all().articles
    return cluster_new(new)
