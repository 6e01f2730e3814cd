"""Applying 2,000 new alarms: bounded concurrency against one write at a time, same run.

    python -m bench sync_apply            (or: python -m bench.sync_apply 500)

Each run applies the same alarms under its own project name to the emulator's HTTP server
(``sentinel local --no-seed``, its own process), so every run creates all of them. The
emulator answers a write in a few milliseconds, where AWS takes tens: the runs are repeated
with a round trip of ``LATENCY`` added to every call (a botocore ``before-send`` hook).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.sync_plan import context, emulator, factory, write_config
from sentinel.sync.engine import DEFAULT_CONCURRENCY, apply, plan

ALARMS = 2000
CONCURRENCY = (1, DEFAULT_CONCURRENCY, 16)
LATENCY = 0.025  # seconds: a typical round trip from a CI runner to a regional endpoint


def main(alarms: int = ALARMS) -> int:
    with emulator() as endpoint, tempfile.TemporaryDirectory() as tmp:
        for latency in (0.0, LATENCY):
            sessions = factory(endpoint)
            if latency:
                sessions.session().events.register("before-send", round_trip(latency))
            seconds: dict[int, float] = {}
            for concurrency in CONCURRENCY:
                project = f"bench{concurrency}-{int(latency * 1000)}ms"
                root = write_config(Path(tmp) / project, project, alarms)
                ctx = context(sessions, root)
                planned = plan(ctx)
                started = time.perf_counter()
                report = apply(ctx, planned, concurrency=concurrency)
                seconds[concurrency] = time.perf_counter() - started
                assert report.ok, report.failed[:3]
                assert len(report.results) == alarms + 2  # and the topic and its subscription
                assert plan(context(sessions, root)).is_empty
            report_run(alarms, latency, seconds)
    return 0


def round_trip(latency: float) -> Callable[..., None]:
    def wait(**_: object) -> None:
        time.sleep(latency)

    return wait


def report_run(alarms: int, latency: float, seconds: dict[int, float]) -> None:
    added = f", {latency * 1000:.0f} ms added per call" if latency else ""
    print(f"\nApplying {alarms:,} new alarms (+ 1 topic, 1 subscription), HTTP{added}:")
    sequential = seconds[1]
    for concurrency, took in seconds.items():
        rate = (alarms + 2) / took
        print(
            f"  concurrency {concurrency:>2}: {took:7.2f} s  {rate:7.0f} writes/s  "
            f"{sequential / took:4.1f}x the sequential speed"
        )


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else ALARMS))
