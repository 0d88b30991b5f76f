"""Serialise articles and publishers: plain dicts (JSON-ready), articles streamed one at a time."""

from collections.abc import Iterator

from sources.models import Article, Publisher


def article_record(article: Article) -> dict:
    """Return the export record of one article (see README, "Export formats")."""
    return {
        "id": article.pk,
        "title": article.title,
        "publisher": article.publisher.name if article.publisher_id else None,
        "published": article.published_at.isoformat() if article.published_at else None,
        "published_raw": article.published_raw,
        "byline": article.byline,
        "language": article.language,
        "url": article.url,
        "source_name": article.source_name,
        "sha256": article.sha256,
        "repairs": article.repairs,
        "text": article.text,
    }


def iter_article_records(queryset=None) -> Iterator[dict]:
    """Yield export records for articles in id order without loading them all at once."""
    queryset = queryset if queryset is not None else Article.objects.all()
    for article in queryset.select_related("publisher").order_by("pk").iterator(chunk_size=500):
        yield article_record(article)


def publisher_record(publisher: Publisher) -> dict:
    """Return a registry entry as the API shows it (what a lead can change, and its id)."""
    return {
        "id": publisher.pk,
        "name": publisher.name,
        "kind": publisher.kind,
        "aliases": publisher.aliases or [],
        "domains": publisher.domains or [],
        "country": publisher.country,
        "ownership": publisher.ownership,
        "parent_id": publisher.parent_id,
        "reliability": publisher.reliability,
        "description": publisher.description,
        "reviewed": publisher.reviewed,
    }
