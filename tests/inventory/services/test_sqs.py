from __future__ import annotations

from sentinel.aws.session import SessionFactory
from sentinel.inventory import Inventory


def test_queues_from_their_urls_with_tags_from_the_tagging_api(aws: SessionFactory) -> None:
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="orders", tags={"Environment": "production"})["QueueUrl"]
    sqs.create_queue(QueueName="orders-dlq")
    aws.counter.reset()

    found = {r.id: r for r in Inventory(aws).discover("sqs:queue")}

    assert set(found) == {"orders", "orders-dlq"}
    orders = found["orders"]
    assert orders.arn == "arn:aws:sqs:us-east-1:123456789012:orders"
    assert orders.account == "123456789012"
    assert orders.attributes["url"] == url
    assert dict(orders.tags) == {"Environment": "production"}
    assert dict(found["orders-dlq"].tags) == {}
    assert aws.counter.total("sqs", "ListQueues") == 1
    assert aws.counter.total("resource-groups-tagging-api", "GetResources") == 1
    assert aws.counter.total() == 2
