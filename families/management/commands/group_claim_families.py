"""Recompute the claim families of the whole database."""

import time

from django.core.management.base import BaseCommand

from families.grouping import families_group_all


class Command(BaseCommand):
    help = "Group claims that make one statement into families (exact, near-exact, paraphrase)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        stats = families_group_all()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{stats.families} families, {stats.members} claims in families, "
            f"{stats.changed} memberships changed, {seconds:.2f} seconds"
        )
