"""``Sentinel/Heartbeat``: a CloudWatch datapoint a minute while the process is healthy.

Dimensions ``Project`` and ``Component`` (``router`` or ``daemon``), value 1. The alarm that
``self_monitoring:`` declares counts the datapoints (``SampleCount < 1`` over 5 minutes, missing
data breaching), so it fires when the process stops, is killed, loses its network, or is stuck
(a stuck process stops publishing). A failed publish is logged, never fatal: the router's work
matters more than its heartbeat, and the alarm tells of a heartbeat that stays away.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sentinel import clock
from sentinel.config.self_monitoring import METRIC, NAMESPACE, heartbeat_dimensions
from sentinel.errors import SentinelError
from sentinel.telemetry.health import STARTING, Liveness

log = logging.getLogger("sentinel.telemetry")

INTERVAL = 60.0
STARTING_RETRY = 1.0
# The AWS calls the heartbeat makes, for `sentinel iam-policy --for route|daemon`.
HEARTBEAT_CALLS = ("cloudwatch:PutMetricData",)


class Heartbeat:
    """Publishes the heartbeat every ``interval`` seconds from a daemon thread, until closed.

    ``cloudwatch`` is one client per region: a plain alarm rule is made in every region the
    project applies, so each of the project's regions gets the heartbeat its alarm counts.
    """

    def __init__(
        self,
        cloudwatch: Sequence[Any],
        project: str,
        liveness: Liveness,
        interval: float = INTERVAL,
    ) -> None:
        self.clients = list(cloudwatch)
        self.project = project
        self.liveness = liveness
        self.interval = interval
        self.published = 0
        self.last_status: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def component(self) -> str:
        return self.liveness.component

    def beat(self) -> bool:
        """Publish one datapoint to each region if the process is healthy; False when skipped
        or when a region refused it."""
        health = self.liveness.health()
        self.last_status = health.status
        if not health.ok:
            # Starting up is no news; stuck or stopping is, and the alarm will follow.
            report = log.info if health.status == STARTING else log.warning
            report(
                "heartbeat not sent: %s is %s (%s)", self.component, health.status, health.detail
            )
            return False
        datum = {
            "MetricName": METRIC,
            "Dimensions": [
                {"Name": key, "Value": value}
                for key, value in heartbeat_dimensions(self.project, self.component).items()
            ],
            "Timestamp": clock.now(),
            "Value": 1.0,
            "Unit": "Count",
        }
        sent = True
        for client in self.clients:
            try:
                client.put_metric_data(Namespace=NAMESPACE, MetricData=[datum])
            except (BotoCoreError, ClientError, SentinelError) as exc:
                log.warning(
                    "heartbeat not sent to %s: %s",
                    client.meta.region_name,
                    str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__,
                )
                sent = False
        if sent:
            self.published += 1
        return sent

    def _run(self) -> None:
        while not self._stop.is_set():
            self.beat()
            # A process still starting is asked again soon, so its first heartbeat is not late.
            self._stop.wait(STARTING_RETRY if self.last_status == STARTING else self.interval)

    def start(self) -> Heartbeat:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sentinel-heartbeat", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
