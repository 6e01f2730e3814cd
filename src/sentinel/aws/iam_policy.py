"""The IAM policy for what Sentinel calls, derived from the calls each part declares.

Every part that calls AWS declares its API calls as ``<prefix>:<Operation>`` (the IAM prefix of
``sentinel.aws.failures.iam_action``, the operation as botocore names it): each managed kind its
``reads`` (plan) and ``writes`` (apply), each inventory resource type its listing (from
``resource_types.yaml``) and the code per type its extra calls, each daemon job its ``calls``,
the router its consumer's and destinations' calls, the daemon and the router their heartbeat's
when ``self_monitoring:`` watches them (``sentinel.telemetry.heartbeat``), secret references
theirs. A flow's policy is
the union of its parts' calls, each mapped to the IAM actions it needs (``iam_actions.yaml`` for
the calls whose action is named otherwise), grouped by service and sorted.

Resources: ``*`` where the action has no resource-level permission (List/Describe calls, tag
reads, Cost Explorer, metric reads), or where the name is not Sentinel's to choose (the lock's
parameter, SES identities). Writes to the resources Sentinel manages are scoped to the names it
gives them: the project's prefix (``<project>-*``), and the names the config spells out
(``aws_name:``, placeholders as ``*``); secrets to the parameters and secrets the config
references. A project of several accounts adds what the caller needs to reach them:
``sts:AssumeRole`` on the roles sentinel.yaml names (each account's, and the organization's role
in any account), and the Organizations listings when it has ``organization:``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import botocore.session
import yaml
from botocore import xform_name

from sentinel.aws.failures import iam_action
from sentinel.aws.regions import partition_of
from sentinel.errors import SentinelError
from sentinel.sync.lock import CALLS as LOCK_CALLS
from sentinel.sync.lock import PARAMETER_PATTERN as LOCK_PARAMETER

if TYPE_CHECKING:
    from sentinel.config import Config

POLICY_VERSION = "2012-10-17"
IAM_ACTIONS_FILE = "iam_actions.yaml"
FLOWS = ("plan", "apply", "import", "daemon", "route")
# Every command that works in an account may read the caller's identity (accounts:, ARNs).
BASE_CALLS = ("sts:GetCallerIdentity",)
# A project of several accounts: the caller assumes each account's role.
ASSUME_ROLE = "sts:AssumeRole"
# The apply lock (and `sentinel unlock`): its SSM parameter and takeover markers.
APPLY_LOCK_CALLS = LOCK_CALLS
# What a parameter or secret encrypted with a customer-managed key needs, only through SSM or
# Secrets Manager (the kms:ViaService condition); AWS-managed keys need nothing more.
KMS_DECRYPT = "kms:Decrypt"
KMS_VIA = ("secretsmanager.*.amazonaws.com", "ssm.*.amazonaws.com")

# IAM action -> the ARNs (templates) it is scoped to; every other action is on "*".
# {partition}; {names} expands to one ARN per managed name pattern (the prefix and config names).
_SCOPED: dict[str, tuple[str, ...]] = {}
_ALARM = "arn:{partition}:cloudwatch:*:*:alarm:{name}"
_DASHBOARD = "arn:{partition}:cloudwatch::*:dashboard/{name}"
_TOPIC = "arn:{partition}:sns:*:*:{name}"
_QUEUE = "arn:{partition}:sqs:*:*:{name}"
_BUDGET = "arn:{partition}:budgets::*:budget/{name}"
for _action in ("PutMetricAlarm", "PutCompositeAlarm", "DeleteAlarms"):
    _SCOPED[f"cloudwatch:{_action}"] = (_ALARM,)
for _action in ("PutDashboard", "DeleteDashboards", "GetDashboard"):
    _SCOPED[f"cloudwatch:{_action}"] = (_DASHBOARD,)
_SCOPED["cloudwatch:TagResource"] = (_ALARM, _DASHBOARD)
_SCOPED["cloudwatch:ListTagsForResource"] = (_ALARM, _DASHBOARD)
for _action in (
    "CreateTopic",
    "DeleteTopic",
    "GetTopicAttributes",
    "SetTopicAttributes",
    "TagResource",
    "Subscribe",
    "Unsubscribe",  # authorised on the subscription's ARN: <topic ARN>:<id>
    "ListSubscriptionsByTopic",
    "Publish",
):
    _SCOPED[f"sns:{_action}"] = (_TOPIC,)
for _action in (
    "CreateQueue",
    "DeleteQueue",
    "GetQueueUrl",
    "GetQueueAttributes",
    "SetQueueAttributes",
    "TagQueue",
    "ListQueueTags",
    "ReceiveMessage",
    "DeleteMessage",
    "ChangeMessageVisibility",
    "SendMessage",
):
    _SCOPED[f"sqs:{_action}"] = (_QUEUE,)
for _action in ("ModifyBudget", "TagResource"):
    _SCOPED[f"budgets:{_action}"] = (_BUDGET,)
# IAM action -> ARNs it is scoped to whatever the project: API Gateway's GET would otherwise read
# every API Gateway resource (API keys among them); the inventory lists REST APIs only.
_FIXED: dict[str, tuple[str, ...]] = {
    "apigateway:GET": ("arn:{partition}:apigateway:*::/restapis",)
}
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


class UnknownFlowError(SentinelError):
    """``--for`` named no flow."""


@cache
def _iam_actions() -> dict[str, tuple[str, ...]]:
    text = resources.files("sentinel").joinpath("data", IAM_ACTIONS_FILE).read_text("utf-8")
    return {str(call): tuple(actions) for call, actions in yaml.safe_load(text).items()}


def actions_of(call: str) -> tuple[str, ...]:
    """The IAM actions an API call (``s3:ListBuckets``) needs (``s3:ListAllMyBuckets``)."""
    return _iam_actions().get(call, (call,))


@cache
def _service_model(client_name: str) -> Any:
    return botocore.session.get_session().get_service_model(client_name)


# botocore's events (and so the call counter) name a service by its hyphenated service id,
# boto3 by its client name; where the two differ, for the services Sentinel calls.
CLIENT_OF_EVENT_NAME = {
    "cost-explorer": "ce",
    "resource-groups-tagging-api": "resourcegroupstaggingapi",
    "elastic-load-balancing-v2": "elbv2",
    "elastic-load-balancing": "elb",
    "cloudwatch-logs": "logs",
    "eventbridge": "events",
    "api-gateway": "apigateway",
    "sfn": "stepfunctions",
}


def api_call(client_name: str, operation: str) -> str:
    """``cloudwatch:DescribeAlarms`` for boto3's ``cloudwatch`` and ``describe_alarms`` (or the
    counter's ``cost-explorer`` and ``GetCostAndUsage``)."""
    model = _service_model(CLIENT_OF_EVENT_NAME.get(client_name, client_name))
    names = {xform_name(name): name for name in model.operation_names}
    name = names.get(operation, operation)
    if name not in model.operation_names:
        raise ValueError(f"{client_name} has no operation {operation!r}")
    return iam_action(model, name)


