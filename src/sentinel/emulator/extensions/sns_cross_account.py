"""SNS topics feeding an SQS queue of another account, as AWS does it.

moto keeps a subscription in the backend of the account that made it and publishes a topic's
messages only to the subscriptions of the topic's own account, so a queue of another account
that subscribed to the topic never hears from it; and it lets any account subscribe to any
topic. Here, as on AWS:

- an account subscribes to another account's topic only when the topic's policy allows it
  ``sns:Subscribe`` (its root as principal; ``sns:Endpoint``/``sns:Protocol`` conditions
  checked), else AuthorizationError;
- a message published to a topic also reaches the subscriptions other accounts made to it,
  and ListSubscriptionsByTopic (the topic's owner asking) lists them too;
- an SQS queue of another account receives it only when the queue's policy lets
  ``sns.amazonaws.com`` send from the topic (``aws:SourceArn``, ArnEquals or ArnLike); else the
  message is dropped, as AWS drops what it may not deliver.
"""

from __future__ import annotations

import fnmatch
import functools
import json
from collections import OrderedDict
from typing import Any

from moto.sns.exceptions import SNSException
from moto.sns.models import SNSBackend, Subscription, Topic, sns_backends
from moto.sqs.models import sqs_backends
from moto.utilities.arns import parse_arn

_MARK = "_sentinel_cross_account"


class AuthorizationError(SNSException):
    code = "AuthorizationError"


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def _may_subscribe(topic: Topic, account_id: str, endpoint: str, protocol: str) -> bool:
    for statement in topic._policy_json.get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        actions = {a.lower() for a in _listed(statement.get("Action"))}
        if not actions & {"sns:subscribe", "sns:*", "*"}:
            continue
        principal = statement.get("Principal")
        aws = _listed(principal.get("AWS") if isinstance(principal, dict) else principal)
        if not {"*", account_id, f"arn:aws:iam::{account_id}:root"} & set(aws):
            continue
        equals = statement.get("Condition", {}).get("StringEquals", {})
        wanted = {"sns:Endpoint": endpoint, "sns:Protocol": protocol}
        if all(value in _listed(equals.get(key, value)) for key, value in wanted.items()):
            return True
    return False


def _queue_allows(subscription: Subscription, topic_arn: str) -> bool:
    """Whether the SQS queue the subscription delivers to lets the topic send."""
    arn = parse_arn(subscription.endpoint)
    try:
        queue = sqs_backends[arn.account][arn.region].get_queue(arn.resource_id)
    except Exception:  # a queue deleted meanwhile: nothing to deliver to
        return False
    policy = json.loads(queue.policy) if isinstance(queue.policy, str) else queue.policy or {}
    for statement in policy.get("Statement", []):
        principal = statement.get("Principal", {})
        services = _listed(principal.get("Service")) if isinstance(principal, dict) else []
        if statement.get("Effect") != "Allow" or "sns.amazonaws.com" not in services:
            continue
        if "sqs:sendmessage" not in {a.lower() for a in _listed(statement.get("Action"))}:
            continue
        condition = statement.get("Condition", {})
        patterns = [
            *_listed(condition.get("ArnEquals", {}).get("aws:SourceArn")),
            *_listed(condition.get("ArnLike", {}).get("aws:SourceArn")),
        ]
        if any(fnmatch.fnmatchcase(topic_arn, p) for p in patterns):
            return True
    return False


def install() -> None:
    subscribe = SNSBackend.subscribe
    if getattr(subscribe, _MARK, False):
        return
    deliver = Subscription.publish

    @functools.wraps(subscribe)
    def checked_subscribe(
        self: SNSBackend, topic_arn: str, endpoint: str, protocol: str
    ) -> Subscription:
        topic = self.get_topic(topic_arn)
        if topic.account_id != self.account_id and not _may_subscribe(
            topic, self.account_id, endpoint, protocol
        ):
            raise AuthorizationError(
                f"User: arn:aws:iam::{self.account_id}:root is not authorized to perform: "
                f"SNS:Subscribe on resource: {topic_arn}"
            )
        return subscribe(self, topic_arn, endpoint, protocol)

    @functools.wraps(deliver)
    def deliver_if_allowed(self: Subscription, message: str, *args: Any, **kwargs: Any) -> None:
        if (
            self.protocol == "sqs"
            and self.account_id != self.topic.account_id
            and not _queue_allows(self, self.topic.arn)
        ):
            return
        deliver(self, message, *args, **kwargs)

    by_topic = SNSBackend.list_subscriptions_by_topic

    @functools.wraps(by_topic)
    def every_subscription_by_topic(
        self: SNSBackend, topic_arn: str, next_token: str | None = None
    ) -> Any:
        self.get_topic(topic_arn)  # NotFound as before
        found = dict(self.subscriptions)
        for account_id in list(sns_backends.keys()):
            if account_id != self.account_id:
                found.update(sns_backends[account_id][self.region_name].subscriptions)
        matching = OrderedDict(
            (arn, sub) for arn, sub in found.items() if sub.topic.arn == topic_arn
        )
        return self._get_values_nexttoken(matching, next_token)

    setattr(checked_subscribe, _MARK, True)
    SNSBackend.list_subscriptions_by_topic = every_subscription_by_topic  # type: ignore[method-assign]
    SNSBackend.subscribe = checked_subscribe  # type: ignore[method-assign]
    Subscription.publish = deliver_if_allowed  # type: ignore[method-assign]
