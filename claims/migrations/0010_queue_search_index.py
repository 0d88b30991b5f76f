"""The open queue in score order with each claim's search vector (PostgreSQL only).

A search that keeps the queue's order walks this index and tests the included vector of
each entry without reading the table (an index-only scan), so a page of a word found in a
few percent of a million claims costs milliseconds rather than a heap read per entry.
"""

from django.db import migrations

from workbench.db import postgres_sql

CREATE = (
    "CREATE INDEX IF NOT EXISTS claim_queue_search ON claims_claim (score DESC, id DESC) "
    "INCLUDE (search_vector) "
    "WHERE status IN ('unreviewed', 'in_review') AND kind <> 'chrome'"
)
DROP = "DROP INDEX IF EXISTS claim_queue_search"


class Migration(migrations.Migration):
    dependencies = [("claims", "0009_trigram")]

    operations = [postgres_sql(CREATE, DROP)]
