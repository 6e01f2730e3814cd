"""Silences: alarms muted from the command line for a while (``sentinel silence``), as in
Alertmanager.

A silence names alarms by a glob (``fnmatch``, over the AWS alarm name and the rule name, as a
maintenance window does) and lasts until its end. It lives in the router's store, so every
router replica honours it: an alert it matches is recorded and held, like an alert in a
maintenance window, until the silence ends (at its time, or when ``sentinel silence expire``
ends it early). On release, an alarm still in ALARM is delivered once; one that went back to OK
meanwhile is not (``Router._release``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase

from sqlalchemy import Column, Connection, DateTime, Integer, String, Table, insert, select, update

from sentinel.config.units import format_duration
from sentinel.routing.noise import Hold
from sentinel.store import METADATA

# A silence is for an incident or a piece of work: longer than this is a maintenance window.
LONGEST = timedelta(days=30)
SILENCE = "suppressed by silence"

SILENCES = Table(
    "router_silences",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pattern", String(300), nullable=False),
    Column("starts_at", DateTime, nullable=False),
    Column("ends_at", DateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("reason", String(1000), nullable=False),
    Column("expired_at", DateTime, nullable=True),  # ended early by `sentinel silence expire`
    Column("suppressed", Integer, nullable=False, default=0),
)


class SilenceRefused(ValueError):
    """A silence that cannot be added (no end, an end in the past, too long, no reason)."""


@dataclass(frozen=True)
class Silence:
    id: int
    pattern: str
    starts_at: datetime
    ends_at: datetime
    created_by: str
    reason: str
    expired_at: datetime | None
    suppressed: int

    def active(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at

    def matches(self, names: Iterable[str]) -> bool:
        return any(fnmatchcase(name, self.pattern) for name in names if name)

    @property
    def label(self) -> str:
        return silence_label(self.id)

    def hold(self) -> Hold:
        """The hold of an alert this silence matches: until the silence ends."""
        return Hold(self.ends_at, (self.label,))


def refusal(pattern: str, reason: str, start: datetime, end: datetime | None) -> list[str]:
    """Everything wrong with a silence to add (all of it at once); empty when it may be added."""
    problems = []
    if not pattern.strip():
        problems.append("--alarm: the pattern is empty")
    elif len(pattern) > 300:
        problems.append(f"--alarm: the pattern has {len(pattern)} characters, at most 300")
    if not reason.strip():
        problems.append("--reason: say why the alarms are silenced")
    elif len(reason) > 1000:
        problems.append(f"--reason: {len(reason)} characters, at most 1000")
    if end is None:
        problems.append("a silence needs an end: give --for DURATION or --until TIME")
    elif end <= start:
        problems.append(f"the end {_utc(end)} is not after now ({_utc(start)})")
    elif end - start > LONGEST:
        lasts = format_duration(int((end - start).total_seconds()))
        problems.append(
            f"the silence would last {lasts}, at most {LONGEST.days}d: "
            "use a maintenance window in alarms/routing.yaml for longer"
        )
    return problems


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def matching(silences: Sequence[Silence], names: Iterable[str], at: datetime) -> Silence | None:
    """The active silence matching one of ``names``; of several, the one that ends last."""
    wanted = [n for n in names if n]
    found = [s for s in silences if s.active(at) and s.matches(wanted)]
    return max(found, key=lambda s: s.ends_at, default=None)


def silence_label(number: int) -> str:
    """How a hold names silence ``number`` among its reasons (and the router's log lines)."""
    return f"{SILENCE} {number}"


def silence_id(reason: str) -> int | None:
    """The silence a hold's reason names, else None."""
    if not reason.startswith(SILENCE + " "):
        return None
    number = reason[len(SILENCE) + 1 :]
    return int(number) if number.isdigit() else None


# --- the store --------------------------------------------------------------------------------


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _silence(row: object) -> Silence:
    return Silence(
        id=row.id,  # type: ignore[attr-defined]
        pattern=row.pattern,  # type: ignore[attr-defined]
        starts_at=row.starts_at.replace(tzinfo=UTC),  # type: ignore[attr-defined]
        ends_at=row.ends_at.replace(tzinfo=UTC),  # type: ignore[attr-defined]
        created_by=row.created_by,  # type: ignore[attr-defined]
        reason=row.reason,  # type: ignore[attr-defined]
        expired_at=(
            row.expired_at.replace(tzinfo=UTC)  # type: ignore[attr-defined]
            if row.expired_at is not None  # type: ignore[attr-defined]
            else None
        ),
        suppressed=row.suppressed,  # type: ignore[attr-defined]
    )


def add(
    tx: Connection, pattern: str, start: datetime, end: datetime, by: str, reason: str
) -> Silence:
    inserted = tx.execute(
        insert(SILENCES).values(
            pattern=pattern,
            starts_at=_naive(start),
            ends_at=_naive(end),
            created_by=by,
            reason=reason,
            suppressed=0,
        )
    )
    key = inserted.inserted_primary_key
    assert key is not None
    found = get(tx, int(key[0]))
    assert found is not None
    return found


def get(tx: Connection, number: int) -> Silence | None:
    row = tx.execute(select(SILENCES).where(SILENCES.c.id == number)).first()
    return _silence(row) if row else None


def listed(tx: Connection, at: datetime, everything: bool = False) -> list[Silence]:
    """The silences active at ``at`` (and with ``everything``, the ended ones), oldest first."""
    query = select(SILENCES).order_by(SILENCES.c.id)
    if not everything:
        query = query.where(SILENCES.c.ends_at > _naive(at), SILENCES.c.starts_at <= _naive(at))
    return [_silence(row) for row in tx.execute(query)]


def expired_since(tx: Connection, since: datetime) -> list[Silence]:
    """The silences ``sentinel silence expire`` ended since ``since``."""
    query = select(SILENCES).where(SILENCES.c.expired_at >= _naive(since))
    return [_silence(row) for row in tx.execute(query)]


def end(tx: Connection, number: int, at: datetime) -> None:
    tx.execute(
        update(SILENCES)
        .where(SILENCES.c.id == number)
        .values(ends_at=_naive(at), expired_at=_naive(at))
    )


def count_suppressed(tx: Connection, number: int) -> None:
    tx.execute(
        update(SILENCES).where(SILENCES.c.id == number).values(suppressed=SILENCES.c.suppressed + 1)
    )
