"""pg_trgm for ranking candidate evidence by trigram similarity (PostgreSQL only).

Candidate evidence (claims/candidates.py) ranks at most a couple of hundred prefiltered claims
with `similarity()`, so no trigram index is needed: a whole-table trigram scan is what the
full-text prefilter avoids. SQLite ranks in Python (workbench/search.py).
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [("claims", "0008_export_record")]

    # The extension may serve others: leave it in place when unapplying.
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
