"""SNS topics: one per severity tier, named ``<project>-<topic>``, tagged with the project."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sentinel.naming import event_rule_name
from sentinel.routing.central import subscribe_statement
from sentinel.sync.event_rules import rule_arn
from sentinel.sync.kind import Kind
from sentinel.sync.model import State
from sentinel.sync.ownership import owners_by_key, tag_list

if TYPE_CHECKING:
    from sentinel.sync.context import SyncContext

KIND = "topic"
DISPLAY_NAME_LIMIT = 100
# AWS services that notify a severity topic: alarm actions, budget alerts, cost anomaly monitors.
PUBLISHING_SERVICES = (
    "budgets.amazonaws.com",
    "cloudwatch.amazonaws.com",
    "costalerts.amazonaws.com",
)


def topic_name_of(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def list_project_topics(ctx: SyncContext) -> list[str]:
    """ARNs of the account's topics whose names carry the project prefix, or that the config
    names as a severity's ``aws_name`` (ListTopics, paged: it lists every topic, so a named one
    costs no extra call). Any other topic is not read further. Once a plan: the topics kind
    and the subscriptions' share the read."""
    return list(ctx.read_once("project_topics", lambda: _list_project_topics(ctx)))


def _list_project_topics(ctx: SyncContext) -> list[str]:
    sns = ctx.client("sns")
    named = set(severities_by_topic(ctx))
    arns = []
    for page in sns.get_paginator("list_topics").paginate():
        for topic in page.get("Topics", []):
            name = topic_name_of(topic["TopicArn"])
            if name.startswith(ctx.prefix) or name in named:
                arns.append(topic["TopicArn"])
    return sorted(arns)


def display_name(project: str, severities: list[str]) -> str:
    """What email readers see as the sender: ``p2p critical``."""
    return f"{project} {'/'.join(severities)}"[:DISPLAY_NAME_LIMIT]


def access_policy(
    topic_arn: str, account_id: str, event_rules: list[str] | None = None
) -> dict[str, Any]:
    """Who may publish: the account's own AWS services, and only for this account.

    Principals of the account itself are governed by their IAM policies; Budgets needs this
    statement, or its alerts never reach the topic. ``event_rules`` (ARNs of the project's
    EventBridge rules that target the topic) lets those rules, and no other, publish events.
    """
    policy: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "SentinelAwsServicesPublish",
                "Effect": "Allow",
                "Principal": {"Service": sorted(PUBLISHING_SERVICES)},
                "Action": "SNS:Publish",
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        ],
    }
    if event_rules:
        policy["Statement"].append(
            {
                "Sid": "SentinelEventRulesPublish",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "SNS:Publish",
                "Resource": topic_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": sorted(event_rules)}},
            }
        )
    return policy


# ``topic_policy: aws-default``: the policy SNS gives a topic made without one.
AWS_DEFAULT = "aws-default"
_DEFAULT_ACTIONS = (
    "SNS:GetTopicAttributes",
    "SNS:SetTopicAttributes",
    "SNS:AddPermission",
    "SNS:RemovePermission",
    "SNS:DeleteTopic",
    "SNS:Subscribe",
    "SNS:ListSubscriptionsByTopic",
    "SNS:Publish",
)


def aws_default_policy(topic_arn: str, account_id: str) -> dict[str, Any]:
    """The access policy SNS gives a topic created without one: the account's principals may
    manage and publish to it (CloudWatch alarms of the account publish; Budgets may not)."""
    return {
        "Version": "2008-10-17",
        "Id": "__default_policy_ID",
        "Statement": [
            {
                "Effect": "Allow",
                "Sid": "__default_statement_ID",
                "Principal": {"AWS": "*"},
                "Action": list(_DEFAULT_ACTIONS),
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"AWS:SourceOwner": account_id}},
            }
        ],
    }


def normalise_policy(text: str | None) -> dict[str, Any] | None:
    """A policy as comparable data: AWS returns it as JSON text in its own formatting."""
    if not text:
        return None
    policy = json.loads(text)
    for statement in policy.get("Statement", []):
        principal = statement.get("Principal")
        if isinstance(principal, dict) and isinstance(principal.get("Service"), list):
            principal["Service"] = sorted(principal["Service"])
    return policy


