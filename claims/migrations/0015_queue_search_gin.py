"""The open queue's search vectors in a GIN index of their own (PostgreSQL only).

A search ranked by best match reads every open claim that matches. With the GIN index of
all claims alone, PostgreSQL finds the matches there and ANDs them with a bitmap of the whole
open queue (half a million entries at a million claims) to apply the queue's condition — two
thirds of the query's time. This index holds only the claims the queue lists (the condition
of `claim_queue_idx`), so the matches come from one small bitmap.
"""

from django.db import migrations

from workbench.db import postgres_sql

CREATE = (
    "CREATE INDEX IF NOT EXISTS claim_queue_fts ON claims_claim USING gin (search_vector) "
    "WHERE status IN ('unreviewed', 'in_review') AND NOT (kind = 'chrome') AND NOT retired"
)
DROP = "DROP INDEX IF EXISTS claim_queue_fts"


class Migration(migrations.Migration):
    dependencies = [("claims", "0014_report_job")]

    operations = [postgres_sql(CREATE, DROP)]
