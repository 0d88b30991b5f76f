"""Template filters and tags shared by every page."""

from urllib.parse import urlsplit

from django import template

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
