"""SNS topics as severities, their subscriptions as destinations, secrets as ``env:`` names.

A topic becomes a severity; its name stays through ``aws_name`` unless it is
``<project>-<severity>``. Email, SQS and Lambda subscriptions are written as they are. An https
endpoint may hold a secret (a PagerDuty integration key, a token in a webhook URL): it becomes
an ``env:NAME`` reference whose NAME the output lists; the value is never written or printed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sentinel.importer.estate import Estate
from sentinel.importer.names import Names
from sentinel.importer.result import EnvReference, ImportResult
from sentinel.routing import queue_name
from sentinel.sync.topics import (
    AWS_DEFAULT,
    access_policy,
    aws_default_policy,
    display_name,
    normalise_policy,
    topic_name_of,
)

_PAGERDUTY = re.compile(r"^https://events\.pagerduty\.com/integration/([^/]+)/enqueue$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Routes:
    """Topic ARN -> severity name, and the severities as written to routing.yaml."""

    severity_of: dict[str, str] = field(default_factory=dict)
    severities: dict[str, dict[str, Any]] = field(default_factory=dict)

    def topic_of(self, severity: str) -> str:
        return next(arn for arn, name in self.severity_of.items() if name == severity)


def env_name(*parts: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", "_".join(parts).upper()).strip("_")


def import_routes(
    estate: Estate, project: str, actions: dict[str, tuple[bool, bool]], result: ImportResult
) -> Routes:
    """Severities of the estate's topics. ``actions``: topic ARN -> (OK, insufficient-data)
    actions of the alarms that notify it, as most of them have it."""
    routes = Routes()
    names = Names(project)
    router_queue = estate.arn("sqs", queue_name(project))
    for arn, attributes in estate.topics.items():
        topic = topic_name_of(arn)
        severity, aws_name = names.for_aws(topic, safe=True)
        routes.severity_of[arn] = severity
        tier: dict[str, Any] = {}
        if aws_name is not None:
            tier["aws_name"] = aws_name
        shown = attributes.get("DisplayName", "")
        if shown != display_name(project, [severity]):
            tier["display_name"] = shown
        policy = normalise_policy(attributes.get("Policy"))
        if policy == normalise_policy(json.dumps(aws_default_policy(arn, estate.account))):
            tier["topic_policy"] = AWS_DEFAULT  # the same in every account and region
        elif policy is not None and policy != normalise_policy(
            json.dumps(access_policy(arn, estate.account))
        ):
            tier["topic_policy"] = policy  # a hand-made policy is kept as it is
        ok, insufficient = actions.get(arn, (True, False))
        if not ok:
            tier["ok_actions"] = False
        if insufficient:
            tier["insufficient_data_actions"] = True
        notify = []
        secrets: Counter[str] = Counter()
        for subscription in estate.subscriptions.get(arn, []):
            protocol, endpoint = subscription["Protocol"], subscription["Endpoint"]
            if protocol == "sqs" and endpoint == router_queue:
                continue  # the router's queue: written by `router:`, not a destination
            destination = _destination(protocol, endpoint, project, severity, secrets, result)
            if destination is None:
                result.skip(
                    "subscription",
                    f"{topic}/{protocol}",
                    f"protocol {protocol!r} has no destination in routing.yaml "
                    "(email, https, sqs and lambda do)",
                )
                continue
            notify.append(destination)
            result.imported["subscription"] += 1
        if notify:
            tier["notify"] = notify
        routes.severities[severity] = tier
        result.imported["topic"] += 1
    return routes


def _destination(
    protocol: str,
    endpoint: str,
    project: str,
    severity: str,
    secrets: Counter[str],
    result: ImportResult,
) -> dict[str, Any] | None:
    if protocol == "email" and _EMAIL.match(endpoint):
        return {"email": endpoint}
    if protocol in ("sqs", "lambda"):
        return {protocol: endpoint}
    if protocol != "https":
        return None
    pagerduty = _PAGERDUTY.match(endpoint)
    base = env_name(project, severity, "pagerduty_key" if pagerduty else "webhook_url")
    secrets[base] += 1
    name = base if secrets[base] == 1 else f"{base}_{secrets[base]}"
    if pagerduty:
        result.env.append(EnvReference(name, f"PagerDuty integration key of severity {severity}"))
        return {"pagerduty": {"integration_key": f"env:{name}"}}
    result.env.append(EnvReference(name, f"webhook URL of severity {severity}"))
    return {"https": f"env:{name}"}
