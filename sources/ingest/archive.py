"""Read article files out of an uploaded zip archive without trusting the archive.

A zip is a list of claims about its own contents, and hostile ones lie: sizes that are not
the real sizes (zip bombs), names that climb out of the folder (`../../etc/passwd`,
`/etc/passwd`, `C:\\…`), symlinks, encrypted entries, zips inside zips. What is checked:

- the whole archive, before any entry is read: it must be a readable zip with at most
  `max_entries` entries — otherwise the whole zip is refused (`ArchiveError`) and nothing of
  it is kept;
- every entry, in order: a safe relative path (no absolute path, drive letter or `..`
  component), not a symlink, not encrypted, not a zip (nesting depth 0: archives inside
  the archive are refused, unpack them first), a supported type (.txt, .text, .html, .htm),
  a declared size within `max_file_bytes` and a declared compression ratio within
  `max_ratio`, and room for its declared size in what is left of `max_total_bytes` (the
  bytes all the entries read before it unpacked to) — then it is read streaming with a hard
  cap, so an entry that inflates past the file limit, past its declared size, past the
  ratio or past the archive's total is refused whatever its header said. Each refusal is
  an entry with a `reason` that names it and the limit; the rest of the zip goes on. One
  oversized entry is refused alone: the files beside it are kept, and what is read from one
  archive never exceeds `max_total_bytes`.

A `manifest.csv` or `manifest.jsonl` at the root of the archive (sources/ingest/manifest.py)
comes out first, whatever its place in the zip, with content type "manifest", so its rows
are known before the files they describe. Directories and macOS resource forks
(`__MACOSX/`) are skipped silently: they are not files a user meant to import. Plain
Python, no Django.
"""

from __future__ import annotations

import re
import stat
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from sources.ingest.manifest import Manifest, ManifestError, is_manifest_name, parse_manifest
from sources.ingest.pipeline import content_type_for
from sources.ingest.types import IngestError

_CHUNK = 64 * 1024
# Below this many bytes an entry's compression ratio says nothing (a short, repetitive text
# compresses well and cannot hurt anyone).
_RATIO_FLOOR = 64 * 1024
_DRIVE_RE = re.compile(r"^[A-Za-z]:")


_PART_RE = re.compile(r"[^\\/]+")


def _kept_from(name: str) -> int:
    """Where the part of a file's name a page shows starts (see `shown_name`)."""
    parts = list(_PART_RE.finditer(name))
    for part in parts[:-1]:
        if part.group().lower().endswith(".zip"):  # "<archive>/<path inside the archive>"
            return part.start()
    return parts[-1].start() if parts else 0


def shown_name(name: str) -> str:
    """Name an imported file as pages show it: without the directories it was read from.

    A file read from the server's disk by `import_articles` ("/srv/drop/2024/gt-001.txt")
    is shown as "gt-001.txt"; an archive's entry keeps the archive's name and its path
    inside it ("/srv/drop/batch.zip/world/gt-001.txt" → "batch.zip/world/gt-001.txt"),
    which are the uploader's own names. The stored name keeps the whole path.
    """
    return name[_kept_from(name) :]


def shown_text(text: str, name: str) -> str:
    """`text` (a reason naming the file `name`) with the directories `shown_name` drops."""
    directories = name[: _kept_from(name)]
    return text.replace(directories, "") if directories else text


class ArchiveError(IngestError):
    """The whole archive is refused: nothing of it may be imported."""


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """What one uploaded zip may hold (settings: IMPORT_MAX_FILE_BYTES, IMPORT_ZIP_*)."""

    max_file_bytes: int = 5 * 1024 * 1024
    max_total_bytes: int = 200 * 1024 * 1024
    max_entries: int = 20_000
    max_ratio: float = 100.0


@dataclass(slots=True)
class ArchiveEntry:
    """One file of the archive: its bytes, or the reason it is refused."""

    name: str  # "<archive name>/<path inside the archive>"
    content_type: str  # "txt", "html" or "manifest"; "" when unsupported
    size: int  # bytes read, or the declared size when it was refused unread
    data: bytes | None = None
    reason: str = ""

    @property
    def rejected(self) -> bool:
        return bool(self.reason)


