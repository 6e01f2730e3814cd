"""The run ledger: one record per job and period, claimed before the job runs, held by a lease.

The records are the store's "once" records (``sentinel.store.once``), scope ``job``.

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

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, DateTime, String, Table, Text, insert, select, update

from sentinel.daemon import LEASE_SECONDS
from sentinel.store import Store, once
from sentinel.store.database import METADATA, utcnow
from sentinel.store.once import new_holder

RUNNING, SUCCEEDED, FAILED = "running", "succeeded", "failed"
# A dead holder's run is taken over within LEASE plus one renewal interval: under a minute.
LEASE = timedelta(seconds=LEASE_SECONDS)
# The runs are "once" records of this scope: key the job, part the period.
SCOPE = "job"
_STATUS = {
    once.CLAIMED: RUNNING,
    once.DONE: SUCCEEDED,
    once.FAILED: FAILED,
    once.GIVEN_UP: FAILED,
}

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


class RunLedger:
    def __init__(self, store: Store, holder: str | None = None, lease: timedelta = LEASE) -> None:
        if lease <= timedelta(0):
            raise ValueError("a lease must last more than no time")
        self.store = store
        self.holder = holder or new_holder()
        self.lease = lease
        store.ensure([once.ONCE, JOB_STATUS])

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
        at = scheduled or now
        if at.tzinfo is not None:  # kept as the store keeps every time: naive UTC
            at = at.astimezone(UTC).replace(tzinfo=None)
        detail = {"scheduled_at": at.isoformat()}
        with self.store.engine.begin() as db:
            record = once.claim(
                db,
                SCOPE,
                job,
                period,
                holder=self.holder,
                now=now,
                lease=self.lease,
                again=force,
                detail=detail,
            )
        return _run(record) if record else None

    def renew(self, run: Run) -> bool:
        """Push the lease of a run this ledger's holder claimed; False once it was taken over."""
        with self.store.engine.begin() as db:
            return once.renew(
                db,
                SCOPE,
                run.job,
                run.period,
                attempt=run.attempts,
                holder=self.holder,
                now=utcnow(),
                lease=self.lease,
            )

    def finish(
        self, job: str, period: str, ok: bool, summary: str, attempt: int | None = None
    ) -> bool:
        """Record a run's result; with ``attempt``, only while that claim is still this
        holder's (False when another took it over: its result stands, not this one)."""
        with self.store.engine.begin() as db:
            return once.finish(
                db,
                SCOPE,
                job,
                period,
                ok=ok,
                now=utcnow(),
                outcome=summary,
                attempt=attempt,
                holder=self.holder,
            )

    def get(self, job: str, period: str) -> Run | None:
        with self.store.engine.connect() as db:
            record = once.get(db, SCOPE, job, period)
        return _run(record) if record else None

    def runs(self, job: str | None = None) -> list[Run]:
        with self.store.engine.connect() as db:
            return [_run(r) for r in once.records(db, SCOPE, key=job)]

    def running(self, job: str | None = None) -> list[Run]:
        """Claims still running (their lease live or passed), oldest first."""
        with self.store.engine.connect() as db:
            return [_run(r) for r in once.records(db, SCOPE, key=job, status=once.CLAIMED)]

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


def _run(record: once.Once) -> Run:
    detail = record.detail if isinstance(record.detail, dict) else {}
    scheduled = detail.get("scheduled_at")
    return Run(
        job=record.key,
        period=record.part,
        status=_STATUS[record.status],
        attempts=record.attempts,
        started_at=record.started_at,
        finished_at=record.done_at,
        summary=record.outcome,
        holder=record.holder,
        lease_until=record.lease_until,
        scheduled_at=datetime.fromisoformat(scheduled) if scheduled else None,
    )
