"""What the tests of the uptime kinds share: a shop project whose ``monitors/uptime.yaml`` is
given, an apply of the kinds under test that must succeed, and the uptime alarms read back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sentinel.aws.session import SessionFactory
from sentinel.sync.engine import apply, plan
from sentinel.sync.kind import Kind

from .shop import context, shop_files, write_config


@dataclass(frozen=True)
class UptimeProject:
    """The shop with ``uptime`` (or another text given to ``root``), synced by ``kinds``."""

    uptime: str
    kinds: list[Kind]

    def root(self, tmp_path: Path, uptime: str | None = None) -> Path:
        text = self.uptime if uptime is None else uptime
        return write_config(tmp_path / "shop", shop_files({"monitors/uptime.yaml": text}))

    def converge(self, aws: SessionFactory, root: Path) -> None:
        ctx = context(aws, root)
        report = apply(ctx, plan(ctx, self.kinds), self.kinds)
        assert report.ok, [r.error for r in report.failed]


def uptime_alarms(aws: SessionFactory) -> dict[str, dict[str, Any]]:
    """The shop's uptime alarms by name, in us-east-1 (its region, and Route 53's metrics')."""
    cloudwatch = aws.client("cloudwatch", region="us-east-1")
    alarms = cloudwatch.describe_alarms(AlarmNamePrefix="shop/uptime/")["MetricAlarms"]
    return {alarm["AlarmName"]: alarm for alarm in alarms}
