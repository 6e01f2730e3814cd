"""On-call alert routing: from the severity topics, through one SQS queue, to people.

``sentinel apply`` subscribes a queue (``<project>-router``, with a dead-letter queue) to every
severity topic; ``sentinel route`` consumes it and delivers PagerDuty, Slack and email
destinations itself, with on-call, quiet hours, maintenance windows and flapping control.
``sqs``, ``lambda`` and ``https`` destinations stay plain SNS subscriptions of the topics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sentinel.naming import managed_name

if TYPE_CHECKING:
    from sentinel.config.models.routing import Destination, Routing

# Destination kinds the router delivers when a router is declared.
ROUTED_KINDS = frozenset({"pagerduty", "slack", "email"})
QUEUE_NAME_LIMIT = 80


def router_enabled(routing: Routing | None) -> bool:
    return routing is not None and routing.router is not None and routing.router.enabled


def routed_by_router(routing: Routing | None, destination: Destination) -> bool:
    """Whether the router (rather than an SNS subscription of the topic) delivers it."""
    return router_enabled(routing) and destination.kind in ROUTED_KINDS


def queue_name(project: str) -> str:
    return managed_name(project, "router", limit=QUEUE_NAME_LIMIT)


def dead_letter_queue_name(project: str) -> str:
    return managed_name(project, "router-dlq", limit=QUEUE_NAME_LIMIT)
