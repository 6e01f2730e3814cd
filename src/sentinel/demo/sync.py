"""Demo steps of the sync engine: plan, apply, plan again with no changes, and drift.

The configuration (the P2P Sandbox at the repository root unless -C names another) is planned
against the seeded demo account (its templates expand over the account's RDS, ECS, ALB and
ElastiCache resources), applied, planned again, then one of its alarms is edited through the
AWS API as someone in the console would, and ``sentinel drift`` reports it (exit 2, as a
scheduled CI job would see it).
"""

from __future__ import annotations

import re
from typing import Any

import boto3

from sentinel.demo.runner import Action, Command, DemoContext, Step

# The alarm edited in the console: this one in the root configuration, else the project's first.
DRIFTED_ALARM = "p2p-rds-cpu-high-p2p-postgres"
CONSOLE_THRESHOLD = 99.0
# Secret references of the root configuration; the demo gives them stand-in values (and those of
# any other configuration's env: references).
DEMO_SECRETS = ("P2P_PAGERDUTY_KEY", "SLACK_BOT_TOKEN")
_ENV_REFERENCE = re.compile(r"\benv:([A-Za-z_][A-Za-z0-9_]*)")
# Parameters PutMetricAlarm takes back from DescribeAlarms, as the console's edit form does.
EDITABLE = [
    "AlarmName",
    "AlarmDescription",
    "ActionsEnabled",
    "OKActions",
    "AlarmActions",
    "InsufficientDataActions",
    "MetricName",
    "Namespace",
    "Statistic",
    "ExtendedStatistic",
    "Dimensions",
    "Period",
    "Unit",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "ComparisonOperator",
    "TreatMissingData",
    "Metrics",
]


def _referenced_secrets(ctx: DemoContext) -> list[str]:
    """Every ``env:NAME`` the configuration refers to (not its examples/ subdirectories)."""
    names: set[str] = set()
    for part in ("sentinel.yaml", "alarms", "dashboards", "budgets", "monitors"):
        path = ctx.config_dir / part
        for file in sorted(path.rglob("*.y*ml")) if path.is_dir() else [path]:
            if file.is_file():
                names.update(_ENV_REFERENCE.findall(file.read_text(encoding="utf-8")))
    return sorted(names)


def provide_demo_secrets(ctx: DemoContext) -> None:
    missing = [name for name in _referenced_secrets(ctx) if not ctx.env.get(name)]
    for name in missing:
        ctx.env[name] = f"demo-{name.lower().replace('_', '-')}"
    ctx.stand_in_secrets.extend(missing)
    shown = ", ".join(f"env:{name}" for name in missing) or "none (already set)"
    ctx.console.print(f"Stand-in values for {shown}; secret values are never printed.")


def _drifted_alarm(cloudwatch: Any, project: str) -> dict[str, Any] | None:
    """DRIFTED_ALARM if it exists, else the project's first metric alarm (not an SLO's)."""
    found = cloudwatch.describe_alarms(AlarmNames=[DRIFTED_ALARM])["MetricAlarms"]
    if found:
        return dict(found[0])
    for page in cloudwatch.get_paginator("describe_alarms").paginate(
        AlarmNamePrefix=f"{project}-", AlarmTypes=["MetricAlarm"]
    ):
        for alarm in page["MetricAlarms"]:
            if "Threshold" in alarm:
                return dict(alarm)
    return None


def raise_threshold_in_console(ctx: DemoContext) -> None:
    cloudwatch = boto3.Session(
        aws_access_key_id=ctx.env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=ctx.env["AWS_SECRET_ACCESS_KEY"],
        region_name=ctx.region,
    ).client("cloudwatch", endpoint_url=ctx.endpoint_url)
    alarm = _drifted_alarm(cloudwatch, ctx.config.name)
    if alarm is None:
        ctx.console.print("(no alarm of the project to edit: drift will find nothing)")
        return
    edit = {key: alarm[key] for key in EDITABLE if key in alarm and alarm[key] != []}
    cloudwatch.put_metric_alarm(**edit, Threshold=CONSOLE_THRESHOLD)
    ctx.console.print(
        f"PutMetricAlarm {alarm['AlarmName']}: threshold {alarm['Threshold']:g} -> "
        f"{CONSOLE_THRESHOLD:g} (an edit made outside Sentinel)"
    )


STEPS: list[Step] = [
    Action("Demo values for the configuration's secret references", provide_demo_secrets),
    Command("Plan the configuration against the demo account", ["plan", "--compact"]),
    Command("Apply the plan", ["apply", "--auto-approve", "--compact"]),
    Command("Plan again: AWS matches the configuration", ["plan", "--detailed-exitcode"]),
    Action("Someone raises an alarm threshold in the AWS console", raise_threshold_in_console),
    Command("sentinel drift reports the edit (exit 2)", ["drift"], ok_codes=(0, 2)),
]
