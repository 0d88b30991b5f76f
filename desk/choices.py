"""The desk's vocabularies: how a hand-out shares claims out, where an assignment is."""

from django.db import models


class Strategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", "Round-robin"
    BY_LOAD = "by_load", "By load (fewest open assignments first)"


class AssignmentState(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
