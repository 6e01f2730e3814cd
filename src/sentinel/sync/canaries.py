"""CloudWatch Synthetics canaries of ``uptime:`` URLs, each with its SuccessPercent alarm.

A canary is named ``<project>-<check>`` and tagged with the project; Synthetics never hands
its code back, so the tag ``sentinel:script`` keeps a digest of the script it runs, and a
changed script is an update. The alarm ``<project>/uptime/<check>`` (CloudWatchSynthetics
SuccessPercent by CanaryName, in the canary's region) is part of the canary's state: it is
written after the canary and deleted with it, and so is ``<project>/uptime/<check>/slow``
(the runs' average Duration above ``slower_than``) when the check has one. A new canary is
started; a canary is stopped before it is deleted, as Synthetics requires.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from sentinel.config.checks_uptime import uptime_name
from sentinel.config.models.uptime import UptimeCheck
from sentinel.naming import PROJECT_TAG
from sentinel.sync.canary_code import (
    HANDLER,
    canary_script,
    canary_zip,
    runtime_version,
    script_digest,
)
from sentinel.sync.health_checks import alarm_name, uptime_alarm, uptime_alarms
from sentinel.sync.kind import Kind
from sentinel.sync.model import State

if TYPE_CHECKING:
    from sentinel.sync.context import SyncContext

KIND = "canary"
SCRIPT_TAG = "sentinel:script"
PAGE_SIZE = 20
# A canary still stopping cannot be deleted: wait for it this many times, a second apart.
STOP_WAITS = 30
_ALARM_KEYS = ("alarm", "alarm_actions")
_SLOW_KEYS = ("slow_alarm", "slow_alarm_actions")
SLOW_SUFFIX = "/slow"


def schedule_expression(seconds: int) -> str:
    minutes = seconds // 60
    if minutes == 60:
        return "rate(1 hour)"
    return f"rate({minutes} minute{'s' if minutes != 1 else ''})"


def alarm_request(ctx: SyncContext, check: UptimeCheck, canary: str) -> dict[str, Any]:
    """SuccessPercent over one schedule period; no data means the canary did not run."""
    metric = {
        "Namespace": "CloudWatchSynthetics",
        "MetricName": "SuccessPercent",
        "Dimensions": [{"Name": "CanaryName", "Value": canary}],
        "Statistic": "Average",
        "Period": max(60, check.every),
        "Threshold": float(check.success_below),
    }
    return uptime_alarm(ctx, check, metric, f"Synthetics canary {canary} fails")


def slow_alarm_name(ctx: SyncContext, canary: str) -> str:
    return alarm_name(ctx, canary) + SLOW_SUFFIX


def slow_alarm_request(ctx: SyncContext, check: UptimeCheck, canary: str) -> dict[str, Any] | None:
    """The runs' average Duration (milliseconds) over one schedule period above ``slower_than``;
    no data is the SuccessPercent alarm's to report, not this one's."""
    if check.slower_than is None:
        return None
    metric = {
        "Namespace": "CloudWatchSynthetics",
        "MetricName": "Duration",
        "Dimensions": [{"Name": "CanaryName", "Value": canary}],
        "Statistic": "Average",
        "Period": max(60, check.every),
        "Threshold": round(check.slower_than * 1000, 3),
    }
    limit = f"slower than {check.slower_than:g}s"
    slow = check.model_copy(
        update={
            "severity": check.slow_severity or check.severity,
            "description": f"{check.description}: {limit}" if check.description else None,
        }
    )
    request = uptime_alarm(ctx, slow, metric, f"Synthetics canary {canary} runs {limit}")
    return {
        **request,
        "AlarmName": slow_alarm_name(ctx, canary),
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
    }


def slow_alarm_fields(alarm: dict[str, Any] | None) -> dict[str, Any]:
    if alarm is None:
        return {"slow_alarm": None, "slow_alarm_actions": []}
    fields = alarm_fields(alarm)
    return {"slow_alarm": fields["alarm"], "slow_alarm_actions": fields["alarm_actions"]}


def alarm_fields(alarm: dict[str, Any] | None) -> dict[str, Any]:
    if alarm is None:
        return {"alarm": None, "alarm_actions": []}
    dimensions = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
    return {
        "alarm": f"{alarm.get('Statistic')} {alarm.get('MetricName')} of "
        f"{dimensions.get('CanaryName')} {alarm.get('ComparisonOperator')} "
        f"{float(alarm.get('Threshold', 0)):g} for {alarm.get('EvaluationPeriods')} x "
        f"{alarm.get('Period')}s",
        "alarm_actions": sorted(alarm.get("AlarmActions", [])),
    }


def describe_canaries(synthetics: Any) -> list[dict[str, Any]]:
    canaries: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = synthetics.describe_canaries(
            MaxResults=PAGE_SIZE, **({"NextToken": token} if token else {})
        )
        canaries.extend(page.get("Canaries", []))
        token = page.get("NextToken")
        if not token:
            return canaries


def _fields(canary: dict[str, Any], digest: str | None) -> dict[str, Any]:
    return {
        "script": digest,
        "schedule": canary.get("Schedule", {}).get("Expression"),
        "runtime": canary.get("RuntimeVersion"),
        "role": canary.get("ExecutionRoleArn"),
        "artifacts": str(canary.get("ArtifactS3Location", "")).removeprefix("s3://"),
        "handler": canary.get("Code", {}).get("Handler"),
    }


class Canaries(Kind):
    name = KIND
    label = "CloudWatch Synthetics canaries"
    reads = ("synthetics:DescribeCanaries", "cloudwatch:DescribeAlarms")
    writes = (
        "synthetics:CreateCanary",
        "synthetics:UpdateCanary",
        "synthetics:StartCanary",
        "synthetics:StopCanary",
        "synthetics:GetCanary",
        "synthetics:DeleteCanary",
        "synthetics:TagResource",
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DeleteAlarms",
    )

    def desired(self, ctx: SyncContext) -> list[State]:
        defaults = ctx.config.uptime_defaults
        states = []
        for check in ctx.config.uptime or []:
            if not check.is_canary or defaults is None:
                continue
            name = uptime_name(ctx.project, check)
            script = canary_script(check)
            digest = script_digest(script)
            request = {
                "Name": name,
                "Code": {"ZipFile": canary_zip(script), "Handler": HANDLER},
                "ArtifactS3Location": defaults.artifacts,
                "ExecutionRoleArn": defaults.canary_role,
                "Schedule": {"Expression": schedule_expression(check.every)},
                "RuntimeVersion": runtime_version(),
                "Tags": {**ctx.tags, SCRIPT_TAG: digest},
            }
            alarm = alarm_request(ctx, check, name)
            slow = slow_alarm_request(ctx, check, name)
            states.append(
                State(
                    KIND,
                    name,
                    {
                        **_fields(request, digest),
                        **alarm_fields(alarm),
                        **slow_alarm_fields(slow),
                    },
                    source=ctx.config.source("uptime", check.name),
                    payload={"canary": request, "alarm": alarm, "slow_alarm": slow},
                    arn=ctx.arn("synthetics", f"canary:{name}"),
                )
            )
        return states

    def actual(self, ctx: SyncContext) -> list[State]:
        if ctx.config.uptime is None:
            return []  # a project without `uptime:` needs no Synthetics permissions
        alarms = uptime_alarms(ctx.client("cloudwatch"), ctx.project)
        states = []
        for canary in describe_canaries(ctx.client("synthetics")):
            name = canary["Name"]
            if not name.startswith(ctx.prefix):
                continue
            tags = canary.get("Tags", {})
            alarm = alarms.get(alarm_name(ctx, name))
            slow = alarms.get(slow_alarm_name(ctx, name))
            states.append(
                State(
                    KIND,
                    name,
                    {
                        **_fields(canary, tags.get(SCRIPT_TAG)),
                        **alarm_fields(alarm),
                        **slow_alarm_fields(slow),
                    },
                    arn=ctx.arn("synthetics", f"canary:{name}"),
                    payload={"owner": tags.get(PROJECT_TAG), "state": canary["Status"]["State"]},
                )
            )
        return states

    def owners(self, ctx: SyncContext, states: list[State]) -> dict[str, str | None]:
        # DescribeCanaries carries each canary's tags: the listing read them already.
        return {s.key: (s.payload or {}).get("owner") for s in states}

    def create(self, ctx: SyncContext, state: State) -> None:
        synthetics = ctx.client("synthetics")
        synthetics.create_canary(**state.payload["canary"])
        synthetics.start_canary(Name=state.key)
        ctx.client("cloudwatch").put_metric_alarm(**state.payload["alarm"])
        if state.payload.get("slow_alarm"):
            ctx.client("cloudwatch").put_metric_alarm(**state.payload["slow_alarm"])

    def update(self, ctx: SyncContext, desired: State, actual: State) -> None:
        request = dict(desired.payload["canary"])
        tags = request.pop("Tags")
        canary_fields = [f for f in desired.fields if f not in _ALARM_KEYS + _SLOW_KEYS]
        if any(desired.fields[f] != actual.fields.get(f) for f in canary_fields):
            synthetics = ctx.client("synthetics")
            synthetics.update_canary(**request)
            synthetics.tag_resource(ResourceArn=desired.arn, Tags=tags)
        cloudwatch = ctx.client("cloudwatch")
        if any(desired.fields[f] != actual.fields.get(f) for f in _ALARM_KEYS):
            cloudwatch.put_metric_alarm(**desired.payload["alarm"])
        if any(desired.fields[f] != actual.fields.get(f) for f in _SLOW_KEYS):
            if desired.payload.get("slow_alarm"):
                cloudwatch.put_metric_alarm(**desired.payload["slow_alarm"])
            else:
                cloudwatch.delete_alarms(AlarmNames=[slow_alarm_name(ctx, desired.key)])

    def adopt(self, ctx: SyncContext, state: State) -> None:
        ctx.client("synthetics").tag_resource(ResourceArn=state.arn, Tags=ctx.tags)

    def delete(self, ctx: SyncContext, state: State) -> None:
        synthetics = ctx.client("synthetics")
        names = [alarm_name(ctx, state.key)]
        if state.fields.get("slow_alarm"):
            names.append(slow_alarm_name(ctx, state.key))
        ctx.client("cloudwatch").delete_alarms(AlarmNames=names)
        try:
            current = _state_of(synthetics, state.key)
            if current in ("RUNNING", "STARTING"):
                synthetics.stop_canary(Name=state.key)
                current = _state_of(synthetics, state.key)
            for _ in range(STOP_WAITS):
                if current not in ("RUNNING", "STARTING", "STOPPING"):
                    break
                time.sleep(1)
                current = _state_of(synthetics, state.key)
        except synthetics.exceptions.ResourceNotFoundException:
            return
        synthetics.delete_canary(Name=state.key, DeleteLambda=True)


def _state_of(synthetics: Any, name: str) -> str:
    return str(synthetics.get_canary(Name=name)["Canary"]["Status"]["State"])
