"""``--fix``: defaults added where a tag is missing; a tag someone set is never touched."""

from __future__ import annotations

from typing import Any

import pytest
from moto.resourcegroupstaggingapi.models import ResourceGroupsTaggingAPIBackend

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.inventory import Inventory
from sentinel.tags import apply_fix, audit, plan_fix

from .conftest import Shop


def _tags(aws: SessionFactory, instance_id: str) -> dict[str, str]:
    described = aws.client("ec2").describe_tags(
        Filters=[{"Name": "resource-id", "Values": [instance_id]}]
    )
    return {t["Key"]: t["Value"] for t in described["Tags"]}


def _plan(aws: SessionFactory, shop: Shop) -> Any:
    tagging = load_config(shop.root).tagging
    assert tagging is not None
    report = audit(Inventory(aws, ["us-east-1"]), tagging)
    return plan_fix(report, tagging)


def test_plan_adds_only_defaults_of_missing_tags(aws: SessionFactory, shop: Shop) -> None:
    plan = _plan(aws, shop)

    assert [(a.resource.name, dict(a.tags)) for a in plan.additions] == [
        ("batch", {"CostCenter": "ENG-100"}),
        ("legacy", {"CostCenter": "ENG-100"}),
    ]
    # legacy's wrong Environment and its Owner (no default) are left to a person.
    [legacy] = plan.left_to_people
    assert legacy.resource.name == "legacy"
    assert [str(p) for p in legacy.problems] == [
        "Environment='Prod': not one of production, staging",
        "Environment='Prod': not lower case",
        "Owner: missing",
    ]


def test_apply_adds_the_tags_and_keeps_every_value_a_person_set(
    aws: SessionFactory, shop: Shop
) -> None:
    plan = _plan(aws, shop)
    # Between the audit and the fix, someone tags batch's cost center by hand.
    aws.client("ec2").create_tags(
        Resources=[shop.instances["batch"]], Tags=[{"Key": "CostCenter", "Value": "DATA-7"}]
    )

    results = {r.addition.resource.name: r for r in apply_fix(aws, plan)}

    assert results["batch"].ok and dict(results["batch"].added) == {}
    assert dict(results["batch"].skipped) == {"CostCenter": "DATA-7"}
    assert _tags(aws, shop.instances["batch"])["CostCenter"] == "DATA-7"
    assert dict(results["legacy"].added) == {"CostCenter": "ENG-100"}
    assert _tags(aws, shop.instances["legacy"]) == {
        "Name": "legacy",
        "Environment": "Prod",  # wrong, and still as its owner set it
        "CostCenter": "ENG-100",
    }
    assert _tags(aws, shop.instances["web"]) == {
        "Name": "web",
        "Environment": "production",
        "CostCenter": "ENG-200",
        "Owner": "web-team",
    }


def test_a_resource_the_tagging_api_refuses_is_reported_alone(
    aws: SessionFactory, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = shop.instances["legacy"]
    original = ResourceGroupsTaggingAPIBackend.tag_resources

    def tag_resources(self: Any, resource_arns: list[str], tags: dict[str, str]) -> Any:
        failed = [arn for arn in resource_arns if arn.endswith(refused)]
        result = original(self, [a for a in resource_arns if a not in failed], tags)
        for arn in failed:
            result[arn] = {"StatusCode": 403, "ErrorCode": "AccessDenied", "ErrorMessage": "no"}
        return result

    monkeypatch.setattr(ResourceGroupsTaggingAPIBackend, "tag_resources", tag_resources)
    results = {r.addition.resource.name: r for r in apply_fix(aws, _plan(aws, shop))}

    assert results["legacy"].error == "AccessDenied: no"
    assert "CostCenter" not in _tags(aws, refused)
    assert results["batch"].ok and _tags(aws, shop.instances["batch"])["CostCenter"] == "ENG-100"


def test_tags_set_while_the_fix_waited_are_kept_on_every_page(
    aws: SessionFactory, tmp_path, small_tagging_pages: int
) -> None:
    """60 volumes: the re-read before writing follows every page of GetResources."""
    root = tmp_path / "volumes"
    (root / "budgets").mkdir(parents=True)
    (root / "sentinel.yaml").write_text("project: shop\nregions: [us-east-1]\n")
    (root / "budgets" / "tagging.yaml").write_text(
        "tagging:\n  required:\n    - {key: CostCenter, default: ENG-100}\n"
        "  resources: [ec2:volume]\n"
    )
    ec2 = aws.client("ec2")
    volumes = []
    for n in range(60):
        tags = [{"Key": "Name", "Value": f"data-{n}"}, {"Key": "Environment", "Value": "dev"}]
        created = ec2.create_volume(
            AvailabilityZone="us-east-1a",
            Size=8,
            TagSpecifications=[{"ResourceType": "volume", "Tags": tags}],
        )
        volumes.append(created["VolumeId"])
    tagging = load_config(root).tagging
    assert tagging is not None
    plan = plan_fix(audit(Inventory(aws, ["us-east-1"]), tagging), tagging)
    assert len(plan.additions) == 60
    # While the fix waits for confirmation, someone sets every cost center by hand.
    ec2.create_tags(Resources=volumes, Tags=[{"Key": "CostCenter", "Value": "DATA-7"}])

    results = apply_fix(aws, plan)

    assert len(results) == 60 and all(r.ok for r in results)
    assert [dict(r.added) for r in results if r.added] == []
    assert all(dict(r.skipped) == {"CostCenter": "DATA-7"} for r in results)
    described = ec2.describe_tags(Filters=[{"Name": "key", "Values": ["CostCenter"]}])["Tags"]
    assert {t["ResourceId"]: t["Value"] for t in described} == dict.fromkeys(volumes, "DATA-7")
