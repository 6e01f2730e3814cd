"""``sentinel iam-policy``: a valid, deterministic policy per flow, derived from declared calls."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from click.testing import CliRunner

from sentinel.aws.failures import iam_action
from sentinel.aws.iam_policy import (
    APPLY_LOCK_CALLS,
    FLOWS,
    UnknownFlowError,
    actions_of,
    api_call,
    declared_calls,
    policy,
)
from sentinel.aws.organization import CALLS as ORGANIZATION_CALLS
from sentinel.cli import main
from sentinel.config import load_config
from sentinel.inventory import resource_types

REPOSITORY = Path(__file__).resolve().parents[2]
# Clients whose operations the declared calls name (with the inventory's, from its catalog).
CLIENTS = (
    "cloudwatch",
    "sns",
    "sqs",
    "budgets",
    "ce",
    "sts",
    "ssm",
    "secretsmanager",
    "kms",
    "ses",
    "resourcegroupstaggingapi",
    "logs",
    "events",
    "route53",
    "synthetics",
    "compute-optimizer",
    "athena",
    "glue",
    "s3",
    "organizations",
)


def run(*args: str) -> Any:
    return CliRunner().invoke(main, ["iam-policy", "-C", str(REPOSITORY), *args])


def actions(document: dict[str, Any]) -> set[str]:
    return {action for statement in document["Statement"] for action in statement["Action"]}


def statement_of(document: dict[str, Any], action: str) -> dict[str, Any]:
    [found] = [s for s in document["Statement"] if action in s["Action"]]
    return found


def test_the_printed_policy_is_valid_json_and_the_same_every_time() -> None:
    first, second = run(), run()
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    document = json.loads(first.output)
    assert document["Version"] == "2012-10-17"
    statements = document["Statement"]
    sids = [s["Sid"] for s in statements]
    assert len(set(sids)) == len(sids) and all(sid.isalnum() for sid in sids)
    services = [s["Action"][0].split(":")[0] for s in statements]
    assert services == sorted(services)
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert statement["Action"] == sorted(set(statement["Action"]))
        assert {a.split(":")[0] for a in statement["Action"]} == {
            statement["Action"][0].split(":")[0]
        }
        assert statement["Resource"] == "*" or statement["Resource"] == sorted(
            statement["Resource"]
        )


def test_for_narrows_the_policy_to_one_flow() -> None:
    every = actions(json.loads(run().output))
    by_flow = {flow: actions(json.loads(run("--for", flow).output)) for flow in FLOWS}
    assert set().union(*by_flow.values()) == every
    assert by_flow["plan"] < by_flow["apply"]
    assert "cloudwatch:PutMetricAlarm" in by_flow["apply"] - by_flow["plan"]
    assert "cloudwatch:DescribeAlarms" in by_flow["plan"]
    assert "ce:GetCostAndUsage" in by_flow["daemon"] - by_flow["apply"]
    assert "sqs:ReceiveMessage" in by_flow["route"] - by_flow["apply"]
    assert not any(a.startswith(("ec2:", "ce:", "sns:")) for a in by_flow["route"])
    # The apply lock's parameter.
    assert {"ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter"} <= by_flow["apply"]
    assert not {"ssm:PutParameter"} & by_flow["plan"]


def test_an_unknown_flow_is_refused() -> None:
    result = run("--for", "deploy")
    assert result.exit_code == 1  # a usage error, as every bad input
    assert "'deploy' is not one of 'plan', 'apply', 'import', 'daemon', 'route'" in result.output
    with pytest.raises(UnknownFlowError, match="unknown flow 'deploy'"):
        declared_calls("deploy")


def test_calls_map_to_the_iam_actions_aws_names() -> None:
    assert api_call("elbv2", "describe_load_balancers") == (
        "elasticloadbalancing:DescribeLoadBalancers"
    )
    assert api_call("resourcegroupstaggingapi", "get_resources") == "tag:GetResources"
    assert api_call("cloudwatch", "describe_alarms") == "cloudwatch:DescribeAlarms"
    assert actions_of("s3:ListBuckets") == ("s3:ListAllMyBuckets",)
    assert actions_of("budgets:DescribeBudgets") == ("budgets:ViewBudget",)
    assert actions_of("budgets:CreateBudget") == ("budgets:ModifyBudget", "budgets:TagResource")
    assert actions_of("sqs:DeleteMessageBatch") == ("sqs:DeleteMessage",)
    assert actions_of("cloudwatch:DescribeAlarms") == ("cloudwatch:DescribeAlarms",)
    plan = actions(policy("plan"))
    assert "s3:ListAllMyBuckets" in plan and "s3:ListBuckets" not in plan
    assert "budgets:ViewBudget" in plan and "budgets:DescribeBudgets" not in plan


def test_every_declared_call_is_an_operation_of_botocore() -> None:
    session = botocore.session.get_session()
    clients = {*CLIENTS, *(spec.service for spec in resource_types().values())}
    known = set()
    for client in clients:
        model = session.get_service_model(client)
        known.update(iam_action(model, name) for name in model.operation_names)
    config = load_config(REPOSITORY)
    declared = set().union(*(declared_calls(flow, config) for flow in FLOWS))
    assert declared - known == set()
    assert set(APPLY_LOCK_CALLS) <= known


def test_writes_are_scoped_to_the_project_and_reads_are_not() -> None:
    apply = json.loads(run("--for", "apply").output)
    assert statement_of(apply, "cloudwatch:PutMetricAlarm")["Resource"] == [
        "arn:aws:cloudwatch:*:*:alarm:p2p-*"
    ]
    assert statement_of(apply, "cloudwatch:TagResource")["Resource"] == [
        "arn:aws:cloudwatch:*:*:alarm:p2p-*",
        "arn:aws:cloudwatch::*:dashboard/p2p-*",
    ]
    assert statement_of(apply, "sns:CreateTopic")["Resource"] == ["arn:aws:sns:*:*:p2p-*"]
    assert statement_of(apply, "sqs:CreateQueue")["Resource"] == ["arn:aws:sqs:*:*:p2p-*"]
    assert statement_of(apply, "budgets:ModifyBudget")["Resource"] == [
        "arn:aws:budgets::*:budget/p2p-*"
    ]
    for read in ("cloudwatch:DescribeAlarms", "tag:GetResources", "budgets:ViewBudget"):
        assert statement_of(apply, read)["Resource"] == "*"
    assert statement_of(apply, "apigateway:GET")["Resource"] == ["arn:aws:apigateway:*::/restapis"]
    # The apply lock's parameter and its takeover markers.
    assert statement_of(apply, "ssm:PutParameter")["Resource"] == [
        "arn:aws:ssm:*:*:parameter/sentinel/p2p/apply-lock*"
    ]
    # import reads what exists whatever its name.
    imported = json.loads(run("--for", "import").output)
    assert statement_of(imported, "cloudwatch:GetDashboard")["Resource"] == "*"
    assert not actions(imported) & {"cloudwatch:PutMetricAlarm", "ssm:PutParameter"}


def test_secrets_the_config_references_are_read_and_no_others(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    (root / "alarms").mkdir(parents=True)
    (root / "sentinel.yaml").write_text("project: shop\nregions: [eu-west-1]\n")
    (root / "alarms" / "routing.yaml").write_text(
        "severities:\n"
        "  critical:\n"
        "    notify:\n"
        "      - pagerduty: {integration_key: ssm:/shop/pagerduty}\n"
        "      - slack: {channel: '#ops', token: secretsmanager:shop/slack}\n"
        "  low:\n"
        "    notify:\n"
        "      - slack: {channel: '#ops', token: env:SLACK_TOKEN}\n"
    )
    result = CliRunner().invoke(main, ["iam-policy", "-C", str(root), "--for", "route"])
    assert result.exit_code == 0, result.output
    route = json.loads(result.output)
    assert statement_of(route, "ssm:GetParameter")["Resource"] == [
        "arn:aws:ssm:*:*:parameter/shop/pagerduty"
    ]
    assert statement_of(route, "secretsmanager:GetSecretValue")["Resource"] == [
        "arn:aws:secretsmanager:*:*:secret:shop/slack-*"
    ]
    decrypt = statement_of(route, "kms:Decrypt")
    assert decrypt["Resource"] == "*"
    assert decrypt["Condition"] == {
        "StringLike": {"kms:ViaService": ["secretsmanager.*.amazonaws.com", "ssm.*.amazonaws.com"]}
    }
    assert statement_of(route, "sqs:ReceiveMessage")["Resource"] == ["arn:aws:sqs:*:*:shop-*"]
    # The root project references its secrets through the environment only: no secret reads.
    root_route = json.loads(run("--for", "route").output)
    assert not actions(root_route) & {"ssm:GetParameter", "kms:Decrypt"}


# IAM quotas: a customer managed policy holds up to 6,144 characters, whitespace not counted
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
MANAGED_POLICY_CHARACTERS = 6144


def test_every_policy_fits_in_one_managed_policy() -> None:
    for args in ([], *(["--for", flow] for flow in FLOWS)):
        text = "".join(run(*args).output.split())
        assert len(text) <= MANAGED_POLICY_CHARACTERS, (args, len(text))


def _project(tmp_path: Path, accounts: str, organization: str = "") -> Path:
    root = tmp_path / "shop"
    root.mkdir()
    (root / "sentinel.yaml").write_text(
        f"project: shop\nregions: [eu-west-1, us-east-1]\n{accounts}{organization}"
    )
    return root


def test_a_project_of_several_accounts_may_assume_their_roles(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        "accounts:\n"
        "  - {id: '111111111111', name: prod, role: sentinel}\n"
        "  - {id: '222222222222', name: dev, role: 'arn:aws:iam::222222222222:role/ops/watch'}\n"
        "  - {id: '333333333333', name: billing}\n",
    )
    for flow in FLOWS:
        result = CliRunner().invoke(main, ["iam-policy", "-C", str(root), "--for", flow])
        assert result.exit_code == 0, result.output
        document = json.loads(result.output)
        assert statement_of(document, "sts:AssumeRole")["Resource"] == [
            "arn:aws:iam::111111111111:role/sentinel",
            "arn:aws:iam::222222222222:role/ops/watch",
        ], flow
        assert not {a for a in actions(document) if a.startswith("organizations:")}, flow


def test_an_organization_adds_its_listings_and_its_role_in_any_account(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        "accounts:\n  - {id: '111111111111', name: prod, role: sentinel}\n",
        "organization: {ous: [ou-ab12-34cd56ef], role: sentinel-member}\n",
    )
    result = CliRunner().invoke(main, ["iam-policy", "-C", str(root), "--for", "plan"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert statement_of(document, "sts:AssumeRole")["Resource"] == [
        "arn:aws:iam::*:role/sentinel-member",
        "arn:aws:iam::111111111111:role/sentinel",
    ]
    assert statement_of(document, "organizations:ListAccountsForParent")["Resource"] == "*"
    assert {a for a in actions(document) if a.startswith("organizations:")} == set(
        ORGANIZATION_CALLS
    )


def test_a_project_of_one_account_assumes_no_role() -> None:
    assert "sts:AssumeRole" not in actions(json.loads(run().output))
