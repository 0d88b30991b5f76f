"""docs/export-schema.json is generated from the record's one definition (claims/exports/schema.py).

`manage.py export_schema` writes it; `--check` fails when the committed file is not what the
definition generates, so a field added to `RECORD` without regenerating fails the suite. The
records themselves are validated against the file in test_exports.py.
"""

import json
import re

import pytest
from django.core.management import CommandError, call_command
from jsonschema import Draft202012Validator

from claims.exports import schema
from claims.management.commands.export_schema import SCHEMA_FILE


def test_the_committed_schema_is_what_the_record_generates():
    call_command("export_schema", "--check")  # else: run `manage.py export_schema`
    assert json.loads(SCHEMA_FILE.read_text()) == schema.record_schema()


def test_a_field_added_without_regenerating_fails_the_check(monkeypatch, tmp_path):
    path = tmp_path / "export-schema.json"
    call_command("export_schema", "-o", str(path))
    call_command("export_schema", "--check", "-o", str(path))
    record = list(schema.RECORD)
    record.insert(3, schema.Field("version", schema.INT, "version", csv="claim_version"))
    monkeypatch.setattr(schema, "RECORD", tuple(record))
    with pytest.raises(CommandError, match=re.escape("run `manage.py export_schema`")):
        call_command("export_schema", "--check", "-o", str(path))
    call_command("export_schema", "-o", str(path))
    call_command("export_schema", "--check", "-o", str(path))
    added = json.loads(path.read_text())["properties"]["version"]
    # Type from the kind; minimum and description from the model field.
    assert added == {
        "type": "integer",
        "minimum": 0,
        "description": "Bumped on every edit (optimistic locking).",
    }


def test_a_missing_file_fails_the_check(tmp_path):
    with pytest.raises(CommandError):
        call_command("export_schema", "--check", "-o", str(tmp_path / "none.json"))


def test_the_schema_takes_types_nullability_and_labels_from_the_field_table_and_models():
    generated = schema.record_schema()
    Draft202012Validator.check_schema(generated)
    assert generated["$id"] == f"urn:claim-workbench:export-schema:{schema.SCHEMA_VERSION}"
    properties = generated["properties"]
    assert properties["schema_version"] == {"const": schema.SCHEMA_VERSION}
    # Plain members are in every record; full ones only in full records.
    assert generated["required"] == [m.name for m in schema.record_fields("plain")]
    assert "context" not in generated["required"]
    assert "context" in generated["allOf"][0]["then"]["required"]
    assert "notes" not in generated["allOf"][0]["then"]["required"]  # may be left out
    # Labels are the values a labelled field takes.
    assert properties["status_label"]["enum"] == list(schema.STATUS_LABELS.values())
    assert properties["credibility_label"]["enum"][-1] == "Not rated yet"  # no credibility
    assert properties["credibility"]["type"] == ["integer", "null"]  # null: not rated yet
    # Null when the model can leave it empty: a blank text, a nullable column or relation.
    assert properties["speaker"]["type"] == ["string", "null"]
    assert properties["text"]["type"] == "string"
    assert properties["reviewed_by"]["type"] == ["string", "null"]
    assert properties["reviewed_by"]["description"] == "Who set the current verdict."
    rating = properties["ratings"]["properties"]["reviewers"]["items"]["properties"]
    assert rating["reviewer"] == {"type": "string"}  # a rating always has its reviewer
    assert rating["confidence"]["enum"] == ["low", "moderate", "high"]
    note = properties["notes"]["items"]["properties"]
    assert note["author"] == {"type": ["string", "null"]}  # a note's author may be deleted
    article = properties["article"]
    assert "publisher_id" in article["properties"] and "publisher_id" not in article["required"]
    assert article["properties"]["published"] == {
        "type": ["string", "null"],
        "format": "date-time",
    }
    assert properties["id"]["minimum"] == 1 and properties["start"]["minimum"] == 0
