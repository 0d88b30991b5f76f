"""@mentions in text: the one place a note's text is read for the usernames it names."""

from __future__ import annotations

import re

# Django's username characters (letters, digits, @ . + - _), after an @ that does not follow a
# word character (so an e-mail address "ann@example.org" mentions nobody).
MENTION = re.compile(r"(?<![\w.+-])@([\w.+-]*\w)")


def mentioned_usernames(text: str) -> list[str]:
    """The usernames `text` mentions (@name), once each, in order."""
    return list(dict.fromkeys(MENTION.findall(text)))
