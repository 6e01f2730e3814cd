"""The router's memory, in the daemon's store: what was sent, to whom, and what waits.

- ``router_messages``: every SNS MessageId handled, so a duplicate delivery is sent once.
- which destination accepted which message (or digest), so a retry after a partial failure sends
  only to the destinations that have not accepted it yet: the store's "once" records
  (``sentinel.store.once``), scope ``router``, key the message, part the destination; ``done``
  once accepted, ``claimed`` while being sent (a sender that died leaves it so).
- ``router_alarms``: per alarm, the newest state change seen and the state people were last told.
- ``router_threads``: the Slack message of an alarm, where later changes reply and update.
- ``router_held``: alarms waiting out a group wait, quiet hours or a maintenance window.
- ``router_pages``: pages waiting for acknowledgement: when the severity's response time runs
  out, and whether the escalation target was re-paged (kept here, so a restart neither forgets
  a re-page nor sends it twice).
- ``router_claims``: which replica is handling which alarm (``sentinel.routing.claims``).
- ``router_silences``: alarms silenced from the command line (``sentinel.routing.silences``).

Calls inside ``transaction()`` share one transaction (the consumer opens one per message, so a
message's reads and writes cost one commit, not twenty, plus one before anything goes out:
``sending``); outside it, each call is its own.

Times are kept as naive UTC (SQLite has no time zones) and handed out aware.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from sentinel.routing import claims, silences
from sentinel.routing.alert import Alert, AlertState
from sentinel.routing.claims import CLAIMS, Claimed
from sentinel.routing.noise import Hold
from sentinel.routing.silences import SILENCES, Silence
from sentinel.store import METADATA, Store, once

KEY = 1024

MESSAGES = Table(
    "router_messages",
    METADATA,
    Column("message_id", String(200), primary_key=True),
    Column("alert_key", String(KEY), nullable=True),
    Column("outcome", String(40), nullable=False),
    Column("completed_at", DateTime, nullable=False),
)
# The "once" records of the messages' deliveries: key the message, part the destination.
SCOPE = "router"
ALARMS = Table(
    "router_alarms",
    METADATA,
    Column("alert_key", String(KEY), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("severity", String(100), nullable=False),
    Column("last_event_at", DateTime, nullable=False),
    Column("last_message_id", String(200), nullable=False),
    Column("notified_state", String(20), nullable=True),
    Column("notified_at", DateTime, nullable=True),
    Column("notified_alert", JSON, nullable=True),
    Column("escalated_at", DateTime, nullable=True),
    Column("acknowledged_at", DateTime, nullable=True),
)
THREADS = Table(
    "router_threads",
    METADATA,
    Column("alert_key", String(KEY), primary_key=True),
    Column("destination", String(300), primary_key=True),
    Column("channel", String(100), nullable=False),
    Column("ts", String(40), nullable=False),
)
HELD = Table(
    "router_held",
    METADATA,
    Column("alert_key", String(KEY), primary_key=True),
    Column("severity", String(100), nullable=False),
    Column("alert", JSON, nullable=False),
    Column("first_state", String(20), nullable=False),
    Column("transitions", Integer, nullable=False),
    Column("held_at", DateTime, nullable=False),
    Column("release_at", DateTime, nullable=False),
    Column("reasons", String(300), nullable=False),
    Column("digest", Boolean, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
)
PAGES = Table(
    "router_pages",
    METADATA,
    Column("alert_key", String(KEY), primary_key=True),
    Column("severity", String(100), nullable=False),
    Column("alert", JSON, nullable=False),
    Column("paged_at", DateTime, nullable=False),
    Column("due_at", DateTime, nullable=False),
    Column("outcome", String(40), nullable=True),  # repaged, acknowledged
    Column("closed_at", DateTime, nullable=True),
)
TABLES = (MESSAGES, once.ONCE, ALARMS, THREADS, HELD, PAGES, CLAIMS, SILENCES)

# The reads every message makes, built once (executed with their parameters; SQLAlchemy caches
# their compiled form).
_HANDLED = select(MESSAGES.c.outcome).where(MESSAGES.c.message_id == bindparam("message_id"))
_ACCEPTED_BY = select(once.ONCE.c.part).where(
    once.ONCE.c.scope == SCOPE,
    once.ONCE.c.key == bindparam("message_id"),
    once.ONCE.c.status == once.DONE,
)
_SENDING = select(once.ONCE.c.part, once.ONCE.c.started_at).where(
    once.ONCE.c.scope == SCOPE,
    once.ONCE.c.key == bindparam("message_id"),
    once.ONCE.c.status == once.CLAIMED,
)
_SENDING_DONE = (
    update(once.ONCE)
    .where(
        once.ONCE.c.scope == SCOPE,
        once.ONCE.c.key == bindparam("b_message_id"),
        once.ONCE.c.part == bindparam("b_part"),
        once.ONCE.c.status == once.CLAIMED,
    )
    .values(status=once.DONE, done_at=bindparam("b_done_at"), holder=None)
)
_SENDING_REFUSED = delete(once.ONCE).where(
    once.ONCE.c.scope == SCOPE,
    once.ONCE.c.key == bindparam("b_message_id"),
    once.ONCE.c.part == bindparam("b_part"),
    once.ONCE.c.status == once.CLAIMED,
)
_ALARM = select(ALARMS).where(ALARMS.c.alert_key == bindparam("key"))
_OBSERVED = select(ALARMS.c.last_event_at, ALARMS.c.last_message_id, ALARMS.c.notified_state).where(
    ALARMS.c.alert_key == bindparam("key")
)
_THREADS = select(THREADS).where(THREADS.c.alert_key == bindparam("key"))
_HELD = select(HELD).where(HELD.c.alert_key == bindparam("key"))
# The writes every message makes: the columns set are the parameters' other keys.
_INSERT_ALARM = insert(ALARMS)
_UPDATE_ALARM = update(ALARMS).where(ALARMS.c.alert_key == bindparam("alarm"))
_DIALECT_INSERTS: dict[str, Callable[[Table], Any]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}
_UPSERTS: dict[tuple[str, str], Insert] = {}


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None else None


@dataclass(frozen=True)
class AlarmRecord:
    key: str
    name: str
    severity: str
    last_event_at: datetime
    last_message_id: str
    notified_state: AlertState | None
    notified_at: datetime | None
    notified_alert: Alert | None
    escalated_at: datetime | None
    acknowledged_at: datetime | None


@dataclass(frozen=True)
class Thread:
    channel: str
    ts: str


@dataclass(frozen=True)
class HeldAlert:
    key: str
    severity: str
    alert: Alert
    first_state: AlertState
    transitions: int
    held_at: datetime
    release_at: datetime
    reasons: tuple[str, ...]
    digest: bool
    attempts: int


@dataclass(frozen=True)
class Page:
    """A page that must be acknowledged by ``due_at``; ``outcome`` once that was settled."""

    key: str
    severity: str
    alert: Alert
    paged_at: datetime
    due_at: datetime
    outcome: str | None
    closed_at: datetime | None


class RouterState:
    """Reads and writes of the router tables: one short transaction per call, or one shared by
    every call inside ``transaction()``."""

    def __init__(self, store: Store, owner: str | None = None) -> None:
        self.store = store
        self.owner = owner or claims.replica_id()
        self._local = threading.local()
        store.ensure(TABLES)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction for every call inside; committed at the end, rolled back on error."""
        current: Connection | None = getattr(self._local, "connection", None)
        if current is not None:
            yield current
            return
        with self.store.engine.connect() as connection:
            self._local.connection = connection
            try:
                yield connection
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
            finally:
                self._local.connection = None

    def _tx(self) -> Any:
        return self.transaction()

    # --- a batch's rows known absent --------------------------------------------------------

    @contextmanager
    def batch(self, message_ids: Iterable[str], keys: Iterable[str]) -> Iterator[None]:
        """Look up once which rows of a batch's messages and (claimed) alarms do not exist, so
        each message's reads of them skip their query; a write to a row makes it looked up
        again. Only for alarms this replica has claimed: nobody else writes their rows."""
        ids, wanted = set(message_ids), set(keys)
        with self._tx() as tx:
            absent = {
                MESSAGES.name: ids - _found(tx, MESSAGES.c.message_id, ids),
                once.ONCE.name: ids - once.keys_recorded(tx, SCOPE, ids),
                ALARMS.name: wanted - _found(tx, ALARMS.c.alert_key, wanted),
                THREADS.name: wanted - _found(tx, THREADS.c.alert_key, wanted),
                HELD.name: wanted - _found(tx, HELD.c.alert_key, wanted),
            }
        self._local.absent = absent
        try:
            yield
        finally:
            self._local.absent = None

    def _absent(self, table: Table, key: str) -> bool:
        absent: dict[str, set[str]] | None = getattr(self._local, "absent", None)
        return absent is not None and key in absent[table.name]

    def _written(self, table: Table, key: str) -> None:
        absent: dict[str, set[str]] | None = getattr(self._local, "absent", None)
        if absent is not None:
            absent[table.name].discard(key)

    # --- claims of alarms among replicas -------------------------------------------------

    def claim_alarms(self, keys: Iterable[str], now: datetime, lease: timedelta) -> Claimed:
        """Claim the alarms of a batch (times in ``Claimed`` are aware UTC)."""
        with self._tx() as tx:
            claimed = claims.claim(tx, keys, self.owner, _naive(now), lease)
        return Claimed(
            claimed.mine,
            {k: v.replace(tzinfo=UTC) for k, v in claimed.busy.items()},
            {k: v.replace(tzinfo=UTC) for k, v in claimed.in_doubt.items()},
        )

    def renew_claims(self, keys: Iterable[str], now: datetime, lease: timedelta) -> None:
        with self._tx() as tx:
            claims.renew(tx, keys, self.owner, _naive(now), lease)

    def release_claims(self, keys: Iterable[str]) -> None:
        with self._tx() as tx:
            claims.release(tx, keys, self.owner)

    # --- messages and deliveries ---------------------------------------------------------

    def handled(self, message_id: str) -> str | None:
        """The outcome of a message handled before (a duplicate delivery), else None."""
        if self._absent(MESSAGES, message_id):
            return None
        with self._tx() as tx:
            row = tx.execute(_HANDLED, {"message_id": message_id}).first()
        return row.outcome if row else None

    def finish(self, message_id: str, alert_key: str | None, outcome: str, now: datetime) -> None:
        self._written(MESSAGES, message_id)
        with self._tx() as tx:
            _insert_new(
                tx,
                MESSAGES,
                {
                    "message_id": message_id,
                    "alert_key": alert_key,
                    "outcome": outcome,
                    "completed_at": _naive(now),
                },
            )

    def accepted_by(self, message_id: str) -> set[str]:
        if self._absent(once.ONCE, message_id):
            return set()
        with self._tx() as tx:
            rows = tx.execute(_ACCEPTED_BY, {"message_id": message_id})
            return {row.part for row in rows}

    def accepted(self, message_id: str, destination: str, now: datetime) -> None:
        self._written(once.ONCE, message_id)
        marked: set[tuple[str, str]] = getattr(self._local, "marked", set())
        values = {"b_message_id": message_id, "b_part": destination, "b_done_at": _naive(now)}
        with self._tx() as tx:
            if (message_id, destination) in marked:  # its record exists: one update
                marked.discard((message_id, destination))
                if tx.execute(_SENDING_DONE, values).rowcount == 1:
                    return
            if not once.record_done(tx, SCOPE, message_id, destination, _naive(now)):
                tx.execute(_SENDING_DONE, values)  # marked by a sender that stopped short

    def sending(self, message_id: str, destinations: Iterable[str], now: datetime) -> None:
        """Say, durably, that ``message_id`` is about to go to ``destinations``, and commit what
        the transaction holds so far (the change observed with it): a replica killed before it
        recorded the answers leaves the mark, and whoever handles the message again looks for
        what may have gone out (``sending_since``) instead of sending it twice, while an older
        change of the alarm is known stale."""
        self._written(once.ONCE, message_id)
        parts = list(destinations)
        rows = [
            {
                "scope": SCOPE,
                "key": message_id,
                "part": destination,
                "status": once.CLAIMED,
                "holder": self.owner,
                "lease_until": None,
                "attempts": 1,
                "started_at": _naive(now),
                "done_at": None,
                "detail": None,
                "outcome": None,
            }
            for destination in parts
        ]
        with self._tx() as tx:
            once.insert_all_new(tx, rows)
        # The message this thread is sending: its answers update the records just made.
        self._local.marked = {(message_id, destination) for destination in parts}
        connection: Connection | None = getattr(self._local, "connection", None)
        if connection is not None:
            connection.commit()

    def not_sent(self, message_id: str, destination: str) -> None:
        """``destination`` refused ``message_id``: nothing of it went out there."""
        with self._tx() as tx:
            tx.execute(_SENDING_REFUSED, {"b_message_id": message_id, "b_part": destination})

    def sending_since(self, message_id: str) -> dict[str, datetime]:
        """The destinations ``message_id`` was about to go to without their answer recorded
        (its sender died or failed): since when."""
        if self._absent(once.ONCE, message_id):
            return {}
        with self._tx() as tx:
            rows = tx.execute(_SENDING, {"message_id": message_id})
            return {row.part: row.started_at.replace(tzinfo=UTC) for row in rows}

    # --- alarms ------------------------------------------------------------------------------

    def alarm(self, key: str) -> AlarmRecord | None:
        if self._absent(ALARMS, key):
            return None
        with self._tx() as tx:
            row = tx.execute(_ALARM, {"key": key}).first()
        return _alarm(row) if row else None

    def observe(self, alert: Alert, severity: str) -> tuple[bool, AlertState | None]:
        """Record a state change: False when a newer change of the alarm was seen already; and
        the state people were last told of the alarm (None: nothing yet)."""
        known_absent = self._absent(ALARMS, alert.key)
        self._written(ALARMS, alert.key)
        with self._tx() as tx:
            row = None if known_absent else tx.execute(_OBSERVED, {"key": alert.key}).first()
            event_at = _naive(alert.event_time)
            if row is None:
                tx.execute(
                    _INSERT_ALARM,
                    {
                        "alert_key": alert.key,
                        "name": alert.name,
                        "severity": severity,
                        "last_event_at": event_at,
                        "last_message_id": alert.message_id,
                    },
                )
                return True, None
            told = AlertState(row.notified_state) if row.notified_state else None
            if row.last_message_id == alert.message_id:
                return True, told
            if event_at < row.last_event_at:
                return False, told
            tx.execute(
                _UPDATE_ALARM,
                {
                    "alarm": alert.key,
                    "last_event_at": event_at,
                    "last_message_id": alert.message_id,
                    "severity": severity,
                },
            )
            return True, told

    def notified(self, alert: Alert, now: datetime) -> None:
        """People were told ``alert.state``; a new ALARM starts a new escalation clock."""
        values: dict[str, Any] = {
            "alarm": alert.key,
            "notified_state": alert.state.value,
            "notified_at": _naive(now),
            "notified_alert": alert.to_json(),
        }
        if alert.state is AlertState.ALARM:
            values.update(escalated_at=None, acknowledged_at=None)
        with self._tx() as tx:
            tx.execute(_UPDATE_ALARM, values)

    def escalation_candidates(self) -> list[AlarmRecord]:
        with self._tx() as tx:
            rows = tx.execute(
                select(ALARMS).where(
                    ALARMS.c.notified_state == AlertState.ALARM.value,
                    ALARMS.c.escalated_at.is_(None),
                    ALARMS.c.acknowledged_at.is_(None),
                )
            )
            return [_alarm(row) for row in rows]

    def escalated(self, key: str, now: datetime) -> None:
        with self._tx() as tx:
            tx.execute(
                update(ALARMS).where(ALARMS.c.alert_key == key).values(escalated_at=_naive(now))
            )

    def acknowledged(self, key: str, now: datetime) -> None:
        with self._tx() as tx:
            tx.execute(
                update(ALARMS).where(ALARMS.c.alert_key == key).values(acknowledged_at=_naive(now))
            )

    # --- pages awaiting acknowledgement -------------------------------------------------

    def page(self, key: str) -> Page | None:
        with self._tx() as tx:
            row = tx.execute(select(PAGES).where(PAGES.c.alert_key == key)).first()
        return _page(row) if row else None

    def paged(self, alert: Alert, severity: str, now: datetime, due: datetime) -> None:
        """A page went out: it is due for acknowledgement at ``due``, unless one already is.

        A repeated trigger of an open incident keeps the first deadline (and a settled one
        stays settled): only a resolve (``unpaged``) starts the next page afresh.
        """
        with self._tx() as tx:
            _insert_new(
                tx,
                PAGES,
                {
                    "alert_key": alert.key,
                    "severity": severity,
                    "alert": alert.to_json(),
                    "paged_at": _naive(now),
                    "due_at": _naive(due),
                    "outcome": None,
                    "closed_at": None,
                },
            )

    def unpaged(self, key: str) -> None:
        with self._tx() as tx:
            tx.execute(delete(PAGES).where(PAGES.c.alert_key == key))

    def pages_due(self, now: datetime) -> list[Page]:
        with self._tx() as tx:
            rows = tx.execute(
                select(PAGES)
                .where(PAGES.c.outcome.is_(None), PAGES.c.due_at <= _naive(now))
                .order_by(PAGES.c.due_at)
            )
            return [_page(row) for row in rows]

    def next_page_due(self) -> datetime | None:
        with self._tx() as tx:
            row = tx.execute(
                select(PAGES.c.due_at)
                .where(PAGES.c.outcome.is_(None))
                .order_by(PAGES.c.due_at)
                .limit(1)
            ).first()
        return _aware(row.due_at) if row else None

    def settle_page(self, key: str, outcome: str, now: datetime) -> None:
        with self._tx() as tx:
            tx.execute(
                update(PAGES)
                .where(PAGES.c.alert_key == key)
                .values(outcome=outcome, closed_at=_naive(now))
            )

    # --- Slack threads -------------------------------------------------------------------

    def thread(self, key: str, destination: str) -> Thread | None:
        if self._absent(THREADS, key):
            return None
        with self._tx() as tx:
            row = tx.execute(
                select(THREADS).where(
                    THREADS.c.alert_key == key, THREADS.c.destination == destination
                )
            ).first()
        return Thread(row.channel, row.ts) if row else None

    def threads(self, key: str) -> dict[str, Thread]:
        """The Slack threads of an alarm, by destination."""
        if self._absent(THREADS, key):
            return {}
        with self._tx() as tx:
            rows = tx.execute(_THREADS, {"key": key})
            return {row.destination: Thread(row.channel, row.ts) for row in rows}

    def channel_of(self, destination: str) -> str | None:
        """The channel id a destination's messages went to (a Slack channel is named by id in
        some calls, and the configuration may give its name)."""
        with self._tx() as tx:
            row = tx.execute(
                select(THREADS.c.channel).where(THREADS.c.destination == destination).limit(1)
            ).first()
        return row.channel if row else None

    def save_thread(self, key: str, destination: str, thread: Thread) -> None:
        values = {"alert_key": key, "destination": destination}
        values.update(channel=thread.channel, ts=thread.ts)
        self._written(THREADS, key)
        with self._tx() as tx:
            upsert = _thread_upsert(tx.dialect.name)
            if upsert is not None:
                tx.execute(upsert, values)
                return
            tx.execute(
                delete(THREADS).where(
                    THREADS.c.alert_key == key, THREADS.c.destination == destination
                )
            )
            tx.execute(insert(THREADS), values)

    # --- held alerts ---------------------------------------------------------------------

    def held(self, key: str) -> HeldAlert | None:
        if self._absent(HELD, key):
            return None
        with self._tx() as tx:
            row = tx.execute(_HELD, {"key": key}).first()
        return _held(row) if row else None

    def hold(self, alert: Alert, severity: str, hold: Hold, now: datetime) -> HeldAlert:
        """Start holding an alarm, or add this change to the alarm's hold."""
        self._written(HELD, alert.key)
        with self._tx() as tx:
            row = tx.execute(select(HELD).where(HELD.c.alert_key == alert.key)).first()
            if row is None:
                tx.execute(
                    insert(HELD).values(
                        alert_key=alert.key,
                        severity=severity,
                        alert=alert.to_json(),
                        first_state=alert.state.value,
                        transitions=1,
                        held_at=_naive(now),
                        release_at=_naive(hold.until),
                        reasons=",".join(hold.reasons),
                        digest=hold.digest,
                        attempts=0,
                    )
                )
            else:
                current = _held(row)
                merged = hold.merge(Hold(current.release_at, current.reasons, current.digest))
                tx.execute(
                    update(HELD)
                    .where(HELD.c.alert_key == alert.key)
                    .values(
                        alert=alert.to_json(),
                        severity=severity,
                        transitions=current.transitions + 1,
                        release_at=_naive(merged.until),
                        reasons=",".join(merged.reasons),
                        digest=merged.digest,
                    )
                )
            row = tx.execute(select(HELD).where(HELD.c.alert_key == alert.key)).one()
        return _held(row)

    def due(self, now: datetime) -> list[HeldAlert]:
        with self._tx() as tx:
            rows = tx.execute(
                select(HELD).where(HELD.c.release_at <= _naive(now)).order_by(HELD.c.release_at)
            )
            return [_held(row) for row in rows]

    def next_release(self) -> datetime | None:
        with self._tx() as tx:
            row = tx.execute(select(HELD.c.release_at).order_by(HELD.c.release_at).limit(1)).first()
        return _aware(row.release_at) if row else None

    def release(self, key: str) -> None:
        with self._tx() as tx:
            tx.execute(delete(HELD).where(HELD.c.alert_key == key))

    def retry_later(self, key: str, at: datetime) -> None:
        with self._tx() as tx:
            tx.execute(
                update(HELD)
                .where(HELD.c.alert_key == key)
                .values(release_at=_naive(at), attempts=HELD.c.attempts + 1)
            )

    def rehold(self, key: str, hold: Hold) -> None:
        """A held alert due for release is still muted (another silence, a maintenance
        window): it waits on, for what holds it now."""
        with self._tx() as tx:
            tx.execute(
                update(HELD)
                .where(HELD.c.alert_key == key)
                .values(
                    release_at=_naive(hold.until),
                    reasons=",".join(hold.reasons),
                    digest=hold.digest,
                )
            )

    def held_count(self) -> int:
        with self._tx() as tx:
            return len(tx.execute(select(HELD.c.alert_key)).all())

    # --- silences ----------------------------------------------------------------------------

    def add_silence(
        self, pattern: str, start: datetime, end: datetime, by: str, reason: str
    ) -> Silence:
        with self._tx() as tx:
            return silences.add(tx, pattern, start, end, by, reason)

    def silence(self, number: int) -> Silence | None:
        with self._tx() as tx:
            return silences.get(tx, number)

    def silences(self, at: datetime, everything: bool = False) -> list[Silence]:
        """The silences active at ``at`` (with ``everything``: every silence), oldest first."""
        with self._tx() as tx:
            return silences.listed(tx, at, everything)

    def silenced(self, number: int) -> None:
        """Silence ``number`` held one more alert."""
        with self._tx() as tx:
            silences.count_suppressed(tx, number)

    def expire_silence(self, number: int, now: datetime) -> list[str]:
        """End a silence now; the alerts it holds become due at once (the router releases
        them, or holds them on when something else still mutes them). Their keys."""
        with self._tx() as tx:
            silences.end(tx, number, now)
            return _due_now(tx, {silences.silence_label(number)}, now)

    def release_expired_silences(
        self, now: datetime, within: timedelta = timedelta(days=1)
    ) -> None:
        """Alerts held by a silence expired early (within ``within``) are due now: a replica
        that read the silence just before it was expired may have held an alert on its old end."""
        with self._tx() as tx:
            labels = {
                silences.silence_label(s.id) for s in silences.expired_since(tx, now - within)
            }
            if labels:
                _due_now(tx, labels, now)

    def prune(self, now: datetime, keep: timedelta = timedelta(days=14)) -> None:
        """Forget handled message ids after ``keep``; SNS never redelivers that late."""
        cutoff = _naive(now - keep)
        with self._tx() as tx:
            tx.execute(delete(MESSAGES).where(MESSAGES.c.completed_at < cutoff))
            once.forget(tx, SCOPE, cutoff, unfinished=True)
            tx.execute(delete(PAGES).where(PAGES.c.closed_at < cutoff))


