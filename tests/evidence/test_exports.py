"""Exports carry each piece of evidence's archived copy: capture time, hash, excerpt status."""

from __future__ import annotations

import json

import pytest
from django.http import QueryDict

from claims.exports import Export, export_queryset, schema
from claims.triage import parse_filters
from evidence.models import Archive
from evidence.tasks import capture_evidence
from tests.claims.test_exports import RECORD_VALIDATOR
from tests.evidence.conftest import ARTICLE_HTML

pytestmark = pytest.mark.django_db


def records() -> list[dict]:
    queryset = export_queryset(parse_filters(QueryDict("status=all")), None)
    export = Export(queryset, "jsonl", sql=False)
    return [json.loads(line) for line in b"".join(export.stream()).decode().splitlines()]


def test_each_evidence_record_has_its_capture_time_hash_and_excerpt_status(
    allow_loopback, site, attach
):
    archived = attach(site.route("/ferry", ARTICLE_HTML), excerpt="eleven weeks of repairs")
    capture_evidence.call(archived.pk)
    attach("", excerpt="said on the radio")  # no URL: nothing archived
    capture = Archive.objects.select_related("capture").get(evidence=archived).capture

    (record,) = records()

    RECORD_VALIDATOR.validate(record)
    assert record["schema_version"] == schema.SCHEMA_VERSION == "2.2"
    first, second = record["corroborations"]
    assert first["captured_at"] == capture.retrieved_at.isoformat()
    assert first["capture_sha256"] == capture.sha256
    assert (first["excerpt_status"], first["link_state"]) == ("found", "unchecked")
    assert [second[k] for k in ("captured_at", "capture_sha256", "excerpt_status")] == [None] * 3
    assert second["link_state"] is None
