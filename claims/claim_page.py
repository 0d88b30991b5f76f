"""The claim page as panels: what each panel reads, and the events that make it stale.

Each panel is a `{% partialdef %}` of templates/claims/claim_detail.html with the same name,
and `?panel=<name>` renders it alone (htmx; opened directly, the URL is the whole page). A
panel's own forms answer with the panel, fresh, saying what happened in it; the change is also
named in an `HX-Trigger` header, and every other panel that shows what changed refreshes
itself on that event (`hx-trigger="<event> from:body"`). A note re-renders the notes and the
timeline, nothing else. Fixes that can move anything (boundaries, reverts) answer with the
whole workspace.

A lazy panel (candidate evidence: a search of every other article) is not computed for the
whole page: the page shows it as "searching…" and it loads itself right after (`hx-trigger`
"load"), so the rest of the page never waits for it. Without JavaScript its link opens the
page with it computed (`?panel=candidates`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from claims import independence, services
from claims.candidates import candidate_evidence
from claims.choices import credibility_label
from claims.exports.records import ratings_summary
from claims.forms import (
    AssignForm,
    CorroborationForm,
    CredibilityForm,
    NoteForm,
    RatingForm,
    StatusForm,
)
from claims.history import claim_timeline
from claims.models import Claim, ClaimKind, Confidence, Stance
from claims.querysets import detail_prefetches
from desk import blind
from evidence.choices import LINK_IN_DOUBT
from sources.highlight import (
    CONTEXT_CHARS,
    PAGE_CHARS,
    highlight,
    paragraph_bounds,
    span_data,
    window,
)
from sources.registry import PublisherRegistry
from workbench.roles import LEAD, REVIEWER

# What a change touched: the events an answer names in its HX-Trigger header.
CLAIM_CHANGED = "claim-changed"  # status, credibility or assignee: the claim and its version
EVIDENCE_CHANGED = "evidence-changed"
RATINGS_CHANGED = "ratings-changed"
NOTES_CHANGED = "notes-changed"


@dataclass(frozen=True)
class Panel:
    """A panel of the claim page and the changes made elsewhere that make it stale."""

    name: str
    listens: tuple[str, ...] = ()
    lazy: bool = False  # the whole page leaves it to load itself

    def attrs(self, url: str, *, pending: bool = False) -> str:
        """The panel's htmx attributes: its forms swap it, and it refreshes on its events
        (a pending lazy panel also as soon as it is on the page)."""
        triggers = (["load"] if pending else []) + [f"{e} from:body" for e in self.listens]
        if not triggers:
            return mark_safe('hx-target="this" hx-swap="outerHTML"')
        return format_html(
            'hx-target="this" hx-swap="outerHTML" hx-get="{}?panel={}" hx-trigger="{}"',
            url,
            self.name,
            ", ".join(triggers),
        )


PANELS: dict[str, Panel] = {
    panel.name: panel
    for panel in (
        Panel("header", (CLAIM_CHANGED,)),  # the status badge
        # The current claim's status and every claim's version (the selection tools).
        Panel("context", (CLAIM_CHANGED,)),
        Panel("boundaries", (CLAIM_CHANGED,)),  # its forms carry the claim's version
        Panel("evidence"),  # changed through its own forms (a candidate attached lands here)
        # An attached claim is no longer a candidate; the search waits for the rest of the page.
        Panel("candidates", (EVIDENCE_CHANGED,), lazy=True),
        Panel("history", (CLAIM_CHANGED, EVIDENCE_CHANGED, RATINGS_CHANGED, NOTES_CHANGED)),
        # The verdict's forms are never redrawn under a reviewer's hands by another panel's
        # change: only the suggested credibility in it, which counts the evidence, is.
        Panel("verdict"),
        Panel("suggestion", (EVIDENCE_CHANGED,)),
        # What speaks against the verdict (contradicting evidence): as the suggestion is.
        Panel("verdict_warning", (EVIDENCE_CHANGED,)),
        Panel("ratings"),
        Panel("notes"),
        Panel("source"),
    )
}


def whole_page_panels(shown: str = "") -> tuple[list[str], list[str]]:
    """The panels the whole page computes, and the lazy ones it leaves pending.

    `shown`: a panel asked for by name (`?panel=`, opened without htmx): computed, lazy or not.
    """
    pending = [name for name, panel in PANELS.items() if panel.lazy and name != shown]
    return [name for name in PANELS if name not in pending], pending


def reviewers():
    """The users a claim may be assigned to."""
    return (
        get_user_model()
        .objects.filter(groups__name__in=[REVIEWER, LEAD], is_active=True)
        .distinct()
        .order_by("username")
    )


class ClaimPage:
    """What the panels of one claim's page read, each loaded once and only when shown."""

    def __init__(
        self, request: HttpRequest, claim: Claim, registry: PublisherRegistry | None = None
    ) -> None:
        self.request = request
        self.user = request.user
        self.claim = claim
        self.article = claim.article
        self._registry = registry

    def context(self, panels, *, pending=(), **extra) -> dict:
        """The template context of `panels` (names of PANELS), with `extra` on top.

        `pending`: lazy panels shown as loading, left to load themselves.
        """
        url = self.claim.get_absolute_url()
        context = {
            "nav": "claims",
            "claim": self.claim,
            "article": self.article,
            "panels": {
                name: panel.attrs(url, pending=name in pending) for name, panel in PANELS.items()
            },
            "pending": set(pending),
            "errors": {},
            "flash": {},
        }
        for name in panels:
            context.update(getattr(self, f"_{name}")())
        context.update(extra)
        return context

    # -- What the panels share, loaded on first use --------------------------------------------

    def _related(self, name: str) -> list:
        if name not in getattr(self.claim, "_prefetched_objects_cache", {}):
            prefetch_related_objects([self.claim], detail_prefetches()[name])
        return list(getattr(self.claim, name).all())

    @cached_property
    def registry(self) -> PublisherRegistry:
        """One publisher registry for the page (one version check), read by the panels that
        show sources: the article's publishers (claims.querysets.for_page joins none), the
        evidence's, the suggestion's and every candidate's."""
        registry = self._registry or PublisherRegistry.shared()
        registry.attach([self.article])
        return registry

    @cached_property
    def corroborations(self) -> list:
        return self._related("corroborations")

    @cached_property
    def sourced_corroborations(self) -> list:
        """The corroborations with their publishers (from the registry): for the panels that
        show or judge where evidence comes from."""
        self.registry.attach_sources(self.corroborations)
        return self.corroborations

    @cached_property
    def current_spans(self) -> list[Claim]:
        """The article's current claims in text order."""
        return list(
            Claim.objects.current()
            .filter(article_id=self.claim.article_id)
            .only("id", "start", "end", "kind", "status", "version")
            .order_by("start", "end", "pk")
        )

    @cached_property
    def spans(self) -> list[Claim]:
        """The claims the text shows: a retired claim where it was, under the one that took it."""
        spans = self.current_spans
        if any(s.pk == self.claim.pk for s in spans):
            return spans
        return sorted([*spans, self.claim], key=lambda s: (s.start, s.end, s.pk))

    # -- One method per panel: the context it renders with -------------------------------------

    def _header(self) -> dict:
        return {}

    def _context(self) -> dict:
        text, claim = self.article.text, self.claim
        around = window(
            len(text), claim.start, claim.end, limit=CONTEXT_CHARS, within=self._context_bounds()
        )
        full = window(len(text), claim.start, claim.end, limit=PAGE_CHARS)
        return {
            "context_html": highlight(
                text, self.spans, current_id=claim.pk, start=around.start, end=around.end
            ),
            "full_html": highlight(
                text, self.spans, current_id=claim.pk, start=full.start, end=full.end
            ),
            "context_window": around,
            "claim_not_shown": max(0, claim.end - around.end),
            "full_window": full,
        }

    def _context_bounds(self) -> tuple[int, int]:
        """Bounds of the claim's paragraph widened to the sentence before and after it."""
        claim, spans = self.claim, self.spans
        index = next(i for i, s in enumerate(spans) if s.pk == claim.pk)
        before = spans[index - 1].start if index > 0 else claim.start
        after = spans[index + 1].end if index + 1 < len(spans) else claim.end
        return paragraph_bounds(self.article.text, min(before, claim.start), max(after, claim.end))

    def _boundaries(self) -> dict:
        # The current claims in text order: a merge acts on the one just before or after.
        spans, text = self.current_spans, self.article.text
        index = next((i for i, s in enumerate(spans) if s.pk == self.claim.pk), None)
        neighbours = []
        if index is not None:
            for label, i in (("previous", index - 1), ("next", index + 1)):
                if 0 <= i < len(spans):
                    n = spans[i]
                    neighbours.append((label, n, text[n.start : n.end]))
        return {
            "selectable": span_data(spans),
            "neighbours": neighbours,
            "kinds": ClaimKind.choices,
            "selection_next": self.claim.get_absolute_url(),
        }

    def _evidence(self) -> dict:
        return {
            "corroborations": self.sourced_corroborations,
            "link_in_doubt": LINK_IN_DOUBT,
            "corroboration_form": CorroborationForm(
                registry=self.registry,
                prefill_url=reverse("evidence:prefill", args=[self.claim.pk]),
            ),
        }

    def _candidates(self) -> dict:
        attached = {c.evidence_claim_id for c in self.corroborations if c.evidence_claim_id}
        return {
            "candidates": candidate_evidence(
                self.claim, exclude_ids=attached, registry=self.registry
            ),
            "stances": Stance.choices,
        }

    def _history(self) -> dict:
        return {
            "timeline": claim_timeline(
                self.claim,
                visible=blind.visibility_filters(self.user, claim_ids=[self.claim.pk])
                if self.blinded
                else None,
            ),
            "can_revert": self.user.has_perm("claims.revert_history"),
        }

    def _suggestion(self) -> dict:
        return {"suggested_credibility": self.suggested_credibility}

    @cached_property
    def suggested_credibility(self) -> tuple[str, str]:
        """(label, why) of the credibility the evidence suggests: in the verdict and alone."""
        value, why = independence.suggest_credibility(
            self.claim, corroborations=self.sourced_corroborations, registry=self.registry
        )
        return credibility_label(value), why

    def _verdict(self) -> dict:
        claim = self.claim
        assign_form = None
        if self.user.has_perm("claims.assign_claim"):
            assign_form = AssignForm(initial={"assignee": claim.assignee_id}, reviewers=reviewers())
        return {
            "status_form": StatusForm(initial={"status": claim.status, "version": claim.version}),
            "credibility_form": CredibilityForm(
                initial={"credibility": claim.credibility, "version": claim.version}
            ),
            "assign_form": assign_form,
            # Chrome and retired claims take no verdict: the panel says why instead of its forms.
            "triage_refusal": services.triage_refusal(claim),
            **self._suggestion(),  # shown in the verdict panel
            **self._verdict_warning(),  # so is this
        }

    def _verdict_warning(self) -> dict:
        counts = services.evidence_counts_of(self.corroborations)
        return {"verdict_warnings": services.verdict_warnings(self.claim, counts)}

    @cached_property
    def blinded(self) -> bool:
        """Blind review (desk.blind): others' judgements are hidden until the user gives one."""
        return blind.is_blinded(self.user, self.claim.pk)

    def _ratings(self) -> dict:
        ratings = blind.visible_ratings(self._related("ratings"), self.user, blinded=self.blinded)
        mine = next((r for r in ratings if r.reviewer_id == self.user.pk), None)
        initial = (
            {
                "confidence": mine.confidence,
                "rationale": mine.rationale,
                "proposed_verdict": mine.proposed_verdict,
            }
            if mine
            else None
        )
        return {
            "ratings": ratings,
            "rating_summary": rating_summary(ratings),
            "rating_form": RatingForm(initial=initial),
            "blinded": self.blinded,
        }

    def _notes(self) -> dict:
        notes = blind.visible_notes(self._related("notes"), self.user, blinded=self.blinded)
        return {"notes": notes, "note_form": NoteForm(), "blinded": self.blinded}

    def _source(self) -> dict:
        self.registry  # noqa: B018 - the article's publishers, from memory
        return {"republishes": self.article.republishes}


def rating_summary(ratings: list) -> dict:
    """The export's ratings summary (one definition of agreement), with labels for the page."""
    summary = ratings_summary(ratings)
    return summary | {
        "total": summary["count"],
        "agreement": summary["agreement"] or "",
        "modal": Confidence(summary["consensus"]).label if summary["consensus"] else "",
    }
