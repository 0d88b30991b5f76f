"""Fold `Article.republished_from` into `Article.origin`: one field says whose text a page is.

A page's republication statement ("originally published by X", a state-media disclaimer)
is an origin whose evidence kind is "republication" (`Article.republishes`). Data kept:

- no origin yet: the republished source becomes the origin, evidence kind "republication";
- the same publisher as the origin: nothing to move (the origin's own evidence stays);
- another publisher than the origin (a credit): the origin stays, and its evidence keeps
  the republished source as `republishes` ({"id", "name"}), so nothing is lost.

The column goes in 0011: on PostgreSQL a table whose rows were just updated cannot be
altered in the same transaction (its deferred foreign-key checks are still pending).
History rows keep what they said before, without the dropped column.
"""

from django.db import migrations

_BATCH = 2000


def fold(apps, schema_editor):
    Article = apps.get_model("sources", "Article")
    Publisher = apps.get_model("sources", "Publisher")
    rows = Article.objects.filter(republished_from__isnull=False).only(
        "pk", "origin", "origin_evidence", "republished_from"
    )
    names = dict(
        Publisher.objects.filter(pk__in=rows.values("republished_from")).values_list("pk", "name")
    )
    changed = []
    for article in rows.iterator(chunk_size=_BATCH):
        source_id = article.republished_from_id
        name = names.get(source_id, "")
        if article.origin_id is None:
            article.origin_id = source_id
            article.origin_evidence = {
                "kind": "republication",
                "text": name,
                "why": f"the page says it republishes {name}",
            }
        elif article.origin_id != source_id:
            article.origin_evidence = {
                **(article.origin_evidence or {}),
                "republishes": {"id": source_id, "name": name},
            }
        else:
            continue
        changed.append(article)
        if len(changed) >= _BATCH:
            Article.objects.bulk_update(changed, ["origin", "origin_evidence"])
            changed.clear()
    Article.objects.bulk_update(changed, ["origin", "origin_evidence"])


def unfold(apps, schema_editor):
    Article = apps.get_model("sources", "Article")
    changed = []
    rows = Article.objects.exclude(origin_evidence={}).only("pk", "origin", "origin_evidence")
    for article in rows.iterator(chunk_size=_BATCH):
        evidence = article.origin_evidence or {}
        if evidence.get("kind") == "republication" and article.origin_id is not None:
            article.republished_from_id = article.origin_id
        elif isinstance(evidence.get("republishes"), dict):
            article.republished_from_id = evidence["republishes"].get("id")
        else:
            continue
        changed.append(article)
    Article.objects.bulk_update(changed, ["republished_from"], batch_size=_BATCH)


class Migration(migrations.Migration):
    dependencies = [("sources", "0009_import_batch_task_ids")]

    operations = [
        migrations.RunPython(fold, unfold),
    ]
