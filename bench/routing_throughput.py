"""1,000 alarm messages through the router, on the emulator's HTTP server, to local stand-ins.

Every message is a CloudWatch ALARM of a different critical alarm, published to the severity
topic; the router delivers each to PagerDuty (Events API v2, TLS) and Slack. Reported: throughput,
latency from the receive of a message's batch to the last destination accepting it (p50, p99),
and PagerDuty's rate limit per integration key held without losing an event.

PagerDuty allows about 120 events a minute per key: 1,000 events take 8.3 minutes at that rate
whatever the router does. So the run is made three times: with the limit lifted (the router's
own speed); with the limit scaled to ten times PagerDuty's (1,200 a minute, below the router's
own pace, so the bucket is what sets the rate) over all 1,000 events in under a minute; and at
the real 120 a minute over a short burst of 40.

The stand-ins run in a process of their own, so their serving time is not the router's. The
router's own time is reported two ways: the drain's wall time less the time waiting on SQS (the
emulator) and on the stand-ins' HTTP responses; and the CPU time of the bench process (which is
the router: the emulator and the stand-ins are other processes) over the drain.

    python -m bench routing_throughput     (or: python -m bench.routing_throughput 1000 1200)
    python -m bench.routing_throughput 1000 1200 --free-only    (only the run without a limit)
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import ssl
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.sync_plan import emulator, factory
from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.routing.consumer import latency
from sentinel.routing.endpoints import ServiceEndpoints
from sentinel.routing.messages import cloudwatch_time
from sentinel.routing.router import DELIVERED, Decision
from sentinel.routing.service import RateLimit, build_consumer, build_router
from sentinel.routing.standins import stand_ins
from sentinel.store import Store
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import apply, plan
from sentinel.sync.router_queue import RouterQueueKind
from sentinel.sync.topics import Topics

MESSAGES = 1000
SCALED_RATE = 1200.0  # PagerDuty events a minute in the scaled run
PAGERDUTY_RATE = 120.0
REAL_RATE_EVENTS = 40
REGION = "us-east-1"
ACCOUNT = "123456789012"
ROUTING = """\
severities:
  critical:
    page: true
    notify:
      - pagerduty: {integration_key: env:BENCH_PD_KEY}
      - slack: {channel: "#bench", token: env:BENCH_SLACK_TOKEN}
router: {}
"""


@dataclass
class Run:
    label: str
    rate: float | None
    messages: int
    seconds: float
    latencies: list[float]
    events: list[float]  # when each event reached PagerDuty (monotonic seconds)
    burst: int
    lost: int
    duplicated: int
    batches: int  # receives that returned messages
    sqs: float  # seconds of the drain in SQS calls (the emulator answering)
    destinations: float  # seconds of the drain waiting on the stand-ins' HTTP responses
    cpu: float  # CPU seconds of this process (the router) over the drain
    sqs_cpu: float  # of which in SQS calls (botocore signing, sending, parsing)

    @property
    def own(self) -> float:
        """The drain's wall time less the waits on SQS and on the destinations."""
        return self.seconds - self.sqs - self.destinations

    @property
    def throughput(self) -> float:
        return self.messages / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def sustained_rate(self) -> float | None:
        """Events a minute after the bucket's saved-up burst is spent (None when never spent)."""
        if self.rate is None or len(self.events) <= self.burst:
            return None
        span = self.events[-1] - self.events[self.burst - 1]
        return (len(self.events) - self.burst) / span * 60 if span > 0 else None


def write_project(root: Path, project: str) -> Path:
    (root / "alarms").mkdir(parents=True)
    (root / "sentinel.yaml").write_text(f"project: {project}\nregions: [{REGION}]\n")
    (root / "alarms" / "routing.yaml").write_text(ROUTING)
    return root


def alarm(project: str, index: int, topic: str) -> str:
    name = f"{project}-queue-depth-{index:05d}"
    changed = datetime.now(UTC) - timedelta(minutes=5)  # past the group wait: sent at once
    return json.dumps(
        {
            "AlarmName": name,
            "AlarmDescription": "bench alarm",
            "AWSAccountId": ACCOUNT,
            "NewStateValue": "ALARM",
            "NewStateReason": "Threshold Crossed: 1 out of the last 1 datapoints [1520.0] was "
            "greater than or equal to the threshold (1000.0).",
            "StateChangeTime": cloudwatch_time(changed),
            "Region": "US East (N. Virginia)",
            "AlarmArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}",
            "OldStateValue": "OK",
            "AlarmActions": [topic],
            "OKActions": [topic],
            "InsufficientDataActions": [],
            "Trigger": {
                "MetricName": "ApproximateNumberOfMessagesVisible",
                "Namespace": "AWS/SQS",
                "StatisticType": "Statistic",
                "Statistic": "MAXIMUM",
                "Unit": None,
                "Dimensions": [{"value": f"jobs-{index}", "name": "QueueName"}],
                "Period": 60,
                "EvaluationPeriods": 1,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "Threshold": 1000.0,
                "TreatMissingData": "missing",
                "EvaluateLowSampleCountPercentile": "",
            },
        }
    )


