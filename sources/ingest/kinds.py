"""The vocabulary of segment kinds, shared by the pipeline and the `claims` models."""

from enum import StrEnum


class SegmentKind(StrEnum):
    HEADLINE = "headline"
    STATEMENT = "statement"
    QUOTE = "quote"  # attributed speech
    DISCLAIMER = "disclaimer"
    CAPTION = "caption"
    SUBHEADING = "subheading"
    CHROME = "chrome"  # widgets, credits, bylines, datelines, mastheads: kept, never triaged


CLAIM_KINDS = frozenset(k for k in SegmentKind if k is not SegmentKind.CHROME)
