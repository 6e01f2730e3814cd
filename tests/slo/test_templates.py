"""SLO templates (``for_each``): one SLO per discovered load balancer, in status, review and the
burn-rate alarms of plan and apply; static SLOs as written."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result

from sentinel.aws.session import SessionFactory
from sentinel.cli import SentinelGroup
from sentinel.cli.slo import slo
from sentinel.config import load_config
from sentinel.emulator.extensions.cloudwatch import metric_store
from sentinel.emulator.metric_store import MetricKey, Samples
from sentinel.slo.templates import config_slos
from sentinel.sync.burn_rate import BurnRateAlarms
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import apply, plan
from sentinel.sync.templates import TemplateError
from sentinel.sync.topics import Topics

from .project import write_project

TEMPLATES = """\
slos:
  - name: checkout-availability
    service: "{tag:Service}"
    description: "Requests to {name} answered without a 5xx"
    objective: 99.9%
    window: 30d
    for_each:
      resource: elasticloadbalancing:loadbalancer
      tags: {Team: orders}
      where: {type: application}
    availability:
      errors:
        namespace: AWS/ApplicationELB
        metric: HTTPCode_Target_5XX_Count
        dimensions: {LoadBalancer: "{attr:dimension}"}
        stat: Sum
      total:
        namespace: AWS/ApplicationELB
        metric: RequestCount
        dimensions: {LoadBalancer: "{attr:dimension}"}
        stat: Sum
    alerting: {page: critical, min_requests: 100}
  - name: search-latency
    objective: 95%
    window: 7d
    latency:
      metric:
        namespace: AWS/ApiGateway
        metric: Latency
        dimensions: {ApiName: search}
      threshold: 300ms