def route(
    label: str,
    sessions: SessionFactory,
    standins: RemoteStandIns,
    tmp: Path,
    project: str,
    messages: int,
    rate: float | None,
) -> Run:
    """Publish ``messages`` alarms of a fresh project and drain them through a new router."""
    root = write_project(tmp / project, project)
    config = load_config(root)
    ctx = SyncContext(config=config, factory=sessions, region=REGION)
    kinds = [Topics(), RouterQueueKind()]
    assert apply(ctx, plan(ctx, kinds), kinds).ok
    topic = ctx.topic_arn("critical")
    sns = sessions.client("sns")
    for start in range(0, messages, 10):
        entries = [
            {"Id": str(i), "Message": alarm(project, i, topic)}
            for i in range(start, min(messages, start + 10))
        ]
        sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)

    standins.take()  # what earlier runs left
    # The product's bucket: a tenth of a minute's events saved up, then the rate.
    limit = RateLimit(per_minute=rate) if rate else RateLimit(10.0**9, 10.0**9)
    burst = max(1, int(rate / 10)) if rate else messages
    router = build_router(
        config,
        sessions,
        store=Store(f"sqlite:///{tmp / (project + '.db')}"),
        endpoints=standins.endpoints,
        rate=limit,
    )
    decisions: list[Decision] = []
    consumer = build_consumer(config, sessions, router, on_decision=decisions.append)
    sqs = consumer.sqs = TimedClient(consumer.sqs)
    with waits_on(standins.ports) as destinations:
        started, cpu = time.perf_counter(), time.process_time()
        consumer.drain(wait=1)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    dedup_keys, accepted_at = standins.take()

    delivered = [d for d in decisions if d.action == DELIVERED]
    keys = Counter(dedup_keys)
    wanted = {
        f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{project}-queue-depth-{i:05d}"
        for i in range(messages)
    }
    return Run(
        label=label,
        rate=rate,
        messages=len(delivered),
        seconds=seconds,
        latencies=[x for x in (latency(d) for d in delivered) if x is not None],
        events=sorted(accepted_at),
        burst=burst,
        lost=len(wanted - set(keys)),
        duplicated=sum(n - 1 for n in keys.values() if n > 1),
        batches=len({d.received_at for d in delivered}),
        sqs=sqs.seconds,
        destinations=destinations(),
        cpu=cpu,
        sqs_cpu=sqs.cpu,
    )


@contextmanager
def waits_on(ports: set[int]) -> Iterator[Callable[[], float]]:
    """Add up the time this process waits for HTTP responses from ``ports`` (the stand-ins).

    Clients on http.client (urllib3, urllib.request: Slack's, and PagerDuty's from 78ecbee on)
    wait in ``http.client.HTTPConnection.getresponse``; TLS ones of their own (earlier, the
    PagerDuty client over httpx) in ``ssl.SSLSocket.read``, counted once when both apply. The
    emulator's port is not among ``ports``.
    """
    getresponse, read = http.client.HTTPConnection.getresponse, ssl.SSLSocket.read
    waited = [0.0]
    inside = threading.local()

    def timed(call: Callable[..., Any], port: int, *args: Any) -> Any:
        if port not in ports or getattr(inside, "busy", False):
            return call(*args)
        inside.busy, started = True, time.perf_counter()
        try:
            return call(*args)
        finally:
            inside.busy = False
            waited[0] += time.perf_counter() - started

    def timed_getresponse(self: http.client.HTTPConnection) -> http.client.HTTPResponse:
        return timed(getresponse, self.port or 0, self)  # type: ignore[no-any-return]

    def timed_read(self: ssl.SSLSocket, *args: Any) -> Any:
        return timed(read, self.getpeername()[1], self, *args)

    http.client.HTTPConnection.getresponse = timed_getresponse  # type: ignore[method-assign]
    ssl.SSLSocket.read = timed_read  # type: ignore[method-assign]
    try:
        yield lambda: waited[0]
    finally:
        http.client.HTTPConnection.getresponse = getresponse  # type: ignore[method-assign]
        ssl.SSLSocket.read = read  # type: ignore[method-assign]


def serve_stand_ins(connection: Any) -> None:
    """The stand-ins' process: send their endpoints, then on each "take" what PagerDuty accepted
    since the last one (dedup keys, and when each event arrived), until "stop"."""
    with stand_ins() as standins:
        accepted: list[float] = []

        def record() -> bool:
            accepted.append(time.monotonic())
            return True

        standins.pagerduty.available = record
        connection.send(standins.endpoints())
        taken = 0
        while connection.recv() == "take":
            events = standins.pagerduty.events
            connection.send(([e["dedup_key"] for e in events[taken:]], accepted[:]))
            taken = len(events)
            accepted.clear()


