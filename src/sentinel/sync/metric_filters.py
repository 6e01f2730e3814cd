"""Metric filters of the alarm rules with ``logs:``: a log group's matching events as a metric.

Each rule's filter is named ``<project>-<rule>`` on its group and publishes the metric named
after the rule in the namespace ``Sentinel/Logs/<project>``; the rule's alarm (the alarm kind)
watches that metric with Sum, so the filter is written before the alarm (kinds.py).

Ownership: metric filters carry no tags (PutMetricFilter takes none, and the Tagging API has no
such resource), so a filter is the project's when its name has the project prefix and it
publishes to the project's namespace. A group that does not exist yet is created (with the
project's tags) before its filter, and stays when the filter goes.
DescribeMetricFilters filters by name prefix only within one log group (and by namespace only
with a metric name), so the region's filters are read in one paged listing without a group:
a filter left on a group that no rule names any more is found there and deleted.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from sentinel.config.models.alarms import AlarmRule
from sentinel.config.models.log_metrics import LogMetric
from sentinel.sync.kind import Kind
from sentinel.sync.model import State

if TYPE_CHECKING:
    from sentinel.sync.context import SyncContext

KIND = "metric filter"
PAGE = 50  # DescribeMetricFilters' maximum limit


def log_namespace(project: str) -> str:
    return f"Sentinel/Logs/{project}"


def log_metric(project: str, rule: AlarmRule) -> tuple[str, str]:
    """The namespace and metric name an alarm rule with ``logs:`` watches."""
    return log_namespace(project), rule.name


def filter_name(ctx: SyncContext, rule: AlarmRule) -> str:
    return f"{ctx.prefix}{rule.name}"


def _key(group: str, name: str) -> str:
    # Neither a log group nor a filter name may hold ':'.
    return f"{group}:{name}"


def _fields(pattern: str, transformation: dict[str, Any]) -> dict[str, Any]:
    default = transformation.get("defaultValue")
    return {
        "pattern": pattern,
        "namespace": transformation.get("metricNamespace"),
        "metric": transformation.get("metricName"),
        "value": transformation.get("metricValue"),
        "default_value": None if default is None else float(default),
    }


class MetricFilters(Kind):
    name = KIND
    label = "CloudWatch Logs metric filters"
    reads = ("logs:DescribeMetricFilters",)
    writes = ("logs:PutMetricFilter", "logs:CreateLogGroup", "logs:DeleteMetricFilter")

    def _rules(self, ctx: SyncContext) -> list[tuple[AlarmRule, LogMetric]]:
        return [(r, r.logs) for r in ctx.config.alarms if r.logs is not None]

    def desired(self, ctx: SyncContext) -> list[State]:
        states = []
        for rule, logs in self._rules(ctx):
            namespace, metric = log_metric(ctx.project, rule)
            transformation: dict[str, Any] = {
                "metricName": metric,
                "metricNamespace": namespace,
                "metricValue": logs.value,
            }
            if logs.default_value is not None:
                transformation["defaultValue"] = logs.default_value
            name = filter_name(ctx, rule)
            payload = {
                "logGroupName": logs.group,
                "filterName": name,
                "filterPattern": logs.pattern,
                "metricTransformations": [transformation],
            }
            states.append(
                State(
                    KIND,
                    _key(logs.group, name),
                    _fields(logs.pattern, transformation),
                    source=ctx.config.source("alarm", rule.name),
                    payload=payload,
                )
            )
        return states

    def actual(self, ctx: SyncContext) -> list[State]:
        """The region's filters with the project prefix, on any group, every page."""
        paginator = ctx.client("logs").get_paginator("describe_metric_filters")
        pages = paginator.paginate(PaginationConfig={"PageSize": PAGE})
        states = []
        for entry in (f for page in pages for f in page.get("metricFilters", [])):
            if not entry["filterName"].startswith(ctx.prefix):
                continue
            transformations = entry.get("metricTransformations") or [{}]
            states.append(
                State(
                    KIND,
                    _key(entry["logGroupName"], entry["filterName"]),
                    _fields(entry.get("filterPattern", ""), transformations[0]),
                )
            )
        return states

    def owners(self, ctx: SyncContext, states: list[State]) -> dict[str, str | None]:
        namespace = log_namespace(ctx.project)
        return {
            s.key: ctx.project if s.fields.get("namespace") == namespace else None for s in states
        }

    def create(self, ctx: SyncContext, state: State) -> None:
        logs = ctx.client("logs")
        try:
            logs.put_metric_filter(**state.payload)
        except logs.exceptions.ResourceNotFoundException:
            # The group is made by what logs to it (an ECS task definition); a filter can only
            # be put on a group that exists, so the group is made first, with the project's
            # tags, and nothing is ever deleted with it.
            group = state.payload["logGroupName"]
            # Two filters of one new group are written at once: one of them makes it.
            with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
                logs.create_log_group(logGroupName=group, tags=dict(sorted(ctx.tags.items())))
            logs.put_metric_filter(**state.payload)

    def adopt(self, ctx: SyncContext, state: State) -> None:
        """Nothing to tag: a filter is the project's by its name and namespace."""

    def delete(self, ctx: SyncContext, state: State) -> None:
        group, _, name = state.key.partition(":")
        logs = ctx.client("logs")
        with contextlib.suppress(logs.exceptions.ResourceNotFoundException):
            logs.delete_metric_filter(logGroupName=group, filterName=name)
