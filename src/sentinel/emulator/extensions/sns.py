"""Publish's size limit in bytes, as AWS counts it, and HTTP(S) deliveries kept on the machine.

AWS takes a Message of at most 262,144 bytes in UTF-8 (botocore's SNS model: "at most 256 KB
in size (262,144 bytes, not 262,144 characters)"); moto counts characters, so a message of
box-drawing characters three times over the limit would pass on the emulator and fail on AWS.

moto delivers a message to an ``http``/``https`` subscription by POSTing it to the endpoint,
from the emulator's process: a PagerDuty subscription of a test or of the demo would reach
events.pagerduty.com with its integration key. The emulator never calls out: such a delivery is
kept in ``HTTP_DELIVERIES`` (the latest ``KEPT``, in this process) with the JSON body SNS would
have sent, and nothing leaves the machine.
"""

from __future__ import annotations

import functools
from collections import deque
from dataclasses import dataclass
from typing import Any

from moto.sns.exceptions import InvalidParameterValue
from moto.sns.models import SNSBackend, Subscription

MESSAGE_BYTES = 262_144
_MARK = "_sentinel_message_bytes"
KEPT = 1000


@dataclass(frozen=True)
class HttpDelivery:
    """What SNS would have POSTed to an http(s) subscription's endpoint."""

    topic_arn: str
    endpoint: str
    body: dict[str, Any]


HTTP_DELIVERIES: deque[HttpDelivery] = deque(maxlen=KEPT)


def install() -> None:
    _keep_http_deliveries()
    method = SNSBackend.publish
    if getattr(method, _MARK, False):
        return

    @functools.wraps(method)
    def publish(self: SNSBackend, message: str, *args: Any, **kwargs: Any) -> Any:
        if len(message.encode("utf-8")) > MESSAGE_BYTES:
            raise InvalidParameterValue("Invalid parameter: Message too long")
        return method(self, message, *args, **kwargs)

    setattr(publish, _MARK, True)
    SNSBackend.publish = publish  # type: ignore[method-assign]


def _keep_http_deliveries() -> None:
    method = Subscription.publish
    if getattr(method, _MARK, False):
        return

    @functools.wraps(method)
    def publish(
        self: Subscription,
        message: str,
        message_id: str,
        subject: str | None = None,
        message_attributes: dict[str, Any] | None = None,
        group_id: str | None = None,
        deduplication_id: str | None = None,
        message_structure: str | None = None,
    ) -> None:
        if self.protocol not in ("http", "https"):
            method(
                self,
                message,
                message_id,
                subject,
                message_attributes,
                group_id,
                deduplication_id,
                message_structure,
            )
            return
        matcher = self._filter_policy_matcher
        if matcher is not None and not matcher.matches(message_attributes, message):
            return
        if message_structure == "json":
            message = self._parse_message_structure(message, self.protocol)
        body = self.get_post_data(message, message_id, subject, message_attributes)
        HTTP_DELIVERIES.append(HttpDelivery(self.topic.arn, self.endpoint, body))

    setattr(publish, _MARK, True)
    Subscription.publish = publish  # type: ignore[method-assign]
