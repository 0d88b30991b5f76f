"""Writes for claims and what reviewers attach to them; every change is recorded in history.

Each service sets the history user and change reason on the object before saving, so the
history says who changed what and why. Claims, corroborations and notes use optimistic
locking: a reviewer's edit carries the `version` they saw, and an edit made on a stale page
is refused with the list of what changed in between.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from claims import independence
from claims.choices import VERDICT_CHOICES
from claims.history import (
    ARTICLE,
    RELATED,
    change_lines,
    changed_fields,
    history_model,
)
from claims.models import (
    Claim,
    ClaimStatus,
    Confidence,
    Corroboration,
    Credibility,
    Independence,
    Note,
    Rating,
    Stance,
)
from claims.querysets import SOURCE_RELATED
from evidence.choices import ExcerptStatus
from sources.registry import PublisherRegistry
from workbench.events import announce
from workbench.history import record_change as _record
from workbench.models import User

VERDICT_STATUSES = frozenset(ClaimStatus(value) for value, _ in VERDICT_CHOICES)
REASON_REQUIRED_STATUSES = frozenset(
    {ClaimStatus.VERIFIED, ClaimStatus.REFUTED, ClaimStatus.DISPUTED}
)
# Independent supporting sources needed for credibility 1 ("confirmed by other sources").
CONFIRMED_MIN_SOURCES = 2
CORROBORATION_FIELDS = frozenset(
    {
        "url",
        "outlet",
        "publisher",
        "published_on",
        "excerpt",
        "stance",
        "evidence_claim",
        "independence",
        "independence_reason",
    }
)
# Fields that feed the independence judgement; changing one re-judges it.
JUDGED_FIELDS = ("publisher", "url", "outlet", "excerpt", "evidence_claim")
# Claim fields that only a boundary fix changes (claims/boundaries.py), reverted whole there:
# a field-by-field revert would leave the claim's text behind its span.
BOUNDARY_FIELDS = frozenset({"start", "end", "retired", "merged_into", "derived_from"})
# The kinds of object with a `version` (optimistic locking), as a refusal names them.
VERSIONED = {"claim": "claim", "corroboration": "evidence", "note": "note"}


class EvidenceRequired(Exception):
    """A status or credibility needs evidence the claim does not have; says what is missing."""


class ReasonRequired(ValueError):
    """A change that must be justified was made without a reason."""


class StaleEdit(Exception):
    """The object changed since the version the reviewer saw; `changes` says how.

    `subject` names the object as the refusal does: "claim", "evidence" or "note".
    """

    def __init__(self, message: str, changes: list[str], subject: str = "claim") -> None:
        super().__init__(message)
        self.changes = changes
        self.subject = subject

    def __str__(self) -> str:
        return "\n".join([self.args[0], *self.changes])

    @property
    def refusal(self) -> str:
        """The refusal as a page shows it: what changed in between, one clause per field."""
        changes = "; ".join(self.changes) or "another edit"
        return (
            f"Not saved: someone changed this {self.subject} since you opened it "
            f"({changes}). Review the current state below and try again."
        )


class RevertRefused(Exception):
    """A recorded change cannot be reverted (object gone, changed again since, …)."""


class ClaimRefused(Exception):
    """The claim takes no such change from this user; the message names the claim and why.

    Nothing was changed. Raised by the services of one claim; the bulk services report the
    same message as that claim's result.
    """


@dataclass
class BulkResult:
    claim_id: int
    ok: bool
    message: str


# -- Helpers ---------------------------------------------------------------------------------


def _locked_claim(claim: Claim | int) -> Claim:
    pk = claim if isinstance(claim, int) else claim.pk
    return Claim.objects.select_for_update().get(pk=pk)


def _check_version(obj: models.Model, version: int | None, kind: str = "claim") -> None:
    """Refuse an edit made on a page older than the object (optimistic locking)."""
    if version is None or version == obj.version:
        return
    subject = VERSIONED[kind]
    raise StaleEdit(
        f"This {subject} was changed by someone else since you opened it "
        f"(you saw version {version}, it is now at version {obj.version}).",
        changes_since(obj, version, kind),
        subject,
    )


def changes_since(obj: models.Model, version: int, kind: str = "claim") -> list[str]:
    """Describe, one line per changed field, what was recorded after `version` of an object.

    `kind` is "claim", "corroboration" or "note" (the versioned kinds). Lines look like
    "status: Unreviewed → In review (bob, 2026-11-22 21:40)".
    """
    records = list(
        obj.history.filter(version__gte=version)
        .select_related(*RELATED[kind])
        .order_by("history_id")
    )
    # The last record at the version the reader saw is what they saw; the rest came after.
    first_new = next((i for i, r in enumerate(records) if r.version > version), len(records))
    return change_lines(records[max(first_new - 1, 0) :], kind)


@dataclass(frozen=True)
class EvidenceCounts:
    supporting: int = 0
    supporting_independent: int = 0
    contradicting: int = 0
    # From the evidence's archives (evidence.Archive), counted where they were read with the
    # evidence (`evidence_counts_of`): an excerpt the archived page does not have, and a link
    # gone bad that no reviewer has re-checked since.
    excerpt_not_found: int = 0
    rereview: int = 0


def _evidence_counts(claim: Claim) -> EvidenceCounts:
    supports = Q(stance=Stance.SUPPORTS)
    counts = Corroboration.objects.filter(claim=claim).aggregate(
        supporting=Count("pk", filter=supports),
        supporting_independent=Count(
            "pk", filter=supports & Q(independence=Independence.INDEPENDENT)
        ),
        contradicting=Count("pk", filter=Q(stance=Stance.CONTRADICTS)),
    )
    return EvidenceCounts(**counts)


def evidence_counts_of(corroborations: Iterable[Corroboration]) -> EvidenceCounts:
    """Count the evidence of corroborations already read (no query)."""
    supporting = independent = contradicting = not_found = rereview = 0
    for c in corroborations:
        if c.stance == Stance.SUPPORTS:
            supporting += 1
            independent += c.independence == Independence.INDEPENDENT
        elif c.stance == Stance.CONTRADICTS:
            contradicting += 1
        if archive := archive_read_with(c):
            not_found += archive.excerpt_status == ExcerptStatus.NOT_FOUND
            rereview += archive.rereview
    return EvidenceCounts(supporting, independent, contradicting, not_found, rereview)


def archive_read_with(corroboration: Corroboration):
    """The evidence's archive (evidence.Archive) if it was read with it (`select_related`),
    else None: counting never makes a query per piece of evidence."""
    descriptor = getattr(Corroboration, "archive", None)
    if descriptor is None:
        return None
    return descriptor.related.get_cached_value(corroboration, default=None)


def evidence_problem(status: str, counts: EvidenceCounts) -> str | None:
    """Say what evidence is missing for `status`, or None if the claim has enough."""
    if status == ClaimStatus.VERIFIED and counts.supporting_independent < 1:
        if counts.supporting == 0:
            has = "this claim has none"
        else:
            has = (
                f"this claim has {counts.supporting} supporting, "
                f"{counts.supporting_independent} of them independent"
            )
        return (
            "Cannot mark as verified: it needs at least one supporting corroboration "
            f"judged independent ({has})."
        )
    if status == ClaimStatus.REFUTED and counts.contradicting < 1:
        return (
            "Cannot mark as refuted: it needs at least one contradicting corroboration "
            "(this claim has none)."
        )
    return None


def verdict_warnings(claim: Claim, counts: EvidenceCounts) -> list[str]:
    """Say what speaks against a claim's verdict without forbidding it; [] if nothing does.

    A verified claim may have contradicting evidence (it came later, or is weaker), may have
    no credibility yet (nobody rated it) or credibility 6: all are left to the reviewer, who is
    warned. Any verdict may rest on evidence whose excerpt the archived page does not have, or
    whose source went bad since it was archived (a verified one is then flagged for re-review).
    """
    if claim.status not in VERDICT_STATUSES:
        return []
    warnings = []
    if n := counts.excerpt_not_found:
        pieces = f"{n} piece{pluralize(n)} of evidence quote{pluralize(n, 's,')}"
        warnings.append(
            f"{pieces} an excerpt the archived page does not have: check the quote "
            "against the archived copy."
        )
    if n := counts.rereview:
        pieces = f"{n} piece{pluralize(n)} of evidence"
        flagged = "Flagged for re-review: " if claim.status == ClaimStatus.VERIFIED else ""
        warnings.append(
            f"{flagged}the source of {pieces} is gone or changed since it was archived: "
            "check the verdict still stands, then mark the evidence re-checked."
        )
    if claim.status != ClaimStatus.VERIFIED:
        return warnings
    if n := counts.contradicting:
        pieces = f"{n} piece{pluralize(n)} of evidence contradict{pluralize(n, 's,')}"
        warnings.append(f"Verified, yet {pieces} it: review the verdict.")
    if claim.credibility is None:
        warnings.append(
            "Verified, yet its credibility is not rated yet: set the credibility the evidence "
            "supports."
        )
    elif claim.credibility == Credibility.CANNOT_BE_JUDGED:
        warnings.append(
            "Verified, yet its credibility is 6 (truth cannot be judged): set the credibility "
            "the evidence supports."
        )
    return warnings


def _validate_status(status: str) -> None:
    if status not in ClaimStatus.values:
        raise ValueError(f"Unknown claim status: {status!r}")


def _require_status_reason(status: str, reason: str) -> None:
    if status in REASON_REQUIRED_STATUSES and not reason.strip():
        label = ClaimStatus(status).label.lower()
        raise ReasonRequired(f"A reason is required to mark a claim as {label}.")


def _apply_status(claim: Claim, status: str, *, reason: str, by: User | None, now) -> None:
    """Set the status; a verdict records who gave it, when and why, other statuses clear it."""
    claim.status = status
    if status in VERDICT_STATUSES:
        claim.reviewed_by = by
        claim.reviewed_at = now
        claim.verdict_reason = reason.strip()
    else:
        claim.reviewed_by = None
        claim.reviewed_at = None
        claim.verdict_reason = ""


def _status_reason(status: str, reason: str) -> str:
    return reason.strip() or f"status → {status}"


def _announce(event_type: str, claim: Claim, *, by: User | None, **data: Any) -> None:
    """Announce an event about `claim` (workbench.events; webhooks send it once committed).

    The claim as a receiver needs it to fetch the rest from the API: its id, status, version
    and API URL; who did it; and what `data` adds.
    """
    path = reverse("api:claim", kwargs={"pk": claim.pk})
    announce(
        sender=Claim,
        type=event_type,
        data={
            "claim": {
                "id": claim.pk,
                "status": claim.status,
                "version": claim.version,
                "url": settings.SITE_URL.rstrip("/") + path,
            },
            "by": by.get_username() if by is not None else None,
            **data,
        },
    )


def confirmation_problem(claim: Claim) -> str | None:
    """Say why credibility 1 cannot be given, or None if enough independent sources agree."""
    supporting = Corroboration.objects.filter(
        claim=claim, stance=Stance.SUPPORTS, independence=Independence.INDEPENDENT
    ).select_related(*SOURCE_RELATED)
    # One definition of "a source" (independence.source_keys): copies of one story count once.
    sources = independence.count_sources(supporting, PublisherRegistry.shared())
    if sources >= CONFIRMED_MIN_SOURCES:
        return None
    return (
        "Cannot set credibility to 1 (confirmed by other independent sources): it needs "
        f"independent supporting corroborations from at least {CONFIRMED_MIN_SOURCES} "
        f"different publishers or outlets (this claim has {sources}). Copies of one story, "
        "one origin's text and outlets of one owner count as one."
    )


# -- Who may do what to a claim -------------------------------------------------------------
# One rule for every way in: the claim page, the queue's keys, bulk actions, the admin.


def retired_refusal(pk: int, merged_into: int | None) -> str:
    """Say that a retired claim takes no change, and where its work goes on."""
    where = f"claim #{merged_into}" if merged_into else "the article's current claims"
    return f"Claim #{pk} is retired: nothing is changed on it; work on {where}."


def triage_refusal(claim: Claim) -> str | None:
    """Say why a claim takes no triage work (status, credibility, assignee), or None.

    Page chrome is furniture of the page the article came from, kept out of the queue: a
    verdict or an assignee on it would be work nobody sees. A retired claim's work goes on
    at the claim it was merged into.
    """
    if claim.in_triage:
        return None
    if claim.retired:
        return retired_refusal(claim.pk, claim.merged_into_id)
    return (
        f"Claim #{claim.pk} is page chrome (page furniture such as a share button or a photo "
        "credit), kept out of triage: its status, credibility and assignee are not changed. "
        "Mark it as a claim on its page first (Boundaries, kind)."
    )


def assignment_refusal(claim: Claim, *, assignee: User | None, by: User | None) -> str | None:
    """Say why `by` may not give the claim to `assignee`, or None.

    A reviewer takes claims for themselves: unassigned ones, or their own again. Giving a
    claim to someone else, or taking one a lead gave to someone else, is a lead's
    (`claims.assign_claim`). `by=None` is the system (imports, commands).
    """
    if problem := triage_refusal(claim):
        return problem
    if by is None or by.has_perm("claims.assign_claim"):
        return None
    if assignee is None or assignee.pk != by.pk:
        return f"Claim #{claim.pk}: only a lead can assign a claim to someone else, or to nobody."
    if claim.assignee_id not in (None, by.pk):
        return (
            f"Claim #{claim.pk} is assigned to {claim.assignee}: only a lead can reassign it; "
            "a reviewer takes unassigned claims."
        )
    return None


def _refuse(problem: str | None) -> None:
    if problem is not None:
        raise ClaimRefused(problem)


# -- Claims ----------------------------------------------------------------------------------


@transaction.atomic
def claim_set_status(
    *, claim: Claim, status: str, reason: str, by: User | None, version: int | None
) -> Claim:
    """Set a claim's workflow status, enforcing the evidence rule; return the saved claim.

    Verified needs an independent supporting corroboration, refuted a contradicting one;
    verified, refuted and disputed need a reason. Verdicts record who gave them and when;
    going back to unreviewed or in review clears that.
    """
    _validate_status(status)
    claim = _locked_claim(claim)
    _refuse(triage_refusal(claim))
    _check_version(claim, version)
    _require_status_reason(status, reason)
    if problem := evidence_problem(status, _evidence_counts(claim)):
        raise EvidenceRequired(problem)
    previous = claim.status
    _apply_status(claim, status, reason=reason, by=by, now=timezone.now())
    claim.version += 1
    _record(claim, by=by, reason=_status_reason(status, reason))
    claim.save()
    _announce("claim.status_changed", claim, by=by, previous_status=previous)
    return claim


@transaction.atomic
def claim_set_credibility(
    *, claim: Claim, credibility: int, by: User | None, version: int | None, reason: str = ""
) -> Claim:
    """Set a claim's Admiralty information credibility; return the saved claim.

    1 ("confirmed by other independent sources") is refused unless independent supporting
    evidence from at least two different publishers or outlets is attached.
    """
    if credibility not in Credibility.values:
        raise ValueError(f"Unknown credibility: {credibility!r}")
    claim = _locked_claim(claim)
    _refuse(triage_refusal(claim))
    _check_version(claim, version)
    if credibility == Credibility.CONFIRMED and (problem := confirmation_problem(claim)):
        raise EvidenceRequired(problem)
    claim.credibility = credibility
    claim.version += 1
    _record(claim, by=by, reason=reason.strip() or f"credibility → {credibility}")
    claim.save()
    return claim


def _assign_reason(assignee: User | None) -> str:
    return f"assigned to {assignee}" if assignee is not None else "unassigned"


@transaction.atomic
def claim_assign(
    *, claim: Claim, assignee: User | None, by: User | None, version: int | None = None
) -> Claim:
    """Assign a claim to a reviewer (or to nobody); return the claim.

    Refused (ClaimRefused) by `assignment_refusal`: a reviewer takes only unassigned claims.
    Assigning to the current assignee changes nothing and records nothing.
    """
    claim = _locked_claim(claim)
    _refuse(assignment_refusal(claim, assignee=assignee, by=by))
    _check_version(claim, version)
    new_id = assignee.pk if assignee is not None else None
    if claim.assignee_id == new_id:
        return claim
    claim.assignee = assignee
    claim.version += 1
    _record(claim, by=by, reason=_assign_reason(assignee))
    claim.save()
    if assignee is not None:
        _announce("claim.assigned", claim, by=by, reviewer=assignee.get_username())
    return claim


def _bulk_save(claims: list[Claim], fields: list[str]) -> None:
    """Save changed claims in one UPDATE batch, with one history row each."""
    if not claims:
        return
    now = timezone.now()
    for claim in claims:
        claim.updated_at = now  # bulk_update skips auto_now
    bulk_update_with_history(claims, Claim, [*fields, "version", "updated_at"])


@transaction.atomic
def claims_bulk_assign(
    *, claim_ids: list[int], assignee: User | None, by: User | None
) -> list[BulkResult]:
    """Assign many claims to one reviewer; return one result per requested id, in order.

    Each claim is checked as `claim_assign` checks it; a refused one is left as it was.
    """
    claims = Claim.objects.select_for_update().in_bulk(claim_ids)
    results, changed = [], []
    new_id = assignee.pk if assignee is not None else None
    for claim_id in dict.fromkeys(claim_ids):
        claim = claims.get(claim_id)
        if claim is None:
            results.append(BulkResult(claim_id, False, "Claim not found."))
        elif problem := assignment_refusal(claim, assignee=assignee, by=by):
            results.append(BulkResult(claim_id, False, problem))
        elif claim.assignee_id == new_id:
            results.append(BulkResult(claim_id, True, f"Already {_assign_reason(assignee)}."))
        else:
            claim.assignee = assignee
            claim.version += 1
            _record(claim, by=by, reason=_assign_reason(assignee))
            changed.append(claim)
            results.append(BulkResult(claim_id, True, f"{_assign_reason(assignee).capitalize()}."))
    _bulk_save(changed, ["assignee"])
    if assignee is not None and changed:
        announce(
            sender=Claim,
            type="claim.assigned",
            data={
                "claim_ids": [c.pk for c in changed],
                "reviewer": assignee.get_username(),
                "by": by.get_username() if by is not None else None,
            },
        )
    return results


@transaction.atomic
def claims_bulk_set_status(
    *, claim_ids: list[int], status: str, reason: str, by: User | None
) -> list[BulkResult]:
    """Set the status of many claims, each checked on its own; return one result per id.

    A claim without the evidence its new status needs, or out of triage (`triage_refusal`),
    is refused and left as it was; the others are changed. Reads are one query for the
    claims and one for their evidence.
    """
    _validate_status(status)
    try:
        _require_status_reason(status, reason)
    except ReasonRequired as exc:
        # Refused claim by claim like any other refusal, so callers get one kind of answer.
        return [BulkResult(claim_id, False, str(exc)) for claim_id in dict.fromkeys(claim_ids)]
    claims = Claim.objects.select_for_update().prefetch_related("corroborations").in_bulk(claim_ids)
    now = timezone.now()
    label = ClaimStatus(status).label.lower()
    results, changed, previous = [], [], {}
    for claim_id in dict.fromkeys(claim_ids):
        claim = claims.get(claim_id)
        if claim is None:
            results.append(BulkResult(claim_id, False, "Claim not found."))
            continue
        if problem := triage_refusal(claim):
            results.append(BulkResult(claim_id, False, problem))
            continue
        counts = evidence_counts_of(claim.corroborations.all())
        if problem := evidence_problem(status, counts):
            results.append(BulkResult(claim_id, False, problem))
            continue
        previous[claim.pk] = claim.status
        _apply_status(claim, status, reason=reason, by=by, now=now)
        claim.version += 1
        _record(claim, by=by, reason=_status_reason(status, reason))
        changed.append(claim)
        results.append(BulkResult(claim_id, True, f"Marked as {label}."))
    _bulk_save(changed, ["status", "reviewed_by", "reviewed_at", "verdict_reason"])
    for claim in changed:
        _announce("claim.status_changed", claim, by=by, previous_status=previous[claim.pk])
    return results


# -- Corroborations --------------------------------------------------------------------------


def latest_publication_date() -> datetime.date:
    """The latest date a piece of evidence may say it was published: tomorrow here.

    A day of slack: where the piece was published it may already be tomorrow.
    """
    return timezone.localdate() + datetime.timedelta(days=1)


def _validate_corroboration(c: Corroboration) -> None:
    # A publisher picked from the registry names the outlet as well as typing it does.
    where = (c.url, c.outlet, c.excerpt)
    if not (any(w.strip() for w in where) or c.evidence_claim_id or c.publisher_id):
        raise ValidationError(
            "Say where the evidence is: give a URL, an outlet, an excerpt or an imported claim."
        )
    if c.published_on is not None and c.published_on > latest_publication_date():
        raise ValidationError(
            {
                "published_on": f"{c.published_on.isoformat()} is in the future: evidence "
                "cannot have been published after today."
            }
        )
    if c.stance not in Stance.values:
        raise ValidationError(f"Unknown stance: {c.stance!r}")
    if c.independence not in Independence.values:
        raise ValidationError(f"Unknown independence: {c.independence!r}")
    if c.evidence_claim_id is not None:
        if c.evidence_claim_id == c.claim_id:
            raise ValidationError("A claim cannot be evidence for itself.")
        if c.evidence_claim.article_id == c.claim.article_id:
            raise ValidationError(
                "Evidence must come from another article: this claim is from the same one."
            )


def _judge_into(c: Corroboration, registry: PublisherRegistry | None = None) -> None:
    value, why = independence.judge(
        claim=c.claim,
        publisher=c.publisher,
        url=c.url,
        outlet=c.outlet,
        excerpt=c.excerpt,
        evidence_claim=c.evidence_claim,
        registry=registry,
    )
    c.independence, c.independence_reason, c.independence_overridden = value, why, False


def _override_independence(c: Corroboration, value: str, reason: str) -> None:
    if not reason.strip():
        raise ReasonRequired("A reason is required when independence is set by hand.")
    c.independence, c.independence_reason, c.independence_overridden = value, reason, True


@transaction.atomic
def corroboration_create(
    *,
    claim: Claim,
    by: User | None,
    stance: str,
    url: str = "",
    outlet: str = "",
    publisher=None,
    published_on=None,
    excerpt: str = "",
    evidence_claim: Claim | None = None,
    independence: str | None = None,
    independence_reason: str = "",
) -> Corroboration:
    """Attach a piece of evidence to a claim, judging its independence unless given by hand.

    Independence set by hand needs a reason and is marked as overridden, so later edits do
    not re-judge it. The claim's version is not bumped: corroborations have their own history.
    """
    corroboration = Corroboration(
        claim=claim,
        stance=stance,
        url=url.strip(),
        outlet=outlet.strip(),
        publisher=publisher,
        published_on=published_on,
        excerpt=excerpt.strip(),
        evidence_claim=evidence_claim,
        created_by=by,
    )
    if independence is None:
        _judge_into(corroboration)
    else:
        _override_independence(corroboration, independence, independence_reason)
    _validate_corroboration(corroboration)
    _record(corroboration, by=by, reason=f"evidence added ({stance})")
    corroboration.save()
    _announce(
        "corroboration.added",
        claim,
        by=by,
        corroboration={
            "id": corroboration.pk,
            "stance": corroboration.stance,
            "independence": corroboration.independence,
        },
    )
    return corroboration


@transaction.atomic
def corroboration_update(
    *,
    corroboration: Corroboration,
    by: User | None,
    reason: str = "",
    version: int | None = None,
    **fields: Any,
) -> Corroboration:
    """Change a corroboration's fields and re-judge its independence; return it.

    Passing `independence` sets it by hand (with `independence_reason`); passing
    `independence=None` drops an earlier override and re-judges. Otherwise independence
    set by hand earlier is kept, and a computed one is judged again. An edit made on the
    `version` a reviewer saw is refused (StaleEdit) if the evidence changed since.
    """
    unknown = set(fields) - CORROBORATION_FIELDS
    if unknown:
        raise TypeError(f"Cannot update corroboration fields: {', '.join(sorted(unknown))}")
    c = Corroboration.objects.select_for_update().get(pk=corroboration.pk)
    _check_version(c, version, "corroboration")
    fields_given = set(fields)
    manual = "independence" in fields
    value = fields.pop("independence", None)
    why = fields.pop("independence_reason", "")
    for name, new in fields.items():
        setattr(c, name, new.strip() if isinstance(new, str) else new)
    if manual and value is not None:
        _override_independence(c, value, why)
    elif manual or not c.independence_overridden:
        _judge_into(c)
    elif "independence_reason" in fields_given:
        # Rewording why an earlier hand-set judgement holds.
        _override_independence(c, c.independence, why)
    _validate_corroboration(c)
    c.version += 1
    _record(c, by=by, reason=reason.strip() or "evidence edited")
    c.save()
    return c


@transaction.atomic
def corroboration_delete(
    *, corroboration: Corroboration, by: User | None, reason: str = "", version: int | None = None
) -> None:
    """Remove a piece of evidence; history keeps it, with who removed it and why. Given the
    `version` the remover saw, a removal of evidence changed since is refused (StaleEdit)."""
    corroboration = Corroboration.objects.select_for_update().get(pk=corroboration.pk)
    _check_version(corroboration, version, "corroboration")
    _record(corroboration, by=by, reason=reason.strip() or "evidence removed")
    corroboration.delete()


@dataclass
class Rejudged:
    """What judging an article's evidence again changed."""

    judged: int  # corroborations judged again
    changed: list[Corroboration]  # those whose independence or its reason changed
    # Verified claims left without a supporting corroboration judged independent: their
    # verdict stands until a reviewer looks again, but the one who changed the article is told.
    unsupported: list[int]


