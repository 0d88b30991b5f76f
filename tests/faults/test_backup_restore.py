"""Backup and restore: everything comes back — claims, spans, evidence and every history row.

PostgreSQL: `pg_dump -Fc` of the database, `pg_restore` into a new empty one (the commands the
README documents). SQLite: the online backup API (what `sqlite3 db ".backup file"` does).
"""

import sqlite3
import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from claims import services
from claims.models import Claim, ClaimStatus, Stance
from imports.in_process import articles_import
from tests.conftest import SAMPLES_DIR
from tests.factories import UserFactory

TABLES = [
    "sources_publisher",
    "sources_article",
    "claims_claim",
    "claims_corroboration",
    "claims_rating",
    "claims_note",
    "claims_historicalclaim",
    "claims_historicalcorroboration",
    "claims_historicalrating",
    "claims_historicalnote",
    "sources_historicalarticle",
    "sources_historicalpublisher",
]
SPAN_CHECK = """
    SELECT count(*) FROM claims_claim c JOIN sources_article a ON a.id = c.article_id
    WHERE substr(a.text, c.start + 1, c."end" - c.start) <> c.text
"""


def _populate() -> None:
    files = [(p.name, p.read_bytes()) for p in sorted(SAMPLES_DIR.glob("*.txt"))]
    articles_import(files, by=None)
    user = UserFactory()
    claim = Claim.objects.triageable().order_by("-score").first()
    services.corroboration_create(
        claim=claim,
        by=user,
        stance=Stance.SUPPORTS,
        url="https://example.org/a",
        outlet="Example Wire",
        excerpt="Same figures.",
    )
    services.rating_set(claim=claim, by=user, confidence="moderate", rationale="Two sources.")
    services.note_create(claim=claim, by=user, text="Check the filing.")
    services.claim_set_status(
        claim=claim, status=ClaimStatus.IN_REVIEW, reason="", by=user, version=None
    )


def _counts(cursor) -> dict[str, int]:
    counts = {}
    for table in TABLES:
        cursor.execute(f"SELECT count(*) FROM {table}")
        counts[table] = cursor.fetchone()[0]
    cursor.execute(SPAN_CHECK)
    counts["spans that do not round-trip"] = cursor.fetchone()[0]
    return counts


@pytest.mark.django_db(transaction=True)
def test_backup_restores_every_claim_span_corroboration_and_history_row(tmp_path):
    _populate()
    with connection.cursor() as cursor:
        before = _counts(cursor)
    assert before["claims_claim"] > 80 and before["claims_historicalclaim"] > 80
    assert before["spans that do not round-trip"] == 0

    if connection.vendor == "postgresql":
        after = _pg_dump_and_restore(tmp_path)
    else:
        target = tmp_path / "backup.sqlite3"
        with sqlite3.connect(target) as dest:
            connection.ensure_connection()
            connection.connection.backup(dest)
        with sqlite3.connect(target) as restored:
            after = _counts(restored.cursor())
    assert after == before


def _pg_dump_and_restore(tmp_path) -> dict[str, int]:
    params = connection.get_connection_params()
    name = connection.settings_dict["NAME"]
    host = params.get("host", "127.0.0.1")
    port = str(params.get("port", 5432))
    user = params.get("user", "postgres")
    dump = tmp_path / "workbench.dump"
    base = ["-h", host, "-p", port, "-U", user]
    subprocess.run(["pg_dump", *base, "-Fc", "-f", str(dump), name], check=True, timeout=300)
    restored = f"restore_{uuid.uuid4().hex[:10]}"
    admin = f"host={host} port={port} user={user} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(
            ["pg_restore", *base, "--no-owner", "-d", restored, str(dump)],
            check=True,
            timeout=300,
        )
        with psycopg.connect(f"host={host} port={port} user={user} dbname={restored}") as conn:
            return _counts(conn.cursor())
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
