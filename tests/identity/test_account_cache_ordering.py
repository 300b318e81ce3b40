"""A service account read while its revocation commits is not kept: the forget that the commit
sends may land between the read and the store, and the row read is the revoked one."""

from __future__ import annotations

from typing import Any

import pytest

from identity import account_cache

pytestmark = pytest.mark.django_db


class ReadBeforeTheRevocationCommits:
    """The rows of an account that is active when read; its revocation commits (and its forget
    arrives) before what was read is stored."""

    def __init__(self, key: tuple[Any, ...]) -> None:
        self.key, self.reads = key, 0

    def values(self, *fields: str) -> ReadBeforeTheRevocationCommits:
        return self

    def first(self) -> dict[str, Any]:
        self.reads += 1
        account_cache._forget(self.key)  # forget_service_account, from the revoking commit
        return {"id": 987_654, "name": "bot", "tenant_id": 1, "role": "member",
                "business_unit_id": None}  # fmt: skip


def test_an_account_read_while_it_is_revoked_is_read_again_next_time() -> None:
    key = ("builtin", "ordering-test-client")
    rows = ReadBeforeTheRevocationCommits(key)
    assert account_cache._remembered(key, lambda: rows) is not None  # this call saw it active
    assert key not in account_cache._accounts  # but did not keep it
    account_cache._remembered(key, lambda: rows)
    assert rows.reads == 2  # the next call reads the truth
