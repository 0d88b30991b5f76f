"""Import manifests: what the user knows about each file, which wins over what the page says.

A manifest is a CSV file with a header row, or JSON Lines (one object a line), with a
`file` column — the file's name, or its path relative to the manifest (inside a zip: to the
zip's root) — and any of `url`, `publisher`, `origin` (whose text it is: a wire agency or
the outlet that first ran it), `published`, `byline`, `title`, `language`. The names
spreadsheets commonly use for them are read as them (`COLUMN_ALIASES`: `outlet` is the
publisher, `date` the published date, `author` the byline…); other columns (an analyst's
`notes`, an `event` label) are ignored and named in `Manifest.ignored`, which the command
prints, so a misspelt column is seen, not silently dropped.
Every value is checked: `url` must be an http(s) address with a host, `published` a date
`dates.find_date` reads (nothing else with digits beside it), `language` a short language
code ("en", "pt-BR"). A bad value or a second row for the same file makes that row bad: its
file is refused with a reason naming the manifest, the row and the field; files the
manifest does not list import as before. A manifest that cannot be read at all (not UTF-8,
no `file` column) is refused whole (`ManifestError`).

Rows are numbered as a spreadsheet or an editor shows them: in a CSV the header is row 1,
in JSON Lines row N is line N. Empty values say nothing and are left out.

`apply_manifest` puts a row's values on a parsed page's `PageMeta`, after parsing, so the
manifest wins; a manifest publisher carries its evidence ("manifest row N").

Plain Python, no Django.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from sources.ingest.address import is_page_url
from sources.ingest.dates import find_date
from sources.ingest.language import is_language_code
from sources.ingest.types import Evidence, IngestError, PageMeta

FIELDS = ("file", "url", "publisher", "origin", "published", "byline", "title", "language")
VALUE_FIELDS = FIELDS[1:]
# Other names for the fields, as exported spreadsheets and other tools name them. Where a row
# has both, the field's own name wins.
COLUMN_ALIASES = {
    "path": "file",
    "filename": "file",
    "link": "url",
    "outlet": "publisher",
    "site_name": "publisher",
    "published_on": "published",
    "date": "published",
    "author": "byline",
    "authors": "byline",
    "headline": "title",
    "lang": "language",
}
# The names a manifest has at the root of a zip archive (or among uploaded files).
MANIFEST_NAMES = frozenset({"manifest.csv", "manifest.jsonl"})
# What each text field may hold (the Article/Publisher columns they end up in).
_MAX_CHARS = {
    "url": 2000,
    "publisher": 200,
    "origin": 200,
    "published": 200,
    "byline": 500,
    "title": 1000,
}


class ManifestError(IngestError):
    """The whole manifest is refused: none of its rows can be trusted."""


@dataclass(frozen=True, slots=True)
class ManifestRow:
    """One row: the file it is about, its checked values, or the reason it is bad."""

    row: int
    file: str
    values: dict[str, str] = field(default_factory=dict)
    reason: str = ""  # "manifest.csv row 3, field 'url': …" when the row is bad

    @property
    def bad(self) -> bool:
        return bool(self.reason)

    def as_dict(self) -> dict:
        """The values as kept on an ImportFile (`ImportFile.manifest`), with the row number."""
        return {"row": self.row, **self.values}


@dataclass(slots=True)
class Manifest:
    """A parsed manifest: its rows by file, and the rows that name no file."""

    name: str
    rows: dict[str, ManifestRow] = field(default_factory=dict)  # by normalised `file`
    problems: list[str] = field(default_factory=list)  # rows that cannot be tied to a file
    ignored: set[str] = field(default_factory=set)  # columns that are not metadata we read

    def notice(self) -> str:
        """What the manifest's reader should be told though nothing is refused, or ""."""
        if not self.ignored:
            return ""
        return (
            f"{self.name}: ignored column(s) {', '.join(sorted(self.ignored))} "
            f"(the columns read are {', '.join(FIELDS)})"
        )

    def lookup(self, path: str) -> ManifestRow | None:
        """The row for a file given by its path relative to the manifest, or by its name."""
        key = normalise_path(path)
        row = self.rows.get(key)
        if row is None:
            # A row that gives a bare file name is about the file of that name anywhere.
            row = self.rows.get(PurePosixPath(key).name)
            if row is not None and "/" in row.file:
                row = None
        return row


def _column_key(column: object) -> str:
    return "_".join(str(column).strip().lower().replace("-", " ").split())


def column_field(column: object) -> str:
    """The field a manifest column gives (its own name or an alias), or "" for another one."""
    key = _column_key(column)
    return key if key in FIELDS else COLUMN_ALIASES.get(key, "")


def is_manifest_name(name: str) -> bool:
    """Say whether a file name (no folder) is a manifest's: manifest.csv or manifest.jsonl."""
    return name.lower() in MANIFEST_NAMES


def normalise_path(path: str) -> str:
    """A `file` value as a key: forward slashes, no "./", no leading or doubled slash."""
    parts = [p for p in path.strip().replace("\\", "/").split("/") if p not in {"", "."}]
    return "/".join(parts)


