"""The "once" record: whatever Sentinel must do only once, and the proof that it was done.

One table, ``once_records``, keyed by (scope, key, part), serves every feature that must never
do a thing twice:

- the daemon's runs (scope ``job``: key the job, part the period), claimed before the work;
- the outbox's deliveries (scope ``delivery``: key the delivery, part ``""`` for the whole
  delivery and one part for each piece already sent, such as a Slack post and its chart);
- the router's deliveries (scope ``router``: key the SNS message, part the destination);
- the answers Cost Explorer was paid for (scope ``cost:<source>``: key the question).

A record is ``claimed`` (someone is doing it, under a lease), ``done``, ``failed`` (it may be
tried again) or ``given up`` (it will not be, unless asked to). A claim is
an insert on the unique key, so of two processes only one wins it, on SQLite and PostgreSQL
alike. A claim names its ``holder`` and lasts until ``lease_until``, which the holder pushes
forward (``renew``); another may take a claim over only once its lease has passed. ``attempts``
counts the claims and fences them: a holder whose claim was taken over can neither renew it nor
record its result over the new holder's. ``detail`` (JSON) and ``outcome`` (text) keep what
the doing left behind: a Slack message's ``ts``, a job's summary, an answer's rows.

Every function works inside the caller's transaction (a ``Connection``), so a feature can claim
or record in the same transaction as its own writes. Times are naive UTC, as the store keeps
them.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.dml import Insert

from sentinel.store.database import METADATA

CLAIMED, DONE, FAILED, GIVEN_UP = "claimed", "done", "failed", "given up"
WHOLE = ""  # the part that stands for the whole of a key

ONCE = Table(
    "once_records",
    METADATA,
    Column("scope", String(300), primary_key=True),
    Column("key", String(700), primary_key=True),
    Column("part", String(300), primary_key=True),
    Column("status", String(12), nullable=False),
    Column("holder", String(200), nullable=True),
    Column("lease_until", DateTime, nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("done_at", DateTime, nullable=True),
    Column("detail", JSON, nullable=True),
    Column("outcome", Text, nullable=True),
)


@dataclass(frozen=True)
class Once:
    """One record: what was (or is being) done once, by whom, and what it left behind."""

    scope: str
    key: str
    part: str
    status: str
    holder: str | None
    lease_until: datetime | None
    attempts: int
    started_at: datetime
    done_at: datetime | None
    detail: Any
    outcome: str | None

    @property
    def done(self) -> bool:
        return self.status == DONE

    def lease_expired(self, now: datetime) -> bool:
        """Whether a claim may be taken over at ``now``: its holder stopped renewing it."""
        return self.status == CLAIMED and (self.lease_until is None or self.lease_until < now)


def new_holder() -> str:
    """A claim holder's name: where it runs, and a random part no restart repeats."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def get(tx: Connection, scope: str, key: str, part: str = WHOLE) -> Once | None:
    row = tx.execute(select(ONCE).where(*_which(scope, key, part))).mappings().first()
    return Once(**row) if row else None


def records(
    tx: Connection, scope: str, key: str | None = None, status: str | None = None
) -> list[Once]:
    """A scope's records (of one key, of one status), oldest first."""
    query = select(ONCE).where(ONCE.c.scope == scope)
    if key is not None:
        query = query.where(ONCE.c.key == key)
    if status is not None:
        query = query.where(ONCE.c.status == status)
    rows = tx.execute(query.order_by(ONCE.c.started_at, ONCE.c.part)).mappings().all()
    return [Once(**row) for row in rows]


