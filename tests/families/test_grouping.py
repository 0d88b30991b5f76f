"""Claim families in the database: at import, for the whole database, and their representative."""

import datetime as dt

import pytest
from django.core.management import call_command

from claims.models import Claim
from families.grouping import families_group_all, families_group_new, signatures_fill
from families.models import ClaimFamily, ClaimSignature, FamilyMember, HowJoined
from imports.in_process import articles_import
from tests.factories import ArticleFactory, ClaimFactory, PublisherFactory

pytestmark = pytest.mark.django_db

STATEMENT = (
    "Northwind Metals said output at its Kestrel plant would double by the end of the decade."
)
REPRINT = "Northwind Metals says output at its Kestrel plant will double by the end of the decade."
OTHER = "Prices of dysprosium oxide fell for a third straight week in Harbourtown."


def claim_in(text: str, *, outlet: str, day: int, origin=None) -> Claim:
    body = f"Headline of {outlet} {day}\n{text}"
    publisher = PublisherFactory(name=outlet)
    article = ArticleFactory(
        text=body,
        publisher=publisher,
        origin=origin,
        published_at=dt.datetime(2026, 3, day, tzinfo=dt.UTC),
    )
    start = body.index("\n") + 1
    return ClaimFactory(article=article, start=start, end=len(body), text=body[start:])


def test_group_all_makes_one_family_of_copies_and_leaves_others_out():
    a = claim_in(STATEMENT, outlet="Harbour Post", day=3)
    b = claim_in(REPRINT, outlet="Lakeside Daily", day=2)
    c = claim_in(STATEMENT, outlet="Kestrel Courier", day=4)
    d = claim_in(OTHER, outlet="Orion Weekly", day=1)
    stats = families_group_all()
    assert (stats.families, stats.members) == (1, 3)
    family = ClaimFamily.objects.get()
    assert set(family.members.values_list("claim_id", flat=True)) == {a.pk, b.pk, c.pk}
    assert family.representative_id == b.pk  # the earliest, no origin known
    assert not FamilyMember.objects.filter(claim=d).exists()
    assert FamilyMember.objects.get(claim=c).how == HowJoined.EXACT
    assert FamilyMember.history.count() == 3


def test_representative_is_the_earliest_claim_of_the_origin_outlet():
    wire = PublisherFactory(name="Example Wire")
    claim_in(STATEMENT, outlet="Harbour Post", day=1, origin=wire)
    own = claim_in(STATEMENT, outlet="Example Wire", day=2, origin=wire)
    families_group_all()
    assert ClaimFamily.objects.get().representative_id == own.pk


def test_group_all_is_stable_and_takes_back_what_no_longer_matches():
    a = claim_in(STATEMENT, outlet="Harbour Post", day=1)
    b = claim_in(STATEMENT, outlet="Lakeside Daily", day=2)
    families_group_all()
    family = ClaimFamily.objects.get()
    assert families_group_all().changed == 0
    assert ClaimFamily.objects.get().pk == family.pk
    Claim.objects.filter(pk=b.pk).update(retired=True)
    families_group_all()
    assert not FamilyMember.objects.filter(claim__in=[a, b]).exists()
    assert not ClaimFamily.objects.exists()


def test_a_lead_placement_is_never_moved_by_the_machine():
    a = claim_in(STATEMENT, outlet="Harbour Post", day=1)
    b = claim_in(STATEMENT, outlet="Lakeside Daily", day=2)
    c = claim_in(STATEMENT, outlet="Kestrel Courier", day=3)
    apart = ClaimFamily.objects.create(representative=c)
    FamilyMember.objects.create(family=apart, claim=c, how=HowJoined.LEAD)
    families_group_all()
    assert FamilyMember.objects.get(claim=c).family_id == apart.pk
    family_of = dict(FamilyMember.objects.values_list("claim_id", "family_id"))
    assert family_of[a.pk] == family_of[b.pk]
    assert FamilyMember.objects.get(claim=a).family_id != apart.pk


def test_new_claims_join_the_stored_family():
    a = claim_in(STATEMENT, outlet="Harbour Post", day=1)
    b = claim_in(REPRINT, outlet="Lakeside Daily", day=2)
    families_group_all()
    family = ClaimFamily.objects.get()
    c = claim_in(STATEMENT, outlet="Kestrel Courier", day=3)
    assert families_group_new(claim_ids=[c.pk]) == 1
    assert FamilyMember.objects.get(claim=c).family_id == family.pk
    assert ClaimSignature.objects.filter(claim=c).exists()
    assert {a.pk, b.pk} < set(family.members.values_list("claim_id", flat=True))


def test_new_claims_bridging_two_families_make_one():
    first = claim_in(STATEMENT, outlet="Harbour Post", day=1)
    second = claim_in(REPRINT, outlet="Lakeside Daily", day=2)
    f1 = ClaimFamily.objects.create(representative=first)
    f2 = ClaimFamily.objects.create(representative=second)
    FamilyMember.objects.create(family=f1, claim=first, how=HowJoined.EXACT)
    FamilyMember.objects.create(family=f2, claim=second, how=HowJoined.EXACT)
    signatures_fill()
    new = claim_in(STATEMENT, outlet="Kestrel Courier", day=3)
    families_group_new(claim_ids=[new.pk])
    members = FamilyMember.objects.filter(claim__in=[first, second, new])
    assert members.values("family").distinct().count() == 1
    assert ClaimFamily.objects.count() == 1


def page(headline: str, *sentences: str) -> bytes:
    return "\n\n".join([headline, "Published: Mar 3, 2026", *sentences]).encode()


def test_an_import_groups_its_claims_with_the_stored_ones():
    articles_import(
        [("first.txt", page("Kestrel output to double", STATEMENT, OTHER))], by=None, origin="test"
    )
    assert not ClaimFamily.objects.exists()
    articles_import(
        [("second.txt", page("Northwind plans growth", REPRINT))], by=None, origin="test"
    )
    family = ClaimFamily.objects.get()
    texts = set(family.members.values_list("claim__text", flat=True))
    assert texts == {STATEMENT, REPRINT}


def test_a_statement_repeated_in_one_article_is_one_family_but_a_paraphrase_is_not():
    body = f"Headline\n{STATEMENT}\n{REPRINT}\n{STATEMENT}"
    article = ArticleFactory(text=body)
    spans = [(m, m + len(t)) for t, m in ((STATEMENT, 9), (REPRINT, body.index(REPRINT)))]
    spans.append((body.rindex(STATEMENT), len(body)))
    claims = [ClaimFactory(article=article, start=a, end=b, text=body[a:b]) for a, b in spans]
    families_group_all()
    family = ClaimFamily.objects.get()
    assert set(family.members.values_list("claim_id", flat=True)) == {claims[0].pk, claims[2].pk}


def test_the_command_prints_what_it_did():
    claim_in(STATEMENT, outlet="Harbour Post", day=1)
    claim_in(STATEMENT, outlet="Lakeside Daily", day=2)
    from io import StringIO

    out = StringIO()
    call_command("group_claim_families", stdout=out)
    assert out.getvalue().startswith("1 families, 2 claims in families")


def test_members_of_a_family_in_one_query(django_assert_num_queries):
    claim_in(STATEMENT, outlet="Harbour Post", day=1)
    claim_in(STATEMENT, outlet="Lakeside Daily", day=2)
    families_group_all()
    family = ClaimFamily.objects.get()
    with django_assert_num_queries(1):
        members = list(FamilyMember.objects.of_family(family.pk))
        outlets = [m.claim.article.publisher.name for m in members]
    assert sorted(outlets) == ["Harbour Post", "Lakeside Daily"]
