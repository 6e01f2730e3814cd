"""The router on PostgreSQL: the database goes away mid-run, the router waits and resumes, and
every alarm is delivered exactly once."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import time_machine
from tests.postgres import PostgresServer

from sentinel.aws.session import SessionFactory
from sentinel.routing.standins import StandIns

from .conftest import make_world
from .scenario import metric_alarm, write_project
from .test_router import ARN, DAY, EARLIER

# Its threads' timed waits hang under libfaketime.
pytestmark = pytest.mark.real_clock


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


def test_the_router_waits_out_a_postgresql_outage_and_loses_nothing(
    aws: SessionFactory,
    standins: StandIns,
    secrets: None,
    tmp_path: Path,
    postgres_server: PostgresServer,
    postgres_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, logger="sentinel.routing")
    world = make_world(write_project(tmp_path / "shop"), aws, standins, tmp_path)
    world.store_url = postgres_url
    world.restart()  # the same router, on PostgreSQL
    world.consumer.error_pause = 0.05
    rules = ["rds-cpu-high", "api-5xx", "api-latency", "queue-depth"]
    stop = threading.Event()
    runner = threading.Thread(target=world.consumer.run, args=(stop,), kwargs={"wait": 0})
    with time_machine.travel(DAY, tick=True):
        world.publish("critical", metric_alarm(rules[0], "critical", "ALARM", EARLIER))
        runner.start()
        try:
            # Between two rounds: the first alarm delivered and deleted, the router polling.
            wait_for(lambda: len(world.decisions) == 1, "the first alarm is delivered")
            wait_for(lambda: world.depth() == 0, "the first alarm is deleted")
            postgres_server.stop()
            for rule in rules[1:]:
                world.publish("critical", metric_alarm(rule, "critical", "ALARM", EARLIER))
            wait_for(
                lambda: any("router round failed" in r.message for r in caplog.records),
                "the router reports the outage",
            )
            time.sleep(0.3)  # a few rounds fail meanwhile
            postgres_server.start()
            wait_for(lambda: len(world.decisions) == len(rules), "every alarm is delivered")
            wait_for(lambda: world.depth() == 0, "the queue is empty")
            time.sleep(0.3)  # nothing more comes
        finally:
            stop.set()
            runner.join(10)
    assert not runner.is_alive()
    paged = Counter(event["dedup_key"] for event in world.events)
    assert paged == {ARN + f"shop-{rule}": 1 for rule in rules}
    posted = Counter(call["text"].split("\n")[0] for call in world.slack())
    assert len(world.slack()) == len(rules) and max(posted.values()) == 1
    assert world.depth(dead_letter=True) == 0
    failure = next(r.message for r in caplog.records if "router round failed" in r.message)
    assert "OperationalError" in failure or "connection" in failure


def test_an_outage_in_the_middle_of_a_batch_hands_the_rest_back(
    aws: SessionFactory,
    standins: StandIns,
    secrets: None,
    tmp_path: Path,
    postgres_server: PostgresServer,
    postgres_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, logger="sentinel.routing")
    world = make_world(write_project(tmp_path / "shop"), aws, standins, tmp_path)
    world.store_url = postgres_url
    world.restart()
    world.consumer.error_pause = 0.05
    rules = ["rds-cpu-high", "api-5xx", "api-latency"]
    pages = 0

    def database_stops_at_the_second_page() -> bool:
        nonlocal pages
        pages += 1
        if pages == 2:
            postgres_server.stop()  # PagerDuty accepts this page; the store cannot record it
        return True

    standins.pagerduty.available = database_stops_at_the_second_page
    stop = threading.Event()
    runner = threading.Thread(target=world.consumer.run, args=(stop,), kwargs={"wait": 0})
    with time_machine.travel(DAY, tick=True):
        for rule in rules:
            world.publish("critical", metric_alarm(rule, "critical", "ALARM", EARLIER))
        runner.start()
        try:
            wait_for(
                lambda: any("router round failed" in r.message for r in caplog.records),
                "the router reports the outage",
            )
            postgres_server.start()
            # Within seconds, not after the queue's visibility timeout (two minutes).
            wait_for(lambda: len(world.decisions) == len(rules), "every alarm is delivered", 20)
            wait_for(lambda: world.depth() == 0, "the queue is empty")
        finally:
            stop.set()
            runner.join(10)
    assert not runner.is_alive()
    # The page PagerDuty accepted while the store could not record it is sent again, with the
    # same dedup key (PagerDuty keeps one incident); every other destination got one message.
    paged = Counter(event["dedup_key"] for event in world.events)
    assert set(paged) == {ARN + f"shop-{rule}" for rule in rules}
    assert sorted(paged.values()) == [1, 1, 2]
    assert len(world.slack()) == len(rules)
    assert world.depth(dead_letter=True) == 0
