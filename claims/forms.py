"""Forms of the claim page; each maps onto one service call."""

from django import forms

from claims.boundaries import FIELD_LABELS
from claims.choices import NOT_RATED_LABEL, VERDICT_CHOICES
from claims.models import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Confidence,
    Credibility,
    Independence,
    Stance,
)
from claims.services import latest_publication_date
from sources.models import Publisher
from sources.widgets import PublisherSelect
from workbench.http import MAX_ID


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ClaimStatus.choices)
    reason = forms.CharField(
        required=False,
        max_length=500,
        help_text="Required for verified, refuted and disputed.",
        widget=forms.TextInput(),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class CredibilityForm(forms.Form):
    credibility = forms.TypedChoiceField(
        choices=[("", f"— {NOT_RATED_LABEL.lower()} —"), *Credibility.choices],
        coerce=int,
        empty_value=None,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=None, required=False, empty_label="— nobody —")

    def __init__(self, *args, reviewers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = reviewers


class CorroborationForm(forms.Form):
    stance = forms.ChoiceField(choices=Stance.choices)
    url = forms.URLField(required=False, max_length=2000, assume_scheme="https")
    outlet = forms.CharField(required=False, max_length=200)
    publisher = forms.ModelChoiceField(
        queryset=Publisher.objects.only("id", "name").order_by("name"),
        required=False,
        empty_label="— find by outlet/URL —",
        widget=PublisherSelect,  # every publisher, on every claim page
    )
    published_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    excerpt = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence_claim = forms.IntegerField(
        required=False, min_value=1, help_text="Id of a claim of another imported article."
    )
    independence = forms.ChoiceField(
        required=False,
        choices=[("", "Compute it"), *list(Independence.choices)],
        help_text="Leave on “Compute it” unless you know better; then give a reason.",
    )
    independence_reason = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, registry=None, prefill_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # The page's publisher registry, when it has one, writes the publisher select.
        self.fields["publisher"].widget.registry = registry
        if prefill_url:
            # A URL pasted or typed in: the page is fetched (evidence.views.evidence_prefill)
            # and the form's fields come back with its outlet, publisher and date offered.
            self.fields["url"].widget.attrs.update(
                {
                    "hx-get": prefill_url,
                    "hx-trigger": "change",
                    "hx-target": "#evidence-form-fields",
                    "hx-swap": "outerHTML",
                    "hx-include": "closest form",
                    "hx-params": "not csrfmiddlewaretoken",
                    "hx-sync": "this:replace",
                }
            )
        # The browser's date picker stops where the service does (a date in the future).
        self.fields["published_on"].widget.attrs["max"] = latest_publication_date().isoformat()

    def clean_evidence_claim(self):
        pk = self.cleaned_data.get("evidence_claim")
        if pk is None:
            return None
        claim = Claim.objects.select_related("article__publisher").filter(pk=pk).first()
        if claim is None:
            raise forms.ValidationError(f"There is no claim #{pk}.")
        return claim

    def clean(self):
        data = super().clean()
        if not any(data.get(k) for k in ("url", "outlet", "excerpt", "evidence_claim")):
            raise forms.ValidationError(
                "Say where the evidence is: a URL, an outlet, an excerpt or another claim."
            )
        if data.get("independence") and not data.get("independence_reason", "").strip():
            self.add_error(
                "independence_reason", "Give a reason when you set independence by hand."
            )
        return data

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["independence"] = data.get("independence") or None
        return data


class CorroborationEditForm(CorroborationForm):
    """Editing evidence: the same fields, and the version the reviewer saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def for_corroboration(cls, c, **kwargs) -> "CorroborationEditForm":
        """An unbound form showing the evidence as it is now, at its current version."""
        overridden = c.independence_overridden
        initial = {
            "stance": c.stance,
            "url": c.url,
            "outlet": c.outlet,
            "publisher": c.publisher_id,
            "published_on": c.published_on,
            "excerpt": c.excerpt,
            "evidence_claim": c.evidence_claim_id,
            "independence": c.independence if overridden else "",
            "independence_reason": c.independence_reason if overridden else "",
            "version": c.version,
        }
        return cls(initial=initial, **kwargs)


class CorroborationRemoveForm(forms.Form):
    """Removing evidence: the version the reviewer saw (evidence changed since is kept)."""

    reason = forms.CharField(required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)


class RatingForm(forms.Form):
    confidence = forms.ChoiceField(choices=Confidence.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    proposed_verdict = forms.ChoiceField(
        choices=[("", "No verdict proposed"), *VERDICT_CHOICES],
        required=False,
        help_text="The verdict you would give: a blind hand-out counts your judgement once "
        "you have saved a rating with one.",
    )


class NoteForm(forms.Form):
    text = forms.CharField(max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}))
    review = forms.BooleanField(
        required=False,
        label="Part of my review",
        help_text="Hidden from the other reviewers of a blind hand-out until they have judged.",
    )


class NoteEditForm(NoteForm):
    """Editing a note: its text, and the version the author saw (whether it is part of the
    review is set when it is written)."""

    review = None

    version = forms.IntegerField(widget=forms.HiddenInput)


class RevertForm(forms.Form):
    """Why a lead reverts a recorded change (claims, their attachments, articles): kept in
    the revert's history record, so it is asked for, as the page's confirmation is."""

    reason = forms.CharField(
        max_length=300,
        error_messages={"required": "Say why you revert this change (kept in its history)."},
    )


# -- Boundary fixes (claims/boundaries.py): offsets are positions in the article text ----------


class BoundaryForm(forms.Form):
    """What every fix of a claim carries: the version the reviewer saw, and a reason."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(
        required=False, max_length=500, help_text="Required when the claim has a verdict."
    )


class SplitForm(BoundaryForm):
    at = forms.IntegerField(
        min_value=0, label=FIELD_LABELS["at"], help_text="Where the second part starts."
    )


class MergeForm(BoundaryForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "with" is a keyword: the field cannot be a class attribute.
        self.fields["with"] = forms.IntegerField(
            min_value=1, max_value=MAX_ID, label=FIELD_LABELS["with"]
        )
        self.fields["with_version"] = forms.IntegerField(required=False, min_value=1)


class SpanForm(BoundaryForm):
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=0)


class KindForm(BoundaryForm):
    kind = forms.ChoiceField(choices=ClaimKind.choices)
    speaker = forms.CharField(required=False, max_length=300)


class ClaimCreateForm(forms.Form):
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=0)
    kind = forms.ChoiceField(choices=ClaimKind.choices)
    speaker = forms.CharField(required=False, max_length=300)
    reason = forms.CharField(required=False, max_length=500)
