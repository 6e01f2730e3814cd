"""The SQS side of the router: long-poll the queue, act on each decision, never lose a message.

A message is deleted only once the router says so (every destination accepted it, or it is
stored as held). A refused delivery makes the message visible again after a backoff that
honours the service's ``Retry-After``; after ``max_receives`` receives, or at once when it cannot
be read or routed, it is moved to the dead-letter queue with the reason as a message attribute,
and the reason is logged.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy.exc import SQLAlchemyError

from sentinel.errors import SentinelError
from sentinel.routing.claims import Claimed
from sentinel.routing.router import DEAD, DEFERRED, RETRY, Decision, Router

log = logging.getLogger("sentinel.routing")

BATCH = 10
LONG_POLL = 20
REASON_ATTRIBUTE = "SentinelReason"
SOURCE_ATTRIBUTE = "SentinelSourceQueue"
MAX_VISIBILITY = 43200  # SQS's limit: 12 hours
BACKOFF_BASE = 10.0
BACKOFF_MAX = 900.0
ERROR_PAUSE = 5.0
BUSY_WAIT = 2.0  # seconds a message waits in hand for an alarm another replica is handling
BUSY_POLL = 0.05


class QueueError(SentinelError):
    """The router queue is missing or unreadable."""


@dataclass(frozen=True)
class Queue:
    url: str
    name: str
    dead_letter_url: str | None
    visibility_timeout: int
    max_receives: int


def find_queue(sqs: Any, name: str) -> Queue:
    """The router queue by name, its dead-letter queue from its redrive policy."""
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except sqs.exceptions.QueueDoesNotExist:
        raise QueueError(
            f"queue {name} does not exist: declare `router:` in alarms/routing.yaml and run "
            "`sentinel apply`"
        ) from None
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    redrive = json.loads(attributes.get("RedrivePolicy") or "{}")
    dead_letter_url = None
    if redrive.get("deadLetterTargetArn"):
        dead_letter_url = sqs.get_queue_url(
            QueueName=redrive["deadLetterTargetArn"].rsplit(":", 1)[-1]
        )["QueueUrl"]
    return Queue(
        url=url,
        name=name,
        dead_letter_url=dead_letter_url,
        visibility_timeout=int(attributes.get("VisibilityTimeout", 30)),
        max_receives=int(redrive.get("maxReceiveCount", 5)),
    )


def backoff(receive_count: int, retry_after: float | None) -> int:
    """Seconds before a refused message is tried again: doubling per receive, at least what the
    service asked for in ``Retry-After``."""
    delay = min(BACKOFF_BASE * 2 ** max(0, receive_count - 1), BACKOFF_MAX)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return int(min(MAX_VISIBILITY, max(1, round(delay))))


@dataclass
class RunReport:
    received: int = 0
    actions: Counter[str] = field(default_factory=Counter)

    def add(self, decision: Decision) -> None:
        self.actions[decision.action] += 1


class Consumer:
    # The AWS calls finding the queue and consuming it make ("<IAM prefix>:<Operation>").
    calls: ClassVar[tuple[str, ...]] = (
        "sqs:GetQueueUrl",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:DeleteMessageBatch",
        "sqs:ChangeMessageVisibility",
        "sqs:ChangeMessageVisibilityBatch",
        "sqs:SendMessage",
    )

    def __init__(
        self,
        router: Router,
        sqs: Any,
        queue: Queue,
        on_decision: Callable[[Decision], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        on_poll: Callable[[int], None] | None = None,
    ) -> None:
        self.router = router
        self.sqs = sqs
        self.queue = queue
        self.on_decision = on_decision
        # Told how many messages each receive returned (metrics, liveness).
        self.on_poll = on_poll
        self.monotonic = monotonic
        self.report = RunReport()
        self.error_pause = ERROR_PAUSE
        # A claim lasts as long as SQS hides the message from the other consumers.
        router.lease = timedelta(seconds=queue.visibility_timeout)

    def _record(self, decision: Decision) -> None:
        self.report.add(decision)
        if self.on_decision:
            self.on_decision(decision)

    def tick(self) -> list[Decision]:
        """Send held alerts that are due, re-page and escalate unacknowledged pages."""
        decisions = self.router.release_due() + self.router.repage_due()
        decisions += self.router.escalate_due()
        for decision in decisions:
            self._record(decision)
        return decisions

    def poll(self, wait: int = LONG_POLL, stop: threading.Event | None = None) -> list[Decision]:
        """Receive one batch (long polling up to ``wait`` seconds) and handle every message.

        The batch's alarms are claimed first, in one transaction (committed, so the other
        replicas see it): a claim outlives its batch only when the batch failed or its replica
        died. Messages of an alarm another replica holds wait for it briefly, then come back.
        """
        response = self.sqs.receive_message(
            QueueUrl=self.queue.url,
            MaxNumberOfMessages=BATCH,
            WaitTimeSeconds=wait,
            AttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
            MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
        )
        messages = response.get("Messages", [])
        received_at = self.router.clock()  # latency counts the wait behind the batch too
        self.report.received += len(messages)
        if self.on_poll:
            self.on_poll(len(messages))
        if not messages:
            return []
        started = self.monotonic()
        keys = {m["MessageId"]: self.router.alarm_key(m["Body"]) for m in messages}
        try:
            claimed = self._claim({k for k in keys.values() if k})
        except SQLAlchemyError:
            self._return(messages)  # the store is away: back at once, not after the timeout
            raise
        ready = [m for m in messages if keys[m["MessageId"]] in claimed.mine | {None}]
        waiting = [m for m in messages if m not in ready]
        try:
            decisions = self._round(ready, claimed, received_at, started, stop)
        except SQLAlchemyError:
            self._return(waiting)
            raise
        if not waiting:
            return decisions
        if stop is not None and stop.is_set():
            self._return(waiting)
            return decisions
        late = self._claim_late({keys[m["MessageId"]] or "" for m in waiting}, stop)
        ready = [m for m in waiting if keys[m["MessageId"]] in late.mine]
        decisions += self._round(ready, late, received_at, started, stop)
        for message in waiting:
            if message not in ready:
                key = keys[message["MessageId"]] or ""
                decision = self._deferred(message, late.busy.get(key))
                self._record(decision)
                self._act(message, decision)
                decisions.append(decision)
        return decisions

    def _claim(self, keys: set[str]) -> Claimed:
        return self.router.state.claim_alarms(keys, self.router.clock(), self.router.lease)

    def _round(
        self,
        messages: list[dict[str, Any]],
        claimed: Claimed,
        received_at: datetime,
        started: float,
        stop: threading.Event | None,
    ) -> list[Decision]:
        """Handle claimed messages, each in one store transaction committed once its
        destinations answered (so a crash leaves at most the message in hand unrecorded, marked
        in the store as being sent: ``RouterState.sending``), then
        delete the handled ones together: the store knows them, so one that comes back after a
        crash is not sent again. The claims go last; a failure leaves them to expire."""
        decisions: list[Decision] = []
        done: list[str] = []
        state = self.router.state
        self.router.in_doubt = claimed.in_doubt
        index = 0
        try:
            with self.router.batch([m["Body"] for m in messages], claimed.mine):
                for index, message in enumerate(messages):
                    if stop is not None and stop.is_set():
                        self._return(messages[index:])
                        break
                    self._keep_lease(messages[index:], started, claimed.mine)
                    with state.transaction():
                        decision = self.router.handle(message["Body"], received_at)
                    self._record(decision)
                    if self._act(message, decision):
                        done.append(message["ReceiptHandle"])
                    decisions.append(decision)
        except SQLAlchemyError:
            # The store went away mid-batch: hand back the messages not done now, not after the
            # visibility timeout; they are received again once the store answers.
            self._return(messages[index:])
            raise
        finally:
            self.router.in_doubt = {}
            self._delete(done)
        state.release_claims(claimed.mine)
        return decisions

    def _claim_late(self, keys: set[str], stop: threading.Event | None) -> Claimed:
        """Wait a little for alarms another replica is handling (it takes milliseconds); those
        still held after ``BUSY_WAIT`` (a replica that died holding them) are deferred."""
        claimed = Claimed()
        deadline = self.monotonic() + BUSY_WAIT
        while keys - claimed.mine and self.monotonic() < deadline:
            if stop is not None and stop.is_set():
                break
            time.sleep(BUSY_POLL)
            late = self._claim(keys - claimed.mine)
            claimed.mine |= late.mine
            claimed.in_doubt.update(late.in_doubt)
            claimed.busy.update(late.busy)
        return claimed

    def _deferred(self, message: dict[str, Any], until: datetime | None) -> Decision:
        now = self.router.clock()
        seconds = (until - now).total_seconds() if until is not None else 1.0
        return Decision(
            DEFERRED,
            message_id=message["MessageId"],
            reason="another router is handling this alarm",
            retry_after=max(1.0, seconds + 1),
            received_at=now,
            finished_at=now,
        )

    def _delete(self, handles: list[str]) -> None:
        for start in range(0, len(handles), BATCH):
            entries = [
                {"Id": str(i), "ReceiptHandle": handle}
                for i, handle in enumerate(handles[start : start + BATCH])
            ]
            response = self.sqs.delete_message_batch(QueueUrl=self.queue.url, Entries=entries)
            for failure in response.get("Failed", []):
                # Visible again later, it is recognised as handled and deleted then.
                log.warning(
                    "delete failed (%s): the message will come back and be skipped",
                    failure.get("Code"),
                )

    def _keep_lease(self, pending: list[dict[str, Any]], started: float, keys: set[str]) -> None:
        """A slow batch (rate limits) must not let its messages (and its claims of their alarms)
        go to another consumer."""
        if self.monotonic() - started < self.queue.visibility_timeout / 2:
            return
        self.router.state.renew_claims(keys, self.router.clock(), self.router.lease)
        entries = [
            {
                "Id": str(i),
                "ReceiptHandle": m["ReceiptHandle"],
                "VisibilityTimeout": self.queue.visibility_timeout,
            }
            for i, m in enumerate(pending)
        ]
        for start in range(0, len(entries), BATCH):
            self.sqs.change_message_visibility_batch(
                QueueUrl=self.queue.url, Entries=entries[start : start + BATCH]
            )

    def _return(self, messages: list[dict[str, Any]]) -> None:
        """Hand unhandled messages back at once (shutting down mid-batch)."""
        for message in messages:
            self.sqs.change_message_visibility(
                QueueUrl=self.queue.url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )

    def _act(self, message: dict[str, Any], decision: Decision) -> bool:
        """Retry later or dead-letter the message; True when it is done and may be deleted."""
        handle = message["ReceiptHandle"]
        if decision.delete:
            return True
        receives = int(message.get("Attributes", {}).get("ApproximateReceiveCount", 1))
        if decision.action == RETRY and receives >= self.queue.max_receives:
            decision.action = DEAD
            decision.reason = f"still failing after {receives} receives: {decision.reason}"
        if decision.dead:
            self.dead_letter(message, decision.reason or "unknown")
            return False
        if decision.action == DEFERRED:
            delay = int(min(self.queue.visibility_timeout, decision.retry_after or 1))
            log.info("message %s waits %ds: %s", decision.message_id, delay, decision.reason)
            self.sqs.change_message_visibility(
                QueueUrl=self.queue.url, ReceiptHandle=handle, VisibilityTimeout=delay
            )
            return False
        delay = backoff(receives, decision.retry_after)
        decision.retry_after = delay
        log.warning(
            "message %s not delivered (%s); retry %d of %d in %ds",
            decision.message_id or message["MessageId"],
            decision.reason,
            receives,
            self.queue.max_receives,
            delay,
        )
        self.sqs.change_message_visibility(
            QueueUrl=self.queue.url, ReceiptHandle=handle, VisibilityTimeout=delay
        )
        return False

    def dead_letter(self, message: dict[str, Any], reason: str) -> None:
        """Move a message to the dead-letter queue, the reason attached, and log why."""
        if self.queue.dead_letter_url is None:
            # No DLQ: leave the message for SQS to retry; the reason is still logged.
            log.error(
                "message %s cannot be delivered and there is no dead-letter queue: %s",
                message["MessageId"],
                reason,
            )
            return
        self.sqs.send_message(
            QueueUrl=self.queue.dead_letter_url,
            MessageBody=message["Body"],
            MessageAttributes={
                REASON_ATTRIBUTE: {"DataType": "String", "StringValue": reason[:1000]},
                SOURCE_ATTRIBUTE: {"DataType": "String", "StringValue": self.queue.name},
            },
        )
        self.sqs.delete_message(QueueUrl=self.queue.url, ReceiptHandle=message["ReceiptHandle"])
        log.error("message %s moved to the dead-letter queue: %s", message["MessageId"], reason)

    def run(self, stop: threading.Event, wait: int = LONG_POLL) -> RunReport:
        """Consume until ``stop`` is set; held alerts and escalations are checked every round.

        An outage of SQS or of the store (past botocore's own retries) is logged and waited out:
        nothing is lost meanwhile, the messages stay in the queue.
        """
        pause = self.error_pause
        while not stop.is_set():
            try:
                self.tick()
                self.poll(self._wait(wait), stop)
                pause = self.error_pause
            except (BotoCoreError, ClientError, SQLAlchemyError) as exc:
                log.error("router round failed (%s); trying again in %.0fs", _short(exc), pause)
                stop.wait(pause)
                pause = min(pause * 2, BACKOFF_MAX)
        return self.report

    def drain(self, wait: int = 1) -> RunReport:
        """Handle everything queued now (and held alerts already due), then return."""
        while True:
            self.tick()
            if not self.poll(wait):
                self.tick()
                return self.report

    def _wait(self, longest: int) -> int:
        """Wake up in time for the next held alert or page due for acknowledgement."""
        due = [self.router.next_release(), self.router.next_page_due()]
        release = min((moment for moment in due if moment is not None), default=None)
        if release is None:
            return longest
        seconds = (release - self.router.clock()).total_seconds()
        return int(max(0, min(longest, seconds)))


def latency(decision: Decision) -> float | None:
    """Seconds from the receive to the decision (every destination accepted, for a delivery)."""
    if decision.received_at is None or decision.finished_at is None:
        return None
    return (decision.finished_at - decision.received_at).total_seconds()


def _short(exc: Exception) -> str:
    return (str(exc).splitlines()[0] if str(exc) else type(exc).__name__)[:300]
