"""A topic of one account, a queue of another: Subscribe needs the topic's leave, delivery
the queue's (as on AWS; moto allows the first and never does the second)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from cli.test_accounts_fanout import make_role, member
from sentinel.aws.session import SessionFactory

TOPIC_OWNER, QUEUE_OWNER = "111111111111", "222222222222"
TOPIC = f"arn:aws:sns:eu-west-1:{TOPIC_OWNER}:shop-critical"
QUEUE = f"arn:aws:sqs:us-east-1:{QUEUE_OWNER}:shop-router"


def subscribe_policy(endpoint: str = QUEUE) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{QUEUE_OWNER}:root"},
                    "Action": "SNS:Subscribe",
                    "Resource": TOPIC,
                    "Condition": {
                        "StringEquals": {"sns:Protocol": "sqs", "sns:Endpoint": endpoint}
                    },
                }
            ],
        }
    )


def queue_policy(source: str) -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": QUEUE,
        "Condition": {"ArnLike": {"aws:SourceArn": [source]}},
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.fixture
def accounts(aws: SessionFactory) -> tuple[SessionFactory, SessionFactory]:
    make_role(TOPIC_OWNER)
    make_role(QUEUE_OWNER)
    return member(aws, TOPIC_OWNER), member(aws, QUEUE_OWNER)


def received(queues: SessionFactory) -> list[str]:
    sqs = queues.client("sqs", region="us-east-1")
    url = sqs.get_queue_url(QueueName="shop-router")["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"])["Message"] for m in messages]


def setup(topics: SessionFactory, queues: SessionFactory, topic_policy: str, source: str) -> None:
    topics.client("sns", region="eu-west-1").create_topic(
        Name="shop-critical", Attributes={"Policy": topic_policy}
    )
    queues.client("sqs", region="us-east-1").create_queue(
        QueueName="shop-router", Attributes={"Policy": queue_policy(source)}
    )


def test_the_queue_owner_subscribes_when_the_topic_lets_it_and_hears_the_topic(
    accounts: tuple[SessionFactory, SessionFactory],
) -> None:
    topics, queues = accounts
    setup(topics, queues, subscribe_policy(), f"arn:aws:sns:*:{TOPIC_OWNER}:shop-critical")

    queues.client("sns", region="eu-west-1").subscribe(
        TopicArn=TOPIC, Protocol="sqs", Endpoint=QUEUE
    )
    topics.client("sns", region="eu-west-1").publish(TopicArn=TOPIC, Message="hello")

    assert received(queues) == ["hello"]


def test_a_topic_that_does_not_let_the_account_subscribe_refuses(
    accounts: tuple[SessionFactory, SessionFactory],
) -> None:
    topics, queues = accounts
    other_queue = QUEUE.replace("shop-router", "elsewhere")
    setup(topics, queues, subscribe_policy(other_queue), TOPIC)

    with pytest.raises(ClientError) as refused:
        queues.client("sns", region="eu-west-1").subscribe(
            TopicArn=TOPIC, Protocol="sqs", Endpoint=QUEUE
        )

    assert refused.value.response["Error"]["Code"] == "AuthorizationError"


def test_a_queue_whose_policy_leaves_the_topic_out_hears_nothing(
    accounts: tuple[SessionFactory, SessionFactory],
) -> None:
    topics, queues = accounts
    setup(topics, queues, subscribe_policy(), f"arn:aws:sns:eu-west-1:{TOPIC_OWNER}:other")
    queues.client("sns", region="eu-west-1").subscribe(
        TopicArn=TOPIC, Protocol="sqs", Endpoint=QUEUE
    )

    topics.client("sns", region="eu-west-1").publish(TopicArn=TOPIC, Message="hello")

    assert received(queues) == []
