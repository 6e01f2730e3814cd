"""The seeded demo account: its latency incident eats the latency SLO's budget, and only it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import boto3
import numpy as np
import pytest
from moto import mock_aws

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.config.models.monitors import Slo
from sentinel.emulator.demo import LATENCY_INCIDENT, seed_demo_account
from sentinel.slo.budget import SloState
from sentinel.slo.status import period_end, read_histories, slo_status
from sentinel.slo.templates import config_slos

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[SessionFactory, list[Slo], datetime]]:
    """The demo account, and the root config's SLO templates expanded over its ALB."""
    with mock_aws():
        factory = SessionFactory(session=boto3.Session(region_name="us-east-1"))
        now = datetime.now(UTC)
        summary = seed_demo_account(factory, now=now)
        slos = config_slos(load_config(ROOT), factory, "us-east-1")
        # One SLO per template over the one production ALB, measured by its real dimension.
        assert [s.name for s in slos] == ["api-availability-p2p-alb", "api-latency-p2p-alb"]
        assert slos[1].latency is not None
        assert slos[1].latency.metric.dimensions == {
            "LoadBalancer": summary.load_balancer_dimension
        }
        yield factory, slos, now


def test_the_latency_incident_eats_the_latency_budget(
    demo: tuple[SessionFactory, list[Slo], datetime],
) -> None:
    factory, slos, now = demo
    report = slo_status(slos, factory, now=now)
    status = {s.name: s for s in report.statuses}
    latency = status["api-latency-p2p-alb"]
    assert latency.state is SloState.OK
    # Three slow hours at the daily peak out of 30 days of traffic: 10-25 % of a 5 % budget.
    assert 10 < latency.budget.consumed_percent < 25
    availability = status["api-availability-p2p-alb"]
    # 0.02 % baseline errors are a fifth of a 0.1 % budget; the incident's 4 % adds the rest.
    assert 35 < availability.budget.consumed_percent < 65
    assert availability.state is SloState.OK


def test_slow_requests_are_the_incidents(demo: tuple[SessionFactory, list[Slo], datetime]) -> None:
    factory, slos, now = demo
    latency = next(s for s in slos if s.name == "api-latency-p2p-alb")
    end = period_end(now)
    series = read_histories([latency], factory, end)[0].series
    start, stop = LATENCY_INCIDENT.window(now)
    hours = series.grid.starts
    during = (hours >= int(start.timestamp())) & (hours < int(stop.timestamp()))
    assert during.sum() == LATENCY_INCIDENT.hours
    # Every request of the incident's hours was slower than 200 ms ...
    assert np.allclose(series.bad[during], series.total[during])
    # ... and they are nearly all of the window's slow requests.
    assert series.bad[during].sum() / series.bad.sum() > 0.99
