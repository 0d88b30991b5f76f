"""Leads add publishers to the registry and edit them: every field checked, nothing half-written."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sources import services
from sources.models import Ownership, Publisher, Reliability
from sources.registry import PublisherRegistry
from sources.services import publisher_create, publisher_update
from tests.factories import PublisherFactory

pytestmark = pytest.mark.django_db

ADD = "/sources/publishers/new/"


def entry(**values) -> dict:
    return {
        "name": "Harbour Post",
        "ownership": "private",
        "reliability": "C",
        "reason": "Seen on imported pages",
    } | values


def test_a_lead_adds_a_publisher_with_its_domains_normalised(lead_client, lead):
    owner = PublisherFactory(name="Harbour Media Group")
    response = lead_client.post(
        ADD,
        entry(
            kind="outlet",
            aliases="The Harbour Post\nHP Online",
            domains="https://www.HarbourPost.example/news/\nen.harbourpost.example",
            country="my",
            parent=owner.pk,
            description="Port-city daily.",
        ),
    )
    publisher = Publisher.objects.get(name="Harbour Post")
    assert response.status_code == 302
    assert response["Location"] == publisher.get_absolute_url()
    assert publisher.domains == ["harbourpost.example", "en.harbourpost.example"]
    assert publisher.aliases == ["The Harbour Post", "HP Online"]
    assert (publisher.country, publisher.parent, publisher.ownership) == (
        "Malaysia",
        owner,
        Ownership.PRIVATE,
    )
    assert publisher.reviewed is True
    # A lead's word: registry loads never overwrite these fields.
    assert {"name", "domains", "country", "parent", "ownership"} <= set(publisher.locked_fields)
    created = publisher.history.get()
    assert (created.history_user, created.history_change_reason) == (lead, "Seen on imported pages")
    # The registry finds it at once by its domain and alias.
    registry = PublisherRegistry.load()
    assert registry.by_url("https://en.harbourpost.example/a/1") == publisher
    assert registry.by_name("the harbour post") == publisher


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"domains": "harbour post"}, "domains", "is not a web domain"),
        ({"domains": "not a domain!!"}, "domains", "'not a domain!!' is not a web domain"),
        ({"domains": "notadomain!!"}, "domains", "'notadomain!!' is not a web domain"),
        ({"domains": "harbourpost"}, "domains", "is not a web domain"),
        ({"domains": "10.0.0.7"}, "domains", "is not a web domain"),
        ({"domains": "https://www.reuters.com/world"}, "domains", "already listed for Reuters"),
        ({"aliases": "AFP"}, "aliases", "already a name of Agence France-Presse"),
        ({"name": "Reuters"}, "name", "already exists"),
        ({"name": "reuters."}, "name", "already in the registry: Reuters"),
        ({"name": "author"}, "name", "names no outlet"),
        ({"name": "harbourpost.example"}, "name", "names no outlet"),
        ({"country": "Atlantis"}, "country", "is not a country"),
        ({"ownership": "owned"}, "ownership", "Select a valid choice"),
        ({"reliability": "Z"}, "reliability", "Select a valid choice"),
        ({"parent": "999999"}, "parent", "Select a valid choice"),
        ({"reason": ""}, "reason", "This field is required"),
    ],
)
def test_a_bad_entry_names_the_field_and_adds_nothing(lead_client, values, field, message):
    count = Publisher.objects.count()
    response = lead_client.post(ADD, entry(**values))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    assert Publisher.objects.count() == count
    assert message in response.content.decode().replace("&#x27;", "'")


def test_the_registry_page_offers_adding_to_leads_only(lead_client, client, make_user):
    assert f'href="{ADD}"' in lead_client.get(reverse("sources:publisher_list")).content.decode()
    client.force_login(make_user("rita", "reviewer"))
    assert f'href="{ADD}"' not in client.get(reverse("sources:publisher_list")).content.decode()


@pytest.mark.parametrize("domain", ["not a domain!!", "notadomain!!", "bad_host.example"])
def test_the_service_refuses_a_domain_that_is_no_host_naming_the_field(lead, domain):
    """Whoever calls it (the pages, the admin, a script): the check is the service's."""
    publisher = PublisherFactory(name="Harbour Post", domains=["harbourpost.example"])
    with pytest.raises(ValidationError) as caught:
        publisher_update(publisher=publisher, by=lead, reason="typo", domains=[domain])
    assert list(caught.value.message_dict) == ["domains"]
    assert caught.value.message_dict["domains"][0].startswith(f"{domain!r} is not a web domain")
    with pytest.raises(ValidationError) as caught:
        publisher_create(by=lead, reason="new", name="Other Post", domains=[domain])
    assert list(caught.value.message_dict) == ["domains"]
    publisher.refresh_from_db()
    assert publisher.domains == ["harbourpost.example"]


