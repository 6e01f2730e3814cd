"""Route 53 health checks of ``uptime:`` URLs, and their alarms in us-east-1.

A health check has no name: Sentinel gives it a ``Name`` tag ``<project>-<check>`` and the
``sentinel:project`` tag, and finds its own by those tags (ListHealthChecks in pages, then
ListTagsForResources ten ids a call). Health checks are global: they are managed from the
project's first region only. Route 53 publishes HealthCheckStatus in us-east-1 alone, so the
alarm on it (``<project>/uptime/<check>``, part of the health check's state, written and
deleted with it) is made there, whatever the project's region, and notifies the severity's
topic in us-east-1: an alarm notifies topics of its own region only.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import botocore.exceptions

from sentinel.config.checks_uptime import METRICS_REGION, uptime_name
from sentinel.config.models.uptime import UptimeCheck
from sentinel.naming import PROJECT_TAG
from sentinel.sync.alarms import actions_of, alarm_description, alarm_pages
from sentinel.sync.kind import Kind
from sentinel.sync.model import State
from sentinel.sync.ownership import tag_list

if TYPE_CHECKING:
    from sentinel.sync.context import SyncContext

KIND = "health check"
TAGS_PER_CALL = 10
# RequestInterval and Type cannot change on a health check (UpdateHealthCheck lacks them).
FIXED_FIELDS = ("type", "interval")


def manages_health_checks(ctx: SyncContext) -> bool:
    """From the first region only (health checks are global), and only for a project that
    has ``uptime:``: one without it needs no Route 53 permissions."""
    return ctx.config.uptime is not None and ctx.region == ctx.config.project.regions[0]


def check_config(check: UptimeCheck) -> dict[str, Any]:
    """The HealthCheckConfig of a check, as CreateHealthCheck takes it."""
    url = urlsplit(str(check.check))
    secure = url.scheme == "https"
    kind = "HTTPS" if secure else "HTTP"
    config: dict[str, Any] = {
        "Type": f"{kind}_STR_MATCH" if check.search else kind,
        "FullyQualifiedDomainName": url.hostname,
        "Port": url.port or (443 if secure else 80),
        "ResourcePath": (url.path or "/") + (f"?{url.query}" if url.query else ""),
        "RequestInterval": check.interval,
        "FailureThreshold": check.failure_threshold,
    }
    if check.search:
        config["SearchString"] = check.search
    if secure:
        config["EnableSNI"] = True
    if check.regions:
        config["Regions"] = sorted(check.regions)
    return config


def config_fields(config: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": config.get("Type"),
        "host": config.get("FullyQualifiedDomainName"),
        "port": config.get("Port"),
        "path": config.get("ResourcePath"),
        "interval": config.get("RequestInterval"),
        "failure_threshold": config.get("FailureThreshold"),
        "search": config.get("SearchString"),
        "regions": sorted(config.get("Regions") or []),
    }


def caller_reference(project: str, name: str, config: dict[str, Any]) -> str:
    """The same check always sends the same reference (a retried create is not doubled), and
    other settings another one (Route 53 refuses a reused reference with other settings)."""
    digest = hashlib.sha256(json.dumps([project, name, config], sort_keys=True).encode())
    return f"{name[:40]}-{digest.hexdigest()[:23]}"


def list_health_checks(route53: Any) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    for page in route53.get_paginator("list_health_checks").paginate():
        checks.extend(page.get("HealthChecks", []))
    return checks


def tags_of(route53: Any, ids: list[str]) -> dict[str, dict[str, str]]:
    """Health check id -> its tags, ten ids a call (ListTagsForResources' limit)."""
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(ids), TAGS_PER_CALL):
        batch = ids[start : start + TAGS_PER_CALL]
        answer = route53.list_tags_for_resources(ResourceType="healthcheck", ResourceIds=batch)
        for entry in answer.get("ResourceTagSets", []):
            found[entry["ResourceId"]] = {t["Key"]: t["Value"] for t in entry.get("Tags", [])}
    return found


def uptime_alarm_prefix(project: str) -> str:
    """Outside the project's ``<project>-`` prefix, which the alarms kind reads as its own."""
    return f"{project}/uptime/"