def _found(tx: Connection, column: Column[Any], keys: set[str]) -> set[str]:
    """Which of ``keys`` are in ``column`` (one query per few hundred keys)."""
    wanted, found = sorted(keys), set[str]()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(tx.execute(select(column).where(column.in_(chunk))).scalars())
    return found


def _due_now(tx: Connection, labels: set[str], now: datetime) -> list[str]:
    """Make the held alerts that one of ``labels`` holds due at ``now``; their keys."""
    rows = tx.execute(
        select(HELD.c.alert_key, HELD.c.reasons).where(HELD.c.release_at > _naive(now))
    ).all()
    keys = [row.alert_key for row in rows if labels & set(row.reasons.split(","))]
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        tx.execute(update(HELD).where(HELD.c.alert_key.in_(chunk)).values(release_at=_naive(now)))
    return keys


def _insert_new(tx: Connection, table: Table, values: dict[str, Any]) -> None:
    """Insert the row unless one with its key exists: ON CONFLICT DO NOTHING where the database
    has it (one statement), else a look first."""
    dialect = tx.dialect.name
    statement = _UPSERTS.get((dialect, table.name))
    if statement is None:
        make = _DIALECT_INSERTS.get(dialect)
        if make is None:
            key = list(table.primary_key.columns)
            found = tx.execute(select(*key).where(*(c == values[c.name] for c in key))).first()
            if found is None:
                tx.execute(insert(table), values)
            return
        statement = _UPSERTS[(dialect, table.name)] = make(table).on_conflict_do_nothing()
    tx.execute(statement, values)


