"""``sentinel daemon``: APScheduler over the store, cron triggers in the project's time zone.

- Job store: SQLAlchemy on the project's store, so next run times survive restarts; several
  daemons on one store share it (``SharedJobStore`` says how that stays safe).
- ``coalesce=True`` and ``misfire_grace_time`` of one period (see ``JobSpec``): a daemon that
  was down catches up once, with the latest missed run, never once per missed run.
- On start, a stored job whose trigger is unchanged keeps its stored next run time (a run missed
  while down is still due); a changed schedule is rescheduled; unconfigured jobs are removed.
- Every run goes through the ledger, keyed by job and period: a restart at 09:30 after a
  missed 09:00 posts that report once, and nothing posts it twice, however many daemons run.
- The daemon running a job renews its claim's lease (``LeaseKeeper``); every daemon watches the
  running claims (``watch_leases``, every third of the lease) and takes over one whose lease has
  passed, so a job whose daemon died runs again within the lease and a third (a minute).
- SIGTERM or SIGINT stops the scheduler after the running jobs finish.
"""

from __future__ import annotations

import logging
import signal
import threading
import traceback
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import ConflictingIdError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import inspect, text

from sentinel import clock
from sentinel.aws.session import SessionFactory
from sentinel.daemon.jobstore import SharedJobStore
from sentinel.daemon.lease import LeaseKeeper
from sentinel.daemon.ledger import FAILED, LEASE, RUNNING, SUCCEEDED, Run, RunLedger
from sentinel.daemon.registry import GRACE, JobContext, JobSpec, registered_jobs
from sentinel.errors import SentinelError
from sentinel.store import Store
from sentinel.store.database import utcnow
from sentinel.store.outbox import Outbox

JOBS_TABLE = "apscheduler_jobs"
# A failed run (its data could not be read, or it broke) is tried again for the same period,
# later each time; after the last, the job waits for its next scheduled run.
RETRY_DELAYS = (
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
)
RETRY_SUFFIX = ":retry-"
LEASE_WATCH = "lease-watch"
TAKEN_OVER = "taken over"
log = logging.getLogger("sentinel.daemon")
_active: Daemon | None = None


@dataclass(frozen=True)
class JobOutcome:
    job: str
    period: str
    status: str  # succeeded, failed, skipped, taken over
    summary: str


@dataclass(frozen=True)
class JobState:
    name: str
    description: str
    schedule: str | None
    next_run: datetime | None
    last: Run | None
    running: Run | None = None  # the claim running now: its holder and lease


def run_scheduled(job: str) -> None:
    """What the job store calls (by reference, so it survives restarts)."""
    if _active is None:
        log.error("job %s fired with no daemon running", job)
        return
    _active.run_scheduled_job(job)


def trigger_for(cron: str, timezone: str) -> CronTrigger:
    return CronTrigger.from_crontab(cron, timezone=ZoneInfo(timezone))


def last_fire(trigger: CronTrigger, now: datetime, lookback: timedelta) -> datetime:
    """The trigger's latest fire time at or before ``now`` (``now`` if none in ``lookback``)."""
    fire = trigger.get_next_fire_time(None, now - lookback)
    last = None
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return last or now