def uptime_alarms(cloudwatch: Any, project: str) -> dict[str, dict[str, Any]]:
    """The project's uptime alarms of one region by name, every page read."""
    selection = {"AlarmNamePrefix": uptime_alarm_prefix(project)}
    return {a["AlarmName"]: a for a in alarm_pages(cloudwatch, "MetricAlarm", selection)}


def alarm_name(ctx: SyncContext, resource_name: str) -> str:
    """The alarm of a health check or canary ``<project>-<check>``: ``<project>/uptime/<check>``."""
    return f"{uptime_alarm_prefix(ctx.project)}{resource_name.removeprefix(ctx.prefix)}"


def alarm_topic(ctx: SyncContext, severity: str) -> str:
    return f"arn:{ctx.partition}:sns:{METRICS_REGION}:{ctx.account_id}:{ctx.topic_name(severity)}"


def alarm_fields(alarm: dict[str, Any] | None) -> dict[str, Any]:
    if alarm is None:
        return {"alarm": None}
    return {
        "alarm": f"{alarm.get('Statistic')} {alarm.get('MetricName')} "
        f"{alarm.get('ComparisonOperator')} {float(alarm.get('Threshold', 0)):g} "
        f"for {alarm.get('EvaluationPeriods')} x {alarm.get('Period')}s",
        "alarm_actions": sorted(alarm.get("AlarmActions", [])),
    }


def desired_checks(ctx: SyncContext) -> list[UptimeCheck]:
    if not manages_health_checks(ctx):
        return []
    return [check for check in ctx.config.uptime or [] if not check.is_canary]


def _alarm_of(alarm: dict[str, Any] | None, check_id: str) -> dict[str, Any] | None:
    """The alarm when it watches this health check (a stale one watches another id)."""
    if alarm is None:
        return None
    dimensions = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
    return alarm if dimensions.get("HealthCheckId") == check_id else None


def uptime_alarm(
    ctx: SyncContext,
    check: UptimeCheck,
    metric: dict[str, Any],
    default_description: str,
    topic_arn: str | None = None,
) -> dict[str, Any]:
    """PutMetricAlarm's parameters of an uptime check's alarm on ``metric`` (namespace, metric
    name, statistic, period, threshold): one period below the threshold, or no data, alarms;
    actions, description and tags as every other alarm of the project has them."""
    actions = actions_of(ctx, check.severity, topic_arn)
    return {
        "AlarmName": alarm_name(ctx, check.name),
        "AlarmDescription": alarm_description(check.description or default_description, None),
        **metric,
        "EvaluationPeriods": 1,
        "ComparisonOperator": "LessThanThreshold",
        "TreatMissingData": "breaching",
        "AlarmActions": actions["alarm_actions"],
        "OKActions": actions["ok_actions"],
        "InsufficientDataActions": actions["insufficient_data_actions"],
        "Tags": tag_list(ctx.tags),
    }


def alarm_request(ctx: SyncContext, check: UptimeCheck, check_name: str) -> dict[str, Any]:
    """PutMetricAlarm's parameters but the dimension (the id is Route 53's, known on create).

    HealthCheckStatus is 1 while healthy and 0 when not; no data means Route 53 lost the check.
    """
    metric = {
        "Namespace": "AWS/Route53",
        "MetricName": "HealthCheckStatus",
        "Statistic": "Minimum",
        "Period": 60,
        "Threshold": 1.0,
    }
    description = f"Route 53 health check {check_name} is failing"
    return uptime_alarm(ctx, check, metric, description, alarm_topic(ctx, check.severity))


