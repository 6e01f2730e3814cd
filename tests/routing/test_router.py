"""The router end to end: SNS and SQS on the emulator, PagerDuty and Slack stand-ins.

Every test publishes CloudWatch-format messages to the shop project's severity topics (the
emulator never evaluates alarms), runs the router over the queue, and asserts on what the
stand-ins received and on what is left in the queues.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from moto.ses.models import ses_backends

from sentinel.routing.router import DELIVERED, DUPLICATE, HELD, RETRY, SUPPRESSED

from .conftest import PD_KEY, World
from .scenario import ACCOUNT, REGION, fixture, metric_alarm, topic_arn

# A Wednesday, 10:00 in New York and 15:00 in London: outside every quiet hour.
DAY = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
EARLIER = DAY - timedelta(minutes=5)  # state changes older than the group wait go at once
ARN = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:"


def actions(world: World) -> list[str]:
    return [d.action for d in world.decisions]


def sent_emails() -> list[Any]:
    return list(ses_backends[ACCOUNT][REGION].sent_messages)


def test_metric_alarm_pages_and_posts(world: World) -> None:
    with time_machine.travel(DAY, tick=False):
        world.publish("critical", metric_alarm("rds-cpu-high", "critical", "ALARM", EARLIER))
        world.drain()
    assert actions(world) == [DELIVERED]
    [event] = world.events
    assert event["routing_key"] == PD_KEY and event["event_action"] == "trigger"
    assert event["dedup_key"] == ARN + "shop-rds-cpu-high"
    payload = event["payload"]
    assert payload["severity"] == "critical"
    assert payload["summary"].startswith("[critical] ALARM shop-rds-cpu-high: Threshold Crossed")
    assert payload["source"] == f"{ACCOUNT}/{REGION}"
    details = payload["custom_details"]
    assert details["reason"] == "Threshold Crossed: shop-rds-cpu-high is ALARM"
    assert details["metric"] == "AWS/RDS CPUUtilization (DBInstanceIdentifier=p2p-db) Average"
    assert details["threshold"] == "> 90"
    assert details["account"] == ACCOUNT and details["region"].startswith(REGION)
    assert details["on call"] == "Cy Diaz"
    links = {link["text"]: link["href"] for link in event["links"]}
    assert links["Alarm"].endswith("#alarmsV2:alarm/shop-rds-cpu-high")
    assert links["Dashboard"].endswith("#dashboards/dashboard/shop-operations")
    assert links["Runbook"] == "https://wiki.shop.example/runbooks/rds-cpu"
    [post] = world.slack()
    assert post["channel"] == "#incidents"
    assert "<@U0CY>" in post["text"]  # the on-call person, mentioned
    blocks = json.dumps(post["blocks"])
    assert "ALARM: shop-rds-cpu-high" in blocks and "wiki.shop.example/runbooks/rds-cpu" in blocks
    assert world.depth() == 0


def test_metric_math_composite_budget_and_sentinel_formats(world: World) -> None:
    from sentinel.routing.sentinel_messages import sentinel_message

    budget = fixture("budgets_notification.json")["Message"].replace(
        "p2p-monthly-total", "shop-monthly-total"
    )
    slo = sentinel_message(
        "slo",
        key="slo:checkout:fast-burn",
        name="checkout-availability",
        state="ALARM",
        reason="error budget burning 14.4x over 1h",
        time=EARLIER,
        severity="critical",
    )
    anomaly = sentinel_message(
        "anomaly",
        key="anomaly:2026-03-03:AmazonRDS",
        name="RDS spend",
        state="ALARM",
        reason="RDS cost $412 yesterday, expected $120-$180",
        time=EARLIER,
    )
    with time_machine.travel(DAY, tick=False):
        world.publish(
            "critical",
            metric_alarm(
                "api-error-rate",
                "critical",
                "ALARM",
                EARLIER,
                template="cloudwatch_metric_math_alarm.json",
            ),
        )
        world.publish(
            "high",
            metric_alarm(
                "backend-degraded",
                "high",
                "ALARM",
                EARLIER,
                template="cloudwatch_composite_alarm.json",
            ),
        )
        world.publish(
            "medium",
            budget,
            subject="AWS Budgets: shop-monthly-total has exceeded your alert threshold",
        )
        world.publish("critical", slo)
        world.publish("low", anomaly)
        world.drain()
    assert actions(world) == [DELIVERED] * 5
    events = {}
    for event in world.events:
        details = event["payload"]["custom_details"]
        events[details.get("alarm") or details["alert"]] = event
    math = events["shop-api-error-rate (metric math alarm)"]["payload"]
    assert math["custom_details"]["metric"].startswith("expr = 100 * errors / MAX([requests, 1])")
    composite = events["shop-backend-degraded (composite alarm)"]["payload"]
    assert composite["severity"] == "error"
    assert composite["custom_details"]["rule"] == "backend-degraded"
    assert composite["custom_details"]["alarm rule"].startswith('ALARM("p2p-api-error-rate")')
    assert composite["custom_details"]["triggered by"] == "p2p-api-latency-high (ALARM)"
    budget_event = events["shop-monthly-total (budget)"]
    assert budget_event["payload"]["severity"] == "warning"
    assert budget_event["dedup_key"] == f"budget:{ACCOUNT}:shop-monthly-total:ACTUAL:> $2,000.00"
    assert events["checkout-availability (SLO)"]["payload"]["severity"] == "critical"
    assert events["RDS spend (cost anomaly)"]["payload"]["severity"] == "info"
    channels = sorted(p["channel"] for p in world.slack())
    assert channels == ["#alerts", "#alerts", "#incidents", "#incidents", "#incidents"]
    assert world.depth() == 0


def test_cost_anomaly_notice_as_the_daemon_publishes_it(world: World) -> None:
    event = json.loads(fixture("sentinel_cost_anomaly.json")["Message"])
    event["project"] = "shop"
    body = {
        "default": "shop: cost anomaly: RDS",
        "email": "shop: cost anomaly",
        "sqs": json.dumps(event),
    }
    with time_machine.travel(DAY, tick=False):
        world.factory.client("sns").publish(
            TopicArn=topic_arn("medium"), Message=json.dumps(body), MessageStructure="json"
        )
        world.drain()
    assert actions(world) == [DELIVERED]
    [trigger] = world.events
    assert trigger["dedup_key"] == "anomaly:shop:Amazon Relational Database Service@2026-03-01"
    assert trigger["payload"]["severity"] == "warning"
    [post] = world.slack()
    assert post["channel"] == "#alerts"
    assert "cost anomaly: Amazon Relational Database Service" in post["text"]


def test_each_severity_maps_to_pagerduty_and_its_channels(world: World) -> None:
    rules = {
        "critical": "rds-cpu-high",
        "high": "api-latency-high",
        "medium": "queue-backlog",
        "low": "disk-low",
    }
    with time_machine.travel(DAY, tick=False):
        for severity, rule in rules.items():
            world.publish(severity, metric_alarm(rule, severity, "ALARM", EARLIER))
        world.drain()
    severities = {e["dedup_key"].rsplit(":", 1)[-1]: e["payload"]["severity"] for e in world.events}
    assert severities == {
        "shop-rds-cpu-high": "critical",
        "shop-api-latency-high": "error",
        "shop-queue-backlog": "warning",
        "shop-disk-low": "info",
    }
    posts = {p["text"].split()[3]: p for p in world.slack()}
    assert posts["shop-rds-cpu-high"]["channel"] == "#incidents"
    assert "<@U0CY>" in posts["shop-api-latency-high"]["text"]  # paging tiers ping on call
    assert posts["shop-disk-low"]["channel"] == "#alerts"
    assert (
        "<@" not in posts["shop-disk-low"]["text"] and "Cy Diaz" in posts["shop-disk-low"]["text"]
    )
    [mail] = sent_emails()  # low also mails the team; its sqs destination is SNS's job
    assert mail.destinations["ToAddresses"] == ["team@shop.example"]
    assert "[shop] [low] ALARM shop-disk-low" in mail.subject


def test_alarm_then_ok_triggers_then_resolves_in_one_slack_thread(world: World) -> None:
    long_reason = "Threshold Crossed: " + "x" * 3000
    with time_machine.travel(DAY, tick=False) as clock:
        world.publish(
            "critical",
            metric_alarm("rds-cpu-high", "critical", "ALARM", EARLIER, reason=long_reason),
        )
        world.drain()
        clock.shift(timedelta(minutes=10))
        world.publish(
            "critical", metric_alarm("rds-cpu-high", "critical", "OK", DAY + timedelta(minutes=9))
        )
        world.drain()
    trigger, resolve = world.events
    assert trigger["event_action"] == "trigger" and len(trigger["payload"]["summary"]) == 1024
    assert resolve == {
        "event_action": "resolve",
        "dedup_key": trigger["dedup_key"],
        "routing_key": PD_KEY,
    }
    first, reply = world.slack()
    [update] = world.slack("chat.update")
    assert reply["thread_ts"] == update["ts"] == "1700000000.000001"
    assert reply["channel"] == update["channel"] == "C00000001"
    assert reply["text"].startswith(":large_green_circle: OK at 2026-03-04 15:09:00 UTC")
    assert update["blocks"][0]["text"]["text"] == "OK: shop-rds-cpu-high"
    assert first["blocks"][0]["text"]["text"] == "ALARM: shop-rds-cpu-high"


def test_flapping_within_the_group_wait_is_not_sent(world: World) -> None:
    with time_machine.travel(DAY, tick=False) as clock:
        world.publish("critical", metric_alarm("rds-cpu-high", "critical", "ALARM", DAY))
        world.publish("high", metric_alarm("api-latency-high", "high", "ALARM", DAY))
        world.drain()
        clock.shift(timedelta(seconds=20))
        world.publish(
            "critical", metric_alarm("rds-cpu-high", "critical", "OK", DAY + timedelta(seconds=20))
        )
        world.drain()
        assert world.events == [] and world.slack() == []
        clock.shift(timedelta(seconds=41))
        world.drain()
    assert actions(world) == [HELD, HELD, HELD, SUPPRESSED, DELIVERED]
    [event] = world.events
    assert event["dedup_key"] == ARN + "shop-api-latency-high"
    assert len(world.slack()) == 1
    assert world.depth() == 0


def test_duplicate_sns_deliveries_are_sent_once(world: World) -> None:
    envelope = fixture("cloudwatch_metric_alarm.json")
    message = metric_alarm("rds-cpu-high", "critical", "ALARM", EARLIER)
    envelope.update(Message=json.dumps(message), TopicArn=topic_arn("critical"))
    with time_machine.travel(DAY, tick=False):
        world.send_raw(json.dumps(envelope))
        world.send_raw(json.dumps(envelope))
        world.drain()
    assert sorted(actions(world)) == [DELIVERED, DUPLICATE]
    assert len(world.events) == 1 and len(world.slack()) == 1
    assert world.depth() == 0


def test_an_alarm_and_its_ok_in_one_batch_thread_and_resolve(world: World) -> None:
    # The batch's rows are looked up once, before either message: the OK must still see the
    # alarm, the page and the Slack thread the ALARM made a moment before.
    with time_machine.travel(DAY, tick=False):
        world.publish("critical", metric_alarm("rds-cpu-high", "critical", "ALARM", EARLIER))
        later = EARLIER + timedelta(minutes=1)
        world.publish("critical", metric_alarm("rds-cpu-high", "critical", "OK", later))
        world.drain()
    assert actions(world) == [DELIVERED, DELIVERED]
    assert [e["event_action"] for e in world.events] == ["trigger", "resolve"]
    first, reply = world.slack()
    assert "thread_ts" not in first
    assert reply["thread_ts"] == world.slack("chat.update")[0]["ts"]
    assert world.depth() == 0


def test_raw_message_delivery_routes_by_the_alarm_actions(world: World) -> None:
    sns = world.factory.client("sns")
    for subscription in sns.list_subscriptions_by_topic(TopicArn=topic_arn("critical"))[
        "Subscriptions"
    ]:
        sns.set_subscription_attributes(
            SubscriptionArn=subscription["SubscriptionArn"],
            AttributeName="RawMessageDelivery",
            AttributeValue="true",
        )
    with time_machine.travel(DAY, tick=False):
        world.publish("critical", metric_alarm("rds-cpu-high", "critical", "ALARM", EARLIER))
        world.drain()
    assert actions(world) == [DELIVERED]
    assert world.decisions[0].alert is not None and world.decisions[0].alert.raw_delivery
    assert world.events[0]["payload"]["severity"] == "critical"


def test_quiet_hours_across_midnight_then_one_morning_digest(world: World) -> None:
    # medium is quiet 22:00-07:00 New York time; the digest goes at 08:30 New York time.
    night = datetime(2026, 3, 5, 4, 30, tzinfo=UTC)  # 23:30 EST on the 4th
    with time_machine.travel(night, tick=False) as clock:
        world.publish(
            "medium", metric_alarm("queue-backlog", "medium", "ALARM", night - timedelta(minutes=2))
        )
        world.drain()
        clock.shift(timedelta(minutes=30))  # 00:00, past midnight
        world.publish(
            "medium", metric_alarm("queue-backlog", "medium", "OK", night + timedelta(minutes=29))
        )
        world.publish(
            "medium",
            metric_alarm(
                "queue-backlog", "medium", "ALARM", night + timedelta(minutes=29), resource="orders"
            ),
        )
        world.drain()
        clock.move_to(datetime(2026, 3, 5, 13, 29, tzinfo=UTC))  # 08:29 EST
        world.drain()
        assert world.events == [] and world.slack() == []
        clock.move_to(datetime(2026, 3, 5, 13, 30, tzinfo=UTC))  # 08:30 EST
        world.drain()
    [digest] = world.slack()
    assert digest["channel"] == "#alerts"
    assert digest["text"] == "Digest: 2 medium alert(s) held during quiet hours"
    text = json.dumps(digest["blocks"])
    assert "shop-queue-backlog*: ALARM \\u2192 OK, 2 changes" in text
    assert "shop-queue-backlog-orders*: ALARM" in text
    # PagerDuty gets what is still firing, not the alarm that recovered overnight.
    assert [e["dedup_key"] for e in world.events] == [ARN + "shop-queue-backlog-orders"]
    assert world.depth() == 0


def test_maintenance_window_mutes_until_it_expires(world: World) -> None:
    inside = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    with time_machine.travel(inside, tick=False) as clock:
        world.publish(
            "high", metric_alarm("db-replica-lag", "high", "ALARM", inside - timedelta(minutes=5))
        )
        world.publish(
            "high",
            metric_alarm(
                "db-replica-lag", "high", "ALARM", inside - timedelta(minutes=5), resource="eu"
            ),
        )
        clock.shift(timedelta(minutes=1))
        world.publish("high", metric_alarm("db-replica-lag", "high", "OK", inside, resource="eu"))
        world.drain()
        clock.move_to(datetime(2026, 3, 10, 2, 59, tzinfo=UTC))
        world.drain()
        assert world.events == []
        clock.move_to(datetime(2026, 3, 10, 3, 0, tzinfo=UTC))
        world.drain()
    # Still in ALARM when the window ended: sent. Recovered inside the window: never sent.
    assert [e["dedup_key"] for e in world.events] == [ARN + "shop-db-replica-lag"]
    assert world.decisions[0].reason == "maintenance db-upgrade"


def test_pagerduty_429_then_202_honours_retry_after(world: World) -> None:
    from sentinel.routing.standins import Scripted

    world.standins.pagerduty.respond(
        Scripted(
            429, {"Retry-After": "30"}, {"status": "throttle", "message": "Requests throttled"}
        )
    )
    with time_machine.travel(DAY, tick=False) as clock:
        world.publish("critical", metric_alarm("rds-cpu-high", "critical", "ALARM", EARLIER))
        world.drain()
        assert actions(world) == [RETRY] and world.decisions[0].retry_after == 30
        assert world.depth() == 1  # kept, invisible until the retry
        clock.shift(timedelta(seconds=29))
        world.drain()
        assert actions(world) == [RETRY]
        clock.shift(timedelta(seconds=2))
        world.drain()
    assert actions(world) == [RETRY, DELIVERED]
    statuses = [r.status for r in world.standins.pagerduty.requests]
    assert statuses == [429, 202]
    assert len(world.slack()) == 1  # Slack accepted the first time and is not posted twice
    assert world.depth() == 0 and world.depth(dead_letter=True) == 0


def test_slack_down_for_a_minute(world: World) -> None:
    with time_machine.travel(DAY, tick=False) as clock:
        back = DAY.timestamp() + 60
        world.standins.slack.available = lambda: datetime.now(UTC).timestamp() >= back
        world.publish("critical", metric_alarm("rds-cpu-high", "critical", "ALARM", EARLIER))
        for _ in range(21):  # a router round every 5 s for 100 s
            world.drain()
            clock.shift(timedelta(seconds=5))
    assert actions(world) == [RETRY, RETRY, RETRY, DELIVERED]
    assert [d.retry_after for d in world.decisions[:3]] == [10, 20, 40]
    assert len(world.events) == 1  # PagerDuty accepted at once and was not sent again
    assert [r.status for r in world.standins.slack.requests] == [503, 503, 503, 200]
    assert world.depth() == 0 and world.depth(dead_letter=True) == 0


def test_restart_keeps_threads_and_held_alerts(world: World) -> None:
    night = datetime(2026, 3, 5, 4, 30, tzinfo=UTC)  # 23:30 in New York: medium is quiet
    with time_machine.travel(night, tick=False) as clock:
        world.publish(
            "critical",
            metric_alarm("rds-cpu-high", "critical", "ALARM", night - timedelta(minutes=5)),
        )
        world.publish(
            "medium", metric_alarm("queue-backlog", "medium", "ALARM", night - timedelta(minutes=2))
        )
        world.drain()
        world.restart()  # a new process: only the store and the queue carry over
        clock.shift(timedelta(minutes=5))
        world.publish(
            "critical", metric_alarm("rds-cpu-high", "critical", "OK", night + timedelta(minutes=4))
        )
        world.drain()
        clock.move_to(datetime(2026, 3, 5, 13, 30, tzinfo=UTC))
        world.drain()
    first, reply, digest = world.slack()
    assert first["text"].startswith(":red_circle: [critical] ALARM shop-rds-cpu-high")
    assert reply["thread_ts"] == world.slack("chat.update")[0]["ts"] == "1700000000.000001"
    assert digest["text"].startswith("Digest: 1 medium")
    assert [e["event_action"] for e in world.events] == ["trigger", "resolve", "trigger"]
    assert world.depth() == 0
