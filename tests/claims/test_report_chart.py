"""The report's status chart: an SVG drawn from a template, every name autoescaped."""

from pathlib import Path

from django.contrib.staticfiles import finders

from claims.models import ClaimStatus
from claims.reports import CHART_PUBLISHERS, STATUS_STYLESHEET, status_chart, status_colours


def test_publisher_names_are_escaped_in_labels_and_titles():
    svg = str(status_chart([('<script>alert("x")</script> & Co', {"verified": 2})]))
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co: 2 Verified" in svg


def test_bars_are_stacked_per_status_with_the_totals_and_a_legend():
    svg = str(status_chart([("Harbourline Daily", {"unreviewed": 3, "refuted": 1})]))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="chart"')
    assert svg.endswith("</svg>")
    # The biggest publisher fills the 420-unit bar: 3 of 4 claims, then the other 1 of 4.
    assert '<rect x="190.0" y="11" width="315.0" height="16" fill="#6b7280"' in svg
    assert '<rect x="505.0" y="11" width="105.0" height="16" fill="#b3261e"' in svg
    assert ">Harbourline Daily<" in svg and 'class="chart-total" font-size="11">4<' in svg
    assert svg.count('class="chart-legend"') == 2


def test_long_names_are_cut_and_only_the_biggest_publishers_drawn():
    data = [(f"Publisher number {i} with a long name", {"in_review": 20 - i}) for i in range(20)]
    svg = str(status_chart(data))
    assert svg.count('class="chart-label"') == CHART_PUBLISHERS
    assert ">Publisher number 0 with a l…<" in svg
    assert "Publisher number 0 with a long name: 20 In review" in svg


def test_an_empty_selection_says_so():
    assert ">No claims.<" in str(status_chart([]))


def test_the_chart_takes_its_colours_from_the_status_stylesheet_as_the_badges_do():
    css = Path(finders.find(STATUS_STYLESHEET)).read_text()
    colours = status_colours()

    assert set(colours) == set(ClaimStatus.values)
    for status, colour in colours.items():
        assert f"--{status}: {colour};" in css
        assert f".status-{status} {{ background: var(--{status}); }}" in css
    svg = str(status_chart([("Harbourline Daily", {"in_review": 1, "not_a_claim": 1})]))
    assert f'fill="{colours["in_review"]}"' in svg and f'fill="{colours["not_a_claim"]}"' in svg
