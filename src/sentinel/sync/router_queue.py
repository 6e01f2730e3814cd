"""The router queue: ``<project>-router`` with its dead-letter queue, fed by every severity topic.

Declared by ``router:`` in alarms/routing.yaml. One resource in the plan: the queue, its redrive
policy (to ``<project>-router-dlq`` after ``max_receives`` receives), the queue policy that lets
the severity topics send to it, and the SQS subscriptions of those topics. Writes go in order:
dead-letter queue, queue, policy, subscriptions (deletion the other way round).

A project of several accounts has one queue, in the central account and region
(sentinel.routing.central): its policy and subscriptions cover the severity topics of every
account and region, named by ARN; no other (account, region) plans a queue.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import botocore.exceptions

from sentinel.errors import RefusedError
from sentinel.naming import PROJECT_TAG
from sentinel.routing import dead_letter_queue_name, queue_name, router_enabled
from sentinel.routing.central import CentralQueue, central_queue, feeding_topics
from sentinel.routing.regions import region_from_arn
from sentinel.sync.kind import Kind
from sentinel.sync.model import State

if TYPE_CHECKING:
    from sentinel.sync.context import SyncContext

KIND = "router-queue"
VISIBILITY_TIMEOUT = 120
LONG_POLL = 20
RETENTION = 1_209_600  # 14 days, SQS's longest: time to notice and redrive dead letters
POLICY_SID = "SentinelSeverityTopics"
POLICY_LIMIT = 8192  # bytes of an SQS queue policy (SQS policy quotas)


class RouterQueueKind(Kind):
    name = KIND
    label = "router queue"
    reads = (
        "sqs:GetQueueUrl",
        "sqs:GetQueueAttributes",
        "sqs:ListQueueTags",
        "sns:ListSubscriptions",
    )
    writes = (
        "sqs:GetQueueUrl",
        "sqs:CreateQueue",
        "sqs:TagQueue",
        "sqs:SetQueueAttributes",
        "sqs:DeleteQueue",
        "sns:ListSubscriptions",
        "sns:Subscribe",
        "sns:Unsubscribe",
    )

    # --- desired -------------------------------------------------------------------------

    def desired(self, ctx: SyncContext) -> list[State]:
        routing = ctx.config.routing
        if not router_enabled(routing):
            return []
        assert routing is not None and routing.router is not None
        central = central_queue(ctx.config)
        if central is not None and not _is_central(ctx, central):
            return []  # the central account's queue is fed from here; no queue of its own
        topics = sorted({ctx.topic_name(severity) for severity in routing.severities})
        policy_topics = topics
        if central is not None:
            topics = feeding_topics(ctx.config)
            policy_topics = _sources(ctx, topics)
        fields = {
            "dead_letter_queue": dead_letter_queue_name(ctx.project),
            "max_receives": routing.router.max_receives,
            "visibility_timeout": VISIBILITY_TIMEOUT,
            "long_poll": LONG_POLL,
            "retention": RETENTION,
            "topics": topics,
            "policy_topics": policy_topics,
        }
        return [State(KIND, queue_name(ctx.project), fields, source=_source(ctx), payload=fields)]

    # --- actual --------------------------------------------------------------------------

    def actual(self, ctx: SyncContext) -> list[State]:
        sqs = ctx.client("sqs")
        name = queue_name(ctx.project)
        url = _queue_url(sqs, name)
        if url is None:
            return []
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        redrive = json.loads(attributes.get("RedrivePolicy") or "{}")
        target = str(redrive.get("deadLetterTargetArn", ""))
        queue_arn = attributes["QueueArn"]
        fields = {
            "dead_letter_queue": target.rsplit(":", 1)[-1] if target else None,
            "max_receives": int(redrive["maxReceiveCount"])
            if "maxReceiveCount" in redrive
            else None,
            "visibility_timeout": int(attributes.get("VisibilityTimeout", 30)),
            "long_poll": int(attributes.get("ReceiveMessageWaitTimeSeconds", 0)),
            "retention": int(attributes.get("MessageRetentionPeriod", 345600)),
            "topics": sorted({_topic(ctx, s["TopicArn"]) for s in _subscriptions(ctx, queue_arn)}),
            "policy_topics": _policy_topics(attributes.get("Policy"), _central(ctx)),
        }
        return [State(KIND, name, fields, arn=queue_arn, payload={"url": url})]

    def owners(self, ctx: SyncContext, states: list[State]) -> dict[str, str | None]:
        sqs = ctx.client("sqs")
        owners: dict[str, str | None] = {}
        for state in states:
            url = (state.payload or {}).get("url") or _queue_url(sqs, state.key)
            tags = sqs.list_queue_tags(QueueUrl=url).get("Tags", {}) if url else {}
            owners[state.key] = tags.get(PROJECT_TAG)
        return owners

    def references(self, ctx: SyncContext, state: State) -> set[str]:
        """The severity topics the queue subscribes to and lets send."""
        topics = {*state.fields.get("topics", []), *state.fields.get("policy_topics", [])}
        return {topic if topic.startswith("arn:") else ctx.arn("sns", topic) for topic in topics}

    # --- writes --------------------------------------------------------------------------

    def create(self, ctx: SyncContext, state: State) -> None:
        self._write(ctx, state)

    def update(self, ctx: SyncContext, desired: State, actual: State) -> None:
        self._write(ctx, desired)

    def _write(self, ctx: SyncContext, state: State) -> None:
        sqs = ctx.client("sqs")
        fields: dict[str, Any] = dict(state.fields)
        dlq_name = fields["dead_letter_queue"]
        dlq_url = (
            _queue_url(sqs, dlq_name)
            or sqs.create_queue(
                QueueName=dlq_name,
                Attributes={"MessageRetentionPeriod": str(RETENTION)},
                tags=ctx.tags,
            )["QueueUrl"]
        )
        sqs.tag_queue(QueueUrl=dlq_url, Tags=ctx.tags)
        queue_arn = ctx.arn("sqs", state.key)
        attributes = {
            "VisibilityTimeout": str(fields["visibility_timeout"]),
            "ReceiveMessageWaitTimeSeconds": str(fields["long_poll"]),
            "MessageRetentionPeriod": str(fields["retention"]),
            "RedrivePolicy": json.dumps(
                {
                    "deadLetterTargetArn": ctx.arn("sqs", dlq_name),
                    "maxReceiveCount": fields["max_receives"],
                }
            ),
            "Policy": json.dumps(
                _policy(queue_arn, [_arn(ctx, t) for t in fields["policy_topics"]], _central(ctx))
            ),
        }
        url = _queue_url(sqs, state.key)
        if url is None:
            url = sqs.create_queue(QueueName=state.key, Attributes=attributes, tags=ctx.tags)[
                "QueueUrl"
            ]
        else:
            sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
            sqs.tag_queue(QueueUrl=url, Tags=ctx.tags)
        wanted = {_arn(ctx, t) for t in fields["topics"]}
        existing = _subscriptions(ctx, queue_arn)
        for subscription in existing:
            if subscription["TopicArn"] not in wanted:
                _sns_of(ctx, subscription["TopicArn"]).unsubscribe(
                    SubscriptionArn=subscription["SubscriptionArn"]
                )
        have = {s["TopicArn"] for s in existing}
        for topic_arn in sorted(wanted - have):
            # Enveloped delivery: the envelope names the topic (the severity) and the MessageId.
            # The queue's owner subscribes, in the topic's region (a topic of another account
            # lets it in its policy): a subscription made from the topic's side would wait for
            # a confirmation.
            _sns_of(ctx, topic_arn).subscribe(
                TopicArn=topic_arn,
                Protocol="sqs",
                Endpoint=queue_arn,
                Attributes={"RawMessageDelivery": "false"},
                ReturnSubscriptionArn=True,
            )

    def adopt(self, ctx: SyncContext, state: State) -> None:
        """The project's tags on the queue and on its dead-letter queue, nothing else."""
        sqs = ctx.client("sqs")
        url = (state.payload or {}).get("url") or _queue_url(sqs, state.key)
        dead_letter = state.fields.get("dead_letter_queue")
        dlq_url = _queue_url(sqs, dead_letter) if dead_letter else None
        for queue_url in (dlq_url, url):
            if queue_url:
                sqs.tag_queue(QueueUrl=queue_url, Tags=ctx.tags)

    def delete(self, ctx: SyncContext, state: State) -> None:
        sqs = ctx.client("sqs")
        for subscription in _subscriptions(ctx, state.arn or ctx.arn("sqs", state.key)):
            _sns_of(ctx, subscription["TopicArn"]).unsubscribe(
                SubscriptionArn=subscription["SubscriptionArn"]
            )
        for name in (state.key, state.fields.get("dead_letter_queue")):
            url = _queue_url(sqs, name) if name else None
            if url:
                sqs.delete_queue(QueueUrl=url)


