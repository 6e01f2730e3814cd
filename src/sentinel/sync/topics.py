"""SNS topics: one per severity tier, named ``<project>-<topic>``, tagged with the project."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sentinel.sync.kind import Kind
from sentinel.sync.model import State
from sentinel.sync.ownership import owners_by_key

if TYPE_CHECKING:
    from sentinel.sync.context import SyncContext

KIND = "topic"
DISPLAY_NAME_LIMIT = 100


def topic_name_of(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def list_project_topics(ctx: SyncContext) -> list[str]:
    """ARNs of the account's topics whose names carry the project prefix (ListTopics, paged)."""
    sns = ctx.client("sns")
    arns = []
    for page in sns.get_paginator("list_topics").paginate():
        for topic in page.get("Topics", []):
            if topic_name_of(topic["TopicArn"]).startswith(ctx.prefix):
                arns.append(topic["TopicArn"])
    return sorted(arns)


def display_name(project: str, severities: list[str]) -> str:
    """What email readers see as the sender: ``p2p critical``."""
    return f"{project} {'/'.join(severities)}"[:DISPLAY_NAME_LIMIT]


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

    def desired(self, ctx: SyncContext) -> list[State]:
        states = []
        for topic, severities in severities_by_topic(ctx).items():
            fields = {"display_name": display_name(ctx.project, severities)}
            payload = {
                "Name": topic,
                "Attributes": {"DisplayName": fields["display_name"]},
                "Tags": [{"Key": k, "Value": v} for k, v in sorted(ctx.tags.items())],
            }
            states.append(State(KIND, topic, fields, source=_routing_source(ctx), payload=payload))
        return states

    def actual(self, ctx: SyncContext) -> list[State]:
        sns = ctx.client("sns")
        states = []
        for arn in list_project_topics(ctx):
            attributes = sns.get_topic_attributes(TopicArn=arn).get("Attributes", {})
            fields = {"display_name": attributes.get("DisplayName", "")}
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

    def delete(self, ctx: SyncContext, state: State) -> None:
        # DeleteTopic is idempotent: a topic deleted meanwhile is not an error.
        ctx.client("sns").delete_topic(TopicArn=state.arn)


def _routing_source(ctx: SyncContext) -> str | None:
    routing_file = ctx.config.root / "alarms" / "routing.yaml"
    return str(routing_file) if routing_file.exists() else None
