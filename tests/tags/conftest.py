"""An account with a few resources tagged well and badly, and rules to audit them against."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sentinel.aws.session import SessionFactory
from sentinel.emulator.extensions import install

PROJECT = "project: shop\nregions: [us-east-1]\n"
TAGGING = """\
tagging:
  required:
    - key: Environment
      values: [production, staging]
      case: lower
    - key: CostCenter
      pattern: "^[A-Z]+-[0-9]+$"
      default: ENG-100
    - key: Owner
  resources: [ec2:instance, s3:bucket]
"""
GOOD = {"Environment": "production", "CostCenter": "ENG-200", "Owner": "web-team"}


@dataclass(frozen=True)
class Shop:
    """The config directory and the ids of the account's instances by Name."""

    root: Path
    instances: dict[str, str]


def _instance(aws: SessionFactory, name: str, tags: dict[str, str]) -> str:
    tags = {**tags, "Name": name}
    reservation = aws.client("ec2").run_instances(
        ImageId="ami-12c6146b",
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ],
    )
    return str(reservation["Instances"][0]["InstanceId"])


@pytest.fixture
def shop(aws: SessionFactory, tmp_path: Path) -> Shop:
    """web (compliant), batch (no CostCenter), legacy (Environment=Prod, no CostCenter, no
    Owner) and the assets bucket (compliant)."""
    install()
    instances = {
        "web": _instance(aws, "web", GOOD),
        "batch": _instance(aws, "batch", {"Environment": "staging", "Owner": "data-team"}),
        "legacy": _instance(aws, "legacy", {"Environment": "Prod"}),
    }
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="shop-assets")
    s3.put_bucket_tagging(
        Bucket="shop-assets",
        Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in GOOD.items()]},
    )
    root = tmp_path / "shop"
    (root / "budgets").mkdir(parents=True)
    (root / "sentinel.yaml").write_text(PROJECT)
    (root / "budgets" / "tagging.yaml").write_text(TAGGING)
    return Shop(root, instances)


@pytest.fixture
def shared_session(aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """CLI commands build their factory on the test's boto3 Session (one Session per test)."""
    session = aws.session()

    def factory(**options: Any) -> SessionFactory:
        return SessionFactory(
            session=session, region=options.get("region"), counter=options.get("counter")
        )

    monkeypatch.setattr("sentinel.cli.options.SessionFactory", factory)
