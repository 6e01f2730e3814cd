"""Router fixtures: the shop project wired on moto, PagerDuty and Slack stand-ins, a router."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.config.loader import Config
from sentinel.routing.consumer import Consumer, RunReport
from sentinel.routing.router import Decision, Router
from sentinel.routing.service import RateLimit, build_consumer, build_router
from sentinel.routing.standins import StandIns, stand_ins
from sentinel.store import Store
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import apply, plan
from sentinel.sync.router_queue import RouterQueueKind
from sentinel.sync.topics import Topics

from .scenario import topic_arn, write_project

PD_KEY = "R0UT1NGKEY0000000000000000000000"


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_PD_KEY", PD_KEY)
    monkeypatch.setenv("TEST_SLACK_TOKEN", "xoxb-test-token")


@pytest.fixture
def standins() -> Iterator[StandIns]:
    with stand_ins() as running:
        yield running


def wire(config: Config, factory: SessionFactory) -> SyncContext:
    """``sentinel apply`` for the topics and the router queue."""
    ctx = SyncContext(config=config, factory=factory, region="us-east-1")
    kinds = [Topics(), RouterQueueKind()]
    report = apply(ctx, plan(ctx, kinds), kinds)
    assert report.ok, [r.error for r in report.failed]
    return ctx


@dataclass
class World:
    """The shop project on the emulator, its router, and what PagerDuty and Slack received."""

    root: Path
    config: Config
    factory: SessionFactory
    standins: StandIns
    store_url: str
    router: Router
    consumer: Consumer
    decisions: list[Decision]

    @property
    def sqs(self) -> Any:
        return self.factory.client("sqs")

    def publish(
        self, severity: str, message: dict[str, Any] | str, subject: str | None = None
    ) -> str:
        body = message if isinstance(message, str) else json.dumps(message)
        kwargs = {"Subject": subject} if subject else {}
        return self.factory.client("sns").publish(
            TopicArn=topic_arn(severity), Message=body, **kwargs
        )["MessageId"]

    def send_raw(self, body: str) -> None:
        """Put a body on the queue as SNS would (or a poison message nobody would)."""
        self.sqs.send_message(QueueUrl=self.consumer.queue.url, MessageBody=body)

    def drain(self) -> RunReport:
        return self.consumer.drain(wait=0)

    def restart(self, rate: RateLimit | None = None) -> None:
        """A new router process: same store and queue, nothing else carried over."""
        self.router = build_router(
            self.config,
            self.factory,
            store=Store(self.store_url),
            endpoints=self.standins.endpoints(),
            rate=rate,
        )
        self.consumer = build_consumer(
            self.config, self.factory, self.router, on_decision=self.decisions.append
        )

    def depth(self, dead_letter: bool = False) -> int:
        url = self.consumer.queue.dead_letter_url if dead_letter else self.consumer.queue.url
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )

    def dead_letters(self) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=self.consumer.queue.dead_letter_url,
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        )
        return response.get("Messages", [])

    @property
    def events(self) -> list[dict[str, Any]]:
        return self.standins.pagerduty.events

    def slack(self, method: str = "chat.postMessage") -> list[dict[str, Any]]:
        return self.standins.slack.calls(method)


def make_world(
    root: Path,
    factory: SessionFactory,
    standins: StandIns,
    tmp_path: Path,
    rate: RateLimit | None = None,
) -> World:
    config = load_config(root)
    wire(config, factory)
    factory.client("ses").verify_domain_identity(Domain="shop.example")
    store_url = f"sqlite:///{tmp_path / 'router.db'}"
    decisions: list[Decision] = []
    router = build_router(
        config, factory, store=Store(store_url), endpoints=standins.endpoints(), rate=rate
    )
    consumer = build_consumer(config, factory, router, on_decision=decisions.append)
    return World(root, config, factory, standins, store_url, router, consumer, decisions)


@pytest.fixture
def world(aws: SessionFactory, standins: StandIns, secrets: None, tmp_path: Path) -> World:
    root = write_project(tmp_path / "shop")
    return make_world(root, aws, standins, tmp_path)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)