class Daemon:
    def __init__(
        self,
        config: Any,
        factory: SessionFactory,
        store: Store,
        jobs: dict[str, JobSpec] | None = None,
        max_workers: int = 4,
        lease: timedelta = LEASE,
    ) -> None:
        self.config = config
        self.factory = factory
        self.store = store
        self.jobs = jobs if jobs is not None else registered_jobs()
        self.timezone = ZoneInfo(config.project.timezone)
        self.ledger = RunLedger(store, lease=lease)
        self.max_workers = max_workers
        self.scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()
        # Told of every run's outcome, and of each turn of the main loop (metrics, liveness).
        self.on_outcome: Callable[[JobOutcome], None] | None = None
        self.on_tick: Callable[[], None] | None = None
        self._taking: set[tuple[str, str]] = set()  # (job, period) handed to take_over
        self._taking_lock = threading.Lock()

    # --- what runs when -----------------------------------------------------------------------

    def configured(self) -> list[tuple[JobSpec, str]]:
        out = []
        for spec in self.jobs.values():
            cron = spec.schedule(self.config)
            if cron:
                out.append((spec, cron))
        return out

    def now(self) -> datetime:
        return clock.now(self.timezone)

    # --- running ------------------------------------------------------------------------------

    def start(self) -> None:
        global _active
        _active = self
        self._stop.clear()
        self.scheduler = BackgroundScheduler(
            jobstores={
                "default": SharedJobStore(engine=self.store.engine, tablename=JOBS_TABLE),
                "local": MemoryJobStore(),  # this process's own: the lease watch, takeovers
            },
            executors={"default": ThreadPoolExecutor(self.max_workers)},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=self.timezone,
        )
        self.scheduler.start(paused=True)
        self._sync_jobs()
        self.scheduler.add_job(
            self.watch_leases,
            IntervalTrigger(seconds=self.ledger.renew_every.total_seconds()),
            id=LEASE_WATCH,
            jobstore="local",
            coalesce=True,
            max_instances=1,
        )
        self.scheduler.resume()
        log.info("holder %s, lease %ss", self.ledger.holder, self.ledger.lease.total_seconds())
        for job in self.scheduler.get_jobs():
            log.info("job %s: next run %s", job.id, job.next_run_time)

    def stop(self, wait: bool = True) -> None:
        """Stop scheduling; with ``wait``, after the running jobs have finished."""
        global _active
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=wait)
        if _active is self:
            _active = None
        self._stop.set()

    def run_forever(self) -> None:
        """Run until SIGTERM or SIGINT, then stop cleanly after the running jobs."""
        previous = {
            sig: signal.signal(sig, lambda *_: self._stop.set())
            for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            self.start()
            while not self._stop.wait(1.0):
                if self.on_tick:
                    self.on_tick()
            log.info("stopping: waiting for running jobs")
        finally:
            self.stop(wait=True)
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def request_stop(self) -> None:
        self._stop.set()

    def running_problem(self) -> tuple[str, str] | None:
        """Why the daemon is not scheduling jobs now, as (status, detail); None while it is."""
        if self._stop.is_set():
            return "stopping", "stop requested: waiting for the running jobs"
        scheduler = self.scheduler
        if scheduler is None:
            return "starting", "the scheduler is not started yet"
        thread = getattr(scheduler, "_thread", None)  # BackgroundScheduler's loop
        if not scheduler.running or (thread is not None and not thread.is_alive()):
            return "stuck", "the scheduler is not running"
        return None

    def _sync_jobs(self) -> None:
        assert self.scheduler is not None
        stored = {job.id: job for job in self.scheduler.get_jobs(jobstore="default")}
        wanted = set()
        for spec, cron in self.configured():
            wanted.add(spec.name)
            trigger = trigger_for(cron, spec.zone(self.config))
            job = stored.get(spec.name)
            if job is not None and repr(job.trigger) == repr(trigger):
                if job.misfire_grace_time != spec.misfire_grace_time:
                    job.modify(misfire_grace_time=spec.misfire_grace_time)
                continue  # keep the stored next run time: a missed run is still due
            if job is not None:
                job.reschedule(trigger)
                job.modify(misfire_grace_time=spec.misfire_grace_time)
                continue
            self.scheduler.add_job(
                run_scheduled,
                trigger,
                args=[spec.name],
                id=spec.name,
                name=spec.name,
                misfire_grace_time=spec.misfire_grace_time,
                coalesce=True,
                max_instances=1,
                replace_existing=True,
            )
        for job_id in set(stored) - wanted:
            if RETRY_SUFFIX in job_id and job_id.split(RETRY_SUFFIX)[0] in wanted:
                continue  # a retry still due after a restart
            self.scheduler.remove_job(job_id, jobstore="default")

    def watch_leases(self) -> list[Run]:
        """Take over, in the background, every running claim of a job this daemon runs whose
        lease has passed, if its period may still run (within one period of its scheduled
        time, as a catch-up); the claims handed on."""
        assert self.scheduler is not None
        now = utcnow()
        handed = []
        for run in self.ledger.running():
            spec = self.jobs.get(run.job)
            if spec is None or not spec.ledgered or not run.lease_expired(now):
                continue
            scheduled = run.scheduled_at or run.started_at
            if now - scheduled > GRACE[spec.period]:
                continue
            with self._taking_lock:
                if (run.job, run.period) in self._taking:
                    continue  # handed on already, still starting
                self._taking.add((run.job, run.period))
            try:
                self.scheduler.add_job(
                    self.take_over,
                    args=[run],
                    id=f"{run.job}:takeover:{run.period}",
                    jobstore="local",
                    misfire_grace_time=None,
                )
            except ConflictingIdError:
                continue
            handed.append(run)
        return handed

    def take_over(self, run: Run) -> JobOutcome:
        when = f"{run.lease_until:%H:%M:%S} UTC" if run.lease_until else "an unknown time"
        log.warning(
            "job %s: %s stopped renewing its run for %s at %s: taking it over",
            run.job,
            run.holder or "a daemon",
            run.period,
            when,
        )
        scheduled = (run.scheduled_at or run.started_at).replace(tzinfo=UTC)
        try:
            return self.run_job(run.job, scheduled)
        finally:
            with self._taking_lock:
                self._taking.discard((run.job, run.period))

    def run_scheduled_job(self, name: str) -> JobOutcome:
        spec = self.jobs[name]
        cron = spec.schedule(self.config)
        now = self.now()
        scheduled = (
            last_fire(trigger_for(cron, spec.zone(self.config)), now, 2 * GRACE[spec.period])
            if cron
            else now
        )
        return self.run_job(name, scheduled)

    def run_job(
        self, name: str, scheduled: datetime | None = None, force: bool = False
    ) -> JobOutcome:
        """Run one job for the period of ``scheduled`` (default: now), through the ledger."""
        outcome = self._run_job(name, scheduled, force)
        if self.on_outcome:
            self.on_outcome(outcome)
        return outcome

    def _run_job(self, name: str, scheduled: datetime | None, force: bool) -> JobOutcome:
        spec = self.jobs[name]
        scheduled = (scheduled or self.now()).astimezone(self.timezone)
        period = spec.period_of(scheduled)
        started = utcnow()
        claim = None
        if spec.ledgered:
            at = scheduled.astimezone(UTC).replace(tzinfo=None)
            claim = self.ledger.claim(name, period, force=force, scheduled=at)
        if spec.ledgered and claim is None:
            existing = self.ledger.get(name, period)
            status = existing.status if existing else "claimed"
            if existing and existing.status == RUNNING and existing.holder:
                status += f" on {existing.holder}"
            when = (
                f" at {existing.finished_at:%Y-%m-%d %H:%M} UTC"
                if existing and existing.finished_at
                else ""
            )
            summary = f"already {status} for {period}{when}"
            log.info("job %s: %s", name, summary)
            return JobOutcome(name, period, "skipped", summary)
        self.ledger.record_status(name, period, RUNNING, started)
        log.info("job %s: running for %s", name, period)
        context = JobContext(self.config, self.factory, self.store, scheduled, period)
        summary, ok, kept = self._run_held(spec, context, claim)
        if not kept:
            log.warning("job %s: run for %s taken over; not recorded: %s", name, period, summary)
            return JobOutcome(name, period, TAKEN_OVER, summary)
        self.ledger.record_status(name, period, SUCCEEDED if ok else FAILED, started, summary)
        log.info("job %s: %s: %s", name, "done" if ok else "failed", summary)
        return JobOutcome(name, period, SUCCEEDED if ok else FAILED, summary)

    def _run_held(
        self, spec: JobSpec, context: JobContext, claim: Run | None
    ) -> tuple[str, bool, bool]:
        """Run the job, renewing its claim meanwhile: its summary, whether it succeeded, and
        whether the claim was still this daemon's at the end (its result then recorded)."""
        with LeaseKeeper(self.ledger, claim) if claim else nullcontext() as keeper:
            try:
                summary, ok = spec.run(context), True
            except SentinelError as exc:
                summary, ok = str(exc), False
            except Exception as exc:  # a job's bug must not kill the daemon
                log.error("job %s failed:\n%s", spec.name, traceback.format_exc())
                summary, ok = f"{type(exc).__name__}: {exc}", False
        if claim is None:
            return summary, ok, True
        if keeper is not None and keeper.lost:
            return summary, ok, False
        if not ok:
            summary += self._retry(spec, context.period, claim.attempts)
        kept = self.ledger.finish(spec.name, context.period, ok, summary, attempt=claim.attempts)
        return summary, ok, kept

    def _retry(self, spec: JobSpec, period: str, attempts: int) -> str:
        """Schedule the failed run's next attempt (only while the daemon runs); what to tell."""
        if self.scheduler is None or not self.scheduler.running:
            return ""
        if attempts > len(RETRY_DELAYS):
            return f"; no retry left for {period} after {attempts} attempts"
        when = self.now() + RETRY_DELAYS[attempts - 1]
        self.scheduler.add_job(
            run_scheduled,
            DateTrigger(run_date=when, timezone=self.timezone),
            args=[spec.name],
            id=f"{spec.name}{RETRY_SUFFIX}{attempts}",  # one id per attempt
            name=f"{spec.name}{RETRY_SUFFIX}{attempts}",
            misfire_grace_time=spec.misfire_grace_time,
            coalesce=True,
            replace_existing=True,
        )
        log.info("job %s: retry %d for %s at %s", spec.name, attempts, period, when)
        return f"; retry {attempts} at {when:%H:%M %Z}"

    # --- status -------------------------------------------------------------------------------

    def status(self) -> list[JobState]:
        stored = stored_next_runs(self.store)
        now = self.now()
        states = []
        for spec in self.jobs.values():
            cron = spec.schedule(self.config)
            next_run = None
            if cron:
                next_run = stored.get(spec.name) or trigger_for(
                    cron, spec.zone(self.config)
                ).get_next_fire_time(None, now)
                retries = [t for j, t in stored.items() if j.startswith(spec.name + RETRY_SUFFIX)]
                if retries and next_run is not None:
                    next_run = min(next_run, *retries)
            if next_run is not None:
                next_run = next_run.astimezone(self.timezone)
            running = self.ledger.running(spec.name)
            states.append(
                JobState(
                    spec.name,
                    spec.description,
                    cron,
                    next_run,
                    self.ledger.last(spec.name),
                    running[-1] if running else None,
                )
            )
        return states

    def pending_deliveries(self) -> int:
        return len(Outbox(self.store).pending())


def stored_next_runs(store: Store) -> dict[str, datetime]:
    """Next run times the daemon's job store holds (empty before the daemon first ran)."""
    if not inspect(store.engine).has_table(JOBS_TABLE):
        return {}
    with store.engine.connect() as db:
        rows = db.execute(text(f"SELECT id, next_run_time FROM {JOBS_TABLE}")).all()
    return {
        row.id: datetime.fromtimestamp(row.next_run_time, UTC)
        for row in rows
        if row.next_run_time is not None
    }
