"""Checks of ``uptime:`` that need more than one field: URLs, probe regions, canary settings."""

from __future__ import annotations

import ipaddress
import re
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sentinel.aws.request_model import python_pattern, service_model
from sentinel.config.assembly import Assembly, Source
from sentinel.config.models.uptime import (
    CANARY_MAX_EVERY,
    CANARY_MIN_EVERY,
    FAILURE_THRESHOLDS,
    HEALTH_CHECK_INTERVALS,
    UptimeCheck,
)
from sentinel.config.references import References, Where
from sentinel.config.units import format_duration
from sentinel.naming import prefix

if TYPE_CHECKING:
    from sentinel.config.configuration import Config
    from sentinel.config.models.monitors import MonitorsFile

# Route 53 wants at least three probe regions when any are chosen (UpdateHealthCheck: Regions).
MIN_REGIONS = 3
# Route 53 publishes HealthCheckStatus here only: a health check's alarm lives here.
METRICS_REGION = "us-east-1"
# Synthetics ends a canary run after its RunConfig's TimeoutInSeconds, at most 840 (14 minutes).
CANARY_TIMEOUT = 840


@cache
def health_check_regions() -> tuple[str, ...]:
    """The regions Route 53 probes from, as botocore's model lists them (HealthCheckRegion)."""
    return tuple(service_model("route53").shape_for("HealthCheckRegion").enum)


@cache
def canary_name_rule() -> tuple[int, re.Pattern[str]]:
    """The longest canary name and the characters it takes, as botocore's model has them."""
    metadata = service_model("synthetics").shape_for("CanaryName").metadata
    pattern = python_pattern(str(metadata["pattern"]))
    assert pattern is not None
    return int(metadata["max"]), pattern


def url_problem(url: str) -> str | None:
    """Why Route 53 or a canary cannot probe ``url`` from the internet (None: it can)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"URL {url!r} does not parse: {exc}"
    if parts.scheme not in ("http", "https"):
        return f"URL {url!r}: only http:// and https:// are probed"
    host = parts.hostname
    if not host:
        return f"URL {url!r} has no host"
    if port == 0:
        return f"URL {url!r}: port 0"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith(".localhost"):
            return f"URL {url!r}: localhost is not reachable from AWS's probes"
        return None
    if not address.is_global:
        return (
            f"URL {url!r}: {address} is a private, loopback or link-local address; "
            "probes run on the internet"
        )
    return None


def uptime_name(project: str, check: UptimeCheck) -> str:
    """The name of a check's canary, and the Name tag of its health check."""
    return f"{prefix(project)}{check.name}"


def check_uptime(model: MonitorsFile, source: Source, build: Assembly) -> None:
    """Every problem of one file's uptime checks; canaries need the project's uptime_defaults,
    which any monitors file may hold (all are defined before this runs)."""
    refs, config = build.refs, build.config

    def where(*loc: str | int) -> Where:
        return source.where("uptime", *loc)

    for i, check in enumerate(model.uptime or []):
        refs.require_severity(check.severity, where(i, "severity"))
        if check.slow_severity is not None:
            refs.require_severity(check.slow_severity, where(i, "slow_severity"))
        if (check.check is None) == (check.canary is None):
            refs.problems.append(
                where(i).problem("an uptime check has either `check: URL` or `canary:`, not both")
            )
            continue
        url = check.check if check.check is not None else check.canary
        if isinstance(url, str):
            problem = url_problem(url)
            if problem:
                refs.problems.append(
                    where(i, "check" if check.check else "canary").problem(problem)
                )
        elif url is not None:
            for r, request in enumerate(url.requests):
                problem = url_problem(request.url)
                if problem:
                    refs.problems.append(where(i, "canary", "requests", r, "url").problem(problem))
        if check.is_canary:
            _check_canary(check, i, where, refs, config)
        else:
            _check_health_check(check, i, where, refs)
            if METRICS_REGION not in config.project.regions:
                refs.problems.append(
                    where(i, "check").problem(
                        f"a health check's alarm lives in {METRICS_REGION} (Route 53's metrics "
                        f"are there only) and notifies the severity's topic there: add "
                        f"{METRICS_REGION} to sentinel.yaml's regions"
                    )
                )


def _check_health_check(check: UptimeCheck, i: int, where: Any, refs: References) -> None:
    for field in ("slower_than", "slow_severity"):
        if getattr(check, field) is not None:
            refs.problems.append(
                where(i, field).problem(
                    f"`{field}` is a canary's: a Route 53 health check reports no duration"
                )
            )
    if check.interval not in HEALTH_CHECK_INTERVALS:
        refs.problems.append(
            where(i, "interval").problem(
                f"interval {format_duration(check.interval)}: Route 53 probes every 10s or 30s"
            )
        )
    if check.failure_threshold not in FAILURE_THRESHOLDS:
        refs.problems.append(
            where(i, "failure_threshold").problem(
                f"failure_threshold {check.failure_threshold}: Route 53 takes 1 to 10"
            )
        )
    if check.regions is not None:
        if len(check.regions) < MIN_REGIONS:
            refs.problems.append(
                where(i, "regions").problem(
                    f"{len(check.regions)} region(s): Route 53 needs at least {MIN_REGIONS}"
                )
            )
        offered = health_check_regions()
        for r, region in enumerate(check.regions):
            if region not in offered:
                refs.problems.append(
                    where(i, "regions", r).problem(
                        f"Route 53 does not probe from {region!r}; it offers {', '.join(offered)}"
                    )
                )
        if len(set(check.regions)) != len(check.regions):
            refs.problems.append(where(i, "regions").problem("a region is listed twice"))


def _check_canary(check: UptimeCheck, i: int, where: Any, refs: References, config: Config) -> None:
    if check.every < CANARY_MIN_EVERY:
        refs.problems.append(
            where(i, "every").problem(
                f"every {format_duration(check.every)}: a canary runs at most once a minute"
            )
        )
    elif check.every > CANARY_MAX_EVERY:
        refs.problems.append(
            where(i, "every").problem(
                f"every {format_duration(check.every)}: a canary runs at least once an hour"
            )
        )
    elif check.every % 60:
        refs.problems.append(
            where(i, "every").problem(
                f"every {format_duration(check.every)}: a canary schedule is whole minutes"
            )
        )
    if config.uptime_defaults is None:
        refs.problems.append(
            where(i, "canary").problem(
                "a canary needs `uptime_defaults: {canary_role: ARN, artifacts: s3://...}` "
                "in monitors/"
            )
        )
    name = uptime_name(config.name, check)
    limit, pattern = canary_name_rule()
    if not pattern.match(name) or len(name) > limit:
        refs.problems.append(
            where(i, "name").problem(
                f"canary name {name!r}: Synthetics takes lower-case letters, digits, '-' and "
                f"'_', at most {limit} characters"
            )
        )
    longest = min(check.every, CANARY_TIMEOUT)
    if check.slower_than is not None and not 0 < check.slower_than < longest:
        refs.problems.append(
            where(i, "slower_than").problem(
                f"slower_than {check.slower_than:g}s: a run of this canary ends after "
                f"{longest}s (its schedule, at most {CANARY_TIMEOUT}s), so the limit is above 0s "
                "and below that"
            )
        )
    if check.slow_severity is not None and check.slower_than is None:
        refs.problems.append(
            where(i, "slow_severity").problem("`slow_severity` needs `slower_than`")
        )
    if not 0 < check.success_below <= 100:
        refs.problems.append(
            where(i, "success_below").problem("success_below is a percentage above 0% up to 100%")
        )
