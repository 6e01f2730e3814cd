"""Silences (``sentinel silence``) honoured by two router replicas sharing one SQLite store.

Each router test runs two routers, each with its own store connection and replica id, on one
queue and one store file, as two ``sentinel route`` processes would; the silence is added and
expired with the CLI on the same store. The last test keeps to the store, on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import time_machine
from click.testing import CliRunner
from prometheus_client import CollectorRegistry

from sentinel.cli import main
from sentinel.cli.route import render_decision
from sentinel.routing.alert import Alert, AlertKind, AlertState
from sentinel.routing.consumer import Consumer
from sentinel.routing.noise import Hold
from sentinel.routing.router import DELIVERED, HELD, SUPPRESSED, Decision
from sentinel.routing.service import build_consumer, build_router
from sentinel.routing.state import RouterState
from sentinel.store import Store
from sentinel.telemetry.metrics import RouterMetrics

from .conftest import World
from .scenario import metric_alarm
from .test_router import ARN, DAY, EARLIER

LAG = ARN + "shop-db-replica-lag"
LAG_EU = ARN + "shop-db-replica-lag-eu"


def sentinel(world: World, *args: str) -> str:
    result = CliRunner().invoke(main, [*args, "-C", str(world.root), "--store", world.store_url])
    assert result.exit_code == 0, result.output
    return result.output


def second_replica(world: World) -> tuple[Consumer, list[Decision]]:
    """Another `sentinel route` on the same queue and store file: nothing shared in memory."""
    decisions: list[Decision] = []
    router = build_router(
        world.config,
        world.factory,
        store=Store(world.store_url),
        endpoints=world.standins.endpoints(),
    )
    assert router.state.owner != world.router.state.owner
    return build_consumer(world.config, world.factory, router, on_decision=decisions.append), (
        decisions
    )


def triggers(world: World) -> Counter[str]:
    return Counter(e["dedup_key"] for e in world.events if e["event_action"] == "trigger")


def listed(world: World) -> list[dict[str, object]]:
    silences: list[dict[str, object]] = json.loads(
        sentinel(world, "silence", "list", "--all", "--json")
    )
    return silences


def test_two_replicas_hold_what_a_silence_matches_and_deliver_it_once_when_expired(
    world: World,
) -> None:
    replica, theirs = second_replica(world)
    with time_machine.travel(DAY, tick=False) as clock:
        added = sentinel(
            world, "silence", "add", "--alarm", "db-*", "--for", "2h", "--reason", "rebuild"
        )
        assert added.startswith("Silence 1 added: db-* until 2026-03-04 17:00 UTC")
        world.publish("high", metric_alarm("db-replica-lag", "high", "ALARM", EARLIER))
        world.publish("critical", metric_alarm("rds-cpu-high", "critical", "ALARM", EARLIER))
        world.drain()  # the first replica
        world.publish(
            "high", metric_alarm("db-replica-lag", "high", "ALARM", EARLIER, resource="eu")
        )
        replica.drain(wait=0)  # the second
        # Only the alarm nobody silenced went out; both replicas held what the silence matches.
        assert triggers(world) == {ARN + "shop-rds-cpu-high": 1}
        held_by_first, held_by_second = list(world.decisions), list(theirs)
        held = [d for d in world.decisions + theirs if d.action == HELD]
        assert [(d.alert.key, d.reason) for d in held if d.alert] == [
            (LAG, "suppressed by silence 1"),
            (LAG_EU, "suppressed by silence 1"),
        ]
        line = render_decision(held[0])
        assert " held high ALARM shop-db-replica-lag until " in line
        assert line.endswith(" (suppressed by silence 1)")
        assert [(s["id"], s["status"], s["suppressed"]) for s in listed(world)] == [
            (1, "active", 2)
        ]
        # Recorded all the same: the router knows each alarm's state.
        assert world.router.state.alarm(LAG) is not None
        clock.shift(timedelta(minutes=10))
        expired = sentinel(world, "silence", "expire", "1")
        assert "2 held alarm(s) released" in expired
        world.decisions.clear()
        theirs.clear()
        # The second replica is busy with a message of one alarm (it claimed it) when the
        # first looks for due alerts: the first releases the other alarm only.
        busy = replica.router.state
        assert busy.claim_alarms([LAG], DAY + timedelta(minutes=10), timedelta(seconds=60)).mine
        world.consumer.tick()
        busy.release_claims([LAG])
        # Both look again, in turn: the alarm left is delivered by one of them, once.
        replica.tick()
        world.consumer.tick()
        replica.tick()
    delivered = [
        (d.alert.key, who)
        for who, decisions in (("first", world.decisions), ("second", theirs))
        for d in decisions
        if d.action == DELIVERED and d.alert
    ]
    assert sorted(delivered) == [(LAG, "second"), (LAG_EU, "first")]
    assert triggers(world) == {ARN + "shop-rds-cpu-high": 1, LAG: 1, LAG_EU: 1}
    assert world.router.state.held_count() == 0
    assert listed(world)[0]["status"] == "expired"
    # Each replica's metrics count the alerts its silence checks held.
    counted = []
    for decisions in (held_by_first, held_by_second):
        registry = CollectorRegistry()
        metrics = RouterMetrics(registry)
        for decision in decisions:
            metrics.decided(decision)
        counted.append(registry.get_sample_value("sentinel_router_messages_silenced_total"))
    assert counted == [1, 1]


def test_an_alarm_that_went_ok_under_the_silence_is_not_delivered_when_it_ends(
    world: World,
) -> None:
    replica, theirs = second_replica(world)
    with time_machine.travel(DAY, tick=False) as clock:
        sentinel(
            world, "silence", "add", "--alarm", "shop-db-replica-*", "--for", "1h", "--reason", "x"
        )
        world.publish("high", metric_alarm("db-replica-lag", "high", "ALARM", EARLIER))
        world.drain()
        clock.shift(timedelta(minutes=20))
        world.publish(
            "high", metric_alarm("db-replica-lag", "high", "OK", DAY + timedelta(minutes=19))
        )
        replica.drain(wait=0)  # the OK reaches the other replica: it joins the hold
        assert [d.action for d in theirs] == [HELD]
        clock.move_to(DAY + timedelta(minutes=59))
        world.consumer.tick()
        replica.tick()
        assert world.events == [] and world.slack() == []
        clock.move_to(DAY + timedelta(hours=1))  # the silence ends by itself
        world.consumer.tick()
        replica.tick()
    outcomes = [d for d in world.decisions + theirs if d.action == SUPPRESSED]
    assert len(outcomes) == 1
    assert outcomes[0].reason == (
        "ALARM -> OK within the hold (suppressed by silence 1): nothing new to tell"
    )
    assert world.events == [] and world.slack() == []
    assert world.router.state.held_count() == 0
    assert listed(world)[0]["status"] == "ended"


def test_an_alarm_still_firing_when_the_silence_ends_by_itself_goes_out_then(
    world: World,
) -> None:
    replica, theirs = second_replica(world)
    with time_machine.travel(DAY, tick=False) as clock:
        until = (DAY + timedelta(minutes=30)).isoformat()
        sentinel(
            world, "silence", "add", "--alarm", "db-replica-lag", "--until", until, "--reason", "x"
        )
        world.publish("high", metric_alarm("db-replica-lag", "high", "ALARM", EARLIER))
        replica.drain(wait=0)
        assert world.router.next_release() == DAY + timedelta(minutes=30)
        clock.move_to(DAY + timedelta(minutes=30))
        world.consumer.tick()
        replica.tick()
    assert triggers(world) == {LAG: 1}
    assert [d.action for d in world.decisions] == [DELIVERED]  # the first replica, not held
    assert [d.action for d in theirs] == [HELD]


def test_an_expired_silence_leaves_a_maintenance_window_holding_the_alarm(world: World) -> None:
    # The shop's db-upgrade window: 2026-03-10 02:00-03:00 UTC, for db-replica-lag.
    inside = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    with time_machine.travel(inside, tick=False) as clock:
        sentinel(world, "silence", "add", "--alarm", "db-*", "--for", "2h", "--reason", "x")
        earlier = inside - timedelta(minutes=5)  # older than the group wait
        world.publish("high", metric_alarm("db-replica-lag", "high", "ALARM", earlier))
        world.drain()
        assert world.decisions[-1].reason == "suppressed by silence 1, maintenance db-upgrade"
        clock.shift(timedelta(minutes=10))
        sentinel(world, "silence", "expire", "1")
        world.decisions.clear()
        world.consumer.tick()
        [again] = world.decisions
        assert (again.action, again.reason) == (HELD, "maintenance db-upgrade")
        assert again.held_until == datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
        assert world.events == []
        clock.move_to(datetime(2026, 3, 10, 3, 0, tzinfo=UTC))
        world.consumer.tick()
    assert triggers(world) == {LAG: 1}


def test_a_silence_added_while_an_alarm_waits_out_the_group_wait_holds_it_on(
    world: World,
) -> None:
    with time_machine.travel(DAY, tick=False) as clock:
        world.publish("high", metric_alarm("db-replica-lag", "high", "ALARM", DAY))
        world.drain()
        assert world.decisions[-1].action == HELD  # the group wait
        sentinel(world, "silence", "add", "--alarm", "*replica*", "--for", "1h", "--reason", "x")
        clock.shift(timedelta(minutes=2))
        world.consumer.tick()
        assert world.decisions[-1].reason == "suppressed by silence 1"
        assert world.decisions[-1].silence == 1
        assert world.events == []
    assert listed(world)[0]["suppressed"] == 1


def _alert(name: str, at: datetime) -> Alert:
    return Alert(f"m-{name}", AlertKind.METRIC, ARN + name, name, AlertState.ALARM, "why", at)


def test_the_store_keeps_silences_for_every_replica(store_url: str) -> None:
    """On SQLite and PostgreSQL: one replica's silence is the other's; an expire releases the
    alerts it holds, also those a replica held on the silence's old end just after."""
    first = RouterState(Store(store_url), owner="replica-1")
    second = RouterState(Store(store_url), owner="replica-2")
    silence = first.add_silence("db-*", DAY, DAY + timedelta(hours=2), "ana", "rebuild")
    other = first.add_silence("api-*", DAY, DAY + timedelta(hours=1), "bo", "deploy")
    assert (silence.id, other.id) == (1, 2)
    [seen, _] = second.silences(DAY + timedelta(minutes=1))
    assert seen == silence and seen.hold() == Hold(DAY + timedelta(hours=2), (seen.label,))
    second.hold(_alert("db-a", DAY), "high", seen.hold(), DAY)
    second.hold(_alert("api-b", DAY), "high", other.hold(), DAY)
    second.silenced(seen.id)
    later = DAY + timedelta(minutes=10)
    assert first.expire_silence(seen.id, later) == [ARN + "db-a"]
    assert [h.key for h in second.due(later)] == [ARN + "db-a"]
    # A replica that read the silence before the expire holds an alert on its old end...
    second.hold(_alert("db-c", DAY), "high", seen.hold(), later)
    assert [h.key for h in first.due(later)] == [ARN + "db-a"]
    # ...and the next look for due alerts makes it due all the same.
    first.release_expired_silences(later)
    assert sorted(h.key for h in second.due(later)) == [ARN + "db-a", ARN + "db-c"]
    assert [s.id for s in first.silences(later)] == [2]
    [ended, _] = first.silences(later, everything=True)
    assert (ended.ends_at, ended.expired_at, ended.suppressed) == (later, later, 1)


