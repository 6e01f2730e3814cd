"""SLO status of 50 SLOs: GetMetricData calls and wall time, against one read per SLO.

25 services behind their own ALB, each with an availability SLO (5xx / requests) and a latency
SLO (share of requests within 300 ms, from the percentile rank ``PR(:0.3)``), over 30 days of
5-minute data served by the emulator's HTTP server. Sentinel reads every SLO's hourly
statistics in one batched read; the comparison reads each SLO with its own GetMetricData call,
as a tool evaluating SLOs one at a time would. Both give the same statuses. The weekly review
(window plus a week, for the trend) is timed too.

    python -m bench slo_status           (or: python -m bench.slo_status 10)
"""

from __future__ import annotations

import logging
import sys
import time
from datetime import UTC, datetime

import numpy as np
import yaml

from bench.rightsizing_scale import LATENCY, factory
from sentinel.config.models.monitors import MonitorsFile, Slo
from sentinel.emulator.extensions.cloudwatch import metric_store
from sentinel.emulator.metric_store import MetricKey, Samples
from sentinel.emulator.server import start_server
from sentinel.slo.review import slo_review
from sentinel.slo.status import slo_status

SERVICES = 25
DAYS = 37  # the 30-day window and the week before, for the review's trend


def load_balancer(n: int) -> str:
    return f"app/svc-{n:02d}-alb/{n:016x}"


def slos(services: int) -> list[Slo]:
    items = []
    for n in range(services):
        alb = {"namespace": "AWS/ApplicationELB", "dimensions": {"LoadBalancer": load_balancer(n)}}
        requests = {**alb, "metric": "RequestCount", "stat": "Sum"}
        items.append(
            {
                "name": f"svc-{n:02d}-availability",
                "objective": "99.9%",
                "availability": {
                    "errors": {**alb, "metric": "HTTPCode_Target_5XX_Count", "stat": "Sum"},
                    "total": requests,
                },
            }
        )
        items.append(
            {
                "name": f"svc-{n:02d}-latency",
                "objective": "95%",
                "latency": {
                    "metric": {**alb, "metric": "TargetResponseTime"},
                    "threshold": "300ms",
                    "total": requests,
                },
            }
        )
    return MonitorsFile.model_validate(yaml.safe_load(yaml.safe_dump({"slos": items}))).slos


def load_metrics(services: int, now: datetime) -> int:
    rng = np.random.default_rng(1350)
    stop = int(now.timestamp()) // 300 * 300
    times = np.arange(stop - DAYS * 86400, stop, 300)
    store = metric_store()
    for n in range(services):
        dims = {"LoadBalancer": load_balancer(n)}
        requests = rng.poisson(3000, len(times)).astype(float)
        series = {
            "RequestCount": requests,
            "HTTPCode_Target_5XX_Count": rng.poisson(requests * 0.0004).astype(float),
            "TargetResponseTime": rng.lognormal(np.log(0.12), 0.5, len(times)),
        }
        for name, values in series.items():
            key = MetricKey.of("AWS/ApplicationELB", name, dims)
            store.put(key, Samples.of_values(times, values))
    return services * 3 * len(times)


def main(services: int = SERVICES) -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    now = datetime.now(UTC)
    objectives = slos(services)
    with start_server(seed=False) as server:
        points = load_metrics(services, now)
        print(f"{len(objectives)} SLOs over {services} load balancers, {points:,} datapoints")
        print("| round trip | read | GetMetricData calls | wall time |")
        print("|---|---|---:|---:|")
        for latency in (0.0, LATENCY):
            label = f"+{latency * 1000:.0f} ms" if latency else "emulator as is"
            sessions = factory(server.endpoint_url, latency)
            sessions.client("cloudwatch")
            began = time.perf_counter()
            batched = slo_status(objectives, sessions, now=now)
            ours = time.perf_counter() - began
            calls = sessions.counter.total("cloudwatch", "GetMetricData")
            print(f"| {label} | Sentinel `slo status`: one batched read | {calls} | {ours:.2f} s |")
            sessions.counter.reset()
            began = time.perf_counter()
            one_by_one = [slo_status([s], sessions, now=now).statuses[0] for s in objectives]
            theirs = time.perf_counter() - began
            calls_each = sessions.counter.total("cloudwatch", "GetMetricData")
            print(f"| {label} | one GetMetricData per SLO | {calls_each} | {theirs:.2f} s |")
            same = [s.as_dict() for s in batched.statuses] == [s.as_dict() for s in one_by_one]
            assert same, "the batched and the per-SLO reads disagree"
            sessions.counter.reset()
            began = time.perf_counter()
            slo_review("bench", objectives, sessions, now=now)
            review = time.perf_counter() - began
            calls = sessions.counter.total("cloudwatch", "GetMetricData")
            print(f"| {label} | Sentinel `slo review` (37 days) | {calls} | {review:.2f} s |")
        states = {s.state.value for s in batched.statuses}
        print(f"(statuses: {sorted(states)}; identical between the two reads)")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else SERVICES))
