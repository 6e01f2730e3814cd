"""``sentinel init`` on accounts without the demo: refusals, and account-wide recommendations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sentinel.aws.session import SessionFactory
from sentinel.cli import main
from sentinel.config import load_config
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import plan

REGION = "us-east-1"
EMAIL = "ops@example.com"


@pytest.fixture
def commands_on(aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> SessionFactory:
    """The CLI's factory on the test's boto3 Session (an empty emulated account)."""
    session = aws.session()

    def build(**options: Any) -> SessionFactory:
        return SessionFactory(
            session=session, region=options.get("region"), counter=options.get("counter")
        )

    monkeypatch.setattr("sentinel.cli.options.SessionFactory", build)
    return aws


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _plan(directory: Path, factory: SessionFactory) -> Any:
    config = load_config(directory)
    return plan(SyncContext(config=config, factory=factory, region=REGION))


def test_account_wide_recommendations_are_one_alarm(
    commands_on: SessionFactory, tmp_path: Path
) -> None:
    aws = commands_on
    aws.client("dynamodb").create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    result = run("init", "-C", str(tmp_path), "--email", EMAIL, "--project", "tables")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "alarms").iterdir()) == [
        "recommended-dynamodb-table.yaml",
        "routing.yaml",
    ]
    assert run("validate", "-C", str(tmp_path)).exit_code == 0
    alarms = {c.key: c for c in _plan(tmp_path, aws).changes if c.kind == "alarm"}
    assert set(alarms) == {
        "tables-dynamodb-table-account-provisioned-read-capacity-utilization",
        "tables-dynamodb-table-account-provisioned-write-capacity-utilization",
    }
    params = alarms["tables-dynamodb-table-account-provisioned-read-capacity-utilization"]
    assert params.desired.payload["params"]["Dimensions"] == []


@pytest.mark.usefixtures("commands_on")
def test_bad_email_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "new"
    result = run("init", "-C", str(target), "--email", "ops.example.com")
    assert result.exit_code == 1
    assert "--email 'ops.example.com' is not an email address" in result.stderr
    assert not target.exists()
    result = run("init", "-C", str(target), "--email", EMAIL, "--project", "Bad Name")
    assert result.exit_code == 1
    assert "--project 'Bad Name' is not a project name" in result.stderr
    assert not target.exists()


@pytest.mark.usefixtures("commands_on")
def test_non_empty_directory_is_refused_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    result = run("init", "-C", str(tmp_path), "--email", EMAIL)
    assert result.exit_code == 1
    assert "is not empty" in result.stderr and "--force" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]

    forced = run("init", "-C", str(tmp_path), "--email", EMAIL, "--force")
    assert forced.exit_code == 0, forced.output
    assert "No resource with a recommended alarm found" in forced.stdout
    assert (tmp_path / "notes.txt").read_text() == "mine\n"
    assert sorted(p.name for p in (tmp_path / "alarms").iterdir()) == ["routing.yaml"]
    assert run("validate", "-C", str(tmp_path)).exit_code == 0
