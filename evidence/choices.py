"""The vocabularies of evidence captures, importable without the models (claims reads them)."""

from django.db import models


class CaptureState(models.TextChoices):
    PENDING = "pending", "Capture pending"
    CAPTURED = "captured", "Captured"
    FAILED = "failed", "Capture failed"


class ExcerptStatus(models.TextChoices):
    NOT_CHECKED = "", "Not checked"
    FOUND = "found", "Found"
    DIFFERENT = "different", "Found with differences"
    NOT_FOUND = "not_found", "Not found"
    NO_TEXT = "no_text", "No text to check against"


class LinkState(models.TextChoices):
    UNCHECKED = "unchecked", "Not checked again yet"
    LIVE = "live", "Live, unchanged"
    GONE = "gone", "Gone"
    MOVED = "moved", "Moved"
    CHANGED = "changed", "Content changed"
    UNREACHABLE = "unreachable", "Unreachable"


# The link states that put the evidence in doubt: the queue filter and the verdict warning.
LINK_IN_DOUBT = (LinkState.GONE, LinkState.MOVED, LinkState.CHANGED, LinkState.UNREACHABLE)


class CapturePurpose(models.TextChoices):
    ATTACH = "attach", "When attached"
    RECHECK = "recheck", "Link check"
