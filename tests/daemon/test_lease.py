"""The lease keeper: renews a claim while its job runs, and notices when it was taken over."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine

from sentinel.daemon.lease import LeaseKeeper
from sentinel.daemon.ledger import RunLedger
from sentinel.store import Store

from .conftest import london, wait_until


@pytest.fixture
def store(backend_store: Store) -> Store:
    """These tests run on SQLite and on PostgreSQL."""
    return backend_store


pytestmark = pytest.mark.real_clock  # the keeper's thread waits on a timed Event

LEASE = timedelta(seconds=1.2)


def test_the_keeper_renews_until_the_block_ends_and_notices_a_takeover(store: Store) -> None:
    holder = RunLedger(store, holder="host-a:101:a0a0", lease=LEASE)
    taker = RunLedger(store, holder="host-b:202:b0b0", lease=LEASE)
    with time_machine.travel(london(10, 9, 0), tick=True) as clock:
        run = holder.claim("cost-report", "2026-03-10")
        assert run is not None and run.lease_until is not None
        with LeaseKeeper(holder, run) as keeper:
            time.sleep(3 * LEASE.total_seconds())  # longer than the lease: still held
            renewed = holder.get("cost-report", "2026-03-10")
            assert renewed is not None and renewed.lease_until is not None
            assert renewed.lease_until > run.lease_until + LEASE
            assert taker.claim("cost-report", "2026-03-10") is None
            assert not keeper.lost
            # The holder's renewals stop reaching the store in time: the other takes over.
            while taker.claim("cost-report", "2026-03-10") is None:
                clock.shift(2 * LEASE)
            wait_until(lambda: keeper.lost, 5)
        held = holder.get("cost-report", "2026-03-10")
    assert held is not None and (held.holder, held.attempts) == ("host-b:202:b0b0", 2)


def test_a_finished_run_is_no_takeover(store: Store) -> None:
    ledger = RunLedger(store, lease=LEASE)
    run = ledger.claim("cost-report", "2026-03-10")
    assert run is not None
    with LeaseKeeper(ledger, run) as keeper:
        time.sleep(LEASE.total_seconds())
    assert ledger.finish("cost-report", "2026-03-10", True, "posted", attempt=run.attempts)
    time.sleep(LEASE.total_seconds())  # past the keeper's next wake-up
    assert not keeper.lost