def test_a_publisher_cannot_be_owned_by_one_it_owns(lead):
    group = PublisherFactory(name="Harbour Media Group")
    paper = publisher_create(by=lead, reason="new", name="Harbour Post", parent=group)
    with pytest.raises(ValidationError) as caught:
        publisher_update(publisher=group, by=lead, reason="loop", parent=paper)
    assert caught.value.message_dict == {"parent": ["That would make the publisher its own owner."]}
    group.refresh_from_db()
    assert group.parent is None


def test_editing_keeps_what_an_entry_already_had(lead):
    """An entry made before these checks (named after its domain) stays editable."""
    legacy = Publisher.objects.create(
        name="oldsite.example", domains=["oldsite.example"], country="Europen Union"
    )
    publisher_update(publisher=legacy, by=lead, reason="graded", reliability="D")
    legacy.refresh_from_db()
    assert (legacy.reliability, legacy.country, legacy.name) == ("D", "Europen Union", legacy.name)
    with pytest.raises(ValidationError, match="is not a country"):
        publisher_update(publisher=legacy, by=lead, reason="typo", country="Europa Union")


def test_a_lead_s_save_marks_a_new_site_reviewed(lead):
    seen = PublisherRegistry().find_or_create(url="https://portnews.example/a", by=None)
    assert seen.reviewed is False
    publisher_update(publisher=seen, by=lead, reason="graded", ownership=Ownership.PRIVATE)
    seen.refresh_from_db()
    assert seen.reviewed is True


def test_a_reason_longer_than_the_history_column_is_cut_not_refused(lead):
    publisher = publisher_create(by=lead, reason="why " * 60, name="Harbour Post")
    reason = publisher.history.get().history_change_reason
    assert len(reason) == 100 and reason.endswith("…")


def test_the_service_takes_only_registry_fields(lead):
    with pytest.raises(TypeError, match="reviewed"):
        publisher_create(by=lead, reason="x", name="Harbour Post", locked_fields=[], reviewed_by=1)


# -- The entry's history: a diff per change, and a lead's revert --------------------------------


def revert_url(publisher) -> str:
    return reverse("sources:publisher_revert", args=[publisher.pk])


def test_the_registry_page_shows_each_change_as_a_diff_and_a_lead_reverts_it(lead_client, lead):
    owner = PublisherFactory(name="Harbour Media Group")
    publisher = publisher_create(by=lead, reason="seen", name="Harbour Post", reliability="C")
    publisher_update(
        publisher=publisher, by=lead, reason="graded wrongly", reliability="E", parent=owner
    )
    change = publisher.history.latest("history_id")

    page = lead_client.get(publisher.get_absolute_url()).content.decode()
    history = page[page.index('id="history"') :]
    assert "Reason: graded wrongly" in history
    assert (
        f"<td>reliability</td><td><del>{Reliability.C.label}</del></td><td><ins>{Reliability.E.label}</ins></td>"
        in history
    )
    assert "<ins>Harbour Media Group</ins>" in history
    assert f'name="history_id" value="{change.history_id}"' in history

    response = lead_client.post(
        revert_url(publisher), {"history_id": change.history_id, "reason": "E was for another"}
    )

    assert response.status_code == 302
    publisher.refresh_from_db()
    assert (publisher.reliability, publisher.parent) == ("C", None)
    latest = publisher.history.latest("history_id")
    assert (
        latest.history_change_reason == f"Reverted change #{change.history_id}: E was for another"
    )
    assert latest.history_user == lead


