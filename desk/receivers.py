"""The desk listens to the workbench's events: a reviewer's judgement closes their assignments.

A judgement is a rating with a proposed verdict (claims.services.rating_set announces
"rating.saved" inside its transaction); that reviewer's assignments of the claim are then
done. Kept here, not in claims, so the claims app never writes the desk's tables.
"""

from django.dispatch import receiver

from desk.services import assignments_complete
from workbench.events import event


@receiver(event, dispatch_uid="desk.judgement_completes_assignments")
def judgement_completes_assignments(sender, type: str, data: dict, **kwargs) -> None:
    rating = data.get("rating") or {}
    if type == "rating.saved" and rating.get("proposed_verdict"):
        assignments_complete(rating_id=rating["id"])
