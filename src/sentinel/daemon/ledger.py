"""The run ledger: one row per job and period, claimed before the job runs, held by a lease.

A restart, a catch-up, ``--once`` or a second daemon on the same store never runs a job twice
for one period: the claim is an insert on a unique key, so only one process wins it.

The claim is a lease: it names its holder (``host:pid:random``) and lasts until
``lease_until``, which the holder pushes forward while the job runs (``renew``, every third of
the lease). Another process may take a ``running`` claim over only once its lease has passed
(its holder died or lost the store), never while the holder renews it, however long the job
runs. ``attempts`` counts the claims of a period and fences them: a holder whose claim was taken
over can neither renew it nor record its result over the new holder's run. Leases are read and
written in ``sentinel.clock`` time, so the daemons sharing a store need clocks that agree to a
few seconds (NTP), far less than a lease.

``job_status`` keeps every job's last run, ledgered or not.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import ColumnElement

from sentinel.daemon import LEASE_SECONDS
from sentinel.store import Store
from sentinel.store.database import METADATA, utcnow

RUNNING, SUCCEEDED, FAILED = "running", "succeeded", "failed"
# A dead holder's run is taken over within LEASE plus one renewal interval: under a minute.
LEASE = timedelta(seconds=LEASE_SECONDS)

JOB_RUNS = Table(
    "job_runs",
    METADATA,
    Column("job", String(100), primary_key=True),
    Column("period", String(40), primary_key=True),
    Column("status", String(12), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=True),
    Column("summary", Text, nullable=True),
    # The lease of the current attempt: who runs it, until when, and for which scheduled time
    # (the moment a takeover runs the job for).
    Column("holder", String(200), nullable=True),
    Column("lease_until", DateTime, nullable=True),
    Column("scheduled_at", DateTime, nullable=True),
)
JOB_STATUS = Table(
    "job_status",
    METADATA,
    Column("job", String(100), primary_key=True),
    Column("period", String(40), nullable=True),
    Column("status", String(12), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=True),
    Column("summary", Text, nullable=True),
)


@dataclass(frozen=True)
class Run:
    job: str
    period: str
    status: str
    attempts: int
    started_at: datetime
    finished_at: datetime | None
    summary: str | None
    holder: str | None = None
    lease_until: datetime | None = None
    scheduled_at: datetime | None = None

    def lease_expired(self, now: datetime) -> bool:
        """Whether a running claim may be taken over at ``now`` (naive UTC)."""
        return self.status == RUNNING and (self.lease_until is None or self.lease_until < now)


def new_holder() -> str:
    """A claim holder's name: where it runs, and a random part no restart repeats."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class RunLedger:
    def __init__(self, store: Store, holder: str | None = None, lease: timedelta = LEASE) -> None:
        if lease <= timedelta(0):
            raise ValueError("a lease must last more than no time")
        self.store = store
        self.holder = holder or new_holder()
        self.lease = lease
        store.ensure([JOB_RUNS, JOB_STATUS])

    @property
    def renew_every(self) -> timedelta:
        return self.lease / 3

    def claim(
        self,
        job: str,
        period: str,
        force: bool = False,
        scheduled: datetime | None = None,
    ) -> Run | None:
        """Take the (job, period) run; None when it ran already or is running elsewhere.

        A failed run may be claimed again; ``force`` claims a succeeded one too; a running one
        is taken over only once its holder's lease has passed. ``scheduled`` (naive UTC) is the
        moment the run is for, kept for whoever takes it over.
        """
        now = utcnow()
        lease = {
            "status": RUNNING,
            "started_at": now,
            "finished_at": None,
            "holder": self.holder,
            "lease_until": now + self.lease,
            "scheduled_at": scheduled or now,
        }
        try:
            with self.store.engine.begin() as db:
                db.execute(insert(JOB_RUNS).values(job=job, period=period, attempts=1, **lease))
            return self.get(job, period)
        except IntegrityError:
            pass
        current = self.get(job, period)
        if current is None:
            return None
        retry = current.status == FAILED or (force and current.status == SUCCEEDED)
        if not (retry or current.lease_expired(now)):
            return None
        # The holder may renew between the read above and this write: the lease is checked
        # again in the update, and ``attempts`` makes one taker win.
        taken = [
            JOB_RUNS.c.job == job,
            JOB_RUNS.c.period == period,
            JOB_RUNS.c.status == current.status,
            JOB_RUNS.c.attempts == current.attempts,
        ]
        if not retry:
            taken.append(or_(JOB_RUNS.c.lease_until.is_(None), JOB_RUNS.c.lease_until < now))
        with self.store.engine.begin() as db:
            result = db.execute(
                update(JOB_RUNS).where(*taken).values(attempts=current.attempts + 1, **lease)
            )
        return self.get(job, period) if result.rowcount == 1 else None

    def renew(self, run: Run) -> bool:
        """Push the lease of a run this ledger's holder claimed; False once it was taken over."""
        with self.store.engine.begin() as db:
            result = db.execute(
                update(JOB_RUNS).where(*self._held(run)).values(lease_until=utcnow() + self.lease)
            )
        return result.rowcount == 1

    def finish(
        self, job: str, period: str, ok: bool, summary: str, attempt: int | None = None
    ) -> bool:
        """Record a run's result; with ``attempt``, only while that claim is still this
        holder's (False when another took it over: its result stands, not this one)."""
        which = [JOB_RUNS.c.job == job, JOB_RUNS.c.period == period]
        if attempt is not None:
            which += [
                JOB_RUNS.c.status == RUNNING,
                JOB_RUNS.c.attempts == attempt,
                JOB_RUNS.c.holder == self.holder,
            ]
        with self.store.engine.begin() as db:
            result = db.execute(
                update(JOB_RUNS)
                .where(*which)
                .values(
                    status=SUCCEEDED if ok else FAILED,
                    finished_at=utcnow(),
                    summary=summary,
                    lease_until=None,
                )
            )
        return result.rowcount == 1

    def get(self, job: str, period: str) -> Run | None:
        with self.store.engine.connect() as db:
            row = (
                db.execute(
                    select(JOB_RUNS).where(JOB_RUNS.c.job == job, JOB_RUNS.c.period == period)
                )
                .mappings()
                .first()
            )
        return Run(**row) if row else None

    def runs(self, job: str | None = None) -> list[Run]:
        query = select(JOB_RUNS).order_by(JOB_RUNS.c.started_at)
        if job is not None:
            query = query.where(JOB_RUNS.c.job == job)
        with self.store.engine.connect() as db:
            return [Run(**r) for r in db.execute(query).mappings().all()]

    def running(self, job: str | None = None) -> list[Run]:
        """Claims still running (their lease live or passed), oldest first."""
        query = select(JOB_RUNS).where(JOB_RUNS.c.status == RUNNING)
        if job is not None:
            query = query.where(JOB_RUNS.c.job == job)
        with self.store.engine.connect() as db:
            rows = db.execute(query.order_by(JOB_RUNS.c.started_at)).mappings().all()
        return [Run(**r) for r in rows]

    def record_status(
        self,
        job: str,
        period: str | None,
        status: str,
        started_at: datetime,
        summary: str | None = None,
    ) -> None:
        values = {
            "period": period,
            "status": status,
            "started_at": started_at,
            "finished_at": None if status == RUNNING else utcnow(),
            "summary": summary,
        }
        with self.store.engine.begin() as db:
            changed = db.execute(update(JOB_STATUS).where(JOB_STATUS.c.job == job).values(**values))
            if changed.rowcount == 0:
                db.execute(insert(JOB_STATUS).values(job=job, **values))

    def last(self, job: str) -> Run | None:
        with self.store.engine.connect() as db:
            row = db.execute(select(JOB_STATUS).where(JOB_STATUS.c.job == job)).mappings().first()
        if row is None:
            return None
        return Run(
            job=row["job"],
            period=row["period"] or "",
            status=row["status"],
            attempts=1,
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            summary=row["summary"],
        )

    def _held(self, run: Run) -> tuple[ColumnElement[bool], ...]:
        return (
            JOB_RUNS.c.job == run.job,
            JOB_RUNS.c.period == run.period,
            JOB_RUNS.c.status == RUNNING,
            JOB_RUNS.c.attempts == run.attempts,
            JOB_RUNS.c.holder == self.holder,
        )
