"""The PagerDuty token bucket: about 120 events a minute per key, waiting instead of dropping."""

from __future__ import annotations

import pytest

from sentinel.routing.ratelimit import TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_120_a_minute_after_the_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket.per_minute(120, burst=10, clock=clock, sleep=clock.sleep)
    start = clock.now
    times = []
    for _ in range(250):
        bucket.acquire()
        times.append(clock.now - start)
    # Never more than the burst plus two a second in any window from the start.
    for count, moment in enumerate(times, 1):
        assert count <= 10 + 2 * moment + 1e-9
    assert times[-1] == pytest.approx((250 - 10) / 2, abs=0.01)
    assert bucket.waited == pytest.approx(times[-1], abs=0.01)


def test_default_burst_is_a_tenth_of_a_minute() -> None:
    clock = FakeClock()
    bucket = TokenBucket.per_minute(120, clock=clock, sleep=clock.sleep)
    for _ in range(12):
        assert bucket.acquire() == 0.0
    assert bucket.acquire() == pytest.approx(0.5)


def test_a_429_pauses_the_bucket_for_retry_after() -> None:
    clock = FakeClock()
    bucket = TokenBucket.per_minute(120, burst=10, clock=clock, sleep=clock.sleep)
    bucket.pause(30)
    assert bucket.delay() == pytest.approx(30)
    assert bucket.acquire() == pytest.approx(30.5)  # the pause, then a trickle, not a burst
    assert bucket.acquire() == pytest.approx(0.5)


def test_invalid_rates_are_refused() -> None:
    with pytest.raises(ValueError):
        TokenBucket(rate=0, capacity=1)
