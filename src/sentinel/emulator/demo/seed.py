"""Seed the demo account: resources through the AWS API, then metrics and costs into the backends.

Resources go through boto3 like any client's calls. Months of metrics and costs are loaded
straight into the emulator's CloudWatch and Cost Explorer backends (no AWS API writes cost data,
and a million PutMetricData datapoints would take minutes), so the emulator has to run in this
process: the server of ``sentinel.emulator.server`` or ``moto.mock_aws``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import boto3
from moto.moto_api._internal import mock_random

from sentinel import clock
from sentinel.aws.session import SessionFactory
from sentinel.emulator.commitments import demo_commitments
from sentinel.emulator.demo.cost_exports import write_cost_exports
from sentinel.emulator.demo.costs import cost_history
from sentinel.emulator.demo.ground_truth import COST_HISTORY_MONTHS, METRIC_DAYS, SEED
from sentinel.emulator.demo.layout import REGION
from sentinel.emulator.demo.metrics import demo_metrics
from sentinel.emulator.demo.resources import create_resources
from sentinel.emulator.demo.serverless import seed_serverless
from sentinel.emulator.extensions import install
from sentinel.emulator.extensions.cloudwatch import metric_store
from sentinel.emulator.extensions.costexplorer import load_commitments, load_cost_table
from sentinel.errors import SentinelError


@dataclass(frozen=True)
class SeedSummary:
    """What seeding put into the account, and how long it took."""

    account_id: str
    resources: dict[str, int]
    metric_series: int
    metric_datapoints: int
    cost_records: int
    seconds: float
    instance_ids: dict[str, str]
    load_balancer_dimension: str
    seeded_at: datetime  # the moment the metrics and costs were placed at (UTC)

    @property
    def resource_count(self) -> int:
        return sum(self.resources.values())


def emulator_factory(endpoint_url: str) -> SessionFactory:
    """A session factory for the emulator at ``endpoint_url``, with its test credentials."""
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    return SessionFactory(session=session, region=REGION, endpoint_url=endpoint_url)


def seed_demo_account(
    factory: SessionFactory | None = None,
    *,
    endpoint_url: str | None = None,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> SeedSummary:
    """Seed an empty emulated account with the P2P Sandbox system, its metrics and its costs.

    Give ``factory`` (e.g. one bound to ``moto.mock_aws``) or the ``endpoint_url`` of an
    in-process emulator server. ``now`` places the data (default: the current time).
    """
    if factory is None:
        if endpoint_url is None:
            raise ValueError("seed_demo_account needs a factory or an endpoint_url")
        factory = emulator_factory(endpoint_url)
    report = progress or (lambda _: None)
    install()
    started = time.perf_counter()
    now = (now or clock.now()).astimezone(UTC)
    account = factory.client("sts", REGION).get_caller_identity()["Account"]

    report("Creating the P2P Sandbox resources")
    # What moto's /moto-api/seed does: resource identifiers become the same on every seeding.
    mock_random.seed(SEED)
    created = create_resources(factory)

    report(f"Loading {METRIC_DAYS} days of CloudWatch metrics")
    store = metric_store(account, REGION)
    series = 0
    for key, samples in demo_metrics(now, created.metric_targets()):
        store.put(key, samples)
        series += 1
    series += seed_serverless(factory, account, now, created.counts, store)

    report(f"Loading {COST_HISTORY_MONTHS} months of daily costs")
    costs = cost_history(now.date(), account)
    load_cost_table(costs, account)
    load_commitments(demo_commitments(now.date()), account)
    write_cost_exports(factory, costs, now.date())  # the same history as Data Exports files

    listed = factory.client("cloudwatch", REGION).list_metrics(Namespace="AWS/ApplicationELB")
    if not listed["Metrics"]:
        raise SentinelError(
            "the demo account's metrics are not visible through the endpoint: seed only an "
            "emulator running in this process"
        )
    return SeedSummary(
        account_id=account,
        resources=dict(created.counts),
        metric_series=series,
        metric_datapoints=store.datapoints(),
        cost_records=len(costs),
        seconds=round(time.perf_counter() - started, 3),
        instance_ids=dict(created.instance_ids),
        load_balancer_dimension=created.load_balancer_dimension,
        seeded_at=now,
    )
