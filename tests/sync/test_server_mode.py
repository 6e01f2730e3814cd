"""Over HTTP, as a user runs it: ``sentinel`` in a subprocess against the emulator's server,
the result read back with the AWS CLI; the confirmation prompt on a real terminal; the demo's
console edit."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from rich.console import Console

from sentinel.demo.runner import DemoContext
from sentinel.demo.sync import (
    DEMO_SECRETS,
    DRIFTED_ALARM,
    provide_demo_secrets,
    raise_threshold_in_console,
)
from sentinel.emulator.server import EmulatorServer, start_server

from .shop import PAGERDUTY_KEY, shop_files, write_config

REPOSITORY = Path(__file__).resolve().parents[2]
AWS_CLI = Path(sys.executable).with_name("aws")
IPS_TOPIC = "arn:aws:sns:ap-south-1:123456789012:ips-api-alerts"

# The seed's three put-metric-alarm commands (002_ffea9589a6fbbc5c.txt, "CloudWatch Alarms").
SEED_ALARMS = {
    "ips-api-high-error-rate": (
        "HTTPCode_Target_5XX_Count", "AWS/ApplicationELB", "Sum", 300, 50.0,
        "GreaterThanThreshold", 2,
    ),
    "ips-api-high-latency": (
        "TargetResponseTime", "AWS/ApplicationELB", "Average", 300, 1.0,
        "GreaterThanThreshold", 2,
    ),
    "ips-db-high-cpu": (
        "CPUUtilization", "AWS/RDS", "Average", 300, 80.0, "GreaterThanThreshold", 2,
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with start_server(port=0, seed=False) as running:
        yield running


@pytest.fixture
def env(server: EmulatorServer) -> dict[str, str]:
    return {
        **os.environ,
        **server.env(),
        "SHOP_PAGERDUTY_KEY": PAGERDUTY_KEY,
        "COLUMNS": "160",
        "NO_COLOR": "1",
    }


def sentinel(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sentinel", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def aws_cli(env: dict[str, str], *args: str) -> dict:
    done = subprocess.run(
        [str(AWS_CLI), *args, "--region", "ap-south-1", "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def test_ips_alarms_match_the_seed_commands(env: dict[str, str]) -> None:
    applied = sentinel(env, "apply", "-C", str(REPOSITORY / "examples/ips"), "--auto-approve")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "Apply complete" in applied.stdout

    described = aws_cli(env, "cloudwatch", "describe-alarms", "--alarm-name-prefix", "ips-")
    alarms = {a["AlarmName"]: a for a in described["MetricAlarms"]}
    assert set(alarms) == set(SEED_ALARMS)
    for name, expected in SEED_ALARMS.items():
        alarm = alarms[name]
        actual = (
            alarm["MetricName"],
            alarm["Namespace"],
            alarm["Statistic"],
            alarm["Period"],
            alarm["Threshold"],
            alarm["ComparisonOperator"],
            alarm["EvaluationPeriods"],
        )
        assert actual == expected, name
        assert alarm["AlarmActions"] == [IPS_TOPIC]
    assert alarms["ips-api-high-error-rate"]["AlarmDescription"] == (
        "Alert when error rate exceeds 5%"
    )

    subscriptions = aws_cli(env, "sns", "list-subscriptions-by-topic", "--topic-arn", IPS_TOPIC)
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions["Subscriptions"]] == [
        ("email", "admin@ips.example.com")
    ]

    again = sentinel(env, "plan", "-C", str(REPOSITORY / "examples/ips"), "--detailed-exitcode")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes" in again.stdout


def _on_terminal(env: dict[str, str], args: list[str], answer: bytes) -> tuple[int, str]:
    """Run ``sentinel`` with a pseudo-terminal as stdin and stdout, typing ``answer``."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "sentinel", *args],
        env=env,
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    output = b""
    answered = False
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        output += chunk
        if not answered and b"Apply these changes?" in output:
            os.write(leader, answer)
            answered = True
    os.close(leader)
    return process.wait(timeout=120), _ANSI.sub("", output.decode(errors="replace"))


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_apply_asks_on_a_terminal(env: dict[str, str], tmp_path: Path) -> None:
    root = write_config(tmp_path / "shop", shop_files())

    code, output = _on_terminal(env, ["apply", "-C", str(root)], b"n\n")
    assert code == 1
    assert "Apply these changes? [y/N]" in output
    assert "apply cancelled; nothing was changed" in output
    assert PAGERDUTY_KEY not in output

    code, output = _on_terminal(env, ["apply", "-C", str(root)], b"y\n")
    assert code == 0, output
    assert "Apply complete: 11 change(s) applied." in output


def test_demo_steps_edit_one_alarm_and_hide_the_secrets(
    server: EmulatorServer, env: dict[str, str]
) -> None:
    ctx = DemoContext(
        Console(record=True, width=160),
        REPOSITORY,
        server.endpoint_url,
        {k: v for k, v in env.items() if k not in DEMO_SECRETS},
    )
    provide_demo_secrets(ctx)
    assert all(ctx.env[name] for name in DEMO_SECRETS)
    cloudwatch = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    ).client("cloudwatch", endpoint_url=server.endpoint_url)
    cloudwatch.put_metric_alarm(
        AlarmName=DRIFTED_ALARM,
        AlarmDescription="RDS CPU above 90% for 5 minutes",
        Namespace="AWS/RDS",
        MetricName="CPUUtilization",
        Dimensions=[{"Name": "DBInstanceIdentifier", "Value": "p2p-postgres"}],
        Statistic="Average",
        Period=60,
        EvaluationPeriods=5,
        DatapointsToAlarm=5,
        Threshold=90.0,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="missing",
        AlarmActions=["arn:aws:sns:us-east-1:123456789012:p2p-critical"],
    )
    before = cloudwatch.describe_alarms(AlarmNames=[DRIFTED_ALARM])["MetricAlarms"][0]

    raise_threshold_in_console(ctx)

    after = cloudwatch.describe_alarms(AlarmNames=[DRIFTED_ALARM])["MetricAlarms"][0]
    assert after["Threshold"] == 99.0
    unchanged = ["Namespace", "MetricName", "Dimensions", "Statistic", "Period"]
    unchanged += ["EvaluationPeriods", "TreatMissingData", "AlarmActions", "AlarmDescription"]
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    shown = ctx.console.export_text()
    assert "threshold 90 -> 99" in shown
    assert not any(ctx.env[name] in shown for name in DEMO_SECRETS)
