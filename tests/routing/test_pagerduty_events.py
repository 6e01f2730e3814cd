"""The Events API v2 sender against the local PagerDuty stand-in (TLS, its own certificate)."""

from __future__ import annotations

import socket

import pytest

from sentinel.routing.destinations.pagerduty_events import (
    EventNotSent,
    EventRejected,
    EventsSender,
)
from sentinel.routing.standins import Scripted, StandIns

KEY = "R0UT1NGKEY0000000000000000000000"


def sender(standins: StandIns, url: str | None = None) -> EventsSender:
    endpoints = standins.endpoints()
    return EventsSender(KEY, url or endpoints.pagerduty_events, endpoints.ssl_context)


def test_trigger_sends_the_event_the_events_api_takes(standins: StandIns) -> None:
    events = sender(standins)
    accepted = events.trigger(
        summary="shop-5xx is ALARM",
        source="123456789012/us-east-1",
        dedup_key="arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-5xx",
        severity="critical",
        payload={"timestamp": "2026-12-02T12:00:00+00:00", "component": "shop-5xx"},
        custom_details={"reason": "Threshold Crossed"},
        links=[{"href": "https://example.com/runbook", "text": "Runbook"}],
    )
    assert accepted == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-5xx"
    assert standins.pagerduty.events == [
        {
            "event_action": "trigger",
            "dedup_key": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-5xx",
            "payload": {
                "summary": "shop-5xx is ALARM",
                "source": "123456789012/us-east-1",
                "severity": "critical",
                "timestamp": "2026-12-02T12:00:00+00:00",
                "component": "shop-5xx",
                "custom_details": {"reason": "Threshold Crossed"},
            },
            "links": [{"href": "https://example.com/runbook", "text": "Runbook"}],
            "routing_key": KEY,
        }
    ]
    request = standins.pagerduty.requests[-1]
    assert request.headers["Content-Type"] == "application/json"


def test_resolve_after_triggers_on_one_sender(standins: StandIns) -> None:
    events = sender(standins)
    for n in range(5):
        events.trigger("s", "src", f"key-{n}", "warning", {}, {}, [])
    assert events.resolve("key-0") == "key-0"
    sent = standins.pagerduty.events
    assert [e["event_action"] for e in sent] == ["trigger"] * 5 + ["resolve"]
    assert sent[-1] == {"event_action": "resolve", "dedup_key": "key-0", "routing_key": KEY}
    assert "links" not in sent[0]


def test_a_429_is_handed_back_with_its_retry_after(standins: StandIns) -> None:
    standins.pagerduty.respond(Scripted(429, {"Retry-After": "7"}, {"status": "throttled"}))
    with pytest.raises(EventRejected) as raised:
        sender(standins).resolve("key-1")
    assert (raised.value.status, raised.value.retry_after) == (429, "7")
    assert standins.pagerduty.events == []  # not retried inside the call


@pytest.mark.parametrize("status", [400, 500, 503])
def test_a_refusal_is_handed_back_at_once(standins: StandIns, status: int) -> None:
    standins.pagerduty.respond(Scripted(status, {}, {"status": "error"}))
    with pytest.raises(EventRejected) as raised:
        sender(standins).resolve("key-1")
    assert raised.value.status == status
    assert len(standins.pagerduty.requests) == 1


def test_a_success_without_a_dedup_key_is_not_taken_as_accepted(standins: StandIns) -> None:
    standins.pagerduty.respond(Scripted(202, {}, {"status": "success"}))
    with pytest.raises(EventRejected) as raised:
        sender(standins).resolve("key-1")
    assert raised.value.status == 202


def test_an_unreachable_pagerduty_is_not_sent(standins: StandIns) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(EventNotSent):
        sender(standins, f"https://127.0.0.1:{port}").resolve("key-1")
