"""Claim boundaries fixed by reviewers: split parts, retired claims, and the fixes' records.

A retired claim keeps its span, so the span is unique among current claims only, and the
queue's partial indexes leave retired claims out: the score index of the model and the
PostgreSQL-only index that carries the search vector (0010), recreated with the condition so
a search of the queue stays an index-only scan.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


QUEUE_SEARCH = (
    "CREATE INDEX IF NOT EXISTS claim_queue_search ON claims_claim (score DESC, id DESC) "
    "INCLUDE (search_vector) "
    "WHERE status IN ('unreviewed', 'in_review') AND kind <> 'chrome'{}"
)
DROP_QUEUE_SEARCH = "DROP INDEX IF EXISTS claim_queue_search"


def queue_search_index(condition: str):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(DROP_QUEUE_SEARCH)
            schema_editor.execute(QUEUE_SEARCH.format(condition))

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0010_queue_search_index"),
        ("sources", "0008_import_batch_notices"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="BoundaryChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("split", "Split"),
                            ("merge", "Merge"),
                            ("span", "Span adjusted"),
                            ("create", "Created from a selection"),
                        ],
                        max_length=8,
                    ),
                ),
                (
                    "moved",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="Merge: ids of what moved to the kept claim, by kind, and the history ids of ratings dropped because the reviewer had rated both claims.",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["-id"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="claim",
            name="claim_span_unique",
        ),
        migrations.RemoveIndex(
            model_name="claim",
            name="claim_queue_idx",
        ),
        migrations.AddField(
            model_name="claim",
            name="derived_from",
            field=models.ForeignKey(
                blank=True,
                help_text="The claim this one was split from.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="derived_claims",
                to="claims.claim",
            ),
        ),
        migrations.AddField(
            model_name="claim",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                help_text="The claim this one was merged into.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="merged_claims",
                to="claims.claim",
            ),
        ),
        migrations.AddField(
            model_name="claim",
            name="retired",
            field=models.BooleanField(
                db_default=False,
                default=False,
                help_text="Out of use (merged into another claim, or its creation undone); kept with its history, out of the queue, exports and search.",
            ),
        ),
        migrations.AddField(
            model_name="historicalclaim",
            name="derived_from",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The claim this one was split from.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="claims.claim",
            ),
        ),
        migrations.AddField(
            model_name="historicalclaim",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The claim this one was merged into.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="claims.claim",
            ),
        ),
        migrations.AddField(
            model_name="historicalclaim",
            name="retired",
            field=models.BooleanField(
                db_default=False,
                default=False,
                help_text="Out of use (merged into another claim, or its creation undone); kept with its history, out of the queue, exports and search.",
            ),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ["unreviewed", "in_review"]),
                    models.Q(("kind", "chrome"), _negated=True),
                    ("retired", False),
                ),
                fields=["-score", "-id"],
                name="claim_queue_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.UniqueConstraint(
                condition=models.Q(("retired", False)),
                fields=("article", "start", "end"),
                name="claim_span_unique",
            ),
        ),
        migrations.AddField(
            model_name="boundarychange",
            name="other_record",
            field=models.OneToOneField(
                blank=True,
                help_text="Split: the creation of the second part; merge: the retired claim's record.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="boundary_change_other",
                to="claims.historicalclaim",
            ),
        ),
        migrations.AddField(
            model_name="boundarychange",
            name="record",
            field=models.OneToOneField(
                help_text="The record of the claim fixed: split, kept by a merge, adjusted or created.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="boundary_change",
                to="claims.historicalclaim",
            ),
        ),
        migrations.RunPython(queue_search_index(" AND NOT retired"), queue_search_index("")),
    ]
