"""Every shipped configuration (the repository root and examples/*) on the demo account's
resources: plan and apply cleanly, then plan again with no changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinel.aws.session import SessionFactory
from sentinel.emulator.demo.resources import create_resources
from sentinel.sync.engine import apply, plan

from .shop import context

REPOSITORY = Path(__file__).resolve().parents[2]
CONFIGS = [REPOSITORY, *sorted(p.parent for p in (REPOSITORY / "examples").glob("*/sentinel.yaml"))]
SECRETS = ["P2P_PAGERDUTY_KEY", "CAJA_PAGERDUTY_KEY", "CALCAPP_PAGERDUTY_KEY", "CHAT_PAGERDUTY_KEY"]


def test_every_configuration_applies_and_then_plans_empty(
    aws: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in SECRETS:
        monkeypatch.setenv(name, f"demo-{name.lower()}")
    create_resources(aws)
    assert len(CONFIGS) == 5

    for root in CONFIGS:
        ctx = context(aws, root)
        first = plan(ctx)
        assert first.changes and not first.conflicts, root
        report = apply(ctx, first)
        assert report.ok, (root, [(r.change.key, r.error) for r in report.failed])

        again = plan(context(aws, root))
        assert again.is_empty, (root, [(c.kind, c.key, c.fields) for c in again.changes])

    # The root config's templates expanded over the demo account's resources.
    alarms = aws.client("cloudwatch").describe_alarms(AlarmNamePrefix="p2p-")["MetricAlarms"]
    names = {a["AlarmName"] for a in alarms}
    assert {
        "p2p-rds-cpu-high-p2p-postgres",
        "p2p-ecs-cpu-high-p2p-backend",
        "p2p-ecs-service-unhealthy-p2p-backend-tg",
        "p2p-api-error-rate-p2p-alb",
        "p2p-cache-memory-high-p2p-redis",
    } <= names
