"""Fixtures of the claims tests: two plain users (no role) for the service-level tests."""

import pytest

from tests.factories import UserFactory


@pytest.fixture
def alice():
    return UserFactory(username="alice")


@pytest.fixture
def bob():
    return UserFactory(username="bob")
