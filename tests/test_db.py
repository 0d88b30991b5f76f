"""workbench/db.py: one answer to "is this PostgreSQL?", whatever the query is made of."""

from django.db import connection, connections

from sources.models import Article
from workbench.db import connection_of, is_postgres


def test_every_way_of_naming_the_database_gives_its_connection():
    default = connections["default"]
    for on in (None, "default", default, connection, Article.objects, Article.objects.all()):
        assert connection_of(on).vendor == default.vendor, on


def test_is_postgres_follows_the_vendor():
    expected = connection.vendor == "postgresql"
    assert is_postgres() is expected
    assert is_postgres(connection) is expected  # django.db.connection is a proxy, not a wrapper
    assert is_postgres(Article.objects.filter(pk=1)) is expected
