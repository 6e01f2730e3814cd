"""Every AWS call of apply, import, the daemon and the router is allowed by `sentinel iam-policy`.

Each flow runs on the emulator through a SessionFactory of its own whose botocore events record
every operation (``before-call``) as its IAM action, the way sentinel.aws.failures names it; the
setup (resources, metrics, costs, the topics the router reads) goes through another factory and
is not recorded. A call whose action the flow's policy does not allow fails the test, named.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
import time_machine

from cost.slack_standin import SlackStandIn, slack_standin
from routing.scenario import metric_alarm, topic_arn, write_project
from sentinel.aws.failures import iam_action
from sentinel.aws.iam_policy import actions_of, declared_calls, policy
from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.config.loader import Config
from sentinel.config.models.project import SelfMonitoring
from sentinel.daemon.registry import registered_jobs
from sentinel.daemon.scheduler import Daemon
from sentinel.delivery import slack as slack_module
from sentinel.delivery.slack import BASE_URL_ENV
from sentinel.demo.sync import EDITABLE
from sentinel.emulator.demo import seed_demo_account
from sentinel.emulator.demo.resources import create_resources
from sentinel.emulator.extensions import install
from sentinel.routing.service import build_consumer, build_router
from sentinel.routing.standins import stand_ins
from sentinel.store import Store
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import apply, plan
from sentinel.sync.router_queue import RouterQueueKind
from sentinel.sync.topics import Topics
from sentinel.telemetry.health import Liveness
from sentinel.telemetry.heartbeat import Heartbeat

REPOSITORY = Path(__file__).resolve().parents[1]
CONFIGS = [REPOSITORY, *sorted(p.parent for p in (REPOSITORY / "examples").glob("*/sentinel.yaml"))]
SECRETS = ["P2P_PAGERDUTY_KEY", "CAJA_PAGERDUTY_KEY", "CALCAPP_PAGERDUTY_KEY", "CHAT_PAGERDUTY_KEY"]


class Recorder:
    """The API calls made through one factory, by flow: ``{"plan": {"sns:ListTopics"}}``."""

    def __init__(self, factory: SessionFactory) -> None:
        self.calls: dict[str, set[str]] = {}
        self._flow: str | None = None
        # On the session: every client the factory makes from now on copies the handler.
        factory.session().events.register("before-call", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        if self._flow is not None:
            self.calls.setdefault(self._flow, set()).add(
                iam_action(model.service_model, model.name)
            )

    @contextmanager
    def flow(self, name: str) -> Iterator[None]:
        self._flow = name
        try:
            yield
        finally:
            self._flow = None

    def uncovered(self, config: Config | None) -> dict[str, list[str]]:
        """Per flow, the IAM actions its calls need that its policy does not allow."""
        missing = {}
        for flow, calls in sorted(self.calls.items()):
            document = policy(flow, config)
            allowed = {a for s in document["Statement"] for a in s["Action"]}
            needed = {action for call in calls for action in actions_of(call)}
            if needed - allowed:
                missing[flow] = sorted(needed - allowed)
        return missing

    def undeclared(self, config: Config | None) -> dict[str, list[str]]:
        """Per flow, the calls made that no part of the flow declares."""
        found = {}
        for flow, calls in sorted(self.calls.items()):
            extra = calls - declared_calls(flow, config)
            if extra:
                found[flow] = sorted(extra)
        return found


@pytest.fixture(autouse=True)
def emulator_extensions() -> None:
    install()


@pytest.fixture
def recording(aws: SessionFactory) -> tuple[SessionFactory, Recorder]:
    """A second factory on the same emulated account, whose calls are recorded."""
    factory = SessionFactory(session=boto3.Session(region_name="us-east-1"), region="us-east-1")
    return factory, Recorder(factory)


def _check(recorder: Recorder, config: Config, label: str) -> None:
    assert recorder.calls, f"{label}: no AWS call was recorded"
    uncovered = recorder.uncovered(config)
    assert not uncovered, f"{label}: not allowed by `sentinel iam-policy --for <flow>`: {uncovered}"
    undeclared = recorder.undeclared(config)
    assert not undeclared, f"{label}: calls that no kind, job or router part declares: {undeclared}"


def heartbeat(factory: SessionFactory, config: Config, component: str) -> Heartbeat:
    """The heartbeat the running process publishes every minute (one beat of it)."""
    return Heartbeat([factory.client("cloudwatch")], config.name, Liveness(component, 60))


def _context(factory: SessionFactory, root: Path) -> SyncContext:
    config = load_config(root)
    return SyncContext(config=config, factory=factory, region=config.project.regions[0])


def _plan_and_apply(recorder: Recorder, ctx: SyncContext) -> None:
    with recorder.flow("plan"):
        changes = plan(ctx)
    with recorder.flow("apply"):
        again = plan(ctx)  # apply plans first, as `sentinel apply` does
        report = apply(ctx, again)
    assert changes.changes == again.changes
    assert report.ok, [(r.change.key, r.error) for r in report.failed]


def test_apply_of_every_shipped_configuration_is_allowed(
    aws: SessionFactory,
    recording: tuple[SessionFactory, Recorder],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    factory, recorder = recording
    for name in SECRETS:
        monkeypatch.setenv(name, f"demo-{name.lower()}")
    create_resources(aws)
    for root in CONFIGS:
        ctx = _context(factory, root)
        _plan_and_apply(recorder, ctx)
        _check(recorder, ctx.config, str(root))

    # Updates: what was changed in AWS is written back (alarm, budget, topic, dashboard, queue).
    cloudwatch, budgets = aws.client("cloudwatch"), aws.client("budgets")
    [alarm] = cloudwatch.describe_alarms(AlarmNamePrefix="p2p-", MaxRecords=1)["MetricAlarms"]
    cloudwatch.put_metric_alarm(
        **{k: alarm[k] for k in EDITABLE if k in alarm}, Threshold=alarm["Threshold"] + 1
    )
    account = aws.caller_account()
    [budget] = budgets.describe_budgets(AccountId=account, MaxResults=1)["Budgets"]
    budget["BudgetLimit"]["Amount"] = str(float(budget["BudgetLimit"]["Amount"]) + 1)
    budgets.update_budget(AccountId=account, NewBudget=budget)
    sns = aws.client("sns")
    topic = next(t["TopicArn"] for t in sns.list_topics()["Topics"] if ":p2p-" in t["TopicArn"])
    sns.set_topic_attributes(TopicArn=topic, AttributeName="DisplayName", AttributeValue="x")
    [board] = cloudwatch.list_dashboards(DashboardNamePrefix="p2p-")["DashboardEntries"][:1]
    cloudwatch.put_dashboard(
        DashboardName=board["DashboardName"],
        DashboardBody=json.dumps({"widgets": [{"type": "text", "properties": {"markdown": "x"}}]}),
    )
    sqs = aws.client("sqs")
    queue = sqs.get_queue_url(QueueName="p2p-router")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"VisibilityTimeout": "31"})
    recorder.calls.clear()
    ctx = _context(factory, REPOSITORY)
    _plan_and_apply(recorder, ctx)
    _check(recorder, ctx.config, "updates")

    # Deletions: a configuration of the project alone deletes everything it owned.
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(REPOSITORY / "sentinel.yaml", bare / "sentinel.yaml")
    recorder.calls.clear()
    ctx = _context(factory, bare)
    _plan_and_apply(recorder, ctx)
    _check(recorder, ctx.config, "deletions")
    assert cloudwatch.describe_alarms(AlarmNamePrefix="p2p-")["MetricAlarms"] == []
    assert not [t for t in sns.list_topics()["Topics"] if ":p2p-" in t["TopicArn"]]


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackStandIn]:
    from slack_sdk.http_retry.builtin_interval_calculators import (
        FixedValueRetryIntervalCalculator,
    )

    monkeypatch.setattr(slack_module, "RETRY_INTERVAL", FixedValueRetryIntervalCalculator(0.01))
    with slack_standin() as standin:
        monkeypatch.setenv(BASE_URL_ENV, standin.base_url)
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token-never-shown")
        yield standin


def test_each_daemon_job_run_once_is_allowed(
    aws: SessionFactory,
    recording: tuple[SessionFactory, Recorder],
    slack: SlackStandIn,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    factory, recorder = recording
    monkeypatch.setenv("P2P_PAGERDUTY_KEY", "demo-key")
    seed_demo_account(aws)
    config = load_config(REPOSITORY)
    # The severity topics the anomaly notices go to, as apply makes them.
    kinds = [Topics()]
    ctx = SyncContext(config=config, factory=aws, region="us-east-1")
    assert apply(ctx, plan(ctx, kinds), kinds).ok
    # The root configuration with the daemon's heartbeat watched (`self_monitoring:`).
    config.project = config.project.model_copy(
        update={"self_monitoring": SelfMonitoring(severity="critical")}
    )
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    daemon = Daemon(config, factory, store)
    outcomes = {}
    with recorder.flow("daemon"):
        for name in registered_jobs():
            outcomes[name] = daemon.run_job(name)
        assert heartbeat(factory, config, "daemon").beat()
    store.dispose()
    assert {name: o.status for name, o in outcomes.items()} == dict.fromkeys(
        registered_jobs(), "succeeded"
    ), {name: o.summary for name, o in outcomes.items()}
    _check(recorder, config, "daemon")
    assert {"ce:GetCostAndUsage", "cloudwatch:PutMetricData"} <= recorder.calls["daemon"]


DAY = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
EARLIER = DAY - timedelta(minutes=5)


def test_the_router_processing_alarm_messages_is_allowed(
    aws: SessionFactory,
    recording: tuple[SessionFactory, Recorder],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    factory, recorder = recording
    monkeypatch.setenv("TEST_PD_KEY", "R0UT1NGKEY0000000000000000000000")
    monkeypatch.setenv("TEST_SLACK_TOKEN", "xoxb-test-token")
    root = write_project(tmp_path / "shop")
    with (root / "sentinel.yaml").open("a") as project:
        project.write("self_monitoring: {severity: critical}\n")
    config = load_config(root)
    kinds = [Topics(), RouterQueueKind()]
    ctx = SyncContext(config=config, factory=aws, region="us-east-1")
    assert apply(ctx, plan(ctx, kinds), kinds).ok
    aws.client("ses").verify_domain_identity(Domain="shop.example")
    sns = aws.client("sns")
    with stand_ins() as standins, time_machine.travel(DAY, tick=False):
        with recorder.flow("route"):
            router = build_router(
                config,
                factory,
                store=Store(f"sqlite:///{tmp_path / 'router.db'}"),
                endpoints=standins.endpoints(),
            )
            consumer = build_consumer(config, factory, router)
        for severity, state in (("critical", "ALARM"), ("low", "ALARM"), ("critical", "OK")):
            message = metric_alarm("rds-cpu-high", severity, state, EARLIER)
            sns.publish(TopicArn=topic_arn(severity), Message=json.dumps(message))
        aws.client("sqs").send_message(QueueUrl=consumer.queue.url, MessageBody="<html>502</html>")
        with recorder.flow("route"):
            report = consumer.drain(wait=0)
            consumer.tick()
            assert heartbeat(factory, config, "router").beat()
    assert report.received >= 4 and report.actions, "the router decided nothing"
    assert standins.pagerduty.events, "nothing was paged"
    _check(recorder, config, "route")
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "cloudwatch:PutMetricData"} <= (
        recorder.calls["route"]
    )


def test_import_of_a_hand_made_estate_then_its_adoption_is_allowed(
    aws: SessionFactory,
    recording: tuple[SessionFactory, Recorder],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from sentinel.emulator.estate import PROJECT, SECRETS, build_estate
    from sentinel.importer.run import import_config

    factory, recorder = recording
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    build_estate(aws)
    target = tmp_path / "imported"
    with recorder.flow("import"):
        result = import_config(factory, target, "us-east-1", project=PROJECT)
    assert result.read_calls > 0
    ctx = _context(factory, target)
    # The imported estate is adopted: apply tags what it names, and needs nothing more.
    _plan_and_apply(recorder, ctx)
    _check(recorder, ctx.config, "import")
    assert {"cloudwatch:DescribeAlarms", "sns:ListTopics"} <= recorder.calls["import"]
    assert "cloudwatch:TagResource" in recorder.calls["apply"]
