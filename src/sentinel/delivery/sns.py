"""Notices and reports to an SNS topic, as an outbox sender (a text for people, JSON for
machines, one body per protocol with ``MessageStructure=json``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import botocore.exceptions

from sentinel.aws.session import SessionFactory
from sentinel.errors import DeliveryFailed
from sentinel.store.outbox import Delivery

SNS = "sns"


def encode_message(message: Mapping[str, str]) -> str:
    """The ``MessageStructure=json`` Message of one body per protocol; characters beyond
    ASCII stay as they are (3 bytes for a box-drawing character rather than a 6-byte escape)."""
    return json.dumps(message, ensure_ascii=False)


class SnsSender:
    """Publishes a notice to a severity tier's topic (a text for people, JSON for machines)."""

    def __init__(self, factory: SessionFactory) -> None:
        self.factory = factory

    def send(self, delivery: Delivery, progress: Callable[[Mapping[str, Any]], None]) -> None:
        payload = delivery.payload
        try:
            response = self.factory.client("sns").publish(
                TopicArn=delivery.target,
                Subject=payload["subject"][:100],
                Message=encode_message(payload["message"]),
                MessageStructure="json",
                MessageAttributes={
                    k: {"DataType": "String", "StringValue": str(v)}
                    for k, v in payload.get("attributes", {}).items()
                },
            )
        except botocore.exceptions.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "Error")
            # A topic that does not exist (its ARN built when SNS would not list the topics):
            # retrying cannot help, the delivery is given up.
            raise DeliveryFailed("SNS", code, permanent=code == "NotFound") from None
        except botocore.exceptions.BotoCoreError as exc:
            raise DeliveryFailed("SNS", type(exc).__name__) from None
        progress({"message_id": response["MessageId"]})
