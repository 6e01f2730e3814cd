"""When a batch's deliveries reach the store: together, once the batch is handled; an email's as
soon as SES accepted it (a second mail would show, and nothing can look for the first).

What another connection to the store sees is what a router taking over after a kill would find.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine

from sentinel.routing.router import DELIVERED
from sentinel.routing.state import RouterState, Thread
from sentinel.store import Store

from .conftest import World
from .scenario import metric_alarm

# A Wednesday, 10:00 in New York and 15:00 in London: outside every quiet hour.
DAY = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
EARLIER = DAY - timedelta(minutes=5)  # older than the group wait: sent at once


def committed_at_each_page(world: World, message_ids: list[str]) -> list[list[set[str]]]:
    """At each request PagerDuty receives: which destinations the store (read from another
    connection, so only what is committed) knows accepted each of ``message_ids``."""
    other = RouterState(Store(world.store_url))
    seen: list[list[set[str]]] = []

    def look() -> bool:
        seen.append([other.accepted_by(message_id) for message_id in message_ids])
        return True

    world.standins.pagerduty.available = look
    world.drain()
    return seen


def publish(world: World, severity: str, rule: str, resources: list[str]) -> list[str]:
    return [
        world.publish(severity, metric_alarm(rule, severity, "ALARM", EARLIER, resource=r))
        for r in resources
    ]


def test_a_batch_to_pagerduty_and_slack_is_recorded_once_it_is_handled(world: World) -> None:
    with time_machine.travel(DAY, tick=False):
        ids = publish(world, "critical", "rds-cpu-high", ["db0", "db1", "db2"])
        seen = committed_at_each_page(world, ids)
    assert [d.action for d in world.decisions] == [DELIVERED] * 3
    assert len({d.received_at for d in world.decisions}) == 1  # one batch
    # Nothing was committed while the batch was in hand (a kill then: PagerDuty's dedup_key
    # absorbs the repeat, Slack is looked at first), everything once it was handled.
    assert seen == [[set(), set(), set()]] * 3
    destinations = {d.id for d in world.router.destinations["critical"]}
    store = RouterState(Store(world.store_url))
    assert [store.accepted_by(message_id) for message_id in ids] == [destinations] * 3


def test_an_email_delivery_is_recorded_before_the_next_message_goes_out(world: World) -> None:
    with time_machine.travel(DAY, tick=False):
        ids = publish(world, "low", "disk-low", ["a", "b"])
        seen = committed_at_each_page(world, ids)
    assert [d.action for d in world.decisions] == [DELIVERED] * 2
    assert len({d.received_at for d in world.decisions}) == 1  # one batch
    destinations = {d.id for d in world.router.destinations["low"]}
    assert "email:team@shop.example" in destinations
    # When the second alarm is paged, the first one's mail (and what went before it) is in the
    # store: a kill from then on does not mail the team twice.
    assert seen == [[set(), set()], [destinations, set()]]
    store = RouterState(Store(world.store_url))
    assert [store.accepted_by(message_id) for message_id in ids] == [destinations] * 2


LAST = {"slack:#incidents": Thread("C1", "3.0"), "slack:#alerts": Thread("C2", "2.0")}


def saved_twice(store_url: str) -> dict[str, Thread]:
    """An alarm's thread saved twice in one batch (found after a takeover, then replied in)."""
    state = RouterState(Store(store_url))
    with state.transaction(), state.batch([], ["shop-rds-cpu-high"]):
        state.save_thread("shop-rds-cpu-high", "slack:#incidents", Thread("C1", "1.0"))
        state.save_thread("shop-rds-cpu-high", "slack:#alerts", Thread("C2", "2.0"))
        state.save_thread("shop-rds-cpu-high", "slack:#incidents", Thread("C1", "3.0"))
    return RouterState(Store(store_url)).threads("shop-rds-cpu-high")


def test_a_thread_saved_twice_in_a_batch_keeps_the_last_on_sqlite(tmp_path: Path) -> None:
    threads = saved_twice(f"sqlite:///{tmp_path / 'router.db'}")
    assert threads == LAST


def test_a_thread_saved_twice_in_a_batch_keeps_the_last_on_postgresql(postgres_url: str) -> None:
    threads = saved_twice(postgres_url)
    assert threads == LAST
