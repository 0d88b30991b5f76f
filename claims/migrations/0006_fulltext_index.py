"""Full-text index on claim text (PostgreSQL only; SQLite searches without it)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = GinIndex(SearchVector("text", config="english"), name="claim_text_fts")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("claims", "Claim"), INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("claims", "Claim"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("claims", "0005_queue_index")]

    operations = [migrations.RunPython(create, drop)]
