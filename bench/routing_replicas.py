"""Three ``sentinel route`` replicas on one queue and one PostgreSQL store, killed at random.

The alarms go to SQS as SNS would deliver them: each alarm an ALARM and, a minute later, an OK;
some deliveries twice (SNS delivers at least once: same MessageId). Three replicas (real
processes, ``sentinel route``) drain the queue against the emulator's server and the PagerDuty
and Slack stand-ins while a replica, chosen at random, is killed with SIGKILL at a random
moment and started again, ``kills`` times. At the end the queue and its DLQ are empty, and every
change the router delivered was paged once and posted once, one Slack thread per alarm.

    python -m bench routing_replicas          (or: python -m bench.routing_replicas 1000 8)

The test (tests/routing/test_replicas.py) runs the same with fewer messages.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
from sqlalchemy import create_engine, select

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.emulator.server import EmulatorServer, start_server
from sentinel.routing.claims import CLAIMS
from sentinel.routing.messages import cloudwatch_time
from sentinel.routing.router import DELIVERED, STALE
from sentinel.routing.standins import StandIns, stand_ins
from sentinel.routing.state import MESSAGES as HANDLED
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import apply, plan
from sentinel.sync.router_queue import RouterQueueKind
from sentinel.sync.topics import Topics

MESSAGES = 1000
KILLS = 8
REPLICAS = 3
DUPLICATES = 0.05  # a share of the deliveries that SNS delivers twice
VISIBILITY = 4  # seconds: a killed replica's messages come back this soon
REGION = "us-east-1"
ACCOUNT = "123456789012"
PROJECT = "fleet"
ROUTING = """\
severities:
  critical:
    page: true
    notify:
      - pagerduty: {integration_key: env:REPLICAS_PD_KEY}
      - slack: {channel: "#fleet", token: env:REPLICAS_SLACK_TOKEN}
