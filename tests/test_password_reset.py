"""Password reset by e-mail: on when mail reaches someone, else a page saying whom to ask."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

pytestmark = pytest.mark.django_db

OFF = "Password reset is switched off"


def _reset_urls(user) -> list[str]:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return [
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        f"/accounts/reset/{uid}/{token}/",
        "/accounts/reset/done/",
    ]


def test_without_email_the_reset_pages_say_to_ask_an_administrator(client, settings, reviewer):
    settings.EMAIL_ENABLED = False
    reviewer.email = "rita@example.org"
    reviewer.save()
    for url in _reset_urls(reviewer):
        response = client.get(url)
        assert response.status_code == 404, url
        body = response.content.decode()
        assert OFF in body and "Ask an administrator" in body
    response = client.post("/accounts/password_reset/", {"email": reviewer.email})
    assert response.status_code == 404
    assert "e-mailed" not in response.content.decode()
    assert mail.outbox == []


def test_with_email_a_reset_link_is_sent(client, settings, reviewer):
    settings.EMAIL_ENABLED = True
    reviewer.email = "rita@example.org"
    reviewer.save()
    response = client.post("/accounts/password_reset/", {"email": reviewer.email})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    assert "/accounts/reset/" in mail.outbox[0].body
    assert OFF not in client.get("/accounts/password_reset/").content.decode()


def test_login_and_password_change_do_not_need_email(client, settings, reviewer):
    settings.EMAIL_ENABLED = False
    assert client.get("/accounts/login/").status_code == 200
    client.force_login(reviewer)
    assert client.get("/accounts/password_change/").status_code == 200
