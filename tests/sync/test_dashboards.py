"""Dashboards: the body on CloudWatch's grid, templates over resources, alarm widgets, idempotence,
drift from console edits, and ownership of dashboards Sentinel did not make."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from sentinel.aws.session import SessionFactory
from sentinel.sync.alarms import Alarms
from sentinel.sync.composites import CompositeAlarms
from sentinel.sync.dashboard_body import DashboardLayoutError
from sentinel.sync.dashboards import Dashboards
from sentinel.sync.engine import apply, plan
from sentinel.sync.kinds import all_kinds
from sentinel.sync.model import Action
from sentinel.sync.render import render_drift
from sentinel.sync.topics import Topics

from .shop import context, shop_files, write_config

ALARM_ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:{}"

SERVICE_ALARMS = """\
alarms:
  - name: service-cpu
    severity: warning
    namespace: AWS/ECS
    metric: CPUUtilization
    dimensions: {ClusterName: "{attr:cluster}", ServiceName: "{id}"}
    statistic: Average
    condition: "> 90"
    for_each: {resource: "ecs:service", tags: {Team: payments}}
"""

CHECKOUT_SLO = """\
slos:
  - name: checkout
    service: api
    objective: 99.9%
    window: 30d
    availability:
      errors:
        namespace: AWS/ApplicationELB
        metric: HTTPCode_Target_5XX_Count
        dimensions: {LoadBalancer: app/shop-alb/0123456789abcdef}
        stat: Sum
      total:
        namespace: AWS/ApplicationELB
        metric: RequestCount
        dimensions: {LoadBalancer: app/shop-alb/0123456789abcdef}
        stat: Sum
    alerting: {page: critical, ticket: warning}
"""

OPS = """\
dashboards:
  - name: ops
    title: Shop operations
    period: 1m
    rows:
      - widgets:
          - {type: text, markdown: "# Shop", width: 6, height: 2}
          - {type: alarms, title: Critical, severity: critical}
          - {type: alarms, title: Latency and CPU, alarms: [api-latency-p95, service-cpu]}
      - for_each: {resource: "ecs:service", tags: {Team: payments}}
        height: 4
        widgets:
          - type: metric
            title: "{id} CPU"
            metrics:
              - namespace: AWS/ECS
                metric: CPUUtilization
                dimensions: {ClusterName: "{attr:cluster}", ServiceName: "{id}"}
                stat: Average
                label: CPU
            y_axis: {min: 0, max: 100}
            annotations: [{value: 80, label: warning, color: "#ff7f0e"}]
          - {type: text, markdown: "Runbook for {id}", width: 4}
      - widgets:
          - type: metric
            title: Databases
            view: stacked
            for_each: {resource: "rds:db", tags: {Team: payments}}
            metrics:
              - id: reads
                namespace: AWS/RDS
                metric: ReadIOPS
                dimensions: {DBInstanceIdentifier: "{id}"}
                stat: Sum
                visible: false
              - id: writes
                namespace: AWS/RDS
                metric: WriteIOPS
                dimensions: {DBInstanceIdentifier: "{id}"}
                stat: Sum
                visible: false
              - {expression: "reads + writes", label: IOPS}
          - type: logs
            title: Errors
            log_groups: [/ecs/shop-api, /ecs/shop-worker]
            query: "fields @timestamp, @message | filter @message like /ERROR/"