def claim(
    tx: Connection,
    scope: str,
    key: str,
    part: str,
    *,
    holder: str,
    now: datetime,
    lease: timedelta,
    again: bool = False,
    detail: Any = None,
) -> Once | None:
    """Take (scope, key, part) for ``holder``; None when it is done, or claimed by a live lease.

    A failed record may be claimed again; ``again`` claims a done or given-up one too; a claim
    is taken over only once its lease has passed. ``detail`` is kept with the claim (for
    whoever takes it over).
    """
    fresh = {
        "status": CLAIMED,
        "holder": holder,
        "lease_until": now + lease,
        "started_at": now,
        "done_at": None,
        "detail": detail,
        "outcome": None,
    }
    if insert_new(tx, {"scope": scope, "key": key, "part": part, "attempts": 1, **fresh}):
        return get(tx, scope, key, part)
    current = get(tx, scope, key, part)
    if current is None:
        return None
    retry = current.status == FAILED or (again and current.status in (DONE, GIVEN_UP))
    if not (retry or current.lease_expired(now)):
        return None
    # The holder may renew between the read above and this write: the lease is checked again
    # in the update, and ``attempts`` makes one taker win.
    taken = [
        *_which(scope, key, part),
        ONCE.c.status == current.status,
        ONCE.c.attempts == current.attempts,
    ]
    if not retry:
        taken.append(or_(ONCE.c.lease_until.is_(None), ONCE.c.lease_until < now))
    result = tx.execute(update(ONCE).where(*taken).values(attempts=current.attempts + 1, **fresh))
    return get(tx, scope, key, part) if result.rowcount == 1 else None


def renew(
    tx: Connection,
    scope: str,
    key: str,
    part: str,
    *,
    attempt: int,
    holder: str,
    now: datetime,
    lease: timedelta,
) -> bool:
    """Push the lease of claim ``attempt``, which ``holder`` holds; False once it was taken
    over."""
    held = _held(scope, key, part, attempt, holder)
    return tx.execute(update(ONCE).where(*held).values(lease_until=now + lease)).rowcount == 1


def finish(
    tx: Connection,
    scope: str,
    key: str,
    part: str,
    *,
    ok: bool,
    now: datetime,
    outcome: str | None = None,
    detail: Any = None,
    attempt: int | None = None,
    holder: str | None = None,
    give_up: bool = False,
) -> bool:
    """Record that a claimed record was done (or failed; ``give_up``: for good). With
    ``attempt`` and ``holder``, only while that claim is still the holder's (False when another
    took it over: its result stands, not this one). ``detail``, when given, replaces the
    claim's."""
    which = _which(scope, key, part)
    if attempt is not None and holder is not None:
        which = _held(scope, key, part, attempt, holder)
    values: dict[str, Any] = {
        "status": DONE if ok else GIVEN_UP if give_up else FAILED,
        "done_at": now,
        "outcome": outcome,
        "lease_until": None,
    }
    if detail is not None:
        values["detail"] = detail
    return tx.execute(update(ONCE).where(*which).values(**values)).rowcount == 1


def record_done(
    tx: Connection, scope: str, key: str, part: str, now: datetime, detail: Any = None
) -> bool:
    """Record a part done that needed no claim (it was done under another's); False when it was
    recorded before, which is kept as it was."""
    return insert_new(
        tx,
        {
            "scope": scope,
            "key": key,
            "part": part,
            "status": DONE,
            "holder": None,
            "lease_until": None,
            "attempts": 1,
            "started_at": now,
            "done_at": now,
            "detail": detail,
            "outcome": None,
        },
    )


def replace_done(
    tx: Connection, scope: str, key: str, part: str, now: datetime, detail: Any
) -> None:
    """Record a part done, replacing an earlier record of it (a fresher answer)."""
    tx.execute(delete(ONCE).where(*_which(scope, key, part)))
    record_done(tx, scope, key, part, now, detail)


def done_parts(tx: Connection, scope: str, key: str) -> dict[str, Any]:
    """The parts of a key recorded done, with their details, in the order they were done."""
    rows = tx.execute(
        select(ONCE.c.part, ONCE.c.detail)
        .where(ONCE.c.scope == scope, ONCE.c.key == key, ONCE.c.status == DONE)
        .order_by(ONCE.c.done_at, ONCE.c.part)
    )
    return {row.part: row.detail for row in rows}