def _queue_url(sqs: Any, name: str) -> str | None:
    try:
        return str(sqs.get_queue_url(QueueName=name)["QueueUrl"])
    except botocore.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
            return None
        raise


def _subscriptions(ctx: SyncContext, queue_arn: str) -> list[dict[str, Any]]:
    """The SNS subscriptions delivering to the queue (ListSubscriptions, paged): the account's
    own, in its region, or in every region of the project for the central queue."""
    regions = ctx.config.project.regions if _central(ctx) else [ctx.region]
    found = []
    for region in regions:
        sns = ctx.client("sns") if region == ctx.region else ctx.client_in("sns", region)
        for page in sns.get_paginator("list_subscriptions").paginate():
            for subscription in page.get("Subscriptions", []):
                arn = subscription.get("SubscriptionArn", "")
                if subscription.get("Endpoint") == queue_arn and arn.startswith("arn:"):
                    found.append(subscription)
    return found


def _central(ctx: SyncContext) -> bool:
    """Whether this is the central queue of a project of several accounts."""
    central = central_queue(ctx.config)
    return central is not None and _is_central(ctx, central)


def _is_central(ctx: SyncContext, central: CentralQueue) -> bool:
    return (ctx.account_id, ctx.region) == (central.account_id, central.region)


def _topic(ctx: SyncContext, arn: str) -> str:
    """How a topic is named in the fields: its name, or its ARN for the central queue."""
    return arn if _central(ctx) else arn.rsplit(":", 1)[-1]


