"""``sentinel slo status`` and ``slo review --dry-run`` through click."""

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
from sentinel.emulator.extensions.cloudwatch import metric_store
from sentinel.emulator.metric_store import MetricKey, Samples

from .project import LB, write_project


@pytest.fixture(autouse=True)
def shared_session(aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    session = aws.session()

    def factory(**options: Any) -> SessionFactory:
        return SessionFactory(
            session=session, region=options.get("region"), counter=options.get("counter")
        )

    monkeypatch.setattr("sentinel.cli.options.SessionFactory", factory)


@pytest.fixture
def project(tmp_path: Path, aws: SessionFactory) -> Path:
    end = int(datetime.now(UTC).replace(minute=0, second=0, microsecond=0).timestamp())
    minutes = end - 60 * np.arange(3 * 24 * 60, 0, -1)
    alb = {"LoadBalancer": LB}
    latency = np.where(np.arange(len(minutes)) % 20 == 0, 0.9, 0.08)  # every 20th minute slow
    for metric, values, unit in (
        ("RequestCount", np.full(len(minutes), 100.0), "Count"),
        ("HTTPCode_Target_5XX_Count", np.full(len(minutes), 0.05), "Count"),
        ("TargetResponseTime", latency, "Seconds"),
    ):
        metric_store().put(
            MetricKey.of("AWS/ApplicationELB", metric, alb),
            Samples.of_values(minutes, values, unit),
        )
    return write_project(tmp_path / "orders")


def run(project: Path, *args: str) -> Result:
    return CliRunner().invoke(
        SentinelGroup(commands={"slo": slo}), ["slo", *args, "-C", str(project)]
    )


def test_status_json(project: Path) -> None:
    result = run(project, "status", "--json")
    assert result.exit_code == 0, result.output
    slos = {s["name"]: s for s in json.loads(result.output)["slos"]}
    availability = slos["checkout-availability"]
    assert availability["total"] == 3 * 24 * 60 * 100
    assert availability["sli_percent"] == pytest.approx(99.95)
    assert availability["error_budget"]["consumed_percent"] == pytest.approx(50.0)
    assert availability["burn_rates"]["1h"] == pytest.approx(0.5)
    assert availability["status"] == "OK"
    latency = slos["checkout-latency"]
    assert latency["sli_percent"] == pytest.approx(95.0)  # 1 minute in 20 is slow
    assert latency["burn_rates"]["3d"] == pytest.approx(1.0)
    assert latency["status"] == "WARNING"  # at the 3d ticket factor for 28 days (0.93)


def test_status_table_and_review_message(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    table = run(project, "status")
    assert table.exit_code == 0
    assert "checkout-availability" in table.output and "99.950%" in table.output
    review = run(project, "review", "--dry-run")
    assert review.exit_code == 0, review.output
    message = json.loads(review.output)
    assert message["channel"] is None  # no slo_review channel: nothing would be posted
    assert "checkout-latency" in json.dumps(message["blocks"])
