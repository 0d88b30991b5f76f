"""Who changed a tracked object and why: what simple-history records with its next save.

Every service sets both before saving a tracked model (`record_change`), so each history
row says who made the change and why.
"""

from __future__ import annotations

from django.db import models

# simple-history stores the change reason in a varchar(100).
REASON_MAX_LENGTH = 100


def fit_reason(text: str) -> str:
    """Fit a change reason into the history column (whitespace collapsed, an ellipsis if cut)."""
    text = " ".join(text.split())
    if len(text) <= REASON_MAX_LENGTH:
        return text
    return text[: REASON_MAX_LENGTH - 1] + "…"


def record_change(obj: models.Model, *, by, reason: str) -> None:
    """Set the history user and change reason that the next save of `obj` records."""
    obj._history_user = by
    obj._change_reason = fit_reason(reason)
