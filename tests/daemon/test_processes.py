"""Two ``sentinel daemon`` processes on one store, against the emulator's server: each job runs
once per period, and when the process running a job is killed, the other takes it over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import time_machine

from cost.project import write_config
from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.daemon.ledger import SUCCEEDED, RunLedger
from sentinel.daemon.registry import JobSpec
from sentinel.daemon.scheduler import Daemon
from sentinel.emulator.server import EmulatorServer, start_server
from sentinel.store import Store

from .conftest import london, wait_until

# The daemons (subprocesses) wait on timed Events, which hang under libfaketime.
pytestmark = pytest.mark.real_clock

LAUNCHER = Path(__file__).with_name("daemon_process.py")
REPOSITORY = Path(__file__).resolve().parents[2]
LEASE = 3.0  # seconds: renewed and watched every second


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    with start_server(port=0, seed=False) as server:
        yield server


class Daemons:
    """The daemons of one project directory, started on one clock."""

    def __init__(self, root: Path, emulator: EmulatorServer, **probe: str) -> None:
        self.root = write_config(root / "shop")
        self.log = root / "probe.log"
        self.log.touch()
        self.env = {
            **os.environ,
            **emulator.env(),
            "PYTHONPATH": os.pathsep.join(
                [str(REPOSITORY / "src"), str(REPOSITORY / "tests"), str(REPOSITORY)]
            ),
            "COLUMNS": "300",  # log lines unwrapped
            "PROBE_LOG": str(self.log),
            "PROBE_CLOCK": f"{london(10, 8, 59, 59).isoformat()}@{time.time()}",
            **probe,
        }
        self.processes: list[subprocess.Popen[str]] = []
        self.lease = ("--lease", str(LEASE))
        self.store = Store(f"sqlite:///{self.root / '.sentinel' / 'sentinel.db'}")

    def schedule(self, *names: str) -> None:
        """Record the 09:00 runs in the store's job table as a daemon stopped at 08:00 would:
        daemons started late (a slow machine) still run them, as a catch-up."""
        jobs = {
            name: JobSpec(name, "probe job", lambda config: "0 9 * * *", lambda context: "")
            for name in names
        }
        factory = SessionFactory(session=boto3.Session(region_name="us-east-1"), region="us-east-1")
        with time_machine.travel(london(10, 8, 0), tick=True):
            daemon = Daemon(load_config(self.root), factory, self.store, jobs)
            daemon.start()
            daemon.stop()

    def start(self, count: int) -> None:
        for _ in range(count):
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, str(LAUNCHER), *("daemon", "-C", str(self.root)), *self.lease],
                    env=self.env,
                    text=True,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
            )

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines()

    def stop(self) -> list[str]:
        """SIGTERM the living ones; what each said on stderr."""
        said = []
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=30)
            said.append(err)
        self.store.dispose()
        return said


@pytest.fixture
def daemons(tmp_path: Path, emulator: EmulatorServer) -> Iterator[list[Daemons]]:
    made: list[Daemons] = []
    yield made
    for each in made:
        for process in each.processes:
            if process.poll() is None:
                process.kill()
                process.wait(10)


def test_two_daemons_run_each_job_once_per_period(
    tmp_path: Path, emulator: EmulatorServer, daemons: list[Daemons]
) -> None:
    pair = Daemons(
        tmp_path, emulator, PROBE_JOBS="report,scan", PROBE_CRON="0 9 * * *", PROBE_SECONDS="0.5"
    )
    daemons.append(pair)
    pair.schedule("report", "scan")
    pair.start(2)
    wait_until(lambda: sum(line.startswith("end ") for line in pair.lines()) == 2, 60)
    time.sleep(LEASE + 1)  # a few lease watches more: nothing is taken over, nothing reruns
    said = pair.stop()
    starts = sorted(line.rsplit(" ", 1)[0] for line in pair.lines() if line.startswith("start"))
    assert starts == ["start report 2026-03-10", "start scan 2026-03-10"]
    runs = RunLedger(pair.store).runs()
    assert sorted((r.job, r.period, r.status, r.attempts) for r in runs) == [
        ("report", "2026-03-10", SUCCEEDED, 1),
        ("scan", "2026-03-10", SUCCEEDED, 1),
    ]
    for err in said:
        assert "Traceback" not in err
    # What one daemon ran, the other skipped if it fired it too (or found it rescheduled).
    everything = "\n".join(said)
    assert everything.count("job report: done") == 1, everything
    assert everything.count("job scan: done") == 1, everything


def test_a_killed_daemons_job_is_taken_over_by_the_other(
    tmp_path: Path, emulator: EmulatorServer, daemons: list[Daemons]
) -> None:
    pair = Daemons(
        tmp_path, emulator, PROBE_JOBS="report", PROBE_CRON="0 9 * * *", PROBE_SECONDS="4"
    )
    daemons.append(pair)
    pair.schedule("report")
    pair.start(2)
    wait_until(lambda: any(line.startswith("start") for line in pair.lines()), 60)
    [first] = RunLedger(pair.store).running()
    assert first.holder is not None
    pid = int(first.holder.split(":")[1])
    [holder] = [p for p in pair.processes if p.pid == pid]
    [other] = [p for p in pair.processes if p.pid != pid]
    holder.send_signal(signal.SIGKILL)  # in the middle of the run
    holder.wait(10)
    killed = time.monotonic()
    wait_until(lambda: len([x for x in pair.lines() if x.startswith("start")]) == 2, 60)
    taken_over_after = time.monotonic() - killed
    wait_until(lambda: any(line.startswith("end") for line in pair.lines()), 60)
    assert other.poll() is None
    said = pair.stop()
    # The lease, one watch, and slack for a loaded machine: well within a minute.
    assert taken_over_after < LEASE + LEASE / 3 + 10
    run = RunLedger(pair.store).get("report", "2026-03-10")
    assert run is not None and (run.status, run.attempts) == (SUCCEEDED, 2)
    assert run.holder is not None and run.holder.split(":")[1] == str(other.pid)
    assert pair.lines() == [
        f"start report 2026-03-10 {first.holder}",
        f"start report 2026-03-10 {run.holder}",
        f"end report 2026-03-10 {run.holder}",
    ]
    assert f"{first.holder} stopped renewing its run for 2026-03-10" in said[1] + said[0]
