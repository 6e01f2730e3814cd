"""The one Slack Web API client: slack_sdk's WebClient over a kept-alive urllib3 pool.

The router (one call per alert, retried through its queue) and the reports (retried within a
call by slack_sdk's handlers, then by the outbox) differ only in timeout and retry handlers.
Where Slack is, and which CA bundle to trust, comes from ``ServiceEndpoints``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.request import Request

import urllib3
from slack_sdk import WebClient
from slack_sdk.http_retry.handler import RetryHandler

from sentinel.routing.endpoints import ServiceEndpoints


class PooledWebClient(WebClient):
    """slack_sdk's WebClient over a urllib3 pool: its connection stays open between calls
    (urllib opens one per call). Everything else, errors included, is slack_sdk's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pool = urllib3.PoolManager(
            num_pools=2, maxsize=2, ssl_context=self.ssl, retries=False, timeout=self.timeout
        )

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        body = req.data if isinstance(req.data, bytes) else None  # slack_sdk sends bytes
        response = self._pool.request(
            "POST", url, body=body, headers=dict(req.header_items()), preload_content=True
        )
        charset = response.headers.get("Content-Type", "").partition("charset=")[2] or "utf-8"
        return {
            "status": response.status,
            "headers": response.headers,
            "body": response.data.decode(charset),
        }


def web_client(
    token: str,
    endpoints: ServiceEndpoints,
    timeout: int,
    retry_handlers: Sequence[RetryHandler],
    logger: logging.Logger | None = None,
    base_url: str | None = None,
) -> WebClient:
    return PooledWebClient(
        token=token,
        base_url=base_url or endpoints.slack_api,
        ssl=endpoints.ssl_context,
        timeout=timeout,
        retry_handlers=list(retry_handlers),
        **({"logger": logger} if logger is not None else {}),
    )
