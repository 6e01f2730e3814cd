"""Reports to a severity: published once to its SNS topic, a body for each kind of subscriber.

Email (and SMS) subscribers of the topic get the report's text; the router's queue gets the
report as JSON (``sentinel.routing.report_messages``) and posts it to the severity's Slack and
email routes. SNS takes a subject of at most 100 characters on one line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import botocore.exceptions

from sentinel.aws.regions import partition_of
from sentinel.aws.session import SessionFactory
from sentinel.delivery.outcome import DeliveryResult
from sentinel.delivery.sns import encode_message
from sentinel.errors import AwsError
from sentinel.routing.report_messages import TEXT_LIMIT, report_message
from sentinel.store import Store
from sentinel.store.outbox import Outbox, Sender

SNS = "sns"
TOPIC = "topic"
SUBJECT_LIMIT = 100
# Publish takes a Message of at most 262,144 bytes in UTF-8 (botocore's SNS model); 1 KB of
# that is left for the subject and the message attributes.
MESSAGE_LIMIT = 262_144 - 1024


@dataclass(frozen=True)
class TopicPost:
    report: str  # cost, rightsizing, slo-review
    project: str
    title: str
    text: str


def topic_payload(post: TopicPost) -> dict[str, object]:
    """The outbox payload of ``post``; its texts cut by lines so the router's JSON keeps to
    ``TEXT_LIMIT`` characters and the whole encoded Message to ``MESSAGE_LIMIT`` bytes."""
    sqs = report_message(
        post.report,
        post.project,
        post.title,
        cut_lines(post.text, lambda text: len(text) <= TEXT_LIMIT),
    )

    def message(text: str) -> dict[str, str]:
        body = f"{post.title}\n\n{text}\n"
        return {"default": body, "email": body, "sqs": sqs}

    text = cut_lines(post.text, lambda text: message_bytes(message(text)) <= MESSAGE_LIMIT)
    return {
        "subject": " ".join(f"[{post.project}] {post.title}".split())[:SUBJECT_LIMIT],
        "message": message(text),
        "attributes": {"sentinel-report": post.report},
    }


def message_bytes(message: dict[str, str]) -> int:
    """The size of the Message the SNS sender publishes for ``message``."""
    return len(encode_message(message).encode("utf-8"))


def cut_lines(text: str, fits: Callable[[str], bool]) -> str:
    """``text``, or as many of its first lines as fit with a "... (cut: N more lines)" tail."""
    if fits(text):
        return text
    lines = text.split("\n")

    def kept(count: int) -> str:
        return "\n".join([*lines[:count], f"... (cut: {len(lines) - count} more lines)"])

    low, high = 0, len(lines) - 1  # kept(low) is taken even when it does not fit
    while low < high:
        middle = (low + high + 1) // 2
        if fits(kept(middle)):
            low = middle
        else:
            high = middle - 1
    return kept(low)


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


class TopicsUnlisted(Exception):
    """SNS would not list the topics (throttled, access denied, no connection)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def locate_topic(factory: SessionFactory, name: str) -> str | None:
    """The ARN of the topic named ``name`` in the factory's region, every page read; None
    when it does not exist. ``TopicsUnlisted`` when the topics cannot be listed."""
    try:
        client = factory.client("sns")
        paginator = client.get_paginator("list_topics")
        for page in paginator.paginate():
            for topic in page.get("Topics", []):
                if topic["TopicArn"].rsplit(":", 1)[-1] == name:
                    return str(topic["TopicArn"])
        return None
    except botocore.exceptions.ClientError as exc:
        raise TopicsUnlisted(str(exc.response.get("Error", {}).get("Code", "Error"))) from exc
    except botocore.exceptions.BotoCoreError as exc:
        raise TopicsUnlisted(type(exc).__name__) from exc


@dataclass(frozen=True)
class TopicLookup:
    """A topic looked up by name: its ARN, found or (when SNS will not list) built."""

    arn: str | None
    unlisted: str | None = None  # SNS's error code when it would not list the topics
    problem: str | None = None  # why there is no ARN


def lookup_topic(factory: SessionFactory, name: str) -> TopicLookup:
    """The topic named ``name``, every page read. When SNS will not list its topics (throttled,
    denied), the ARN the topic has in this account: what is queued to it is retried, and a topic
    that really is missing refuses it."""
    try:
        arn = locate_topic(factory, name)
    except TopicsUnlisted as unlisted:
        try:
            return TopicLookup(topic_arn(factory, name), unlisted.code)
        except AwsError as exc:
            why = f"SNS topics not listed ({unlisted.code}) and the account unknown ({exc})"
            return TopicLookup(None, unlisted.code, why)
    if arn is None:
        return TopicLookup(
            None, problem=f"SNS topic {name} does not exist (sentinel apply creates it)"
        )
    return TopicLookup(arn)


def topic_arn(factory: SessionFactory, name: str) -> str:
    """The ARN the topic named ``name`` has in the factory's account and region (one STS
    call at most); ``AwsError`` when the account cannot be read."""
    region = factory.region
    return f"arn:{partition_of(region)}:sns:{region}:{factory.caller_account()}:{name}"