"""


def _resources(aws: SessionFactory) -> None:
    """Two payments ECS services and two databases; one service of another team."""
    ecs = aws.client("ecs")
    ecs.create_cluster(clusterName="shop")
    for name, team in (("api", "payments"), ("worker", "payments"), ("search", "discovery")):
        ecs.create_service(
            cluster="shop", serviceName=name, desiredCount=1, tags=[{"key": "Team", "value": team}]
        )
    rds = aws.client("rds")
    for name in ("shop-db-2", "shop-db-1"):
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            DBInstanceClass="db.t3.micro",
            Engine="postgres",
            MasterUsername="shop",
            MasterUserPassword="password123",
            Tags=[{"Key": "Team", "Value": "payments"}],
        )


@pytest.fixture
def ops(aws: SessionFactory, tmp_path: Path) -> Path:
    _resources(aws)
    files = shop_files(
        {
            "alarms/services.yaml": SERVICE_ALARMS,
            "dashboards/ops.yaml": OPS,
            "monitors/slos.yaml": CHECKOUT_SLO,
        }
    )
    return write_config(tmp_path / "shop", files)


def _converge(aws: SessionFactory, root: Path) -> None:
    ctx = context(aws, root)
    report = apply(ctx, plan(ctx))
    assert report.ok, [r.error for r in report.failed]


def _body(aws: SessionFactory, name: str) -> dict:
    return json.loads(aws.client("cloudwatch").get_dashboard(DashboardName=name)["DashboardBody"])


def _geometry(widget: dict) -> tuple[str, int, int, int, int]:
    return widget["type"], widget["x"], widget["y"], widget["width"], widget["height"]


def test_rows_are_laid_out_on_the_grid_without_coordinates(aws: SessionFactory, ops: Path) -> None:
    _converge(aws, ops)

    widgets = _body(aws, "shop-ops")["widgets"]
    assert [_geometry(w) for w in widgets] == [
        ("text", 0, 0, 24, 1),  # the title
        ("text", 0, 1, 6, 2),  # explicit size
        ("alarm", 6, 1, 9, 6),  # the other 18 columns shared
        ("alarm", 15, 1, 9, 6),
        ("metric", 0, 7, 20, 4),  # one row per service, the row's height
        ("text", 20, 7, 4, 4),
        ("metric", 0, 11, 20, 4),
        ("text", 20, 11, 4, 4),
        ("metric", 0, 15, 12, 6),
        ("log", 12, 15, 12, 6),
    ]
    assert widgets[0]["properties"] == {"markdown": "# Shop operations"}


def test_metric_widgets_carry_view_stat_period_axis_and_annotations(
    aws: SessionFactory, ops: Path
) -> None:
    _converge(aws, ops)

    api = _body(aws, "shop-ops")["widgets"][4]["properties"]
    assert api == {
        "title": "api CPU",
        "view": "timeSeries",
        "region": "us-east-1",
        "stat": "Average",
        "period": 60,  # the dashboard's period
        "metrics": [
            [
                "AWS/ECS",
                "CPUUtilization",
                "ClusterName",
                "shop",
                "ServiceName",
                "api",
                {"stat": "Average", "label": "CPU"},
            ]
        ],
        "yAxis": {"left": {"min": 0, "max": 100}},
        "annotations": {"horizontal": [{"value": 80, "label": "warning", "color": "#ff7f0e"}]},
    }
    widgets = _body(aws, "shop-ops")["widgets"]
    assert widgets[5]["properties"] == {"markdown": "Runbook for api"}
    assert widgets[6]["properties"]["title"] == "worker CPU"  # the other team's service: no row


def test_lines_repeat_per_resource_with_their_own_ids(aws: SessionFactory, ops: Path) -> None:
    _converge(aws, ops)

    databases = _body(aws, "shop-ops")["widgets"][8]["properties"]
    assert databases["view"] == "timeSeries" and databases["stacked"] is True

    def line(metric: str, db: str, line_id: str) -> list:
        options = {"stat": "Sum", "id": line_id, "visible": False}
        return ["AWS/RDS", metric, "DBInstanceIdentifier", db, options]

    assert databases["metrics"] == [
        line("ReadIOPS", "shop-db-1", "reads_0"),
        line("WriteIOPS", "shop-db-1", "writes_0"),
        [{"expression": "reads_0 + writes_0", "label": "IOPS shop-db-1"}],
        line("ReadIOPS", "shop-db-2", "reads_1"),
        line("WriteIOPS", "shop-db-2", "writes_1"),
        [{"expression": "reads_1 + writes_1", "label": "IOPS shop-db-2"}],
    ]


def test_log_widget_queries_every_log_group(aws: SessionFactory, ops: Path) -> None:
    _converge(aws, ops)

    logs = _body(aws, "shop-ops")["widgets"][9]["properties"]
    assert logs == {
        "title": "Errors",
        "query": "SOURCE '/ecs/shop-api' | SOURCE '/ecs/shop-worker' | "
        "fields @timestamp, @message | filter @message like /ERROR/",
        "region": "us-east-1",
        "view": "table",
    }


def test_alarm_widgets_show_the_alarms_the_alarm_kinds_create(
    aws: SessionFactory, ops: Path
) -> None:
    _converge(aws, ops)

    widgets = _body(aws, "shop-ops")["widgets"]
    critical, latency = widgets[2]["properties"], widgets[3]["properties"]
    assert critical["alarms"] == [
        ALARM_ARN.format(name)
        for name in (
            "shop-api-errors",
            "shop-api-error-rate",
            "shop-api-down",
            # the SLO's page alerts (the composites that notify), routed to critical
            "shop/slo/checkout/page-1h",
            "shop/slo/checkout/page-6h",
        )
    ]
    assert latency["alarms"] == [
        ALARM_ARN.format(name)
        for name in ("shop-api-latency-p95", "shop-service-cpu-api", "shop-service-cpu-worker")
    ]
    assert critical["title"] == "Critical" and critical["sortBy"] == "stateUpdatedTimestamp"
    cloudwatch = aws.client("cloudwatch")
    found = cloudwatch.describe_alarms(
        AlarmNamePrefix="shop", AlarmTypes=["MetricAlarm", "CompositeAlarm"]
    )
    existing = {a["AlarmArn"] for a in found["MetricAlarms"] + found["CompositeAlarms"]}
    assert set(critical["alarms"]) | set(latency["alarms"]) <= existing


def test_a_template_without_resources_leaves_a_note_in_its_place(
    aws: SessionFactory, tmp_path: Path
) -> None:
    files = shop_files({"alarms/services.yaml": SERVICE_ALARMS, "dashboards/ops.yaml": OPS})
    _converge(aws, write_config(tmp_path / "shop", files))

    widgets = _body(aws, "shop-ops")["widgets"]
    assert [_geometry(w) for w in widgets][-2:] == [("text", 0, 7, 12, 6), ("log", 12, 7, 12, 6)]
    assert widgets[-2]["properties"]["markdown"] == (
        "**Databases**\n\nNo rds:db resource tagged Team=payments in us-east-1."
    )


def test_dashboard_is_tagged_and_a_second_plan_is_empty(aws: SessionFactory, ops: Path) -> None:
    _converge(aws, ops)

    arn = aws.client("cloudwatch").get_dashboard(DashboardName="shop-ops")["DashboardArn"]
    tags = aws.client("cloudwatch").list_tags_for_resource(ResourceARN=arn)["Tags"]
    assert {t["Key"]: t["Value"] for t in tags}["sentinel:project"] == "shop"
    again = plan(context(aws, ops))
    assert again.is_empty, [(c.kind, c.key, c.fields) for c in again.changes]


def test_a_row_wider_than_the_grid_is_refused_before_any_write(
    aws: SessionFactory, tmp_path: Path
) -> None:
    wide = """\
    dashboards:
      - name: wide
        rows:
          - widgets:
              - {type: text, markdown: a, width: 20}
              - {type: text, markdown: b, width: 8}
    """
    root = write_config(tmp_path / "shop", shop_files({"dashboards/wide.yaml": wide}))
    with pytest.raises(DashboardLayoutError, match="widgets need 28 columns"):
        plan(context(aws, root), [Dashboards()])
    assert aws.client("cloudwatch").list_dashboards()["DashboardEntries"] == []


def _console_edit(body: dict) -> str:
    """What the console saves after someone renamed one widget: the same dashboard otherwise,
    written out with defaults, the "." shorthand and another key order."""
    widgets = body["widgets"]
    widgets[8]["properties"]["title"] = "DB IOPS"
    api = widgets[4]["properties"]
    api.update({"stacked": False, "legend": {"position": "bottom"}, "liveData": False})
    api["annotations"]["horizontal"][0]["value"] = 80.0
    metrics = widgets[8]["properties"]["metrics"]
    metrics[1] = [".", "WriteIOPS", ".", ".", metrics[1][-1]]
    widgets[9]["properties"].pop("view")
    return json.dumps({"widgets": [dict(reversed(list(w.items()))) for w in widgets]}, indent=4)


def test_console_edit_shows_as_drift_naming_the_widget_field(
    aws: SessionFactory, ops: Path
) -> None:
    _converge(aws, ops)
    cloudwatch = aws.client("cloudwatch")
    cloudwatch.put_dashboard(
        DashboardName="shop-ops", DashboardBody=_console_edit(_body(aws, "shop-ops"))
    )

    drift = plan(context(aws, ops), [Dashboards()])
    [change] = drift.changes
    assert change.action is Action.UPDATE
    assert [(f.field, f.old, f.new) for f in change.fields] == [
        ("widgets[8].properties.title", "DB IOPS", "Databases")
    ]
    console = Console(record=True, width=200)
    render_drift(drift, console)
    assert 'widgets[8].properties.title: config "Databases", AWS "DB IOPS"' in console.export_text()

    _converge(aws, ops)
    assert _body(aws, "shop-ops")["widgets"][8]["properties"]["title"] == "Databases"
    assert plan(context(aws, ops)).is_empty


def test_dashboards_of_people_and_other_projects_are_never_touched(
    aws: SessionFactory, tmp_path: Path
) -> None:
    cloudwatch = aws.client("cloudwatch")
    by_hand = json.dumps({"widgets": [{"type": "text", "properties": {"markdown": "mine"}}]})
    cloudwatch.put_dashboard(DashboardName="shop-handmade", DashboardBody=by_hand)
    cloudwatch.put_dashboard(
        DashboardName="shop-eu-ops",  # project shop-eu: its prefix starts with shop-
        DashboardBody=by_hand,
        Tags=[{"Key": "sentinel:project", "Value": "shop-eu"}],
    )
    handmade = """\
    dashboards:
      - name: handmade
        rows: [{widgets: [{type: text, markdown: ours}]}]
      - name: ops
        rows: [{widgets: [{type: text, markdown: ops}]}]
    """
    root = write_config(tmp_path / "shop", shop_files({"dashboards/d.yaml": handmade}))

    result = plan(context(aws, root), [Dashboards()])
    assert [(c.key, c.action) for c in result.changes] == [("shop-ops", Action.CREATE)]
    assert [(c.key, c.message) for c in result.conflicts] == [
        (
            "shop-handmade",
            "exists in AWS, owned by no Sentinel project (created by hand?), and differs from "
            "the config in widgets[0].x, widgets[0].y, widgets[0].width, "
            "widgets[0].properties.markdown; Sentinel adopts only a resource identical to its "
            "config (`sentinel import` writes a config that matches it) and will not change it",
        )
    ]
    apply(context(aws, root), result)

    write_config(tmp_path / "shop", {"dashboards/d.yaml": ""})  # every dashboard removed
    removal = plan(context(aws, root), [Dashboards()])
    assert [(c.key, c.action) for c in removal.changes] == [("shop-ops", Action.DELETE)]
    assert apply(context(aws, root), removal).ok
    names = [d["DashboardName"] for d in cloudwatch.list_dashboards()["DashboardEntries"]]
    assert sorted(names) == ["shop-eu-ops", "shop-handmade"]
    assert _body(aws, "shop-handmade") == json.loads(by_hand)


def test_apply_order_puts_dashboards_after_the_alarms_they_show() -> None:
    names = [kind.name for kind in all_kinds()]
    assert names.index("dashboard") > max(
        names.index(k.name) for k in (Topics(), Alarms(), CompositeAlarms())
    )


EDGE = """\
dashboards:
  - name: edge
    rows:
      - widgets:
          - type: metric
            title: Requests per load balancer
            for_each: &balancers
              resource: elasticloadbalancing:loadbalancer
              tags: {Team: payments}
              where: {type: application}
            metrics:
              - namespace: AWS/ApplicationELB
                metric: RequestCount
                dimensions: {LoadBalancer: "{attr:dimension}"}
                stat: Sum
                label: requests
      - for_each: *balancers
        widgets:
          - type: metric
            title: "{name} 5xx"
            metrics:
              - namespace: AWS/ApplicationELB
                metric: HTTPCode_ELB_5XX_Count
                dimensions: {LoadBalancer: "{attr:dimension}"}
                stat: Sum
"""


def test_widgets_and_rows_over_the_selected_load_balancers(
    aws: SessionFactory, tmp_path: Path, load_balancer: Any
) -> None:
    web = load_balancer("web", {"Team": "payments"})
    api = load_balancer("api", {"Team": "payments"})
    load_balancer("search", {"Team": "discovery"})
    load_balancer("tcp", {"Team": "payments"}, type="network")
    root = write_config(tmp_path / "shop", shop_files({"dashboards/edge.yaml": EDGE}))
    _converge(aws, root)

    widgets = _body(aws, "shop-edge")["widgets"]
    requests = ["AWS/ApplicationELB", "RequestCount", "LoadBalancer"]
    assert widgets[0]["properties"]["metrics"] == [
        [*requests, api, {"stat": "Sum", "label": "requests api"}],
        [*requests, web, {"stat": "Sum", "label": "requests web"}],
    ]
    rows = [(w["y"], w["properties"]["title"], w["properties"]["metrics"]) for w in widgets[1:]]
    errors = ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer"]
    assert rows == [
        (6, "api 5xx", [[*errors, api, {"stat": "Sum"}]]),
        (12, "web 5xx", [[*errors, web, {"stat": "Sum"}]]),
    ]
    assert plan(context(aws, root)).is_empty
