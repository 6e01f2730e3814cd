"""Two schedulers on one job table: a job one of them removed is gone for the other, not an
error that would end its scheduler's thread."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from sentinel.daemon.jobstore import SharedJobStore
from sentinel.daemon.scheduler import JOBS_TABLE
from sentinel.store import Store


@pytest.fixture
def store(backend_store: Store) -> Store:
    """These tests run on SQLite and on PostgreSQL."""
    return backend_store


def noop() -> None:
    pass


def scheduler(store: Store, kind: type[SQLAlchemyJobStore]) -> BackgroundScheduler:
    started = BackgroundScheduler(
        jobstores={"default": kind(engine=store.engine, tablename=JOBS_TABLE)}, timezone="UTC"
    )
    started.start(paused=True)
    return started


@pytest.fixture
def two(store: Store, request: pytest.FixtureRequest) -> Iterator[list[BackgroundScheduler]]:
    pair = [scheduler(store, request.param), scheduler(store, request.param)]
    yield pair
    for each in pair:
        each.shutdown(wait=False)


@pytest.mark.parametrize("two", [SQLAlchemyJobStore], indirect=True)
def test_apscheduler_alone_fails_on_a_job_the_other_scheduler_removed(
    two: list[BackgroundScheduler],
) -> None:
    first, second = two
    first.add_job(noop, CronTrigger.from_crontab("0 9 * * *"), id="probe")
    [seen] = second.get_jobs()  # as _process_jobs loads it
    first.remove_job("probe")
    store = second._lookup_jobstore("default")
    # In the scheduler's loop these escape and end its thread.
    with pytest.raises(JobLookupError):
        store.update_job(seen)
    with pytest.raises(JobLookupError):
        store.remove_job("probe")


@pytest.mark.parametrize("two", [SharedJobStore], indirect=True)
def test_the_shared_job_store_takes_a_removed_job_as_gone(
    two: list[BackgroundScheduler],
) -> None:
    first, second = two
    first.add_job(noop, CronTrigger.from_crontab("0 9 * * *"), id="probe")
    [seen] = second.get_jobs()
    first.remove_job("probe")
    store = second._lookup_jobstore("default")
    store.update_job(seen)
    store.remove_job("probe")
    assert first.get_jobs() == [] and second.get_jobs() == []
    # A job both keep is updated by both to the same next run time.
    first.add_job(noop, CronTrigger.from_crontab("0 9 * * *"), id="probe")
    [mine], [theirs] = first.get_jobs(), second.get_jobs()
    assert mine.next_run_time == theirs.next_run_time
    second.remove_job("probe")
    first.remove_job("probe")  # gone already: no error
