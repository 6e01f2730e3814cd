"""Delivery guarantees: poison messages, unroutable alerts, retries used up, permanent refusals."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

import pytest
import time_machine

from sentinel.routing.consumer import REASON_ATTRIBUTE, backoff
from sentinel.routing.router import DEAD, RETRY
from sentinel.routing.standins import Scripted

from .conftest import World
from .scenario import metric_alarm
from .test_router import DAY, EARLIER, actions


def reasons(world: World) -> list[str]:
    return [m["MessageAttributes"][REASON_ATTRIBUTE]["StringValue"] for m in world.dead_letters()]


def test_poison_message_goes_to_the_dead_letter_queue_with_its_reason(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="sentinel.routing")
    with time_machine.travel(DAY, tick=False):
        world.send_raw("<html>502 Bad Gateway</html>")
        world.drain()
        [dead] = world.dead_letters()  # (messages outlive their retention if time travels back)
    assert actions(world) == [DEAD]
    assert dead["Body"] == "<html>502 Bad Gateway</html>"
    reason = dead["MessageAttributes"][REASON_ATTRIBUTE]["StringValue"]
    assert "neither a CloudWatch alarm" in reason
    assert any(
        "moved to the dead-letter queue" in r.message and reason in r.message
        for r in caplog.records
    )
    assert world.depth() == 0
    assert world.events == [] and world.slack() == []


def test_alarm_of_no_known_severity_is_dead_lettered(world: World) -> None:
    message = metric_alarm("rds-cpu-high", "critical", "ALARM", EARLIER)
    message.update(AlarmName="other-team-alarm", AlarmActions=[], OKActions=[])
    message["AlarmArn"] = message["AlarmArn"].replace("shop-rds-cpu-high", "other-team-alarm")
    with time_machine.travel(DAY, tick=False):
        world.send_raw(json.dumps(message))  # raw: no topic to say which severity
        world.drain()
        dead = reasons(world)
    assert dead == [
        "no severity for metric 'other-team-alarm': not from a severity topic, and no rule, "
        "budget or severity of project shop names it"
    ]


def test_failing_destination_goes_to_the_dead_letter_queue_after_max_receives(world: World) -> None:
    world.standins.slack.available = lambda: False
    with time_machine.travel(DAY, tick=False) as clock:
        world.publish("critical", metric_alarm("rds-cpu-high", "critical", "ALARM", EARLIER))
        for _ in range(6):
            world.drain()
            clock.shift(timedelta(seconds=100))  # within the 15 minutes before escalation
        dead = reasons(world)
    assert actions(world) == [RETRY, RETRY, RETRY, RETRY, DEAD]
    assert dead == ["still failing after 5 receives: Slack #incidents: service_unavailable"]
    assert len(world.events) == 1  # PagerDuty was paged once, not five times
    assert world.depth() == 0


def test_permanent_refusal_goes_to_the_dead_letter_queue_at_once(world: World) -> None:
    world.standins.slack.respond(Scripted(200, body={"ok": False, "error": "channel_not_found"}))
    with time_machine.travel(DAY, tick=False):
        world.publish("critical", metric_alarm("rds-cpu-high", "critical", "ALARM", EARLIER))
        world.drain()
        dead = reasons(world)
    assert actions(world) == [DEAD]
    assert dead == ["Slack #incidents: channel_not_found"]
    assert len(world.events) == 1


def test_redriven_dead_letter_is_sent_only_where_it_was_missing(world: World) -> None:
    world.standins.slack.respond(Scripted(200, body={"ok": False, "error": "not_in_channel"}))
    with time_machine.travel(DAY, tick=False):
        world.publish("critical", metric_alarm("rds-cpu-high", "critical", "ALARM", EARLIER))
        world.drain()
        [dead] = world.dead_letters()
        world.send_raw(dead["Body"])  # the operator invited the bot and redrove the message
        world.drain()
    assert len(world.events) == 1
    assert len(world.slack()) == 1


def test_backoff_doubles_and_honours_retry_after() -> None:
    assert [backoff(n, None) for n in range(1, 9)] == [10, 20, 40, 80, 160, 320, 640, 900]
    assert backoff(1, 120) == 120
    assert backoff(3, 5) == 40
    assert backoff(1, 10**6) == 43200


def test_a_missing_secret_stops_the_router_at_start(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sentinel.errors import SecretError

    monkeypatch.delenv("TEST_SLACK_TOKEN")
    with pytest.raises(SecretError, match="env:TEST_SLACK_TOKEN"):
        world.restart()


@pytest.mark.real_clock  # its threads' timed waits hang under libfaketime
def test_the_consumer_outlasts_an_sqs_outage(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    import threading

    caplog.set_level(logging.ERROR, logger="sentinel.routing")
    world.consumer.error_pause = 0.01
    world.sqs.delete_queue(QueueUrl=world.consumer.queue.url)
    stop = threading.Event()
    runner = threading.Thread(target=world.consumer.run, args=(stop,), kwargs={"wait": 0})
    runner.start()
    try:
        deadline = time.monotonic() + 20
        while not any("router round failed" in r.message for r in caplog.records):
            assert time.monotonic() < deadline, "the consumer never reported the outage"
            stop.wait(0.01)
    finally:
        stop.set()
        runner.join(10)
    assert not runner.is_alive()
    failure = next(r.message for r in caplog.records if "router round failed" in r.message)
    assert "NonExistentQueue" in failure or "does not exist" in failure
