"""SQS queues: ListQueues returns URLs, which hold the owner and the queue's name."""

from __future__ import annotations

from typing import Any

from sentinel.inventory.listing import Listing
from sentinel.inventory.registry import enumerates


@enumerates("sqs:queue")
def queues(listing: Listing) -> list[dict[str, Any]]:
    found = []
    for url in listing.items():
        owner, name = url.rstrip("/").split("/")[-2:]
        found.append({"QueueUrl": url, "QueueName": name, "OwnerId": owner})
    return found
