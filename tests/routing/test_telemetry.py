"""The router watched: /metrics counts what a running consumer received, delivered and failed;
/healthz is 200 while it polls, 503 once it is stopping or stuck."""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from prometheus_client.parser import text_string_to_metric_families

from sentinel.cli import main
from sentinel.telemetry.process import Telemetry, router_stale_after, watch_router
from sentinel.telemetry.server import MetricsServer

from .conftest import World
from .scenario import metric_alarm

# The consumer runs in a thread and waits on timed Events: the real clock.
pytestmark = pytest.mark.real_clock


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a /metrics page: (name, sorted labels) -> value."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def wait_for(condition: Any, seconds: float = 20.0) -> None:
    stop = threading.Event()
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        stop.wait(0.05)
    raise AssertionError("timed out")


class Running:
    """A consumer looping in a thread, watched, its endpoint served on a free port."""

    def __init__(self, world: World) -> None:
        self.stop = threading.Event()
        self.telemetry: Telemetry
        self.telemetry, self.metrics = watch_router(world.consumer, self.stop, 1)
        self.server: MetricsServer = self.telemetry.serve(0)
        self.thread = threading.Thread(target=world.consumer.run, args=(self.stop, 1))
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=20)
        self.telemetry.close()


@pytest.fixture
def running(world: World) -> Iterator[Running]:
    process = Running(world)
    yield process
    process.close()


def publish_alarm(world: World, rule: str = "rds-cpu-high") -> None:
    changed = datetime.now(UTC) - timedelta(minutes=5)  # older than the group wait: sent at once
    world.publish("critical", metric_alarm(rule, "critical", "ALARM", changed))


def test_metrics_count_what_the_running_router_received_delivered_and_failed(
    world: World, running: Running
) -> None:
    publish_alarm(world)
    world.send_raw("<html>502 Bad Gateway</html>")  # unreadable: dead-lettered
    wait_for(lambda: len(world.decisions) >= 2)

    status, text = get(f"{running.server.url}/metrics")

    assert status == 200
    found = samples(text)
    assert found[("sentinel_router_messages_received_total", ())] == 2
    delivered = "sentinel_router_messages_delivered_total"
    assert found[(delivered, (("destination_kind", "pagerduty"),))] == 1
    assert found[(delivered, (("destination_kind", "slack"),))] == 1
    assert found[(delivered, (("destination_kind", "email"),))] == 0
    failed = "sentinel_router_messages_failed_total"
    assert found[(failed, (("outcome", "dead-letter"),))] == 1
    assert found[(failed, (("outcome", "retry"),))] == 0
    assert found[("sentinel_router_delivery_latency_seconds_count", ())] == 1
    assert found[("sentinel_router_delivery_latency_seconds_sum", ())] >= 0
    assert found[("sentinel_up", ())] == 1
    [(_name, labels)] = [key for key in found if key[0] == "sentinel_build_info"]
    assert dict(labels)["component"] == "router"
    # The decisions still reach the command's own callback (its output lines).
    assert [d.action for d in world.decisions] == ["delivered", "dead-letter"]


def test_healthz_is_ok_while_polling_then_503_when_stopping(world: World, running: Running) -> None:
    wait_for(lambda: running.telemetry.liveness.health().last_progress_seconds < 1.5)
    status, body = get(f"{running.server.url}/healthz")
    assert status == 200
    health = json.loads(body)
    assert health["status"] == "ok"
    assert health["component"] == "router"
    assert health["stale_after_seconds"] == router_stale_after(1)

    running.stop.set()
    status, body = get(f"{running.server.url}/healthz")
    assert status == 503
    assert json.loads(body)["status"] == "stopping"


def test_healthz_is_503_when_the_loop_makes_no_progress(world: World) -> None:
    clock = FakeMonotonic()
    stop = threading.Event()
    telemetry, _metrics = watch_router(world.consumer, stop, 1, monotonic=clock)
    with telemetry:
        server = telemetry.serve(0)
        world.consumer.poll(wait=0)  # one round, then the loop hangs (a wedged call, say)
        assert get(f"{server.url}/healthz")[0] == 200
        clock.now += router_stale_after(1) + 1

        status, body = get(f"{server.url}/healthz")

    assert status == 503
    health = json.loads(body)
    assert health["status"] == "stuck"
    assert health["detail"] == f"no progress for {router_stale_after(1) + 1:.0f}s (more than 33s)"


def test_an_unknown_path_is_404_naming_the_two_endpoints(running: Running) -> None:
    status, body = get(f"{running.server.url}/")
    assert status == 404
    assert "/metrics" in body and "/healthz" in body


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield held.getsockname()[1]


def route_command(world: World, tmp_path: Path, *args: str) -> Result:
    store = f"sqlite:///{tmp_path / 'cli-router.db'}"
    return CliRunner().invoke(
        main, ["route", "-C", str(world.root), "--store", store, "--wait", "1", *args]
    )


def test_a_metrics_port_in_use_is_a_clear_error(
    world: World, tmp_path: Path, taken_port: int
) -> None:
    result = route_command(world, tmp_path, "--metrics-port", str(taken_port))
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"error: --metrics-port {taken_port}: cannot listen on 127.0.0.1:{taken_port}: "
        "Address already in use"
    )
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--metrics-port", "70000"], "70000 is not in the range 0<=x<=65535"),
        (["--metrics-port", "http"], "'http' is not a valid integer"),
        (["--drain", "--metrics-port", "9101"], "--metrics-port watches a running service"),
        (["--metrics-host", "no-such-host.invalid", "--metrics-port", "9101"], "cannot listen"),
    ],
)
def test_bad_metrics_options_exit_1(
    world: World, tmp_path: Path, args: list[str], message: str
) -> None:
    result = route_command(world, tmp_path, *args)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
