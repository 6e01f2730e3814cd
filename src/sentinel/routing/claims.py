"""Which router replica is handling which alarm: a lease row per alarm in the shared store.

Several ``sentinel route`` processes may consume one queue. Before a replica acts on a batch it
claims the batch's alarms: a row per alarm key, inserted if absent (the primary key makes the
insert unique on every database), or taken over when the holder's lease ran out. A claim held by
another live replica makes the message wait; so two replicas never deliver changes of one alarm
at once (two Slack threads, a resolve overtaking its trigger).

A claim is deleted when its alarm's messages were handled and recorded. One that outlives its
holder (killed, or its store transaction failed) says that a delivery may have gone out without
being recorded: whoever takes it over is told since when (``in_doubt``: the claim's first
``claimed_at``, kept through every takeover), so that it looks before posting again where a
repeated post would show (Slack).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Column, Connection, DateTime, String, Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.dml import Insert

from sentinel.store import METADATA

KEY = 1024

CLAIMS = Table(
    "router_claims",
    METADATA,
    Column("alert_key", String(KEY), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("claimed_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)


def replica_id() -> str:
    """This process among the replicas: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class Claimed:
    """The outcome of claiming a batch's alarms."""

    mine: set[str] = field(default_factory=set)
    busy: dict[str, datetime] = field(default_factory=dict)  # held by another until (naive UTC)
    in_doubt: dict[str, datetime] = field(default_factory=dict)  # taken over: unfinished since


def claim(
    tx: Connection, keys: Iterable[str], owner: str, now: datetime, lease: timedelta
) -> Claimed:
    """Claim ``keys`` (naive UTC times) for ``owner``; in key order, so replicas never deadlock."""
    result = Claimed()
    for key in sorted(set(keys)):
        fresh = {"owner": owner, "claimed_at": now, "expires_at": now + lease}
        if _insert_new(tx, {"alert_key": key, **fresh}):
            result.mine.add(key)
            continue
        row = tx.execute(select(CLAIMS).where(CLAIMS.c.alert_key == key)).first()
        if row is None:  # released in between
            if _insert_new(tx, {"alert_key": key, **fresh}):
                result.mine.add(key)
            else:
                result.busy[key] = now
            continue
        if row.owner != owner and row.expires_at > now:
            result.busy[key] = row.expires_at
            continue
        # Taken over with its first holder's claimed_at: unfinished since then, however many
        # holders died since (one killed before it looked must not hide what the first sent).
        taken = tx.execute(
            update(CLAIMS)
            .where(
                CLAIMS.c.alert_key == key,
                CLAIMS.c.owner == row.owner,
                CLAIMS.c.expires_at == row.expires_at,
            )
            .values(owner=owner, expires_at=now + lease)
        ).rowcount
        if taken != 1:  # another replica took it over first
            result.busy[key] = now + lease
            continue
        result.mine.add(key)
        # Never released: its holder died or failed after it may have sent something.
        result.in_doubt[key] = row.claimed_at
    return result


def renew(tx: Connection, keys: Iterable[str], owner: str, now: datetime, lease: timedelta) -> None:
    wanted = list(keys)
    if wanted:
        tx.execute(
            update(CLAIMS)
            .where(CLAIMS.c.owner == owner, CLAIMS.c.alert_key.in_(wanted))
            .values(expires_at=now + lease)
        )


def release(tx: Connection, keys: Iterable[str], owner: str) -> None:
    wanted = list(keys)
    if wanted:
        tx.execute(delete(CLAIMS).where(CLAIMS.c.owner == owner, CLAIMS.c.alert_key.in_(wanted)))


def _insert_new(tx: Connection, values: dict[str, object]) -> bool:
    """Insert the claim unless one exists: ON CONFLICT DO NOTHING where the database has it."""
    statement = _INSERTS_NEW.get(tx.dialect.name)
    if statement is None:
        try:
            with tx.begin_nested():
                tx.execute(CLAIMS.insert(), values)
        except IntegrityError:
            return False
        return True
    return tx.execute(statement, values).first() is not None


# Built once, executed with each claim's values. RETURNING, not rowcount: the driver may not
# count an INSERT ... ON CONFLICT.
_INSERTS_NEW: dict[str, Insert] = {
    "postgresql": postgresql.insert(CLAIMS).on_conflict_do_nothing().returning(CLAIMS.c.alert_key),
    "sqlite": sqlite.insert(CLAIMS).on_conflict_do_nothing().returning(CLAIMS.c.alert_key),
}
