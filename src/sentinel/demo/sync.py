"""Demo steps of the sync engine: plan, apply, plan again with no changes, and drift.

The P2P Sandbox configuration at the repository root is planned against the seeded demo
account (its templates expand over the account's RDS, ECS, ALB and ElastiCache resources),
applied, planned again, then one alarm is edited through the AWS API as someone in the console
would, and ``sentinel drift`` reports it (exit 2, as a scheduled CI job would see it).
"""

from __future__ import annotations

import boto3

from sentinel.demo.runner import Action, Command, DemoContext, Step

DRIFTED_ALARM = "p2p-rds-cpu-high-p2p-postgres"
CONSOLE_THRESHOLD = 99.0
# Secret references of the root configuration; the demo gives them stand-in values.
DEMO_SECRETS = ("P2P_PAGERDUTY_KEY", "SLACK_BOT_TOKEN")
# Parameters PutMetricAlarm takes back from DescribeAlarms, as the console's edit form does.
_EDITABLE = [
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


def provide_demo_secrets(ctx: DemoContext) -> None:
    missing = [name for name in DEMO_SECRETS if not ctx.env.get(name)]
    for name in missing:
        ctx.env[name] = f"demo-{name.lower().replace('_', '-')}"
    shown = ", ".join(f"env:{name}" for name in missing) or "none (already set)"
    ctx.console.print(f"Stand-in values for {shown}; secret values are never printed.")


def raise_threshold_in_console(ctx: DemoContext) -> None:
    cloudwatch = boto3.Session(
        aws_access_key_id=ctx.env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=ctx.env["AWS_SECRET_ACCESS_KEY"],
        region_name=ctx.env.get("AWS_DEFAULT_REGION", "us-east-1"),
    ).client("cloudwatch", endpoint_url=ctx.endpoint_url)
    [alarm] = cloudwatch.describe_alarms(AlarmNames=[DRIFTED_ALARM])["MetricAlarms"]
    edit = {key: alarm[key] for key in _EDITABLE if key in alarm and alarm[key] != []}
    cloudwatch.put_metric_alarm(**edit, Threshold=CONSOLE_THRESHOLD)
    ctx.console.print(
        f"PutMetricAlarm {DRIFTED_ALARM}: threshold {alarm['Threshold']:g} -> "
        f"{CONSOLE_THRESHOLD:g} (an edit made outside Sentinel)"
    )


STEPS: list[Step] = [
    Action("Demo values for the configuration's secret references", provide_demo_secrets),
    Command(
        "Plan the P2P Sandbox alarms and routing against the demo account", ["plan", "--compact"]
    ),
    Command("Apply the plan", ["apply", "--auto-approve", "--compact"]),
    Command("Plan again: AWS matches the configuration", ["plan", "--detailed-exitcode"]),
    Action("Someone raises an alarm threshold in the AWS console", raise_threshold_in_console),
    Command("sentinel drift reports the edit (exit 2)", ["drift"], ok_codes=(2,)),
]