def declared_calls(flow: str, config: Config | None = None) -> set[str]:
    """The API calls a flow makes, as its parts declare them."""
    if flow not in FLOWS:
        known = ", ".join(FLOWS)
        raise UnknownFlowError(f"unknown flow {flow!r} for --for: expected one of {known}")
    from sentinel.inventory import inventory_calls
    from sentinel.sync.kinds import all_kinds

    calls = set(BASE_CALLS)
    kinds = all_kinds()
    if flow in ("plan", "apply", "import"):
        calls.update(call for kind in kinds for call in kind.reads)
        calls.update(inventory_calls())
    if flow == "import":
        calls.add("tag:GetResources")  # owners of what is found
    if flow == "apply":
        calls.update(call for kind in kinds for call in kind.writes)
        calls.update(APPLY_LOCK_CALLS)
    if flow == "daemon":
        from sentinel.cost.cur.calls import cost_export_calls
        from sentinel.daemon.registry import registered_jobs

        calls.update(cost_export_calls(config))
        for job in registered_jobs().values():
            calls.update(job.calls)
            if job.reads_inventory:
                calls.update(inventory_calls())
    if flow == "route":
        from sentinel.routing.service import router_calls

        calls.update(router_calls())
    if flow in ("daemon", "route"):
        from sentinel.telemetry.heartbeat import HEARTBEAT_CALLS
        from sentinel.telemetry.process import heartbeat_wanted

        if heartbeat_wanted(config, "daemon" if flow == "daemon" else "router"):
            calls.update(HEARTBEAT_CALLS)
    if flow != "import":
        calls.update(_secret_calls(config))
    calls.update(_account_calls(config))
    return calls


