"""Credibility becomes empty until a reviewer rates it; the verdict's reason is kept on the claim.

Until now every claim started at credibility 6 ("truth cannot be judged"), so a 6 nobody set
could not be told from a reviewer's 6. A claim keeps its 6 when its history shows a reviewer
set it (a change to 6 from another value, or the service's own "credibility → 6" record);
every other 6, and the same claims' historical rows, become "not rated yet" (NULL).
`verdict_reason` is filled from the history row that set the current verdict (its change
reason, unless that is the generated "status → …").
"""

from django.db import migrations, models

VERDICTS = ("verified", "refuted", "disputed", "unverifiable", "not_a_claim")
CANNOT_BE_JUDGED = 6


def _rated_six(HistoricalClaim) -> set[int]:
    """Ids of claims at 6 whose history shows a reviewer set 6."""
    touched = (
        HistoricalClaim.objects.filter(history_type="~")
        .filter(
            models.Q(history_change_reason=f"credibility → {CANNOT_BE_JUDGED}")
            | ~models.Q(credibility=CANNOT_BE_JUDGED)
        )
        .values_list("id", flat=True)
        .distinct()
    )
    rated = set()
    for claim_id in set(touched):
        previous = None
        rows = HistoricalClaim.objects.filter(id=claim_id).order_by("history_date", "history_id")
        for row in rows.values("credibility", "history_change_reason", "history_type"):
            explicit = row["history_change_reason"] == f"credibility → {CANNOT_BE_JUDGED}"
            changed = previous is not None and previous != CANNOT_BE_JUDGED
            if row["credibility"] == CANNOT_BE_JUDGED and (explicit or changed):
                rated.add(claim_id)
            elif row["credibility"] != CANNOT_BE_JUDGED:
                rated.discard(claim_id)
            previous = row["credibility"]
    return rated


def forwards(apps, schema_editor):
    Claim = apps.get_model("claims", "Claim")
    HistoricalClaim = apps.get_model("claims", "HistoricalClaim")
    rated = _rated_six(HistoricalClaim)
    for model in (Claim, HistoricalClaim):
        model.objects.filter(credibility=CANNOT_BE_JUDGED).exclude(id__in=rated).update(
            credibility=None
        )
    for claim in Claim.objects.filter(status__in=VERDICTS).only("id", "status").iterator():
        reason, previous = "", None
        rows = HistoricalClaim.objects.filter(id=claim.id).order_by("history_date", "history_id")
        for row in rows.values("status", "history_change_reason"):
            if row["status"] == claim.status and previous != claim.status:
                reason = row["history_change_reason"] or ""
            previous = row["status"]
        if reason and reason != f"status → {claim.status}":
            Claim.objects.filter(id=claim.id).update(verdict_reason=reason)


def backwards(apps, schema_editor):
    for name in ("Claim", "HistoricalClaim"):
        apps.get_model("claims", name).objects.filter(credibility=None).update(
            credibility=CANNOT_BE_JUDGED
        )


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0012_merge_boundaries_and_versions'),
    ]

    operations = [
        migrations.AddField(
            model_name='claim',
            name='verdict_reason',
            field=models.TextField(blank=True, default='', db_default='', help_text='Why the reviewer set the current verdict; empty when none was given, or the claim has no verdict.'),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='verdict_reason',
            field=models.TextField(blank=True, default='', db_default='', help_text='Why the reviewer set the current verdict; empty when none was given, or the claim has no verdict.'),
        ),
        migrations.AlterField(
            model_name='claim',
            name='credibility',
            field=models.PositiveSmallIntegerField(blank=True, choices=[(1, '1 — Confirmed by other independent sources'), (2, '2 — Probably true'), (3, '3 — Possibly true'), (4, '4 — Doubtful'), (5, '5 — Improbable'), (6, '6 — Truth cannot be judged')], default=None, help_text='Admiralty information credibility, 1–6; empty until a reviewer rates it (not rated yet is not 6, truth cannot be judged).', null=True),
        ),
        migrations.AlterField(
            model_name='historicalclaim',
            name='credibility',
            field=models.PositiveSmallIntegerField(blank=True, choices=[(1, '1 — Confirmed by other independent sources'), (2, '2 — Probably true'), (3, '3 — Possibly true'), (4, '4 — Doubtful'), (5, '5 — Improbable'), (6, '6 — Truth cannot be judged')], default=None, help_text='Admiralty information credibility, 1–6; empty until a reviewer rates it (not rated yet is not 6, truth cannot be judged).', null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
