"""Fixtures of the source pages' tests: the lead (tests/conftest.py), logged in."""

import pytest


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client
