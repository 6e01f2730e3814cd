"""Token buckets: stay under a service's rate limit by waiting, never by dropping events.

PagerDuty's Events API accepts about 120 events a minute per integration key. The router takes
a token before each event and waits when none is left; a 429 from the service empties the bucket
until its ``Retry-After`` has passed, so the next events wait too instead of hammering it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

PAGERDUTY_EVENTS_PER_MINUTE = 120.0


@dataclass
class TokenBucket:
    """``rate`` tokens a second, at most ``capacity`` saved up. Thread-safe."""

    rate: float
    capacity: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _tokens: float = field(init=False)
    _updated: float = field(init=False)
    _paused_until: float = field(init=False, default=0.0)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    waited: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.capacity < 1:
            raise ValueError("a token bucket needs a positive rate and a capacity of at least 1")
        self._tokens = self.capacity
        self._updated = self.clock()

    @classmethod
    def per_minute(cls, events: float, burst: float | None = None, **kwargs: object) -> TokenBucket:
        """A bucket for ``events`` a minute; the burst defaults to a tenth of a minute's worth."""
        capacity = burst if burst is not None else max(1.0, events / 10)
        return cls(rate=events / 60.0, capacity=capacity, **kwargs)  # type: ignore[arg-type]

    def _refill(self, now: float) -> None:
        # Nothing is saved up while paused: after a 429 the service gets a trickle, not a burst.
        since = max(self._updated, self._paused_until)
        if now > since:
            self._tokens = min(self.capacity, self._tokens + (now - since) * self.rate)
        self._updated = now

    def delay(self) -> float:
        """Seconds until a token is available (0 when one is)."""
        with self._lock:
            now = self.clock()
            self._refill(now)
            pause = max(0.0, self._paused_until - now)
            shortage = max(0.0, 1.0 - self._tokens) / self.rate
            return max(pause, shortage)

    def acquire(self) -> float:
        """Take a token, waiting for one; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self.clock()
                self._refill(now)
                if now >= self._paused_until and self._tokens >= 1.0:
                    self._tokens -= 1.0
                    self.waited += waited
                    return waited
                wait = max(self._paused_until - now, (1.0 - self._tokens) / self.rate, 0.001)
            self.sleep(wait)
            waited += wait

    def pause(self, seconds: float) -> None:
        """The service said "slow down": no tokens for ``seconds``, and none saved up."""
        with self._lock:
            now = self.clock()
            self._refill(now)
            self._tokens = 0.0
            self._paused_until = max(self._paused_until, now + seconds)
