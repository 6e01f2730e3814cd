"""What a long-running command watches itself with: a registry, its liveness, and, when asked,
the metrics server and the CloudWatch heartbeat.

The router is healthy while its loop comes back from the queue: a receive waits at most the
long-poll time, and what follows (held alerts, the batch's deliveries) makes progress with each
decision, so three long polls plus a client's read timeout without either means it is stuck.
The daemon is healthy while its scheduler's thread runs and its main loop turns (every second).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sentinel.aws.session import READ_TIMEOUT, ApiCallCounter
from sentinel.telemetry.health import Liveness
from sentinel.telemetry.heartbeat import INTERVAL, Heartbeat
from sentinel.telemetry.metrics import DaemonMetrics, RouterMetrics, new_registry
from sentinel.telemetry.server import DEFAULT_HOST, MetricsServer

if TYPE_CHECKING:
    from sentinel.config.loader import Config
    from sentinel.daemon.scheduler import Daemon
    from sentinel.routing.consumer import Consumer

DAEMON_STALE_AFTER = 30.0


def router_stale_after(wait: int) -> float:
    """Seconds without progress after which the router counts as stuck (90 s for 20 s polls)."""
    return 3 * wait + READ_TIMEOUT


def heartbeat_wanted(config: Config | None, component: str) -> bool:
    """``self_monitoring:`` alarms on this component's heartbeat (no config: any might)."""
    if config is None:
        return True
    watching = config.project.self_monitoring
    return watching is not None and component in watching.components


def _chain(*callbacks: Callable[..., Any] | None) -> Callable[..., None]:
    chosen = [c for c in callbacks if c is not None]

    def call(*args: Any) -> None:
        for callback in chosen:
            callback(*args)

    return call


class Telemetry:
    """One process's registry and liveness; ``serve`` and ``publish`` start the rest."""

    def __init__(
        self, component: str, stale_after: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.component = component
        self.registry = new_registry(component)
        self.liveness = Liveness(component, stale_after, monotonic=monotonic)
        self.server: MetricsServer | None = None
        self.heartbeat: Heartbeat | None = None

    def serve(self, port: int, host: str = DEFAULT_HOST) -> MetricsServer:
        self.server = MetricsServer(self.registry, self.liveness, host, port).start()
        return self.server

    def publish(
        self, cloudwatch: Sequence[Any], project: str, interval: float = INTERVAL
    ) -> Heartbeat:
        self.heartbeat = Heartbeat(cloudwatch, project, self.liveness, interval).start()
        return self.heartbeat

    def close(self) -> None:
        if self.heartbeat is not None:
            self.heartbeat.close()
        if self.server is not None:
            self.server.close()

    def __enter__(self) -> Telemetry:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def watch_router(
    consumer: Consumer,
    stop: threading.Event,
    wait: int,
    monotonic: Callable[[], float] = time.monotonic,
) -> tuple[Telemetry, RouterMetrics]:
    """Count what ``consumer`` receives and decides; healthy while it polls and not stopping."""
    telemetry = Telemetry("router", router_stale_after(wait), monotonic)
    metrics = RouterMetrics(telemetry.registry)
    beat = telemetry.liveness.beat
    consumer.on_poll = _chain(consumer.on_poll, metrics.polled, beat)
    consumer.on_decision = _chain(consumer.on_decision, metrics.decided, beat)
    telemetry.liveness.stopping_when(stop)
    return telemetry, metrics


def watch_daemon(
    daemon: Daemon,
    counter: ApiCallCounter,
    monotonic: Callable[[], float] = time.monotonic,
) -> tuple[Telemetry, DaemonMetrics]:
    """Count the daemon's job runs and Cost Explorer requests; healthy while it schedules."""
    telemetry = Telemetry("daemon", DAEMON_STALE_AFTER, monotonic)
    jobs = [spec.name for spec, _cron in daemon.configured()]
    metrics = DaemonMetrics(telemetry.registry, counter, jobs)
    daemon.on_outcome = _chain(daemon.on_outcome, metrics.finished)
    daemon.on_tick = _chain(daemon.on_tick, telemetry.liveness.beat)
    telemetry.liveness.checks.append(daemon.running_problem)
    return telemetry, metrics
