"""factory_boy factories for the models; text and spans are consistent by construction."""

import io
import zipfile

import factory
from django.contrib.auth import get_user_model

from claims.models import Claim, ClaimKind, Corroboration, Note, Rating, Stance
from sources.ingest.pipeline import text_sha256
from sources.models import Article, Ownership, Publisher


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.django.Password("correct horse battery staple")


class PublisherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Publisher
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Outlet {n}")
    ownership = Ownership.PRIVATE


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    publisher = factory.SubFactory(PublisherFactory)
    title = factory.Sequence(lambda n: f"Article {n}")
    text = factory.Sequence(
        lambda n: f"Headline {n}\nThe plant produced {n} tonnes in 2024. Output rose 5 percent."
    )
    received_text = factory.LazyAttribute(lambda a: a.text)
    sha256 = factory.LazyAttribute(lambda a: text_sha256(a.text))
    source_name = factory.Sequence(lambda n: f"article-{n}.txt")


class ClaimFactory(factory.django.DjangoModelFactory):
    """A claim over the first sentence after the headline of its article."""

    class Meta:
        model = Claim

    article = factory.SubFactory(ArticleFactory)
    start = factory.LazyAttribute(lambda c: c.article.text.index("\n") + 1)
    end = factory.LazyAttribute(lambda c: c.article.text.index(".", c.start) + 1)
    text = factory.LazyAttribute(lambda c: c.article.text[c.start : c.end])
    kind = ClaimKind.STATEMENT
    score = 50


class CorroborationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Corroboration

    claim = factory.SubFactory(ClaimFactory)
    url = factory.Sequence(lambda n: f"https://example.org/evidence/{n}")
    outlet = "Example Wire"
    excerpt = "Output rose."
    stance = Stance.SUPPORTS


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rating

    claim = factory.SubFactory(ClaimFactory)
    reviewer = factory.SubFactory(UserFactory)
    confidence = "moderate"


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    claim = factory.SubFactory(ClaimFactory)
    author = factory.SubFactory(UserFactory)
    text = "Checked against the company filing."


def zip_of(entries: dict[str, bytes]) -> bytes:
    """A zip archive (deflated) holding these entries, in order: the one test zip builder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def open_claims(n: int, *, score=None) -> list[Claim]:
    """`n` open claims of one invented article, one sentence each, in one bulk write.

    `score(i)` gives the i-th claim's check-worthiness; by default n-1 … 0, so the queue's
    default order (best score first) is the order of the text.
    """
    sentences = [f"Mine {i} shipped {i} tonnes of ore." for i in range(n)]
    text = " ".join(sentences)
    article = ArticleFactory(text=text, received_text=text)
    claims, at = [], 0
    for i, sentence in enumerate(sentences):
        end = at + len(sentence)
        value = score(i) if score else n - 1 - i
        claims.append(
            Claim(
                article=article,
                start=at,
                end=end,
                text=sentence,
                kind=ClaimKind.STATEMENT,
                score=value,
            )
        )
        at = end + 1
    return Claim.objects.bulk_create(claims)
