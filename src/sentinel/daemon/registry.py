"""What a job is to the daemon: a name, a schedule from the config, a period, a function."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any, Literal

from sentinel.aws.session import SessionFactory
from sentinel.errors import SentinelError
from sentinel.store import Store

Period = Literal["day", "week", "run"]
GRACE = {"day": timedelta(days=1), "week": timedelta(days=7), "run": timedelta(minutes=5)}
MISSING_SHOWN = 3


@dataclass
class JobContext:
    """What a job runs with: the config, AWS, the store, and the time it runs for."""

    config: Any
    factory: SessionFactory
    store: Store
    scheduled: datetime  # in the project's time zone
    period: str


@dataclass(frozen=True)
class JobSpec:
    """A daemon job.

    ``schedule`` reads the job's crontab line from the config (None: not configured, not
    scheduled). ``period`` names what one run covers: a ``day`` or ``week`` in the project's
    time zone (the ledger runs a job once per period whatever restarts happen), or each ``run``
    (a frequent job, not ledgered). ``run`` returns a one-line summary or raises. ``calls``
    are the AWS calls a run makes ("<IAM prefix>:<Operation>", for ``sentinel iam-policy``),
    with the inventory's listings when ``reads_inventory``.
    """

    name: str
    description: str
    schedule: Callable[[Any], str | None]
    run: Callable[[JobContext], str]
    period: Period = "day"
    calls: tuple[str, ...] = ()
    reads_inventory: bool = False
    # The time zone of the schedule when the job has its own (default: the project's).
    timezone: Callable[[Any], str | None] | None = None

    def zone(self, config: Any) -> str:
        own = self.timezone(config) if self.timezone is not None else None
        return own or str(config.project.timezone)

    @property
    def ledgered(self) -> bool:
        return self.period != "run"

    @property
    def misfire_grace_time(self) -> int:
        """Seconds a missed run may still start late: one period, so a daemon that was down
        catches up once (with coalescing, the latest missed run only) and never skips it."""
        return int(GRACE[self.period].total_seconds())

    def period_of(self, moment: datetime) -> str:
        if self.period == "day":
            return moment.date().isoformat()
        if self.period == "week":
            year, week, _ = moment.isocalendar()
            return f"{year}-W{week:02d}"
        return moment.replace(second=0, microsecond=0).isoformat(timespec="minutes")


class UnknownJob(SentinelError):
    pass


class DataUnavailable(SentinelError):
    """A job's data could not be read (AWS unreachable, Cost Explorer errors): the run is
    recorded as failed, and the daemon retries it, rather than reporting figures it lacks."""


def require_data(missing: Sequence[object], what: str) -> None:
    """Fail the run when any of its data could not be read, naming the first gaps."""
    if not missing:
        return
    shown = "; ".join(str(gap) for gap in missing[:MISSING_SHOWN])
    more = f" and {len(missing) - MISSING_SHOWN} more" if len(missing) > MISSING_SHOWN else ""
    raise DataUnavailable(f"{what}: data could not be read: {shown}{more}")


def registered_jobs() -> dict[str, JobSpec]:
    from sentinel.daemon import jobs

    found: dict[str, JobSpec] = {}
    for spec in jobs.ALL:
        module, attribute = spec.split(":")
        job = getattr(import_module(module), attribute)
        found[job.name] = job
    return found


def job_named(name: str) -> JobSpec:
    jobs = registered_jobs()
    if name not in jobs:
        raise UnknownJob(f"unknown job {name!r}: known jobs are {', '.join(sorted(jobs))}")
    return jobs[name]
