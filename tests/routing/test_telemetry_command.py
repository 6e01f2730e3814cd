"""``sentinel route --metrics-port`` as a process: scraped while it runs, its heartbeat in the
emulator's CloudWatch, a clean stop on SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from sentinel.aws.session import SessionFactory
from sentinel.emulator.server import EmulatorServer
from sentinel.routing.standins import StandIns

from .test_route_command import emulator, environment, project, publish, route, wait_for

pytestmark = pytest.mark.real_clock
__all__ = ["emulator", "project"]  # fixtures


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def scrape(url: str) -> dict[str, float]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            text = response.read().decode()
    except OSError:
        return {}
    return {
        s.name + json.dumps(s.labels, sort_keys=True): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_the_running_router_serves_metrics_and_sends_its_heartbeat(
    project: tuple[Path, SessionFactory],
    emulator: EmulatorServer,
    standins: StandIns,
    tmp_path: Path,
) -> None:
    root, factory = project
    with (root / "sentinel.yaml").open("a") as sentinel_yaml:
        sentinel_yaml.write("self_monitoring: {severity: critical, components: [router]}\n")
    port = free_port()
    publish(factory, "rds-cpu-high")
    process = route(
        root, tmp_path, environment(emulator, standins), "--wait", "1", "--metrics-port", str(port)
    )
    try:
        pagerduty = 'sentinel_router_messages_delivered_total{"destination_kind": "pagerduty"}'
        wait_for(lambda: scrape(f"http://127.0.0.1:{port}/metrics").get(pagerduty) == 1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as health:
            assert json.loads(health.read())["status"] == "ok"
        cloudwatch = factory.client("cloudwatch")
        wait_for(lambda: bool(cloudwatch.list_metrics(Namespace="Sentinel")["Metrics"]))
        process.send_signal(signal.SIGTERM)
        _stdout, stderr = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    assert f"Metrics on http://127.0.0.1:{port}/metrics" in stderr
    assert "Heartbeat to CloudWatch Sentinel/Heartbeat (Project=shop, Component=router)" in stderr
    [metric] = cloudwatch.list_metrics(Namespace="Sentinel")["Metrics"][:1]
    assert {d["Name"]: d["Value"] for d in metric["Dimensions"]} == {
        "Project": "shop",
        "Component": "router",
    }