router: {max_receives: 10}
"""


@dataclass
class Result:
    messages: int  # SQS messages sent (duplicates included)
    changes: int  # distinct state changes (SNS MessageIds)
    alarms: int
    kills: int
    seconds: float
    outcomes: Counter[str]  # per state change, from the store
    pages: Counter[tuple[str, str]]  # PagerDuty events accepted, by dedup_key and action
    expected_pages: Counter[tuple[str, str]]
    posts: Counter[str]  # Slack posts (top-level and replies) by SNS MessageId
    delivered: set[str]  # changes the store records as delivered
    threads: Counter[str]  # top-level Slack messages by alarm
    incidents: int  # PagerDuty incidents opened
    queue: tuple[int, int]
    dead_letters: tuple[int, int]
    claims_left: int
    in_doubt_found: int  # Slack posts found (sent unrecorded) instead of posted again
    told_then_stale: set[str]  # sent by a replica killed before recording, then seen as stale
    stale_pages: set[tuple[str, str]]  # their PagerDuty events

    @property
    def pages_repeated(self) -> int:
        return sum(n - 1 for n in self.pages.values() if n > 1)

    @property
    def posts_repeated(self) -> int:
        return sum(n - 1 for n in self.posts.values() if n > 1)

    def problems(self) -> list[str]:
        """What breaks "each change paged once and posted once, one thread per incident"."""
        found = []
        told = {*self.expected_pages, *self.stale_pages}
        if not set(self.expected_pages) <= set(self.pages) <= told:
            found.append(f"pages differ: {set(self.pages) ^ set(self.expected_pages)}")
        # A kill leaves at most the message in hand unrecorded: its PagerDuty event is sent
        # again, same dedup_key and action, which PagerDuty absorbs.
        if self.pages_repeated > self.kills:
            found.append(f"{self.pages_repeated} repeated PagerDuty events for {self.kills} kills")
        if not self.delivered <= set(self.posts) <= self.delivered | self.told_then_stale:
            found.append("Slack posts: not one per delivered change")
        if self.posts_repeated:
            found.append(f"Slack posts: {self.posts_repeated} repeated")
        if any(n != 1 for n in self.threads.values()) or len(self.threads) != self.alarms:
            found.append(f"threads: {sorted(n for n in self.threads.values() if n != 1)}")
        if set(self.outcomes) - {DELIVERED, STALE} or sum(self.outcomes.values()) != self.changes:
            found.append(f"outcomes: {dict(self.outcomes)}")
        if self.queue != (0, 0) or self.dead_letters != (0, 0):
            found.append(f"queue {self.queue}, dead letters {self.dead_letters}")
        return found

    def report(self) -> str:
        return "\n".join(
            [
                f"{self.messages} messages ({self.changes} state changes of {self.alarms} alarms, "
                f"{self.messages - self.changes} delivered twice by SNS), {REPLICAS} replicas, "
                f"{self.kills} SIGKILLs, drained in {self.seconds:.1f} s",
                "store: "
                + ", ".join(f"{n} {outcome}" for outcome, n in sorted(self.outcomes.items()))
                + f" ({len(self.told_then_stale)} stale ones had gone out from a replica killed "
                "before recording them)",
                f"PagerDuty: {sum(self.pages.values())} events accepted for "
                f"{sum(self.expected_pages.values())} delivered changes "
                f"({self.pages_repeated} repeated after a kill, same dedup_key and action), "
                f"{self.incidents} incidents",
                f"Slack: {sum(self.posts.values())} posts for {len(self.delivered)} delivered "
                f"changes ({self.posts_repeated} twice), {len(self.threads)} threads for "
                f"{self.alarms} alarms (max {max(self.threads.values(), default=0)} per alarm), "
                f"{self.in_doubt_found} found instead of posted again",
                f"queue {self.queue[0]} visible / {self.queue[1]} in flight, DLQ "
                f"{self.dead_letters[0] + self.dead_letters[1]}, claims left {self.claims_left}",
            ]
        )


@dataclass
class Fleet:
    """The replicas: started, killed and started again."""

    command: list[str]
    env: dict[str, str]
    logs: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs_of: list[Path] = field(default_factory=list)  # each replica's decisions (stdout)
    started: int = 0

    def start(self, slot: int | None = None) -> None:
        self.started += 1
        out = self.logs / f"replica-{self.started}.log"
        with open(out, "wb") as stdout, open(out.with_suffix(".err"), "wb") as stderr:
            process = subprocess.Popen(self.command, env=self.env, stdout=stdout, stderr=stderr)
        if slot is None:
            self.processes.append(process)
            self.logs_of.append(out)
        else:
            self.processes[slot] = process
            self.logs_of[slot] = out

    def check_alive(self) -> None:
        """A replica that exited on its own (not killed here) failed: say why, not wait on."""
        for process, log in zip(self.processes, self.logs_of, strict=True):
            if process.poll() is not None:
                errors = log.with_suffix(".err").read_text(errors="replace").splitlines()
                raise RuntimeError(
                    f"replica {log.stem} exited with {process.returncode}: "
                    + " | ".join(errors[-3:])
                )

    def at_work(self) -> list[int]:
        """The replicas that have handled messages (past their start-up)."""
        return [i for i, log in enumerate(self.logs_of) if log.read_bytes().count(b"\n") > 0]

    def kill_one(self, rng: random.Random) -> None:
        """SIGKILL a replica in the middle of its work, and start another."""
        slot = rng.choice(self.at_work() or list(range(len(self.processes))))
        self.processes[slot].send_signal(signal.SIGKILL)
        self.processes[slot].wait(10)
        self.start(slot)

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


def write_project(root: Path) -> Path:
    (root / "alarms").mkdir(parents=True)
    (root / "sentinel.yaml").write_text(f"project: {PROJECT}\nregions: [{REGION}]\n")
    (root / "alarms" / "routing.yaml").write_text(ROUTING)
    return root


def alarm_arn(index: int) -> str:
    return f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{PROJECT}-disk-full-{index:05d}"


def notification(topic: str, index: int, state: str, changed: datetime) -> dict[str, Any]:
    """One CloudWatch state change in the SNS envelope SQS receives."""
    name = f"{PROJECT}-disk-full-{index:05d}"
    alarm = {
        "AlarmName": name,
        "AlarmDescription": "replica bench alarm",
        "AWSAccountId": ACCOUNT,
        "NewStateValue": state,
        "NewStateReason": f"Threshold Crossed: {state}",
        "StateChangeTime": cloudwatch_time(changed),
        "Region": "US East (N. Virginia)",
        "AlarmArn": alarm_arn(index),
        "OldStateValue": "OK" if state == "ALARM" else "ALARM",
        "AlarmActions": [topic],
        "OKActions": [topic],
        "InsufficientDataActions": [],
        "Trigger": {
            "MetricName": "disk_used_percent",
            "Namespace": "CWAgent",
            "StatisticType": "Statistic",
            "Statistic": "MAXIMUM",
            "Unit": None,
            "Dimensions": [{"value": f"host-{index}", "name": "InstanceId"}],
            "Period": 60,
            "EvaluationPeriods": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "Threshold": 90.0,
            "TreatMissingData": "missing",
            "EvaluateLowSampleCountPercentile": "",
        },
    }
    return {
        "Type": "Notification",
        "MessageId": str(uuid.uuid4()),
        "TopicArn": topic,
        "Subject": f'{state}: "{name}" in US East (N. Virginia)',
        "Message": json.dumps(alarm),
        "Timestamp": changed.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "SignatureVersion": "1",
    }


def deliveries(topic: str, count: int, rng: random.Random) -> list[dict[str, Any]]:
    """``count`` SQS bodies: ALARM then OK per alarm, a share of them twice, shuffled a little
    (SQS is not ordered anyway)."""
    changes = []
    extra = int(count * DUPLICATES)
    alarms = (count - extra) // 2
    base = datetime.now(UTC) - timedelta(minutes=30)  # past the group wait: sent at once
    for index in range(alarms):
        changed = base + timedelta(seconds=index)
        changes.append(notification(topic, index, "ALARM", changed))
        changes.append(notification(topic, index, "OK", changed + timedelta(minutes=1)))
    bodies = changes + rng.sample(changes, count - len(changes))
    rng.shuffle(bodies)
    return bodies


def counts(sqs: Any, url: str) -> tuple[int, int]:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return (
        int(attributes["ApproximateNumberOfMessages"]),
        int(attributes["ApproximateNumberOfMessagesNotVisible"]),
    )


def run(
    store_url: str,
    workdir: Path,
    messages: int = MESSAGES,
    kills: int = KILLS,
    seed: int = 15,
    emulator: EmulatorServer | None = None,
    standins: StandIns | None = None,
) -> Result:
    """Drain ``messages`` through the replicas, killing one ``kills`` times; the counts."""
    with _services(emulator, standins) as (server, services):
        return _run(store_url, workdir, messages, kills, random.Random(seed), server, services)


@contextmanager
def _services(
    emulator: EmulatorServer | None, standins: StandIns | None
) -> Iterator[tuple[EmulatorServer, StandIns]]:
    if emulator is not None and standins is not None:
        yield emulator, standins
        return
    with start_server(port=0, seed=False) as server, stand_ins() as services:
        yield server, services


def _run(
    store_url: str,
    workdir: Path,
    messages: int,
    kills: int,
    rng: random.Random,
    emulator: EmulatorServer,
    standins: StandIns,
) -> Result:
    root = write_project(workdir / PROJECT)
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    factory = SessionFactory(session=session, region=REGION, endpoint_url=emulator.endpoint_url)
    config = load_config(root)
    ctx = SyncContext(config=config, factory=factory, region=REGION)
    kinds = [Topics(), RouterQueueKind()]
    assert apply(ctx, plan(ctx, kinds), kinds).ok
    sqs = factory.client("sqs")
    url = sqs.get_queue_url(QueueName=f"{PROJECT}-router")["QueueUrl"]
    dlq = sqs.get_queue_url(QueueName=f"{PROJECT}-router-dlq")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": str(VISIBILITY)})
    bodies = deliveries(ctx.topic_arn("critical"), messages, rng)
    for start in range(0, len(bodies), 10):
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "MessageBody": json.dumps(body)}
                for i, body in enumerate(bodies[start : start + 10])
            ],
        )

    env = {
        **os.environ,
        **emulator.env(),
        **standins.environment(),
        "REPLICAS_PD_KEY": "replicas-integration-key",
        "REPLICAS_SLACK_TOKEN": "xoxb-replicas",
    }
    command = [
        sys.executable,
        "-m",
        "sentinel",
        "route",
        "-C",
        str(root),
        "--store",
        store_url,
        "--wait",
        "1",
        "--pagerduty-rate",
        "1000000",
    ]
    fleet = Fleet(command, env, workdir)
    started = time.monotonic()
    for _ in range(REPLICAS):
        fleet.start()
    done_kills = 0
    try:
        # Kill while the queue drains, at random moments of the replicas' work.
        while done_kills < kills and counts(sqs, url) != (0, 0):
            time.sleep(rng.uniform(0.2, 1.0))
            fleet.check_alive()
            if fleet.at_work():
                fleet.kill_one(rng)
                done_kills += 1
        deadline = time.monotonic() + 120
        quiet = 0
        while quiet < 3 and time.monotonic() < deadline:
            time.sleep(0.5)
            fleet.check_alive()
            quiet = quiet + 1 if counts(sqs, url) == (0, 0) else 0
        seconds = time.monotonic() - started
    finally:
        fleet.stop()

    changes = {body["MessageId"]: json.loads(body["Message"]) for body in bodies}
    engine = create_engine(store_url)
    with engine.connect() as db:
        handled = {row.message_id: row.outcome for row in db.execute(select(HANDLED))}
        claims_left = len(db.execute(select(CLAIMS.c.alert_key)).all())
    engine.dispose()
    posted = [
        message
        for channel in standins.slack.messages.values()
        for message in channel
        if (message.get("metadata") or {}).get("event_payload")
    ]
    posts = Counter(m["metadata"]["event_payload"]["message_id"] for m in posted)
    recorded = {m for m, outcome in handled.items() if outcome == DELIVERED}
    pages = Counter((e["dedup_key"], e["event_action"]) for e in standins.pagerduty.events)
    # A replica killed after sending a change but before recording it: the change went out;
    # when its message came back a newer change had been delivered, so it is recorded stale.
    told_then_stale = {
        m
        for m, outcome in handled.items()
        if outcome == STALE and (m in posts or _page(changes[m]) in pages)
    }
    expected = Counter(_page(changes[m]) for m in recorded)
    threads = Counter(
        m["metadata"]["event_payload"]["alert_key"] for m in posted if "thread_ts" not in m
    )
    found = sum(_log_count(workdir, "(found, not sent again)"))
    return Result(
        messages=len(bodies),
        changes=len(changes),
        alarms=len({c["AlarmArn"] for c in changes.values()}),
        kills=done_kills,
        seconds=seconds,
        outcomes=Counter(handled.get(m, "not handled") for m in changes),
        pages=pages,
        expected_pages=expected,
        posts=posts,
        delivered=recorded,
        told_then_stale=told_then_stale,
        stale_pages={_page(changes[m]) for m in told_then_stale},
        threads=threads,
        incidents=len(standins.pagerduty.incidents),
        queue=counts(sqs, url),
        dead_letters=counts(sqs, dlq),
        claims_left=claims_left,
        in_doubt_found=found,
    )


def _page(change: dict[str, Any]) -> tuple[str, str]:
    """The PagerDuty event of a change: its dedup_key (the alarm ARN) and action."""
    return change["AlarmArn"], "trigger" if change["NewStateValue"] == "ALARM" else "resolve"


def _log_count(workdir: Path, text: str) -> Iterator[int]:
    for log in workdir.glob("replica-*.*"):
        yield log.read_text(errors="replace").count(text)


def main(messages: int = MESSAGES, kills: int = KILLS) -> int:
    from tests.postgres import PostgresServer

    with tempfile.TemporaryDirectory(prefix="sentinel-replicas-") as scratch:
        home = Path(scratch)
        home.chmod(0o755)  # the PostgreSQL server may run as another user
        server = PostgresServer(home / "pgdata")
        try:
            url = server.url(server.create_database()).render_as_string(hide_password=False)
            result = run(url, home, messages, kills)
        finally:
            server.close()
    print(result.report())
    problems = result.problems()
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    sys.exit(main(*args))
