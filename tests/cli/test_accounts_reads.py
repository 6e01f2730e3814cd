"""inventory and tags audit in every (account, region) of a project of several accounts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result

from cli.shop_commands import invoke, share_session
from cli.test_accounts_fanout import MEMBERS, REGIONS, ROUTING, listed, make_role, member, project
from sentinel.aws.session import SessionFactory
from sentinel.cli.inventory import inventory
from sentinel.cli.tags import tags
from sync.shop import write_config

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

TAGGING = """\
tagging:
  required:
    - {key: CostCenter, default: ENG-100}
  resources: [ec2:volume]
"""


@pytest.fixture(autouse=True)
def shared_session(aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    share_session(aws, monkeypatch)


@pytest.fixture
def shop(aws: SessionFactory, tmp_path: Path) -> Path:
    for account in MEMBERS.values():
        make_role(account)
    member(aws, MEMBERS["production"]).client("sqs", region="us-east-1").create_queue(
        QueueName="orders", tags={"CostCenter": "ENG-7"}
    )
    member(aws, MEMBERS["dev"]).client("sqs", region="eu-west-1").create_queue(QueueName="scratch")
    member(aws, MEMBERS["dev"]).client("ec2", region="eu-west-1").create_volume(
        AvailabilityZone="eu-west-1a",
        Size=8,
        TagSpecifications=[
            {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "scratch-disk"}]}
        ],
    )
    files = {
        "sentinel.yaml": project(listed(MEMBERS)),
        "alarms/routing.yaml": ROUTING,
        "budgets/tagging.yaml": TAGGING,
    }
    return write_config(tmp_path / "shop", files)


def run(*args: str) -> Result:
    return invoke({"inventory": inventory, "tags": tags}, *args)


def sections(output: str) -> dict[str, str]:
    """The output under each ``account NAME (ID) · REGION`` header."""
    found: dict[str, str] = {}
    current = ""
    for line in output.splitlines():
        if line.startswith("account "):
            current = line
            found[current] = ""
        elif current:
            found[current] += line + "\n"
    return found


def test_inventory_lists_each_account_and_region(shop: Path) -> None:
    result = run("inventory", "-C", str(shop), "--type", "sqs:queue")

    assert result.exit_code == 0, result.output
    found = sections(result.output)
    production = f"account production ({MEMBERS['production']}) · us-east-1"
    dev = f"account dev ({MEMBERS['dev']}) · eu-west-1"
    assert len(found) == len(MEMBERS) * len(REGIONS)
    assert "orders" in found[production] and "scratch" not in found[production]
    assert "scratch" in found[dev]
    others = [text for header, text in found.items() if header not in (production, dev)]
    assert all("No resources found" in text for text in others)

    as_json = json.loads(run("inventory", "-C", str(shop), "--format", "json").stdout)
    counts = {
        (p["account_name"], p["region"]): sum(s["count"] for s in p["summary"])
        for p in as_json["places"]
    }
    assert counts[("production", "us-east-1")] == 1
    assert counts[("dev", "eu-west-1")] == 2  # the queue and the volume
    assert counts[("staging", "us-east-1")] == 0


def test_tags_audit_and_fix_in_each_account(aws: SessionFactory, shop: Path) -> None:
    audited = run("tags", "audit", "-C", str(shop), "--account", "dev")

    assert audited.exit_code == 2, audited.output
    found = sections(audited.output)
    assert "scratch-disk" in found[f"account dev ({MEMBERS['dev']}) · eu-west-1"]

    refused = run("tags", "audit", "-C", str(shop), "--fix")
    assert refused.exit_code == 1
    assert "pass --auto-approve" in refused.output

    fixed = run("tags", "audit", "-C", str(shop), "--fix", "--auto-approve")

    assert fixed.exit_code == 0, fixed.output
    ec2 = member(aws, MEMBERS["dev"]).client("ec2", region="eu-west-1")
    [volume] = ec2.describe_volumes()["Volumes"]
    assert {t["Key"]: t["Value"] for t in volume["Tags"]} == {
        "Name": "scratch-disk",
        "CostCenter": "ENG-100",
    }
    assert run("tags", "audit", "-C", str(shop)).exit_code == 0


def test_import_reads_the_account_it_names_through_its_role(
    aws: SessionFactory, tmp_path: Path
) -> None:
    from sentinel.cli.import_ import import_command

    for account in MEMBERS.values():
        make_role(account)
    member(aws, MEMBERS["staging"]).client("cloudwatch", region="eu-west-1").put_metric_alarm(
        AlarmName="checkout-latency",
        Namespace="AWS/ApplicationELB",
        MetricName="TargetResponseTime",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=5,
        Threshold=2.0,
        ComparisonOperator="GreaterThanThreshold",
    )
    target = write_config(tmp_path / "shop", {"sentinel.yaml": project(listed(MEMBERS))})

    imported = invoke(
        {"import": import_command},
        "import", "-C", str(target), "--account", "staging", "--region", "eu-west-1",
    )  # fmt: skip

    assert imported.exit_code == 0, imported.output
    # The alarm notifies nothing, so its rule waits outside the config for a severity.
    assert "aws_name: checkout-latency" in (target / "unrouted-alarms.yaml").read_text()
    # Two accounts, every region: one configuration, the alarm narrowed to where it is.
    several = invoke({"import": import_command}, "import", "-C", str(target), "--account", "dev",
                     "--account", "staging", "--force")  # fmt: skip
    assert several.exit_code == 0, several.output
    unrouted = (target / "unrouted-alarms.yaml").read_text()
    assert "aws_name: checkout-latency" in unrouted
    assert "accounts: [staging]" in unrouted and "regions: [eu-west-1]" in unrouted
