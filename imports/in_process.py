"""Importing in this process, without background workers: files given as bytes.

`articles_import` is for code that holds the files itself (test fixtures, `demo_setup`,
benches): the files are accepted as uploads are (imports/uploads.py) and the batch is worked
by the same queue (imports/queue.py), here and now. The `import_articles` command does the
same with paths.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from imports.queue import import_batch_process, worker_id
from imports.storing import FileResult
from imports.uploads import Incoming, import_batch_create, import_limits
from sources.models import ImportBatch, ImportFile
from workbench.models import User


def articles_import(
    files: Iterable[tuple[str, bytes]],
    *,
    by: User | None,
    origin: str = "cli",
    max_bytes: int | None = None,
) -> tuple[ImportBatch, list[FileResult]]:
    """Import many (name, bytes) files into one batch; each file is atomic on its own.

    `max_bytes` is the largest file accepted (default IMPORT_MAX_FILE_BYTES). Returns the
    batch and every file's result, in the order given.
    """
    batch, _ = import_batch_create(
        files=[Incoming(name, len(data), io.BytesIO(data)) for name, data in files],
        origin=origin,
        by=by,
        limits=import_limits(max_file_bytes=max_bytes),
    )
    import_batch_process(batch_id=batch.pk, worker=worker_id(), max_bytes=max_bytes)
    files_done = (
        ImportFile.objects.filter(batch=batch)
        .select_related(
            "article__publisher",
            "article__origin",
            "article__import_batch",
            "article__cluster_origin",
        )
        .order_by("pk")
    )
    return batch, [file_result(file) for file in files_done]


def file_result(file: ImportFile) -> FileResult:
    """The result of a file that has its outcome, as the command prints it."""
    return FileResult(
        file.name,
        file.outcome,
        reason=file.reason,
        article=file.article,
        claims_created=file.claims_created,
    )
