"""Recompute the syndication clusters of all imported articles."""

import time

from django.core.management.base import BaseCommand

from sources.clustering import cluster_all


class Command(BaseCommand):
    help = "Group near-copies of imported articles into syndication clusters (earliest = origin)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        stats = cluster_all()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{stats.clusters} clusters found, {stats.articles} articles clustered, "
            f"{stats.changed} articles changed, {seconds:.2f} seconds"
        )
