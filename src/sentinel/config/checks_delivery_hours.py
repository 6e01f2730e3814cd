"""Checks of ``when:`` on destinations: it needs ``business_hours:`` and the router to hold it."""

from __future__ import annotations

from sentinel.config.assembly import Assembly, Source
from sentinel.config.models import Routing
from sentinel.routing import ROUTED_KINDS, router_enabled


def check_delivery_hours(model: Routing, source: Source, build: Assembly) -> None:
    for severity, tier in model.severities.items():
        for d, destination in enumerate(tier.notify):
            if destination.when == "always":
                continue
            where = source.where("severities", severity, "notify", d, "when")
            if destination.kind not in ROUTED_KINDS:
                build.problem(
                    where,
                    f"`when: {destination.when}` on a {destination.kind} destination: SNS "
                    "delivers it at any hour; only pagerduty, slack and email go by the hour",
                )
            elif not router_enabled(model):
                build.problem(
                    where,
                    f"`when: {destination.when}` needs the router (`router:` in "
                    "alarms/routing.yaml): without it SNS delivers at any hour",
                )
            if model.business_hours is None:
                build.problem(
                    where,
                    f"`when: {destination.when}` needs `business_hours:` (days, start, end) in "
                    "alarms/routing.yaml",
                )