# What judging a corroboration reads: both articles with who published them and whose text.
JUDGE_RELATED = (
    "publisher",
    "claim__article__publisher",
    "claim__article__origin",
    "evidence_claim__article__publisher",
    "evidence_claim__article__origin",
    "claim__family_member",  # independence: copies of one statement (claim families)
    "evidence_claim__family_member",
)


@transaction.atomic
def corroborations_rejudge(
    *, article_id: int, by: User | None, reason: str, registry: PublisherRegistry | None = None
) -> Rejudged:
    """Judge again every corroboration involving an article, after who it comes from changed.

    The article may be the claim's or the evidence's. Independence a reviewer set by hand is
    kept. Each corroboration whose verdict changes gets one history row with `reason`.
    """
    rows = list(
        Corroboration.objects.filter(
            Q(claim__article_id=article_id) | Q(evidence_claim__article_id=article_id),
            independence_overridden=False,
        )
        .select_related(*JUDGE_RELATED)
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    registry = registry or PublisherRegistry.shared()
    changed = []
    for c in rows:
        before = (c.independence, c.independence_reason)
        _judge_into(c, registry)
        if (c.independence, c.independence_reason) != before:
            _record(c, by=by, reason=reason)
            c.updated_at = timezone.now()  # bulk_update skips auto_now
            c.version += 1  # a page opened before the re-judgement is stale now
            changed.append(c)
    if changed:
        bulk_update_with_history(
            changed,
            Corroboration,
            ["independence", "independence_reason", "updated_at", "version"],
        )
    claim_ids = {c.claim_id for c in changed if c.independence != Independence.INDEPENDENT}
    unsupported = list(
        Claim.objects.filter(pk__in=claim_ids, status=ClaimStatus.VERIFIED)
        .with_evidence_counts()
        .filter(supporting_independent=0)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return Rejudged(len(rows), changed, unsupported)


# -- Ratings and notes -----------------------------------------------------------------------


@transaction.atomic
def rating_set(
    *, claim: Claim, by: User, confidence: str, rationale: str, proposed_verdict: str = ""
) -> Rating:
    """Record the reviewer's current confidence in a claim: one rating per reviewer.

    With `proposed_verdict` (a verdict status) the rating is the reviewer's whole judgement,
    which a blind hand-out waits for (desk.blind). The claim's row is locked first: two first
    saves at once would otherwise both find no rating and both insert one, and the second
    would break the one-per-reviewer constraint.
    """
    if confidence not in Confidence.values:
        raise ValidationError(f"Unknown confidence: {confidence!r}")
    if proposed_verdict and proposed_verdict not in VERDICT_STATUSES:
        raise ValidationError(
            f"proposed_verdict: {proposed_verdict!r} is not a verdict "
            f"(one of {', '.join(sorted(VERDICT_STATUSES))})."
        )
    claim = _locked_claim(claim)
    rating = Rating.objects.select_for_update().filter(claim=claim, reviewer=by).first()
    if rating is None:
        rating = Rating(claim=claim, reviewer=by)
    elif (rating.confidence, rating.rationale, rating.proposed_verdict) == (
        confidence,
        rationale.strip(),
        proposed_verdict,
    ):
        return rating
    rating.confidence = confidence
    rating.rationale = rationale.strip()
    rating.proposed_verdict = proposed_verdict
    reason = f"confidence: {confidence}" + (
        f", proposes {proposed_verdict}" * bool(proposed_verdict)
    )
    _record(rating, by=by, reason=reason)
    rating.save()
    _announce(
        "rating.saved",
        claim,
        by=by,
        rating={
            "id": rating.pk,
            "confidence": rating.confidence,
            "proposed_verdict": rating.proposed_verdict,
        },
    )
    return rating


@transaction.atomic
def note_create(*, claim: Claim, by: User, text: str, review: bool = False) -> Note:
    """Attach a reviewer's note to a claim; `review` marks it part of their review (hidden
    from the other reviewers of a blind hand-out until they have judged the claim)."""
    if not text.strip():
        raise ValidationError("A note cannot be empty.")
    note = Note(claim=claim, author=by, text=text.strip(), review=review)
    _record(note, by=by, reason="note added")
    note.save()
    _announce("note.added", claim, by=by, note={"id": note.pk})
    return note


@transaction.atomic
def note_update(*, note: Note, by: User, text: str, version: int | None = None) -> Note:
    """Change the text of a note; only its author may, and not from a stale page.

    An edit made on the `version` the author saw is refused (StaleEdit) if the note changed
    since: in another tab, or by a lead's revert.
    """
    note = Note.objects.select_for_update().get(pk=note.pk)
    if note.author_id is None or note.author_id != by.pk:
        raise PermissionDenied("Only the author of a note can edit it.")
    _check_version(note, version, "note")
    if not text.strip():
        raise ValidationError("A note cannot be empty.")
    note.text = text.strip()
    note.version += 1
    _record(note, by=by, reason="note edited")
    note.save()
    return note


@transaction.atomic
def note_delete(*, note: Note, by: User, version: int | None = None) -> None:
    """Remove a note: only its author may, and not one changed since `version`. History keeps
    it (a lead can bring it back)."""
    note = Note.objects.select_for_update().get(pk=note.pk)
    if note.author_id is None or note.author_id != by.pk:
        raise PermissionDenied("Only the author of a note can remove it.")
    _check_version(note, version, "note")
    _record(note, by=by, reason="note removed")
    note.delete()


# -- Reverting history -----------------------------------------------------------------------


@transaction.atomic
def history_revert(*, kind: str, history_id: int, by: User | None, reason: str = "") -> object:
    """Undo one recorded change; return the object as it is now (deleted ones unsaved).

    A change ("~") is reverted field by field: only the fields it changed go back to their
    earlier values, so later changes to other fields are kept; if a later change touched
    one of the same fields, the revert is refused rather than overwrite it. A creation
    ("+") of a corroboration, rating or note is reverted by deleting the object, a deletion
    ("-") by recreating it. Claims are never created or deleted by a revert.

    A revert gets no exemption from the rules: putting a claim back to verified, refuted
    or credibility 1 needs the evidence those need now (EvidenceRequired otherwise).
    """
    if kind == ARTICLE:
        # Reverting who an article comes from must judge its evidence again.
        raise ValueError("An article's change is reverted with sources.services.article_revert.")
    model = history_model(kind)
    try:
        record = model.objects.select_related("history_user").get(history_id=history_id)
    except model.DoesNotExist:
        raise RevertRefused(f"No recorded {kind} change #{history_id}.") from None
    why = f"Reverted change #{history_id}"
    if reason.strip():
        why = f"{why}: {reason.strip()}"
    live_model = model.instance_type
    live = live_model.objects.select_for_update().filter(pk=record.id).first()

    if record.history_type == "~":
        if live is None:
            raise RevertRefused(f"The {kind} this change was made to no longer exists.")
        return _revert_change(kind, record, live, by=by, why=why)
    if kind == "claim":
        raise RevertRefused("Claims are created by imports; a revert cannot create or delete one.")
    if record.history_type == "+":
        if live is None:
            raise RevertRefused(f"The {kind} created by this change has already been deleted.")
        _record(live, by=by, reason=why)
        live.delete()
        return live
    if live is not None:
        raise RevertRefused(f"The {kind} deleted by this change exists again.")
    return _recreate(kind, record, by=by, why=why)


def revert_plan(kind: str, record, live: models.Model, *, only=None):
    """Return (the record before `record`, the fields it changed) for reverting it.

    Refused when there is nothing earlier, the change changed nothing (among `only`, field
    names, if given), or a later change touched one of its fields again.
    """
    previous = record.prev_record
    if previous is None:
        raise RevertRefused("There is no earlier record to go back to.")
    fields = [f for f in changed_fields(record, previous, kind) if only is None or f.name in only]
    if not fields:
        raise RevertRefused("This change changed nothing that can be reverted.")
    changed_again = [
        f.name for f in fields if getattr(live, f.attname) != getattr(record, f.attname)
    ]
    if changed_again:
        raise RevertRefused(
            f"Changed again since ({', '.join(changed_again)}): revert the later change first."
        )
    return previous, fields


def _revert_change(kind: str, record, live: models.Model, *, by: User | None, why: str):
    previous, fields = revert_plan(kind, record, live)
    if kind == "claim" and (moved := sorted({f.name for f in fields} & BOUNDARY_FIELDS)):
        raise RevertRefused(
            f"This change moved the claim's boundaries ({', '.join(moved)}) and is not a "
            "recorded fix (it undid one): make the fix again instead of reverting it."
        )
    for f in fields:
        setattr(live, f.attname, getattr(previous, f.attname))
    if kind == "claim":
        _check_claim_rules(live, fields)
    elif kind == "corroboration" and not live.independence_overridden:
        # Judge the restored evidence against the registry as it is now.
        _judge_into(live)
    if kind in VERSIONED:
        # A page opened before the revert is now stale, like after any other edit.
        live.version += 1
    _record(live, by=by, reason=why)
    live.save()
    return live


def _check_claim_rules(claim: Claim, fields: list[models.Field]) -> None:
    names = {f.name for f in fields}
    if names & {"status", "credibility", "assignee"} and (problem := triage_refusal(claim)):
        raise RevertRefused(problem)
    if "status" in names and (problem := evidence_problem(claim.status, _evidence_counts(claim))):
        raise EvidenceRequired(problem)
    if (
        "credibility" in names
        and claim.credibility == Credibility.CONFIRMED
        and (problem := confirmation_problem(claim))
    ):
        raise EvidenceRequired(problem)


def _recreate(kind: str, record, *, by: User | None, why: str) -> models.Model:
    obj = record.instance
    if not Claim.objects.filter(pk=obj.claim_id).exists():
        raise RevertRefused("The claim this belonged to no longer exists.")
    _drop_dangling_links(obj)
    if (
        kind == "rating"
        and Rating.objects.filter(claim_id=obj.claim_id, reviewer_id=obj.reviewer_id).exists()
    ):
        raise RevertRefused("This reviewer has rated the claim again since; edit that rating.")
    _record(obj, by=by, reason=why)
    obj.save(force_insert=True)
    return obj


def _drop_dangling_links(obj: models.Model) -> None:
    """Clear optional links to objects deleted since (as SET_NULL would have); refuse others."""
    for f in obj._meta.concrete_fields:
        if not f.is_relation or f.name == "claim":
            continue
        pk = getattr(obj, f.attname)
        if pk is None or f.related_model._default_manager.filter(pk=pk).exists():
            continue
        if not f.null:
            raise RevertRefused(f"Cannot restore it: its {f.verbose_name} no longer exists.")
        setattr(obj, f.attname, None)
