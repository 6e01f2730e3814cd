"""``sentinel route`` as a process: a clean SIGTERM, and a kill -9 in the middle of a batch.

These run the command against the emulator's server (not the in-process mock) so that a second
process sees the same queues, and against the PagerDuty and Slack stand-ins.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from sentinel.aws.session import SessionFactory
from sentinel.cli import main
from sentinel.config import load_config
from sentinel.emulator.server import EmulatorServer, start_server
from sentinel.routing.standins import StandIns

from .conftest import PD_KEY, wire
from .scenario import metric_alarm, topic_arn, write_project

# The router (in a subprocess) waits on timed Events, which hang under libfaketime.
pytestmark = pytest.mark.real_clock


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with start_server(port=0, seed=False) as server:
        yield server


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorServer) -> tuple[Path, SessionFactory]:
    root = write_project(tmp_path / "shop")
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    factory = SessionFactory(
        session=session, region="us-east-1", endpoint_url=emulator.endpoint_url
    )
    wire(load_config(root), factory)
    return root, factory


def environment(emulator: EmulatorServer, standins: StandIns) -> dict[str, str]:
    return {
        **os.environ,
        **emulator.env(),
        **standins.environment(),
        "TEST_PD_KEY": PD_KEY,
        "TEST_SLACK_TOKEN": "xoxb-test-token",
    }


def route(root: Path, tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-m",
        "sentinel",
        "route",
        "-C",
        str(root),
        "--store",
        f"sqlite:///{tmp_path / 'router.db'}",
        *args,
    ]
    return subprocess.Popen(
        command, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def wait_for(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def queue_counts(factory: SessionFactory, name: str = "shop-router") -> tuple[int, int]:
    sqs = factory.client("sqs")
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def publish(factory: SessionFactory, rule: str, resource: str | None = None) -> None:
    changed = datetime.now(UTC) - timedelta(minutes=5)  # older than the group wait: sent at once
    message = metric_alarm(rule, "critical", "ALARM", changed, resource=resource)
    factory.client("sns").publish(TopicArn=topic_arn("critical"), Message=json.dumps(message))


def test_sigterm_stops_cleanly_after_the_message_in_hand(
    project: tuple[Path, SessionFactory],
    emulator: EmulatorServer,
    standins: StandIns,
    tmp_path: Path,
) -> None:
    root, factory = project
    publish(factory, "rds-cpu-high")
    process = route(root, tmp_path, environment(emulator, standins), "--wait", "1")
    try:
        wait_for(lambda: len(standins.slack.calls("chat.postMessage")) == 1)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    assert "SIGTERM: finishing the message in hand, then stopping" in stderr
    assert "1 message(s) received: 1 delivered" in stderr
    assert (
        "delivered critical ALARM shop-rds-cpu-high -> PagerDuty trigger, Slack #incidents posted"
        in stdout
    )
    assert queue_counts(factory) == (0, 0)


def test_kill_mid_batch_then_restart_loses_nothing_and_sends_nothing_twice(
    project: tuple[Path, SessionFactory],
    emulator: EmulatorServer,
    standins: StandIns,
    tmp_path: Path,
) -> None:
    root, factory = project
    sqs = factory.client("sqs")
    # Messages of a killed consumer come back after the visibility timeout; keep that short here.
    sqs.set_queue_attributes(
        QueueUrl=sqs.get_queue_url(QueueName="shop-router")["QueueUrl"],
        Attributes={"VisibilityTimeout": "3"},
    )
    resources = [f"db{i}" for i in range(6)]
    for resource in resources:
        publish(factory, "rds-cpu-high", resource)
    # PagerDuty holds its third request open: the router is killed while waiting for it.
    arrived, release = threading.Event(), threading.Event()

    def third_request_hangs() -> bool:
        if len(standins.pagerduty.requests) == 2:
            arrived.set()
            release.wait(15)
        return True

    standins.pagerduty.available = third_request_hangs
    env = environment(emulator, standins)
    first = route(root, tmp_path, env, "--wait", "1")
    try:
        assert arrived.wait(20), "the router never reached the third alarm"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
        release.set()
    assert first.returncode == -signal.SIGKILL
    # The batch is deleted as a whole when it ends: all six are back, two of them handled.
    wait_for(lambda: queue_counts(factory) == (6, 0))

    second = route(root, tmp_path, env, "--drain")
    stdout, stderr = second.communicate(timeout=60)
    assert second.returncode == 0, stderr

    triggers = Counter(e["dedup_key"].rsplit(":", 1)[-1] for e in standins.pagerduty.events)
    names = [f"shop-rds-cpu-high-{r}" for r in resources]
    assert set(triggers) == set(names)  # nothing lost
    # Only the event in flight at the kill may reach PagerDuty twice (same dedup_key: one incident).
    assert [n for n, count in triggers.items() if count > 1] in ([], [names[2]])
    posts = Counter(p["text"].split()[3] for p in standins.slack.calls("chat.postMessage"))
    assert posts == Counter(names)  # Slack, which has no dedup key, got each alarm exactly once
    assert queue_counts(factory) == (0, 0)
    assert queue_counts(factory, "shop-router-dlq") == (0, 0)
    assert "6 message(s) received: 4 delivered, 2 duplicate" in stderr
    assert stdout.count("delivered critical ALARM shop-rds-cpu-high-db") == 4


def test_oncall_command_at_a_handoff(tmp_path: Path) -> None:
    root = write_project(tmp_path / "shop")
    runner = CliRunner()
    # The shop rotation hands off Monday 09:00 London time (BST from 29 March: 08:00 UTC).
    before = runner.invoke(main, ["oncall", "-C", str(root), "--at", "2026-03-30T07:59:59Z"])
    after = runner.invoke(main, ["oncall", "-C", str(root), "--at", "2026-03-30T08:00:00Z"])
    assert before.exit_code == 0, before.output
    # Twelve weekly shifts since 5 January: Cy's turn ends, Ana's begins.
    assert before.output.splitlines()[1] == (
        "On call:    Cy Diaz <cy@shop.example>, until Mon 2026-03-30 09:00 BST"
    )
    assert after.output.splitlines()[1] == (
        "On call:    Ana Lima <ana@shop.example>, until Mon 2026-04-06 09:00 BST"
    )
    assert after.output.splitlines()[2].startswith("Next:       Bo Chen <bo@shop.example>")
    assert "Escalation: Duty Manager <manager@shop.example>" in after.output
    christmas = runner.invoke(
        main, ["oncall", "-C", str(root), "--at", "2026-12-25T12:00", "--json"]
    )
    as_json = json.loads(christmas.output)
    assert as_json["current"]["name"] == "Cy Diaz" and as_json["current"]["source"] == "override"


def test_oncall_without_a_rotation_is_a_user_error(tmp_path: Path) -> None:
    root = write_project(tmp_path / "shop")
    text = (root / "alarms" / "routing.yaml").read_text()
    (root / "alarms" / "routing.yaml").write_text(
        text[: text.index("oncall:")] + text[text.index("router:") :]
    )
    result = CliRunner().invoke(main, ["oncall", "-C", str(root)])
    assert result.exit_code == 1
    assert "no on-call in alarms/routing.yaml" in result.output


def test_a_silence_is_honoured_by_two_router_processes_on_one_store(
    project: tuple[Path, SessionFactory],
    emulator: EmulatorServer,
    standins: StandIns,
    tmp_path: Path,
) -> None:
    """Two `sentinel route` processes share one store: what the silence matches is held by
    whichever receives it, and delivered once, by one of them, when the silence is expired."""
    root, factory = project
    store = f"sqlite:///{tmp_path / 'router.db'}"
    added = CliRunner().invoke(
        main,
        ["silence", "add", "-C", str(root), "--store", store, "--alarm", "shop-rds-cpu-high-*",
         "--for", "2h", "--reason", "failover drill", "--by", "ana"],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    resources = [f"db{i}" for i in range(4)]
    sqs = factory.client("sqs")
    # A receive the paused router had in flight gives its messages back after this.
    sqs.set_queue_attributes(
        QueueUrl=sqs.get_queue_url(QueueName="shop-router")["QueueUrl"],
        Attributes={"VisibilityTimeout": "3"},
    )
    env = environment(emulator, standins)
    routers = [route(root, tmp_path, env, "--wait", "1")]
    try:
        # The first two reach the first router, the others the second (the first is paused).
        for resource in resources[:2]:
            publish(factory, "rds-cpu-high", resource)
        wait_for(lambda: silences(root, store)[0]["suppressed"] == 2)
        routers[0].send_signal(signal.SIGSTOP)
        routers.append(route(root, tmp_path, env, "--wait", "1"))
        for resource in resources[2:]:
            publish(factory, "rds-cpu-high", resource)
        publish(factory, "api-error-rate")
        wait_for(lambda: len(standins.pagerduty.events) == 1 and queue_counts(factory) == (0, 0))
        routers[0].send_signal(signal.SIGCONT)
        time.sleep(1.5)  # a round more: nothing of the silenced alarms goes out meanwhile
        keys = [e["dedup_key"].rsplit(":", 1)[-1] for e in standins.pagerduty.events]
        assert keys == ["shop-api-error-rate"]
        [silence] = silences(root, store)
        assert (silence["reason"], silence["suppressed"]) == ("failover drill", 4)

        ended = CliRunner().invoke(
            main, ["silence", "expire", "-C", str(root), "--store", store, str(silence["id"])]
        )
        assert ended.exit_code == 0, ended.output
        names = {f"shop-rds-cpu-high-{r}" for r in resources}
        wait_for(lambda: len(standins.pagerduty.events) == 1 + len(names))
        time.sleep(1.5)  # and no second delivery from the other process
    finally:
        outputs = []
        for router in routers:
            router.send_signal(signal.SIGCONT)
            router.send_signal(signal.SIGTERM)
        for router in routers:
            outputs.append(router.communicate(timeout=30))
    triggers = Counter(e["dedup_key"].rsplit(":", 1)[-1] for e in standins.pagerduty.events)
    assert triggers == Counter({"shop-api-error-rate": 1, **{name: 1 for name in names}})
    posts = Counter(p["text"].split()[3] for p in standins.slack.calls("chat.postMessage"))
    assert posts == triggers
    # Each process held two of them: both honoured the silence.
    held = [out.count("held critical ALARM shop-rds-cpu-high") for out, _ in outputs]
    assert held == [2, 2], outputs


def silences(root: Path, store: str) -> list[dict[str, Any]]:
    listed = CliRunner().invoke(
        main, ["silence", "list", "-C", str(root), "--store", store, "--json"]
    )
    assert listed.exit_code == 0, listed.output
    found: list[dict[str, Any]] = json.loads(listed.output)
    return found
