"""Assemble a router from a loaded configuration: destinations, on-call, store and queue.

The router delivers PagerDuty, Slack and email destinations itself (so severity mapping, threads,
quiet hours, maintenance and flapping control apply to them); ``sqs``, ``lambda`` and ``https``
destinations stay plain SNS subscriptions of the severity topics.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sentinel.aws.session import SessionFactory
from sentinel.config.loader import Config
from sentinel.config.models.routing import Destination as DestinationConfig
from sentinel.config.models.routing import When
from sentinel.config.secrets import resolve_secret
from sentinel.routing import ROUTED_KINDS, queue_name
from sentinel.routing.consumer import Consumer, Queue, find_queue
from sentinel.routing.delivery_hours import DeliveryHours, hours_zone
from sentinel.routing.destinations.base import Destination
from sentinel.routing.destinations.email import EmailDestination
from sentinel.routing.destinations.pagerduty import PagerDutyDestination, dedup_key
from sentinel.routing.destinations.slack import SlackDestination
from sentinel.routing.endpoints import ServiceEndpoints
from sentinel.routing.oncall import (
    OnCallReport,
    PagerDutySchedule,
    Rotation,
    Shift,
    pagerduty_rest_client,
)
from sentinel.routing.policy import RoutingPolicy
from sentinel.routing.ratelimit import PAGERDUTY_EVENTS_PER_MINUTE, TokenBucket
from sentinel.routing.router import Router, utcnow
from sentinel.routing.state import RouterState
from sentinel.store import Store, store_url


class Secrets:
    """Secret references resolved once per process; the values live only in memory."""

    def __init__(self, factory: SessionFactory | None) -> None:
        self.factory = factory
        self._values: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, reference: str) -> str:
        with self._lock:
            if reference not in self._values:
                self._values[reference] = resolve_secret(reference, self.factory)
            return self._values[reference]


@dataclass(frozen=True)
class RateLimit:
    """PagerDuty events per minute per integration key, and the burst allowed."""

    per_minute: float = PAGERDUTY_EVENTS_PER_MINUTE
    burst: float | None = None


def on_call_source(
    config: Config, secrets: Callable[[str], str], endpoints: ServiceEndpoints
) -> Rotation | PagerDutySchedule | None:
    routing = config.routing
    if routing is None or routing.oncall is None:
        return None
    oncall = routing.oncall
    if oncall.pagerduty_schedule:
        token = oncall.pagerduty_token or "env:PAGERDUTY_API_TOKEN"
        return PagerDutySchedule(
            oncall.pagerduty_schedule,
            oncall,
            lambda: pagerduty_rest_client(
                secrets(token), endpoints.pagerduty_api, endpoints.ssl_context
            ),
            config.project.timezone,
        )
    return Rotation(oncall, config.project.timezone)


def on_call_report(
    config: Config,
    at: datetime,
    factory: SessionFactory | None = None,
    endpoints: ServiceEndpoints | None = None,
) -> OnCallReport | None:
    """Who is on call at ``at`` and next, from the rotation or the PagerDuty schedule."""
    source = on_call_source(config, Secrets(factory), endpoints or ServiceEndpoints.from_env())
    return source.report(at) if source else None


def pagerduty_acknowledgements(
    config: Config, secrets: Callable[[str], str], endpoints: ServiceEndpoints
) -> Callable[[str], bool] | None:
    """With a REST token, ask PagerDuty whether an alarm's incident was acknowledged."""
    oncall = config.routing.oncall if config.routing else None
    if oncall is None or oncall.pagerduty_token is None:
        return None
    token = oncall.pagerduty_token

    def acknowledged(alert_key: str) -> bool:
        client = pagerduty_rest_client(
            secrets(token), endpoints.pagerduty_api, endpoints.ssl_context
        )
        params = {"incident_key": dedup_key(alert_key), "statuses[]": ["acknowledged", "resolved"]}
        return any(True for _ in client.iter_all("/incidents", params=params))

    return acknowledged


