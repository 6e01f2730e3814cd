"""``shop``: a small project to sync, written to a temporary directory; faults to inject."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from pathlib import Path
from textwrap import dedent
from typing import Any

from moto.core.exceptions import ServiceException

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.sync.context import SyncContext

PAGERDUTY_KEY = "pd0123456789abcdef0123456789abcd"

PROJECT = """\
project: shop
regions: [us-east-1]
tags: {Team: payments, CostCenter: cc-42}
defaults:
  alarms: {period: 1m, treat_missing: notBreaching}
"""

ROUTING = """\
severities:
  critical:
    page: true
    notify:
      - pagerduty: {integration_key: env:SHOP_PAGERDUTY_KEY}
      - email: oncall@shop.example.com
      - slack: {channel: "#shop-incidents"}
  warning:
    ok_actions: false
    insufficient_data_actions: true
    notify:
      - email: team@shop.example.com
      - sqs: arn:aws:sqs:us-east-1:123456789012:shop-alerts
      - lambda: arn:aws:lambda:us-east-1:123456789012:function:shop-notify
"""

# The critical severity's topic named by hand, outside the project prefix (aws_name).
NAMED_TOPIC_ROUTING = """\
severities:
  critical:
    aws_name: ops-pager
    notify:
      - email: oncall@shop.example.com
  warning:
    notify:
      - email: team@shop.example.com
"""

ALARMS = """\
alarms:
  - name: api-errors
    severity: critical
    description: API 5xx above 50 a minute
    runbook: https://wiki.shop.example.com/runbooks/api-errors
    namespace: AWS/ApplicationELB
    metric: HTTPCode_Target_5XX_Count
    dimensions: {LoadBalancer: app/shop-alb/0123456789abcdef}
    statistic: Sum
    condition: "> 50"
    for: 3m
    datapoints_to_alarm: 2
    tags: {Service: api}

  - name: api-latency-p95
    severity: warning
    namespace: AWS/ApplicationELB
    metric: TargetResponseTime
    dimensions: {LoadBalancer: app/shop-alb/0123456789abcdef}
    statistic: p95
    condition: "> 1.5"
    period: 5m
    for: 15m
    treat_missing: missing

  - name: api-error-rate
    severity: critical
    expression: "100 * errors / MAX([requests, 1])"
    metrics:
      errors:
        namespace: AWS/ApplicationELB
        metric: HTTPCode_Target_5XX_Count
        dimensions: {LoadBalancer: app/shop-alb/0123456789abcdef}
        stat: Sum
      requests:
        namespace: AWS/ApplicationELB
        metric: RequestCount
        dimensions: {LoadBalancer: app/shop-alb/0123456789abcdef}
        stat: Sum
    condition: ">= 5"
    for: 5m

composites:
  - name: api-down
    severity: critical
    description: Users cannot reach the API
    rule: ALARM(api-errors) AND ALARM(api-error-rate)
"""

# Two alarms of one kind of name, for --target alarm:"*cpu*".
CPU_ALARMS = """\
alarms:
  - name: web-cpu-high
    severity: warning
    namespace: AWS/EC2
    metric: CPUUtilization
    dimensions: {InstanceId: i-0123456789abcdef0}
    statistic: Average
    condition: "> 80"
    for: 5m
  - name: db-cpu-high
    severity: warning
    namespace: AWS/EC2
    metric: CPUUtilization
    dimensions: {InstanceId: i-0fedcba9876543210}
    statistic: Average
    condition: "> 90"
    for: 5m
"""


def write_config(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: YAML}`` under ``root``; an empty text leaves the file out."""
    root.mkdir(parents=True, exist_ok=True)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if text:
            path.write_text(dedent(text), encoding="utf-8")
        elif path.exists():
            path.unlink()
    return root


def shop_files(overrides: dict[str, str] | None = None) -> dict[str, str]:
    files = {
        "sentinel.yaml": PROJECT,
        "alarms/routing.yaml": ROUTING,
        "alarms/shop.yaml": ALARMS,
    }
    return {**files, **(overrides or {})}


def context(factory: SessionFactory, root: Path) -> SyncContext:
    """A fresh context, as every ``sentinel`` command builds one: config read again."""
    config = load_config(root)
    return SyncContext(config=config, factory=factory, region=config.project.regions[0])


class Throttling(ServiceException):
    code = "Throttling"
    message = "Rate exceeded"


def throttle(share: float, seed: int = 7) -> Callable[[object], Exception | None]:
    """A fault throttling ``share`` of the requests, reproducibly."""
    rng = random.Random(seed)
    lock = threading.Lock()

    def fault(_: object) -> Exception | None:
        with lock:
            return Throttling() if rng.random() < share else None

    return fault


def rewrite_alarm(factory: SessionFactory, name: str, **changes: Any) -> None:
    """Write a metric alarm again by hand, as a console user would, with some fields changed."""
    cloudwatch = factory.client("cloudwatch")
    alarm = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
    params = ["AlarmName", "Namespace", "MetricName", "Dimensions", "Statistic", "Period"]
    params += ["EvaluationPeriods", "DatapointsToAlarm", "ComparisonOperator", "AlarmActions"]
    params += ["OKActions", "TreatMissingData", "Threshold", "InsufficientDataActions"]
    given = {k: alarm[k] for k in params if k in alarm}
    cloudwatch.put_metric_alarm(**(given | changes))


def rds_instance(factory: SessionFactory, name: str) -> None:
    """A small PostgreSQL instance for an alarm template (``for_each: rds``) to find."""
    factory.client("rds").create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
    )
