"""Who may call what in the API: every `api:` URL, anonymous, without a role and each role.

As tests/test_permissions.py does for the pages: an API URL without a row here fails
`test_every_api_url_is_in_the_table`. The API's rules are the web's (the same permissions),
so a user without a role is refused with the web's words.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from api.tokens import api_token_create
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

ROLES = ("reviewer", "lead", "admin")

# name → (method, body, status for every role); None: not an operation (schema, docs).
ROUTES = {
    "api:claims": ("get", None, 200),
    "api:claim": ("get", None, 200),
    "api:claim_status": ("post", {"status": "in_review", "version": 1}, 200),
    "api:claim_credibility": ("post", {"credibility": 3, "version": 1}, 200),
    "api:corroborations": ("post", {"stance": "supports", "outlet": "Harbour Wire"}, 201),
    "api:ratings": ("post", {"confidence": "low", "rationale": "One source."}, 200),
    "api:notes": ("post", {"text": "Called the port."}, 201),
    "api:schema": ("get", None, 200),
    "api:docs": ("get", None, 200),
}
# What a user without a role may not do, and the refusal the pages give for it.
NO_ROLE_REFUSALS = {
    "api:claims": "You are not allowed to view claim",
    "api:claim_status": "You are not allowed to change claim",
    "api:corroborations": "You are not allowed to add corroboration",
}


def api_patterns() -> set[str]:
    found = set()

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif namespace == "api":
                found.add(f"api:{p.name}")

    walk(get_resolver().url_patterns, "")
    return found


def url(name: str, claim) -> str:
    needs_id = name not in ("api:claims", "api:schema", "api:docs")
    return reverse(name, args=[claim.pk] if needs_id else [])


def call(client: Client, name: str, claim, **headers):
    method, body, _ = ROUTES[name]
    if method == "get":
        return client.get(url(name, claim), **headers)
    return client.post(url(name, claim), body, content_type="application/json", **headers)


def test_every_api_url_is_in_the_table():
    assert api_patterns() == set(ROUTES)


@pytest.mark.parametrize("name", [n for n in ROUTES if n not in ("api:schema", "api:docs")])
def test_anonymous_calls_are_401(client, name):
    response = call(client, name, ClaimFactory())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(ROUTES))
def test_each_role_with_a_token_gets_the_status_in_the_table(make_user, role, name):
    user = make_user(f"{role}1", role)
    token = api_token_create(user=user, name="t", expires_days=None).secret
    response = call(Client(), name, ClaimFactory(), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == ROUTES[name][2], response.content[:300]


@pytest.mark.parametrize("name", list(NO_ROLE_REFUSALS))
def test_a_user_without_a_role_is_refused_in_the_pages_words(name):
    user = get_user_model().objects.create_user("norole", password="x-Pa55-word!")
    token = api_token_create(user=user, name="t", expires_days=None).secret
    response = call(Client(), name, ClaimFactory(), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "permission_denied"
    assert error["message"].startswith(NO_ROLE_REFUSALS[name])
    assert "role" in error["message"]