def parse_manifest(data: bytes | str, *, name: str) -> Manifest:
    """Read a manifest (CSV, or JSON Lines when named .jsonl/.ndjson or it starts with "{").

    Raises `ManifestError` naming the manifest when it cannot be read at all.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ManifestError(f"{name}: manifest is not UTF-8 text ({exc.reason})") from exc
    else:
        text = data.removeprefix("\ufeff")
    lower = name.lower()
    if lower.endswith((".jsonl", ".ndjson")) or (
        not lower.endswith(".csv") and text.lstrip().startswith("{")
    ):
        records = _jsonl_records(text, name)
    else:
        records = _csv_records(text, name)
    manifest = Manifest(name=name)
    first_row: dict[str, int] = {}
    for number, record in records:
        if isinstance(record, str):  # a line that is not a JSON object
            manifest.problems.append(f"{name} row {number}: {record}")
            continue
        row = _check_row(record, number, name, manifest.ignored)
        if row is None:
            manifest.problems.append(f"{name} row {number}, field 'file': no file named")
            continue
        key = normalise_path(row.file)
        if key in first_row:
            earlier = manifest.rows[key]
            reason = (
                f"{name} row {number}, field 'file': {row.file!r} is listed twice "
                f"(rows {first_row[key]} and {number})"
            )
            manifest.rows[key] = ManifestRow(earlier.row, earlier.file, {}, reason)
            continue
        first_row[key] = number
        manifest.rows[key] = row
    return manifest


def _csv_records(text: str, name: str) -> list[tuple[int, dict]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise ManifestError(f"{name}: empty manifest (expected a header row)")
        columns = [c.strip() for c in header]
        if "file" not in {column_field(c) for c in columns}:
            raise ManifestError(
                f"{name}: manifest has no 'file' column (columns: {', '.join(FIELDS)})"
            )
        records = []
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue  # a blank line
            record: dict = {}
            for i, cell in enumerate(cells):
                column = columns[i] if i < len(columns) else f"column {i + 1}"
                if cell.strip() or column_field(column):
                    record[column] = cell
            records.append((number, record))
    except csv.Error as exc:
        raise ManifestError(f"{name}: not a readable CSV manifest ({exc})") from exc
    return records


def _jsonl_records(text: str, name: str) -> list[tuple[int, dict | str]]:
    records: list[tuple[int, dict | str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            records.append((number, f"not a JSON object ({exc.msg})"))
            continue
        if not isinstance(record, dict):
            records.append((number, "not a JSON object"))
            continue
        records.append((number, record))
    if not records:
        raise ManifestError(f"{name}: empty manifest (expected one JSON object a line)")
    return records


def _check_row(record: dict, number: int, name: str, ignored: set[str]) -> ManifestRow | None:
    """Check one record's fields; None when it names no file. Adds other columns to `ignored`."""
    by_field: dict[str, tuple[str, object]] = {}
    for column, raw in record.items():
        target = column_field(column)
        if not target:
            if raw is not None and not (isinstance(raw, str) and not raw.strip()):
                ignored.add(str(column).strip())
            continue
        if target not in by_field or _column_key(column) == target:  # its own name wins
            by_field[target] = (str(column).strip(), raw)
    file = by_field.get("file", ("", None))[1]
    if not isinstance(file, str) or not normalise_path(file):
        return None
    file = file.strip()

    def bad(column: str, problem: str) -> ManifestRow:
        return ManifestRow(number, file, {}, f"{name} row {number}, field {column!r}: {problem}")

    values: dict[str, str] = {}
    for target, (column, raw) in by_field.items():
        if target == "file" or raw is None:
            continue
        if not isinstance(raw, str):
            return bad(column, f"must be text, not {type(raw).__name__}")
        value = " ".join(raw.split())
        if not value:
            continue
        problem = value_problem(target, value)
        if problem:
            return bad(column, problem)
        values[target] = value
    return ManifestRow(number, file, values)


def value_problem(column: str, value: str) -> str:
    """What is wrong with one value of a field (url, publisher, published, language …), or "".

    The one check of these fields, whoever gives them: a manifest row, or a lead correcting
    an article (sources.services.article_update).
    """
    limit = _MAX_CHARS.get(column)
    if limit is not None and len(value) > limit:
        return f"too long ({len(value):,} characters; at most {limit:,})"
    if column in {"publisher", "origin"} and re.match(r"(?i)https?://", value):
        return f"{value!r} is a web address, not an outlet's name (the page's address is 'url')"
    if column == "url" and not is_page_url(value):
        return f"{value!r} is not a web address (expected http:// or https:// and a host)"
    if column == "published" and manifest_date(value) is None:
        return f"{value!r} is not a date (e.g. 2024-03-05 or 5 March 2024 10:20)"
    if column == "language" and not is_language_code(value):
        return f"{value!r} is not a language code (e.g. en, ko, pt-BR)"
    return ""


def manifest_date(value: str):
    """The date a `published` value gives, or None: the whole value must be the date.

    A weekday or a label around it may stay; other digits may not ("2024-03-05 99" is not a
    date, nor is "March 2024").
    """
    found = find_date(value)
    if found is None:
        return None
    when, start, end = found
    if any(c.isdigit() for c in value[:start] + value[end:]):
        return None
    return when


def apply_manifest(meta: PageMeta, row: Mapping) -> PageMeta:
    """Put a manifest row's values (`ManifestRow.as_dict()`) on a parsed page's metadata.

    Called after parsing, so the manifest wins over the page.
    """
    number = row.get("row")
    why = f"manifest row {number}" if number else "manifest"
    if row.get("url"):
        meta.url = row["url"]
    if row.get("publisher"):
        meta.publisher_name = row["publisher"]
        meta.publisher_evidence = Evidence(
            kind="manifest", field="publisher", text=row["publisher"], why=why
        ).as_dict()
    if row.get("origin"):
        meta.origin_name = row["origin"]
        meta.origin_evidence = Evidence(
            kind="manifest", field="origin", text=row["origin"], why=why
        ).as_dict()
    if row.get("published"):
        when = manifest_date(row["published"])
        if when is not None:
            meta.published, meta.published_raw = when, row["published"]
    if row.get("byline"):
        meta.byline = row["byline"]
    if row.get("title"):
        meta.title = row["title"]
    if row.get("language"):
        meta.language = row["language"].replace("_", "-")
    return meta
