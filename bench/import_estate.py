"""``sentinel import`` of an estate of 5,000+ hand-made alarms, on the emulator's HTTP server.

The estate is sentinel.emulator.estate's, 17 times over: 2,040 resources of six types and
5,153 alarms (console-named, some outside the project's prefix, metric-math and percentile
ones among them), 2 composite alarms, 6 dashboards, 4 budgets, 3 topics with 6 subscriptions.
Measured: read calls by operation (the AWS state, and the inventory listing the templates are
checked against), wall time, and the collapse ratio (alarms per rule written).

    python -m bench import_estate            (or: python -m bench.import_estate 17)
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from pathlib import Path

from bench.sync_plan import emulator, factory
from sentinel.emulator.estate import PROJECT, build_estate
from sentinel.importer.run import import_config

SCALE = 17
REGION = "us-east-1"
ALARM_READS_TARGET = 60
# Operations that read the inventory (resources for the templates), not the monitoring state.
INVENTORY_SERVICES = {
    "apigateway",
    "cloudfront",
    "dynamodb",
    "ec2",
    "ecs",
    "elastic-load-balancing-v2",
    "elasticache",
    "kafka",
    "lambda",
    "rds",
    "resource-groups-tagging-api",
    "s3",
    "sqs",
}


def main(scale: int = SCALE) -> int:
    with emulator() as endpoint, tempfile.TemporaryDirectory() as tmp:
        sessions = factory(endpoint)
        started = time.perf_counter()
        estate = build_estate(sessions, scale=scale)
        print(
            f"set-up: {estate.alarms:,} alarms over {sum(estate.resources.values()):,} "
            f"resources in {time.perf_counter() - started:.1f} s"
        )
        sessions.counter.reset()
        started = time.perf_counter()
        result = import_config(sessions, Path(tmp) / "estate", REGION, project=PROJECT)
        seconds = time.perf_counter() - started
        rows = sessions.counter.rows()

    inventory = sum(n for service, _, n in rows if service.lower() in INVENTORY_SERVICES)
    state = sum(n for _, _, n in rows) - inventory
    alarm_pages = sum(n for _, op, n in rows if op == "DescribeAlarms")
    target = math.ceil(estate.alarms / 100) + 1
    print(f"\nImport of {estate.alarms:,} alarms (emulator over HTTP): {seconds:.2f} s")
    print(f"  read calls: {state + inventory} ({state} AWS state, {inventory} inventory)")
    for service, operation, n in rows:
        print(f"    {service:<28} {operation:<34} {n:>5}")
    print(
        f"  DescribeAlarms pages: {alarm_pages} (target: ceil({estate.alarms}/100) + 1 "
        f"composite page = {target})"
    )
    print(
        f"  {result.imported['alarm']:,} alarms as {result.rules} rules "
        f"({result.templates} for_each templates): {result.collapse_ratio:.1f} alarms per rule"
    )
    print(f"  not represented: {len(result.not_represented)}")
    ok = alarm_pages <= target and result.imported["alarm"] >= estate.alarms - scale * 3
    print("\nresult:", "within target" if ok else "OVER TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else SCALE))