def _arn(ctx: SyncContext, topic: str) -> str:
    return topic if topic.startswith("arn:") else ctx.arn("sns", topic)


def _sns_of(ctx: SyncContext, topic_arn: str) -> Any:
    """SNS in the topic's region: subscriptions are made and removed there."""
    region = region_from_arn(topic_arn) or ctx.region
    return ctx.client("sns") if region == ctx.region else ctx.client_in("sns", region)


def _sources(ctx: SyncContext, topics: list[str]) -> list[str]:
    """The topic ARNs the central queue's policy names: each one, or, when that is over SQS's
    8,192 bytes, one pattern per account and topic name for all the regions; refused when
    even that is over."""
    queue_arn = ctx.arn("sqs", queue_name(ctx.project))
    if _fits(queue_arn, topics):
        return topics
    compact = sorted({":".join([*t.split(":")[:3], "*", *t.split(":")[4:]]) for t in topics})
    if _fits(queue_arn, compact):
        return compact
    raise RefusedError(
        f"the policy of the router queue would name {len(topics)} topics in "
        f"{len(ctx.config.project.accounts)} accounts, over SQS's {POLICY_LIMIT:,} bytes even "
        "with one pattern per account and topic: use fewer severity topics or accounts"
    )


def _fits(queue_arn: str, topics: list[str]) -> bool:
    return len(json.dumps(_policy(queue_arn, topics, True)).encode()) <= POLICY_LIMIT


def _policy(queue_arn: str, topic_arns: list[str], central: bool = False) -> dict[str, Any]:
    # The central queue's statement names topics of several accounts, and may name one for
    # every region with a pattern: ArnLike (which matches an exact ARN as ArnEquals does).
    test = "ArnLike" if central else "ArnEquals"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": POLICY_SID,
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {test: {"aws:SourceArn": topic_arns}},
            }
        ],
    }


def _policy_topics(policy: str | None, central: bool = False) -> list[str]:
    """Topics the queue policy lets send (our statement only), by name (by ARN or pattern for
    the central queue)."""
    if not policy:
        return []
    document = json.loads(policy)
    for statement in document.get("Statement", []):
        if statement.get("Sid") == POLICY_SID:
            test = "ArnLike" if central else "ArnEquals"
            arns = statement.get("Condition", {}).get(test, {}).get("aws:SourceArn", [])
            arns = [arns] if isinstance(arns, str) else arns
            return sorted(a if central else a.rsplit(":", 1)[-1] for a in arns)
    return []


def _source(ctx: SyncContext) -> str | None:
    routing_file = ctx.config.root / "alarms" / "routing.yaml"
    return str(routing_file) if routing_file.exists() else None
