"""The families tests' shared claims: a family of three copies in three outlets."""

import pytest

from claims.models import Claim, ClaimKind
from families.grouping import families_group_all
from tests.families.test_grouping import OTHER, STATEMENT, claim_in


def scored(claim: Claim, score: int, **fields) -> Claim:
    Claim.objects.filter(pk=claim.pk).update(score=score, kind=ClaimKind.STATEMENT, **fields)
    claim.refresh_from_db()
    return claim


@pytest.fixture
def family():
    """Three copies of one statement in three outlets (scores 40, 70, 55), and one other claim."""
    a = scored(claim_in(STATEMENT, outlet="Harbour Post", day=1), 40)
    b = scored(claim_in(STATEMENT, outlet="Lakeside Daily", day=2), 70)
    c = scored(claim_in(STATEMENT, outlet="Kestrel Courier", day=3), 55)
    other = scored(claim_in(OTHER, outlet="Orion Weekly", day=4), 60)
    families_group_all()
    return a, b, c, other