def build_router(
    config: Config,
    factory: SessionFactory,
    store: Store | None = None,
    endpoints: ServiceEndpoints | None = None,
    rate: RateLimit | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Router:
    """A router for ``config``: its destinations by severity, on-call, escalation and state."""
    policy = RoutingPolicy(config)
    endpoints = endpoints or ServiceEndpoints.from_env()
    rate = rate or RateLimit()
    secrets = Secrets(factory)
    store = store or Store(store_url(config.project.store, config.root))
    ses: Callable[[], Any] = lambda: factory.client("ses")  # noqa: E731
    made: dict[str, Destination] = {}

    def bucket() -> TokenBucket:
        # On the router's clock, so a test that moves time moves the rate limit with it.
        return TokenBucket.per_minute(
            rate.per_minute, rate.burst, clock=lambda: clock().timestamp()
        )

    def make(destination: DestinationConfig) -> Destination | None:
        if destination.pagerduty is not None:
            ref = destination.pagerduty.integration_key
            return made.setdefault(
                f"pagerduty:{ref}",
                PagerDutyDestination(ref, secrets, endpoints, bucket()),
            )
        if destination.slack is not None:
            slack = destination.slack
            return made.setdefault(
                f"slack:{slack.channel}",
                SlackDestination(slack.channel, slack.token, secrets, endpoints),
            )
        if destination.email is not None:
            return made.setdefault(
                f"email:{destination.email}",
                EmailDestination(destination.email, ses, endpoints.email_from),
            )
        return None

    by_severity: dict[str, list[Destination]] = {}
    when: dict[tuple[str, str], When] = {}
    for severity, tier in policy.routing.severities.items():
        by_severity[severity] = []
        for entry in tier.notify:
            made_one = make(entry) if entry.kind in ROUTED_KINDS else None
            if made_one is not None:
                by_severity[severity].append(made_one)
                when[(severity, made_one.id)] = entry.when
    # Resolve every secret now: a missing key stops the router at start, not at the first page.
    for destination in made.values():
        if isinstance(destination, PagerDutyDestination):
            secrets(destination.reference)
        elif isinstance(destination, SlackDestination):
            secrets(destination.token_reference)
    oncall = policy.routing.oncall
    escalation = oncall.escalation if oncall else None
    escalation_targets: list[Destination] = []
    if escalation and escalation.email:
        escalation_targets.append(EmailDestination(escalation.email, ses, endpoints.email_from))
    repage_targets: list[PagerDutyDestination] | None = None
    if escalation and escalation.pagerduty:
        ref = escalation.pagerduty.integration_key
        known = made.get(f"pagerduty:{ref}")
        target = (
            known
            if isinstance(known, PagerDutyDestination)
            else PagerDutyDestination(ref, secrets, endpoints, bucket())
        )
        secrets(ref)  # resolved at start, as every other key
        repage_targets = [target]
    source = on_call_source(config, secrets, endpoints)
    lookup: Callable[[datetime], Shift | None] | None = source.shift_at if source else None
    return Router(
        policy,
        RouterState(store),
        by_severity,
        oncall=lookup,
        escalation_contact=escalation.contact if escalation else None,
        escalation_destinations=escalation_targets,
        acknowledged=pagerduty_acknowledgements(config, secrets, endpoints),
        clock=clock,
        repage_destinations=repage_targets,
        delivery_hours=delivery_hours(policy, when),
    )


def delivery_hours(
    policy: RoutingPolicy, when: dict[tuple[str, str], When]
) -> DeliveryHours | None:
    """The destinations that go by the hour, or None when all of them take alarms always."""
    hours = policy.routing.business_hours
    if hours is None or all(w == "always" for w in when.values()):
        return None
    return DeliveryHours(hours, hours_zone(hours, policy.config.project.timezone), when)


def router_calls() -> tuple[str, ...]:
    """The AWS calls the router makes: the queue's, and the destinations' that use AWS (SES);
    PagerDuty and Slack are not AWS. Secrets are the config's (sentinel.config.secrets)."""
    return (*Consumer.calls, *EmailDestination.calls)


def build_consumer(
    config: Config,
    factory: SessionFactory,
    router: Router,
    on_decision: Callable[..., None] | None = None,
) -> Consumer:
    sqs = factory.client("sqs")
    queue: Queue = find_queue(sqs, queue_name(config.name))
    return Consumer(router, sqs, queue, on_decision=on_decision)
