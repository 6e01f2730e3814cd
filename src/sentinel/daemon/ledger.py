"""The run ledger: one row per job and period, claimed before the job runs.

A restart, a catch-up or ``--once`` never runs a job twice for one period: the claim is an
insert on a unique key, so only one process wins it. A run whose process died is reclaimed
after ``STALE_AFTER``. ``job_status`` keeps every job's last run, ledgered or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, DateTime, Integer, String, Table, Text, insert, select, update
from sqlalchemy.exc import IntegrityError

from sentinel.store import Store
from sentinel.store.database import METADATA, utcnow

RUNNING, SUCCEEDED, FAILED = "running", "succeeded", "failed"
STALE_AFTER = timedelta(hours=2)

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


class RunLedger:
    def __init__(self, store: Store) -> None:
        self.store = store
        store.ensure([JOB_RUNS, JOB_STATUS])

    def claim(self, job: str, period: str, force: bool = False) -> Run | None:
        """Take the (job, period) run; None when it ran already or is running elsewhere.

        A failed run may be claimed again; ``force`` claims a succeeded one too.
        """
        now = utcnow()
        try:
            with self.store.engine.begin() as db:
                db.execute(
                    insert(JOB_RUNS).values(
                        job=job, period=period, status=RUNNING, attempts=1, started_at=now
                    )
                )
            return self.get(job, period)
        except IntegrityError:
            pass
        current = self.get(job, period)
        if current is None:
            return None
        retry = current.status == FAILED or (force and current.status == SUCCEEDED)
        stale = current.status == RUNNING and now - current.started_at > STALE_AFTER
        if not (retry or stale):
            return None
        with self.store.engine.begin() as db:
            result = db.execute(
                update(JOB_RUNS)
                .where(
                    JOB_RUNS.c.job == job,
                    JOB_RUNS.c.period == period,
                    JOB_RUNS.c.status == current.status,
                    JOB_RUNS.c.started_at == current.started_at,
                )
                .values(
                    status=RUNNING,
                    attempts=current.attempts + 1,
                    started_at=now,
                    finished_at=None,
                )
            )
        return self.get(job, period) if result.rowcount == 1 else None

    def finish(self, job: str, period: str, ok: bool, summary: str) -> None:
        with self.store.engine.begin() as db:
            db.execute(
                update(JOB_RUNS)
                .where(JOB_RUNS.c.job == job, JOB_RUNS.c.period == period)
                .values(status=SUCCEEDED if ok else FAILED, finished_at=utcnow(), summary=summary)
            )

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
