"""Reports to a severity: published once to its SNS topic, a body for each kind of subscriber.

Email (and SMS) subscribers of the topic get the report's text; the router's queue gets the
report as JSON (``sentinel.routing.report_messages``) and posts it to the severity's Slack and
email routes. SNS takes a subject of at most 100 characters on one line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import botocore.exceptions

from sentinel.aws.session import SessionFactory
from sentinel.delivery.outcome import DeliveryResult
from sentinel.routing.report_messages import report_message
from sentinel.store import Store
from sentinel.store.outbox import Outbox, Sender

SNS = "sns"
TOPIC = "topic"
SUBJECT_LIMIT = 100


@dataclass(frozen=True)
class TopicPost:
    report: str  # cost, rightsizing, slo-review
    project: str
    title: str
    text: str


def topic_payload(post: TopicPost) -> dict[str, object]:
    text = f"{post.title}\n\n{post.text}\n"
    return {
        "subject": " ".join(f"[{post.project}] {post.title}".split())[:SUBJECT_LIMIT],
        "message": {
            "default": text,
            "email": text,
            "sqs": report_message(post.report, post.project, post.title, post.text),
        },
        "attributes": {"sentinel-report": post.report},
    }


def publish_once(
    topic_arn: str,
    key: str,
    build: Callable[[], TopicPost],
    store: Store,
    sender: Sender,
) -> DeliveryResult:
    """Publish ``build()`` to ``topic_arn`` once per outbox ``key``; a refusal stays queued."""
    outbox = Outbox(store)
    existing = outbox.get(key)
    if existing is not None and existing.delivered:
        when = f"at {existing.delivered_at:%Y-%m-%d %H:%M} UTC"
        return DeliveryResult("already posted", topic_arn, when, TOPIC)
    if existing is None:
        existing, _ = outbox.enqueue(key, SNS, topic_arn, topic_payload(build()))
    ok, error = outbox.deliver(existing, sender)
    if ok:
        return DeliveryResult("posted", topic_arn, kind=TOPIC)
    return DeliveryResult("queued", topic_arn, error or "being sent elsewhere", TOPIC)


def find_topic(factory: SessionFactory, name: str) -> str | None:
    """The ARN of the topic named ``name`` in the factory's region, every page read; None
    when it does not exist (or cannot be listed)."""
    try:
        client = factory.client("sns")
        token: str | None = None
        while True:
            page = client.list_topics(**({"NextToken": token} if token else {}))
            for topic in page.get("Topics", []):
                if topic["TopicArn"].rsplit(":", 1)[-1] == name:
                    return str(topic["TopicArn"])
            token = page.get("NextToken")
            if not token:
                return None
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError):
        return None
