"""Who may call what in the API: every `api:` URL, anonymous, without a role and each role.

As tests/test_permissions.py does for the pages: an API URL without a row here fails
`test_every_api_url_is_in_the_table`. The API's rules are the web's (the same permissions),
so a user without a role is refused with the web's words.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from api.tokens import api_token_create
from sources.models import ImportBatch
from tests.factories import ClaimFactory, CorroborationFactory, NoteFactory

pytestmark = pytest.mark.django_db

ROLES = ("reviewer", "lead", "admin")


# name → [(method, body, status per role)]; the body may need the objects (a callable).
def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


ROUTES = {
    "api:claims": [("get", None, everyone(200))],
    "api:claim": [("get", None, everyone(200))],
    "api:claim_status": [("post", {"status": "in_review", "version": 1}, everyone(200))],
    "api:claim_credibility": [("post", {"credibility": 3, "version": 1}, everyone(200))],
    "api:corroborations": [
        ("post", {"stance": "supports", "outlet": "Harbour Wire"}, everyone(201))
    ],
    "api:corroboration": [
        ("patch", {"excerpt": "Output rose.", "version": 1}, everyone(200)),
        ("delete", None, everyone(200)),
    ],
    "api:ratings": [("post", {"confidence": "low", "rationale": "One source."}, everyone(200))],
    "api:notes": [("post", {"text": "Called the port."}, everyone(201))],
    # A note is its author's: the others are refused, whatever their role.
    "api:note": [
        (
            "patch",
            {"text": "Called twice.", "version": 1},
            {"reviewer": 200, "lead": 403, "admin": 403},
        ),
        ("delete", None, {"reviewer": 200, "lead": 403, "admin": 403}),
    ],
    "api:articles": [("get", None, everyone(200))],
    "api:article": [("get", None, everyone(200))],
    "api:publishers": [("get", None, everyone(200))],
    "api:publisher": [
        (
            "patch",
            {"reliability": "B", "reason": "Graded."},
            {"reviewer": 403, "lead": 200, "admin": 200},
        )
    ],
    "api:exports": [("get", None, everyone(200))],
    "api:imports": [("multipart", None, {"reviewer": 403, "lead": 403, "admin": 201})],
    "api:import": [("get", None, {"reviewer": 403, "lead": 403, "admin": 200})],
    "api:schema": [("get", None, everyone(200))],
    "api:docs": [("get", None, everyone(200))],
}
# What a user without a role may not do, and the refusal the pages give for it.
NO_ROLE_REFUSALS = {
    "api:claims": "You are not allowed to view claim",
    "api:claim_status": "You are not allowed to change claim",
    "api:corroborations": "You are not allowed to add corroboration",
    "api:publisher": "You are not allowed to change publisher",
}


@dataclass
class Objects:
    claim: object
    corroboration: object
    note: object
    batch: object


def make_objects(author) -> Objects:
    claim = ClaimFactory()
    return Objects(
        claim,
        CorroborationFactory(claim=claim),
        NoteFactory(claim=claim, author=author),
        ImportBatch.objects.create(origin="upload", created_by=author),
    )


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


def url(name: str, o: Objects) -> str:
    args = {
        "api:claims": [],
        "api:articles": [],
        "api:publishers": [],
        "api:exports": [],
        "api:imports": [],
        "api:import": [o.batch.pk],
        "api:schema": [],
        "api:docs": [],
        "api:corroboration": [o.claim.pk, o.corroboration.pk],
        "api:note": [o.claim.pk, o.note.pk],
        "api:article": [o.claim.article_id],
        "api:publisher": [o.claim.article.publisher_id],
    }.get(name, [o.claim.pk])
    path = reverse(name, args=args)
    return path + "?version=1" if name in ("api:corroboration", "api:note") else path


def call(client: Client, name: str, o: Objects, method: str, body, **headers):
    if method == "get":
        return client.get(url(name, o), **headers)
    if method == "multipart":
        files = {"files": [SimpleUploadedFile("plant.txt", b"Plant opens\nIt made 9 tonnes.\n")]}
        return client.post(url(name, o), files, **headers)
    send = getattr(client, method)
    return send(url(name, o), body or {}, content_type="application/json", **headers)


CASES = [
    pytest.param(name, method, body, statuses, id=f"{name}-{method}")
    for name, calls in ROUTES.items()
    for method, body, statuses in calls
]


def test_every_api_url_is_in_the_table():
    assert api_patterns() == set(ROUTES)


@pytest.mark.parametrize(
    ("name", "method", "body", "statuses"),
    [c for c in CASES if c.values[0] not in ("api:schema", "api:docs")],
)
def test_anonymous_calls_are_401(client, reviewer, name, method, body, statuses):
    response = call(client, name, make_objects(reviewer), method, body)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "body", "statuses"), CASES)
def test_each_role_with_a_token_gets_the_status_in_the_table(
    make_user, role, name, method, body, statuses
):
    users = {r: make_user(f"{r}1", r) for r in ROLES}
    token = api_token_create(user=users[role], name="t", expires_days=None).secret
    o = make_objects(users["reviewer"])
    response = call(Client(), name, o, method, body, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == statuses[role], response.content[:300]


@pytest.mark.parametrize("name", list(NO_ROLE_REFUSALS))
def test_a_user_without_a_role_is_refused_in_the_pages_words(reviewer, name):
    user = get_user_model().objects.create_user("norole", password="x-Pa55-word!")
    token = api_token_create(user=user, name="t", expires_days=None).secret
    method, body, _ = ROUTES[name][0]
    o = make_objects(reviewer)
    response = call(Client(), name, o, method, body, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "permission_denied"
    assert error["message"].startswith(NO_ROLE_REFUSALS[name])
    assert "role" in error["message"]