def keys_recorded(tx: Connection, scope: str, keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` have a record of any part (one query per few hundred keys)."""
    found = set[str]()
    for chunk in _chunks(keys):
        query = select(ONCE.c.key).where(ONCE.c.scope == scope, ONCE.c.key.in_(chunk))
        found.update(tx.execute(query).scalars())
    return found


def records_of(tx: Connection, scope: str, keys: Iterable[str]) -> dict[str, list[Once]]:
    """The records of each of ``keys`` (one query per few hundred keys), oldest first."""
    found: dict[str, list[Once]] = {}
    for chunk in _chunks(keys):
        query = select(ONCE).where(ONCE.c.scope == scope, ONCE.c.key.in_(chunk))
        for row in tx.execute(query.order_by(ONCE.c.started_at)).mappings():
            record = Once(**row)
            found.setdefault(record.key, []).append(record)
    return found


def _chunks(keys: Iterable[str], size: int = 500) -> Iterator[list[str]]:
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), size):
        yield wanted[start : start + size]


def forget(
    tx: Connection,
    scope: str,
    before: datetime,
    keys: Iterable[str] | None = None,
    unfinished: bool = False,
) -> int:
    """Drop a scope's records done before ``before`` (of ``keys`` only, when given);
    ``unfinished``: those never finished, started before ``before``, too."""
    ended = ONCE.c.done_at < before
    if unfinished:
        ended = or_(ended, (ONCE.c.done_at.is_(None)) & (ONCE.c.started_at < before))
    query = delete(ONCE).where(ONCE.c.scope == scope, ended)
    if keys is not None:
        query = query.where(ONCE.c.key.in_(list(keys)))
    return tx.execute(query).rowcount or 0


def insert_new(tx: Connection, values: Mapping[str, Any]) -> bool:
    """Insert a record unless one of its (scope, key, part) exists; whether it was inserted.

    ON CONFLICT DO NOTHING where the database has it (one statement, and the transaction goes
    on: PostgreSQL aborts a transaction on a failed insert), else a savepoint."""
    statement = _INSERTS_NEW.get(tx.dialect.name)
    if statement is None:
        try:
            with tx.begin_nested():
                tx.execute(insert(ONCE), dict(values))
        except IntegrityError:
            return False
        return True
    return tx.execute(statement, dict(values)).first() is not None


def insert_all_new(tx: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert the records of ``rows`` that do not exist yet, in one statement where the database
    has ON CONFLICT DO NOTHING."""
    statement = _INSERTS_ALL_NEW.get(tx.dialect.name)
    if statement is None:
        for row in rows:
            insert_new(tx, row)
    elif rows:
        tx.execute(statement, rows)


def _which(scope: str, key: str, part: str) -> tuple[ColumnElement[bool], ...]:
    return (ONCE.c.scope == scope, ONCE.c.key == key, ONCE.c.part == part)


def _held(
    scope: str, key: str, part: str, attempt: int, holder: str
) -> tuple[ColumnElement[bool], ...]:
    return (
        *_which(scope, key, part),
        ONCE.c.status == CLAIMED,
        ONCE.c.attempts == attempt,
        ONCE.c.holder == holder,
    )


# Built once, executed with each record's values. RETURNING, not rowcount: the driver may not
# count an INSERT ... ON CONFLICT.
_INSERTS_NEW: dict[str, Insert] = {
    "postgresql": postgresql.insert(ONCE).on_conflict_do_nothing().returning(ONCE.c.key),
    "sqlite": sqlite.insert(ONCE).on_conflict_do_nothing().returning(ONCE.c.key),
}
_INSERTS_ALL_NEW: dict[str, Insert] = {
    "postgresql": postgresql.insert(ONCE).on_conflict_do_nothing(),
    "sqlite": sqlite.insert(ONCE).on_conflict_do_nothing(),
}
