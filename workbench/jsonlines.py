"""Write records as JSON Lines or one JSON array, streaming (no list of all records in memory)."""

import json
from collections.abc import Iterable
from typing import TextIO

FORMATS = ("jsonl", "json")


def write_records(records: Iterable[dict], out: TextIO, fmt: str) -> int:
    """Write every record to `out` in `fmt`; return how many were written."""
    count = 0
    if fmt == "jsonl":
        for record in records:
            # One write per line: Django's OutputWrapper appends a newline to any write lacking one.
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        return count
    out.write("[\n")
    for record in records:
        out.write(("," if count else "") + json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    out.write("]\n")
    return count
