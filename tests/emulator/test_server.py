"""The emulator as a server: the AWS CLI, in another process, reads the seeded account."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from sentinel.emulator.server import EmulatorServer, start_server
from sentinel.errors import SentinelError

AWS_CLI = Path(sys.executable).parent / "aws"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with start_server(port=free_port()) as running:
        yield running


def aws_cli(server: EmulatorServer, *args: str) -> Any:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") and key != "MOTO_CALL_RESET_API"
    }
    completed = subprocess.run(
        [str(AWS_CLI), *args, "--output", "json"],
        env={**env, **server.env()},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_environment_points_at_the_server(server: EmulatorServer) -> None:
    assert server.env() == {
        "AWS_ENDPOINT_URL": server.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    assert server.summary is not None
    assert server.summary.resources["ec2:instance"] == 6


def test_aws_cli_lists_the_seeded_metrics(server: EmulatorServer) -> None:
    listed = aws_cli(server, "cloudwatch", "list-metrics", "--namespace", "AWS/ApplicationELB")

    names = {m["MetricName"] for m in listed["Metrics"]}
    assert {
        "RequestCount",
        "HTTPCode_Target_5XX_Count",
        "HTTPCode_ELB_5XX_Count",
        "TargetResponseTime",
    } <= names


def test_aws_cli_reads_costs_grouped_by_service(server: EmulatorServer) -> None:
    assert server.summary is not None
    today = server.summary.seeded_at.date()  # the costs end the day before, whatever the clock
    start = today - timedelta(days=3)

    answer = aws_cli(
        server,
        "ce",
        "get-cost-and-usage",
        "--time-period",
        f"Start={start.isoformat()},End={today.isoformat()}",
        "--granularity",
        "DAILY",
        "--metrics",
        "UnblendedCost",
        "--group-by",
        "Type=DIMENSION,Key=SERVICE",
    )

    assert [r["TimePeriod"]["Start"] for r in answer["ResultsByTime"]] == [
        (start + timedelta(days=n)).isoformat() for n in range(3)
    ]
    for result in answer["ResultsByTime"]:
        services = {
            g["Keys"][0]: float(g["Metrics"]["UnblendedCost"]["Amount"]) for g in result["Groups"]
        }
        # The DocumentDB anomaly runs from six days ago to yesterday.
        assert services["Amazon DocumentDB (with MongoDB compatibility)"] > 72


def test_a_port_in_use_is_refused(server: EmulatorServer) -> None:
    with pytest.raises(SentinelError, match="cannot listen"):
        start_server(port=server.port, seed=False)


def test_stop_closes_the_port() -> None:
    stopped = start_server(port=0, seed=False)
    assert requests.get(f"{stopped.endpoint_url}/moto-api/", timeout=5).ok

    stopped.stop()

    with pytest.raises(requests.ConnectionError):
        requests.get(f"{stopped.endpoint_url}/moto-api/", timeout=5)
