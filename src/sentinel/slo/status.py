"""``sentinel slo status``: every SLO of the config over its window, from one batched read."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sentinel import clock
from sentinel.aws.session import SessionFactory
from sentinel.config.models.monitors import Slo
from sentinel.config.units import parse_duration
from sentinel.slo.budget import SloStatus, evaluate
from sentinel.slo.metric_data import Grid, MetricQuery, read_metrics
from sentinel.slo.sli import RESOLUTION, SliSeries, sli_queries, sli_series


@dataclass(frozen=True)
class SloHistory:
    """An SLO and its good/total events per hour, from ``start`` to ``end``."""

    slo: Slo
    series: SliSeries


@dataclass
class SloReport:
    as_of: datetime
    statuses: list[SloStatus] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "slos": [s.as_dict() for s in self.statuses]}


def period_end(now: datetime | None = None) -> datetime:
    """The end of the last whole hour: SLIs are read in whole hours."""
    moment = (now or clock.now()).astimezone(UTC)
    return moment.replace(minute=0, second=0, microsecond=0)


def read_histories(
    slos: Sequence[Slo],
    factory: SessionFactory,
    end: datetime,
    extra: timedelta = timedelta(0),
    region: str | None = None,
) -> list[SloHistory]:
    """Each SLO's hourly events over its window (plus ``extra`` before it), in one batched read."""
    longest = max((parse_duration(s.window) for s in slos), default=0)
    start = end - timedelta(seconds=longest) - extra
    queries: dict[Hashable, MetricQuery] = {}
    for index, slo in enumerate(slos):
        for role, query in sli_queries(slo).items():
            queries[(index, role)] = query
    results = read_metrics(factory.client("cloudwatch", region=region), queries, start, end)
    grid = Grid.between(start, end, RESOLUTION)
    histories = []
    for index, slo in enumerate(slos):
        series = {role: results[(index, role)] for role in sli_queries(slo)}
        histories.append(SloHistory(slo, sli_series(slo, series, grid)))
    return histories


def slo_status(
    slos: Sequence[Slo],
    factory: SessionFactory,
    now: datetime | None = None,
    region: str | None = None,
) -> SloReport:
    """Status of every SLO at the end of the last whole hour."""
    end = period_end(now)
    report = SloReport(as_of=end)
    for history in read_histories(slos, factory, end, region=region):
        report.statuses.append(evaluate(history.slo, history.series, end))
    return report
