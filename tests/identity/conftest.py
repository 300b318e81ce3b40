"""Fixtures of the identity tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.identity.external_idp import FakeIdP


@pytest.fixture
def idp(settings) -> Iterator[FakeIdP]:
    provider = FakeIdP()
    provider.add_rsa_key("k1")
    settings.OIDC_ISSUER = provider.issuer
    yield provider
    provider.server.shutdown()