def open_zip(source: BinaryIO | str, *, name: str, limits: ArchiveLimits) -> Iterator[ArchiveEntry]:
    """Check the archive as a whole, then return an iterator over its entries.

    Raises `ArchiveError` (before yielding anything) when the archive is unreadable or has
    too many entries; entries refused on their own (one too large for the file limit or for
    what is left of the archive's total) come out with a `reason`.
    """
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise ArchiveError(f"{name}: not a readable zip archive ({exc})") from exc
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        archive.close()
        raise ArchiveError(
            f"{name}: too many entries ({len(infos):,}; the limit is {limits.max_entries:,})"
        )
    return _entries(archive, infos, name=name, limits=limits)


def entries_with_manifest(
    entries: Iterable[ArchiveEntry], *, name: str, notices: list[str] | None = None
) -> Iterator[tuple[ArchiveEntry, dict]]:
    """The archive's entries, each with its row of the archive's own manifest ({} if none).

    The manifest itself does not come out. What is wrong with it comes out as rejected
    entries named after it — a manifest that cannot be read, a row that names no file, a
    row whose file is not in the archive — and a file whose row is bad comes out rejected
    with the row's reason. `name` is the archive's name (the entries' prefix). What the
    reader should hear though nothing is refused (columns ignored) is added to `notices`.
    """
    manifest: Manifest | None = None
    used: set[int] = set()
    for entry in entries:
        if entry.rejected:
            yield entry, {}
            continue
        if entry.content_type == "manifest":
            try:
                manifest = parse_manifest(entry.data or b"", name=entry.name)
            except ManifestError as exc:
                yield ArchiveEntry(entry.name, "", entry.size, reason=exc.reason), {}
                continue
            if notices is not None and manifest.notice():
                notices.append(manifest.notice())
            for problem in manifest.problems:
                yield ArchiveEntry(entry.name, "", 0, reason=problem), {}
            continue
        row = manifest.lookup(entry.name[len(name) + 1 :]) if manifest is not None else None
        if row is None:
            yield entry, {}
            continue
        used.add(row.row)
        if row.bad:
            reason = f"{entry.name}: {row.reason}"
            yield ArchiveEntry(entry.name, entry.content_type, entry.size, reason=reason), {}
        else:
            yield entry, row.as_dict()
    for row in manifest.rows.values() if manifest is not None else ():
        if row.row not in used:
            reason = f"{manifest.name} row {row.row}: {row.file!r} is not in the archive"
            yield ArchiveEntry(manifest.name, "", 0, reason=reason), {}


def _entries(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], *, name: str, limits: ArchiveLimits
) -> Iterator[ArchiveEntry]:
    with archive:
        total = 0
        # The manifest first: its rows apply to the entries that follow.
        for info in sorted(infos, key=lambda i: not _is_manifest(i)):
            if info.is_dir() or info.filename.replace("\\", "/").startswith("__MACOSX/"):
                continue
            entry = _check(info, name=name, limits=limits)
            if entry.rejected:
                yield entry
                continue
            budget = limits.max_total_bytes - total
            if info.file_size > budget:  # refused unread: the others may still fit
                entry.reason = _total_reason(entry.name, total + info.file_size, limits)
                yield entry
                continue
            entry = _read(archive, info, entry, limits=limits, budget=budget)
            total += entry.size if not entry.rejected else 0
            yield entry


def _is_manifest(info: zipfile.ZipInfo) -> bool:
    """A manifest at the archive's root (not one inside a folder)."""
    return is_manifest_name(info.filename) and not info.is_dir()


