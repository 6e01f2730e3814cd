"""Is the process doing its work? Progress seen recently, and nothing saying it is stopping.

The loop being watched calls ``beat()`` whenever it makes progress (the router after each
receive and each decision, the daemon's main loop every second). It is healthy while the last
beat is younger than ``stale_after`` and no check reports a problem (a stop requested, the
scheduler's thread gone). ``/healthz`` answers from ``health()``, and the CloudWatch heartbeat is
published only while it is ok, so a stuck process raises the same alarm as a stopped one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sentinel import __version__, clock

OK = "ok"
STUCK = "stuck"
STOPPING = "stopping"
STARTING = "starting"

# A problem a check reports: (status, what is wrong), or None when all is well.
Check = Callable[[], tuple[str, str] | None]


@dataclass(frozen=True)
class Health:
    component: str
    status: str
    detail: str
    last_progress_seconds: float
    stale_after_seconds: float
    started_at: str

    @property
    def ok(self) -> bool:
        return self.status == OK

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "component": self.component,
            "version": __version__,
            "detail": self.detail,
            "last_progress_seconds": round(self.last_progress_seconds, 3),
            "stale_after_seconds": self.stale_after_seconds,
            "started_at": self.started_at,
        }


class Liveness:
    """The last moment a loop made progress (monotonic), and checks that can veto health."""

    def __init__(
        self,
        component: str,
        stale_after: float,
        checks: tuple[Check, ...] = (),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.component = component
        self.stale_after = stale_after
        self.checks = list(checks)
        self.monotonic = monotonic
        self.started_at = clock.now().isoformat(timespec="seconds")
        self._lock = threading.Lock()
        # Starting counts as progress: the loop has ``stale_after`` to make its first round.
        self._last = monotonic()

    def beat(self, *_: object) -> None:
        """Progress was made (any arguments are ignored, so it can serve as a callback)."""
        with self._lock:
            self._last = self.monotonic()

    def stopping_when(self, stop: threading.Event) -> None:
        """Unhealthy once ``stop`` is set: the process is shutting down."""
        self.checks.append(
            lambda: (
                (STOPPING, "stop requested: finishing the work in hand") if stop.is_set() else None
            )
        )

    def health(self) -> Health:
        with self._lock:
            age = self.monotonic() - self._last
        status, detail = OK, "working"
        for check in self.checks:
            problem = check()
            if problem is not None:
                status, detail = problem
                break
        else:
            if age > self.stale_after:
                status = STUCK
                detail = f"no progress for {age:.0f}s (more than {self.stale_after:.0f}s)"
        return Health(self.component, status, detail, age, self.stale_after, self.started_at)
