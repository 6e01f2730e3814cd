"""Templates whose resource type or filters match nothing are named in the plan, at file:line."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from sentinel.aws.session import SessionFactory
from sentinel.sync.engine import plan
from sentinel.sync.render import plan_json, render_plan

from .shop import context, shop_files, write_config

RULE = """\
alarms:
  - name: db-cpu
    severity: critical
    for_each:
      resource: rds:db
      tags: {Environment: [production, prod]}
      where: {engine: postgres}
    namespace: AWS/RDS
    metric: CPUUtilization
    dimensions: {DBInstanceIdentifier: "{id}"}
    statistic: Average
    condition: "> 90"
"""
DASHBOARD = """\
dashboards:
  - name: queues
    rows:
      - for_each: {resource: "sqs:queue", tags: {Team: payments}}
        widgets:
          - type: metric
            title: "{name} depth"
            metrics:
              - namespace: AWS/SQS
                metric: ApproximateNumberOfMessagesVisible
                dimensions: {QueueName: "{name}"}
"""


def _rds(aws: SessionFactory, name: str, environment: str, engine: str = "postgres") -> None:
    aws.client("rds").create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass="db.t3.micro",
        Engine=engine,
        AllocatedStorage=20,
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
        Tags=[{"Key": "Environment", "Value": environment}],
    )


def _warnings(aws: SessionFactory, root: Path) -> list[str]:
    return [str(w) for w in plan(context(aws, root)).warnings]


def _config(tmp_path: Path, **files: str) -> Path:
    return write_config(tmp_path / "shop", shop_files({"alarms/shop.yaml": RULE, **files}))


def test_a_type_with_no_resource_is_named_at_the_rule(aws: SessionFactory, tmp_path: Path) -> None:
    root = _config(tmp_path)

    assert _warnings(aws, root) == [
        f"{root}/alarms/shop.yaml:2: warning: alarm rule 'db-cpu' matches nothing: "
        "there is no rds:db resource in us-east-1"
    ]


def test_tags_that_match_nothing_say_how_many_there_are(
    aws: SessionFactory, tmp_path: Path
) -> None:
    _rds(aws, "scratch-db", "staging")
    _rds(aws, "test-db", "test")

    assert _warnings(aws, _config(tmp_path)) == [
        f"{tmp_path}/shop/alarms/shop.yaml:2: warning: alarm rule 'db-cpu' matches nothing: "
        "2 rds:db resources in us-east-1, none tagged Environment=production|prod"
    ]


def test_attributes_that_match_nothing_are_named(aws: SessionFactory, tmp_path: Path) -> None:
    _rds(aws, "reports-db", "production", engine="mysql")

    assert _warnings(aws, _config(tmp_path)) == [
        f"{tmp_path}/shop/alarms/shop.yaml:2: warning: alarm rule 'db-cpu' matches nothing: "
        "1 rds:db resource in us-east-1, 1 tagged as asked, none with engine=postgres"
    ]


def test_a_template_that_matches_is_no_warning(aws: SessionFactory, tmp_path: Path) -> None:
    _rds(aws, "orders-db", "prod")

    result = plan(context(aws, _config(tmp_path)))

    assert result.warnings == []
    assert "shop-db-cpu-orders-db" in {c.key for c in result.changes}


def test_a_dashboard_row_that_matches_nothing_is_named(aws: SessionFactory, tmp_path: Path) -> None:
    aws.client("sqs").create_queue(QueueName="orders", tags={"Team": "checkout"})
    root = _config(tmp_path, **{"dashboards/queues.yaml": DASHBOARD})
    _rds(aws, "orders-db", "production")

    assert _warnings(aws, root) == [
        f"{root}/dashboards/queues.yaml:2: warning: dashboard 'queues' rows[0] matches "
        "nothing: 1 sqs:queue resource in us-east-1, none tagged Team=payments"
    ]


def test_the_plan_shows_the_warnings_before_its_summary(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = _config(tmp_path)
    result = plan(context(aws, root))
    console = Console(width=100, record=True)

    render_plan(result, console)

    text = console.export_text()
    warning = (
        f"{root}/alarms/shop.yaml:2: warning: alarm rule 'db-cpu' matches nothing: "
        "there is no rds:db resource in us-east-1"
    )
    assert warning in text.splitlines()
    assert text.index(warning) < text.index("Plan: ")
    assert plan_json(result)["warnings"] == [
        {
            "source": f"{root}/alarms/shop.yaml:2",
            "message": "alarm rule 'db-cpu' matches nothing: there is no rds:db resource in "
            "us-east-1",
        }
    ]
