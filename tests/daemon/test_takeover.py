"""Two daemons on one store: one run per job and period, and a dead holder's run taken over
once its lease has passed, never while its holder renews it."""

from __future__ import annotations

import threading
import time
from datetime import UTC, timedelta

import pytest
import time_machine
from sqlalchemy.exc import OperationalError

from sentinel.aws.session import SessionFactory
from sentinel.config.loader import Config
from sentinel.daemon.ledger import RUNNING, SUCCEEDED, Run, RunLedger
from sentinel.daemon.registry import JobContext, JobSpec
from sentinel.daemon.scheduler import Daemon
from sentinel.store import Store

from .conftest import london, wait_until


@pytest.fixture
def store(backend_store: Store) -> Store:
    """These tests run on SQLite and on PostgreSQL."""
    return backend_store


# The schedulers' loops and the lease threads wait on timed Events (hang under libfaketime).
pytestmark = pytest.mark.real_clock

# Renewed and watched every second: two seconds of slack for a renewal on a loaded machine.
LEASE = timedelta(seconds=3)


class SlowProbe:
    """A daily 09:00 job that takes ``seconds`` and records each start, with its holder."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.starts: list[str] = []
        self.finished = threading.Event()

    def run(self, context: JobContext) -> str:
        run = RunLedger(context.store).get("probe", context.period)
        self.starts.append(f"{context.period} by {run.holder if run else '?'}")
        time.sleep(self.seconds)
        self.finished.set()
        return f"ran for {context.period}"

    def jobs(self) -> dict[str, JobSpec]:
        return {"probe": JobSpec("probe", "test job", lambda config: "0 9 * * *", self.run)}


def test_two_daemons_run_a_job_longer_than_its_lease_once(
    aws: SessionFactory, config: Config, store: Store
) -> None:
    probe = SlowProbe(seconds=2 * LEASE.total_seconds())
    # Started early enough that both schedulers have the job before 09:00, even when slow.
    with time_machine.travel(london(10, 8, 59, 57), tick=True):
        daemons = [Daemon(config, aws, store, probe.jobs(), lease=LEASE) for _ in range(2)]
        for daemon in daemons:
            daemon.start()
        wait_until(probe.finished.is_set, 30)
        wait_until(lambda: RunLedger(store).running() == [])
        time.sleep(LEASE.total_seconds())  # a watch or two more: nothing to take over
        for daemon in daemons:
            assert daemon.scheduler is not None and daemon.scheduler._thread.is_alive()
            daemon.stop()
    [run] = RunLedger(store).runs("probe")
    assert (run.status, run.attempts, run.summary) == (SUCCEEDED, 1, "ran for 2026-03-10")
    assert run.holder in {d.ledger.holder for d in daemons}
    assert probe.starts == [f"2026-03-10 by {run.holder}"]


def test_a_dead_holders_run_is_taken_over_once_its_lease_has_passed(
    aws: SessionFactory, config: Config, store: Store
) -> None:
    probe = SlowProbe(seconds=1.0)
    dead = RunLedger(store, holder="host-a:101:dead", lease=LEASE)
    with time_machine.travel(london(10, 9, 0, 0.2), tick=True):
        # The holder claimed the 09:00 run, then its process was killed: no more renewals.
        claimed = dead.claim("probe", "2026-03-10", scheduled=london(10, 9).astimezone(UTC))
        assert claimed is not None and claimed.lease_until is not None
        daemon = Daemon(config, aws, store, probe.jobs(), lease=LEASE)
        daemon.start()
        wait_until(lambda: bool(probe.starts), 30)
        taken_at = daemon.now().astimezone(UTC).replace(tzinfo=None)
        [state] = daemon.status()
        wait_until(probe.finished.is_set)
        wait_until(lambda: RunLedger(store).running() == [])
        daemon.stop()
    # Never before the lease has passed; then at the next watch (a slow machine: a few more).
    assert claimed.lease_until <= taken_at <= claimed.lease_until + LEASE + timedelta(seconds=10)
    assert state.running is not None and state.running.holder == daemon.ledger.holder
    assert probe.starts == [f"2026-03-10 by {daemon.ledger.holder}"]
    run = RunLedger(store).get("probe", "2026-03-10")
    assert run is not None and (run.status, run.attempts) == (SUCCEEDED, 2)
    assert run.holder == daemon.ledger.holder
    # The old holder, back too late, records nothing over it.
    assert not dead.finish("probe", "2026-03-10", False, "late", attempt=1)
    final = RunLedger(store).get("probe", "2026-03-10")
    assert final is not None and final.summary == "ran for 2026-03-10"


def test_a_run_older_than_its_period_is_left_to_its_next_schedule(
    aws: SessionFactory, config: Config, store: Store
) -> None:
    probe = SlowProbe(seconds=0.0)
    dead = RunLedger(store, holder="host-a:101:dead", lease=LEASE)
    with time_machine.travel(london(8, 9, 0), tick=True) as clock:
        dead.claim("probe", "2026-03-08", scheduled=london(8, 9).astimezone(UTC))
        clock.move_to(london(10, 8, 0))
        daemon = Daemon(config, aws, store, probe.jobs(), lease=LEASE)
        daemon.start()
        handed = daemon.watch_leases()
        daemon.stop()
    assert handed == [] and probe.starts == []
    [old] = RunLedger(store).running()
    assert (old.period, old.status, old.holder) == ("2026-03-08", RUNNING, "host-a:101:dead")


def test_a_holder_whose_run_was_taken_over_does_not_record_it(
    aws: SessionFactory, config: Config, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The holder lost the store for longer than its lease (it could not renew) and another
    daemon took the run over: the first one's late result is not written over the new run."""
    taker = RunLedger(store, holder="host-b:202:b0b0", lease=LEASE)

    def stalled(context: JobContext) -> str:
        time.sleep(2 * LEASE.total_seconds())
        return "late result"

    def unreachable(run: Run) -> bool:
        raise OperationalError("UPDATE job_runs", {}, Exception("the store is unreachable"))

    jobs = {"probe": JobSpec("probe", "test job", lambda config: "0 9 * * *", stalled)}
    daemon = Daemon(config, aws, store, jobs, lease=LEASE)
    monkeypatch.setattr(daemon.ledger, "renew", unreachable)
    with time_machine.travel(london(10, 9, 0), tick=True) as clock:
        result: list[str] = []
        thread = threading.Thread(target=lambda: result.append(daemon.run_job("probe").status))
        thread.start()
        wait_until(lambda: RunLedger(store).running() != [])
        clock.shift(2 * LEASE)  # the lease has passed unrenewed
        taken = taker.claim("probe", "2026-03-10")
        assert taken is not None
        thread.join(10)
        assert taker.finish("probe", "2026-03-10", True, "taken over and posted", attempt=2)
    assert result == ["taken over"]
    run = RunLedger(store).get("probe", "2026-03-10")
    assert run is not None and run.summary == "taken over and posted" and run.attempts == 2