"""


@pytest.fixture
def balancers(load_balancer: Any) -> dict[str, str]:
    """Two ALBs of the orders team, and three that the filters leave out."""
    return {
        "orders-web": load_balancer("orders-web", {"Team": "orders", "Service": "web"}),
        "orders-api": load_balancer("orders-api", {"Team": "orders", "Service": "api"}),
        "billing": load_balancer("billing", {"Team": "billing"}),
        "orders-tcp": load_balancer("orders-tcp", {"Team": "orders"}, type="network"),
        "orders-eu": load_balancer("orders-eu", {"Team": "orders"}, region="eu-west-1"),
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "orders", {"monitors/slos.yaml": TEMPLATES})


def test_a_template_is_one_slo_per_selected_load_balancer(
    project: Path, aws: SessionFactory, balancers: dict[str, str]
) -> None:
    config = load_config(project)
    slos = config_slos(config, aws, "us-east-1")

    assert [s.name for s in slos] == [
        "checkout-availability-orders-api",
        "checkout-availability-orders-web",
        "search-latency",
    ]
    api, web, static = slos
    assert api.availability is not None and web.availability is not None
    assert api.availability.errors is not None
    assert api.availability.errors.dimensions == {"LoadBalancer": balancers["orders-api"]}
    assert web.availability.total.dimensions == {"LoadBalancer": balancers["orders-web"]}
    assert (api.service, web.service) == ("api", "web")
    assert web.description == "Requests to orders-web answered without a 5xx"
    assert web.for_each is None and web.objective == config.slos[0].objective
    assert static is config.slos[1]


def test_static_slos_read_nothing_from_aws(tmp_path: Path, aws: SessionFactory) -> None:
    config = load_config(write_project(tmp_path / "orders"))
    aws.counter.reset()
    assert [s.name for s in config_slos(config, aws, "us-east-1")] == [
        "checkout-availability",
        "checkout-latency",
    ]
    assert aws.counter.rows() == []


def test_an_instance_named_like_another_slo_is_an_error(
    project: Path, aws: SessionFactory, balancers: dict[str, str]
) -> None:
    clash = TEMPLATES.replace(
        "  - name: search-latency", "  - name: checkout-availability-orders-web"
    )
    write_project(project, {"monitors/slos.yaml": clash})
    with pytest.raises(TemplateError) as caught:
        config_slos(load_config(project), aws, "us-east-1")
    slos_file = project / "monitors/slos.yaml"
    assert str(caught.value) == (
        f"{slos_file}:23: SLO 'checkout-availability-orders-web' is defined twice in us-east-1 "
        f"(also at {slos_file}:2): rename one or narrow the for_each"
    )


def _traffic(dimension: str, errors_per_minute: float) -> None:
    end = int(datetime.now(UTC).replace(minute=0, second=0, microsecond=0).timestamp())
    minutes = end - 60 * np.arange(3 * 24 * 60, 0, -1)
    for metric, value in (
        ("RequestCount", 100.0),
        ("HTTPCode_Target_5XX_Count", errors_per_minute),
    ):
        metric_store().put(
            MetricKey.of("AWS/ApplicationELB", metric, {"LoadBalancer": dimension}),
            Samples.of_values(minutes, np.full(len(minutes), value), "Count"),
        )


@pytest.fixture
def cli_session(aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    session = aws.session()

    def factory(**options: Any) -> SessionFactory:
        return SessionFactory(
            session=session, region=options.get("region"), counter=options.get("counter")
        )

    monkeypatch.setattr("sentinel.cli.options.SessionFactory", factory)


def run(project: Path, *args: str) -> Result:
    return CliRunner().invoke(
        SentinelGroup(commands={"slo": slo}), ["slo", *args, "-C", str(project)]
    )


@pytest.mark.usefixtures("cli_session")
def test_status_and_review_measure_each_load_balancer(
    project: Path, balancers: dict[str, str]
) -> None:
    _traffic(balancers["orders-web"], 0.05)  # 0.05 % errors: half the budget
    _traffic(balancers["orders-api"], 0.2)  # 0.2 %: the SLO is breached
    _traffic(balancers["billing"], 50.0)  # not selected: never read

    result = run(project, "status", "--json")
    assert result.exit_code == 0, result.output
    status = {s["name"]: s for s in json.loads(result.output)["slos"]}
    assert set(status) == {
        "checkout-availability-orders-api",
        "checkout-availability-orders-web",
        "search-latency",
    }
    web = status["checkout-availability-orders-web"]
    assert web["sli_percent"] == pytest.approx(99.95)
    assert web["error_budget"]["consumed_percent"] == pytest.approx(50.0)
    assert web["status"] == "OK"
    api = status["checkout-availability-orders-api"]
    assert api["sli_percent"] == pytest.approx(99.8)
    assert api["status"] == "BREACHED"

    review = run(project, "review", "--dry-run")
    assert review.exit_code == 0, review.output
    blocks = json.dumps(json.loads(review.output)["blocks"])
    assert "checkout-availability-orders-api" in blocks
    assert "checkout-availability-orders-web" in blocks


@pytest.mark.usefixtures("cli_session")
def test_status_says_when_the_templates_match_nothing(project: Path) -> None:
    only_template = TEMPLATES.split("  - name: search-latency")[0]
    write_project(project, {"monitors/slos.yaml": only_template})
    result = run(project, "status")
    assert result.exit_code == 0
    assert "No SLOs: the templates in monitors/ match no resource in us-east-1." in result.output


def test_burn_rate_alarms_per_load_balancer_apply_and_converge(
    project: Path, aws: SessionFactory, balancers: dict[str, str]
) -> None:
    kinds = [Topics(), BurnRateAlarms()]
    ctx = SyncContext(config=load_config(project), factory=aws, region="us-east-1")
    first = plan(ctx, kinds)
    burn = {c.key: c for c in first.changes if c.kind == "burn-rate alarm"}
    # Page alerts only: 2 windows x (long, short, composite) per load balancer.
    assert len(burn) == 12
    assert {key.split("/")[2] for key in burn} == {
        "checkout-availability-orders-api",
        "checkout-availability-orders-web",
    }
    source = burn["orders/slo/checkout-availability-orders-web/page-1h"].source
    assert source == f"{project / 'monitors/slos.yaml'}:2"
    assert apply(ctx, first, kinds).ok

    cloudwatch = aws.client("cloudwatch")
    [long] = cloudwatch.describe_alarms(
        AlarmNames=["orders/slo/checkout-availability-orders-api/page-1h/long"]
    )["MetricAlarms"]
    dimensions = {
        d["Value"]
        for q in long["Metrics"]
        if "MetricStat" in q
        for d in q["MetricStat"]["Metric"]["Dimensions"]
    }
    assert dimensions == {balancers["orders-api"]}

    again = plan(SyncContext(config=load_config(project), factory=aws, region="us-east-1"), kinds)
    assert again.is_empty, [(c.kind, c.key) for c in again.changes]