def _policy_of(ctx: SyncContext, severities: list[str], arn: str) -> dict[str, Any] | None:
    """The access policy a severity of the topic states (``topic_policy``), normalised."""
    routing = ctx.config.routing
    for severity in severities:
        tier = routing.severities[severity] if routing else None
        if tier is not None and tier.topic_policy == AWS_DEFAULT:
            return normalise_policy(json.dumps(aws_default_policy(arn, ctx.account_id)))
        if tier is not None and tier.topic_policy is not None:
            return normalise_policy(json.dumps(tier.topic_policy))
    return None


def severities_by_topic(ctx: SyncContext) -> dict[str, list[str]]:
    """Topic name -> the severities routed to it (severities may share a ``topic:``)."""
    routing = ctx.config.routing
    topics: dict[str, list[str]] = {}
    for severity in routing.severities if routing else {}:
        topics.setdefault(ctx.topic_name(severity), []).append(severity)
    return topics


class Topics(Kind):
    name = KIND
    label = "SNS topics"
    # Subscriptions, alarm actions, budget alerts and the router queue point at the topics.
    depended_on = True
    reads = ("sns:ListTopics", "sns:GetTopicAttributes", "tag:GetResources")
    writes = ("sns:CreateTopic", "sns:SetTopicAttributes", "sns:TagResource", "sns:DeleteTopic")

    def desired(self, ctx: SyncContext) -> list[State]:
        states = []
        for topic, severities in severities_by_topic(ctx).items():
            arn = ctx.arn("sns", topic)
            stated = _policy_of(ctx, severities, arn)
            policy = stated or access_policy(arn, ctx.account_id, _event_rules_of(ctx, severities))
            if stated is None:
                # A member account of a project with one router queue: the central one subscribes.
                subscribe = subscribe_statement(ctx.config, arn, ctx.account_id)
                policy["Statement"] += [subscribe] if subscribe else []
            fields = {"display_name": _display_name(ctx, severities), "policy": policy}
            payload = {
                "Name": topic,
                "Attributes": {"DisplayName": fields["display_name"], "Policy": json.dumps(policy)},
                "Tags": [{"Key": k, "Value": v} for k, v in sorted(ctx.tags.items())],
            }
            states.append(State(KIND, topic, fields, source=_routing_source(ctx), payload=payload))
        return states

    def actual(self, ctx: SyncContext) -> list[State]:
        sns = ctx.client("sns")
        states = []
        for arn in list_project_topics(ctx):
            attributes = sns.get_topic_attributes(TopicArn=arn).get("Attributes", {})
            fields = {
                "display_name": attributes.get("DisplayName", ""),
                "policy": normalise_policy(attributes.get("Policy")),
            }
            states.append(State(KIND, topic_name_of(arn), fields, arn=arn))
        return states

    def owners(self, ctx: SyncContext, states: list[State]) -> dict[str, str | None]:
        return owners_by_key(ctx, states)

    def create(self, ctx: SyncContext, state: State) -> None:
        ctx.client("sns").create_topic(**state.payload)

    def update(self, ctx: SyncContext, desired: State, actual: State) -> None:
        sns = ctx.client("sns")
        payload: dict[str, Any] = desired.payload
        for attribute, value in payload["Attributes"].items():
            sns.set_topic_attributes(
                TopicArn=actual.arn, AttributeName=attribute, AttributeValue=value
            )
        sns.tag_resource(ResourceArn=actual.arn, Tags=payload["Tags"])

    def adopt(self, ctx: SyncContext, state: State) -> None:
        arn = state.arn or ctx.arn("sns", state.key)
        ctx.client("sns").tag_resource(ResourceArn=arn, Tags=tag_list(ctx.tags))

    def delete(self, ctx: SyncContext, state: State) -> None:
        # DeleteTopic is idempotent: a topic deleted meanwhile is not an error.
        ctx.client("sns").delete_topic(TopicArn=state.arn)


def _display_name(ctx: SyncContext, severities: list[str]) -> str:
    """The severities' ``display_name`` when one sets it, else ``<project> <severities>``."""
    routing = ctx.config.routing
    tiers = [routing.severities[s] for s in severities] if routing else []
    chosen = next((t.display_name for t in tiers if t.display_name is not None), None)
    return chosen if chosen is not None else display_name(ctx.project, severities)


def _event_rules_of(ctx: SyncContext, severities: list[str]) -> list[str]:
    """ARNs of the project's EventBridge rules routed to these severities."""
    return [
        rule_arn(ctx, event_rule_name(ctx.project, rule.name))
        for rule in ctx.config.events
        if rule.severity in severities
    ]


def _routing_source(ctx: SyncContext) -> str | None:
    routing_file = ctx.config.root / "alarms" / "routing.yaml"
    return str(routing_file) if routing_file.exists() else None
