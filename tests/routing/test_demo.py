"""The demo's routing steps, run as ``make demo`` runs them, against the emulator's server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from rich.console import Console

from sentinel.demo import routing
from sentinel.demo.runner import DemoContext, _run_step
from sentinel.emulator.server import EmulatorServer, start_server

# The router (in a subprocess) waits on timed Events, which hang under libfaketime.
pytestmark = pytest.mark.real_clock

ROOT = Path(__file__).resolve().parents[2]  # the P2P Sandbox configuration


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with start_server(port=0, seed=False) as server:
        yield server


def test_routing_demo_pages_resolves_posts_and_replies(
    emulator: EmulatorServer, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # SNS lists subscriptions 2 a page: the queue's four are found over every page.
    monkeypatch.setattr("moto.sns.models.DEFAULT_PAGE_SIZE", 2)
    # The sync steps of the demo create the alarm; here it is made directly.
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    topic = "arn:aws:sns:us-east-1:123456789012:p2p-critical"
    session.client("cloudwatch", endpoint_url=emulator.endpoint_url).put_metric_alarm(
        AlarmName=routing.ALARM,
        Namespace="AWS/RDS",
        MetricName="CPUUtilization",
        Dimensions=[{"Name": "DBInstanceIdentifier", "Value": "p2p-postgres"}],
        Statistic="Average",
        Period=60,
        EvaluationPeriods=5,
        Threshold=90.0,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[topic],
        OKActions=[topic],
    )
    console = Console(record=True, width=200)
    context = DemoContext(
        console, ROOT, emulator.endpoint_url, {**_environment(), **emulator.env()}
    )
    for step in routing.STEPS:
        _run_step(step, context)
    shown = console.export_text()
    printed = capfd.readouterr().out

    assert "Subscribed to: p2p-critical, p2p-high, p2p-info, p2p-warning" in shown
    assert "Dead letters: p2p-router-dlq after 5 receives" in shown
    alarm = routing.ALARM
    assert (
        f"delivered critical ALARM {alarm} -> PagerDuty trigger, Slack #p2p-incidents posted"
        in printed
    )
    assert (
        f"delivered critical OK {routing.ALARM} -> PagerDuty resolve, "
        "Slack #p2p-incidents updated + replied in thread"
    ) in printed
    assert "On call:" in printed and "Escalation: Engineering Manager" in printed
    table = shown[shown.index("PagerDuty stand-in") :]
    assert "trigger" in table and "resolve" in table
    assert "chat.postMessage" in table and "chat.update" in table
    assert "[critical] ALARM p2p-rds-cpu-high-p2p-postgres" in table
    assert not routing.STORE.exists()  # the demo's own router state is removed at the end


def _environment() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("P2P_", "SLACK_"))}