def test_a_quiet_hours_alert_held_on_by_a_silence_stays_in_its_digest(world: World) -> None:
    night = datetime(2026, 3, 5, 4, 30, tzinfo=UTC)  # 23:30 New York: medium is quiet
    digest_time = datetime(2026, 3, 5, 13, 30, tzinfo=UTC)  # 08:30 New York
    with time_machine.travel(night, tick=False) as clock:
        alarm = metric_alarm("queue-backlog", "medium", "ALARM", night - timedelta(minutes=2))
        world.publish("medium", alarm)
        world.drain()
        [held] = world.router.state.due(digest_time)
        assert held.digest
        world.router.state.add_silence(
            "queue-*", night, digest_time + timedelta(minutes=30), "ana", "migration"
        )
        clock.move_to(digest_time)
        world.drain()
        kept = world.router.state.held(held.key)
        assert kept is not None and kept.digest
        assert kept.release_at > digest_time


def test_a_silence_counts_an_alert_once_however_often_it_changes(world: World) -> None:
    with time_machine.travel(DAY, tick=False) as clock:
        sentinel(world, "silence", "add", "--alarm", "db-*", "--for", "2h", "--reason", "x")
        world.publish("high", metric_alarm("db-replica-lag", "high", "ALARM", EARLIER))
        world.drain()
        clock.shift(timedelta(minutes=5))
        world.publish("high", metric_alarm("db-replica-lag", "high", "OK", DAY))
        world.drain()
        clock.shift(timedelta(minutes=5))
        world.publish(
            "high", metric_alarm("db-replica-lag", "high", "ALARM", DAY + timedelta(minutes=5))
        )
        world.drain()
        assert [d.action for d in world.decisions] == [HELD, HELD, HELD]
        assert [(s["id"], s["suppressed"]) for s in listed(world)] == [(1, 1)]
