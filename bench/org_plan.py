"""A no-change plan over 20 accounts x 3 regions x 1,000 alarms (60,000 alarms), with 25 ms
added to every AWS call, at ``--parallel 16`` and one (account, region) at a time.

Set-up: the emulator runs in a process of its own (``python -m bench.org_plan --serve``):
it creates the ``sentinel`` role in each of the 20 accounts (through moto's IAM backend, as
the tests do), applies the project to every (account, region) *in that process* (moto's
in-process mock: the same ``sentinel.sync.engine.apply`` as ``sentinel apply``, without the
HTTP round trips, several times faster), then serves the state over HTTP.

Measured, in this process, with the fan-out of ``sentinel plan`` (``sentinel.cli.fanout``):

* against the emulator over HTTP, ``--parallel 16`` and ``--parallel 1``;
* replayed: every answer the emulator gave to a warm-up plan is kept, and the measured plans
  get it back from a botocore ``before-send`` hook after 25 ms, as from a service that answers
  in 25 ms whatever the load, so that what is timed is the client (Sentinel, botocore) and not
  the one-process emulator serving 16 clients on 2 shared cores.

``--parallel 1`` is the naive alternative, and it times each (account, region) alone: the
slowest of them is the target's yardstick. 25 ms are added before every call's send in both.
``--parallel 16`` shares the places out over one forked process a core (``cli.place_processes``);
"threads only" is the same plan in threads of one process, as it was before.

    python -m bench org_plan
    python -m bench.org_plan --accounts 2 --alarms 200      # small, while developing
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ACCOUNTS = 20
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
ALARMS = 1000
PARALLEL = 16
LATENCY = 0.025
PROJECT = "org"
CALLER = "123456789012"  # moto's account: the credentials' own
ROLE = "sentinel"
RULES_PER_FILE = 500
CONSTANT = 15  # read calls a place beyond the pages of its alarms and of their owners


def account_ids(accounts: int) -> list[str]:
    return [f"{200000000000 + n:012d}" for n in range(accounts)]


def write_config(root: Path, accounts: int, alarms: int) -> Path:
    """A project of ``accounts`` accounts reached through their ``sentinel`` role, in three
    regions, with one severity tier and ``alarms`` queue-depth alarms."""
    (root / "alarms").mkdir(parents=True, exist_ok=True)
    listed = "".join(
        f'  - {{id: "{account}", name: member-{n:02d}, role: {ROLE}}}\n'
        for n, account in enumerate(account_ids(accounts))
    )
    (root / "sentinel.yaml").write_text(
        f"project: {PROJECT}\nregions: [{', '.join(REGIONS)}]\naccounts:\n{listed}"
    )
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


# --- the emulator's process ------------------------------------------------------------------


def make_role(account: str) -> None:
    """The role in the member account, trusting the credentials' account."""
    from moto.iam.models import iam_backends

    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{CALLER}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam_backends[account]["aws"].create_role(
        role_name=ROLE,
        assume_role_policy_document=json.dumps(trust),
        path="/",
        permissions_boundary=None,
        description="",
        tags=[],
        max_session_duration="3600",
    )


