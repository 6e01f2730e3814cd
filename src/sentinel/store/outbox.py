"""Pending deliveries: a message is stored before it is sent and marked when it has arrived.

A report that Slack refused (down, rate limited) stays here and is sent again later by the
daemon's ``deliveries`` job; each delivery has a unique key (job, period, destination) so the
same report is never queued, nor posted, twice. A sender records the parts it has delivered
(``progress``) so that a retry after a partial failure sends only what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from sentinel.errors import DeliveryFailed
from sentinel.store.database import METADATA, Store, utcnow

PENDING, SENDING, DELIVERED = "pending", "sending", "delivered"
# A sender that crashed mid-send releases its claim after this long.
CLAIM_LEASE = timedelta(minutes=10)
FIRST_RETRY = timedelta(minutes=2)
MAX_RETRY = timedelta(hours=1)

DELIVERIES = Table(
    "deliveries",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False, unique=True),
    Column("channel", String(20), nullable=False),
    Column("target", String(200), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("attachment", LargeBinary, nullable=True),
    Column("attachment_name", String(200), nullable=True),
    Column("progress", JSON, nullable=False, default=dict),
    Column("status", String(12), nullable=False, default=PENDING),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime, nullable=False),
    Column("claimed_until", DateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("delivered_at", DateTime, nullable=True),
)


@dataclass(frozen=True)
class Delivery:
    id: int
    key: str
    channel: str
    target: str
    payload: dict[str, Any]
    attachment: bytes | None
    attachment_name: str | None
    progress: dict[str, Any]
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None

    @property
    def delivered(self) -> bool:
        return self.status == DELIVERED


class Sender(Protocol):
    """Delivers one kind of message (``channel``); calls ``progress`` after each delivered part."""

    def send(self, delivery: Delivery, progress: Callable[[Mapping[str, Any]], None]) -> None: ...


@dataclass(frozen=True)
class FlushResult:
    delivered: list[Delivery]
    failed: list[tuple[Delivery, str]]

    @property
    def ok(self) -> bool:
        return not self.failed


class Outbox:
    def __init__(self, store: Store) -> None:
        self.store = store
        store.ensure([DELIVERIES])

    def enqueue(
        self,
        key: str,
        channel: str,
        target: str,
        payload: Mapping[str, Any],
        attachment: bytes | None = None,
        attachment_name: str | None = None,
    ) -> tuple[Delivery, bool]:
        """Queue a message; returns it and whether it is new (a known key is never re-queued)."""
        now = utcnow()
        try:
            with self.store.engine.begin() as db:
                db.execute(
                    insert(DELIVERIES).values(
                        key=key,
                        channel=channel,
                        target=target,
                        payload=dict(payload),
                        attachment=attachment,
                        attachment_name=attachment_name,
                        progress={},
                        status=PENDING,
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
            created = True
        except IntegrityError:
            created = False
        found = self.get(key)
        assert found is not None
        return found, created

    def get(self, key: str) -> Delivery | None:
        with self.store.engine.connect() as db:
            row = db.execute(select(DELIVERIES).where(DELIVERIES.c.key == key)).mappings().first()
        return _delivery(dict(row)) if row else None

    def pending(self, due_only: bool = False) -> list[Delivery]:
        query = select(DELIVERIES).where(DELIVERIES.c.status != DELIVERED)
        if due_only:
            query = query.where(DELIVERIES.c.next_attempt_at <= utcnow())
        with self.store.engine.connect() as db:
            rows = db.execute(query.order_by(DELIVERIES.c.id)).mappings().all()
        return [_delivery(dict(r)) for r in rows]

    def deliver(self, delivery: Delivery, sender: Sender) -> tuple[bool, str | None]:
        """Send one delivery now if nobody else is sending it; (delivered?, error)."""
        if not self._claim(delivery.id):
            current = self.get(delivery.key)
            return (current is not None and current.delivered), None
        current = self.get(delivery.key)
        assert current is not None
        try:
            sender.send(current, lambda part: self._progress(current.id, part))
        except DeliveryFailed as exc:
            self._failed(current, str(exc))
            return False, str(exc)
        self._delivered(current.id)
        return True, None

    def flush(self, senders: Mapping[str, Sender], due_only: bool = True) -> FlushResult:
        """Send every pending delivery that is due, each through its channel's sender."""
        delivered: list[Delivery] = []
        failed: list[tuple[Delivery, str]] = []
        for delivery in self.pending(due_only=due_only):
            sender = senders.get(delivery.channel)
            if sender is None:
                failed.append((delivery, f"no sender for {delivery.channel}"))
                continue
            ok, error = self.deliver(delivery, sender)
            if ok:
                delivered.append(delivery)
            elif error:
                failed.append((delivery, error))
        return FlushResult(delivered, failed)

    def _claim(self, delivery_id: int) -> bool:
        now = utcnow()
        with self.store.engine.begin() as db:
            result = db.execute(
                update(DELIVERIES)
                .where(DELIVERIES.c.id == delivery_id)
                .where(
                    or_(
                        DELIVERIES.c.status == PENDING,
                        (DELIVERIES.c.status == SENDING) & (DELIVERIES.c.claimed_until < now),
                    )
                )
                .values(status=SENDING, claimed_until=now + CLAIM_LEASE)
            )
        return result.rowcount == 1

    def _progress(self, delivery_id: int, part: Mapping[str, Any]) -> None:
        with self.store.engine.begin() as db:
            current = db.execute(
                select(DELIVERIES.c.progress).where(DELIVERIES.c.id == delivery_id)
            ).scalar_one()
            db.execute(
                update(DELIVERIES)
                .where(DELIVERIES.c.id == delivery_id)
                .values(progress={**(current or {}), **part})
            )

    def _delivered(self, delivery_id: int) -> None:
        with self.store.engine.begin() as db:
            db.execute(
                update(DELIVERIES)
                .where(DELIVERIES.c.id == delivery_id)
                .values(status=DELIVERED, delivered_at=utcnow(), claimed_until=None)
            )

    def _failed(self, delivery: Delivery, error: str) -> None:
        attempts = delivery.attempts + 1
        wait = min(FIRST_RETRY * (2 ** (attempts - 1)), MAX_RETRY)
        with self.store.engine.begin() as db:
            db.execute(
                update(DELIVERIES)
                .where(DELIVERIES.c.id == delivery.id)
                .values(
                    status=PENDING,
                    attempts=attempts,
                    last_error=error[:2000],
                    next_attempt_at=utcnow() + wait,
                    claimed_until=None,
                )
            )


def _delivery(row: Mapping[str, Any]) -> Delivery:
    return Delivery(
        id=row["id"],
        key=row["key"],
        channel=row["channel"],
        target=row["target"],
        payload=dict(row["payload"] or {}),
        attachment=row["attachment"],
        attachment_name=row["attachment_name"],
        progress=dict(row["progress"] or {}),
        status=row["status"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        created_at=row["created_at"],
        delivered_at=row["delivered_at"],
    )
