"""``sentinel init`` on the demo account: the starter configuration validates and plans."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner, Result
from moto import mock_aws

from sentinel.aws.session import SessionFactory
from sentinel.cli import main
from sentinel.config import load_config
from sentinel.emulator.demo import seed_demo_account
from sentinel.inventory import Inventory
from sentinel.starter import for_type
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import plan
from sentinel.sync.model import Action

REGION = "us-east-1"
EMAIL = "ops@example.com"


@pytest.fixture(scope="module")
def demo() -> Iterator[SessionFactory]:
    """The seeded demo account, shared by the tests of this module (none changes it)."""
    with mock_aws():
        factory = SessionFactory(session=boto3.Session(region_name=REGION), region=REGION)
        seed_demo_account(factory)
        yield factory


@pytest.fixture
def commands_on(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Point the CLI's factory at a given account's boto3 Session."""

    def use(factory: SessionFactory) -> None:
        session = factory.session()

        def build(**options: Any) -> SessionFactory:
            return SessionFactory(
                session=session, region=options.get("region"), counter=options.get("counter")
            )

        monkeypatch.setattr("sentinel.cli.options.SessionFactory", build)

    return use


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _plan(directory: Path, factory: SessionFactory) -> Any:
    config = load_config(directory)
    return plan(SyncContext(config=config, factory=factory, region=REGION))


def test_init_writes_alarms_that_validate_and_plan_per_resource(
    demo: SessionFactory, commands_on: Any, tmp_path: Path
) -> None:
    commands_on(demo)
    target = tmp_path / "My Team!"
    result = run("init", "-C", str(target), "--email", EMAIL, "--region", REGION)
    assert result.exit_code == 0, result.output
    assert "project my-team, critical and warning routed to ops@example.com" in result.stdout
    assert "recommended-ec2-instance.yaml" in result.stdout
    assert (target / "sentinel.yaml").is_file()
    routing = (target / "alarms" / "routing.yaml").read_text()
    assert routing.count(f"email: {EMAIL}") == 2

    validated = run("validate", "-C", str(target), "--region", REGION)
    assert validated.exit_code == 0, validated.output
    assert "project my-team is valid" in validated.stdout

    changes = _plan(target, demo).changes
    assert changes and all(c.action is Action.CREATE for c in changes)
    alarms = {c.key: c.desired.payload["params"] for c in changes if c.kind == "alarm"}
    inventory = Inventory(demo, [REGION])
    instances = inventory.discover("ec2:instance")
    cpu = next(r for r in for_type("ec2:instance") if r.metric == "CPUUtilization")
    for instance in instances:
        params = alarms[f"my-team-ec2-instance-cpu-utilization-{instance.id}"]
        assert params["MetricName"] == "CPUUtilization"
        assert params["Dimensions"] == [{"Name": "InstanceId", "Value": instance.id}]
        assert (params["Statistic"], params["Period"], params["Threshold"]) == ("Average", 300, 80)
        assert params["ComparisonOperator"] == "GreaterThanThreshold"
        assert (params["EvaluationPeriods"], params["DatapointsToAlarm"]) == (3, 3)
        assert params["AlarmDescription"].startswith(cpu.intent)
        assert params["AlarmDescription"].endswith(f"Runbook: {cpu.source}")
    # One alarm per resource for every written rule of every type found.
    services = inventory.discover("ecs:service")
    for name in ("cpu-utilization", "memory-utilization", "ebs-filesystem-utilization"):
        made = [key for key in alarms if key.startswith(f"my-team-ecs-service-{name}-")]
        assert len(made) == len(services)
    postgres = [r for r in inventory.discover("rds:db") if r.attributes["engine"] == "postgres"]
    assert postgres
    for db in postgres:
        params = alarms[f"my-team-rds-db-maximum-used-transaction-ids-{db.id}"]
        assert params["Threshold"] == 1e9
    # DocumentDB instances are rds:db too, but no RDS recommendation is for them.
    docdb = [r for r in inventory.discover("rds:db") if r.attributes["engine"] == "docdb"]
    assert docdb
    assert not [key for key in alarms for db in docdb if key.endswith(db.id)]
    topics = {c.key for c in changes if c.kind == "topic"}
    assert topics == {"my-team-critical", "my-team-warning"}

    shown = run("plan", "-C", str(target), "--region", REGION)
    assert shown.exit_code == 0, shown.output
    first = sorted(instances, key=lambda r: r.id)[0]
    assert f"+ alarm my-team-ec2-instance-cpu-utilization-{first.id}" in shown.stdout
    assert 'description: "This alarm is used to detect high CPU utilization.' in shown.stdout


def test_types_without_resources_write_no_file_and_skipped_rows_are_comments(
    demo: SessionFactory, commands_on: Any, tmp_path: Path
) -> None:
    commands_on(demo)
    result = run("init", "-C", str(tmp_path), "--email", EMAIL, "--project", "demo")
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "alarms").iterdir())
    assert "recommended-dynamodb-table.yaml" not in written
    assert "recommended-sqs-queue.yaml" not in written
    assert "recommended-cloudfront-distribution.yaml" not in written
    # Lambda's recommendations all depend on the workload: the file holds them as comments.
    lambda_file = (tmp_path / "alarms" / "recommended-lambda-function.yaml").read_text()
    assert "alarms: []" in lambda_file
    assert "# Errors: not written: AWS publishes no threshold" in lambda_file
    assert "#     condition: '> <threshold>'" in lambda_file
