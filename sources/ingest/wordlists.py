"""Word lists written as literals: one helper so long vocabularies stay readable.

Plain Python, no Django.
"""

from __future__ import annotations


def word_set(text: str) -> frozenset[str]:
    """Return the set of white-space separated words of a literal (keeps word lists short)."""
    return frozenset(text.split())
