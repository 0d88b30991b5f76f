"""The Jinja2 environment of the hot fragments: the rows of long lists.

Django's template language costs ~13 µs a variable; the triage queue's 50 rows are ~1,250
of them, most of its rendering time. Jinja2 (a template backend Django ships) compiles a
template to Python and renders the same rows faster. Only fragments that a profile showed
hot are written in it (`templates/jinja2/`), and they render exactly as Django's templates
would: every value shown goes through the same localisation and escaping (`_shown`: local
time, localised numbers, Django's `conditional_escape`), and the filters give what Django's
give (`truncatechars`, `date`; `reveal_bidi` is the one of workbench/text.py) — with fast
paths for the cases the rows meet (a text already short enough, the two date formats),
checked against Django's in tests/test_jinja2_fragments.py.
"""

from __future__ import annotations

import html
import unicodedata
from datetime import datetime

from django.conf import settings
from django.template import defaultfilters, engines
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from jinja2 import Environment

from workbench.text import reveal_bidi_html


def _shown(value):
    """A value as a Django template shows it: local time, localised numbers, escaped.

    The environment's only escaping (`environment` turns Jinja2's autoescape off): every
    `{{ … }}` output goes through it, and what is marked safe (`__html__`) is kept as is."""
    kind = type(value)
    if kind is str:
        return html.escape(value)  # what Django's escape() does, without its wrapper
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # what localize() gives an int without thousand separators
    return conditional_escape(localize(template_localtime(value)))


def _truncatechars(value, length: int):
    """Django's `truncatechars`. Fast paths: a text no longer than `length` is returned as it
    is when Django's NFC normalisation leaves it as it is (Django's count skips combining
    characters, so such a text is never cut); an ASCII text (no combining characters) is cut
    to `length` - 1 characters and an ellipsis."""
    length = int(length)
    if type(value) is str and length > 0:
        if value.isascii():
            return value if len(value) <= length else value[: length - 1] + "…"
        if len(value) <= length and unicodedata.is_normalized("NFC", value):
            return value
    return defaultfilters.truncatechars(value, length)


def _date(value, arg=None):
    """Django's `date` filter, in the current time zone as Django's templates apply it."""
    value = template_localtime(value)
    if isinstance(value, datetime):
        if arg == "c":
            return value.isoformat()
        if arg == "Y-m-d H:i":
            v = value
            return f"{v.year:04d}-{v.month:02d}-{v.day:02d} {v.hour:02d}:{v.minute:02d}"
    return defaultfilters.date(value, arg)


def environment(**options) -> Environment:
    # `_shown` escapes every output as Django does; Jinja2's autoescape would escape each
    # one a second time for nothing (a Markup built and checked per value: a third of the
    # queue rows' rendering time).
    env = Environment(**(options | {"autoescape": False}), finalize=_shown)
    env.filters.update(
        {"truncatechars": _truncatechars, "date": _date, "reveal_bidi": reveal_bidi_html}
    )
    return env


def render_fragment(template_name: str, context: dict) -> SafeString:
    """A fragment of templates/jinja2/, escaped as Django would, to place in a Django template."""
    return mark_safe(engines["jinja2"].get_template(template_name).render(context))
