"""pg_trgm for ranking candidate evidence by trigram similarity (PostgreSQL only).

Candidate evidence (claims/candidates.py) ranks at most a couple of hundred prefiltered claims
with `similarity()`, so no trigram index is needed: a whole-table trigram scan is what the
full-text prefilter avoids. SQLite ranks in Python (workbench/search.py).
"""

from django.db import migrations

from workbench.db import postgres_sql


class Migration(migrations.Migration):
    dependencies = [("claims", "0008_export_record")]

    # The extension may serve others: leave it in place when unapplying.
    operations = [postgres_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")]