def serve(root: Path, port: int) -> None:
    """Seed every (account, region) in this process, then serve them until SIGTERM."""
    import boto3
    from moto import mock_aws

    from sentinel.aws.places import project_places
    from sentinel.aws.session import SessionFactory
    from sentinel.config import load_config
    from sentinel.emulator.server import start_server
    from sentinel.sync.context import SyncContext
    from sentinel.sync.engine import apply, plan

    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        os.environ.pop(name, None)
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    started = time.perf_counter()
    server = start_server(port=port, seed=False)
    mock = mock_aws()
    mock.start(reset=False)
    config = load_config(root)
    for account in {a.id for a in config.project.accounts}:
        make_role(account)
    session = boto3.Session(region_name=REGIONS[0])
    base = SessionFactory(session=session, region=REGIONS[0])
    writes = 0
    for place in project_places(config.project, base).places:
        factory = base.for_account(place.account)
        factory.region = place.region
        placed = config.placed(place.account_id, place.account_name, place.region)
        ctx = SyncContext(config=placed, factory=factory, region=place.region)
        report = apply(ctx, plan(ctx), concurrency=1)
        assert report.ok, report.failed[:3]
        writes += len(report.results)
    mock.stop(remove_data=False)
    print(f"seeded {writes} writes in {time.perf_counter() - started:.0f} s", flush=True)
    print(f"serving {server.endpoint_url}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    server.stop()


@contextmanager
def emulator(root: Path) -> Iterator[tuple[str, subprocess.Popen[str], str]]:
    """The seeding emulator's process; yields its endpoint, its process and what it said."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.org_plan", "--serve", str(root), "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        said = []
        for line in process.stdout:
            said.append(line.strip())
            if line.startswith("serving "):
                break
        else:
            raise RuntimeError("the emulator did not start: " + " / ".join(said))
        yield f"http://127.0.0.1:{port}", process, said[0]
    finally:
        process.terminate()
        process.wait(timeout=60)


# --- the client: recording, replaying, latency ------------------------------------------------


def _key(request: Any) -> tuple[str, str, bytes]:
    """A request, without its signature and time: its credential scope (access key, day,
    region, service: the emulator's URL is the same for every region), URL and body."""
    authorization = request.headers.get("Authorization", b"")
    if isinstance(authorization, bytes):
        authorization = authorization.decode()
    scope = authorization.split("Credential=", 1)[-1].split(",", 1)[0]
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    return scope, request.url, bytes(body)


@dataclass
class Wire:
    """A botocore ``before-send`` hook: 25 ms before every call; recording every answer, or
    answering from the recording (nothing sent)."""

    latency: float = 0.0
    replay: bool = False
    recorded: dict[tuple[str, str, bytes], tuple[int, dict[str, str], bytes]] = field(
        default_factory=dict
    )
    recording: bool = False
    # Shared with the plan's forked processes: a miss there is counted here.
    _missed: Any = field(default_factory=lambda: multiprocessing.Value("i", 0))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _session: Any = None

    def before_send(self, request: Any, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        if self.latency:
            time.sleep(self.latency)
        if self.recording:
            sent = self._http().send(request)
            answer = (sent.status_code, dict(sent.headers), sent.content)
            with self._lock:
                self.recorded[_key(request)] = answer
        elif not self.replay:
            return None
        else:
            with self._lock:
                found = self.recorded.get(_key(request))
            if found is None:
                with self._missed.get_lock():
                    self._missed.value += 1
                return None
            answer = found
        status, headers, body = answer
        return AWSResponse(request.url, status, headers, _Raw(body))

    @property
    def missed(self) -> int:
        return int(self._missed.value)

    def _http(self) -> Any:
        from botocore.httpsession import URLLib3Session

        with self._lock:
            if self._session is None:
                self._session = URLLib3Session(max_pool_connections=32)
            return self._session


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


@dataclass
class Timed:
    parallel: int
    wall: float
    calls: int
    rows: list[tuple[str, str, int]]
    places: list[tuple[str, float, int]]  # (place, seconds, calls) in --parallel 1
    empty: bool
    cpu: float


def run_plan(
    root: Path, endpoint: str, wire: Wire, parallel: int, per_place: bool = False
) -> Timed:
    """``sentinel plan`` over every (account, region), as the command runs it."""
    import boto3

    from sentinel.aws.places import project_places
    from sentinel.aws.session import SessionFactory
    from sentinel.cli import fanout
    from sentinel.cli.options import Workspace

    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGIONS[0]
    )
    ws = Workspace(config_dir=root, profile=None, region=None, verbose=False)
    ws._factory = SessionFactory(
        session=session, region=REGIONS[0], endpoint_url=endpoint, counter=ws.counter
    )
    _hook(ws._factory, wire)
    config = ws.load_config()
    places = project_places(config.project, ws.factory)
    timings: list[tuple[str, float, int]] = []
    plan_place = fanout.plan_place
    if per_place:
        assert parallel == 1

        def timed(*args: Any) -> fanout.Outcome:
            before, started = ws.counter.total(), time.perf_counter()
            outcome = plan_place(*args)
            timings.append(
                (str(args[2]), time.perf_counter() - started, ws.counter.total() - before)
            )
            return outcome

        fanout.plan_place = timed  # type: ignore[assignment]
    cpu, started = _cpu(), time.perf_counter()
    try:
        if wire.recording:  # in this process, where the recording is kept
            with _threads_only():
                outcomes = fanout.plan_all(ws, config, places, (), parallel)
        else:
            outcomes = fanout.plan_all(ws, config, places, (), parallel)
    finally:
        fanout.plan_place = plan_place  # type: ignore[assignment]
    wall = time.perf_counter() - started
    errors = [o.error for o in outcomes if o.error]
    assert not errors, errors[:3]
    changing = [o for o in outcomes if o.plan is not None and not o.plan.is_empty]
    for outcome in changing[:1]:
        assert outcome.plan is not None
        print(f"not a no-change plan: {outcome.place}: {outcome.plan.summary()}")
    return Timed(
        parallel=parallel,
        wall=wall,
        calls=ws.counter.total(),
        rows=ws.counter.rows(),
        places=timings,
        empty=all(o.plan is not None and o.plan.is_empty for o in outcomes),
        cpu=_cpu() - cpu,
    )


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the plan's forked
    processes; the emulator's process runs until the end)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return sum(u.ru_utime + u.ru_stime for u in (own, children))


@contextmanager
def _threads_only() -> Iterator[None]:
    from sentinel.cli import place_processes

    chosen = place_processes.processes_for
    place_processes.processes_for = lambda *_: 1  # type: ignore[assignment]
    try:
        yield
    finally:
        place_processes.processes_for = chosen  # type: ignore[assignment]


def _hook(factory: Any, wire: Wire) -> None:
    """The hook on every session the factory makes (the base one and each assumed role's)."""
    session = factory.session()
    made = factory._assume

    def assume(account: Any) -> Any:
        assumed = made(account)
        _register(assumed, wire)
        return assumed

    factory._assume = assume
    _register(session, wire)


def _register(session: Any, wire: Wire) -> None:
    session.events.register("before-send", wire.before_send)


# --- the report -------------------------------------------------------------------------------


def main(accounts: int = ACCOUNTS, alarms: int = ALARMS, parallel: int = PARALLEL) -> int:
    from sentinel.sync.alarms import PAGE_SIZE

    places = accounts * len(REGIONS)
    pages = math.ceil(alarms / PAGE_SIZE)
    print(f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        root = write_config(Path(tmp) / "org", accounts, alarms)
        started = time.perf_counter()
        with emulator(root) as (endpoint, _process, said):
            print(f"set-up: {said} ({time.perf_counter() - started:.0f} s with start-up)")
            print(f"{places} places x {alarms:,} alarms = {places * alarms:,} alarms")
            runs: dict[str, Timed] = {}
            wire = Wire(latency=LATENCY)
            runs["emulator, --parallel 1"] = run_plan(root, endpoint, wire, 1, per_place=True)
            print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
            runs[f"emulator, --parallel {parallel}"] = run_plan(root, endpoint, wire, parallel)
            print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
            recorder = Wire(recording=True)
            run_plan(root, endpoint, recorder, parallel)
            replay = Wire(latency=LATENCY, replay=True, recorded=recorder.recorded)
            runs["replayed, --parallel 1"] = run_plan(root, endpoint, replay, 1, per_place=True)
            print(f"load average {os.getloadavg()[0]:.1f}", flush=True)
            runs[f"replayed, --parallel {parallel}"] = run_plan(root, endpoint, replay, parallel)
            with _threads_only():  # as before the places were shared out over processes
                runs[f"replayed, --parallel {parallel}, threads only"] = run_plan(
                    root, endpoint, replay, parallel
                )
            print(f"load average {os.getloadavg()[0]:.1f}; replay misses {replay.missed}")

    ok = True
    print(f"\nNo-change plan, {places} (account, region) x {alarms:,} alarms, +25 ms a call:")
    print("| run | wall time | client CPU | calls | calls a place | slowest place alone |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, timed in runs.items():
        slowest = max((s for _, s, _ in timed.places), default=0.0)
        print(
            f"| {label} | {timed.wall:.2f} s | {timed.cpu:.2f} s | {timed.calls:,} | "
            f"{timed.calls / places:.1f} | {f'{slowest:.2f} s' if slowest else ''} |"
        )
        ok = ok and timed.empty
    first = runs["emulator, --parallel 1"]
    print("\ncalls of the whole run (--parallel 1, emulator):")
    for service, operation, n in first.rows:
        print(f"    {service:<16} {operation:<28} {n:>6}  ({n / places:.1f} a place)")
    describe = sum(n for s, o, n in first.rows if o == "DescribeAlarms")
    per_place = [n for _, _, n in first.places]
    tagging = sum(n for _, o, n in first.rows if o == "GetResources")
    print(
        f"DescribeAlarms: {describe / places:.1f} a place against {pages} pages of metric alarms; "
        f"GetResources {tagging / places:.1f} a place against {pages} requests of 100 alarm ARNs; "
        f"calls a place {min(per_place)} to {max(per_place)}"
    )
    # Target: the pages (DescribeAlarms, and the owners' GetResources of 100 ARNs) plus a
    # small constant a place (the other kinds' one list each, the topics' owners, the role).
    constant = max(per_place) - 2 * pages
    print(f"calls a place beyond the pages: {constant} (target: at most {CONSTANT})")
    ok = ok and constant <= CONSTANT
    cores = len(os.sched_getaffinity(0))
    for kind in ("emulator", "replayed"):
        times = [s for _, s, _ in runs[f"{kind}, --parallel 1"].places]
        alone = max(times)
        timed = runs[f"{kind}, --parallel {parallel}"]
        target = timed.wall <= 2 * alone
        print(
            f"{kind}: --parallel {parallel} {timed.wall:.2f} s against the slowest place alone "
            f"{alone:.2f} s: {timed.wall / alone:.1f}x ({'within' if target else 'OVER'} 2x)"
        )
        # No schedule of the places, --parallel at a time, ends before the places' time alone
        # shared out over --parallel, nor before their CPU shared out over the cores.
        waiting = sum(times) / parallel
        cpu = timed.cpu / cores
        print(
            f"    floors: {waiting:.2f} s ({len(times)} places' time alone / {parallel}), "
            f"{cpu:.2f} s (the run's client CPU / {cores} cores): "
            f"{timed.wall / max(waiting, cpu, alone):.1f}x the higher"
        )
        ok = ok and (kind == "emulator" or target)
    print("\nresult:", "within target" if ok else "OVER TARGET")
    return 0 if ok else 1


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.org_plan")
    parser.add_argument("--accounts", type=int, default=ACCOUNTS)
    parser.add_argument("--alarms", type=int, default=ALARMS)
    parser.add_argument("--parallel", type=int, default=PARALLEL)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


if __name__ == "__main__":
    options = _arguments(sys.argv[1:])
    if options.serve is not None:
        serve(options.serve, options.port)
        sys.exit(0)
    sys.exit(main(options.accounts, options.alarms, options.parallel))
