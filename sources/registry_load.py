"""Load publisher registry files (CSV, JSON, JSON Lines) into `Publisher` rows.

One function, `registry_load`, used by `manage.py load_publishers` and by migration 0007.
Rules: rows merge into an existing publisher with the same name or alias (so 0005's rows
are completed, not duplicated); aliases and domains are merged; any other field is filled
only where it is empty (ownership: "unknown"; kind: the default "outlet") and never when the
publisher lists it in `locked_fields`. Every created or changed publisher gets exactly one
history row whose reason names the file. Any bad row raises `RegistryLoadError` naming the
file, row and field, before anything is written; the caller's transaction keeps it all or
nothing.

The State Media Monitor matrix (sources/data/state_media/State_Media_Matrix.csv) is read by
`state_media_rows`, which turns its columns into registry rows and fixes its known errors
(see sources/data/state_media/README.md).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from sources.ingest.domains import is_host, listed_host
from sources.models import Ownership, Publisher, PublisherKind, Typology
from sources.registry import name_key

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED = [DATA_DIR / "publishers.csv", DATA_DIR / "state_media" / "State_Media_Matrix.csv"]
COLUMNS = [
    "name", "kind", "aliases", "domains", "country", "ownership", "parent", "typology",
    "facts_source", "description",
]  # fmt: skip
SCALARS = ["kind", "country", "ownership", "typology", "facts_source", "description"]

# State Media Monitor typology → registry ownership. The Monitor judges control, the
# registry records ownership: state-controlled and captured public media are run by the
# state (state_owned); captured private media are privately owned but serve the state
# (state_affiliated); the independent state-funded/-managed and independent public media are
# publicly funded with editorial independence (public_broadcaster).
TYPOLOGY_OWNERSHIP = {
    "SC": Ownership.STATE_OWNED,
    "CaPu": Ownership.STATE_OWNED,
    "CaPr": Ownership.STATE_AFFILIATED,
    "ISFM": Ownership.PUBLIC_BROADCASTER,
    "ISF": Ownership.PUBLIC_BROADCASTER,
    "ISM": Ownership.PUBLIC_BROADCASTER,
    "IP": Ownership.PUBLIC_BROADCASTER,
}
STATE_MEDIA_SOURCE = (
    "State Media Monitor (Media and Journalism Research Center) via ASD State Media Profiles, "
    "https://github.com/ASD-at-GMF/state-media-profiles"
)
# Known errors of the matrix (CSV of 2023-08-24), fixed on reading: outlet → wrong alias.
WRONG_ALIASES = {"China Daily": {"Zhōngguó Qīngnián Bào"}}  # China Youth Daily's pinyin
# Words in parentheses that say which edition a row is, not another name of the outlet.
EDITION_WORDS = re.compile(
    r"^(english|chinese|french|spanish|japanese|russian|arabic|korean|german|portuguese|"
    r"italian|turkish|persian|hindi|urdu|tv|radio|online|print|web|website|app|.*edition)$",
    re.I,
)


class RegistryLoadError(ValueError):
    """A registry file that cannot be loaded; the message names the file, row and field."""


@dataclass
class Row:
    source: str
    line: int
    name: str
    values: dict
    # The matrix lists different outlets of different countries under one name ("MBC").
    by_country: bool = False

    def where(self, field: str) -> str:
        return f"{self.source}: row {self.line}: field {field!r}"


def _split(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value).split("|") if v.strip()]


def read_rows(path: Path) -> list[Row]:
    """Read one registry file into rows (CSV, JSON list, or JSON Lines)."""
    path = Path(path)
    source = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryLoadError(f"{source}: cannot read: {exc}") from exc
    if path.suffix.lower() in {".json", ".jsonl"}:
        records = []
        try:
            if path.suffix.lower() == ".jsonl":
                for n, line in enumerate(text.splitlines(), 1):
                    if line.strip():
                        records.append((n, json.loads(line)))
            else:
                records = list(enumerate(json.loads(text), 1))
        except (json.JSONDecodeError, TypeError) as exc:
            raise RegistryLoadError(f"{source}: not valid JSON: {exc}") from exc
        for n, rec in records:
            if not isinstance(rec, dict):
                raise RegistryLoadError(f"{source}: row {n}: not an object")
    else:
        reader = csv.DictReader(text.splitlines())
        fields = reader.fieldnames or []
        if "Main assets" in fields:
            return state_media_rows(source, reader)
        if "name" not in fields:
            raise RegistryLoadError(f"{source}: row 1: field 'name': missing column")
        records = [(n, rec) for n, rec in enumerate(reader, 2)]
    rows = []
    for n, rec in records:
        unknown = set(rec) - set(COLUMNS) - {"new_kind"}
        if unknown:
            raise RegistryLoadError(f"{source}: row {n}: field {sorted(unknown)[0]!r}: unknown")
        rows.append(Row(source, n, str(rec.get("name") or "").strip(), rec))
    return rows


def state_media_rows(source: str, reader) -> list[Row]:
    """Turn the State Media Monitor matrix into registry rows: outlets and their companies."""
    rows = []
    for n, rec in enumerate(reader, 2):
        outlet = (rec.get("Main assets") or "").strip()
        outlet = re.sub(r"^[A-Za-z ]{2,20}:\s*", "", outlet)  # "News agency: Xinhua"
        match = re.match(r"^(.*?)\s*\(([^()]*)\)\s*(.*)$", outlet)
        aliases = []
        if match:
            name = f"{match.group(1)} {match.group(3)}".strip()
            inner = match.group(2).strip()
            if inner and not EDITION_WORDS.match(inner):
                aliases.append(inner)
        else:
            name = outlet
        name = " ".join(name.split())
        if not name:
            continue
        aliases = [a for a in aliases if a not in WRONG_ALIASES.get(name, set())]
        url = (rec.get("URL") or "").strip()
        domains = [listed_host(url)] if url and listed_host(url) else []  # schemeless URLs too
        code = (rec.get("Typology") or "").strip().rstrip("?")  # "ISFM?" → ISFM
        company = " ".join((rec.get("Media company") or "").split())
        country = (rec.get("Country") or "").strip()
        values = {
            "kind": "agency" if re.search(r"news agency|\bagency\b", outlet, re.I) else "outlet",
            "aliases": aliases,
            "domains": domains,
            "country": country,
            "typology": code,
            "ownership": TYPOLOGY_OWNERSHIP.get(code, Ownership.UNKNOWN),
            "parent": company if name_key(company) != name_key(name) else "",
            "facts_source": STATE_MEDIA_SOURCE,
        }
        if company and name_key(company) != name_key(name):
            rows.append(
                Row(source, n, company, {"new_kind": "company", "country": country,
                                         "ownership": values["ownership"],
                                         "facts_source": STATE_MEDIA_SOURCE})
            )  # fmt: skip
        rows.append(Row(source, n, name, values, by_country=True))
    return rows


def _validate(row: Row) -> dict:
    v = row.values
    if not row.name:
        raise RegistryLoadError(f"{row.where('name')}: empty")
    if len(row.name) > 200:
        raise RegistryLoadError(f"{row.where('name')}: longer than 200 characters")
    # new_kind: the kind a row gives only to a publisher it creates (a matrix's media company
    # may be an outlet already known, e.g. People's Daily).
    out = {"aliases": _split(v.get("aliases")), "domains": [], "new_kind": v.get("new_kind", "")}
    for d in _split(v.get("domains")):
        if not is_host(listed_host(d), allow_ip=True):
            raise RegistryLoadError(f"{row.where('domains')}: {d!r} is not a web domain")
        out["domains"].append(listed_host(d))
    for field, choices in (
        ("kind", PublisherKind.values), ("ownership", Ownership.values),
        ("typology", Typology.values),
    ):  # fmt: skip
        value = str(v.get(field) or "").strip()
        if value and value not in choices:
            raise RegistryLoadError(
                f"{row.where(field)}: {value!r} is not one of {', '.join(choices)}"
            )
        out[field] = value
    for field in ("country", "facts_source", "description", "parent"):
        out[field] = " ".join(str(v.get(field) or "").split())
    return out


def _merge(existing: list, new: list) -> list:
    seen = {str(x).casefold() for x in existing}
    merged = list(existing)
    for x in new:
        if x.casefold() not in seen:
            seen.add(x.casefold())
            merged.append(x)
    return merged


def _snapshot(p) -> tuple:
    return (p.name, p.kind, tuple(p.aliases or []), tuple(p.domains or []), p.country,
            p.ownership, p.parent_id, p.typology, p.facts_source, p.description)  # fmt: skip


def registry_load(paths, *, by=None, publisher_model=None, history_model=None) -> dict:
    """Create or complete publishers from registry files; return counts created/changed.

    `publisher_model`/`history_model` let a migration pass its historical models; the
    default is the live `Publisher` and its history table. Run inside a transaction.
    """
    publisher_model = publisher_model or Publisher
    history_model = history_model or publisher_model.history.model
    rows = []
    for path in paths:
        for row in read_rows(Path(path)):
            rows.append((row, _validate(row)))
    reason_of: dict[int, str] = {}
    index: dict[str, object] = {}
    publishers = list(publisher_model.objects.all())
    before = {p.pk: _snapshot(p) for p in publishers}
    for p in publishers:
        for n in [p.name, *(p.aliases or [])]:
            if isinstance(n, str) and name_key(n):
                index.setdefault(name_key(n), p)
    names_in_use = {p.name for p in publishers}
    domain_of = {d: p for p in publishers for d in (p.domains or []) if isinstance(d, str)}
    touched: dict[int, object] = {}
    created: set[int] = set()
    pending_parents = []
    for row, values in rows:
        key = name_key(row.name)
        p = index.get(key)
        if (
            p is not None
            and row.by_country
            and values["country"]
            and p.country
            and p.country != values["country"]
        ):
            # Same name, another country (the matrix's "MBC", "Daily News"): another outlet.
            row.name = f"{row.name} ({values['country']})"[:200]
            key = name_key(row.name)
            p = index.get(key)
        if p is None:
            if row.name in names_in_use:  # same name, different key (cannot happen) — guard
                raise RegistryLoadError(f"{row.where('name')}: {row.name!r} already exists")
            p = publisher_model(name=row.name, reviewed=True)
            p.skip_history_when_saving = True  # one history row, written below
            p.kind = values["kind"] or values["new_kind"] or PublisherKind.OUTLET
            p.save()
            created.add(p.pk)
            names_in_use.add(p.name)
            index[key] = p
        locked = set(p.locked_fields or [])
        for field in ("aliases", "domains"):
            if field not in locked and values[field]:
                merged = _merge(list(getattr(p, field) or []), values[field])
                # An alias or domain another publisher already answers to would be
                # ambiguous: the first publisher to claim it keeps it (the matrix gives
                # "CNC World" Xinhua's www.news.cn).
                if field == "aliases":
                    merged = [a for a in merged if index.get(name_key(a), p) is p]
                else:
                    merged = [d for d in merged if domain_of.get(d, p) is p]
                    for d in merged:
                        domain_of.setdefault(d, p)
                setattr(p, field, merged)
        if "aliases" not in locked:
            for a in p.aliases or []:
                index.setdefault(name_key(a), p)
        for field in SCALARS:
            value = values[field]
            if not value or field in locked:
                continue
            current = getattr(p, field)
            empty = (
                not current
                or (field == "ownership" and current == Ownership.UNKNOWN)
                or (field == "kind" and current == PublisherKind.OUTLET and p.pk not in created)
            )
            if empty:
                setattr(p, field, value)
        if values["parent"] and "parent" not in locked:
            pending_parents.append((p, values["parent"], row))
        touched[p.pk] = p
        reason_of.setdefault(p.pk, row.source)
    for p, parent_name, row in pending_parents:
        if p.parent_id is not None:
            continue
        parent = index.get(name_key(parent_name))
        if parent is None:
            parent = publisher_model(name=parent_name[:200], kind=PublisherKind.COMPANY)
            parent.skip_history_when_saving = True
            parent.save()
            created.add(parent.pk)
            index[name_key(parent_name)] = parent
            touched[parent.pk] = parent
            reason_of[parent.pk] = row.source
        if parent.pk != p.pk and not _is_ancestor(p, parent, touched, publisher_model):
            p.parent = parent
    now = timezone.now()
    history = []
    changed = 0
    for pk, p in touched.items():
        if pk not in created and _snapshot(p) == before.get(pk):
            continue
        p.skip_history_when_saving = True
        p.save()
        if pk not in created:
            changed += 1
        row = {f.attname: getattr(p, f.attname) for f in publisher_model._meta.concrete_fields}
        history.append(
            history_model(
                **row,
                history_date=now,
                history_type="+" if pk in created else "~",
                history_change_reason=f"Registry file {reason_of[pk]}",
                history_user_id=getattr(by, "pk", None),
            )
        )
    history_model.objects.bulk_create(history, batch_size=500)
    return {"created": len(created), "changed": changed, "rows": len(rows)}


def _is_ancestor(p, candidate, touched, model) -> bool:
    """Say whether p is already above candidate (setting the parent would make a cycle)."""
    seen = set()
    node = candidate
    while node is not None and node.pk not in seen:
        if node.pk == p.pk:
            return True
        seen.add(node.pk)
        pid = node.parent_id
        node = touched.get(pid) or (model.objects.filter(pk=pid).first() if pid else None)
    return False
