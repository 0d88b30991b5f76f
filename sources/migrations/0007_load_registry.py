"""Load the shipped registry files: curated wire agencies and outlets, and the State Media
Monitor matrix (sources/data/). Same loader as `manage.py load_publishers`, so it merges into
0005's rows by name or alias and never overwrites a lead's locked fields.

The loader reads the files as they are at migration time: later edits to the files are
loaded with the command, not by re-running this migration.
"""

from django.db import migrations

from sources.registry_load import SHIPPED, registry_load


def load(apps, schema_editor):
    registry_load(
        SHIPPED,
        publisher_model=apps.get_model("sources", "Publisher"),
        history_model=apps.get_model("sources", "HistoricalPublisher"),
    )


class Migration(migrations.Migration):
    dependencies = [("sources", "0006_provenance_registry_manifest")]

    # Data only: unapplying leaves the rows to the leads who may have graded them.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
