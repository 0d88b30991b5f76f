"""Template filters and tags shared by every page."""

from html import escape
from urllib.parse import urlsplit

from django import template
from django.utils.safestring import SafeString, mark_safe

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

    For long selects: a `{% for %}` over the ~1,800 publishers of the queue's filter was most
    of the queue's rendering (four variable lookups and a model instance an option), and
    `format_html` an option still a third of it. Values and labels are escaped.
    """
    return mark_safe(
        "".join(
            f'<option value="{escape(str(value))}"{" selected" if value == selected else ""}>'
            f"{escape(str(label))}</option>"
            for value, label in choices
        )
    )
