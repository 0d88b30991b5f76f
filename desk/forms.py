from django import forms
from django.contrib.auth import get_user_model

from claims.choices import VERDICT_CHOICES
from desk.choices import Strategy
from workbench.roles import LEAD, REVIEWER


def desk_reviewers():
    """Active users with a reviewer or lead role, by name: whom claims can be handed to."""
    return (
        get_user_model()
        .objects.filter(groups__name__in=[REVIEWER, LEAD], is_active=True)
        .distinct()
        .order_by("username")
    )


class HandOutForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    filter = forms.CharField(
        max_length=2000,
        required=False,
        help_text="A triage queue URL (or its query string): its claims are handed out.",
    )
    reviewers = forms.ModelMultipleChoiceField(
        queryset=desk_reviewers(), widget=forms.CheckboxSelectMultiple
    )
    strategy = forms.ChoiceField(choices=Strategy.choices, initial=Strategy.ROUND_ROBIN)
    overlap = forms.IntegerField(min_value=1, max_value=20, initial=1)
    blind = forms.BooleanField(required=False, label="Blind double review")
    due_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = desk_reviewers()


class AdjudicationForm(forms.Form):
    verdict = forms.ChoiceField(choices=VERDICT_CHOICES)
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
