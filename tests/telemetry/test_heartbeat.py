"""The heartbeat lands in CloudWatch with its dimensions; a sick process or a refusal sends none."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from botocore.stub import Stubber

from sentinel.aws.session import SessionFactory
from sentinel.telemetry.health import Liveness
from sentinel.telemetry.heartbeat import Heartbeat


def dimensions(metric: dict[str, object]) -> dict[str, str]:
    return {d["Name"]: d["Value"] for d in metric["Dimensions"]}  # type: ignore[attr-defined]


def test_a_beat_is_a_datapoint_of_sentinel_heartbeat_for_the_project_and_component(
    aws: SessionFactory,
) -> None:
    cloudwatch = aws.client("cloudwatch")
    heartbeat = Heartbeat([cloudwatch], "shop", Liveness("router", stale_after=60))

    assert heartbeat.beat() and heartbeat.beat()

    metrics = cloudwatch.list_metrics(Namespace="Sentinel")["Metrics"]
    # (The emulator lists a metric once per datapoint; CloudWatch once.)
    assert {(m["MetricName"], tuple(sorted(dimensions(m).items()))) for m in metrics} == {
        ("Heartbeat", (("Component", "router"), ("Project", "shop")))
    }
    metric = metrics[0]
    now = datetime.now(UTC)
    [point] = cloudwatch.get_metric_statistics(
        Namespace="Sentinel",
        MetricName="Heartbeat",
        Dimensions=metric["Dimensions"],
        StartTime=now - timedelta(minutes=5),
        EndTime=now + timedelta(minutes=1),
        Period=3600,
        Statistics=["SampleCount", "Sum"],
    )["Datapoints"]
    assert (point["SampleCount"], point["Sum"]) == (2, 2)


def test_a_stuck_or_stopping_process_sends_no_heartbeat(
    aws: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    cloudwatch = aws.client("cloudwatch")
    stop = threading.Event()
    liveness = Liveness("daemon", stale_after=60)
    liveness.stopping_when(stop)
    stop.set()
    heartbeat = Heartbeat([cloudwatch], "shop", liveness)

    assert not heartbeat.beat()

    assert cloudwatch.list_metrics(Namespace="Sentinel")["Metrics"] == []
    assert "heartbeat not sent: daemon is stopping" in caplog.text


def test_each_region_gets_the_heartbeat_and_a_refusal_is_logged_not_raised(
    aws: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sentinel.telemetry")
    refusing, accepting = aws.client("cloudwatch"), aws.client("cloudwatch", region="eu-west-1")
    heartbeat = Heartbeat([refusing, accepting], "shop", Liveness("router", stale_after=60))
    with Stubber(refusing) as stub:
        stub.add_client_error("put_metric_data", "AccessDenied", "not authorized", 403)
        assert not heartbeat.beat()
    assert heartbeat.published == 0
    assert "heartbeat not sent to us-east-1" in caplog.text and "AccessDenied" in caplog.text
    # The other region still got it.
    assert accepting.list_metrics(Namespace="Sentinel")["Metrics"]


@pytest.mark.real_clock
def test_the_thread_beats_every_interval_until_closed(aws: SessionFactory) -> None:
    cloudwatch = aws.client("cloudwatch")
    heartbeat = Heartbeat([cloudwatch], "shop", Liveness("router", 60), interval=0.05).start()
    done = threading.Event()
    for _ in range(200):
        if heartbeat.published >= 3:
            break
        done.wait(0.02)
    heartbeat.close()
    published = heartbeat.published
    assert published >= 3
    done.wait(0.15)
    assert heartbeat.published == published  # closed: no more