class RemoteStandIns:
    """PagerDuty's and Slack's stand-ins served by another process (``serve_stand_ins``)."""

    def __init__(self, connection: Any, endpoints: ServiceEndpoints) -> None:
        self._connection = connection
        self.endpoints = endpoints
        urls = (endpoints.pagerduty_events, endpoints.slack_api)
        self.ports = {int(url.split(":")[2].split("/")[0]) for url in urls}

    def take(self) -> tuple[list[str], list[float]]:
        """Dedup keys of the events PagerDuty accepted since the last take, and their times."""
        self._connection.send("take")
        keys, times = self._connection.recv()
        return keys, times


@contextmanager
def remote_stand_ins() -> Iterator[RemoteStandIns]:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=serve_stand_ins, args=(theirs,), daemon=True)
    process.start()
    try:
        yield RemoteStandIns(ours, ours.recv())
    finally:
        ours.send("stop")
        process.join(timeout=30)


class TimedClient:
    """The consumer's SQS client, adding up the time its calls take (the emulator's share)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.seconds = 0.0
        self.cpu = 0.0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        def timed(*args: Any, **kwargs: Any) -> Any:
            started, cpu = time.perf_counter(), time.process_time()
            try:
                return attribute(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.cpu += time.process_time() - cpu

        return timed


def main(
    messages: int = MESSAGES, scaled_rate: float = SCALED_RATE, free_only: bool = False
) -> int:
    import os

    os.environ.setdefault("BENCH_PD_KEY", "bench-integration-key")
    os.environ.setdefault("BENCH_SLACK_TOKEN", "xoxb-bench")
    with (
        emulator() as endpoint,
        remote_stand_ins() as standins,
        tempfile.TemporaryDirectory() as scratch,
    ):
        sessions = factory(endpoint)
        tmp = Path(scratch)
        runs = [route("no rate limit", sessions, standins, tmp, "free", messages, None)]
        runs += (
            []
            if free_only
            else [
                route(
                    f"{scaled_rate:,.0f}/min (scaled)",
                    sessions,
                    standins,
                    tmp,
                    "scaled",
                    messages,
                    scaled_rate,
                ),
                route(
                    f"{PAGERDUTY_RATE:,.0f}/min (PagerDuty's)",
                    sessions,
                    standins,
                    tmp,
                    "real",
                    REAL_RATE_EVENTS,
                    PAGERDUTY_RATE,
                ),
            ]
        )
    print(
        f"{'PagerDuty limit':<24}{'messages':>9}{'seconds':>9}{'msg/s':>8}{'p50 ms':>9}"
        f"{'p99 ms':>9}{'burst':>7}{'then/min':>10}{'lost':>6}{'dupes':>6}"
    )
    for run in runs:
        sustained = run.sustained_rate()
        shown = f"{sustained:,.0f}" if sustained is not None else "-"
        print(
            f"{run.label:<24}{run.messages:>9}{run.seconds:>9.1f}{run.throughput:>8.1f}"
            f"{run.percentile(50) * 1000:>9.0f}{run.percentile(99) * 1000:>9.0f}"
            f"{run.burst if run.rate else '-':>7}{shown:>10}{run.lost:>6}{run.duplicated:>6}"
        )
    free = runs[0]
    mean = statistics.mean(free.latencies) * 1000
    print(
        f"\nlatency receive -> delivered, no limit: mean {mean:.0f} ms; "
        f"{free.messages / free.batches:.1f} messages per receive on average"
    )
    each = 1000 / free.messages
    print(
        f"drain {free.seconds:.1f} s: SQS calls {free.sqs:.1f} s, waiting on PagerDuty and Slack "
        f"{free.destinations:.2f} s, the router's own {free.own:.1f} s "
        f"({free.own * each:.1f} ms a message); router CPU {free.cpu:.1f} s "
        f"({free.cpu * each:.1f} ms a message), of which in SQS calls {free.sqs_cpu:.1f} s: "
        f"{(free.cpu - free.sqs_cpu) * each:.1f} ms a message outside them"
    )
    print(
        f"at {PAGERDUTY_RATE:.0f}/min, {messages} events take {messages / PAGERDUTY_RATE:.1f} min "
        "to reach PagerDuty; none is dropped, the queue holds them"
    )
    failed = [
        r
        for r in runs
        if r.lost or r.duplicated or (r.rate and (r.sustained_rate() or 0) > r.rate * 1.05)
    ]
    return 1 if failed else 0


if __name__ == "__main__":
    args = [float(a) for a in sys.argv[1:] if a != "--free-only"]
    sys.exit(
        main(
            int(args[0]) if args else MESSAGES,
            args[1] if len(args) > 1 else SCALED_RATE,
            "--free-only" in sys.argv,
        )
    )
