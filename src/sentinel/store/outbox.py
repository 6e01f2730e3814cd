"""Pending deliveries: a message is stored before it is sent and marked when it has arrived.

A report that Slack refused (down, rate limited) stays here and is sent again later by the
daemon's ``deliveries`` job; each delivery has a unique key (job, period, destination) so the
same report is never queued, nor posted, twice. Whether a delivery has arrived, who is sending
it, and the parts of it already delivered (``progress``, so that a retry after a partial failure
sends only what is missing) are the store's "once" records (``sentinel.store.once``), scope
``delivery``; this table keeps only the queue: what to send, and when to try again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
    and_,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from sentinel.errors import DeliveryFailed
from sentinel.store import once
from sentinel.store.database import METADATA, Store, utcnow

PENDING, SENDING, DELIVERED, GIVEN_UP = "pending", "sending", "delivered", "given up"
# A sender that crashed mid-send releases its claim after this long.
CLAIM_LEASE = timedelta(minutes=10)
FIRST_RETRY = timedelta(minutes=2)
MAX_RETRY = timedelta(hours=1)
# Tries before a delivery is given up (2, 4, 8, ... minutes apart, then hourly: about 5 hours);
# one whose destination says retrying cannot help (a missing topic, a revoked token) is given
# up at its first failure.
MAX_ATTEMPTS = 10
# The deliveries' "once" records: key the delivery's key, part WHOLE for the delivery itself
# (claimed while it is being sent, done once it has arrived), another part for each piece sent.
SCOPE = "delivery"

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
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", DateTime, nullable=False),
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
    given_up: list[tuple[Delivery, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


class Outbox:
    def __init__(self, store: Store, holder: str | None = None) -> None:
        self.store = store
        self.holder = holder or once.new_holder()
        store.ensure([DELIVERIES, once.ONCE])

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
            return _delivery(dict(row), once.records(db, SCOPE, key=key)) if row else None

    def pending(self, due_only: bool = False) -> list[Delivery]:
        arrived = and_(
            once.ONCE.c.scope == SCOPE,
            once.ONCE.c.key == DELIVERIES.c.key,
            once.ONCE.c.part == once.WHOLE,
            once.ONCE.c.status.in_([once.DONE, once.GIVEN_UP]),
        )
        query = (
            select(DELIVERIES)
            .outerjoin(once.ONCE, arrived)
            .where(once.ONCE.c.key.is_(None))
            .order_by(DELIVERIES.c.id)
        )
        if due_only:
            query = query.where(DELIVERIES.c.next_attempt_at <= utcnow())
        with self.store.engine.connect() as db:
            rows = db.execute(query).mappings().all()
            records = once.records_of(db, SCOPE, [r["key"] for r in rows])
        return [_delivery(dict(r), records.get(r["key"], [])) for r in rows]

    def deliver(self, delivery: Delivery, sender: Sender) -> tuple[bool, str | None]:
        """Send one delivery now if nobody else is sending it; (delivered?, error)."""
        with self.store.engine.begin() as db:
            claimed = once.claim(
                db,
                SCOPE,
                delivery.key,
                once.WHOLE,
                holder=self.holder,
                now=utcnow(),
                lease=CLAIM_LEASE,
            )
        if claimed is None:
            current = self.get(delivery.key)
            return (current is not None and current.delivered), None
        current = self.get(delivery.key)
        assert current is not None
        try:
            sender.send(current, lambda part: self._progress(current.key, part))
        except DeliveryFailed as exc:
            self._failed(current, claimed, str(exc), exc.permanent)
            return False, str(exc)
        with self.store.engine.begin() as db:
            once.finish(
                db,
                SCOPE,
                current.key,
                once.WHOLE,
                ok=True,
                now=utcnow(),
                attempt=claimed.attempts,
                holder=self.holder,
            )
        return True, None

    def flush(self, senders: Mapping[str, Sender], due_only: bool = True) -> FlushResult:
        """Send every pending delivery that is due, each through its channel's sender."""
        delivered: list[Delivery] = []
        failed: list[tuple[Delivery, str]] = []
        given_up: list[tuple[Delivery, str]] = []
        for delivery in self.pending(due_only=due_only):
            sender = senders.get(delivery.channel)
            if sender is None:
                failed.append((delivery, f"no sender for {delivery.channel}"))
                continue
            ok, error = self.deliver(delivery, sender)
            if ok:
                delivered.append(delivery)
            elif error:
                current = self.get(delivery.key)
                gone = current is not None and current.status == GIVEN_UP
                (given_up if gone else failed).append((delivery, error))
        return FlushResult(delivered, failed, given_up)

    def _progress(self, key: str, part: Mapping[str, Any]) -> None:
        """A piece of a delivery has arrived: its own done record, named by what it holds."""
        with self.store.engine.begin() as db:
            once.record_done(db, SCOPE, key, _part_name(part), utcnow(), dict(part))

    def _failed(self, delivery: Delivery, claimed: once.Once, error: str, permanent: bool) -> None:
        attempts = delivery.attempts + 1
        wait = min(FIRST_RETRY * (2 ** (attempts - 1)), MAX_RETRY)
        now = utcnow()
        with self.store.engine.begin() as db:
            once.finish(
                db,
                SCOPE,
                delivery.key,
                once.WHOLE,
                ok=False,
                now=now,
                outcome=error[:2000],
                attempt=claimed.attempts,
                holder=self.holder,
                give_up=permanent or attempts >= MAX_ATTEMPTS,
            )
            db.execute(
                update(DELIVERIES)
                .where(DELIVERIES.c.id == delivery.id)
                .values(attempts=attempts, last_error=error[:2000], next_attempt_at=now + wait)
            )


def _part_name(part: Mapping[str, Any]) -> str:
    """A piece's part: the names of what it records (``ts+channel_id`` for a Slack post)."""
    return "+".join(sorted(part)) or "sent"


def _delivery(row: Mapping[str, Any], records: list[once.Once]) -> Delivery:
    whole = next((r for r in records if r.part == once.WHOLE), None)
    progress: dict[str, Any] = {}
    for record in sorted(records, key=lambda r: (r.done_at or r.started_at, r.part)):
        if record.part != once.WHOLE and record.done and isinstance(record.detail, dict):
            progress.update(record.detail)
    if whole is not None and whole.done:
        status = DELIVERED
    elif whole is not None and whole.status == once.GIVEN_UP:
        status = GIVEN_UP
    elif whole is not None and whole.status == once.CLAIMED and not whole.lease_expired(utcnow()):
        status = SENDING
    else:
        status = PENDING
    return Delivery(
        id=row["id"],
        key=row["key"],
        channel=row["channel"],
        target=row["target"],
        payload=dict(row["payload"] or {}),
        attachment=row["attachment"],
        attachment_name=row["attachment_name"],
        progress=progress,
        status=status,
        attempts=row["attempts"],
        last_error=row["last_error"],
        created_at=row["created_at"],
        delivered_at=whole.done_at if whole is not None and whole.done else None,
    )