def _account_calls(config: Config | None) -> set[str]:
    """What reaching the accounts of a project of several accounts calls."""
    from sentinel.aws.organization import CALLS as ORGANIZATION_CALLS
    from sentinel.aws.places import fans_out

    if config is None or not fans_out(config.project):
        return set()
    calls = {ASSUME_ROLE}
    if config.project.organization is not None:
        calls.update(ORGANIZATION_CALLS)
    return calls


def _secret_calls(config: Config | None) -> set[str]:
    from sentinel.config.secrets import SECRET_CALLS, secret_references

    if config is None:
        return set()
    calls = {call for ref in secret_references(config) for call in SECRET_CALLS[ref.kind]}
    if calls:
        calls.add(KMS_DECRYPT)  # a customer-managed key, through SSM or Secrets Manager only
    return calls


@dataclass(frozen=True)
class Scope:
    """What the policy's resources are scoped by: the partition and the managed names."""

    partition: str = "aws"
    names: tuple[str, ...] = ("*",)
    parameters: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    # The apply lock's parameter name pattern (None: any parameter).
    lock_parameter: str | None = None
    # The roles assumed in the project's accounts (ARNs, ``*`` for any account's).
    roles: tuple[str, ...] = ()


def scope_of(config: Config, region: str | None = None) -> Scope:
    """The project's prefix and the names its config spells out, its secrets' names."""
    from sentinel.config.secrets import secret_references
    from sentinel.naming import prefix

    region = region or config.project.regions[0]
    partition = partition_of(region)
    names = {prefix(config.name) + "*", *_explicit_names(config)}
    refs = secret_references(config)
    return Scope(
        partition=partition,
        names=tuple(sorted(names)),
        parameters=tuple(sorted({r.name for r in refs if r.kind == "ssm"})),
        secrets=tuple(sorted({r.name for r in refs if r.kind == "secretsmanager"})),
        lock_parameter=LOCK_PARAMETER.format(project=config.name),
        roles=_roles(config, partition),
    )


def _roles(config: Config, partition: str) -> tuple[str, ...]:
    """The ARNs of the roles the accounts are worked in through; the organization's role is
    named alike in every account it finds."""
    from sentinel.config.models.project import role_arn

    project = config.project
    arns = {role_arn(a.role, a.id, partition) for a in project.accounts if a.role}
    if project.organization is not None:
        arns.add(role_arn(project.organization.role, "*", partition))
    return tuple(sorted(arns))


def _explicit_names(config: Config) -> set[str]:
    """Names given in full (``aws_name:``), placeholders widened to ``*``."""
    routing = config.routing
    owners: list[Any] = [
        *config.alarms,
        *config.composites,
        *config.dashboards,
        *config.budgets,
        *(routing.severities.values() if routing else ()),
    ]
    found = set()
    for owner in owners:
        name = getattr(owner, "aws_name", None)
        if isinstance(name, str) and name:
            found.add(_PLACEHOLDER.sub("*", name))
    return found


