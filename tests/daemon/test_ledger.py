"""The run ledger: one run per job and period, whatever restarts and retries happen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from sentinel.daemon.ledger import FAILED, RUNNING, SUCCEEDED, RunLedger
from sentinel.store import Store


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


def test_a_run_whose_process_died_is_reclaimed_later(store: Store) -> None:
    ledger = RunLedger(store)
    ledger.claim("cost-report", "2026-03-10")  # and the process dies
    assert ledger.claim("cost-report", "2026-03-10") is None
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=3), tick=False):
        reclaimed = ledger.claim("cost-report", "2026-03-10")
    assert reclaimed is not None and reclaimed.attempts == 2
