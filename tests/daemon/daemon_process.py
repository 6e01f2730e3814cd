"""``sentinel daemon`` as a process, with probe jobs in place of the project's and a clock
shared with the test: what test_processes.py starts, twice, on one store.

Environment: ``PROBE_JOBS`` (names, comma-separated; each a daily job at ``PROBE_CRON``),
``PROBE_SECONDS`` (how long a run takes), ``PROBE_LOG`` (a file each run appends its start and
end to) and ``PROBE_CLOCK`` (``<moment ISO>@<epoch seconds>``: the moment the daemon's clock
showed at that real epoch second, so that every process started by one test runs one clock).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from pathlib import Path

import time_machine

from sentinel.daemon import jobs
from sentinel.daemon.ledger import RunLedger
from sentinel.daemon.registry import JobContext, JobSpec


def probe(name: str) -> JobSpec:
    def run(context: JobContext) -> str:
        claim = RunLedger(context.store).get(name, context.period)
        holder = claim.holder if claim else "?"
        log = Path(os.environ["PROBE_LOG"])
        with log.open("a") as out:
            out.write(f"start {name} {context.period} {holder}\n")
        time.sleep(float(os.environ.get("PROBE_SECONDS", "0")))
        with log.open("a") as out:
            out.write(f"end {name} {context.period} {holder}\n")
        return f"{name} ran for {context.period}"

    return JobSpec(name, "probe job", lambda config: os.environ["PROBE_CRON"], run)


NAMES = os.environ.get("PROBE_JOBS", "probe").split(",")
for number, name in enumerate(NAMES):
    globals()[f"PROBE_{number}"] = probe(name)


def main() -> None:
    moment, at = os.environ["PROBE_CLOCK"].split("@")
    start = datetime.fromisoformat(moment).timestamp() + (time.time() - float(at))
    jobs.ALL[:] = [f"{__name__}:PROBE_{number}" for number in range(len(NAMES))]
    with time_machine.travel(start, tick=True):
        from sentinel.cli import main as sentinel

        sentinel(sys.argv[1:])


if __name__ == "__main__":
    main()
