"""The metrics of the router and the daemon, each process in a registry of its own.

A registry per process (never prometheus_client's global one) keeps two routers in one test, or
a router and a daemon, from counting into each other. Counter names follow Prometheus's
conventions: ``_total`` for counters, ``_seconds`` for durations.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from sentinel import __version__
from sentinel.aws.session import COST_EXPLORER, COST_EXPLORER_REQUEST_USD, ApiCallCounter
from sentinel.daemon.ledger import FAILED
from sentinel.routing.consumer import latency
from sentinel.routing.router import DEAD, DELIVERED, RETRY, Decision

if TYPE_CHECKING:
    from sentinel.daemon.scheduler import JobOutcome

# The router's own destinations, as their labels start ("PagerDuty", "Slack #x", "email a@b").
DESTINATION_KINDS = ("pagerduty", "slack", "email")
# From a fast delivery (a Slack post, ~0.1 s) to one waiting out rate limits (minutes).
SKIPPED = "skipped"  # a JobOutcome's status when the period's run was done already
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0)


def new_registry(component: str) -> CollectorRegistry:
    """A registry holding ``sentinel_up`` and ``sentinel_build_info`` for ``component``."""
    registry = CollectorRegistry()
    Gauge("sentinel_up", "1 while this Sentinel process runs", registry=registry).set(1)
    Info("sentinel_build", "Sentinel's version and the component serving", registry=registry).info(
        {"version": __version__, "component": component}
    )
    return registry


def destination_kind(label: str) -> str:
    """``pagerduty``, ``slack`` or ``email`` for a destination's label."""
    return label.split(" ", 1)[0].lower()


class RouterMetrics:
    """Messages received, deliveries per destination kind, failures, alerts silenced, delivery
    latency."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.received = Counter(
            "sentinel_router_messages_received",
            "Messages received from the router queue",
            registry=registry,
        )
        self.delivered = Counter(
            "sentinel_router_messages_delivered",
            "Notifications a destination accepted, by destination kind",
            ["destination_kind"],
            registry=registry,
        )
        self.failed = Counter(
            "sentinel_router_messages_failed",
            "Messages not delivered: to be retried, or moved to the dead-letter queue",
            ["outcome"],
            registry=registry,
        )
        self.silenced = Counter(
            "sentinel_router_messages_silenced",
            "Alerts held by a silence (`sentinel silence`): recorded, delivered only if still "
            "in ALARM when it ends",
            registry=registry,
        )
        self.latency = Histogram(
            "sentinel_router_delivery_latency_seconds",
            "Seconds from the receive of a message to every destination accepting it",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        for kind in DESTINATION_KINDS:
            self.delivered.labels(destination_kind=kind)
        for outcome in (RETRY, DEAD):
            self.failed.labels(outcome=outcome)

    def polled(self, messages: int) -> None:
        self.received.inc(messages)

    def decided(self, decision: Decision) -> None:
        for label, _action in decision.sent:
            self.delivered.labels(destination_kind=destination_kind(label)).inc()
        if decision.silence is not None:
            self.silenced.inc()
        if decision.action in (RETRY, DEAD):
            self.failed.labels(outcome=decision.action).inc()
        seconds = latency(decision)
        if decision.action == DELIVERED and seconds is not None:
            self.latency.observe(max(0.0, seconds))


class CostExplorerCollector(Collector):
    """Cost Explorer requests made through the process's factory, and what they cost.

    Read from the factory's API-call counter at scrape time, so every caller (report, scan,
    cache) is counted without being told about metrics.
    """

    def __init__(self, counter: ApiCallCounter) -> None:
        self.counter = counter

    def collect(self) -> Iterator[CounterMetricFamily]:
        requests = self.counter.total(COST_EXPLORER)
        yield CounterMetricFamily(
            "sentinel_cost_explorer_requests",
            "Cost Explorer requests made (each is billed)",
            value=requests,
        )
        yield CounterMetricFamily(
            "sentinel_cost_explorer_dollars",
            f"US dollars the Cost Explorer requests cost (${COST_EXPLORER_REQUEST_USD} each)",
            value=requests * COST_EXPLORER_REQUEST_USD,
        )

    def describe(self) -> Iterable[CounterMetricFamily]:
        return list(self.collect())


class DaemonMetrics:
    """Job runs and failures per job; Cost Explorer requests and dollars."""

    def __init__(
        self, registry: CollectorRegistry, counter: ApiCallCounter, jobs: Iterable[str] = ()
    ) -> None:
        self.runs = Counter(
            "sentinel_daemon_jobs_run",
            "Job runs that ran (not those skipped as done for their period)",
            ["job"],
            registry=registry,
        )
        self.failures = Counter(
            "sentinel_daemon_jobs_failed", "Job runs that failed", ["job"], registry=registry
        )
        for job in jobs:
            self.runs.labels(job=job)
            self.failures.labels(job=job)
        registry.register(CostExplorerCollector(counter))

    def finished(self, outcome: JobOutcome) -> None:
        if outcome.status == SKIPPED:
            return
        self.runs.labels(job=outcome.job).inc()
        if outcome.status == FAILED:
            self.failures.labels(job=outcome.job).inc()
