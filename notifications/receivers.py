"""Turn the workbench's events (workbench.events) into notifications, after the commit.

`RECIPIENTS` maps an event type to the functions that say who is told what: each takes the
event's `data` and returns `Tell`s. Adding a reason to notify someone is one line there; an
event type with no line notifies nobody. Whoever did the thing is not
told about it, except where they want to be (an import they started has finished).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse

from claims.models import Note
from desk.services import saved_views_check
from notifications.mentions import mentioned_usernames
from notifications.models import Watch
from notifications.services import notify
from sources.models import ImportBatch
from workbench.events import event


@dataclass(frozen=True)
class Tell:
    """Tell `user_ids` `text` (a `kind` of notification) about the page at `url`; the one
    who did it is left out unless `actor_too` (an import's starter wants to hear it ended)."""

    user_ids: frozenset[int]
    kind: str
    text: str
    url: str = ""
    actor_too: bool = False


def _claim_url(data: dict) -> str:
    return reverse("claims:detail", args=[data["claim"]["id"]])


def _users_named(names) -> frozenset[int]:
    users = get_user_model().objects.filter(username__in=list(names), is_active=True)
    return frozenset(users.values_list("pk", flat=True))


def mentioned(data: dict) -> list[Tell]:
    """Users @mentioned in the note that was added."""
    note = Note.objects.filter(pk=data["note"]["id"]).first()
    if note is None:
        return []
    ids = _users_named(mentioned_usernames(note.text))
    text = f"{data['by']} mentioned you in a note on claim #{data['claim']['id']}"
    return [Tell(ids, "mentioned", text, _claim_url(data))]


def watchers(data: dict) -> list[Tell]:
    """Users watching the claim."""
    claim_id = data["claim"]["id"]
    ids = frozenset(Watch.objects.filter(claim_id=claim_id).values_list("user_id", flat=True))
    what = WATCHED_CHANGES.get(data["_type"], "changed")
    text = f"Claim #{claim_id} you watch: {what} by {data['by'] or 'the system'}"
    return [Tell(ids, "watched_claim", text, _claim_url(data))]


def assignee(data: dict) -> list[Tell]:
    """The reviewer given claims: by a hand-out or a bulk assign (a number of claims), or as
    one claim's assignee."""
    if data.get("reviewer") is None:
        return []
    by = data["by"] or "the system"
    if "claim_ids" in data:
        n = len(data["claim_ids"])
        text = f"{by} assigned you {n} claim{'s' if n != 1 else ''}"
        url = reverse("claims:list") + "?assignee=mine"
    elif "hand_out" in data:
        n = data["claim_count"]
        if not n:
            return []
        text = f"{by} handed you {n} claim{'s' if n != 1 else ''} ({data['hand_out']['name']})"
        if data.get("due_on"):
            text += f", due {data['due_on']}"
        url = reverse("desk:mine")
    else:
        text = f"{by} assigned you claim #{data['claim']['id']}"
        url = _claim_url(data)
    return [Tell(_users_named([data["reviewer"]]), "assigned", text, url)]


def judges(data: dict) -> list[Tell]:
    """The reviewers whose judgements the lead decided between."""
    claim_id = data["claim"]["id"]
    verdict = data["adjudication"]["verdict"]
    text = f"{data['by']} adjudicated claim #{claim_id} you judged: {verdict}"
    return [Tell(_users_named(data["reviewers"]), "adjudicated", text, _claim_url(data))]


def import_starter(data: dict) -> list[Tell]:
    """The user who started the import."""
    batch = ImportBatch.objects.filter(pk=data["batch"]["id"]).first()
    if batch is None or batch.created_by_id is None:
        return []
    files = ", ".join(f"{n} {outcome}" for outcome, n in data["batch"]["files"].items() if n)
    text = f"Your import #{batch.pk} finished: {files or 'no files'}"
    url = reverse("imports:batch", args=[batch.pk])
    return [Tell(frozenset({batch.created_by_id}), "import_finished", text, url, actor_too=True)]


def view_watchers(data: dict) -> list[Tell]:
    """Watchers of saved views that gained claims (checked now: an import brings claims)."""
    tells = []
    for gain in saved_views_check():
        n = gain.count
        text = f"Saved view “{gain.saved_view}” gained {n} claim{'s' if n != 1 else ''}"
        url = gain.saved_view.get_absolute_url()
        tells.append(Tell(frozenset({gain.user_id}), "watched_view", text, url, actor_too=True))
    return tells


# What a watched claim's event says happened to it.
WATCHED_CHANGES = {
    "claim.status_changed": "status changed",
    "corroboration.added": "evidence added",
    "rating.saved": "rating saved",
    "note.added": "note added",
    "factcheck.published": "fact-check published",
    "factcheck.unpublished": "fact-check unpublished",
}

# Event type → who is told.
RECIPIENTS: dict[str, list[Callable[[dict], list[Tell]]]] = {
    "note.added": [mentioned, watchers],
    "claim.assigned": [assignee],
    "claim.adjudicated": [judges],
    "import.finished": [import_starter, view_watchers],
    **{type_: [watchers] for type_ in WATCHED_CHANGES if type_ != "note.added"},
}


def tell(type: str, data: dict) -> None:
    """Notify everyone `RECIPIENTS` names for the event."""
    data = {**data, "_type": type}
    for recipients in RECIPIENTS.get(type, []):
        deliver(recipients(data), actor=data.get("by"))


def deliver(tells: list[Tell], *, actor: str | None = None) -> None:
    """Notify the users of each `Tell` (leaving out `actor`, the username who did it)."""
    for t in tells:
        users = get_user_model().objects.filter(pk__in=t.user_ids)
        if actor and not t.actor_too:
            users = users.exclude(username=actor)
        notify(users=list(users), kind=t.kind, text=t.text, url=t.url)


@receiver(event, dispatch_uid="notifications.tell")
def tell_event(sender, *, type: str, data: dict, **kwargs) -> None:
    if type in RECIPIENTS:
        transaction.on_commit(partial(tell, type, data), robust=True)
