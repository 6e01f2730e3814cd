"""Claims among router replicas, and a takeover from a replica killed mid-delivery."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from sentinel.errors import DeliveryFailed
from sentinel.routing.destinations.slack import SlackDestination
from sentinel.routing.router import DELIVERED, DUPLICATE, RETRY, STALE
from sentinel.routing.standins import Scripted
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
    assert ("Slack #incidents", "posted (found, not sent again)") in decision.sent
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


def test_a_change_sent_by_a_killed_replica_is_found_after_its_claim_was_released(
    world: World,
) -> None:
    """The replica dies having posted an alarm's OK (the newer change) before recording it. The
    replica that takes the alarm over is handed the older ALARM only: it is stale, not replied
    into the OK's thread; it releases the claim. The OK then comes back to a third replica,
    claimed afresh: it looks all the same, since the message was marked as being sent."""
    alarm = metric_alarm("rds-cpu-high", "critical", "ALARM", EARLIER)
    resolved = metric_alarm("rds-cpu-high", "critical", "OK", EARLIER + timedelta(minutes=1))
    with time_machine.travel(DAY, tick=False):
        world.publish("critical", alarm)
        world.publish("critical", resolved)
        messages = world.sqs.receive_message(
            QueueUrl=world.consumer.queue.url, MaxNumberOfMessages=10
        )["Messages"]
        by_state = {
            json.loads(json.loads(m["Body"])["Message"])["NewStateValue"]: m for m in messages
        }
        key = world.router.alarm_key(by_state["OK"]["Body"])
        assert key is not None
        world.router.state.claim_alarms([key], DAY, LEASE)
        with pytest.raises(Killed), world.router.state.transaction():
            assert world.router.handle(by_state["OK"]["Body"]).action == DELIVERED
            raise Killed
    assert len(world.slack()) == 1  # the OK, posted as the alarm's first message
    later = DAY + LEASE + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        world.restart()
        taken = world.router.state.claim_alarms([key], later, LEASE)
        assert taken.in_doubt == {key: DAY}
        world.router.in_doubt = taken.in_doubt
        with world.router.state.transaction():
            assert world.router.handle(by_state["ALARM"]["Body"]).action == STALE
        world.router.in_doubt = {}
        world.router.state.release_claims([key])
    with time_machine.travel(later + timedelta(seconds=1), tick=False):
        world.restart()
        fresh = world.router.state.claim_alarms([key], later, LEASE)
        assert fresh.mine == {key} and not fresh.in_doubt
        with world.router.state.transaction():
            decision = world.router.handle(by_state["OK"]["Body"])
        world.router.state.release_claims([key])
    assert decision.action == DELIVERED
    assert ("Slack #incidents", "posted (found, not sent again)") in decision.sent
    assert len(world.slack()) == 1 and not world.slack("chat.update")
    # Both messages come back once more: each is known.
    with time_machine.travel(DAY + timedelta(minutes=10), tick=False):
        world.decisions.clear()
        world.drain()
    assert sorted(actions(world)) == [DUPLICATE, DUPLICATE]
    assert len(world.slack()) == 1
    assert world.depth() == 0 and world.depth(dead_letter=True) == 0


def test_a_message_marked_as_being_sent_stays_marked_until_its_answer_is_recorded(
    store_url: str,
) -> None:
    first = RouterState(Store(store_url), owner="replica-1")
    with pytest.raises(Killed), first.transaction():
        first.sending("m-1", ["slack:#ops", "pagerduty:key"], DAY)
        raise Killed  # what follows the mark is lost, the mark is not
    second = RouterState(Store(store_url), owner="replica-2")
    assert second.sending_since("m-1") == {"slack:#ops": DAY, "pagerduty:key": DAY}
    # Marked again by the next sender: still since the first mark.
    second.sending("m-1", ["slack:#ops", "pagerduty:key"], DAY + timedelta(minutes=1))
    assert second.sending_since("m-1") == {"slack:#ops": DAY, "pagerduty:key": DAY}
    second.accepted("m-1", "pagerduty:key", DAY + timedelta(minutes=1))
    assert second.accepted_by("m-1") == {"pagerduty:key"}
    assert second.sending_since("m-1") == {"slack:#ops": DAY}
    # Refused: nothing went out there, nothing to look for.
    second.not_sent("m-1", "slack:#ops")
    assert second.sending_since("m-1") == {} and second.accepted_by("m-1") == {"pagerduty:key"}


def test_a_mark_never_finished_is_pruned_with_the_messages(store_url: str) -> None:
    state = RouterState(Store(store_url), owner="replica-1")
    state.sending("old", ["slack:#ops"], DAY)
    state.sending("new", ["slack:#ops"], DAY + timedelta(days=10))
    state.accepted("done", "slack:#ops", DAY + timedelta(days=10))
    state.prune(DAY + timedelta(days=15))
    assert state.sending_since("old") == {}
    assert state.sending_since("new") == {"slack:#ops": DAY + timedelta(days=10)}
    assert state.accepted_by("done") == {"slack:#ops"}


def test_a_retry_after_slacks_answer_was_lost_finds_the_post(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slack posted, but its answer never came (a timeout): the retry looks before posting."""
    real = SlackDestination._call
    lost: list[str] = []

    def answer_lost(self: SlackDestination, request: Callable[[Any], Any]) -> Any:
        answer = real(self, request)
        if not lost and isinstance(answer.get("ts"), str) and "message" in answer.data:
            lost.append(answer["ts"])
            raise DeliveryFailed(self.label, "read timed out", unanswered=True)
        return answer

    monkeypatch.setattr(SlackDestination, "_call", answer_lost)
    with time_machine.travel(DAY, tick=False):
        world.publish("critical", metric_alarm("rds-cpu-high", "critical", "ALARM", EARLIER))
        world.drain()
    assert lost and actions(world) == [RETRY]
    with time_machine.travel(DAY + timedelta(minutes=3), tick=False):
        world.decisions.clear()
        world.drain()
    [decision] = world.decisions
    assert decision.action == DELIVERED
    assert ("Slack #incidents", "posted (found, not sent again)") in decision.sent
    assert len(world.slack()) == 1
    assert world.depth() == 0 and world.depth(dead_letter=True) == 0


def test_a_retry_after_slack_refused_posts_without_looking(world: World) -> None:
    world.standins.slack.respond(Scripted(200, body={"ok": False, "error": "internal_error"}))
    with time_machine.travel(DAY, tick=False):
        world.publish("critical", metric_alarm("rds-cpu-high", "critical", "ALARM", EARLIER))
        world.drain()
    assert actions(world) == [RETRY]
    with time_machine.travel(DAY + timedelta(minutes=3), tick=False):
        world.decisions.clear()
        world.drain()
    assert actions(world) == [DELIVERED]
    assert len(world.slack()) == 1
    assert not world.standins.slack.calls("conversations.history")