def policy(
    flow: str | None, config: Config | None = None, scope: Scope | None = None
) -> dict[str, Any]:
    """The IAM policy document for ``flow`` (every flow when None), deterministic."""
    if scope is None:
        scope = scope_of(config) if config is not None else Scope()
    merged: dict[str, set[str]] = {}
    for name in FLOWS if flow is None else (flow,):
        # import reads what exists, whatever its name: nothing it reads is scoped.
        flow_scope = replace(scope, names=("*",)) if name == "import" else scope
        for action, arns in grants(declared_calls(name, config), flow_scope).items():
            merged.setdefault(action, set()).update(arns)
    return document({a: ("*",) if "*" in r else tuple(sorted(r)) for a, r in merged.items()})


def grants(calls: Iterable[str], scope: Scope) -> dict[str, tuple[str, ...]]:
    """IAM action -> the resources it is allowed on, for the API calls ``calls``."""
    calls = set(calls)
    lock_calls = set(APPLY_LOCK_CALLS) if set(APPLY_LOCK_CALLS) <= calls else set()
    locking = _lock_actions() if lock_calls else set()
    # The lock's actions on its parameter; the same actions for other calls (a secret's
    # ssm:GetParameter) on theirs as well.
    others = {action for call in calls - lock_calls for action in actions_of(call)}
    granted: dict[str, tuple[str, ...]] = {a: _resources(a, scope) for a in others}
    for action in locking:
        if scope.lock_parameter is None:
            granted[action] = ("*",)
            continue
        arn = f"arn:{scope.partition}:ssm:*:*:parameter/{scope.lock_parameter.lstrip('/')}"
        before = granted.get(action, ())
        granted[action] = before if "*" in before else tuple(sorted({*before, arn}))
    return dict(sorted(granted.items()))


def document(allowed: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    """The policy: one statement per service and resource set, sorted; Sids from the service."""
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for action, arns in sorted(allowed.items()):
        groups.setdefault((action.split(":", 1)[0], arns), []).append(action)
    statements = []
    seen: dict[str, int] = {}
    for (service, arns), actions in sorted(
        groups.items(), key=lambda item: (item[0][0], item[0][1] != ("*",), item[0][1])
    ):
        base = _sid(service) + ("" if arns == ("*",) else "Scoped")
        seen[base] = seen.get(base, 0) + 1
        statement: dict[str, Any] = {
            "Sid": base if seen[base] == 1 else f"{base}{seen[base]}",
            "Effect": "Allow",
            "Action": sorted(actions),
            "Resource": "*" if arns == ("*",) else list(arns),
        }
        if KMS_DECRYPT in actions:
            statement["Condition"] = {"StringLike": {"kms:ViaService": list(KMS_VIA)}}
        statements.append(statement)
    return {"Version": POLICY_VERSION, "Statement": statements}


def _resources(action: str, scope: Scope) -> tuple[str, ...]:
    partition = scope.partition
    if action == "ssm:GetParameter" and scope.parameters:
        return tuple(
            f"arn:{partition}:ssm:*:*:parameter/{name.lstrip('/')}" for name in scope.parameters
        )
    if action == "secretsmanager:GetSecretValue" and scope.secrets:
        return tuple(
            name
            if name.startswith("arn:")
            else f"arn:{partition}:secretsmanager:*:*:secret:{name}-*"
            for name in scope.secrets
        )
    if action == ASSUME_ROLE and scope.roles:
        return scope.roles
    if action in _FIXED:
        return tuple(template.format(partition=partition) for template in _FIXED[action])
    templates = _SCOPED.get(action)
    if not templates or "*" in scope.names:
        return ("*",)
    return tuple(
        sorted(
            {
                template.format(partition=partition, name=name)
                for template in templates
                for name in scope.names
            }
        )
    )


def _lock_actions() -> set[str]:
    return {action for call in APPLY_LOCK_CALLS for action in actions_of(call)}


def _sid(service: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", service))


def action_count(document: Mapping[str, Any]) -> int:
    """How many distinct IAM actions a policy document allows."""
    return len({a for s in document["Statement"] for a in s["Action"]})
