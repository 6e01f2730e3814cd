"""The IPS plan's dashboard, reproduced widget for widget from examples/ips/dashboards/api.yaml."""

from __future__ import annotations

import json
from pathlib import Path

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.sync.context import SyncContext
from sentinel.sync.dashboard_fields import body_fields
from sentinel.sync.dashboards import desired_bodies
from sentinel.sync.engine import apply, plan

from .shop import context

IPS = Path(__file__).parents[2] / "examples" / "ips"

# The body under "CloudWatch Dashboards" in the IPS plan (seed 002_ffea9589a6fbbc5c), verbatim.
PLAN_BODY = """\
{
  "widgets": [
    {
      "type": "metric",
      "properties": {
        "metrics": [
          ["AWS/ECS", "CPUUtilization", {"stat": "Average"}],
          [".", "MemoryUtilization", {"stat": "Average"}]
        ],
        "period": 300,
        "stat": "Average",
        "region": "ap-south-1",
        "title": "ECS Service Metrics"
      }
    },
    {
      "type": "metric",
      "properties": {
        "metrics": [
          ["AWS/RDS", "DatabaseConnections"],
          [".", "CPUUtilization"],
          [".", "FreeStorageSpace"]
        ],
        "period": 300,
        "stat": "Average",
        "title": "RDS Metrics"
      }
    },
    {
      "type": "metric",
      "properties": {
        "metrics": [
          ["AWS/ApplicationELB", "TargetResponseTime"],
          [".", "RequestCount"],
          [".", "HTTPCode_Target_4XX_Count"],
          [".", "HTTPCode_Target_5XX_Count"]
        ],
        "period": 60,
        "stat": "Sum",
        "title": "ALB Metrics"
      }
    }
  ]
}
"""


def _ips(aws: SessionFactory) -> SyncContext:
    config = load_config(IPS)
    return SyncContext(config=config, factory=aws, region=config.project.regions[0])


def test_ips_dashboard_has_the_plans_widgets_and_properties(aws: SessionFactory) -> None:
    body, _ = desired_bodies(_ips(aws))["ips-api"]

    plan_widgets = json.loads(PLAN_BODY)["widgets"]
    assert len(body["widgets"]) == len(plan_widgets) == 3
    for ours, theirs in zip(body["widgets"], plan_widgets, strict=True):
        assert ours["type"] == theirs["type"]
        for key, value in theirs["properties"].items():
            if key != "metrics":
                assert ours["properties"][key] == value, key
    # The plan's metrics, with its "." shorthand written out.
    assert [w["properties"]["metrics"] for w in body["widgets"]] == [
        [
            ["AWS/ECS", "CPUUtilization", {"stat": "Average"}],
            ["AWS/ECS", "MemoryUtilization", {"stat": "Average"}],
        ],
        [
            ["AWS/RDS", "DatabaseConnections"],
            ["AWS/RDS", "CPUUtilization"],
            ["AWS/RDS", "FreeStorageSpace"],
        ],
        [
            ["AWS/ApplicationELB", "TargetResponseTime"],
            ["AWS/ApplicationELB", "RequestCount"],
            ["AWS/ApplicationELB", "HTTPCode_Target_4XX_Count"],
            ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"],
        ],
    ]
    # What the plan leaves to CloudWatch is written out: the region of every metric widget
    # (PutDashboard requires it) and a place on the grid, one row of three.
    assert [w["properties"]["region"] for w in body["widgets"]] == ["ap-south-1"] * 3
    assert [(w["x"], w["y"], w["width"], w["height"]) for w in body["widgets"]] == [
        (0, 0, 8, 6),
        (8, 0, 8, 6),
        (16, 0, 8, 6),
    ]


def test_ips_dashboard_compares_equal_to_the_plans_body_apart_from_placement(
    aws: SessionFactory,
) -> None:
    body, _ = desired_bodies(_ips(aws))["ips-api"]

    def content(fields: dict) -> list:
        return [{"type": w["type"], **w["properties"]} for w in fields.values()]

    assert content(body_fields(body, "ap-south-1")) == content(body_fields(PLAN_BODY, "ap-south-1"))


def test_ips_dashboard_in_cloudwatch_after_apply(aws: SessionFactory) -> None:
    ctx = context(aws, IPS)
    assert apply(ctx, plan(ctx)).ok
    cloudwatch = aws.client("cloudwatch", region="ap-south-1")
    stored = json.loads(cloudwatch.get_dashboard(DashboardName="ips-api")["DashboardBody"])
    assert [w["properties"]["title"] for w in stored["widgets"]] == [
        "ECS Service Metrics",
        "RDS Metrics",
        "ALB Metrics",
    ]
    assert plan(context(aws, IPS)).is_empty
