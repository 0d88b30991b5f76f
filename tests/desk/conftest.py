import pytest

from tests.factories import ArticleFactory, ClaimFactory

SENTENCES = ["A one.", "B two.", "C three.", "D four.", "E five.", "F six."]


@pytest.fixture
def desk(make_user):
    """A lead and three reviewers."""
    return {
        "lead": make_user("lena", "lead"),
        "ann": make_user("ann", "reviewer"),
        "bob": make_user("bob", "reviewer"),
        "cy": make_user("cy", "reviewer"),
    }


@pytest.fixture
def claims6(db):
    """Six open claims of one article, scores 60 … 10 (the queue's order is the text's)."""
    article = ArticleFactory(text="Head\n" + " ".join(SENTENCES))
    out = []
    for i, sentence in enumerate(SENTENCES):
        start = article.text.index(sentence)
        out.append(
            ClaimFactory(article=article, start=start, end=start + len(sentence), score=60 - 10 * i)
        )
    return out
