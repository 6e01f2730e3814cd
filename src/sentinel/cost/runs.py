"""What the CLI and the daemon call: one function per cost job."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sentinel import clock
from sentinel.aws.session import SessionFactory
from sentinel.cost.cache import CostCache
from sentinel.cost.delivery import deliver_report, deliver_weekly_report
from sentinel.cost.notices import NoticeResult, notify_anomalies
from sentinel.cost.report import DailyReport, build_report
from sentinel.cost.scan import AnomalyScan, scan_anomalies
from sentinel.cost.source_choice import source_for
from sentinel.cost.sources import CostExplorerSource, CostSource
from sentinel.cost.weekly import WeeklyReport, build_weekly_report, last_full_week
from sentinel.delivery.outcome import DeliveryResult
from sentinel.store import Store
from sentinel.store.outbox import Sender

# The daemon's scan looks back a week: anomalies it has not announced yet, and updates.
SCAN_DAYS = 7


@dataclass
class ReportRun:
    report: DailyReport
    deliveries: list[DeliveryResult] | None  # one per place; None: not delivered


@dataclass
class WeeklyRun:
    report: WeeklyReport
    deliveries: list[DeliveryResult] | None


@dataclass
class ScanRun:
    scan: AnomalyScan
    notices: NoticeResult | None


def report_day(config: Any, now: datetime | None = None) -> date:
    """Yesterday in the project's time zone: the day a report run now is about."""
    zone = ZoneInfo(config.project.timezone)
    return (now or clock.now(zone)).astimezone(zone).date() - timedelta(days=1)


def cost_cache(
    store: Store, factory: SessionFactory, source: CostSource | None = None
) -> CostCache:
    return CostCache(store, source or CostExplorerSource(factory))


def run_report(
    config: Any,
    factory: SessionFactory,
    store: Store,
    day: date | None = None,
    deliver: bool = True,
    source: CostSource | None = None,
    sender_overrides: Mapping[str, Sender] | None = None,
) -> ReportRun:
    """Build the report of ``day`` (default yesterday) and, with ``deliver``, send it to each
    place monitors/ cost_report names."""
    cache = cost_cache(store, factory, source or source_for(config, factory))
    report = build_report(config, cache, factory, day or report_day(config), clock.today())
    delivery = deliver_report(report, config, store, factory, sender_overrides) if deliver else None
    return ReportRun(report, delivery)


def weekly_zone(config: Any) -> str:
    """The weekly report's time zone: its own, or the project's."""
    weekly = config.cost_report.weekly if config.cost_report else None
    return (weekly.timezone if weekly else None) or config.project.timezone


def report_week(config: Any, now: datetime | None = None) -> date:
    """The Monday of the last full ISO week in the weekly report's time zone."""
    zone = ZoneInfo(weekly_zone(config))
    return last_full_week((now or clock.now(zone)).astimezone(zone).date())[0]


def run_weekly_report(
    config: Any,
    factory: SessionFactory,
    store: Store,
    monday: date | None = None,
    deliver: bool = True,
    source: CostSource | None = None,
    sender_overrides: Mapping[str, Sender] | None = None,
) -> WeeklyRun:
    """Build the report of the week of ``monday`` (default the last full week); post it."""
    cache = cost_cache(store, factory, source or source_for(config, factory))
    report = build_weekly_report(
        config, cache, factory, monday or report_week(config), clock.today()
    )
    delivery = (
        deliver_weekly_report(report, config, store, factory, sender_overrides) if deliver else None
    )
    return WeeklyRun(report, delivery)


def run_scan(
    config: Any,
    factory: SessionFactory,
    store: Store,
    days: int,
    end: date | None = None,
    notify: bool = False,
    source: CostSource | None = None,
    sender_overrides: Mapping[str, Sender] | None = None,
) -> ScanRun:
    """Anomalies of the ``days`` days to ``end`` (default yesterday); ``notify`` announces them."""
    cache = cost_cache(store, factory, source or source_for(config, factory))
    scan = scan_anomalies(config, cache, end or report_day(config), days, clock.today())
    notices = None
    if notify:
        notices = notify_anomalies(
            config, store, factory, scan.anomalies, dict(sender_overrides or {})
        )
    return ScanRun(scan, notices)
