"""response_time: a page nobody acknowledges in time is re-paged to the escalation target, once.

Acknowledgement is read from PagerDuty's REST API (``GET /incidents?incident_key=<dedup_key>``,
acknowledged or resolved), the deadline is kept in the router's store.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.errors import ConfigError
from sentinel.routing.destinations.pagerduty import dedup_key, repage_key
from sentinel.routing.router import ACKNOWLEDGED, DELIVERED, ESCALATED, REPAGED
from sentinel.routing.standins import StandIns

from .conftest import PD_KEY, World, make_world
from .scenario import ACCOUNT, REGION, ROUTING_YAML, metric_alarm, write_project
from .test_router import DAY, EARLIER, actions

ARN = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:shop-rds-cpu-high"
ESCALATION_KEY = "ESCALAT10NKEY0000000000000000000"
# critical: re-paged after 10m unacknowledged; the escalation contact hears after 15m.
RESPONSE_TIME = ROUTING_YAML.replace(
    "    page: true\n    escalate_after: 15m\n",
    "    page: true\n    response_time: 10m\n    escalate_after: 15m\n",
    1,
).replace(
    "  escalation: {contact: Duty Manager, email: manager@shop.example, after: 30m}",
    "  pagerduty_token: env:TEST_PD_REST\n"
    "  escalation:\n"
    "    contact: Duty Manager\n"
    "    email: manager@shop.example\n"
    "    after: 30m\n"
    "    pagerduty: {integration_key: env:TEST_PD_ESCALATION}\n",
)


@pytest.fixture
def paging(
    aws: SessionFactory,
    standins: StandIns,
    secrets: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> World:
    monkeypatch.setenv("TEST_PD_REST", "rest-token")
    monkeypatch.setenv("TEST_PD_ESCALATION", ESCALATION_KEY)
    assert "response_time: 10m" in RESPONSE_TIME and "TEST_PD_ESCALATION" in RESPONSE_TIME
    return make_world(write_project(tmp_path / "shop", RESPONSE_TIME), aws, standins, tmp_path)


def repages(world: World) -> list[dict[str, Any]]:
    return [e for e in world.events if e.get("dedup_key") == repage_key(ARN)]


def page(world: World, state: str = "ALARM", at: Any = EARLIER) -> None:
    world.publish("critical", metric_alarm("rds-cpu-high", "critical", state, at))
    world.drain()


def test_a_page_not_acknowledged_within_the_response_time_is_re_paged_once(
    paging: World,
) -> None:
    with time_machine.travel(DAY, tick=False) as clock:
        page(paging)
        clock.shift(timedelta(minutes=9, seconds=59))
        paging.drain()
        assert repages(paging) == []
        clock.shift(timedelta(seconds=1))
        paging.drain()
        clock.shift(timedelta(minutes=2))
        paging.drain()
    assert actions(paging) == [DELIVERED, REPAGED]
    [repage] = repages(paging)
    assert repage["routing_key"] == ESCALATION_KEY and repage["event_action"] == "trigger"
    assert repage["payload"]["summary"].startswith("Not acknowledged within 10m: ")
    assert repage["payload"]["custom_details"]["page dedup_key"] == ARN
    # The escalation service has an incident of its own; the on-call's is still open.
    incidents = paging.standins.pagerduty.incidents
    assert incidents[repage_key(ARN)]["status"] == "triggered"
    assert incidents[dedup_key(ARN)]["routing_key"] == PD_KEY
    [check] = [r for r in paging.standins.pagerduty.requests if r.path == "/incidents"]
    assert check.query["incident_key"] == [ARN]
    assert sorted(check.query["statuses[]"]) == ["acknowledged", "resolved"]
    assert check.headers["Authorization"] == "Token token=rest-token"


def test_acknowledged_in_time_is_not_re_paged(paging: World) -> None:
    with time_machine.travel(DAY, tick=False) as clock:
        page(paging)
        clock.shift(timedelta(minutes=4))
        paging.standins.pagerduty.acknowledge(dedup_key(ARN))
        clock.shift(timedelta(minutes=6))
        paging.drain()
        clock.shift(timedelta(hours=1))
        paging.drain()
    assert actions(paging)[:2] == [DELIVERED, ACKNOWLEDGED]
    assert repages(paging) == []
    assert REPAGED not in actions(paging)


def test_resolved_before_the_response_time_is_not_re_paged(paging: World) -> None:
    with time_machine.travel(DAY, tick=False) as clock:
        page(paging)
        clock.shift(timedelta(minutes=5))
        page(paging, "OK", DAY + timedelta(minutes=4))
        clock.shift(timedelta(hours=1))
        paging.drain()
    assert actions(paging) == [DELIVERED, DELIVERED]
    assert repages(paging) == []
    assert paging.standins.pagerduty.incidents[dedup_key(ARN)]["status"] == "resolved"


def test_a_restart_keeps_the_deadline_and_never_re_pages_twice(paging: World) -> None:
    with time_machine.travel(DAY, tick=False) as clock:
        page(paging)
        clock.shift(timedelta(minutes=5))
        paging.restart()
        clock.shift(timedelta(minutes=5))
        paging.drain()
        paging.restart()
        clock.shift(timedelta(minutes=20))
        paging.drain()
    assert len(repages(paging)) == 1
    assert actions(paging).count(REPAGED) == 1
    assert ESCALATED in actions(paging)  # escalate_after 15m: the contact is told as well


def test_the_re_page_is_resolved_with_the_alarm_and_a_new_page_starts_afresh(
    paging: World,
) -> None:
    with time_machine.travel(DAY, tick=False) as clock:
        page(paging)
        clock.shift(timedelta(minutes=10))
        paging.drain()
        clock.shift(timedelta(minutes=1))
        page(paging, "OK", DAY + timedelta(minutes=11))
        assert [e["event_action"] for e in repages(paging)] == ["trigger", "resolve"]
        assert paging.standins.pagerduty.incidents[repage_key(ARN)]["status"] == "resolved"
        clock.shift(timedelta(minutes=5))
        page(paging, "ALARM", DAY + timedelta(minutes=12))  # older than the group wait: sent
        clock.shift(timedelta(minutes=9, seconds=59))
        paging.drain()
        assert len(repages(paging)) == 2
        clock.shift(timedelta(seconds=1))
        paging.drain()
    assert [e["event_action"] for e in repages(paging)] == ["trigger", "resolve", "trigger"]


def test_without_an_escalation_service_the_severity_s_own_service_is_paged_again(
    aws: SessionFactory, standins: StandIns, secrets: None, tmp_path: Path
) -> None:
    routing = ROUTING_YAML.replace(
        "    page: true\n    escalate_after: 15m\n", "    page: true\n    response_time: 10m\n", 1
    )
    world = make_world(write_project(tmp_path / "shop", routing), aws, standins, tmp_path)
    with time_machine.travel(DAY, tick=False) as clock:
        page(world)
        clock.shift(timedelta(minutes=10))
        world.drain()  # no REST token: acknowledgement is unknown, so the page is repeated
        clock.shift(timedelta(minutes=10))
        world.drain()
    [repage] = repages(world)
    assert repage["routing_key"] == PD_KEY
    incidents = standins.pagerduty.incidents
    assert incidents[repage_key(ARN)]["id"] != incidents[dedup_key(ARN)]["id"]


def test_a_paging_response_time_needs_a_pagerduty_service_to_re_page(tmp_path: Path) -> None:
    routing = """\
severities:
  critical:
    page: true
    response_time: 15m
    notify:
      - slack: {channel: "#incidents", token: env:TEST_SLACK_TOKEN}
"""
    root = write_project(tmp_path / "shop", routing)
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    [problem] = [str(p) for p in caught.value.problems]
    assert "alarms/routing.yaml:1" in problem
    assert "severity 'critical' pages with a response_time but has no PagerDuty" in problem
