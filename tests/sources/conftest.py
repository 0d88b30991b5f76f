"""Fixtures of the source pages' tests: a lead, logged in."""

import pytest


@pytest.fixture
def lead(make_user):
    return make_user("lena", "lead")


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client