class HealthChecks(Kind):
    name = KIND
    label = "Route 53 health checks"
    reads = (
        "route53:ListHealthChecks",
        "route53:ListTagsForResources",
        "cloudwatch:DescribeAlarms",
    )
    writes = (
        "route53:CreateHealthCheck",
        "route53:UpdateHealthCheck",
        "route53:DeleteHealthCheck",
        "route53:ChangeTagsForResource",
        "route53:GetHealthCheck",
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DeleteAlarms",
    )

    def desired(self, ctx: SyncContext) -> list[State]:
        states = []
        for check in desired_checks(ctx):
            name = uptime_name(ctx.project, check)
            config = check_config(check)
            alarm = alarm_request(ctx, check, name)
            states.append(
                State(
                    KIND,
                    name,
                    {**config_fields(config), **alarm_fields(alarm)},
                    source=ctx.config.source("uptime", check.name),
                    payload={"config": config, "alarm": alarm},
                )
            )
        return states

    def actual(self, ctx: SyncContext) -> list[State]:
        if not manages_health_checks(ctx):
            return []
        route53 = ctx.client("route53")
        checks = {c["Id"]: c for c in list_health_checks(route53)}
        alarms = uptime_alarms(ctx.client_in("cloudwatch", METRICS_REGION), ctx.project)
        states = []
        for check_id, tags in tags_of(route53, list(checks)).items():
            name = tags.get("Name", "")
            if not name.startswith(ctx.prefix):
                continue
            states.append(
                State(
                    KIND,
                    name,
                    {
                        **config_fields(checks[check_id]["HealthCheckConfig"]),
                        **alarm_fields(_alarm_of(alarms.get(alarm_name(ctx, name)), check_id)),
                    },
                    arn=check_id,
                    payload={"owner": tags.get(PROJECT_TAG)},
                )
            )
        return states

    def owners(self, ctx: SyncContext, states: list[State]) -> dict[str, str | None]:
        # The listing read every check's tags (to find them by Name): not read again.
        return {s.key: (s.payload or {}).get("owner") for s in states}

    def create(self, ctx: SyncContext, state: State) -> None:
        route53 = ctx.client("route53")
        config = state.payload["config"]
        created = route53.create_health_check(
            CallerReference=caller_reference(ctx.project, state.key, config),
            HealthCheckConfig=config,
        )
        check_id = created["HealthCheck"]["Id"]
        self._tag(ctx, check_id, state.key)
        self._put_alarm(ctx, state, check_id)

    def _put_alarm(self, ctx: SyncContext, state: State, check_id: str) -> None:
        alarm = state.payload["alarm"]
        ctx.client_in("cloudwatch", METRICS_REGION).put_metric_alarm(
            **alarm, Dimensions=[{"Name": "HealthCheckId", "Value": check_id}]
        )

    def _tag(self, ctx: SyncContext, check_id: str, name: str) -> None:
        ctx.client("route53").change_tags_for_resource(
            ResourceType="healthcheck",
            ResourceId=check_id,
            AddTags=tag_list({**ctx.tags, "Name": name}),
        )

    def update(self, ctx: SyncContext, desired: State, actual: State) -> None:
        if any(desired.fields[f] != actual.fields.get(f) for f in FIXED_FIELDS):
            self.delete(ctx, actual)
            self.create(ctx, desired)
            return
        check_id = str(actual.arn)
        alarm_keys = ("alarm", "alarm_actions")
        if any(desired.fields[f] != actual.fields.get(f) for f in alarm_keys):
            self._put_alarm(ctx, desired, check_id)
        if all(
            desired.fields[f] == actual.fields.get(f) for f in desired.fields if f not in alarm_keys
        ):
            return
        route53 = ctx.client("route53")
        version = route53.get_health_check(HealthCheckId=check_id)["HealthCheck"]
        config = desired.payload["config"]
        changes: dict[str, Any] = {
            key: config[key]
            for key in ("FullyQualifiedDomainName", "Port", "ResourcePath", "FailureThreshold")
        }
        reset = []
        for key, element in (("SearchString", None), ("Regions", "Regions")):
            if key in config:
                changes[key] = config[key]
            elif element:
                reset.append(element)
        if config["Type"].startswith("HTTPS"):
            changes["EnableSNI"] = True
        route53.update_health_check(
            HealthCheckId=check_id,
            HealthCheckVersion=version["HealthCheckVersion"],
            **changes,
            **({"ResetElements": reset} if reset else {}),
        )

    def adopt(self, ctx: SyncContext, state: State) -> None:
        self._tag(ctx, str(state.arn), state.key)

    def delete(self, ctx: SyncContext, state: State) -> None:
        ctx.client_in("cloudwatch", METRICS_REGION).delete_alarms(
            AlarmNames=[alarm_name(ctx, state.key)]
        )
        route53 = ctx.client("route53")
        try:
            route53.delete_health_check(HealthCheckId=str(state.arn))
        except botocore.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "NoSuchHealthCheck":
                raise
