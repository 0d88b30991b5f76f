"""What happened in the workbench, announced to whoever listens (the webhooks app does).

One Django signal, `event`, sent by the services as `announce(sender=..., type=..., data=...)`
inside their transaction. A listener that acts outside the database (webhooks deliver over
HTTP) must wait for the commit itself (`transaction.on_commit`): a change rolled back was
never made and is never announced. The apps that send events do not import their listeners,
and this module knows none of their tables: the sender builds `data`, small and JSON-ready.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

# The event types, as receivers see them (`type`), with what each means.
EVENT_TYPES = {
    "claim.status_changed": "A claim's workflow status was changed (one event per claim).",
    "corroboration.added": "A piece of evidence was attached to a claim.",
    "rating.saved": "A reviewer's confidence rating of a claim was saved.",
    "note.added": "A note was added to a claim.",
    "import.finished": "An import batch finished: none of its files is pending.",
    "export.created": "An export or report was delivered and recorded.",
    "evidence.link_changed": "An evidence URL checked again is gone, moved or changed.",
    "factcheck.published": "A lead signed off a claim's fact-check: it is on its public page.",
    "factcheck.unpublished": "A published fact-check was taken off its public page (kept).",
    "claim.assigned": "Claims were given to a reviewer: by a hand-out (one event per hand-out "
    "and reviewer, with the number of claims given to them; desk), as a claim's assignee (one "
    "event per claim), or by a bulk assign (one event with the claim ids).",
    "claim.adjudicated": "A lead set the verdict of a claim its reviewers disagreed on, "
    "with a reason; everyone's judgement is kept (desk).",
}

# Sent with `type` (one of EVENT_TYPES) and `data` (a JSON-ready dict).
event = Signal()


def announce(*, sender: Any, type: str, data: dict) -> None:
    """Send `event` for one thing that happened; refuse a type nobody documented."""
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {type!r}: add it to workbench.events.EVENT_TYPES.")
    event.send(sender=sender, type=type, data=data)
