"""Direction controls in imported text are shown as markers, never applied (workbench/text.py)."""

import html

from django.template import Context, Template
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from workbench.text import BIDI_CONTROLS, reveal_bidi, reveal_bidi_html

CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_every_direction_control_becomes_its_marker():
    assert set(CONTROLS) == BIDI_CONTROLS
    for char in CONTROLS:
        assert reveal_bidi(f"a{char}b") == f"a[U+{ord(char):04X}]b"


def test_other_text_is_left_as_it_is():
    # Right-to-left letters need no control; joiners and spaces are no direction controls.
    text = "سلام שלום 中国 a\u200db\u00a0c\u200b"
    assert reveal_bidi(text) == text
    assert reveal_bidi_html(text) == text


def test_html_is_escaped_and_each_control_is_a_badge_naming_it():
    shown = reveal_bidi_html("<b>\u202eexe.png</b>")
    assert shown == (
        '&lt;b&gt;<span class="bidi-control" data-bidi-control title="RIGHT-TO-LEFT OVERRIDE: '
        'a text-direction control in the text, shown here instead of applied">[U+202E]</span>'
        "exe.png&lt;/b&gt;"
    )
    assert not set(shown) & BIDI_CONTROLS
    # Safe HTML is not escaped again; its controls are shown all the same.
    assert html.unescape(strip_tags(reveal_bidi_html(mark_safe("<i>\u2066x</i>")))) == "[U+2066]x"


def test_the_template_filters_show_text_and_leave_other_values_alone():
    template = Template("{{ t|reveal_bidi }}|{{ t|reveal_bidi_text }}|{{ n|reveal_bidi }}")
    shown = template.render(Context({"t": "a\u202e<b", "n": 1234}))
    first, second, third = shown.split("|")
    assert strip_tags(first) == "a[U+202E]&lt;b"
    assert second == "a[U+202E]&lt;b"  # plain text, escaped by the template
    assert third == "1234"
