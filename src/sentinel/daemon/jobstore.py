"""The daemons' shared schedule: APScheduler 3's SQLAlchemy job store, safe for several.

Several ``sentinel daemon`` processes on one store share one ``apscheduler_jobs`` table, so
that next run times and pending retries survive any of them (a daemon that was down still
catches up once, and a retry a dead daemon scheduled is run by another). APScheduler 3's
``SQLAlchemyJobStore`` takes no lock, and with two schedulers on one table:

- Both load the due jobs; when they look at once, both submit the run. That is harmless:
  the run ledger's claim lets one of them do the work, and the other logs a skip.
- Both then write the job's next run time. The trigger computes the same time in both, so
  whichever write lands last, nothing is skipped and nothing runs twice.
- A run-once job (a retry) is deleted after it fires, by each scheduler that fired it; the
  second delete finds no row and APScheduler raises ``JobLookupError``, which escapes the
  scheduler's loop and silently ends its thread: that daemon would schedule nothing again.
  The same happens to a next-run-time update of a job another daemon removed. ``SharedJobStore``
  takes "the row is gone" as done, which is what it means with several schedulers.
- A scheduler sleeps until the next run time it knows of, and is not told of rows another
  daemon writes (a retry it scheduled). Each daemon's lease watch (an in-memory job every third
  of the lease) wakes its scheduler often enough to see them.

An in-memory schedule per daemon, with the ledger as the only link, would lose what the table
keeps: the next run time of a daemon that stopped (the catch-up) and the pending retries. The
daemons on one store are expected to run one configuration (the same monitors/); one started
with another keeps its schedule in the same rows, and the last started wins.
"""

from __future__ import annotations

import logging
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

log = logging.getLogger("sentinel.daemon")


class SharedJobStore(SQLAlchemyJobStore):
    """A job store several schedulers share: a job another one removed is gone, not an error."""

    def update_job(self, job: Any) -> None:
        try:
            super().update_job(job)
        except JobLookupError:
            log.info("job %s: removed by another daemon", job.id)

    def remove_job(self, job_id: str) -> None:
        try:
            super().remove_job(job_id)
        except JobLookupError:
            log.debug("job %s: already removed by another daemon", job_id)
