"""Long selects written in one pass (workbench/widgets.py) and row links from one reverse()."""

import re

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse

from sources.models import Publisher
from tests.factories import PublisherFactory
from workbench.http import url_for_ids
from workbench.widgets import LongSelect, options_html

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & Co'


class PublisherForm(forms.Form):
    slow = forms.ModelChoiceField(queryset=Publisher.objects.order_by("name"), required=False)
    fast = forms.ModelChoiceField(
        queryset=Publisher.objects.order_by("name"), required=False, widget=LongSelect
    )


def options(html: str) -> list[tuple[str, bool, str]]:
    """(value, selected, label) of each option, whitespace aside."""
    found = re.findall(r'<option value="([^"]*)"(\s*selected)?\s*>([^<]*)</option>', html)
    return [(value, bool(selected), label) for value, selected, label in found]


def select_attrs(html: str) -> str:
    return re.match(r"<select([^>]*)>", html).group(1).split()


@pytest.mark.parametrize("chosen", [None, 1])
def test_a_long_select_shows_what_djangos_select_shows(chosen):
    publishers = [PublisherFactory(name=name) for name in ["Zeta Daily", HOSTILE, "Alpha Wire"]]
    initial = publishers[chosen].pk if chosen is not None else None
    form = PublisherForm(initial={"slow": initial, "fast": initial})

    slow, fast = str(form["slow"]), str(form["fast"])

    assert options(fast) == options(slow)
    assert len(options(fast)) == Publisher.objects.count() + 1  # the empty choice first
    assert [selected for _, selected, _ in options(fast)].count(True) == 1
    assert "<script>" not in fast and "&lt;script&gt;" in fast
    assert sorted(a.replace("fast", "slow") for a in select_attrs(fast)) == sorted(
        select_attrs(slow)
    )


def test_options_escape_values_and_labels():
    html = options_html([('"><b>', "<i>x</i>"), (2, "Two")], selected=[2])
    assert html == (
        '<option value="&quot;&gt;&lt;b&gt;">&lt;i&gt;x&lt;/i&gt;</option>'
        '<option value="2" selected>Two</option>'
    )


def test_the_options_tag_selects_the_value_given():
    template = Template("{% options choices chosen %}")
    html = template.render(Context({"choices": [(1, "One"), (2, "Two")], "chosen": 2}))
    assert options(html) == [("1", False, "One"), ("2", True, "Two")]


@pytest.mark.parametrize("name", ["claims:detail", "claims:take", "sources:article_detail"])
@pytest.mark.parametrize("pk", [1, 7, 123456789])
def test_url_for_ids_is_what_reverse_gives(name, pk):
    assert url_for_ids(name)(pk) == reverse(name, args=[pk])
