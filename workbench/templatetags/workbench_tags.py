"""Template filters and tags shared by every page."""

from urllib.parse import urlsplit

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from workbench.text import reveal_bidi, reveal_bidi_html

register = template.Library()

FAVICON = "favicon.svg"  # the site's icon, a static file


@register.filter(name="reveal_bidi")
def reveal_bidi_filter(value):
    """Show text from an imported page with its direction controls as visible badges.

    Escapes as autoescaping does (workbench/text.py says why the controls are shown). Only
    text can hold one: a number or a date is left for the template to localise.
    """
    return reveal_bidi_html(value) if isinstance(value, str) else value


@register.filter(name="reveal_bidi_text")
def reveal_bidi_text_filter(value):
    """The same as plain text ("[U+202E]"), for where no HTML can go: a page's <title>."""
    return reveal_bidi(value) if isinstance(value, str) else value


@register.filter
def http_url(value: str) -> str:
    """Return `value` if it is an http(s) URL, else "" — never a `javascript:` link.

    URLs come from imported pages and reviewers' forms; escaping keeps them from breaking the
    HTML but not from running script when clicked, so every link to them goes through here.
    """
    value = (value or "").strip()
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:
        return ""
    return value if scheme in {"http", "https"} else ""


@register.simple_tag
def favicon_link() -> str:
    """The `<link>` to the site's icon (workbench/views.py `favicon` redirects /favicon.ico)."""
    return format_html('<link rel="icon" href="{}" type="image/svg+xml">', static(FAVICON))
