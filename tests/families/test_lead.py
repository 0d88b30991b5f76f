"""A lead's merge, split and revert of families, through the services and the claim page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from families.grouping import families_group_all
from families.models import ClaimFamily, FamilyMember, HowJoined
from families.services import family_merge, family_revert, family_split
from tests.families.test_grouping import OTHER, STATEMENT, claim_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def family():
    a = claim_in(STATEMENT, outlet="Harbour Post", day=1)
    b = claim_in(STATEMENT, outlet="Lakeside Daily", day=2)
    c = claim_in(STATEMENT, outlet="Kestrel Courier", day=3)
    families_group_all()
    return a, b, c


def test_split_takes_a_claim_out_and_the_machine_leaves_it_out(family, lead):
    a, b, c = family
    apart = family_split(claim=c, by=lead, reason="Different deal")
    assert FamilyMember.objects.get(claim=c).family_id == apart.pk
    assert FamilyMember.objects.get(claim=c).how == HowJoined.LEAD
    families_group_all()
    assert FamilyMember.objects.get(claim=c).family_id == apart.pk
    rest = FamilyMember.objects.get(claim=a).family
    assert set(rest.members.values_list("claim_id", flat=True)) == {a.pk, b.pk}
    record = FamilyMember.history.filter(claim_id=c.pk).latest("history_id")
    assert (record.history_user, record.history_change_reason) == (lead, "Different deal")


def test_split_of_the_last_pair_leaves_no_family_for_the_other(lead):
    a = claim_in(STATEMENT, outlet="Harbour Post", day=1)
    b = claim_in(STATEMENT, outlet="Lakeside Daily", day=2)
    families_group_all()
    family_split(claim=b, by=lead, reason="Apart")
    assert not FamilyMember.objects.filter(claim=a).exists()


def test_merge_brings_another_claim_and_its_family_in(family, lead):
    a, _, _ = family
    other = claim_in(OTHER, outlet="Orion Weekly", day=4)
    merged = family_merge(claim=a, other=other, by=lead, reason="Same statement, reworded")
    assert FamilyMember.objects.get(claim=other).family_id == merged.pk
    assert merged.members.count() == 4


def test_merge_and_split_refuse_with_the_field_and_the_reason(family, lead):
    a, b, _ = family
    with pytest.raises(ValidationError) as refused:
        family_merge(claim=a, other=b, by=lead, reason="x")
    assert "already" in str(refused.value.message_dict["other"])
    with pytest.raises(ValidationError) as refused:
        family_split(claim=a, by=lead, reason=" ")
    assert "reason" in refused.value.message_dict
    loner = claim_in(OTHER, outlet="Orion Weekly", day=4)
    with pytest.raises(ValidationError):
        family_split(claim=loner, by=lead, reason="x")


def test_revert_puts_a_split_claim_back(family, lead):
    a, _, c = family
    family_split(claim=c, by=lead, reason="Apart")
    record = FamilyMember.history.filter(claim_id=c.pk).latest("history_id")
    family_revert(history_id=record.history_id, by=lead, reason="Was right")
    assert (
        FamilyMember.objects.get(claim=c).family_id == FamilyMember.objects.get(claim=a).family_id
    )


def test_panel_lists_members_and_outlets(family, rclient):
    a, _, _ = family
    response = rclient.get(reverse("families:claim_family", args=[a.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "×3 in 3 outlets" in body
    assert "Kestrel Courier" in body
    assert "Split off" not in body  # a reviewer cannot


def test_lead_splits_from_the_panel(family, lclient):
    a, _, c = family
    response = lclient.post(
        reverse("families:split", args=[a.pk]),
        {"member": c.pk, "reason": "Different plant"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f"Claim #{c.pk} split off" in response.content.decode()
    assert ClaimFamily.objects.count() == 2


def test_claim_page_loads_the_panel(family, rclient):
    a, _, _ = family
    page = rclient.get(reverse("claims:detail", args=[a.pk])).content.decode()
    assert reverse("families:claim_family", args=[a.pk]) in page
