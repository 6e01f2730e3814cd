"""``sentinel inventory`` through click, against the emulated account."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sentinel.aws.session import SessionFactory
from sentinel.cli import SentinelGroup
from sentinel.cli.inventory import inventory, parse_tag_filter


@pytest.fixture(autouse=True)
def shared_session(aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands build their factory on the test's boto3 Session, as the other tests do.

    A new Session per command would load every service model again (about half a second).
    """
    session = aws.session()

    def factory(**options: Any) -> SessionFactory:
        return SessionFactory(
            session=session, region=options.get("region"), counter=options.get("counter")
        )

    monkeypatch.setattr("sentinel.cli.options.SessionFactory", factory)


def run(*args: str) -> Result:
    group = SentinelGroup(commands={"inventory": inventory})
    return CliRunner().invoke(group, ["inventory", *args])


@pytest.fixture
def account(aws: SessionFactory) -> SessionFactory:
    sqs = aws.client("sqs")
    sqs.create_queue(QueueName="orders", tags={"Environment": "production", "Name": "Orders"})
    sqs.create_queue(QueueName="emails", tags={"Environment": "production"})
    sqs.create_queue(QueueName="reports", tags={"Environment": "staging"})
    sqs.create_queue(QueueName="scratch")
    aws.client("s3").create_bucket(Bucket="acme-logs")
    return aws


@pytest.mark.usefixtures("account")
def test_summary_table_per_type_and_environment() -> None:
    result = run()

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Resources in us-east-1" in lines[0]
    queues = next(line for line in lines if "sqs:queue" in line)
    assert "4" in queues
    assert "production 2, staging 1, (none) 1" in queues
    buckets = next(line for line in lines if "s3:bucket" in line)
    assert "(none) 1" in buckets
    assert "orders" not in result.output  # resources are listed only with --type


@pytest.mark.usefixtures("account")
def test_type_and_tag_list_the_matching_resources() -> None:
    result = run("--type", "sqs:queue", "--tag", "Environment=production")

    assert result.exit_code == 0, result.output
    assert "production 2" in result.output
    assert "orders" in result.output and "Orders" in result.output
    assert "emails" in result.output
    assert "reports" not in result.output and "scratch" not in result.output
    assert "s3:bucket" not in result.output


@pytest.mark.usefixtures("account")
def test_json_output() -> None:
    result = run(
        "--type",
        "sqs:queue",
        "--tag",
        "Environment=production",
        "--tag",
        "Environment=staging",
        "--format",
        "json",
    )

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["regions"] == ["us-east-1"]
    assert data["summary"] == [
        {
            "type": "sqs:queue",
            "count": 3,
            "tag": "Environment",
            "by_tag": {"production": 2, "staging": 1},
            "without_tag": 0,
        }
    ]
    by_id = {resource["id"]: resource for resource in data["resources"]}
    assert set(by_id) == {"orders", "emails", "reports"}
    assert by_id["orders"]["name"] == "Orders"
    assert by_id["orders"]["arn"] == "arn:aws:sqs:us-east-1:123456789012:orders"
    assert by_id["orders"]["tags"] == {"Environment": "production", "Name": "Orders"}
    assert by_id["orders"]["attributes"]["url"].endswith("/123456789012/orders")


@pytest.mark.usefixtures("account")
def test_json_summary_without_type_has_no_resources() -> None:
    data = json.loads(run("--format", "json").output)
    assert {s["type"]: s["count"] for s in data["summary"]} == {"s3:bucket": 1, "sqs:queue": 4}
    assert data["resources"] == []


def test_region_option_chooses_the_region(account: SessionFactory) -> None:
    account.client("sqs", region="eu-west-1").create_queue(QueueName="audit")

    result = run("--region", "eu-west-1", "--type", "sqs:queue")

    assert result.exit_code == 0, result.output
    assert "Resources in eu-west-1" in result.output
    assert "audit" in result.output
    assert "orders" not in result.output


@pytest.mark.usefixtures("aws")
def test_unknown_type_is_a_user_error_with_a_suggestion() -> None:
    result = run("--type", "sqs:queues")

    assert result.exit_code == 1
    assert "unknown resource type 'sqs:queues'; did you mean 'sqs:queue'?" in result.output
    assert "Traceback" not in result.output


@pytest.mark.usefixtures("aws")
def test_bad_tag_filter_is_a_usage_error() -> None:
    result = run("--tag", "Environment")

    assert result.exit_code == 1  # a usage error; 2 would read as "changes"
    assert "expected KEY=VALUE" in result.output


@pytest.mark.usefixtures("aws")
def test_empty_account() -> None:
    result = run("--type", "rds:db")
    assert result.exit_code == 0, result.output
    assert "No resources found in us-east-1." in result.output


def test_tag_filter_from_pairs() -> None:
    assert parse_tag_filter(["Environment=prod", "Team=a", "Environment=dev", "Empty="]) == {
        "Environment": ["prod", "dev"],
        "Team": "a",
        "Empty": "",
    }
