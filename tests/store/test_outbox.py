"""The outbox: queued once, delivered once, retried with backoff, parts never resent."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from sentinel.errors import DeliveryFailed
from sentinel.store import Store
from sentinel.store.outbox import MAX_ATTEMPTS, Delivery, Outbox


class Recorder:
    """A sender delivering in two parts (a message, then a file), failing when told to."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail_parts: list[str] = []

    def send(self, delivery: Delivery, progress: Callable[[Mapping[str, Any]], None]) -> None:
        for part in ("message", "file"):
            if part in delivery.progress:
                continue
            if part in self.fail_parts:
                self.fail_parts.remove(part)
                raise DeliveryFailed("stand-in", f"{part} refused (503)")
            self.sent.append((delivery.key, part))
            progress({part: f"{part}-id"})


@pytest.fixture
def store(backend_store: Store) -> Store:
    """Every test of this module runs on SQLite and on PostgreSQL."""
    return backend_store


def test_a_key_is_queued_once(store: Store) -> None:
    outbox = Outbox(store)
    first, created = outbox.enqueue("report:2026-03-10:#finops", "slack", "#finops", {"text": "a"})
    again, created_again = outbox.enqueue(
        "report:2026-03-10:#finops", "slack", "#finops", {"text": "b"}
    )
    assert created and not created_again
    assert again.id == first.id and again.payload == {"text": "a"}
    assert len(outbox.pending()) == 1


def test_delivered_once_however_often_flushed(store: Store) -> None:
    outbox = Outbox(store)
    outbox.enqueue("k", "slack", "#c", {"text": "x"})
    sender = Recorder()
    assert [d.key for d in outbox.flush({"slack": sender}).delivered] == ["k"]
    assert outbox.flush({"slack": sender}, due_only=False).delivered == []
    assert sender.sent == [("k", "message"), ("k", "file")]
    delivered = outbox.get("k")
    assert delivered is not None and delivered.delivered and delivered.delivered_at is not None


def test_failure_backs_off_and_the_retry_sends_only_what_is_missing(store: Store) -> None:
    outbox = Outbox(store)
    outbox.enqueue("k", "slack", "#c", {"text": "x"}, b"\x89PNG", "chart.png")
    sender = Recorder()
    sender.fail_parts = ["file", "file"]
    result = outbox.flush({"slack": sender})
    assert result.failed[0][1] == "stand-in: file refused (503)"
    [pending] = outbox.pending()
    assert (pending.attempts, pending.progress) == (1, {"message": "message-id"})
    assert pending.attachment == b"\x89PNG"
    # Two minutes of backoff, then four: not due before.
    assert outbox.flush({"slack": sender}).delivered == []
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=3), tick=False):
        assert outbox.flush({"slack": sender}).failed
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=6), tick=False):
        assert outbox.flush({"slack": sender}).delivered == []
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=8), tick=False):
        assert [d.key for d in outbox.flush({"slack": sender}).delivered] == ["k"]
    assert sender.sent == [("k", "message"), ("k", "file")]


def test_one_sender_at_a_time(store: Store) -> None:
    shared = store
    first, second = Outbox(shared), Outbox(Store(shared.url))
    delivery, _ = first.enqueue("k", "slack", "#c", {"text": "x"})
    inner = Recorder()

    class Reentrant(Recorder):
        def send(self, d: Delivery, progress: Callable[[Mapping[str, Any]], None]) -> None:
            # While this process sends, another one tries: it must not send as well.
            assert second.deliver(d, inner) == (False, None)
            super().send(d, progress)

    assert first.deliver(delivery, Reentrant()) == (True, None)
    assert inner.sent == []
    assert second.deliver(delivery, inner) == (True, None)
    assert inner.sent == []


class Refusing:
    """A destination that refuses every delivery, for good or for now."""

    def __init__(self, permanent: bool) -> None:
        self.permanent = permanent
        self.tries = 0

    def send(self, delivery: Delivery, progress: Callable[[Mapping[str, Any]], None]) -> None:
        self.tries += 1
        raise DeliveryFailed("SNS", "NotFound", permanent=self.permanent)


def test_a_delivery_retrying_cannot_help_is_given_up_at_once(store: Store) -> None:
    outbox = Outbox(store)
    outbox.enqueue("k", "sns", "arn:aws:sns:us-east-1:123456789012:p2p-finops", {"text": "x"})
    refusing = Refusing(permanent=True)
    result = outbox.flush({"sns": refusing})
    assert [(d.key, why) for d, why in result.given_up] == [("k", "SNS: NotFound")]
    assert result.failed == [] and outbox.pending() == []
    gone = outbox.get("k")
    assert gone is not None and gone.status == "given up" and not gone.delivered
    with time_machine.travel(datetime.now(UTC) + timedelta(days=1), tick=False):
        assert outbox.flush({"sns": refusing}, due_only=False).given_up == []
    assert refusing.tries == 1


def test_a_delivery_that_keeps_failing_is_given_up_after_its_tries(store: Store) -> None:
    outbox = Outbox(store)
    outbox.enqueue("k", "sns", "arn:aws:sns:us-east-1:123456789012:p2p-finops", {"text": "x"})
    refusing = Refusing(permanent=False)
    outcomes = []
    for _ in range(MAX_ATTEMPTS + 2):
        result = outbox.flush({"sns": refusing}, due_only=False)
        outcomes.append((len(result.failed), len(result.given_up)))
    assert refusing.tries == MAX_ATTEMPTS
    assert outcomes == [(1, 0)] * (MAX_ATTEMPTS - 1) + [(0, 1), (0, 0), (0, 0)]
    assert outbox.pending() == []
