"""Publish's size limit in bytes, as AWS counts it.

AWS takes a Message of at most 262,144 bytes in UTF-8 (botocore's SNS model: "at most 256 KB
in size (262,144 bytes, not 262,144 characters)"); moto counts characters, so a message of
box-drawing characters three times over the limit would pass on the emulator and fail on AWS.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.sns.exceptions import InvalidParameterValue
from moto.sns.models import SNSBackend

MESSAGE_BYTES = 262_144
_MARK = "_sentinel_message_bytes"


def install() -> None:
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