def _thread_upsert(dialect: str) -> Insert | None:
    """INSERT ... ON CONFLICT DO UPDATE of a thread, where the database has it."""
    statement = _UPSERTS.get((dialect, "thread upsert"))
    make = _DIALECT_INSERTS.get(dialect)
    if statement is None and make is not None:
        insert_thread = make(THREADS)
        statement = insert_thread.on_conflict_do_update(
            index_elements=[THREADS.c.alert_key, THREADS.c.destination],
            set_={"channel": insert_thread.excluded.channel, "ts": insert_thread.excluded.ts},
        )
        _UPSERTS[(dialect, "thread upsert")] = statement
    return statement


def _alarm(row: Any) -> AlarmRecord:
    return AlarmRecord(
        key=row.alert_key,
        name=row.name,
        severity=row.severity,
        last_event_at=_aware(row.last_event_at),  # type: ignore[arg-type]
        last_message_id=row.last_message_id,
        notified_state=AlertState(row.notified_state) if row.notified_state else None,
        notified_at=_aware(row.notified_at),
        notified_alert=Alert.from_json(row.notified_alert) if row.notified_alert else None,
        escalated_at=_aware(row.escalated_at),
        acknowledged_at=_aware(row.acknowledged_at),
    )


def _held(row: Any) -> HeldAlert:
    return HeldAlert(
        key=row.alert_key,
        severity=row.severity,
        alert=Alert.from_json(row.alert),
        first_state=AlertState(row.first_state),
        transitions=row.transitions,
        held_at=_aware(row.held_at),  # type: ignore[arg-type]
        release_at=_aware(row.release_at),  # type: ignore[arg-type]
        reasons=tuple(r for r in row.reasons.split(",") if r),
        digest=bool(row.digest),
        attempts=row.attempts,
    )


def _page(row: Any) -> Page:
    return Page(
        key=row.alert_key,
        severity=row.severity,
        alert=Alert.from_json(row.alert),
        paged_at=_aware(row.paged_at),  # type: ignore[arg-type]
        due_at=_aware(row.due_at),  # type: ignore[arg-type]
        outcome=row.outcome,
        closed_at=_aware(row.closed_at),
    )
