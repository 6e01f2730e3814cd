"""Claims among router replicas, and a takeover from a replica killed mid-delivery."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import time_machine

from sentinel.routing.router import DELIVERED
from sentinel.routing.state import RouterState
from sentinel.store import Store

from .conftest import World
from .scenario import metric_alarm
from .test_router import ARN, DAY, EARLIER, actions

LEASE = timedelta(seconds=30)


class Killed(Exception):
    """The replica died here: its transaction is never committed."""


def test_a_claim_is_one_replicas_until_released_or_expired(store_url: str) -> None:
    first = RouterState(Store(store_url), owner="replica-1")
    second = RouterState(Store(store_url), owner="replica-2")
    mine = first.claim_alarms(["a", "b"], DAY, LEASE)
    assert mine.mine == {"a", "b"} and not mine.busy and not mine.in_doubt
    theirs = second.claim_alarms(["b", "c"], DAY + timedelta(seconds=1), LEASE)
    assert theirs.mine == {"c"}
    assert theirs.busy == {"b": DAY + LEASE}
    first.release_claims(["b"])
    assert second.claim_alarms(["b"], DAY + timedelta(seconds=2), LEASE).mine == {"b"}
    # "a" was never released: once its lease ran out, it is taken over and in doubt.
    late = second.claim_alarms(["a"], DAY + LEASE + timedelta(seconds=1), LEASE)
    assert late.mine == {"a"} and late.in_doubt == {"a": DAY}


def test_a_claim_taken_over_twice_is_in_doubt_since_its_first_holder_claimed_it(
    store_url: str,
) -> None:
    """The second holder died too, before it looked: the third looks since the first claimed,
    when the first may have posted."""
    first, second, third = (RouterState(Store(store_url), owner=f"replica-{n}") for n in (1, 2, 3))
    first.claim_alarms(["a"], DAY, LEASE)
    taken = second.claim_alarms(["a"], DAY + LEASE + timedelta(seconds=1), LEASE)
    assert taken.in_doubt == {"a": DAY}

    again = third.claim_alarms(["a"], DAY + 2 * LEASE + timedelta(seconds=2), LEASE)

    assert again.mine == {"a"} and again.in_doubt == {"a": DAY}
    # Released once handled: a new claim of the alarm is not in doubt.
    third.release_claims(["a"])
    fresh = first.claim_alarms(["a"], DAY + 3 * LEASE, LEASE)
    assert fresh.mine == {"a"} and not fresh.in_doubt


def test_a_takeover_finds_the_slack_post_of_a_replica_killed_before_recording_it(
    world: World,
) -> None:
    with time_machine.travel(DAY, tick=False):
        world.publish("critical", metric_alarm("rds-cpu-high", "critical", "ALARM", EARLIER))
        [message] = world.sqs.receive_message(
            QueueUrl=world.consumer.queue.url, MaxNumberOfMessages=1
        )["Messages"]
        key = world.router.alarm_key(message["Body"])
        assert key == f"{ARN}shop-rds-cpu-high"
        # The first replica claims the alarm, delivers, and dies before its commit.
        world.router.state.claim_alarms([key], DAY, LEASE)
        with pytest.raises(Killed), world.router.state.transaction():
            assert world.router.handle(message["Body"]).action == DELIVERED
            raise Killed
        world.decisions.clear()
    # Its message comes back after the visibility timeout, to another replica.
    with time_machine.travel(DAY + timedelta(minutes=3), tick=False):
        world.restart()  # same store and queue, nothing else
        world.drain()
    assert actions(world) == [DELIVERED]
    [decision] = world.decisions
    assert ("Slack #incidents", "posted (found after a takeover)") in decision.sent
    assert len(world.slack()) == 1  # posted once, by the replica that died
    # PagerDuty got the event again: same dedup_key and action, one incident.
    assert Counter((e["dedup_key"], e["event_action"]) for e in world.events) == {
        (key, "trigger"): 2
    }
    assert len(world.standins.pagerduty.incidents) == 1
    # The thread is the dead replica's post: the OK replies in it.
    with time_machine.travel(DAY + timedelta(minutes=10), tick=False):
        world.decisions.clear()
        world.publish(
            "critical",
            metric_alarm("rds-cpu-high", "critical", "OK", DAY + timedelta(minutes=9)),
        )
        world.drain()
    posts = world.slack()
    assert (
        len(posts) == 2
        and posts[1]["thread_ts"] == world.standins.slack.messages[posts[1]["channel"]][0]["ts"]
    )
    assert world.depth() == 0 and world.depth(dead_letter=True) == 0
