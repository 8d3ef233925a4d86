"""Fixtures shared by every app's tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jisp.core.testing import Cast, make_cast


@pytest.fixture
def cast(db: Any) -> Cast:
    return make_cast()


@pytest.fixture
def signed_in(client: Client) -> Any:
    """``signed_in(user)``: the test client, signed in as ``user`` (two-factor already passed)."""

    def sign_in(user: Any) -> Client:
        client.force_login(user)
        return client

    return sign_in
