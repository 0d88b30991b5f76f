"""Long selects written once (workbench/widgets.py, sources/widgets.py), the shared publisher
registry they come from, and row links from one reverse()."""

import re

import pytest
from django import forms
from django.urls import reverse

from sources.models import Publisher
from sources.registry import PublisherRegistry
from sources.widgets import PublisherSelect
from tests.factories import PublisherFactory
from workbench.http import url_for_ids
from workbench.widgets import options_html

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & Co'


class PublisherForm(forms.Form):
    slow = forms.ModelChoiceField(queryset=Publisher.objects.order_by("name"), required=False)
    fast = forms.ModelChoiceField(
        queryset=Publisher.objects.order_by("name"), required=False, widget=PublisherSelect
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


def test_the_select_shows_a_publisher_added_renamed_or_deleted_since_the_last_page():
    kept, gone = PublisherFactory(name="Kept Daily"), PublisherFactory(name="Gone Weekly")
    before = {label for _, _, label in options(str(PublisherForm()["fast"]))}
    assert {"Kept Daily", "Gone Weekly"} <= before

    PublisherFactory(name="Added Wire")
    kept.name = "Renamed Daily"
    kept.save()
    gone.delete()

    after = {label for _, _, label in options(str(PublisherForm()["fast"]))}
    assert after - before == {"Added Wire", "Renamed Daily"}
    assert before - after == {"Kept Daily", "Gone Weekly"}


def test_the_shared_registry_is_reused_until_a_publisher_changes(django_assert_num_queries):
    PublisherFactory(name="Harbour Courier")
    first = PublisherRegistry.shared()

    with django_assert_num_queries(1):  # the version, nothing loaded
        assert PublisherRegistry.shared() is first

    PublisherFactory(name="Nordic Wire")
    again = PublisherRegistry.shared()
    assert again is not first
    assert again.by_name("Nordic Wire") is not None


def test_the_shared_registry_cannot_be_changed():
    shared = PublisherRegistry.shared()

    with pytest.raises(TypeError, match="read-only"):
        shared.find_or_create(name="Brand New Gazette")
    with pytest.raises(TypeError, match="read-only"):
        shared.add(PublisherFactory(name="Sneaked In"))
    assert not Publisher.objects.filter(name="Brand New Gazette").exists()
    assert shared.by_name("Sneaked In") is None


def test_a_rolled_back_publisher_is_not_kept_by_the_shared_registry(django_db_blocker):
    from django.db import transaction

    try:
        with transaction.atomic():
            PublisherFactory(name="Phantom Press")
            assert PublisherRegistry.shared().by_name("Phantom Press") is not None
            raise RuntimeError("roll back")
    except RuntimeError:
        pass

    assert PublisherRegistry.shared().by_name("Phantom Press") is None


@pytest.mark.parametrize("name", ["claims:detail", "claims:take", "sources:article_detail"])
@pytest.mark.parametrize("pk", [1, 7, 123456789])
def test_url_for_ids_is_what_reverse_gives(name, pk):
    assert url_for_ids(name)(pk) == reverse(name, args=[pk])
