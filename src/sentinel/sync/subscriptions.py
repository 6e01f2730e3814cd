"""SNS subscriptions of the severity topics: email, PagerDuty (https), sqs, lambda, https.

A subscription cannot be changed in place, so its key is everything that defines it: topic,
protocol and endpoint. Endpoints that hold a secret (a PagerDuty integration URL, a webhook)
are resolved at plan time to compare them, appear in keys only as a short hash, and are shown
as ``(sensitive)``. Slack destinations are delivered by the alert router, not by SNS; so are
PagerDuty and email when ``router:`` is declared, through the router queue's subscription,
which the router-queue kind manages (this kind leaves it alone).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import botocore.exceptions

from sentinel.config.secrets import SENSITIVE
from sentinel.routing import queue_name, routed_by_router
from sentinel.routing.central import central_queue
from sentinel.sync.kind import Kind
from sentinel.sync.model import State
from sentinel.sync.ownership import project_tags
from sentinel.sync.topics import (
    list_project_topics,
    severities_by_topic,
    topic_name_of,
)

if TYPE_CHECKING:
    from sentinel.config.models.routing import Destination
    from sentinel.sync.context import SyncContext

KIND = "subscription"
PAGERDUTY_URL = "https://events.pagerduty.com/integration/{key}/enqueue"
PENDING = "PendingConfirmation"
# Protocols whose endpoint may hold a secret: never shown, never in a key.
SECRET_PROTOCOLS = frozenset({"https", "http"})


def endpoint_of(ctx: SyncContext, destination: Destination) -> tuple[str, str] | None:
    """(protocol, endpoint) of a destination delivered by SNS; None for Slack."""
    if destination.pagerduty is not None:
        key = ctx.secret(destination.pagerduty.integration_key)
        return "https", PAGERDUTY_URL.format(key=key)
    if destination.email is not None:
        return "email", destination.email
    if destination.sqs is not None:
        return "sqs", destination.sqs
    if destination.lambda_ is not None:
        return "lambda", destination.lambda_
    if destination.https is not None:
        return "https", ctx.secret(destination.https)
    return None


def subscription_key(topic: str, protocol: str, endpoint: str) -> str:
    if protocol in SECRET_PROTOCOLS:
        digest = hashlib.sha256(endpoint.encode()).hexdigest()[:10]
        return f"{topic}/{protocol}:sensitive-{digest}"
    return f"{topic}/{protocol}:{endpoint}"


def subscription_state(topic: str, protocol: str, endpoint: str, **extra: Any) -> State:
    fields = {"topic": topic, "protocol": protocol, "endpoint": endpoint}
    sensitive = frozenset({"endpoint"}) if protocol in SECRET_PROTOCOLS else frozenset()
    return State(
        KIND, subscription_key(topic, protocol, endpoint), fields, sensitive=sensitive, **extra
    )


def normalise_subscription(item: dict[str, Any]) -> State:
    """One ListSubscriptionsByTopic entry; a pending one has no ARN yet."""
    arn = item.get("SubscriptionArn")
    return subscription_state(
        topic_name_of(item["TopicArn"]),
        item["Protocol"],
        item["Endpoint"],
        arn=None if arn in (None, PENDING, "Deleted") else arn,
    )


class Subscriptions(Kind):
    name = KIND
    label = "SNS subscriptions"
    reads = ("sns:ListTopics", "sns:ListSubscriptionsByTopic", "tag:GetResources")
    writes = ("sns:Subscribe", "sns:Unsubscribe")
    updatable = False

    def desired(self, ctx: SyncContext) -> list[State]:
        routing = ctx.config.routing
        if routing is None:
            return []
        states: dict[str, State] = {}
        for topic, severities in severities_by_topic(ctx).items():
            topic_arn = ctx.topic_arn(severities[0])
            for severity in severities:
                for destination in routing.severities[severity].notify:
                    if routed_by_router(routing, destination):
                        continue
                    delivery = endpoint_of(ctx, destination)
                    if delivery is None:
                        continue
                    protocol, endpoint = delivery
                    payload = {"TopicArn": topic_arn, "Protocol": protocol, "Endpoint": endpoint}
                    state = subscription_state(topic, protocol, endpoint, payload=payload)
                    states.setdefault(state.key, state)
        return list(states.values())

    def actual(self, ctx: SyncContext) -> list[State]:
        paginator = ctx.client("sns").get_paginator("list_subscriptions_by_topic")
        central = central_queue(ctx.config)
        routers = {ctx.arn("sqs", queue_name(ctx.project))}
        routers |= {central.queue_arn(ctx.project)} if central else set()
        states: list[State] = []
        for topic_arn in list_project_topics(ctx):
            for page in paginator.paginate(TopicArn=topic_arn):
                states.extend(
                    normalise_subscription(s)
                    for s in page.get("Subscriptions", [])
                    if s.get("Endpoint") not in routers
                )
        return states

    def owners(self, ctx: SyncContext, states: list[State]) -> dict[str, str | None]:
        """A subscription belongs to its topic's owner (an untagged topic's are adopted with
        it), pending confirmation or not: the one tag read is the topic's, 100 a request."""
        topics = {s.key: s.fields["topic"] for s in states}
        arns = {topic: ctx.arn("sns", topic) for topic in set(topics.values())}
        tags = project_tags(ctx, arns.values())
        return {s.key: tags.get(arns[topics[s.key]]) for s in states}

    def keeps(self, ctx: SyncContext, state: State) -> str | None:
        """One added by hand stays on a managed topic unless its severities are exclusive; one
        pending confirmation has no ARN to unsubscribe, and stays until confirmed."""
        if state.arn is None:
            return "pending confirmation: SNS cannot unsubscribe it until it is confirmed"
        routing = ctx.config.routing
        severities = severities_by_topic(ctx).get(state.fields["topic"])
        if routing is None or not severities:
            return None  # the topic goes, and its subscriptions with it
        open_ = [s for s in severities if not routing.severities[s].exclusive]
        if not open_:
            return None
        names = ", ".join(open_)
        return f"not in config; severity {names} is not exclusive"

    def create(self, ctx: SyncContext, state: State) -> None:
        with _redacted(state):
            ctx.client("sns").subscribe(**state.payload, ReturnSubscriptionArn=True)

    def adopt(self, ctx: SyncContext, state: State) -> None:
        """Nothing to write: a subscription has no tags and is owned through its topic, which
        is adopted before it (topics come first); its next plan reads the topic's tag."""

    def delete(self, ctx: SyncContext, state: State) -> None:
        with _redacted(state):
            try:
                ctx.client("sns").unsubscribe(SubscriptionArn=state.arn)
            except botocore.exceptions.ClientError as exc:
                # Deleting the topic removes its subscriptions: gone already is done.
                if exc.response.get("Error", {}).get("Code") != "NotFound":
                    raise


@contextmanager
def _redacted(state: State) -> Iterator[None]:
    """Remove a secret endpoint from AWS error messages before anyone prints them."""
    try:
        yield
    except botocore.exceptions.ClientError as exc:
        if "endpoint" in state.sensitive:
            endpoint = state.fields["endpoint"]
            secrets = [endpoint, *_PAGERDUTY_KEY.findall(endpoint)]
            error = exc.response.get("Error", {})
            error["Message"] = _without(str(error.get("Message", "")), secrets)
            exc.args = tuple(_without(str(a), secrets) for a in exc.args)
        raise


_PAGERDUTY_KEY = re.compile(r"/integration/([^/]+)/")


def _without(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, SENSITIVE)
    return text