def test_a_publisher_revert_is_refused_when_the_field_changed_again(lead_client, lead):
    publisher = publisher_create(by=lead, reason="seen", name="Harbour Post", reliability="C")
    publisher_update(publisher=publisher, by=lead, reason="first", reliability="E")
    first = publisher.history.latest("history_id")
    publisher_update(publisher=publisher, by=lead, reason="second", reliability="B")

    response = lead_client.post(
        revert_url(publisher), {"history_id": first.history_id, "reason": "undo"}, follow=True
    )

    said = [str(m) for m in response.context["messages"]]
    assert said == [
        f"Change #{first.history_id} not reverted: Changed again since (reliability): revert "
        "the later change first."
    ]
    publisher.refresh_from_db()
    assert publisher.reliability == "B"


def test_a_publisher_revert_that_would_break_a_rule_is_refused(lead):
    owner = PublisherFactory(name="Harbour Media Group")
    publisher = publisher_create(by=lead, reason="seen", name="Harbour Post")
    publisher_update(publisher=publisher, by=lead, reason="renamed", name="Harbour Daily")
    renamed = publisher.history.latest("history_id")
    publisher_update(publisher=owner, by=lead, reason="alias", aliases=["Harbour Post"])

    with pytest.raises(ValidationError) as refused:
        services.publisher_revert(history_id=renamed.history_id, by=lead, reason="undo")

    assert "name" in refused.value.message_dict
    publisher.refresh_from_db()
    assert publisher.name == "Harbour Daily"


def test_a_publisher_s_creation_is_not_reverted_and_reviewers_see_no_revert(
    client, make_user, lead
):
    publisher = publisher_create(by=lead, reason="seen", name="Harbour Post")
    created = publisher.history.get()
    with pytest.raises(services.RevertRefused):
        services.publisher_revert(history_id=created.history_id, by=lead)
    publisher_update(publisher=publisher, by=lead, reason="graded", reliability="B")

    client.force_login(make_user("rita", "reviewer"))
    page = client.get(publisher.get_absolute_url()).content.decode()

    assert "Reason: graded" in page
    assert revert_url(publisher) not in page
    assert client.post(revert_url(publisher), {"history_id": 1, "reason": "x"}).status_code == 403


def test_a_publisher_edit_on_a_stale_page_is_refused_with_what_changed(lead_client, make_user):
    other = make_user("lena2", "lead")
    publisher = publisher_create(by=other, reason="seen", name="Harbour Post", reliability="C")
    page = lead_client.get(publisher.get_absolute_url()).content.decode()
    seen = int(re.search(r'<input type="hidden" name="version" value="(\d+)"', page).group(1))
    assert seen == publisher.history.latest("history_id").history_id
    publisher_update(publisher=publisher, by=other, reason="graded", reliability="B")

    response = lead_client.post(
        publisher.get_absolute_url(),
        entry(reliability="E", version=seen, reason="looks unreliable"),
    )

    assert response.status_code == 200
    said = " ".join(response.context["form"].non_field_errors())
    assert said.startswith("Not saved: someone changed this publisher since you opened it (")
    assert "reliability: C — Fairly reliable → B — Usually reliable (lena2, " in said
    publisher.refresh_from_db()
    assert publisher.reliability == "B"
    # The form keeps what the lead typed, at the version now shown: saving again goes through.
    latest = publisher.history.latest("history_id").history_id
    assert f'<input type="hidden" name="version" value="{latest}"' in response.content.decode()
    again = lead_client.post(
        publisher.get_absolute_url(),
        entry(reliability="E", version=latest, reason="looks unreliable"),
    )
    assert again.status_code == 302
    publisher.refresh_from_db()
    assert publisher.reliability == "E"
