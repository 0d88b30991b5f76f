"""The site's own pages around the apps: a refusal that says why, and the password pages, all
in the site's layout (never Django's bare 403 or the admin's look)."""

from xml.etree import ElementTree

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from claims import services
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

SITE = 'href="/static/css/app.css"'
ADMIN = "/static/admin/css/"


def in_site_layout(content: str) -> bool:
    return SITE in content and 'class="topbar"' in content and ADMIN not in content


def test_a_refused_page_is_the_site_s_403_saying_which_role_may(client, reviewer):
    client.force_login(reviewer)

    response = client.get(reverse("imports:upload"))

    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert in_site_layout(content)
    assert "<title>Not allowed · Claim workbench</title>" in content
    assert "You are not allowed to import articles: that needs the admin role." in content
    assert 'href="/claims/"' in content  # a way back


def test_a_refusal_with_its_own_reason_shows_that_reason(client, reviewer, lead):
    note = services.note_create(claim=ClaimFactory(), by=reviewer, text="Mine.")
    client.force_login(lead)

    response = client.get(reverse("claims:note_edit", args=[note.claim_id, note.pk]))

    assert response.status_code == 403
    assert in_site_layout(response.content.decode())
    assert "Only the author can edit a note." in response.content.decode()


def test_a_refusal_of_a_lead_s_action_names_the_roles_that_may(client, reviewer):
    claim = ClaimFactory()
    client.force_login(reviewer)

    response = client.post(reverse("claims:revert", args=[claim.pk]), {"kind": "claim"})

    assert response.status_code == 403
    assert (
        "You are not allowed to revert a recorded change: that needs the lead or admin role."
        in response.content.decode()
    )


def test_the_header_links_to_the_password_change_page(client, reviewer):
    client.force_login(reviewer)

    content = client.get(reverse("claims:list")).content.decode()

    assert f'href="{reverse("password_change")}"' in content


def test_password_change_pages_are_in_the_site_s_layout(client, reviewer):
    client.force_login(reviewer)

    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert in_site_layout(page.content.decode())
    assert 'name="old_password"' in page.content.decode()

    refused = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    )
    assert refused.status_code == 200
    assert "Your old password was entered incorrectly." in refused.content.decode()

    new = "Another-Pa55-word!"
    done = client.post(
        reverse("password_change"),
        {"old_password": reviewer.raw_password, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert done.redirect_chain[-1][0] == reverse("password_change_done")
    assert in_site_layout(done.content.decode())
    assert "Your password was changed." in done.content.decode()
    reviewer.refresh_from_db()
    assert reviewer.check_password(new)


@pytest.mark.parametrize(
    "name", ["password_reset", "password_reset_done", "password_reset_complete"]
)
def test_password_reset_pages_are_in_the_site_s_layout(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert SITE in response.content.decode() and ADMIN not in response.content.decode()


def test_password_reset_link_pages_are_in_the_site_s_layout(client, reviewer):
    uid = urlsafe_base64_encode(force_bytes(reviewer.pk))
    token = default_token_generator.make_token(reviewer)

    valid = client.get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
    broken = client.get(reverse("password_reset_confirm", args=[uid, "bad-token"]))

    assert SITE in valid.content.decode() and ADMIN not in valid.content.decode()
    assert 'name="new_password1"' in valid.content.decode()
    assert SITE in broken.content.decode() and ADMIN not in broken.content.decode()
    assert "This password reset link is no longer valid" in broken.content.decode()


def test_every_page_links_the_site_s_icon_and_favicon_ico_finds_it(client, reviewer):
    client.force_login(reviewer)
    icon = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'

    for url in (reverse("claims:list"), reverse("login"), reverse("password_change")):
        assert icon in client.get(url).content.decode(), url
    # Browsers (and the admin's pages) also ask for /favicon.ico on their own.
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (302, "/static/favicon.svg")


def test_the_icon_is_a_static_svg_image():
    path = finders.find("favicon.svg")
    assert path is not None
    root = ElementTree.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 32 32"