def _check(info: zipfile.ZipInfo, *, name: str, limits: ArchiveLimits) -> ArchiveEntry:
    """Refuse an entry on what its header says, before reading a byte of it."""
    path = info.filename.replace("\\", "/")
    full = f"{name}/{path}"
    kind = "manifest" if _is_manifest(info) else content_type_for(path)
    entry = ArchiveEntry(name=full, content_type=kind, size=info.file_size)
    parts = path.split("/")
    if path.startswith("/") or _DRIVE_RE.match(path) or "\x00" in path:
        entry.reason = f"{full}: unsafe path in archive (absolute path)"
    elif ".." in parts:
        entry.reason = f"{full}: unsafe path in archive ('..' component)"
    elif info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16):
        entry.reason = f"{full}: symbolic link in archive (not a file)"
    elif info.flag_bits & 0x1:
        entry.reason = f"{full}: encrypted entry (cannot be read)"
    elif kind == "zip":
        entry.reason = f"{full}: nested zip archive (zips inside zips are not accepted)"
    elif not entry.content_type:
        suffix = path.rsplit("/", 1)[-1]
        suffix = suffix[suffix.rfind(".") :] if "." in suffix else "(none)"
        entry.reason = (
            f"{full}: unsupported file type {suffix!r} (expected .txt, .text, .html or .htm)"
        )
    elif info.file_size > limits.max_file_bytes:
        entry.reason = (
            f"{full}: file too large ({info.file_size:,} bytes; "
            f"the limit is {limits.max_file_bytes:,})"
        )
    elif _ratio_exceeded(info.file_size, info.compress_size, limits):
        entry.reason = _ratio_reason(full, info.file_size, info.compress_size, limits)
    return entry


def _ratio_exceeded(size: int, compressed: int, limits: ArchiveLimits) -> bool:
    return size > _RATIO_FLOOR and size > limits.max_ratio * max(compressed, 1)


def _ratio_reason(full: str, size: int, compressed: int, limits: ArchiveLimits) -> str:
    ratio = size / max(compressed, 1)
    return (
        f"{full}: compression ratio too high ({ratio:,.0f}:1; the limit is "
        f"{limits.max_ratio:,.0f}:1) — a zip bomb?"
    )


def _read(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    entry: ArchiveEntry,
    *,
    limits: ArchiveLimits,
    budget: int,
) -> ArchiveEntry:
    """Read an entry streaming, stopping at the first byte over any limit."""
    cap = min(limits.max_file_bytes, info.file_size, budget)
    chunks: list[bytes] = []
    read = 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(min(_CHUNK, cap + 1 - read))
                if not chunk:
                    break
                read += len(chunk)
                chunks.append(chunk)
                if read > cap:
                    entry.size = read
                    entry.reason = _overflow_reason(entry.name, read, info, limits, budget)
                    return entry
                if _ratio_exceeded(read, info.compress_size, limits):
                    entry.reason = _ratio_reason(entry.name, read, info.compress_size, limits)
                    return entry
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        entry.reason = f"{entry.name}: corrupt entry ({exc})"
        return entry
    except NotImplementedError as exc:
        entry.reason = f"{entry.name}: unsupported compression ({exc})"
        return entry
    except RuntimeError as exc:  # zipfile's "password required" for unflagged encryption
        entry.reason = f"{entry.name}: cannot be read ({exc})"
        return entry
    entry.size = read
    entry.data = b"".join(chunks)
    return entry


def _total_reason(full: str, total: int, limits: ArchiveLimits) -> str:
    return (
        f"{full}: left out, the archive would be too large when unpacked ({total:,} bytes "
        f"with the files before it; the limit is {limits.max_total_bytes:,})"
    )


def _overflow_reason(
    full: str, read: int, info: zipfile.ZipInfo, limits: ArchiveLimits, budget: int
) -> str:
    if read > limits.max_file_bytes:
        return f"{full}: file too large (over {limits.max_file_bytes:,} bytes when unpacked)"
    if read > budget:
        return _total_reason(full, limits.max_total_bytes - budget + read, limits)
    return (
        f"{full}: unpacks to more than the {info.file_size:,} bytes its header declares "
        "(a tampered archive)"
    )
