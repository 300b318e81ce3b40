"""Changes pushed to every process over Redis pub/sub (kernel.invalidation): the hot cache's
generation and service accounts, with no Redis read per lookup while the channel is up, and the
truth read again when it was down."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from django.db import connection

from identity.account_cache import active_service_account
from identity.services import create_service_account
from kernel import hot_cache, invalidation
from kernel.redis_client import shared_redis
from tests.waiting import eventually


def gets_so_far() -> int:
    return int(shared_redis().info("commandstats").get("cmdstat_get", {}).get("calls", 0))


class Loader:
    def __init__(self) -> None:
        self.loads = 0

    def __call__(self) -> int:
        self.loads += 1
        return self.loads


def bump_from_another_process(redis_url: str) -> None:
    """What another replica's `bump_generation()` does."""
    bump = f"r.eval({hot_cache.BUMP!r}, 1, {hot_cache.KEY!r}, {invalidation.CHANNEL!r})"
    subprocess.run(
        [sys.executable, "-c", f"import redis; r = redis.Redis.from_url({redis_url!r}); {bump}"],
        check=True,
        timeout=60,
    )


def test_a_bump_in_another_process_reaches_this_one_with_no_read_per_lookup(redis_url) -> None:
    assert eventually(invalidation.listening)
    load, key = Loader(), ("invalidation-test", time.monotonic_ns())
    assert hot_cache.cached(key, load) == 1
    before = gets_so_far()
    for _ in range(50):
        assert hot_cache.cached(key, load) == 1
    assert gets_so_far() == before  # the generation came from the channel, not from Redis

    bump_from_another_process(redis_url)
    assert eventually(lambda: hot_cache.cached(key, load) == 2)


def test_a_bump_whose_message_was_lost_is_read_when_the_channel_is_back() -> None:
    assert eventually(invalidation.listening)
    load, key = Loader(), ("invalidation-test", time.monotonic_ns())
    assert hot_cache.cached(key, load) == 1
    shared_redis().incr(hot_cache.KEY)  # a bump whose announcement nobody heard ...
    shared_redis().client_kill_filter(_type="pubsub")  # ... as when the subscription drops
    # Down, this process reads the number per lookup; back, it re-reads it: either way it sees it.
    assert eventually(lambda: hot_cache.cached(key, load) == 2)
    assert eventually(invalidation.listening)
    assert hot_cache.cached(key, load) == 2


def cached_then_two_bumps_lost(redis_url: str) -> tuple[Loader, tuple[str, int]]:
    """An entry cached under the current number; then Redis loses the last two bumps (fails over
    to a replica behind, the subscription staying up): the next changes are announced with
    numbers the entry was keyed by."""
    assert eventually(invalidation.listening)
    for _ in range(3):
        bump_from_another_process(redis_url)
    load, key = Loader(), ("invalidation-test", time.monotonic_ns())
    assert eventually(lambda: hot_cache.generation() == int(shared_redis().get(hot_cache.KEY)))
    assert hot_cache.cached(key, load) == 1
    shared_redis().set(hot_cache.KEY, int(shared_redis().get(hot_cache.KEY)) - 2)
    return load, key


def test_numbers_that_come_round_again_after_redis_lost_data_do_not_serve_old_entries(
    redis_url,
) -> None:  # fmt: skip
    load, key = cached_then_two_bumps_lost(redis_url)
    bump_from_another_process(redis_url)
    bump_from_another_process(redis_url)
    assert eventually(lambda: hot_cache.cached(key, load) == 2)


def test_this_process_bumping_first_after_redis_lost_data_drops_its_entries(redis_url) -> None:
    load, key = cached_then_two_bumps_lost(redis_url)
    hot_cache._bump()  # this process changes something first: its number went back
    bump_from_another_process(redis_url)  # ... and comes round to the entry's again
    assert eventually(lambda: hot_cache.cached(key, load) == 2)


@pytest.mark.django_db(transaction=True)
def test_a_revocation_announced_on_the_channel_drops_the_cached_account(
    make_tenant, settings
) -> None:
    settings.ATRIUM_PRINCIPAL_CACHE_SECONDS = 3600  # only the message can make it forget
    assert eventually(invalidation.listening)
    acme = make_tenant("acme")
    account, _ = create_service_account(tenant=acme, name="ci-bot")
    assert active_service_account(account.client_id) is not None
    with connection.cursor() as cursor:  # another replica revokes, in the database ...
        cursor.execute(
            "UPDATE tenants_serviceaccount SET revoked_at = now() WHERE id = %s", [account.pk]
        )
    assert active_service_account(account.client_id) is not None  # ... unknown here, until
    invalidation.publish("account", json.dumps(["builtin", account.client_id]))  # it announces
    assert eventually(lambda: active_service_account(account.client_id) is None)
