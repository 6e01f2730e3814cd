"""The run ledger: one run per job and period, whatever restarts and retries happen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from alembic import command
from sqlalchemy import insert, inspect, text

from sentinel.daemon.ledger import FAILED, RUNNING, SUCCEEDED, RunLedger
from sentinel.store import Store, schema
from sentinel.store.once import CLAIMED, ONCE

NINE = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
NINE_UTC = NINE.replace(tzinfo=None)  # as the store keeps it


@pytest.fixture
def store(backend_store: Store) -> Store:
    """Every test of this module runs on SQLite and on PostgreSQL."""
    return backend_store


def test_a_period_is_claimed_once(store: Store) -> None:
    ledger = RunLedger(store)
    run = ledger.claim("cost-report", "2026-03-10")
    assert run is not None and run.status == RUNNING and run.attempts == 1
    assert ledger.claim("cost-report", "2026-03-10") is None  # running
    ledger.finish("cost-report", "2026-03-10", ok=True, summary="posted")
    assert ledger.claim("cost-report", "2026-03-10") is None  # done
    assert ledger.claim("cost-report", "2026-03-11") is not None  # the next day is new
    assert ledger.claim("anomaly-scan", "2026-03-10") is not None  # another job


def test_a_failed_run_may_be_retried_and_force_reruns_a_success(store: Store) -> None:
    ledger = RunLedger(store)
    ledger.claim("cost-report", "2026-03-10")
    ledger.finish("cost-report", "2026-03-10", ok=False, summary="Slack refused")
    again = ledger.claim("cost-report", "2026-03-10")
    assert again is not None and again.attempts == 2
    ledger.finish("cost-report", "2026-03-10", ok=True, summary="posted")
    final = ledger.get("cost-report", "2026-03-10")
    assert final is not None and final.status == SUCCEEDED and final.summary == "posted"
    assert ledger.claim("cost-report", "2026-03-10", force=True) is not None
    assert FAILED != SUCCEEDED


def test_a_claim_is_leased_to_its_holder_for_the_lease(store: Store) -> None:
    ledger = RunLedger(store, holder="host-a:101:0a0a", lease=timedelta(seconds=45))
    with time_machine.travel(NINE, tick=False):
        run = ledger.claim("cost-report", "2026-03-10", scheduled=NINE_UTC)
    assert run is not None
    assert (run.holder, run.lease_until) == ("host-a:101:0a0a", NINE_UTC + timedelta(seconds=45))
    assert run.scheduled_at == NINE_UTC
    assert ledger.renew_every == timedelta(seconds=15)
    assert RunLedger(store).holder != RunLedger(store).holder  # a random part per ledger


def test_a_renewed_lease_is_never_taken_over_however_long_the_job_runs(store: Store) -> None:
    holder, other = RunLedger(store, holder="host-a:101:0a0a"), RunLedger(store, holder="b")
    with time_machine.travel(NINE, tick=False) as clock:
        run = holder.claim("cost-report", "2026-03-10")
        assert run is not None
        for _ in range(4 * 60 * 3):  # three hours of renewals every 15 seconds
            clock.shift(timedelta(seconds=15))
            assert holder.renew(run)
            assert other.claim("cost-report", "2026-03-10") is None
        clock.shift(timedelta(seconds=44))
        assert other.claim("cost-report", "2026-03-10") is None  # a second short of the lease
    current = holder.get("cost-report", "2026-03-10")
    assert current is not None and current.attempts == 1 and current.holder == holder.holder
    assert current.lease_until == NINE_UTC + timedelta(hours=3, seconds=45)


def test_a_passed_lease_is_taken_over_and_its_old_holder_records_nothing(store: Store) -> None:
    dead = RunLedger(store, holder="host-a:101:0a0a")
    taker = RunLedger(store, holder="host-b:202:0b0b")
    with time_machine.travel(NINE, tick=False) as clock:
        first = dead.claim("cost-report", "2026-03-10", scheduled=NINE_UTC)
        assert first is not None
        clock.shift(timedelta(seconds=46))
        taken = taker.claim("cost-report", "2026-03-10")
        assert taken is not None
        assert (taken.attempts, taken.holder, taken.status) == (2, "host-b:202:0b0b", RUNNING)
        assert taken.scheduled_at == NINE_UTC + timedelta(seconds=46)
        assert dead.claim("cost-report", "2026-03-10") is None  # the new lease is live
        # The old holder comes back: it cannot renew, nor record its result over the new run.
        assert not dead.renew(first)
        assert not dead.finish("cost-report", "2026-03-10", True, "late", attempt=1)
        clock.shift(timedelta(seconds=10))
        assert taker.renew(taken)
        assert taker.finish("cost-report", "2026-03-10", True, "posted", attempt=2)
        assert not dead.finish("cost-report", "2026-03-10", False, "late", attempt=1)
    final = taker.get("cost-report", "2026-03-10")
    assert final is not None
    assert (final.status, final.summary, final.attempts) == (SUCCEEDED, "posted", 2)
    assert final.holder == "host-b:202:0b0b" and final.lease_until is None
    assert taker.running() == []


def test_two_takers_of_one_passed_lease_make_one_claim(store: Store) -> None:
    RunLedger(store, holder="dead").claim("cost-report", "2026-03-10")
    takers = [RunLedger(store, holder=f"taker-{n}") for n in range(3)]
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=1), tick=False):
        won = [t.claim("cost-report", "2026-03-10") for t in takers]
    assert [r is not None for r in won] == [True, False, False]
    assert [r.attempts for r in RunLedger(store).running()] == [2]


def test_a_run_claimed_before_leases_existed_is_taken_over(store: Store) -> None:
    """As the migration carries such a run over: running, with no holder and no lease."""
    ledger = RunLedger(store)
    with store.engine.begin() as db:
        db.execute(
            insert(ONCE).values(
                scope="job",
                key="cost-report",
                part="2026-03-10",
                status=CLAIMED,
                attempts=1,
                started_at=NINE_UTC,
            )
        )
    [old] = ledger.running("cost-report")
    assert old.lease_expired(NINE_UTC) and old.holder is None
    taken = ledger.claim("cost-report", "2026-03-10")
    assert taken is not None and taken.attempts == 2 and taken.holder == ledger.holder


def test_a_lease_must_last(store: Store) -> None:
    with pytest.raises(ValueError, match="a lease must last"):
        RunLedger(store, lease=timedelta(0))


def test_a_store_at_0001_gains_the_leases_and_its_running_claim_is_taken_over(
    store_url: str,
) -> None:
    old = Store(store_url)
    schema.upgrade(old.engine, to="0001")  # as the Sentinel before leases left it
    with old.engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO job_runs (job, period, status, attempts, started_at)"
                " VALUES ('cost-report', '2026-03-10', 'running', 1, '2026-03-10 09:00:00')"
            )
        )
    before, after = schema.upgrade(old.engine)
    assert (before.current, after.current) == ("0001", schema.head())
    ledger = RunLedger(Store(store_url))
    taken = ledger.claim("cost-report", "2026-03-10")
    assert taken is not None and (taken.attempts, taken.holder) == (2, ledger.holder)
    with old.engine.begin() as db:
        command.downgrade(schema._config(db), "0001")
    columns = {c["name"] for c in inspect(old.engine).get_columns("job_runs")}
    assert not columns & {"holder", "lease_until", "scheduled_at"} and "attempts" in columns
    old.dispose()
