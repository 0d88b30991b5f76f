"""Text from imported pages as a reviewer must see it: direction controls shown, never obeyed.

A right-to-left override (U+202E) in a title or a sentence makes the browser draw what
follows it backwards, so a page can show words its text does not contain ("gnp.exe" drawn
as "exe.png"); the other explicit direction controls reorder text in the same way. The
canonical text keeps every character (each claim points into it by offsets): only what a
page shows changes, each control becoming a visible marker, "[U+202E]". Every page shows
text through this module: the Django filters `reveal_bidi` and `reveal_bidi_text`
(workbench/templatetags), the Jinja2 filter of the queue's rows (workbench/jinja2.py) and the
article text with its claims (sources/highlight.py).
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

# Unicode's explicit directional formatting characters (UAX #9): the embeddings and overrides
# LRE, RLE, PDF, LRO, RLO; the isolates LRI, RLI, FSI, PDI; the marks LRM, RLM and ALM.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_CONTROL = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")


def bidi_marker(char: str) -> str:
    """The visible stand-in of one direction control: "[U+202E]"."""
    return f"[U+{ord(char):04X}]"


def reveal_bidi(text: str) -> str:
    """Return `text` with each direction control replaced by its marker (plain text).

    For where no HTML can go, such as a page's <title>.
    """
    return _CONTROL.sub(lambda m: bidi_marker(m.group()), text)


def _badge(match: re.Match) -> str:
    char = match.group()
    name = unicodedata.name(char)
    # data-bidi-control: the selection tools count the badge as the one character it stands
    # for (static/js/selection.js), so offsets read from the page stay the server's.
    return (
        f'<span class="bidi-control" data-bidi-control title="{name}: a text-direction '
        f'control in the text, shown here instead of applied">{bidi_marker(char)}</span>'
    )


def reveal_bidi_html(text) -> SafeString:
    """Return `text` escaped for HTML, each direction control a badge showing its marker.

    HTML already marked safe is not escaped again; its controls become badges too (a
    control is never part of markup, so replacing it cannot break any).
    """
    escaped = conditional_escape(text)
    if _CONTROL.search(escaped) is None:
        return escaped
    return mark_safe(_CONTROL.sub(_badge, escaped))
