"""A no-change plan over 5,000 managed alarms, on the emulator's HTTP server.

Sentinel reads the project's alarms by name prefix, 100 a page, following NextToken (the
emulator pages like AWS), and their owners' tags 100 ARNs a GetResources request. Compared
in the same run with a per-alarm refresh, one DescribeAlarms per alarm with Terraform's
default parallelism of 10, as Terraform's AWS provider does.

    python -m bench sync_plan            (or: python -m bench.sync_plan 500)

The emulator runs as ``sentinel local --no-seed`` in its own process, so the client's threads
and the server do not share one interpreter lock.
"""

from __future__ import annotations

import math
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import boto3

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.sync.alarms import PAGE_SIZE, Alarms
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import apply, plan

ALARMS = 5000
TERRAFORM_PARALLELISM = 10
REGION = "us-east-1"
RULES_PER_FILE = 500
_WRITE_PREFIXES = ("Put", "Delete", "Create", "Tag", "Untag", "Subscribe", "Unsubscribe", "Set")


@contextmanager
def emulator() -> Iterator[str]:
    """``sentinel local --no-seed`` on a free port; yields its endpoint URL."""
    with emulator_process() as (endpoint, _process):
        yield endpoint


@contextmanager
def emulator_process() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``sentinel local --no-seed`` on a free port; yields its endpoint URL and its process."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "sentinel", "local", "--no-seed", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the emulator did not start") from None
                time.sleep(0.2)
        yield endpoint, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def factory(endpoint: str) -> SessionFactory:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    return SessionFactory(session=session, region=REGION, endpoint_url=endpoint)


def write_config(root: Path, project: str, alarms: int) -> Path:
    """A project with one severity tier and ``alarms`` queue-depth alarms."""
    (root / "alarms").mkdir(parents=True, exist_ok=True)
    (root / "sentinel.yaml").write_text(f"project: {project}\nregions: [{REGION}]\n")
    (root / "alarms/routing.yaml").write_text(
        "severities:\n  warning:\n    notify:\n      - email: oncall@bench.example.com\n"
    )
    for start in range(0, alarms, RULES_PER_FILE):
        rules = [
            f"  - {{name: queue-{n:05d}, severity: warning, namespace: AWS/SQS, "
            f"metric: ApproximateNumberOfMessagesVisible, dimensions: {{QueueName: q-{n:05d}}}, "
            f'statistic: Maximum, condition: "> 1000", period: 5m, for: 15m}}'
            for n in range(start, min(start + RULES_PER_FILE, alarms))
        ]
        (root / f"alarms/queues-{start // RULES_PER_FILE:02d}.yaml").write_text(
            "alarms:\n" + "\n".join(rules) + "\n"
        )
    return root


def context(sessions: SessionFactory, root: Path) -> SyncContext:
    return SyncContext(config=load_config(root), factory=sessions, region=REGION)


def writes(sessions: SessionFactory) -> int:
    return sum(n for _, op, n in sessions.counter.rows() if op.startswith(_WRITE_PREFIXES))


def main(alarms: int = ALARMS) -> int:
    target = math.ceil(alarms / PAGE_SIZE)
    with emulator() as endpoint, tempfile.TemporaryDirectory() as tmp:
        sessions = factory(endpoint)
        root = write_config(Path(tmp) / "bench", "bench", alarms)

        started = time.perf_counter()
        ctx = context(sessions, root)
        loaded = time.perf_counter() - started
        report = apply(ctx, plan(ctx), concurrency=16)
        assert report.ok, report.failed[:3]
        print(f"set-up: {alarms} alarms applied ({loaded:.1f} s to load the config)")

        sessions.counter.reset()
        ctx = context(sessions, root)
        started = time.perf_counter()
        unchanged = plan(ctx)
        plan_seconds = time.perf_counter() - started
        assert unchanged.is_empty, unchanged.summary()
        reads = sessions.counter.total()
        pages = sessions.counter.total("cloudwatch", "DescribeAlarms")
        plan_writes = writes(sessions)
        rows = sessions.counter.rows()

        sessions.counter.reset()
        started = time.perf_counter()
        listed = Alarms().actual(ctx)
        prefix_seconds = time.perf_counter() - started
        prefix_calls = sessions.counter.total()
        assert len(listed) == alarms

        names = [state.key for state in Alarms().desired(ctx)]
        cloudwatch = sessions.client("cloudwatch")
        sessions.counter.reset()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=TERRAFORM_PARALLELISM) as pool:
            found = sum(
                len(page["MetricAlarms"])
                for page in pool.map(lambda n: cloudwatch.describe_alarms(AlarmNames=[n]), names)
            )
        per_alarm_seconds = time.perf_counter() - started
        per_alarm_calls = sessions.counter.total()
        assert found == alarms

    print(f"\nNo-change plan over {alarms:,} managed alarms (emulator over HTTP):")
    print(f"  plan, every kind: {reads} read calls, {plan_writes} writes, {plan_seconds:.2f} s")
    for service, operation, n in rows:
        print(f"    {service:<28} {operation:<26} {n:>5}")
    print(f"  DescribeAlarms pages: {pages} (target: ceil({alarms}/100) = {target} + a constant)")
    print("\nReading the alarms, paged by prefix vs one DescribeAlarms per alarm:")
    print(f"  by prefix, 100 a page:      {prefix_calls:>6} calls {prefix_seconds:>8.2f} s")
    print(
        f"  per alarm, parallelism {TERRAFORM_PARALLELISM}:  {per_alarm_calls:>6} calls "
        f"{per_alarm_seconds:>8.2f} s"
    )
    print(
        f"  ratio: {per_alarm_calls / prefix_calls:,.0f}x fewer calls, "
        f"{per_alarm_seconds / prefix_seconds:,.1f}x less time"
    )
    # Owners of every matched alarm: ceil(N/100) GetResources requests of 100 ARNs, each
    # answered whole (AWS does not page an ARN list).
    tag_pages = sum(n for _, operation, n in rows if operation == "GetResources")
    print(f"  GetResources requests: {tag_pages} (ceil({alarms}/100) = {target} + topics)")
    ok = (
        plan_writes == 0
        and pages <= target + 5
        and reads - tag_pages <= target + 25
        and tag_pages <= target + 5
    )
    print("\nresult:", "within target" if ok else "OVER TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else ALARMS))
