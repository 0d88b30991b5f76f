"""Template filters and tags shared by every page."""

from urllib.parse import urlsplit

from django import template
from django.utils.safestring import SafeString

from workbench.widgets import options_html

register = template.Library()


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
def options(choices, selected=None) -> SafeString:
    """`<option>`s of (value, label) pairs, the one equal to `selected` selected.

    For long selects (the queue's ~1,800 publishers): a `{% for %}` over them was most of the
    queue's rendering (a model instance and four variable lookups an option).
    """
    return options_html(choices, () if selected is None else (selected,))
