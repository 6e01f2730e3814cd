"""Requests into moto's backends one at a time, as AWS answers concurrent calls consistently.

moto keeps each service's state in plain dicts (SNS topics and subscriptions, EventBridge rules
in OrderedDicts): a listing in one thread while another thread writes fails with "OrderedDict
mutated during iteration", and the Tagging API's GetResources reads every service's dicts at
once. ``sentinel apply`` writes with several threads, and so does a test of it, so every request
runs under one lock: in process (``mock_aws``) and in the server alike.

SQS is left out: its ReceiveMessage waits inside the request, up to 20 s, for a message that
another request sends, which one lock would keep out.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from moto.core.botocore_stubber import BotocoreStubber
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

_LOCK = threading.RLock()
# The service of a signed request: Credential=KEY/DATE/REGION/SERVICE/aws4_request.
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
UNLOCKED_SERVICES = frozenset({"sqs"})


def _service_of(authorization: str | bytes | None) -> str | None:
    if isinstance(authorization, bytes):
        authorization = authorization.decode("latin-1")
    match = _SCOPE.search(authorization or "")
    return match.group(1) if match else None


def install() -> None:
    if getattr(BotocoreStubber, "_sentinel_one_at_a_time", False):
        return
    process_request = BotocoreStubber.process_request

    def one_request(self: BotocoreStubber, request: Any) -> Any:
        if _service_of(request.headers.get("Authorization")) in UNLOCKED_SERVICES:
            return process_request(self, request)
        with _LOCK:
            return process_request(self, request)

    BotocoreStubber.process_request = one_request  # type: ignore[method-assign]
    BotocoreStubber._sentinel_one_at_a_time = True  # type: ignore[attr-defined]

    dispatch = DomainDispatcherApplication.__call__

    def one_call(self: DomainDispatcherApplication, environ: dict[str, Any], start: Any) -> Any:
        if _service_of(environ.get("HTTP_AUTHORIZATION")) in UNLOCKED_SERVICES:
            return dispatch(self, environ, start)
        with _LOCK:
            # The body is read inside the lock too: a streamed listing is still a listing.
            return list(dispatch(self, environ, start))

    DomainDispatcherApplication.__call__ = one_call  # type: ignore[method-assign, assignment]
