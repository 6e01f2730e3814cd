"""SLO burn-rate alarms as a managed kind: metric-math windows and the composites joining them.

Built by ``sentinel.slo.alerts``; normalised and written by the alarm kinds' own functions, so a
burn-rate alarm diffs exactly like any other alarm. They live under ``<project>/slo/``, read
here by that prefix (both alarm types in one paged call) and owned by the project's tag.
Windows are written before the composites using them and deleted after them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sentinel.slo.alerts import burn_rate_alarms, burn_rate_prefix
from sentinel.slo.templates import slo_instances
from sentinel.sync.alarms import Alarms, actions_of, describe_pages, normalise_alarm
from sentinel.sync.composites import CompositeAlarms, normalise_composite
from sentinel.sync.kind import Kind
from sentinel.sync.model import State
from sentinel.sync.ownership import owners_by_key

if TYPE_CHECKING:
    from sentinel.sync.context import SyncContext

KIND = "burn-rate alarm"


class BurnRateAlarms(Kind):
    name = KIND
    label = "SLO burn-rate alarms"
    # Written as metric and composite alarms are.
    reads = ("cloudwatch:DescribeAlarms", "tag:GetResources")
    writes = (*Alarms.writes, *CompositeAlarms.writes)
    ordered = True

    def __init__(self) -> None:
        self._metric = Alarms()
        self._composite = CompositeAlarms()

    def desired(self, ctx: SyncContext) -> list[State]:
        windows: list[State] = []
        composites: list[State] = []
        instances = slo_instances(ctx.config, ctx.inventory, ctx.region)
        severities = {
            severity
            for slo in ctx.config.slos
            if slo.alerting
            for severity in (slo.alerting.page, slo.alerting.ticket)
            if severity
        }
        actions = {severity: actions_of(ctx, severity) for severity in severities}
        for instance in instances:
            source = instance.source
            for alarm in burn_rate_alarms(ctx.project, instance.slo, actions, ctx.tags):
                normalise = normalise_composite if alarm.composite else normalise_alarm
                state = State(
                    KIND,
                    alarm.name,
                    _typed(normalise(alarm.params), alarm.composite),
                    source=source,
                    payload={"params": alarm.params, "composite": alarm.composite},
                )
                (composites if alarm.composite else windows).append(state)
        return windows + composites

    def actual(self, ctx: SyncContext) -> list[State]:
        windows: list[State] = []
        composites: list[State] = []
        for alarm, composite in _describe(ctx):
            normalise = normalise_composite if composite else normalise_alarm
            state = State(
                KIND,
                alarm["AlarmName"],
                _typed(normalise(alarm), composite),
                arn=alarm.get("AlarmArn"),
                payload={"composite": composite},
            )
            (composites if composite else windows).append(state)
        return windows + composites

    def owners(self, ctx: SyncContext, states: list[State]) -> dict[str, str | None]:
        return owners_by_key(ctx, states)

    def create(self, ctx: SyncContext, state: State) -> None:
        self._writer(state).create(ctx, state)

    def update(self, ctx: SyncContext, desired: State, actual: State) -> None:
        if desired.payload["composite"] != actual.payload["composite"]:
            self.delete(ctx, actual)
            self.create(ctx, desired)
            return
        self._writer(desired).update(ctx, desired, actual)

    def delete(self, ctx: SyncContext, state: State) -> None:
        self._writer(state).delete(ctx, state)

    def adopt(self, ctx: SyncContext, state: State) -> None:
        self._writer(state).adopt(ctx, state)

    def _writer(self, state: State) -> Kind:
        return self._composite if state.payload["composite"] else self._metric


def _typed(fields: dict[str, Any], composite: bool) -> dict[str, Any]:
    return {"type": "composite" if composite else "metric", **fields}


def _describe(ctx: SyncContext) -> Iterator[tuple[dict[str, Any], bool]]:
    """The project's burn-rate alarms of both types, 100 a page, to the last page."""
    selection = {"AlarmNamePrefix": burn_rate_prefix(ctx.project)}
    types = ["MetricAlarm", "CompositeAlarm"]
    for page in describe_pages(ctx.client("cloudwatch"), types, selection):
        for alarm in page.get("MetricAlarms", []):
            yield alarm, False
        for alarm in page.get("CompositeAlarms", []):
            yield alarm, True
